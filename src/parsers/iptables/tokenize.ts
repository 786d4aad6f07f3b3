import type { Token } from '../../model/node.js';

/** A tokenised line, or the offset and reason it could not be tokenised. */
export type TokenizeResult = { tokens: Token[] } | { error: string; offset: number };

/**
 * Splits `text[start, end)` into arguments the way iptables-restore does (`add_param_to_argv` in
 * iptables' xshared.c): whitespace separates, a `"` opens a quoted part anywhere in a token, and
 * inside quotes a backslash escapes the next character. Outside quotes a backslash is literal.
 */
export function tokenizeLine(text: string, start: number, end: number): TokenizeResult {
  const tokens: Token[] = [];
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
      tokens.push({ value: text.slice(tokenStart, i), range: [tokenStart, i] });
      continue;
    }
    let value = text.slice(tokenStart, i);
    let inQuote = false;
    let quoteStart = -1;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (inQuote) {
        if (c === 92 /* \ */ && i + 1 < end) {
          value += text[++i];
        } else if (c === 34 /* " */) {
          inQuote = false;
        } else {
          value += text[i];
        }
        continue;
      }
      if (c === 34) {
        inQuote = true;
        quoteStart = i;
        continue;
      }
      if (c === 32 || c === 9) break;
      value += text[i];
    }
    if (inQuote) return { error: 'Unterminated quoted string.', offset: quoteStart };
    tokens.push({ value, range: [tokenStart, i], quoted: true });
  }
  return { tokens };
}
