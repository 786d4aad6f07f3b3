import { createScanner, parseTree, type Node as JsoncNode, type ParseError } from 'jsonc-parser';
import type { SourceComment } from '../../model/document.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import type { Range, SourceText } from '../../model/source.js';
import { fastParseJson } from './fast-parse.js';
import type { JsonArray, JsonLiteral, JsonObject, JsonPath, JsonProperty, JsonValue } from './tree.js';

// jsonc-parser's SyntaxKind and ParseErrorCode are `const enum`s; spelled out here so the code
// does not depend on const-enum inlining.
const TOKEN_CLOSE_BRACE = 2;
const TOKEN_CLOSE_BRACKET = 4;
const TOKEN_COMMA = 5;
const TOKEN_LINE_COMMENT = 12;
const TOKEN_BLOCK_COMMENT = 13;
const TOKEN_LINE_BREAK = 14;
const TOKEN_TRIVIA = 15;
const TOKEN_EOF = 17;

const PARSE_ERROR_TEXT: Record<number, string> = {
  1: 'unexpected character',
  2: 'invalid number',
  3: 'expected a quoted key',
  4: 'expected a value',
  5: 'expected ":" after the key',
  6: 'expected "," between items',
  7: 'expected "}" to close the object',
  8: 'expected "]" to close the array',
  9: 'unexpected text after the end of the JSON value',
  10: 'comments are not allowed',
  11: 'unterminated comment',
  12: 'unterminated string',
  13: 'incomplete number',
  14: 'invalid \\u escape',
  15: 'invalid escape sequence',
  16: 'invalid character in a string (control characters must be escaped)',
};

/** Unquoted install-template tokens: `__CNI_MTU__`, `__KUBECONFIG_FILEPATH__`. */
const PLACEHOLDER = /^__[A-Za-z0-9][A-Za-z0-9_]*__/;
/** A string value that is a whole template token. */
const PLACEHOLDER_STRING = /^__[A-Za-z0-9][A-Za-z0-9_]*__$/;

/**
 * Why a strict reader would refuse the text. `bom`, `comment`, `trailing-comma` and
 * `placeholder` (a bare template token, added by callers that read rendered files) are
 * recoverable: the tolerant parse still reads the whole tree. `syntax` and `empty` are not.
 */
export type JsonProblemCode = 'bom' | 'comment' | 'trailing-comma' | 'placeholder' | 'syntax' | 'empty';

export interface JsonProblem {
  code: JsonProblemCode;
  /** What is wrong, without the reader's name: "Invalid trailing comma". */
  message: string;
  range: Range;
  recoverable: boolean;
}

/** An install-template token found in the text. */
export interface JsonPlaceholder {
  name: string;
  range: Range;
  /** True for `"__MTU__"` (a string value), false for a bare `__CNI_MTU__`. */
  quoted: boolean;
}

export interface JsonParseOptions {
  /** Accept `//` and `/* *\/` comments without a problem (JSONC). Default false. */
  allowComments?: boolean;
  /** Accept `,]` and `,}` without a problem. Default false. */
  allowTrailingCommas?: boolean;
  /**
   * Read bare install-template tokens (`__CNI_MTU__`): each is replaced for parsing by a number
   * token of the same length, so every range stays exact, is not a problem, and appears in the
   * tree as a literal with `placeholder` set (callers decide whether an unrendered token is an
   * error). Default false: a bare token is a syntax error.
   */
  placeholders?: boolean;
  /** Also mark whole-string tokens (`"__MTU__"`) with `placeholder` (install templates). Default false. */
  templateStrings?: boolean;
}

export interface JsonParseResult {
  /** The tree of the tolerant parse; absent only for empty or hopeless input. */
  root?: JsonValue;
  /** What a strict JSON reader (Go's encoding/json) rejects, in text order. */
  problems: JsonProblem[];
  /** True when every problem is recoverable, so `root` is the whole document. */
  complete: boolean;
  comments: SourceComment[];
  placeholders: JsonPlaceholder[];
}

