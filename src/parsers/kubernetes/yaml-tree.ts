import type { Document, Node as YamlAstNode, Pair, ScalarTag, Tags, YAMLError } from 'yaml';
import { yamlLib } from '../../engine/lazy-require.js';
import { fastParseYamlStream } from './fast-yaml.js';
import type { SourceComment } from '../../model/document.js';
import type { Range } from '../../model/source.js';
import type { JsonArray, JsonLiteral, JsonObject, JsonPath, JsonProperty, JsonValue } from '../json/index.js';

/** One document of a YAML stream, converted to the shared JSON value tree. */
export interface YamlStreamDocument {
  /** Position in the stream. */
  index: number;
  /** From the document's first token (`---` or content) to its end. */
  range: Range;
  /** The value; absent for an empty document or when `error` is set. */
  node?: JsonValue;
  comments: SourceComment[];
  /** The document could not be read: the first problem, located. */
  error?: { message: string; range: Range };
}

/**
 * Kubernetes reads YAML with sigs.k8s.io/yaml (go-yaml v2 resolution, YAML 1.1 style): plain
 * `yes`/`no`/`on`/`off`/`y`/`n` are booleans and `0644` is octal. The YAML 1.2 core schema would
 * read them as strings and decimals, so a `natOutgoing: yes` would look unset.
 */
const GO_YAML_BOOL: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (value) => /^(?:y|yes|on)$/i.test(value),
};
const GO_YAML_OCTAL: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^[-+]?0[0-7]+$/,
  resolve: (value) => (value.startsWith('-') ? -1 : 1) * parseInt(value.replace(/^[-+]/, ''), 8),
};
const withGoYamlTags = (tags: Tags): Tags => [GO_YAML_BOOL, GO_YAML_OCTAL, ...tags];

/** The `yaml` package, loaded by the first {@link parseYamlStream}. */
let Y: typeof import('yaml');

/** yaml's error codes for a key that spans lines: a mis-indented `key:` after a scalar. */
const MISINDENTED_KEY = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY']);

/**
 * Parses a YAML stream with the `yaml` package (YAML 1.2 core schema, unique keys) into one
 * entry per document. Every document is read on its own: an error in one does not stop the
 * others. Go-template markup (`{{ ... }}` outside quoted and block strings, as in an unrendered
 * Helm chart) is an error of its document. Linear in the text; aliases share the anchored node.
 */
export function parseYamlStream(text: string): YamlStreamDocument[] {
  // Plain block YAML (nearly every manifest) is read without the yaml package.
  const fast = fastParseYamlStream(text);
  if (fast) return fast;
  return parseYamlStreamWithYaml(text);
}

/** {@link parseYamlStream} with the `yaml` package, for any YAML (the fast reader's reference). */
export function parseYamlStreamWithYaml(text: string): YamlStreamDocument[] {
  Y = yamlLib();
  const parser = new Y.Parser();
  const composer = new Y.Composer({ uniqueKeys: true, strict: true, customTags: withGoYamlTags });
  const docs: Document.Parsed[] = [];
  const commentsPerDoc: SourceComment[][] = [];
  let pending: SourceComment[] = [];

  const tokens = function* () {
    for (const token of parser.parse(text)) {
      if (token.type === 'comment') pending.push({ text: token.source, range: [token.offset, token.offset + token.source.length] });
      else if (token.type === 'document') {
        const own = pending;
        pending = [];
        collectComments(token, own);
        commentsPerDoc.push(own);
      }
      yield token;
    }
  };
  for (const doc of composer.compose(tokens(), true, text.length)) docs.push(doc as Document.Parsed);
  if (pending.length) {
    if (commentsPerDoc.length) commentsPerDoc[commentsPerDoc.length - 1].push(...pending);
    else commentsPerDoc.push(pending);
  }

  return docs.map((doc, index) => {
    const comments = (commentsPerDoc[index] ?? []).sort((a, b) => a.range[0] - b.range[0]);
    const range: Range = [doc.range[0], doc.range[1]];
    if (doc.errors.length) return { index, range, comments, error: describeErrors(text, doc) };
    const ctx: ConvertContext = { text, doc, memo: new Map(), active: new Set() };
    const node = doc.contents === null ? undefined : convert(doc.contents, [], undefined, undefined, ctx);
    const template = ctx.template;
    if (template) {
      return { index, range, comments, error: { message: templateMessage(text, template), range: template } };
    }
    return { index, range, comments, node: node && isEmptyScalar(node) ? undefined : node };
  });
}

function isEmptyScalar(node: JsonValue): boolean {
  return node.type === 'JsonLiteral' && node.value === null && node.range[0] === node.range[1];
}

