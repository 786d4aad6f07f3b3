import type { Token } from '../../model/node.js';
import type { Range } from '../../model/source.js';

/**
 * A token whose `range` array is only built when someone reads it. A 10,000-service kube-proxy
 * dump has about 1.5 million tokens and rules read few of their ranges; an array per token was
 * a third of the parsed model's memory and most of the garbage collector's work.
 */
export class LineToken implements Token {
  value: string;
  quoted?: boolean;
  /** Offsets of the token; `range` is `[start, end]`. */
  readonly start: number;
  readonly end: number;
  #range: Range | undefined;

  constructor(value: string, start: number, end: number, quoted: boolean) {
    this.value = value;
    if (quoted) this.quoted = true;
    this.start = start;
    this.end = end;
  }

  get range(): Range {
    return (this.#range ??= [this.start, this.end]);
  }

  set range(range: Range) {
    this.#range = range;
  }

  /** The plain `Token` shape (`netlint parse` prints the model as JSON). */
  toJSON(): Token {
    return this.quoted ? { value: this.value, range: this.range, quoted: true } : { value: this.value, range: this.range };
  }
}

const NONE = 0x7fffffff;

/** The offset of the next `search` in `text` from `from`, or a number past any text. */
function nextIndex(text: string, search: string, from: number): number {
  const i = text.indexOf(search, from);
  return i === -1 ? NONE : i;
}

const NON_ASCII = /[^\x00-\x7f]/g;

/** The offset of the next non-ASCII character, or none. */
function nextNonAscii(text: string, from: number): number {
  NON_ASCII.lastIndex = from;
  const m = NON_ASCII.exec(text);
  return m ? m.index : NONE;
}

/** True if `text` is ASCII only (one native pass instead of a regular expression's). */
function isAscii(text: string): boolean {
  const buffer = (globalThis as { Buffer?: { byteLength(s: string, encoding: string): number } }).Buffer;
  return buffer ? buffer.byteLength(text, 'utf8') === text.length : !/[^\x00-\x7f]/.test(text);
}

/** Returned by the plain scan when the line needs the careful one. */
const RETRY = -2;

/**
 * The token boundaries of one line, in arrays reused from line to line: the parser's first pass
 * reads a 100,000-rule dump without an object per token. Values are built only when asked for
 * (`value`); most checks compare the text in place (`is`, `isFlag`).
 */
export class LineTokens {
  text = '';
  /** Number of tokens of the current line. */
  count = 0;
  start = new Int32Array(64);
  end = new Int32Array(64);
  /** 1 when the token has a quoted part. */
  quoted = new Uint8Array(64);
  /**
   * True when the line's spacing is not one space between tokens: tabs, runs of blanks, or
   * characters that may be white space (control or non-ASCII) anywhere in it.
   */
  irregular = false;

  /**
   * Where the next quote and the next character that may be white space other than a space
   * (tab, vertical tab, form feed, carriage return, non-ASCII) are: most lines have none of the
   * latter and are split by searching for spaces and quotes instead of looking at each character.
   */
  #from = -1;
  #quote = -1;
  /** Where the search that found `#quote` started. */
  #quoteFrom = -1;
  #tab = -1;
  #vt = -1;
  #ff = -1;
  #cr = -1;
  #nonAscii = -1;
  /** Whether the text is ASCII only, once someone needed to know. */
  #ascii: boolean | undefined = undefined;
  /**
   * The next backslash and the next two spaces in a row, searched for inside quotes only, and
   * where those searches started.
   */
  #backslash = -1;
  #backslashFrom = -1;
  #doubleSpace = -1;
  #doubleSpaceFrom = -1;

