import type { Fix, TextEdit } from '../model/finding.js';

export interface ApplyResult {
  output: string;
  /** Fixes applied, in text order. */
  applied: Fix[];
  /** Fixes skipped because they overlap an earlier one (a later pass may apply them). */
  skipped: Fix[];
}

/**
 * Applies fixes whose edits do not overlap, in one pass. A fix is applied whole or not at all;
 * when two fixes touch the same text the first (by position) wins and the other is skipped.
 * Insertions at the same offset by different fixes count as overlapping, so their order never
 * depends on chance.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): ApplyResult {
  const ordered = fixes
    .map((fix) => ({ fix, edits: [...fix.edits].sort(compareEdits) }))
    .filter((f) => f.edits.length > 0)
    .sort((a, b) => compareEdits(a.edits[0], b.edits[0]));
  const taken: [number, number][] = [];
  const accepted: TextEdit[] = [];
  const applied: Fix[] = [];
  const skipped: Fix[] = [];
  for (const { fix, edits } of ordered) {
    const clashes = edits.some((e) => clashesWith(taken, e));
    const selfClash = edits.some((e, i) => i > 0 && e.range[0] < edits[i - 1].range[1]);
    if (clashes || selfClash) {
      skipped.push(fix);
      continue;
    }
    for (const e of edits) {
      insertSorted(taken, [e.range[0], e.range[1]]);
      accepted.push(e);
    }
    applied.push(fix);
  }
  accepted.sort(compareEdits);
  let output = '';
  let last = 0;
  for (const e of accepted) {
    output += text.slice(last, e.range[0]) + e.text;
    last = e.range[1];
  }
  output += text.slice(last);
  return { output, applied, skipped };
}

/** First index of `taken` (sorted by start) whose start is >= `offset`. */
function lowerBound(taken: [number, number][], offset: number): number {
  let lo = 0;
  let hi = taken.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (taken[mid][0] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Taken ranges are disjoint, so only the neighbours of the edit's position can overlap it. */
function clashesWith(taken: [number, number][], e: TextEdit): boolean {
  const i = lowerBound(taken, e.range[0]);
  for (let k = Math.max(0, i - 1); k < taken.length && taken[k][0] <= e.range[1]; k++) {
    if (overlaps(e.range[0], e.range[1], taken[k][0], taken[k][1])) return true;
  }
  return false;
}

function insertSorted(taken: [number, number][], range: [number, number]): void {
  taken.splice(lowerBound(taken, range[0]), 0, range);
}

function compareEdits(a: TextEdit, b: TextEdit): number {
  return a.range[0] - b.range[0] || a.range[1] - b.range[1];
}

/** Ranges overlap, or are insertions at the same point, or one inserts inside the other. */
function overlaps(s1: number, e1: number, s2: number, e2: number): boolean {
  if (s1 === e1 && s2 === e2) return s1 === s2;
  if (s1 === e1) return s1 > s2 && s1 < e2;
  if (s2 === e2) return s2 > s1 && s2 < e1;
  return s1 < e2 && s2 < e1;
}