/**
 * Parses JSON (or JSONC) text into a tree with ranges. Never throws. The tree comes from
 * jsonc-parser's tolerant parse (comments and trailing commas read fine); `problems` lists what
 * a strict reader would reject, at exact offsets. Offsets index into `text` as given, BOM included.
 */
export function parseJson(text: string, options: JsonParseOptions = {}): JsonParseResult {
  // Strict JSON (nearly every real file) in one pass; anything else the tolerant way below.
  const fast = fastParseJson(text, options.templateStrings === true);
  if (fast) return fast;
  return parseJsonWithJsonc(text, options);
}

/** {@link parseJson} with jsonc-parser, for any input (the fast reader's reference). */
export function parseJsonWithJsonc(text: string, options: JsonParseOptions = {}): JsonParseResult {
  const problems: JsonProblem[] = [];
  const comments: SourceComment[] = [];
  const placeholders: JsonPlaceholder[] = [];
  let prepared = text;

  if (prepared.charCodeAt(0) === 0xfeff) {
    problems.push({ code: 'bom', message: 'Invalid byte order mark (U+FEFF) at the start of the file', range: [0, 1], recoverable: true });
    prepared = ' ' + prepared.slice(1);
  }
  if (options.placeholders) prepared = replaceBarePlaceholders(prepared, placeholders);

  // Token pass: comments and trailing commas, which the tolerant parse below accepts silently.
  const scanner = createScanner(prepared, false);
  let lastComma: Range | undefined;
  for (let token = scanner.scan(); token !== TOKEN_EOF; token = scanner.scan()) {
    const start = scanner.getTokenOffset();
    const range: Range = [start, start + scanner.getTokenLength()];
    if (token === TOKEN_LINE_COMMENT || token === TOKEN_BLOCK_COMMENT) {
      comments.push({ text: text.slice(range[0], range[1]), range });
      if (!options.allowComments) problems.push({ code: 'comment', message: 'Invalid comment', range, recoverable: true });
      continue;
    }
    if (token === TOKEN_LINE_BREAK || token === TOKEN_TRIVIA) continue;
    if ((token === TOKEN_CLOSE_BRACE || token === TOKEN_CLOSE_BRACKET) && lastComma && !options.allowTrailingCommas) {
      problems.push({
        code: 'trailing-comma',
        message: `Invalid trailing comma before "${token === TOKEN_CLOSE_BRACE ? '}' : ']'}"`,
        range: lastComma,
        recoverable: true,
      });
    }
    lastComma = token === TOKEN_COMMA ? range : undefined;
  }

  const errors: ParseError[] = [];
  const tree = parseTree(prepared, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  for (const e of errors) {
    const detail = PARSE_ERROR_TEXT[e.error] ?? 'syntax error';
    const found = e.error === 1 ? `: ${describeAt(text, e.offset)}` : '';
    problems.push({ code: 'syntax', message: `Invalid JSON: ${detail}${found}`, range: [e.offset, e.offset + e.length], recoverable: false });
  }
  if (!tree && errors.length === 0) {
    problems.push({ code: 'empty', message: 'Invalid JSON: the file has no JSON value', range: [0, text.length], recoverable: false });
  }
  problems.sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);

  const bare = new Map(placeholders.map((p) => [p.range[0], p]));
  const root = tree ? convert(tree, text, [], undefined, undefined, bare, options.templateStrings === true, placeholders) : undefined;
  placeholders.sort((a, b) => a.range[0] - b.range[0]);
  return { root, problems, complete: problems.every((p) => p.recoverable), comments, placeholders };
}