  /**
   * Splits `text[start, end)` into arguments the way iptables-restore does (`add_param_to_argv`
   * in iptables' xshared.c): spaces and tabs separate, a `"` opens a quoted part anywhere in a
   * token, and inside quotes a backslash escapes the next character; outside quotes a backslash
   * is literal. The closing `"` ends the argument: `"a"b` is two arguments, `a` and `b`
   * (iptables-restore 1.8.9 then rejects the stray `b` with "Bad argument").
   *
   * Returns -1, or the offset of a quote that is never closed (the tokens are then incomplete).
   */
  scan(text: string, start: number, end: number): number {
    if (text !== this.text) this.#setText(text);
    // The next-character offsets hold for the lines from `#from` on: an earlier line (rules read
    // by chain, not in file order) is looked at character by character instead of searching the
    // rest of the text again from there.
    else if (start < this.#from) return this.#scanAny(text, start, end);
    if (this.#onlySpaces(text, start, end)) {
      const r = this.#scanPlain(text, start, end);
      if (r !== RETRY) return r;
    }
    return this.#scanAny(text, start, end);
  }

  /**
   * True if the line `text[start, end)`, at or after the lines read so far, has no white space
   * but spaces and no non-ASCII character: the next tab, vertical tab, form feed, carriage return
   * and non-ASCII character are searched for, and kept while the lines read pass them.
   */
  #onlySpaces(text: string, start: number, end: number): boolean {
    this.#from = start;
    if (this.#tab < start) this.#tab = nextIndex(text, '\t', start);
    if (this.#vt < start) this.#vt = nextIndex(text, '\v', start);
    if (this.#ff < start) this.#ff = nextIndex(text, '\f', start);
    if (this.#cr < start) this.#cr = nextIndex(text, '\r', start);
    if (this.#nonAscii < start) this.#nonAscii = (this.#ascii ??= isAscii(text)) ? NONE : nextNonAscii(text, start);
    return this.#tab >= end && this.#vt >= end && this.#ff >= end && this.#cr >= end && this.#nonAscii >= end;
  }

  /**
   * The offset of the next quote from `from` on: the one found last, while the search that found
   * it started at or before `from` and it is not behind (as for the two below).
   */
  #nextQuote(text: string, from: number): number {
    if (this.#quote < from || this.#quoteFrom > from) {
      this.#quote = nextIndex(text, '"', from);
      this.#quoteFrom = from;
    }
    return this.#quote;
  }

  /** The offset of the next backslash from `from` on. */
  #nextBackslash(text: string, from: number): number {
    if (this.#backslash < from || this.#backslashFrom > from) {
      this.#backslash = nextIndex(text, '\\', from);
      this.#backslashFrom = from;
    }
    return this.#backslash;
  }

  /** The offset of the next two spaces in a row from `from` on. */
  #nextDoubleSpace(text: string, from: number): number {
    if (this.#doubleSpace < from || this.#doubleSpaceFrom > from) {
      this.#doubleSpace = nextIndex(text, '  ', from);
      this.#doubleSpaceFrom = from;
    }
    return this.#doubleSpace;
  }

  /**
   * `scan` for a simple line: printable ASCII only, one space between tokens, and quotes only
   * around whole tokens without escapes (`"a b"`, not `a"b"` or `"a\"b"`). Most lines of a dump
   * are simple. Token ends are searched for, not looked for at each character. Returns false,
   * with the tokens undefined, for any other line: `scan` then splits it. For lines read in file
   * order (the parser's pass); see `scanSimpleLine` for others.
   */
  scanSimple(text: string, start: number, end: number): boolean {
    if (text !== this.text) this.#setText(text);
    // An earlier line: one look at each character, instead of searching the rest of the text
    // again from there.
    else if (start < this.#from) return this.scanSimpleLine(text, start, end);
    // Lines with a tab, another blank, a non-ASCII character, a backslash or two spaces in a row
    // anywhere go to the careful scan (most dumps have none at all).
    if (!this.#onlySpaces(text, start, end)) return false;
    if (this.#nextBackslash(text, start) < end || this.#nextDoubleSpace(text, start) < end) return false;
    let quote = this.#nextQuote(text, start);
    // Then each token ends at the next space, or a quoted one at its closing quote: searched
    // for, not looked for at each character.
    let n = 0;
    let i = start;
    while (i < end) {
      if (n === this.start.length) this.grow();
      if (i === quote) {
        const close = nextIndex(text, '"', i + 1);
        // Unterminated: the careful scan reports it.
        if (close >= end) return false;
        this.start[n] = i;
        this.end[n] = close + 1;
        this.quoted[n] = 1;
        n++;
        i = close + 1;
        quote = nextIndex(text, '"', i);
        this.#quoteFrom = i;
        // `"a"b` is two tokens: the careful scan splits it.
        if (i < end && text.charCodeAt(i) !== 32) return false;
      } else {
        let e = text.indexOf(' ', i);
        if (e === -1 || e > end) e = end;
        // A quote inside a token (`a"b"`), or no token (a blank at the start): the careful scan.
        if (quote < e || e === i) return false;
        this.start[n] = i;
        this.end[n] = e;
        this.quoted[n] = 0;
        n++;
        i = e;
      }
      // One space, then the next token.
      if (i < end && ++i === end) return false;
    }
    this.#quote = quote;
    this.count = n;
    this.irregular = false;
    return true;
  }

  /**
   * `scanSimple` in one look at each character, for lines read one by one out of file order (a
   * rule's details): no search runs past the line.
   */
  scanSimpleLine(text: string, start: number, end: number): boolean {
    if (text !== this.text) this.#setText(text);
    let n = 0;
    let irregular = false;
    let starts = this.start;
    let ends = this.end;
    let quoted = this.quoted;
    let i = start;
    while (i < end) {
      if (n === starts.length) {
        this.grow();
        starts = this.start;
        ends = this.end;
        quoted = this.quoted;
      }
      const tokenStart = i;
      let c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        for (i++; ; i++) {
          if (i >= end) return false;
          c = text.charCodeAt(i);
          if (c - 35 >>> 0 > 91 || c === 92 /* \ */) {
            if (c === 34) break;
            if (c === 32) {
              if (text.charCodeAt(i + 1) === 32) irregular = true;
            } else if (c !== 33 /* ! */) return false;
          }
        }
        i++;
        quoted[n] = 1;
      } else {
        // A space here is a second one between tokens (or one after the start). One unsigned
        // comparison lets most characters by: those from `#` (35) to `~` (126).
        for (; i < end; i++) {
          c = text.charCodeAt(i);
          if (c - 35 >>> 0 > 91) {
            if (c === 32) break;
            if (c !== 33 /* ! */) return false;
          }
        }
        if (i === tokenStart) return false;
        quoted[n] = 0;
      }
      starts[n] = tokenStart;
      ends[n] = i;
      n++;
      // One space, then the next token.
      if (i < end && (text.charCodeAt(i) !== 32 || ++i === end)) return false;
    }
    this.count = n;
    this.irregular = irregular;
    return true;
  }

  /**
   * Splits the line `text[start, end)` as `scan` does, with offsets into `text`, scanning it as a
   * string of its own: a search for a character the text lacks then ends with the line, where on
   * the whole text it would run to the text's end (15 MiB for a 10,000-service dump), and again for
   * each line read before the last one.
   */
  scanCopy(text: string, start: number, end: number): number {
    const line = text.slice(start, end);
    const unterminated = this.scan(line, 0, line.length);
    for (let k = 0; k < this.count; k++) {
      this.start[k] += start;
      this.end[k] += start;
    }
    // The searches' positions were in the copy.
    this.#setText(text);
    return unterminated < 0 ? unterminated : unterminated + start;
  }

  /** Starts reading lines of another text. */
  #setText(text: string): void {
    this.#ascii = undefined;
    this.text = text;
    this.#from = -1;
    this.#quote = this.#tab = this.#vt = this.#ff = this.#cr = this.#nonAscii = this.#backslash = this.#doubleSpace = -1;
  }

  /** `scan` for a line with no white space but spaces: search, don't look. */
  #scanPlain(text: string, start: number, end: number): number {
    let quote = this.#nextQuote(text, start);
    let n = 0;
    let irregular = false;
    let i = start;
    while (i < end) {
      if (text.charCodeAt(i) === 32) {
        // A run of spaces between tokens.
        if (i > start && text.charCodeAt(i - 1) === 32) irregular = true;
        i++;
        continue;
      }
      if (n === this.start.length) this.grow();
      let e = text.indexOf(' ', i);
      if (e === -1 || e > end) e = end;
      let quoted = 0;
      if (quote < e) {
        // A quoted part ends the token at its closing quote: `"a"b` is two tokens. The closing
        // quote, escapes and runs of spaces are searched for, not looked for at each character
        // (kube-proxy quotes a comment on every rule).
        const from = quote + 1;
        let k = nextIndex(text, '"', from);
        if (k > end) k = end;
        // Escapes: the careful scan.
        if (this.#nextBackslash(text, from) < k) return RETRY;
        if (k >= end) {
          this.#quote = quote;
          this.count = n;
          this.irregular = true;
          return quote;
        }
        if (this.#nextDoubleSpace(text, from) < k) irregular = true;
        e = k + 1;
        quoted = 1;
        quote = nextIndex(text, '"', e);
        this.#quoteFrom = e;
      }
      this.start[n] = i;
      this.end[n] = e;
      this.quoted[n] = quoted;
      n++;
      i = e;
    }
    this.#quote = quote;
    this.count = n;
    this.irregular = irregular;
    return -1;
  }

  #scanAny(text: string, start: number, end: number): number {
    this.#quote = -1;
    let n = 0;
    let irregular = false;
    let i = start;
    let c = 0;
    while (i < end) {
      c = text.charCodeAt(i);
      if (c === 32 || c === 9) {
        // A tab or a run of blanks between tokens.
        if (c === 9 || (i > start && text.charCodeAt(i - 1) === 32)) irregular = true;
        i++;
        continue;
      }
      if (n === this.start.length) this.grow();
      const tokenStart = i;
      let quoted = 0;
      // An unquoted part: up to white space or a quote.
      while (i < end) {
        c = text.charCodeAt(i);
        if (c > 34) {
          if (c >= 127) irregular = true;
        } else if (c === 32 || c === 9 || c === 34) break;
        else if (c < 32) irregular = true;
        i++;
      }
      if (i < end && c === 34) {
        // A quoted part ends the token at its closing quote.
        quoted = 1;
        const quoteStart = i++;
        let closed = false;
        for (; i < end; i++) {
          c = text.charCodeAt(i);
          if (c === 34) {
            i++;
            closed = true;
            break;
          }
          if (c === 92 /* \ */) {
            irregular = true;
            if (i + 1 < end) i++;
          } else if (c < 32 || c >= 127 || (c === 32 && text.charCodeAt(i + 1) === 32)) irregular = true;
        }
        if (!closed) {
          this.count = n;
          this.irregular = true;
          return quoteStart;
        }
      }
      this.start[n] = tokenStart;
      this.end[n] = i;
      this.quoted[n] = quoted;
      n++;
    }
    this.count = n;
    this.irregular = irregular;
    return -1;
  }

  private grow(): void {
    const size = this.start.length * 2;
    const start = new Int32Array(size);
    const end = new Int32Array(size);
    const quoted = new Uint8Array(size);
    start.set(this.start);
    end.set(this.end);
    quoted.set(this.quoted);
    this.start = start;
    this.end = end;
    this.quoted = quoted;
  }

  /** The value of token `k`: its text, or for a quoted token the text without quotes and escapes. */
  value(k: number): string {
    const s = this.start[k];
    const e = this.end[k];
    if (!this.quoted[k]) return this.text.slice(s, e);
    const text = this.text;
    let value = '';
    let segment = s;
    let i = s;
    while (i < e && text.charCodeAt(i) !== 34) i++;
    value = text.slice(segment, i);
    segment = ++i;
    for (; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c === 92 && i + 1 < e) {
        value += text.slice(segment, i);
        segment = ++i;
      } else if (c === 34) {
        value += text.slice(segment, i);
        break;
      }
    }
    return value;
  }

  /** True if token `k` is unquoted and reads `literal`. */
  is(k: number, literal: string): boolean {
    const s = this.start[k];
    return this.quoted[k] === 0 && this.end[k] - s === literal.length && this.text.startsWith(literal, s);
  }

  /** True if token `k` reads `literal`, quoted or not (what a comparison of values sees). */
  valueIs(k: number, literal: string): boolean {
    return this.quoted[k] === 0 ? this.is(k, literal) : this.value(k) === literal;
  }

  /** True if token `k` is an unquoted `!`. */
  isBang(k: number): boolean {
    return this.quoted[k] === 0 && this.end[k] - this.start[k] === 1 && this.text.charCodeAt(this.start[k]) === 33 /* ! */;
  }

  /** `-x` or `--xyz`, unquoted; `-1` is a value. */
  isFlag(k: number): boolean {
    if (k >= this.count || this.quoted[k]) return false;
    const s = this.start[k];
    if (this.end[k] - s < 2 || this.text.charCodeAt(s) !== 45 /* - */) return false;
    const c = this.text.charCodeAt(s + 1);
    return c < 48 || c > 57;
  }

  /** True if the value of token `k` is one or more ASCII digits. */
  isDigits(k: number): boolean {
    if (this.quoted[k]) return /^\d+$/.test(this.value(k));
    const e = this.end[k];
    let i = this.start[k];
    if (i === e) return false;
    for (; i < e; i++) {
      const c = this.text.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return true;
  }

  /** True if the raw text of token `k` contains `char` (quotes and escapes never add or hide one). */
  contains(k: number, char: number): boolean {
    for (let i = this.start[k], e = this.end[k]; i < e; i++) if (this.text.charCodeAt(i) === char) return true;
    return false;
  }
}

/**
 * One string per distinct piece of text, looked up by offsets: a name that repeats on many
 * lines (chains, targets, modules) is kept once, however many lines name it. The piece is sliced
 * (a small object pointing into the text) and looked up in a Map: V8 hashes and compares it
 * natively, about a third faster than hashing the characters in JavaScript (FNV-1a over
 * `charCodeAt`, open addressing) as this class did; the slices of names already known die young.
 */
export class RangeInterner {
  #text: string;
  #names = new Map<string, string>();

  constructor(text: string) {
    this.#text = text;
  }

  /** The string `text.slice(start, end)`, the same string each time. */
  get(start: number, end: number): string {
    const piece = this.#text.slice(start, end);
    const known = this.#names.get(piece);
    if (known !== undefined) return known;
    this.#names.set(piece, piece);
    return piece;
  }
}
