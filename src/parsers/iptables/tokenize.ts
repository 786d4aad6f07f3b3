import type { Token } from '../../model/node.js';
import type { Range } from '../../model/source.js';

/** A tokenised line, or the offset and reason it could not be tokenised. */
export type TokenizeResult = { tokens: LineToken[] } | { error: string; offset: number };

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

/**
 * Splits `text[start, end)` into arguments the way iptables-restore does (`add_param_to_argv` in
 * iptables' xshared.c): whitespace separates, a `"` opens a quoted part anywhere in a token, and
 * inside quotes a backslash escapes the next character. Outside quotes a backslash is literal.
 * The closing `"` ends the argument: `"a"b` is two arguments, `a` and `b` (iptables-restore 1.8.9
 * then rejects the stray `b` with "Bad argument").
 *
 * `intern`, when given, maps unquoted tokens that start with `-` (option flags) to one shared
 * string each, so a large dump does not keep a copy of `--comment` per rule.
 */
export function tokenizeLine(text: string, start: number, end: number, intern?: Map<string, string>): TokenizeResult {
  const tokens: LineToken[] = [];
  let i = start;
  while (i < end) {
    let c = text.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    const tokenStart = i;
    // Fast path: most tokens have no quotes, so their value is a slice of the text.
    while (i < end) {
      c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 34) break;
      i++;
    }
    if (i >= end || c !== 34) {
      let value = text.slice(tokenStart, i);
      if (intern && text.charCodeAt(tokenStart) === 45 /* - */) {
        const known = intern.get(value);
        if (known === undefined) intern.set(value, value);
        else value = known;
      }
      tokens.push(new LineToken(value, tokenStart, i, false));
      continue;
    }
    // A quoted part: copy the text between escapes in slices (not character by character, which
    // builds a chain of cons strings).
    let value = text.slice(tokenStart, i);
    const quoteStart = i;
    let segment = ++i;
    let closed = false;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (c === 92 /* \ */ && i + 1 < end) {
        value += text.slice(segment, i);
        segment = ++i;
      } else if (c === 34 /* " */) {
        value += text.slice(segment, i);
        i++;
        closed = true;
        break;
      }
    }
    if (!closed) return { error: 'Unterminated quoted string.', offset: quoteStart };
    tokens.push(new LineToken(value, tokenStart, i, true));
  }
  return { tokens };
}
