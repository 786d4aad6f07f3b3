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
  };
}