/** Comment tokens anywhere below a CST token (the CST is a tree of plain objects and arrays). */
function collectComments(token: unknown, out: SourceComment[]): void {
  const stack: unknown[] = [token];
  while (stack.length) {
    const t = stack.pop();
    if (!t || typeof t !== 'object') continue;
    if (Array.isArray(t)) {
      for (const item of t) stack.push(item);
      continue;
    }
    const record = t as Record<string, unknown>;
    if (record.type === 'comment' && typeof record.offset === 'number' && typeof record.source === 'string') {
      out.push({ text: record.source, range: [record.offset, record.offset + record.source.length] });
      continue;
    }
    for (const key of ['start', 'key', 'sep', 'value', 'end', 'items', 'props']) {
      if (key in record) stack.push(record[key]);
    }
  }
}

function describeErrors(text: string, doc: Document.Parsed): { message: string; range: Range } {
  const template = findTemplateMarkup(text, doc.range[0], doc.range[2]);
  if (template) return { message: templateMessage(text, template), range: template };
  const errors = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const first = errors[0];
  const more = errors.length > 1 ? ` (${errors.length - 1} more YAML error${errors.length > 2 ? 's' : ''} in this document)` : '';
  // The errors after a mis-indented key are its echoes: not counted.
  const misindented = relocateMisindentedKey(text, errors);
  if (misindented) return { message: `Invalid YAML: mapping values are not allowed here${misindented.why}.`, range: misindented.range };
  return { message: `Invalid YAML: ${sentence(first)}${more}.`, range: errorRange(text, first) };
}

function sentence(error: YAMLError): string {
  const m = error.message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/[.:]\s*$/, '')
    .replace('closing "quote', 'closing quote');
  return m.charAt(0).toLowerCase() + m.slice(1);
}

function errorRange(text: string, error: YAMLError): Range {
  const start = Math.min(error.pos[0], text.length);
  const end = Math.min(Math.max(error.pos[1], start), text.length);
  return [start, end];
}

/**
 * `apiVersion: v1` followed by a more-indented `kind: ConfigMap` reads as one scalar `v1 kind`
 * used as a key; yaml blames the scalar's start, Go's yaml (kubectl) the `:` after it. The `:`
 * is where the fix is (the line's indentation), so report there.
 */
function relocateMisindentedKey(text: string, errors: YAMLError[]): { range: Range; why: string } | undefined {
  const key = errors.find((e) => e.code === 'MULTILINE_IMPLICIT_KEY') ?? errors.find((e) => MISINDENTED_KEY.has(e.code));
  if (!key || errors[0].pos[0] !== key.pos[0]) return undefined;
  let i = key.pos[1];
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== ':') return undefined;
  const lineStart = text.lastIndexOf('\n', i - 1) + 1;
  const name = text.slice(lineStart, i).trim();
  const why = name && /^[\w./-]+$/.test(name) ? `: "${name}" is indented as if it continued the line before; align it with its sibling keys` : '';
  return { range: [i, i + 1], why };
}

const TEMPLATE_OPEN = '{{';

/**
 * The first `{{` in a broken document that is not inside a comment (a rough test: a `#` after
 * whitespace starts one), spanning to the `}}` on its line.
 */
