import type { Range } from './source.js';

/** Every model node has a type tag and the range of text it came from. */
export interface BaseNode {
  type: string;
  range: Range;
}

/** A token of an input line: its raw text, its value after unquoting, and its range. */
export interface Token {
  /** The value after quotes and escapes were removed. */
  value: string;
  range: Range;
  /** True if the token was (partly) written in double quotes. */
  quoted?: boolean;
}
