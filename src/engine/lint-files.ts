import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { InputKind } from '../model/document.js';
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
  /** The config in force for a file; `undefined` means `netlint:recommended`. */
  configFor?: (filePath: string) => ResolvedConfig | undefined;
  registry?: RuleRegistry;
  ignores?: string[];
  /**
   * Apply safe fixes (those `accept` lets through). `write: false` only computes the output
   * (`--fix-dry-run`).
   */
  fix?: { write: boolean; accept?: (finding: Finding) => boolean };
}

/** What a directory walk saw but did not lint (no recognisable kind, binary). */
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
  const files = await discoverFiles(patterns, { cwd, ignores: options.ignores });
  const parsed: ParsedFile[] = [];
  const skipped: string[] = [];
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
  const lintOptions = { registry: options.registry, configFor: options.configFor, scopeOf };
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
