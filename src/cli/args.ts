import { parseArgs } from 'node:util';
import { isInputKind, type InputKind } from '../model/document.js';
import { UsageError } from '../engine/errors.js';

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
  | { command: 'help'; topic?: string }
  | { command: 'version' }
  | { command: 'rules'; format: string }
  | { command: 'explain'; ruleId: string };

/** `--fix-type` values: rule categories. */
const FIX_TYPES = new Set(['correctness', 'security', 'reliability', 'performance', 'style', 'nursery']);

const COMMANDS = new Set(['lint', 'parse', 'rules', 'explain', 'help']);

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

  switch (command) {
    case 'parse': {
      if (positionals.length !== 1 && !v.stdin) throw new UsageError('Usage: netlint parse FILE [--kind KIND] (or --stdin with --kind or --stdin-filename).');
      if (v.stdin && !kind && !v['stdin-filename']) throw new UsageError('--stdin needs --kind or --stdin-filename.');
      return { command: 'parse', file: v.stdin ? '-' : positionals[0], kind, stdinFilename: v['stdin-filename'] };
    }
    case 'rules':
      return { command: 'rules', format: v.format?.[0] ?? 'table' };
    case 'explain':
      if (positionals.length !== 1) throw new UsageError('Usage: netlint explain RULE-ID');
      return { command: 'explain', ruleId: positionals[0] };
  }

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
  };
}
