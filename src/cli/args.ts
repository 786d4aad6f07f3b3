import { parseArgs } from 'node:util';
import { isInputKind, type InputKind } from '../model/document.js';
import { UsageError } from '../engine/errors.js';
import type { RuleEntry } from '../engine/types.js';
import type { SeverityName } from '../model/finding.js';

export interface OutputTarget {
  format: string;
  /** Write to this file instead of stdout. */
  file?: string;
}

export interface LintArgs {
  command: 'lint';
  patterns: string[];
  outputs: OutputTarget[];
  kind?: InputKind;
  stdin: boolean;
  stdinFilename?: string;
  quiet: boolean;
  maxWarnings: number;
  color?: boolean;
  /** `--fix` writes, `--fix-dry-run` only computes `output`. */
  fix?: 'write' | 'dry-run';
  fixRules: string[];
  fixTypes: string[];
  /** Where configs come from: `--config FILE`, `--no-config-lookup`, `--rule`. */
  config: ConfigArgs;
  /** `--report-unused-disable-directives(-severity)`. */
  reportUnusedDisableDirectives?: SeverityName;
  /** `--baseline FILE`: accept the findings it records. */
  baseline?: string;
  /** `--baseline-write FILE`: record the current findings. */
  baselineWrite?: string;
  /** `--baseline-prune`: drop entries of `--baseline` that no longer match. */
  baselinePrune: boolean;
  /** `--ignore-unknown`: skip named files whose kind is not recognised (as a directory walk does). */
  ignoreUnknown: boolean;
  /** `--cache`: reuse the findings of files (and scopes) that did not change. */
  cache: boolean;
  /** `--cache-location PATH`: the cache file, or a folder for it; default `.netlintcache`. */
  cacheLocation?: string;
}

export interface ConfigArgs {
  configFile?: string;
  /** False with `--no-config-lookup`. */
  lookup: boolean;
  /** `--rule` entries, in order (later ones win). */
  rules?: Record<string, RuleEntry>;
}

export interface PrintConfigArgs {
  command: 'print-config';
  file: string;
  kind?: InputKind;
  config: ConfigArgs;
}

export interface ParseArgs {
  command: 'parse';
  file: string;
  kind?: InputKind;
  stdinFilename?: string;
}

export type CliArgs =
  | LintArgs
  | ParseArgs
  | PrintConfigArgs
  | { command: 'help'; topic?: string }
  | { command: 'version' }
  | { command: 'facts'; patterns: string[]; kind?: InputKind }
  | { command: 'test-policies'; dir: string }
  | { command: 'rules'; format: string; config: ConfigArgs }
  | { command: 'explain'; ruleId: string; config: ConfigArgs }
  | { command: 'init'; force: boolean };

/** `--fix-type` values: rule categories. */
const FIX_TYPES = new Set(['correctness', 'security', 'reliability', 'performance', 'style', 'nursery']);

const COMMANDS = new Set(['lint', 'parse', 'facts', 'test-policies', 'rules', 'explain', 'help', 'print-config', 'init']);

const SEVERITIES: Record<string, SeverityName> = { off: 'off', warn: 'warn', error: 'error', '0': 'off', '1': 'warn', '2': 'error' };

