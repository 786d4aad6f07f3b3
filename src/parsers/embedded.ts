import type { SourceDocument } from '../model/document.js';
import { locate, type Finding } from '../model/finding.js';
import type { Range, SourceText } from '../model/source.js';
import type { JsonValue } from './json/index.js';

/**
 * The value of a string written inside another file (a YAML block scalar, a quoted YAML or JSON
 * string), with a map from every offset of the value back to an offset of the outer text.
 */
export interface EmbeddedText {
  /** The string value, as the outer file's reader sees it (escapes decoded, indentation removed). */
  text: string;
  /** Offset in the outer text of an offset of `text`; `text.length` maps just after the last character. */
  toOuter: (offset: number) => number;
  /**
   * True when the decoder reproduced the value exactly, so every offset maps to the character it
   * came from. False for forms it does not model; offsets then map line by line (best effort).
   */
  exact: boolean;
}

/** How the string was written. */
export type EmbeddedStyle = 'literal' | 'folded' | 'double' | 'single' | 'plain';

interface Decoded {
  chars: string;
  /** Outer offset of each code unit of `chars`. */
  map: number[];
  /** Outer offset just after the last source character of the value. */
  end: number;
}

/**
 * Maps the string `value` of a YAML scalar (any style) or JSON string that starts at outer offset
 * `start` (its first character: `|`, `>`, a quote, or the first plain character; a tag or anchor
 * before it is skipped). `value` is what the YAML/JSON reader produced: the decoder replays the
 * text and keeps the mapping only when it yields the same string. Linear in the scalar's length.
 */
export function embeddedString(outer: string, start: number, value: string): EmbeddedText {
  const at = skipProperties(outer, start);
  const style = styleAt(outer, at);
  let decoded: Decoded | undefined;
  let indent = 0;
  if (style === 'literal' || style === 'folded') {
    for (const k of blockIndentCandidates(outer, at)) {
      const d = decodeBlock(outer, at, k, style === 'folded');
      if (d && d.chars === value) {
        decoded = d;
        break;
      }
      indent ||= k;
    }
  } else {
    const d = decodeFlow(outer, at, style, value.length);
    if (d.chars === value) decoded = d;
  }
  if (decoded) return { text: value, toOuter: mapper(decoded.map, decoded.end), exact: true };
  return { text: value, toOuter: lineMapper(outer, at, style, indent, value), exact: false };
}

/** The style of the scalar whose first character is at `at`. */
export function styleAt(outer: string, at: number): EmbeddedStyle {
  const c = outer[at];
  return c === '|' ? 'literal' : c === '>' ? 'folded' : c === '"' ? 'double' : c === "'" ? 'single' : 'plain';
}

function skipProperties(outer: string, start: number): number {
  let i = start;
  while (outer[i] === '!' || outer[i] === '&') {
    while (i < outer.length && !/\s/.test(outer[i])) i++;
    while (outer[i] === ' ' || outer[i] === '\t') i++;
  }
  return i;
}

function mapper(map: number[], end: number): (offset: number) => number {
  const table = Int32Array.from(map);
  return (offset) => {
    if (offset >= table.length) return end;
    return table[Math.max(0, Math.floor(offset))];
  };
}

interface Line {
  /** Offset of the first character. */
  start: number;
  /** Offset after the last content character (before `\r\n` / `\n`). */
  end: number;
  /** Offset of the line break (`\r` of `\r\n`), or -1 at the end of the text. */
  brk: number;
  /** Offset of the next line, or the text length. */
  next: number;
}

function lineAt(text: string, start: number): Line {
  const nl = text.indexOf('\n', start);
  if (nl === -1) return { start, end: text.length, brk: -1, next: text.length };
  const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
  return { start, end, brk: end, next: nl + 1 };
}

function indentOf(text: string, line: Line): number {
  let i = line.start;
  while (i < line.end && text.charCodeAt(i) === 32) i++;
  return i - line.start;
}