/** Replaces bare `__NAME__` tokens (outside strings and comments) by a same-length number. */
function replaceBarePlaceholders(text: string, out: JsonPlaceholder[]): string {
  let result = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (c === '_' && !/[\w$]/.test(text[i - 1] ?? '')) {
      const m = PLACEHOLDER.exec(text.slice(i, i + 256));
      if (m && !/[\w$]/.test(text[i + m[0].length] ?? '')) {
        out.push({ name: m[0], range: [i, i + m[0].length], quoted: false });
        result += text.slice(copied, i) + '1' + '0'.repeat(m[0].length - 1);
        i += m[0].length;
        copied = i;
      } else i++;
    } else i++;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

function describeAt(text: string, offset: number): string {
  const ch = text.codePointAt(offset);
  if (ch === undefined) return 'end of file';
  const s = String.fromCodePoint(ch);
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(s) ? `"${s}"` : `U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
}

function convert(
  node: JsoncNode,
  text: string,
  path: JsonPath,
  parent: JsonObject | JsonArray | undefined,
  property: JsonProperty | undefined,
  bare: Map<number, JsonPlaceholder>,
  templates: boolean,
  placeholders: JsonPlaceholder[],
): JsonValue {
  const range: Range = [node.offset, node.offset + node.length];
  const base = { range, path, ...(parent ? { parent } : {}), ...(property ? { property } : {}) };
  switch (node.type) {
    case 'object': {
      const object: JsonObject = { type: 'JsonObject', ...base, properties: [] };
      for (const child of node.children ?? []) {
        const [keyNode, valueNode] = child.children ?? [];
        if (!keyNode || keyNode.type !== 'string') continue;
        const key = String(keyNode.value);
        const keyRange: Range = [keyNode.offset, keyNode.offset + keyNode.length];
        const end = valueNode ? valueNode.offset + valueNode.length : keyRange[1];
        const prop: JsonProperty = { type: 'JsonProperty', key, keyRange, range: [keyRange[0], end], path: [...path, key], parent: object };
        if (valueNode) prop.value = convert(valueNode, text, prop.path, object, prop, bare, templates, placeholders);
        object.properties.push(prop);
      }
      return object;
    }
    case 'array': {
      const array: JsonArray = { type: 'JsonArray', ...base, items: [] };
      (node.children ?? []).forEach((child, i) =>
        array.items.push(convert(child, text, [...path, i], array, undefined, bare, templates, placeholders)),
      );
      return array;
    }
    default: {
      const token = bare.get(node.offset);
      if (token && node.type === 'number') {
        return { type: 'JsonLiteral', ...base, valueType: 'string', value: token.name, placeholder: token.name };
      }
      const literal: JsonLiteral = {
        type: 'JsonLiteral',
        ...base,
        valueType: node.type === 'string' || node.type === 'number' || node.type === 'boolean' ? node.type : 'null',
        value: node.type === 'null' ? null : (node.value as string | number | boolean),
      };
      if (templates && node.type === 'string' && PLACEHOLDER_STRING.test(String(node.value)) && text[node.offset] === '"') {
        literal.placeholder = String(node.value);
        placeholders.push({ name: String(node.value), range, quoted: true });
      }
      return literal;
    }
  }
}

/** How a file kind's reader is named in parse-error messages. */
export interface JsonReaderInfo {
  /** "libcni (CNI runtimes)", "dockerd". */
  reader: string;
}

/**
 * The one `parse-error` finding of a JSON file: the first problem (where Go's decoder would stop),
 * naming the reader that rejects it, and how many more follow. Undefined when there are none.
 */
export function jsonParseErrorFinding(
  source: SourceText,
  filePath: string,
  problems: readonly JsonProblem[],
  info: JsonReaderInfo,
): Finding | undefined {
  const first = problems[0];
  if (!first) return undefined;
  const rejected: Partial<Record<JsonProblemCode, string>> = {
    bom: 'a byte order mark',
    comment: 'comments',
    'trailing-comma': 'trailing commas',
    placeholder: 'it',
  };
  const why = rejected[first.code] ? `: ${info.reader} reads the file with Go's encoding/json, which rejects ${rejected[first.code]}` : '';
  const more = problems.length > 1 ? ` (${problems.length - 1} more JSON problem${problems.length > 2 ? 's' : ''} after this one)` : '';
  return engineFinding(source, filePath, 'parse-error', `${first.message}${why}${more}.`, first.range);
}
