import type { SourceComment } from '../../model/document.js';
import type { NftToken } from '../../model/nft.js';
import type { Range } from '../../model/source.js';

export type LexKind = 'word' | 'string' | 'punct' | 'newline' | 'eof';

/** A token as the parser sees it. Newlines are tokens because they end commands and rules. */
export interface LexToken {
  kind: LexKind;
  value: string;
  range: Range;
  quoted?: boolean;
  /** On a newline token: the `# handle N` comment (`nft -a`) just before it. */
  handle?: number;
}

export interface LexProblem {
  message: string;
  range: Range;
}

/* Token kinds in the table. */
export const WORD = 0;
export const STRING = 1;
/** A string whose closing quote is missing: its value runs to the end of the line. */
export const OPEN_STRING = 2;
export const PUNCT = 3;
export const NEWLINE = 4;
export const EOF = 5;
const KIND_NAMES: readonly LexKind[] = ['word', 'string', 'string', 'punct', 'newline', 'eof'];

/**
 * The tokens of a file as parallel typed arrays (kind, start, end): a few bytes a token instead of
 * an object, a range array and a string each, which matters for 100k-line rulesets. Values and
 * token objects are made on demand.
 */
export class TokenTable {
  count = 0;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Token index of a newline: the `# handle N` before it. */
  readonly handles = new Map<number, number>();

