import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConfigResolver } from '../config/resolver.js';
import { CONFIG_FILE_NAMES } from '../config/source.js';
import type { InputKind } from '../model/document.js';
import type { SeverityName } from '../model/finding.js';
import { detectKind } from '../parsers/detect.js';
import { discoverFiles } from './discover.js';
import { fixLoop } from '../fixes/fix-loop.js';
import { writeFileAtomic } from '../fixes/write-atomic.js';
import type { Finding } from '../model/finding.js';
import { lintParsed, parseText, type LintFileResult, type ParsedFile } from './lint.js';
import type { RuleRegistry } from './registry.js';
import type { ResolvedConfig } from './types.js';

export interface LintFilesOptions {
  cwd?: string;
  /** Forces the input kind of every file. */
  kind?: InputKind;
  /** The config in force for a file (and input kind); `undefined` means `netlint:recommended`. */
  configFor?: (filePath: string, kind?: InputKind) => ResolvedConfig | undefined;
  registry?: RuleRegistry;
  /**
   * Config files: the nearest config of each file (or `--config`), its `ignores`, and the run's
   * registry with plugins' rules. Takes the place of `configFor` and `registry`.
   */
  configs?: ConfigResolver;
  /** Globs (relative to cwd) of files and folders not to lint, besides the configs' `ignores`. */
  ignores?: string[];
  /** Severity of unused disable directives; overrides the configs' `linterOptions`. */
  reportUnusedDisableDirectives?: SeverityName;
  /**
   * Apply safe fixes (those `accept` lets through). `write: false` only computes the output
   * (`--fix-dry-run`).
   */
  fix?: { write: boolean; accept?: (finding: Finding) => boolean };
}

/** What a directory walk saw but did not lint (no recognisable kind, binary, ignored by a config). */
export interface LintFilesReport {
  results: LintFileResult[];
  skipped: string[];
}

/**
 * Lints files, directories and globs. Files of one directory form one scope (one node's
 * evidence, or one manifest set). Files found by a directory walk whose kind cannot be
 * recognised are skipped; files named explicitly get an `unknown-input` finding.
 */
export async function lintFiles(patterns: string[], options: LintFilesOptions = {}): Promise<LintFilesReport> {
  const cwd = options.cwd ?? process.cwd();
  const configs = options.configs;
  const parsed: ParsedFile[] = [];
  const skipped: string[] = [];
  let files = await discoverFiles(patterns, { cwd, ignores: options.ignores });
  // netlint's own config files are not inputs.
  files = files.filter((f) => f.explicit || !(CONFIG_FILE_NAMES as readonly string[]).includes(path.basename(f.filePath)));
  if (configs) {
    // One config per folder (cached), loaded in path order so the first bad config is reported.
    for (const f of files) await configs.prepare(f.filePath);
    files = files.filter((f) => {
      if (!configs.isIgnored(f.filePath)) return true;
      skipped.push(f.filePath);
      return false;
    });
  }
  const texts = await Promise.all(files.map((f) => readText(f.filePath)));
  files.forEach((f, i) => {
    const text = texts[i];
    const kind = text === undefined ? undefined : (options.kind ?? detectKind(f.filePath, text));
    if (text === undefined || (!f.explicit && (!kind || isBinary(text)))) {
      skipped.push(f.filePath);
      return;
    }
    parsed.push(parseText(text, f.filePath, { kind }));
  });
  const scopeOf = (file: ParsedFile) => path.dirname(file.filePath);
  const lintOptions = {
    registry: configs?.registry ?? options.registry,
    configFor: configs ? (filePath: string, kind?: InputKind) => configs.configFor(filePath, kind) : options.configFor,
    reportUnusedDisableDirectives: options.reportUnusedDisableDirectives,
    scopeOf,
  };
  if (!options.fix) return { results: lintParsed(parsed, lintOptions), skipped };

  // Each file is fixed in its scope: the other files of its directory lend their facts
  // (a kernel version, say) but are not re-linted.
  const results: LintFileResult[] = [];
  const { write, accept } = options.fix;
  const byScope = new Map<string, ParsedFile[]>();
  for (const f of parsed) byScope.set(scopeOf(f), [...(byScope.get(scopeOf(f)) ?? []), f]);
  for (const file of parsed) {
    const others = byScope.get(scopeOf(file))!.filter((f) => f !== file);
    const relint = (text: string) => {
      const next = text === file.text ? file : parseText(text, file.filePath, { kind: file.kind });
      return lintParsed([next, ...others], { ...lintOptions, only: new Set([next]) })[0];
    };
    const fixed = fixLoop(file.text, relint, accept);
    if (fixed.output !== file.text) {
      if (write) await writeFileAtomic(file.filePath, fixed.output);
      results.push({ ...fixed.result, output: fixed.output });
    } else {
      results.push(fixed.result);
    }
  }
  return { results, skipped };
}

async function readText(filePath: string): Promise<string | undefined> {
  try {
    return await fs.readFile(filePath, 'utf8');
  } catch {
    return undefined;
  }
}

function isBinary(text: string): boolean {
  const n = Math.min(text.length, 8192);
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) === 0) return true;
  return false;
}