/** Parses the command line. Throws `UsageError` with a one-line message on bad usage. */
export function parseCliArgs(argv: string[]): CliArgs {
  const first = argv[0];
  const command = first && COMMANDS.has(first) ? first : 'lint';
  const rest = first && COMMANDS.has(first) ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f', multiple: true },
        'output-file': { type: 'string', short: 'o' },
        kind: { type: 'string' },
        stdin: { type: 'boolean' },
        'stdin-filename': { type: 'string' },
        quiet: { type: 'boolean' },
        'max-warnings': { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        fix: { type: 'boolean' },
        'fix-dry-run': { type: 'boolean' },
        'fix-type': { type: 'string', multiple: true },
        'fix-rule': { type: 'string', multiple: true },
        config: { type: 'string', short: 'c' },
        'no-config-lookup': { type: 'boolean' },
        rule: { type: 'string', multiple: true },
        'print-config': { type: 'string' },
        'report-unused-disable-directives': { type: 'boolean' },
        'report-unused-disable-directives-severity': { type: 'string' },
        baseline: { type: 'string' },
        'baseline-write': { type: 'string' },
        'baseline-prune': { type: 'boolean' },
        'ignore-unknown': { type: 'boolean' },
        cache: { type: 'boolean' },
        'cache-location': { type: 'string' },
        force: { type: 'boolean' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(((err as Error).message ?? String(err)).replace(/\. To specify a positional.*$/s, '.'));
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { command: 'help', topic: command };
  if (v.version) return { command: 'version' };
  if (command === 'help') return { command: 'help', topic: positionals[0] };

  let kind: InputKind | undefined;
  if (v.kind !== undefined) {
    if (!isInputKind(v.kind)) throw new UsageError(`Unknown --kind "${v.kind}".`);
    kind = v.kind;
  }

  const config: ConfigArgs = {
    ...(v.config !== undefined ? { configFile: v.config } : {}),
    lookup: !v['no-config-lookup'],
    ...(v.rule?.length ? { rules: parseRuleOptions(v.rule) } : {}),
  };
  if (v['print-config'] !== undefined || command === 'print-config') {
    const file = v['print-config'] ?? positionals[0];
    if (file === undefined || positionals.length > (v['print-config'] !== undefined ? 0 : 1)) throw new UsageError('Usage: netlint print-config FILE [--config FILE] [--no-config-lookup] [--rule ID:SEVERITY] [--kind KIND]');
    return { command: 'print-config', file, kind, config };
  }

  switch (command) {
    case 'parse': {
      if (positionals.length !== 1 && !v.stdin) throw new UsageError('Usage: netlint parse FILE [--kind KIND] (or --stdin with --kind or --stdin-filename).');
      if (v.stdin && !kind && !v['stdin-filename']) throw new UsageError('--stdin needs --kind or --stdin-filename.');
      return { command: 'parse', file: v.stdin ? '-' : positionals[0], kind, stdinFilename: v['stdin-filename'] };
    }
    case 'test-policies':
      if (positionals.length !== 1) throw new UsageError('Usage: netlint test-policies DIR');
      return { command: 'test-policies', dir: positionals[0] };
    case 'facts':
      return { command: 'facts', patterns: positionals.length ? positionals : ['.'], kind };
    case 'rules':
      return { command: 'rules', format: v.format?.[0] ?? 'table', config };
    case 'explain':
      if (positionals.length !== 1) throw new UsageError('Usage: netlint explain RULE-ID');
      return { command: 'explain', ruleId: positionals[0], config };
    case 'init':
      if (positionals.length > 0) throw new UsageError('Usage: netlint init [--force] (run it in the folder to configure)');
      return { command: 'init', force: !!v.force };
  }
  if (v.force) throw new UsageError('--force is an option of "netlint init".');

  const outputs: OutputTarget[] = [];
  for (const spec of v.format ?? ['stylish']) {
    // `sarif:results.sarif` writes that format to a file; a bare name goes to stdout.
    const m = /^((?:@[^:/]+\/)?[^:]+?):(.+)$/.exec(spec);
    if (m && !/^[A-Za-z]$/.test(m[1])) outputs.push({ format: m[1], file: m[2] });
    else outputs.push({ format: spec });
  }
  if (v['output-file']) {
    const toStdout = outputs.filter((o) => !o.file);
    if (toStdout.length === 0) throw new UsageError('--output-file needs a --format without a file.');
    toStdout[0].file = v['output-file'];
  }
  let maxWarnings = -1;
  if (v['max-warnings'] !== undefined) {
    if (!/^-?\d+$/.test(v['max-warnings'])) throw new UsageError(`--max-warnings expects a whole number, not "${v['max-warnings']}".`);
    maxWarnings = Number(v['max-warnings']);
  }
  if (v.stdin && !kind && !v['stdin-filename']) throw new UsageError('--stdin needs --kind or --stdin-filename.');
  if (v.stdin && positionals.length > 0) throw new UsageError('--stdin reads standard input; do not give paths too.');
  if (v.fix && v.stdin) throw new UsageError('--fix cannot write standard input back; use --fix-dry-run.');
  if (v.fix && v['fix-dry-run']) throw new UsageError('Use --fix or --fix-dry-run, not both.');
  const fixTypes = (v['fix-type'] ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  for (const t of fixTypes) {
    if (!FIX_TYPES.has(t)) throw new UsageError(`Invalid --fix-type "${t}": expected one of ${[...FIX_TYPES].join(', ')}.`);
  }
  if ((fixTypes.length || v['fix-rule']?.length) && !v.fix && !v['fix-dry-run']) {
    throw new UsageError('--fix-type and --fix-rule need --fix or --fix-dry-run.');
  }
  let reportUnusedDisableDirectives: SeverityName | undefined;
  if (v['report-unused-disable-directives'] && v['report-unused-disable-directives-severity'] !== undefined) {
    throw new UsageError('Use --report-unused-disable-directives or --report-unused-disable-directives-severity, not both.');
  }
  if (v['report-unused-disable-directives']) reportUnusedDisableDirectives = 'error';
  const unusedSeverity = v['report-unused-disable-directives-severity'];
  if (unusedSeverity !== undefined) {
    reportUnusedDisableDirectives = SEVERITIES[unusedSeverity];
    if (!reportUnusedDisableDirectives) throw new UsageError(`Invalid --report-unused-disable-directives-severity "${unusedSeverity}": expected off, warn or error (or 0, 1, 2).`);
  }
  if (v.baseline !== undefined && v['baseline-write'] !== undefined) throw new UsageError('Use --baseline or --baseline-write, not both.');
  if (v['baseline-prune'] && v.baseline === undefined) throw new UsageError('--baseline-prune needs --baseline FILE.');
  return {
    command: 'lint',
    patterns: positionals.length ? positionals : ['.'],
    outputs,
    kind,
    stdin: !!v.stdin,
    stdinFilename: v['stdin-filename'],
    quiet: !!v.quiet,
    maxWarnings,
    color: v['no-color'] ? false : v.color ? true : undefined,
    fix: v.fix ? 'write' : v['fix-dry-run'] ? 'dry-run' : undefined,
    fixRules: (v['fix-rule'] ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean),
    fixTypes,
    config,
    ...(reportUnusedDisableDirectives ? { reportUnusedDisableDirectives } : {}),
    ...(v.baseline !== undefined ? { baseline: v.baseline } : {}),
    ...(v['baseline-write'] !== undefined ? { baselineWrite: v['baseline-write'] } : {}),
    baselinePrune: !!v['baseline-prune'],
    ignoreUnknown: !!v['ignore-unknown'],
    cache: !!v.cache,
    ...(v['cache-location'] !== undefined ? { cacheLocation: v['cache-location'] } : {}),
  };
}

/**
 * `--rule` values: `ID:SEVERITY` (`off`, `warn`, `error`, `0`-`2`), `ID:JSON` where JSON is a
 * severity string or `[severity, options]`, or a JSON object of entries by id (ESLint's form).
 * Whether ids and options are valid is checked with the config.
 */
export function parseRuleOptions(specs: readonly string[]): Record<string, RuleEntry> {
  const out: Record<string, RuleEntry> = {};
  for (const raw of specs) {
    const spec = raw.trim();
    const bad = (why: string) => new UsageError(`Invalid --rule "${raw}": ${why}.`);
    if (spec.startsWith('{')) {
      let obj: unknown;
      try {
        obj = JSON.parse(spec);
      } catch (err) {
        throw bad(`invalid JSON (${(err as Error).message})`);
      }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw bad('expected an object of rule entries by id');
      for (const [id, value] of Object.entries(obj)) out[id] = ruleEntry(value, bad);
      continue;
    }
    const colon = spec.indexOf(':');
    if (colon <= 0) throw bad('expected RULE-ID:SEVERITY or RULE-ID:["warn",{...}]');
    const id = spec.slice(0, colon).trim();
    const valueText = spec.slice(colon + 1).trim();
    let value: unknown = valueText;
    if (/^[[{"]/.test(valueText)) {
      try {
        value = JSON.parse(valueText);
      } catch (err) {
        throw bad(`invalid JSON after "${id}:" (${(err as Error).message})`);
      }
    }
    out[id] = ruleEntry(value, bad);
  }
  return out;
}

function ruleEntry(value: unknown, bad: (why: string) => UsageError): RuleEntry {
  const severity = (v: unknown): SeverityName => {
    const s = SEVERITIES[String(v)];
    if (!s || (typeof v !== 'string' && typeof v !== 'number')) throw bad(`expected the severity to be off, warn or error (or 0, 1, 2), not ${JSON.stringify(v)}`);
    return s;
  };
  if (Array.isArray(value)) {
    if (value.length < 1 || value.length > 2) throw bad('expected [severity] or [severity, options]');
    const sev = severity(value[0]);
    if (value.length === 1) return [sev];
    const options = value[1];
    if (!options || typeof options !== 'object' || Array.isArray(options)) throw bad('expected the options to be a JSON object');
    return [sev, options as Record<string, unknown>];
  }
  return severity(value);
}