function isBlank(text: string, line: Line): boolean {
  for (let i = line.start; i < line.end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

interface BlockHeader {
  explicit?: number;
  chomp: 'strip' | 'clip' | 'keep';
  /** Offset of the first content line. */
  body: number;
}

function blockHeader(outer: string, at: number): BlockHeader {
  let i = at + 1;
  let explicit: number | undefined;
  let chomp: BlockHeader['chomp'] = 'clip';
  for (; i < outer.length; i++) {
    const c = outer[i];
    if (c >= '1' && c <= '9') explicit = Number(c);
    else if (c === '-') chomp = 'strip';
    else if (c === '+') chomp = 'keep';
    else break;
  }
  return { explicit, chomp, body: lineAt(outer, i).next };
}

/**
 * Content indentations to try: the one auto-detected from the first non-blank line, then, for an
 * explicit indentation indicator, the indicator added to the plausible parent indentations.
 */
function blockIndentCandidates(outer: string, at: number): number[] {
  const header = blockHeader(outer, at);
  const out: number[] = [];
  let line = lineAt(outer, header.body);
  while (line.start < outer.length && isBlank(outer, line)) line = lineAt(outer, line.next);
  const detected = line.start < outer.length ? indentOf(outer, line) : 0;
  if (header.explicit !== undefined) {
    const lineStart = outer.lastIndexOf('\n', at - 1) + 1;
    const headerIndent = indentOf(outer, lineAt(outer, lineStart));
    for (let parent = headerIndent + 2; parent >= -1; parent--) {
      const k = parent + header.explicit;
      if (k >= 0 && k <= detected && !out.includes(k)) out.push(k);
    }
  }
  if (!out.includes(detected)) out.unshift(detected);
  return out;
}

/** Lines of a block scalar's body with content indentation `k`, trailing blank lines included. */
function blockLines(outer: string, body: number, k: number): Line[] {
  const lines: Line[] = [];
  let pos = body;
  while (pos < outer.length) {
    const line = lineAt(outer, pos);
    if (!isBlank(outer, line) && indentOf(outer, line) < k) break;
    if (k === 0 && (outer.startsWith('---', line.start) || outer.startsWith('...', line.start))) break;
    lines.push(line);
    pos = line.next;
  }
  return lines;
}

function decodeBlock(outer: string, at: number, k: number, folded: boolean): Decoded | undefined {
  const header = blockHeader(outer, at);
  const lines = blockLines(outer, header.body, k);
  let chars = '';
  const map: number[] = [];
  const emit = (s: string, pos: number) => {
    chars += s;
    for (let j = 0; j < s.length; j++) map.push(pos);
  };
  const emitText = (from: number, to: number) => {
    chars += outer.slice(from, to);
    for (let p = from; p < to; p++) map.push(p);
  };
  const brkOf = (line: Line) => (line.brk === -1 ? outer.length : line.brk);

  let last = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!isBlank(outer, lines[i])) {
      last = i;
      break;
    }
  }
  // `prev` is the last content line written; `pending` the blank lines since it.
  let prev: Line | undefined;
  let prevMore = false;
  const pending: Line[] = [];
  for (let i = 0; i <= last; i++) {
    const line = lines[i];
    if (isBlank(outer, line)) {
      pending.push(line);
      continue;
    }
    const from = line.start + Math.min(k, line.end - line.start);
    const more = outer[from] === ' ' || outer[from] === '\t';
    if (!prev) {
      for (const blank of pending) emit('\n', brkOf(blank));
    } else if (!folded || prevMore || more) {
      emit('\n', brkOf(prev));
      for (const blank of pending) emit('\n', brkOf(blank));
    } else if (pending.length === 0) {
      emit(' ', brkOf(prev));
    } else {
      for (const blank of pending) emit('\n', brkOf(blank));
    }
    pending.length = 0;
    emitText(from, line.end);
    prev = line;
    prevMore = more;
  }
  if (header.chomp !== 'strip' && prev && prev.brk !== -1) emit('\n', prev.brk);
  if (header.chomp === 'keep') {
    for (let i = last + 1; i < lines.length; i++) if (lines[i].brk !== -1) emit('\n', lines[i].brk);
  }
  return { chars, map, end: map.length ? sourceEnd(outer, map[map.length - 1], false) : header.body };
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * Double-quoted (YAML or JSON), single-quoted and plain scalars, with YAML line folding. A plain
 * scalar has no end marker: decoding stops after `limit` characters.
 */
function decodeFlow(outer: string, at: number, style: EmbeddedStyle, limit: number): Decoded {
  const quote = style === 'double' ? '"' : style === 'single' ? "'" : '';
  let chars = '';
  const map: number[] = [];
  const ws: number[] = [];
  const emit = (s: string, pos: number) => {
    chars += s;
    for (let j = 0; j < s.length; j++) map.push(pos);
  };
  const flush = () => {
    for (const p of ws) emit(outer[p], p);
    ws.length = 0;
  };
  let i = quote ? at + 1 : at;
  while (i < outer.length) {
    if (!quote && chars.length + ws.length >= limit) {
      flush();
      break;
    }
    const c = outer[i];
    if (quote && c === quote) {
      if (quote === "'" && outer[i + 1] === "'") {
        flush();
        emit("'", i);
        i += 2;
        continue;
      }
      break;
    }
    if (c === '\r' || c === '\n') {
      ws.length = 0;
      const brk = i;
      i = skipBreak(outer, i);
      let empty = 0;
      for (;;) {
        while (outer[i] === ' ' || outer[i] === '\t') i++;
        if (outer[i] === '\r' || outer[i] === '\n') {
          empty++;
          i = skipBreak(outer, i);
        } else break;
      }
      emit(empty === 0 ? ' ' : '\n'.repeat(empty), brk);
      continue;
    }
    if (c === ' ' || c === '\t') {
      ws.push(i);
      i++;
      continue;
    }
    flush();
    if (quote === '"' && c === '\\') {
      const e = outer[i + 1] ?? '';
      if (e === '\r' || e === '\n') {
        i = skipBreak(outer, i + 1);
        while (outer[i] === ' ' || outer[i] === '\t') i++;
        continue;
      }
      const hex = HEX_LENGTH[e];
      if (hex) {
        const digits = outer.slice(i + 2, i + 2 + hex);
        const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === hex ? parseInt(digits, 16) : NaN;
        emit(Number.isNaN(code) || code > 0x10ffff ? e : String.fromCodePoint(code), i);
        i += 2 + (Number.isNaN(code) ? 0 : hex);
        continue;
      }
      emit(ESCAPES[e] ?? e, i);
      i += 2;
      continue;
    }
    emit(c, i);
    i++;
  }
  if (!quote) flush();
  if (quote) return { chars, map, end: i };
  return { chars, map, end: map.length ? sourceEnd(outer, map[map.length - 1], false) : i };
}

/** The offset after the source character (line break, escape sequence) that starts at `pos`. */
function sourceEnd(outer: string, pos: number, escapes: boolean): number {
  if (escapes && outer[pos] === '\\') return pos + 2 + (HEX_LENGTH[outer[pos + 1] ?? ''] ?? 0);
  if (outer[pos] === '\r' && outer[pos + 1] === '\n') return pos + 2;
  const code = outer.codePointAt(pos) ?? 0;
  return pos + (code > 0xffff ? 2 : 1);
}

function skipBreak(text: string, i: number): number {
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i + 1;
}

/** Best effort when the exact decoder disagrees with the reader: line `l`, column `c` of the value. */
function lineMapper(outer: string, at: number, style: EmbeddedStyle, indent: number, value: string): (offset: number) => number {
  const block = style === 'literal' || style === 'folded';
  const first = block ? blockHeader(outer, at).body : at + (style === 'plain' ? 0 : 1);
  const innerStarts = [0];
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) innerStarts.push(i + 1);
  const outerLines: Line[] = [];
  for (let pos = first; outerLines.length < innerStarts.length && pos < outer.length; ) {
    const line = lineAt(outer, pos);
    outerLines.push(line);
    pos = line.next;
  }
  return (offset) => {
    const o = Math.max(0, Math.min(offset, value.length));
    let lo = 0;
    let hi = innerStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (innerStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    const l = lo;
    const line = outerLines[Math.min(l, outerLines.length - 1)];
    if (!line) return Math.min(first, outer.length);
    const col = o - innerStarts[l];
    const base = block ? line.start + indent : l === 0 ? first : line.start;
    return Math.min(base + col, line.end);
  };
}

/** Maps a range of an embedded text to the outer file. */
export function outerRangeOf(toOuter: (offset: number) => number, range: Range): Range {
  return [toOuter(range[0]), toOuter(range[1])];
}

/**
 * Moves a finding computed against an embedded text (a parse error of the inner document) to the
 * outer file: range through `toOuter`, positions from the outer text.
 */
export function mapFinding(finding: Finding, toOuter: (offset: number) => number, outerSource: SourceText): Finding {
  const range = outerRangeOf(toOuter, finding.range);
  const mapped: Finding = { ...finding, range, ...locate(outerSource, range) };
  if (finding.related) {
    mapped.related = finding.related.map((r) => {
      const rr = outerRangeOf(toOuter, r.range);
      return { ...r, range: rr, ...locate(outerSource, rr) };
    });
  }
  return mapped;
}

/**
 * Rewrites, in place, every range of a JSON tree parsed from an embedded text into outer offsets,
 * for models that keep the embedded value inside the outer document (flanneld's net-conf.json in
 * a ConfigMap). Comments and placeholders are the caller's.
 */
export function mapTreeToOuter(root: JsonValue | undefined, toOuter: (offset: number) => number): void {
  if (!root) return;
  const stack: JsonValue[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    node.range = outerRangeOf(toOuter, node.range);
    if (node.type === 'JsonObject') {
      for (const p of node.properties) {
        p.keyRange = outerRangeOf(toOuter, p.keyRange);
        p.range = outerRangeOf(toOuter, p.range);
        if (p.value) stack.push(p.value);
      }
    } else if (node.type === 'JsonArray') {
      stack.push(...node.items);
    }
  }
}

/**
 * Sets, in place, the outer mapping of documents parsed from an embedded text. A document that was
 * itself embedded in that text (a string inside the string) maps through both.
 */
export function attachToOuter(
  documents: SourceDocument[],
  toOuter: (offset: number) => number,
  outerSource: SourceText,
): SourceDocument[] {
  for (const doc of documents) {
    const inner = doc.toOuter;
    doc.toOuter = inner ? (o: number) => toOuter(inner(o)) : toOuter;
    doc.outerSource = outerSource;
  }
  return documents;
}
