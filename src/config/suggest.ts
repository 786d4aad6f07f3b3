import { editDistance } from '../model/edit-distance.js';

/**
 * The known id closest to an unknown one, for "did you mean" hints: the same id in another case,
 * the nearest by edit distance (within about 40% of its length), or an id containing it (a rule
 * id without its subject, `random-fully`). Undefined when nothing is close.
 */
export function closestId(unknown: string, known: Iterable<string>): string | undefined {
  const lower = unknown.toLowerCase();
  const limit = Math.max(2, Math.floor(unknown.length * 0.4));
  let best: string | undefined;
  let bestDistance = Infinity;
  let containing: string | undefined;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    const d = editDistance(lower, c, limit);
    if (d <= limit && (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best))) {
      best = candidate;
      bestDistance = d;
    }
    // Among ids that contain the text, one that starts with it wins, then the first by name.
    if (lower.length >= 4 && (c.includes(lower) || lower.includes(c)) && (!containing || rankContaining(lower, candidate, containing) < 0)) {
      containing = candidate;
    }
  }
  return best ?? containing;
}

function rankContaining(lower: string, a: string, b: string): number {
  const pa = a.toLowerCase().startsWith(lower) ? 0 : 1;
  const pb = b.toLowerCase().startsWith(lower) ? 0 : 1;
  return pa - pb || (a < b ? -1 : a > b ? 1 : 0);
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(unknown: string, known: Iterable<string>): string {
  const s = closestId(unknown, known);
  return s ? ` (did you mean "${s}"?)` : '';
}
