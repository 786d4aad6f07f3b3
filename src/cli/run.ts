import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigResolver } from '../config/resolver.js';
import type { Baseline } from '../engine/baseline.js';
import { builtinRegistry } from '../engine/builtin.js';
import { cacheFilePath, LintCache } from '../engine/cache.js';
import { ConfigError, UsageError } from '../engine/errors.js';
import { lintFiles } from '../engine/lint-files.js';
import { lintParsed, parseText, type LintFileResult } from '../engine/lint.js';
import { netlintVersion, ruleReadme } from '../engine/package-root.js';
import { recommendedConfig } from '../engine/presets.js';
import { entrySeverity } from '../engine/rule-options.js';
import type { EngineRuleId, Finding } from '../model/finding.js';
import { detectKind } from '../parsers/detect.js';
import type { RuleRegistry } from '../engine/registry.js';
import type { ResolvedConfig } from '../engine/types.js';
import { parseCliArgs, type ConfigArgs, type LintArgs, type ParseArgs, type PrintConfigArgs } from './args.js';
import { HELP } from './help.js';
import { writeOutputs } from './output.js';
import { noteCodeCacheUses } from './code-cache-uses.js';
import type { CliOutput } from './stdio.js';

/** Where the CLI reads and writes; the process's streams, or test doubles. */
export interface CliIo {
  cwd: string;
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs the netlint CLI and resolves to its exit code: 0 no errors, 1 errors (or more warnings
 * than `--max-warnings`), 2 usage, config or internal failure. Never prints a stack trace
 * unless NETLINT_DEBUG is set.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    switch (args.command) {
      case 'help':
        io.stdout.write(`${HELP[args.topic ?? 'lint'] ?? HELP.lint}\n`);
        return 0;
      case 'version':
        io.stdout.write(`${netlintVersion()}\n`);
        return 0;
      case 'rules':
        return await listRules(args.format, args.config, io);
      case 'explain':
        return await explain(args.ruleId, args.config, io);
      case 'parse':
        return await parseCommand(args, io);
      case 'print-config':
        return await printConfig(args, io);
      case 'test-policies': {
        const { formatPolicyTestReport, testPolicies } = await import('../policy/index.js');
        const result = await testPolicies(path.resolve(io.cwd, args.dir));
        const report = formatPolicyTestReport(result);
        io.stdout.write(report.endsWith('\n') ? report : `${report}\n`);
        return result.failed.length > 0 ? 1 : 0;
      }
      case 'facts': {
        const { collectFacts } = await import('./facts-command.js');
        io.stdout.write(`${JSON.stringify(await collectFacts(args.patterns, io.cwd, args.kind), null, 2)}\n`);
        return 0;
      }
      case 'init': {
        const { initConfig } = await import('./init.js');
        const report = await initConfig({ cwd: io.cwd, force: args.force });
        io.stdout.write(`${report.summary.join('\n')}\n`);
        return 0;
      }
      case 'lint':
        return await lintCommand(args, io);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      const where = err instanceof ConfigError && err.filePath ? `${displayPath(err.filePath, io.cwd)}${err.line ? `:${err.line}${err.column ? `:${err.column}` : ''}` : ''}: ` : '';
      io.stderr.write(`netlint: ${where}${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`netlint: internal error: ${message}\n`);
    if (io.env.NETLINT_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return 2;
  }
}

/** Ids the engine reports itself; `--fix-rule unused-disable-directive` removes unused directives. */
const ENGINE_RULE_IDS: readonly EngineRuleId[] = ['parse-error', 'unknown-input', 'internal-error', 'unused-disable-directive'];

function configResolver(config: ConfigArgs, io: CliIo, reportUnusedDisableDirectives?: LintArgs['reportUnusedDisableDirectives']): Promise<ConfigResolver> {
  return ConfigResolver.create({
    cwd: io.cwd,
    configFile: config.configFile,
    lookup: config.lookup,
    cliRules: config.rules,
    reportUnusedDisableDirectives,
  });
}

async function lintCommand(args: LintArgs, io: CliIo): Promise<number> {
  let results: LintFileResult[];
  const configs = await configResolver(args.config, io, args.reportUnusedDisableDirectives);
  const registry = configs.registry;
  const knownFixRule = (id: string) => registry.has(id) || (ENGINE_RULE_IDS as readonly string[]).includes(id);
  // Plugin rules (`acme/x`) are known once the configs that load them are; checked after linting.
  for (const id of args.fixRules) if (!id.includes('/') && !knownFixRule(id)) throw new UsageError(`Unknown rule "${id}" in --fix-rule.`);
  const accept = (f: Finding) =>
    (args.fixRules.length === 0 || args.fixRules.includes(f.ruleId)) &&
    (args.fixTypes.length === 0 || args.fixTypes.includes(registry.get(f.ruleId)?.meta.category ?? ''));
  if (args.stdin) {
    const text = await readStream(io.stdin);
    const filePath = args.stdinFilename ? path.resolve(io.cwd, args.stdinFilename) : '<stdin>';
    await configs.prepare(filePath);
    const lintOptions = {
      registry,
      configFor: (file: string, kind?: Parameters<ConfigResolver['configFor']>[1]) => configs.configFor(file, kind),
    };
    const relint = (t: string) => lintParsed([parseText(t, filePath, { kind: args.kind })], lintOptions)[0];
    if (args.fix) {
      const { fixLoop } = await import('../fixes/fix-loop.js');
      const fixed = fixLoop(text, relint, accept);
      results = [fixed.output !== text ? { ...fixed.result, output: fixed.output } : fixed.result];
    } else {
      results = [relint(text)];
    }
  } else {
    const fix = args.fix ? { write: args.fix === 'write', accept } : undefined;
    // --fix writes files: it neither reads nor writes the cache (as ESLint's fixed files).
    const cache = args.cache && !args.fix ? LintCache.load(cacheFilePath(args.cacheLocation, io.cwd), netlintVersion()) : undefined;
    const progress = progressLine(io);
    try {
      results = (await lintFiles(args.patterns, { cwd: io.cwd, kind: args.kind, fix, configs, cache, onProgress: progress.update, ignoreUnknown: args.ignoreUnknown })).results;
    } finally {
      progress.done();
    }
    if (cache) {
      await cache.save();
      if (io.env.NETLINT_DEBUG) {
        const { reused, linted } = cache.stats;
        io.stderr.write(`netlint: cache ${displayPath(cache.filePath, io.cwd)}: ${reused.length} reused, ${linted.length} linted\n`);
        for (const f of linted) io.stderr.write(`netlint: cache: linted ${displayPath(f, io.cwd)}\n`);
      }
    }
  }
  for (const id of args.fixRules) if (!knownFixRule(id)) throw new UsageError(`Unknown rule "${id}" in --fix-rule.`);
  results = await baselineStep(results, args, io);
  if (args.quiet) results = results.map((r) => ({ ...r, findings: r.findings.filter((f) => f.severity === 2) }));

  const color = args.color ?? (!!io.stdout.isTTY && io.env.NO_COLOR === undefined && io.env.FORCE_COLOR !== '0');
  noteCodeCacheUses('input', new Set(results.map((r) => r.kind)));
  // A formatter module named by its path counts as one use, whatever its path.
  noteCodeCacheUses('format', args.outputs.map((o) => (/^[a-z][a-z0-9-]*$/.test(o.format) ? o.format : 'module')));
  await writeOutputs(results, args.outputs, { cwd: io.cwd, color, stdout: io.stdout, registry });

  let errors = 0;
  let warnings = 0;
  for (const r of results)
    for (const f of r.findings) {
      if (f.suppressions?.length) continue;
      if (f.severity === 2) errors++;
      else warnings++;
    }
  if (errors > 0) return 1;
  if (args.maxWarnings >= 0 && warnings > args.maxWarnings) {
    io.stderr.write(`netlint found too many warnings (maximum: ${args.maxWarnings}).\n`);
    return 1;
  }
  return 0;
}

/**
 * A progress line on stderr (`netlint: 1200/2000 files`), only when stderr is a terminal and the
 * run has taken more than a second; rewritten in place at most ten times a second, erased at the end.
 */
function progressLine(io: CliIo): { update: (done: number, total: number) => void; done: () => void } {
  const tty = io.stderr.isTTY === true;
  if (!tty) return { update: () => {}, done: () => {} };
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - start < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[2Knetlint: ${done}/${total} files`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}

/** `--baseline-write`, or `--baseline` (with `--baseline-prune`): accepted findings become suppressed. */
async function baselineStep(results: LintFileResult[], args: LintArgs, io: CliIo): Promise<LintFileResult[]> {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (args.baselineWrite === undefined && args.baseline === undefined) return results;
  const { applyBaseline, createBaseline, readBaseline, writeBaseline } = await import('../engine/baseline.js');
  if (args.baselineWrite !== undefined) {
    const file = path.resolve(io.cwd, args.baselineWrite);
    let previous: Baseline | undefined;
    try {
      await fs.access(file);
      previous = await readBaseline(file);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
    }
    const baseline = createBaseline(results, path.dirname(file), previous);
    await writeBaseline(file, baseline);
    const matched = applyBaseline(results, baseline, path.dirname(file));
    io.stderr.write(`baseline: wrote ${plural(baseline.entries.length, 'entry', 'entries')} to ${args.baselineWrite}\n`);
    return matched.results;
  }
  if (args.baseline === undefined) return results;
  const file = path.resolve(io.cwd, args.baseline);
  const matched = applyBaseline(results, await readBaseline(file), path.dirname(file));
  if (matched.accepted > 0) io.stderr.write(`${plural(matched.accepted, 'finding', 'findings')} accepted by the baseline\n`);
  const n = matched.unmatched.length;
  if (n > 0 && args.baselinePrune) {
    await writeBaseline(file, matched.pruned);
    io.stderr.write(`baseline: pruned ${plural(n, 'entry', 'entries')} that no longer match from ${args.baseline}\n`);
  } else if (n > 0) {
    const lines = matched.unmatched.map((e) => `  ${e.file}: ${e.ruleId}: ${e.snippet}`);
    io.stderr.write(`baseline: ${plural(n, 'entry no longer matches', 'entries no longer match')} (run with --baseline-prune)\n${lines.join('\n')}\n`);
  }
  return matched.results;
}

/** `netlint print-config FILE`: the resolved config for that file, as JSON (ESLint's --print-config). */
async function printConfig(args: PrintConfigArgs, io: CliIo): Promise<number> {
  const configs = await configResolver(args.config, io);
  const filePath = path.resolve(io.cwd, args.file);
  await configs.prepare(filePath);
  let kind = args.kind;
  if (!kind) {
    let text = '';
    try {
      text = await fs.readFile(filePath, 'utf8');
    } catch {
      // The file need not exist: its name and folder decide the config.
    }
    kind = detectKind(filePath, text);
  }
  const config = configs.configFor(filePath, kind);
  const rules = Object.fromEntries(Object.entries(config.rules).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const out = {
    filePath,
    kind: kind ?? null,
    ignored: configs.isIgnored(filePath),
    rules,
    settings: config.settings,
    linterOptions: { reportUnusedDisableDirectives: config.linterOptions?.reportUnusedDisableDirectives ?? 'warn' },
    plugins: config.plugins ?? [],
    policies: config.policies ?? [],
    configFiles: config.configFiles ?? [],
  };
  io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

/** A path for messages: relative to cwd when below it. */
function displayPath(filePath: string, cwd: string): string {
  if (!path.isAbsolute(filePath)) return filePath;
  const rel = path.relative(cwd, filePath);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : filePath;
}

async function parseCommand(args: ParseArgs, io: CliIo): Promise<number> {
  let text: string;
  let filePath: string;
  if (args.file === '-') {
    text = await readStream(io.stdin);
    filePath = args.stdinFilename ? path.resolve(io.cwd, args.stdinFilename) : '<stdin>';
  } else {
    filePath = path.resolve(io.cwd, args.file);
    try {
      text = await fs.readFile(filePath, 'utf8');
    } catch {
      throw new UsageError(`Cannot read "${args.file}".`);
    }
  }
  const parsed = parseText(text, filePath, { kind: args.kind });
  const out = {
    filePath: parsed.filePath,
    kind: parsed.kind ?? null,
    documents: parsed.documents.map((d) => ({ kind: d.kind, root: d.root })),
    findings: parsed.findings.map(({ ruleId, message, line, column, endLine, endColumn, severity }) => ({
      ruleId,
      severity,
      message,
      line,
      column,
      endLine,
      endColumn,
    })),
  };
  io.stdout.write(`${JSON.stringify(out, acyclic(), 2)}\n`);
  return parsed.findings.some((f) => f.severity === 2) ? 1 : 0;
}

/** Keys of the models' links to an enclosing node (printed as type and range even when reached another way). */
const LINKS_UP = new Set(['parent', 'property', 'object']);

/**
 * A `JSON.stringify` replacer for models whose nodes link back to what encloses them (a JSON or
 * YAML node's `parent`, the `property` that holds a value, a view's `object`, a delegate plugin's
 * `parent`): such a link is printed as the enclosing node's type and range (the node itself is
 * printed where it stands; printing it again inside itself would never end, and printing the
 * whole enclosing tree at every link would repeat it without end). Any other link to an object
 * being printed (from the root to the current one, which it keeps) is printed the same way.
 */
function acyclic(): (this: unknown, key: string, value: unknown) => unknown {
  const open: unknown[] = [];
  return function (this: unknown, key: string, value: unknown): unknown {
    // `this` holds the value: what was open after it is printed already.
    if (open.length > 0) open.length = open.lastIndexOf(this) + 1;
    if (value === null || typeof value !== 'object') return value;
    const node = value as { type?: unknown; range?: unknown };
    if (open.includes(value) || (LINKS_UP.has(key) && node.type !== undefined && node.range !== undefined)) {
      if (node.type === undefined || node.range === undefined) return '[enclosing object]';
      value = { type: node.type, range: node.range };
    }
    // Printed next (its own values then come with it as `this`).
    open.push(value);
    return value;
  };
}

/**
 * The rules of the config in force for the current folder: built-in rules, and the plugins' and
 * policies' rules that config loads. DEFAULT is the severity in netlint:recommended (a plugin's or
 * policy's own), CONFIG the one the config sets for a file here.
 */
async function runRegistry(config: ConfigArgs, io: CliIo): Promise<{ registry: RuleRegistry; rules: ResolvedConfig['rules'] }> {
  const configs = await configResolver(config, io);
  // Any file name of this folder: only its folder picks the config.
  const probe = path.join(io.cwd, 'netlint-rules');
  await configs.prepare(probe);
  return { registry: configs.registry, rules: configs.configFor(probe).rules };
}

async function listRules(format: string, configArgs: ConfigArgs, io: CliIo): Promise<number> {
  if (format !== 'json' && format !== 'table') throw new UsageError(`Unknown format "${format}" for "netlint rules": use table or json.`);
  const { registry, rules } = await runRegistry(configArgs, io);
  const recommended = recommendedConfig(builtinRegistry()).rules;
  const name = (sev: number) => ['off', 'warn', 'error'][sev];
  const rows = registry.all().map((r) => ({
    id: r.meta.id,
    inputs: r.meta.inputs.join(', '),
    category: r.meta.category,
    fixable: r.meta.fix ?? '',
    severity: name(entrySeverity(recommended[r.meta.id] ?? r.meta.recommended ?? 'error')),
    configured: name(entrySeverity(rules[r.meta.id])),
    description: r.meta.description,
  }));
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const head = { id: 'RULE', inputs: 'INPUTS', category: 'CATEGORY', fixable: 'FIX', severity: 'DEFAULT', configured: 'CONFIG', description: 'DESCRIPTION' };
  const cols = ['id', 'inputs', 'category', 'fixable', 'severity', 'configured'] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => r[c].length))]));
  const line = (r: typeof head) => `${cols.map((c) => r[c].padEnd(width[c])).join('  ')}  ${r.description}`.trimEnd();
  io.stdout.write(`${[line(head), ...rows.map(line)].join('\n')}\n`);
  return 0;
}

async function explain(ruleId: string, configArgs: ConfigArgs, io: CliIo): Promise<number> {
  let text = builtinRegistry().has(ruleId) ? ruleReadme(ruleId) : undefined;
  if (!text) {
    // A plugin's or policy's rule of the config in force: its metadata (it has no README here).
    const rule = (await runRegistry(configArgs, io)).registry.get(ruleId);
    if (!rule) throw new UsageError(`Unknown rule "${ruleId}". "netlint rules" lists them.`);
    const { meta } = rule;
    text = [
      `# ${meta.id}`,
      '',
      meta.description,
      '',
      `- Inputs: ${meta.inputs.join(', ')}`,
      `- Category: ${meta.category}`,
      `- Fix: ${meta.fix ?? 'none'}`,
      ...(meta.docs ? [`- Docs: ${meta.docs}`] : []),
    ].join('\n');
  }
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