  constructor(
    readonly text: string,
    capacity: number,
  ) {
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  push(kind: number, start: number, end: number): void {
    if (this.count === this.kinds.length) {
      const n = this.count * 2;
      const kinds = new Uint8Array(n);
      kinds.set(this.kinds);
      const starts = new Int32Array(n);
      starts.set(this.starts);
      const ends = new Int32Array(n);
      ends.set(this.ends);
      this.kinds = kinds;
      this.starts = starts;
      this.ends = ends;
    }
    this.kinds[this.count] = kind;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  value(i: number): string {
    const k = this.kinds[i];
    const s = this.starts[i];
    const e = this.ends[i];
    if (k === STRING) return this.text.slice(s + 1, e - 1);
    if (k === OPEN_STRING) return this.text.slice(s + 1, e);
    if (k === NEWLINE) return '\n';
    if (k === EOF) return '';
    return this.text.slice(s, e);
  }

  /** True if token `i` is exactly `value` (without making a string). */
  is(i: number, value: string): boolean {
    const s = this.starts[i];
    return this.ends[i] - s === value.length && this.text.startsWith(value, s);
  }

  /** A new token object for index `i`. */
  token(i: number): LexToken {
    const k = this.kinds[i];
    const t: LexToken = { kind: KIND_NAMES[k], value: this.value(i), range: [this.starts[i], this.ends[i]] };
    if (k === STRING || k === OPEN_STRING) t.quoted = true;
    else if (k === NEWLINE) {
      const h = this.handles.get(i);
      if (h !== undefined) t.handle = h;
    }
    return t;
  }

  /** Model tokens of `[from, to)`, without newlines. */
  slice(from: number, to: number): NftToken[] {
    const out: NftToken[] = [];
    for (let i = from; i < to; i++) {
      const k = this.kinds[i];
      if (k !== NEWLINE && k !== EOF) out.push(this.token(i) as NftToken);
    }
    return out;
  }
}

export interface LexResult {
  tokens: TokenTable;
  comments: SourceComment[];
  problems: LexProblem[];
}

const HANDLE = /^#\s*handle\s+(\d+)\s*$/;

/** Characters that end a bare word. Everything else (also `/ - . : [ ] @ $ * \`) belongs to words. */
const DELIM = new Uint8Array(128);
for (const ch of ' \t\r\n\f\v{}();,=!<>&|^"\'#') DELIM[ch.charCodeAt(0)] = 1;
/** One-character words that are operators when they stand alone: `. : - + /`. */
const STANDALONE = new Uint8Array(128);
for (const ch of '.:-+/') STANDALONE[ch.charCodeAt(0)] = 1;

/**
 * Splits nft text into tokens in one pass, the way nft's scanner does where it matters for us:
 * `#` comments to the end of the line (collected), `\` + newline joins lines, `"..."` strings
 * without escape sequences (nft's scanner has none; a backslash is kept as written), newlines kept
 * as tokens (collapsed), `{ } ( ) ; , = != == < > <= >= << >> & | ^ !` as punctuation, and
 * everything else as words (`10.0.0.0/8`, `[fec0::1]:80`, `@set`, `$var`, `fully-random`).
 * A trailing `:` is split off a word (`0:` in `{ 0: goto x }`), except after another `:` (IPv6).
 */
export function lex(text: string): LexResult {
  const n = text.length;
  const table = new TokenTable(text, Math.max(64, n >> 2));
  const comments: SourceComment[] = [];
  const problems: LexProblem[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let pendingHandle: number | undefined;
  let lastNewline = true;

  /** If a `\` at `at` continues the line, the offset after its newline; else -1. */
  const continuation = (at: number): number => {
    let j = at + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 32 || c === 9 || c === 13) j++;
      else break;
    }
    if (j >= n) return n;
    return text.charCodeAt(j) === 10 ? j + 1 : -1;
  };
  const lineEnd = (from: number): number => {
    let j = text.indexOf('\n', from);
    if (j === -1) j = n;
    if (j > from && text.charCodeAt(j - 1) === 13) j--;
    return j;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 10) {
      if (!lastNewline) {
        if (pendingHandle !== undefined) table.handles.set(table.count, pendingHandle);
        table.push(NEWLINE, i, i + 1);
        lastNewline = true;
      }
      pendingHandle = undefined;
      i++;
      continue;
    }
    lastNewline = false;
    if (c === 35 /* # */) {
      const end = lineEnd(i);
      const body = text.slice(i, end);
      comments.push({ text: body, range: [i, end] });
      if (body.charCodeAt(1) === 32 || body.charCodeAt(1) === 104) {
        const m = HANDLE.exec(body);
        if (m) pendingHandle = Number(m[1]);
      }
      // A comment alone on its line does not start a statement.
      lastNewline = table.count === 0 || table.kinds[table.count - 1] === NEWLINE;
      i = end;
      continue;
    }
    if (c === 92 /* \ */) {
      const next = continuation(i);
      if (next !== -1) {
        i = next;
        continue;
      }
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const end = lineEnd(i);
      const close = text.indexOf(c === 34 ? '"' : "'", i + 1);
      if (close === -1 || close >= end) {
        problems.push({
          message: `Unterminated quoted string: missing the closing ${c === 34 ? '"' : "'"} on this line.`,
          range: [i, end],
        });
        table.push(OPEN_STRING, i, end);
        i = end;
      } else {
        if (c === 39) {
          problems.push({ message: 'Unexpected single quote: nft strings are written in double quotes.', range: [i, close + 1] });
        }
        table.push(STRING, i, close + 1);
        i = close + 1;
      }
      continue;
    }
    if (c < 128 && DELIM[c]) {
      const d = text.charCodeAt(i + 1);
      let len = 1;
      if ((c === 33 || c === 61 || c === 60 || c === 62) && d === 61) len = 2; // != == <= >=
      else if ((c === 60 && d === 60) || (c === 62 && d === 62)) len = 2; // << >>
      table.push(PUNCT, i, i + len);
      i += len;
      continue;
    }
    // A word.
    const start = i;
    while (i < n) {
      const w = text.charCodeAt(i);
      if (w < 128 && DELIM[w]) break;
      if (w === 92 && continuation(i) !== -1) break;
      i++;
    }
    const len = i - start;
    if (len === 1 && c < 128 && STANDALONE[c]) table.push(PUNCT, start, i);
    else if (len > 1 && text.charCodeAt(i - 1) === 58 && text.charCodeAt(i - 2) !== 58) {
      table.push(WORD, start, i - 1);
      table.push(PUNCT, i - 1, i);
    } else table.push(WORD, start, i);
  }
  table.push(EOF, n, n);
  return { tokens: table, comments, problems };
}