function findTemplateMarkup(text: string, start: number, end: number): Range | undefined {
  let i = text.indexOf(TEMPLATE_OPEN, start);
  while (i !== -1 && i < end) {
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    const before = text.slice(lineStart, i);
    if (!/(^|\s)#/.test(before)) return templateRange(text, i);
    i = text.indexOf(TEMPLATE_OPEN, i + 2);
  }
  return undefined;
}

function templateRange(text: string, at: number): Range {
  const close = text.indexOf('}}', at + 2);
  const nl = text.indexOf('\n', at);
  const end = close !== -1 && (nl === -1 || close < nl) ? close + 2 : at + 2;
  return [at, end];
}

function templateMessage(text: string, range: Range): string {
  const snippet = text.slice(range[0], Math.min(range[1], range[0] + 60)).replace(/\s+/g, ' ');
  return `Invalid YAML: template markup "${snippet}" (Helm or Go template): render it first (helm template ... | netlint --stdin).`;
}

interface ConvertContext {
  text: string;
  doc: Document.Parsed;
  /** Anchored nodes already converted, for aliases. */
  memo: Map<YamlAstNode, JsonValue>;
  /** Nodes being converted (an alias to one of them is a cycle). */
  active: Set<YamlAstNode>;
  /** The first template marker outside quoted and block strings. */
  template?: Range;
}

function convert(
  node: unknown,
  path: JsonPath,
  parent: JsonObject | JsonArray | undefined,
  property: JsonProperty | undefined,
  ctx: ConvertContext,
): JsonValue {
  const base = (range: Range) => ({ range, path, ...(parent ? { parent } : {}), ...(property ? { property } : {}) });
  if (Y.isAlias(node)) {
    const target = node.resolve(ctx.doc);
    // An alias shares the anchored node's tree (its ranges and path); one to an enclosing node
    // (a cycle) reads as null.
    const shared = target && !ctx.active.has(target) ? ctx.memo.get(target) : undefined;
    if (shared) return shared;
    const range = rangeOf(node);
    return { type: 'JsonLiteral', ...base(range), valueType: 'null', value: null };
  }
  if (Y.isScalar(node)) {
    const range = scalarRange(ctx.text, node);
    const raw = node.value;
    let literal: JsonLiteral;
    if (typeof raw === 'string') {
      literal = { type: 'JsonLiteral', ...base(range), valueType: 'string', value: raw };
      if (!ctx.template && node.type === 'PLAIN' && raw.includes(TEMPLATE_OPEN)) {
        ctx.template = templateRange(ctx.text, ctx.text.indexOf(TEMPLATE_OPEN, range[0]));
      }
    } else if (typeof raw === 'number' || typeof raw === 'bigint') {
      literal = { type: 'JsonLiteral', ...base(range), valueType: 'number', value: Number(raw) };
    } else if (typeof raw === 'boolean') {
      literal = { type: 'JsonLiteral', ...base(range), valueType: 'boolean', value: raw };
    } else if (raw === null || raw === undefined) {
      literal = { type: 'JsonLiteral', ...base(range), valueType: 'null', value: null };
    } else {
      literal = { type: 'JsonLiteral', ...base(range), valueType: 'string', value: String(raw) };
    }
    remember(node, literal, ctx);
    return literal;
  }
  if (Y.isMap(node)) {
    const start = rangeOf(node)[0];
    if (!ctx.template && node.flow && ctx.text.startsWith(TEMPLATE_OPEN, start)) ctx.template = templateRange(ctx.text, start);
    const object: JsonObject = { type: 'JsonObject', ...base(rangeOf(node)), properties: [] };
    remember(node, object, ctx);
    ctx.active.add(node);
    for (const pair of node.items) object.properties.push(convertPair(pair, object, ctx));
    ctx.active.delete(node);
    object.range = collectionRange(ctx.text, node, object.properties);
    return object;
  }
  if (Y.isSeq(node)) {
    const array: JsonArray = { type: 'JsonArray', ...base(rangeOf(node)), items: [] };
    remember(node, array, ctx);
    ctx.active.add(node);
    node.items.forEach((item, i) => {
      if (Y.isPair(item)) {
        // `[a: b]`: a single-pair mapping inside a flow sequence.
        const range: Range = [rangeOf(item.key)[0], rangeOf(item.value ?? item.key)[1]];
        const object: JsonObject = { type: 'JsonObject', range, path: [...path, i], parent: array, properties: [] };
        object.properties.push(convertPair(item as Pair, object, ctx));
        array.items.push(object);
      } else array.items.push(convert(item, [...path, i], array, undefined, ctx));
    });
    ctx.active.delete(node);
    array.range = collectionRange(ctx.text, node, array.items);
    return array;
  }
  return { type: 'JsonLiteral', ...base(rangeOf(node)), valueType: 'null', value: null };
}

function convertPair(pair: Pair, object: JsonObject, ctx: ConvertContext): JsonProperty {
  const keyNode = pair.key;
  const valueNode = pair.value;
  const keyRange = keyNode ? rangeOf(keyNode) : ([rangeOf(valueNode)[0], rangeOf(valueNode)[0]] as Range);
  let key: string;
  if (Y.isScalar(keyNode)) key = keyNode.value === null || keyNode.value === undefined ? '' : String(keyNode.value);
  else if (Y.isAlias(keyNode)) key = String(keyNode.source);
  else key = keyNode ? ctx.text.slice(keyRange[0], keyRange[1]) : '';
  const prop: JsonProperty = { type: 'JsonProperty', key, keyRange, range: keyRange, path: [...object.path, key], parent: object };
  prop.value =
    valueNode === null || valueNode === undefined
      ? { type: 'JsonLiteral', range: [keyRange[1], keyRange[1]], path: prop.path, parent: object, property: prop, valueType: 'null', value: null }
      : convert(valueNode, prop.path, object, prop, ctx);
  prop.range = [keyRange[0], Math.max(keyRange[1], prop.value.range[1])];
  return prop;
}

function remember(node: YamlAstNode, value: JsonValue, ctx: ConvertContext): void {
  if ((node as { anchor?: string }).anchor) ctx.memo.set(node, value);
}

function rangeOf(node: unknown): Range {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

/** A scalar's range without the line breaks a block scalar's range ends with. */
function scalarRange(text: string, node: { range?: [number, number, number] | null; type?: string }): Range {
  const [start, end] = rangeOf(node);
  if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return [start, end];
  let e = end;
  while (e > start && /\s/.test(text[e - 1])) e--;
  return [start, e];
}

/** A block collection ends with its last entry (not the line breaks after it); a flow one at its bracket. */
function collectionRange(text: string, node: { flow?: boolean; range?: [number, number, number] | null }, children: { range: Range }[]): Range {
  const [start, end] = rangeOf(node);
  if (node.flow || children.length === 0) {
    let e = end;
    while (e > start && /\s/.test(text[e - 1])) e--;
    return [start, e];
  }
  return [start, Math.max(start, children[children.length - 1].range[1])];
}
