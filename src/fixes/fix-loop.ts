import type { Finding, Fix } from '../model/finding.js';
import { applyFixes } from './apply.js';

/** Fixes applied by `--fix` passes: each pass re-lints the text the previous one produced. */
export const MAX_FIX_PASSES = 10;

export interface FixLoopResult<R> {
  /** The final text (the input when nothing was applied). */
  output: string;
  /** The lint result of `output`. */
  result: R;
  passes: number;
  applied: number;
  /** Set when a pass was rolled back because its output no longer parsed. */
  rejected?: string;
}

/**
 * Applies safe fixes in passes until none is left (at most {@link MAX_FIX_PASSES}). After each
 * pass the text is re-parsed and re-linted; a pass whose output has more `parse-error`s than its
 * input is rolled back and the loop stops, so a fix can never make a file unreadable.
 */
export function fixLoop<R extends { findings: Finding[] }>(
  text: string,
  lint: (text: string) => R,
  accept: (finding: Finding) => boolean = () => true,
): FixLoopResult<R> {
  let current = text;
  let result = lint(current);
  let applied = 0;
  let passes = 0;
  let rejected: string | undefined;
  while (passes < MAX_FIX_PASSES) {
    const fixes: Fix[] = result.findings.filter((f) => f.fix && !f.suppressions?.length && accept(f)).map((f) => f.fix!);
    if (fixes.length === 0) break;
    const pass = applyFixes(current, fixes);
    if (pass.applied.length === 0 || pass.output === current) break;
    const next = lint(pass.output);
    if (parseErrors(next.findings) > parseErrors(result.findings)) {
      rejected = 'a fix produced text that no longer parses; it was not applied';
      break;
    }
    passes++;
    applied += pass.applied.length;
    current = pass.output;
    result = next;
  }
  return { output: current, result, passes, applied, ...(rejected ? { rejected } : {}) };
}

function parseErrors(findings: Finding[]): number {
  return findings.filter((f) => f.ruleId === 'parse-error').length;
}
