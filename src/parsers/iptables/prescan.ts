import { readRuleFast, type RuleScan } from './rule.js';
import type { LineTokens } from './tokenize.js';

/**
 * What the first pass learns about a simple `-A CHAIN ...` line, as a record of numbers: the
 * parser reads it from the same code on its own thread, or from a worker that read the line
 * beforehand (see parallel.ts). A record is `RECORD` integers: flags, then the offsets of the
 * chain's name and of the target's name.
 */
export const RECORD = 5;

/** The line was read (the record holds). */
export const R_READ = 1;
/** The rule has a target (`-j` or `-g`). */
export const R_TARGET = 2;
/** The target's name is quoted (a simple line has no escapes: the value is inside the quotes). */
export const R_TARGET_QUOTED = 4;
/** `-g`, not `-j`. */
export const R_GOTO = 8;
/** The rule has a criterion (a basic option, or a match other than comment). */
export const R_CRITERIA = 16;
/** The text from the chain on reads as the rule's signature. */
export const R_PLAIN = 32;
/** The source or destination has a `:` (an IPv6 address). */
export const R_COLON = 64;

/** True if `text[start, end)` has a `:`. */
function hasColon(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 58) return true;
  return false;
}

/**
 * Reads the line `text[start, end)` if it is a simple `-A CHAIN ...` line (see
 * `LineTokens.scanSimple` and `readRuleFast`), writing its record at `rec[at]`. Returns false,
 * writing nothing, for any other line: the parser's careful path then reads it.
 */
export function prescanRule(text: string, start: number, end: number, lt: LineTokens, scan: RuleScan, rec: Int32Array, at: number): boolean {
  if (end - start < 4 || text.charCodeAt(start) !== 45 /* - */ || text.charCodeAt(start + 1) !== 65 /* A */ || text.charCodeAt(start + 2) !== 32) return false;
  if (!lt.scanSimple(text, start, end)) return false;
  if (lt.count < 2 || lt.quoted[1] === 1 || text.charCodeAt(lt.start[1]) === 45 /* - */) return false;
  scan.reset();
  if (!readRuleFast(lt, 2, scan)) return false;
  let flags = R_READ;
  const k = scan.targetTok;
  if (k >= 0) {
    flags |= R_TARGET;
    if (lt.quoted[k] === 1) flags |= R_TARGET_QUOTED;
    rec[at + 3] = lt.start[k];
    rec[at + 4] = lt.end[k];
  }
  if (scan.targetKind === 'goto') flags |= R_GOTO;
  if (scan.hasCriteria) flags |= R_CRITERIA;
  if (scan.canonical && !lt.irregular && lt.count > 2) flags |= R_PLAIN;
  const s = scan.sourceTok;
  const d = scan.destinationTok;
  if ((s >= 0 && hasColon(text, lt.start[s], lt.end[s])) || (d >= 0 && hasColon(text, lt.start[d], lt.end[d]))) flags |= R_COLON;
  rec[at + 1] = lt.start[1];
  rec[at + 2] = lt.end[1];
  rec[at] = flags;
  return true;
}

/**
 * The trimmed bounds of line `ln` (1-based) of `text`, as the parser reads lines: without the
 * terminator, a carriage return, a byte-order mark on line 1, and blanks (spaces and tabs) at
 * both ends. Returns the start; the end is left in `bounds[0]`.
 */
export function lineBounds(text: string, lineStarts: ArrayLike<number>, lineCount: number, ln: number, bounds: Int32Array): number {
  let start = lineStarts[ln - 1];
  let end = ln < lineCount ? lineStarts[ln] - 1 : text.length;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  if (ln === 1 && text.charCodeAt(0) === 0xfeff) start++;
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  bounds[0] = end;
  return start;
}
