import { promises as fs } from 'node:fs';
import path from 'node:path';
import { builtinRegistry } from '../engine/builtin.js';
import { ConfigError, UsageError } from '../engine/errors.js';
import { lintFiles } from '../engine/lint-files.js';
import { lintParsed, parseText, type LintFileResult } from '../engine/lint.js';
import { netlintVersion, ruleReadme } from '../engine/package-root.js';
import { recommendedConfig } from '../engine/presets.js';
import { entrySeverity } from '../engine/rule-options.js';
import { fixLoop } from '../fixes/fix-loop.js';
import type { Finding } from '../model/finding.js';
import { parseCliArgs, type LintArgs, type ParseArgs } from './args.js';
import { HELP } from './help.js';
import { writeOutputs } from './output.js';

/** Where the CLI reads and writes; the process's streams, or test doubles. */
export interface CliIo {
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
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
        return listRules(args.format, io);
      case 'explain':
        return explain(args.ruleId, io);
      case 'parse':
        return await parseCommand(args, io);
      case 'lint':
        return await lintCommand(args, io);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      const where = err instanceof ConfigError && err.filePath ? `${err.filePath}${err.line ? `:${err.line}` : ''}: ` : '';
      io.stderr.write(`netlint: ${where}${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`netlint: internal error: ${message}\n`);
    if (io.env.NETLINT_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return 2;
  }
}

async function lintCommand(args: LintArgs, io: CliIo): Promise<number> {
  let results: LintFileResult[];
  const registry = builtinRegistry();
  for (const id of args.fixRules) if (!registry.has(id)) throw new UsageError(`Unknown rule "${id}" in --fix-rule.`);
  const accept = (f: Finding) =>
    (args.fixRules.length === 0 || args.fixRules.includes(f.ruleId)) &&
    (args.fixTypes.length === 0 || args.fixTypes.includes(registry.get(f.ruleId)?.meta.category ?? ''));
  if (args.stdin) {
    const text = await readStream(io.stdin);
    const filePath = args.stdinFilename ? path.resolve(io.cwd, args.stdinFilename) : '<stdin>';
    const relint = (t: string) => lintParsed([parseText(t, filePath, { kind: args.kind })])[0];
    if (args.fix) {
      const fixed = fixLoop(text, relint, accept);
      results = [fixed.output !== text ? { ...fixed.result, output: fixed.output } : fixed.result];
    } else {
      results = [relint(text)];
    }
  } else {
    const fix = args.fix ? { write: args.fix === 'write', accept } : undefined;
    results = (await lintFiles(args.patterns, { cwd: io.cwd, kind: args.kind, fix })).results;
  }
  if (args.quiet) results = results.map((r) => ({ ...r, findings: r.findings.filter((f) => f.severity === 2) }));

  const color = args.color ?? (!!io.stdout.isTTY && io.env.NO_COLOR === undefined && io.env.FORCE_COLOR !== '0');
  await writeOutputs(results, args.outputs, { cwd: io.cwd, color, stdout: io.stdout });

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
  io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return parsed.findings.some((f) => f.severity === 2) ? 1 : 0;
}

function listRules(format: string, io: CliIo): number {
  const registry = builtinRegistry();
  const config = recommendedConfig(registry);
  const rows = registry.all().map((r) => ({
    id: r.meta.id,
    inputs: r.meta.inputs.join(', '),
    category: r.meta.category,
    fixable: r.meta.fix ?? '',
    severity: ['off', 'warn', 'error'][entrySeverity(config.rules[r.meta.id])],
    description: r.meta.description,
  }));
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (format !== 'table') throw new UsageError(`Unknown format "${format}" for "netlint rules": use table or json.`);
  const head = { id: 'RULE', inputs: 'INPUTS', category: 'CATEGORY', fixable: 'FIX', severity: 'DEFAULT', description: 'DESCRIPTION' };
  const cols = ['id', 'inputs', 'category', 'fixable', 'severity'] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => r[c].length))]));
  const line = (r: typeof head) => `${cols.map((c) => r[c].padEnd(width[c])).join('  ')}  ${r.description}`.trimEnd();
  io.stdout.write(`${[line(head), ...rows.map(line)].join('\n')}\n`);
  return 0;
}

function explain(ruleId: string, io: CliIo): number {
  const readme = builtinRegistry().has(ruleId) ? ruleReadme(ruleId) : undefined;
  if (!readme) throw new UsageError(`Unknown rule "${ruleId}". "netlint rules" lists them.`);
  io.stdout.write(readme.endsWith('\n') ? readme : `${readme}\n`);
  return 0;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
