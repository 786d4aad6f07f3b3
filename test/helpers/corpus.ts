import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';

/**
 * The shared corpus of real configs and dumps (`../shared/corpus` beside the repository, or
 * `NETLINT_CORPUS`). It is not copied into the repository; tests that read it skip with a
 * printed reason when it is absent, and run in CI, where it is present.
 */
export const CORPUS_ROOT = process.env.NETLINT_CORPUS ?? path.resolve(__dirname, '../../../shared/corpus');
export const hasCorpus = existsSync(CORPUS_ROOT);
export const corpusSkipReason = `corpus folder ${path.relative(process.cwd(), CORPUS_ROOT)} not found (set NETLINT_CORPUS)`;

/** Path of a corpus file or folder. */
export function corpusPath(...parts: string[]): string {
  return path.join(CORPUS_ROOT, ...parts);
}

/** Text of a corpus file. */
export function readCorpus(...parts: string[]): string {
  return readFileSync(corpusPath(...parts), 'utf8');
}

/** Names of the files of a corpus folder (not SOURCES.md), sorted; empty without the corpus. */
export function corpusFiles(folder: string): string[] {
  if (!hasCorpus) return [];
  return readdirSync(corpusPath(folder))
    .filter((f) => !f.endsWith('.md'))
    .sort();
}

/** `describe` for tests that need the corpus: skipped, with the reason printed, when it is absent. */
export function describeCorpus(name: string, body: () => void): void {
  if (!hasCorpus) {
    console.warn(`skipped "${name}": ${corpusSkipReason}`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}
