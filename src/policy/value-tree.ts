import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode, type ParsedNode, type Scalar } from 'yaml';
import type { Range } from '../model/source.js';
import type { JsonArray, JsonLiteral, JsonObject, JsonPath, JsonProperty, JsonValue } from '../parsers/json/index.js';

/**
 * A JSON value with ranges, and how its text is written: every subject (a document, a Kubernetes
 * object, an iptables rule, a fact) is one of these, so schema errors are located and fixes are
 * built the same way for all of them.
 */
export interface ValueTree {
  root: JsonValue;
  /**
   * `json`: JSON text; `yaml`: YAML text (block or flow); `synthetic`: built from a model
   * (iptables rules, facts), its ranges point at tokens and it cannot be edited.
   */
  syntax: 'json' | 'yaml' | 'synthetic';
  /** The text the ranges index into (`json` and `yaml`). */
  text?: string;
}

/** One document of a policy file. */
export interface PolicyYamlDocument {
  /** Absent for an empty document. */
  tree?: ValueTree;
  /** The first YAML error, when the document has one. */
  error?: { message: string; offset: number };
}

/** Aliases nested deeper than this are not followed (billion-laughs input). */
const MAX_ALIAS_DEPTH = 16;

/**
 * Parses a policy file (a YAML stream; JSON is YAML too) into value trees with exact ranges: a
 * collection spans its first to last character, a string includes its quotes, a property spans
 * key to value. Kubernetes manifests are read by their own parser, whose Go-template checks
 * would reject policies' `{{placeholders}}`. Never throws.
 */
export function parsePolicyYaml(text: string): PolicyYamlDocument[] {
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    return [{ error: { message: (err as Error).message, offset: 0 } }];
  }
  const out: PolicyYamlDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      out.push({ error: { message: error.message.split('\n', 1)[0], offset: error.pos[0] } });
      continue;
    }
    const contents = doc.contents as ParsedNode | null;
    if (!contents || (isScalar(contents) && contents.value === null)) {
      out.push({});
      continue;
    }
    out.push({ tree: { root: convert(contents, text, doc, [], undefined, undefined, 0), syntax: 'yaml', text } });
  }
  return out;
}

function convert(
  node: YamlNode,
  text: string,
  doc: Document.Parsed,
  path: JsonPath,
  parent: JsonObject | JsonArray | undefined,
  property: JsonProperty | undefined,
  aliasDepth: number,
): JsonValue {
  const base = { path, ...(parent ? { parent } : {}), ...(property ? { property } : {}) };
  if (isAlias(node)) {
    const target = aliasDepth < MAX_ALIAS_DEPTH ? (node.resolve(doc) as YamlNode | undefined) : undefined;
    if (!target) return { type: 'JsonLiteral', ...base, range: rangeOf(node, text), valueType: 'null', value: null };
    const out = convert(target, text, doc, path, parent, property, aliasDepth + 1);
    out.range = rangeOf(node, text);
    return out;
  }
  if (isMap(node)) {
    const object: JsonObject = { type: 'JsonObject', ...base, range: rangeOf(node, text), properties: [] };
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      if (!isScalar(keyNode)) continue;
      const key = keyNode.value === null || keyNode.value === undefined ? '' : String(keyNode.value);
      const keyRange = rangeOf(keyNode, text);
      const prop: JsonProperty = { type: 'JsonProperty', key, keyRange, range: keyRange, path: [...path, key], parent: object };
      const valueNode = pair.value as YamlNode | null;
      if (valueNode) {
        prop.value = convert(valueNode, text, doc, prop.path, object, prop, aliasDepth);
        prop.range = [keyRange[0], Math.max(keyRange[1], prop.value.range[1])];
      }
      object.properties.push(prop);
    }
    return endAtLastEntry(object, node, object.properties);
  }
  if (isSeq(node)) {
    const array: JsonArray = { type: 'JsonArray', ...base, range: rangeOf(node, text), items: [] };
    node.items.forEach((item, i) => {
      if (item) array.items.push(convert(item as YamlNode, text, doc, [...path, i], array, undefined, aliasDepth));
    });
    return endAtLastEntry(array, node, array.items);
  }
  return literal(node as Scalar, text, base);
}

/** A block collection ends where its last entry ends (yaml's range runs on to the next line). */
function endAtLastEntry<T extends JsonObject | JsonArray>(value: T, node: { flow?: boolean }, entries: { range: Range }[]): T {
  const last = entries[entries.length - 1];
  if (!node.flow && last) value.range = [value.range[0], Math.max(value.range[0], last.range[1])];
  return value;
}

function literal(node: Scalar, text: string, base: Pick<JsonLiteral, 'path' | 'parent' | 'property'>): JsonLiteral {
  const range = rangeOf(node, text);
  const v = node.value;
  if (v === null || v === undefined) return { type: 'JsonLiteral', ...base, range, valueType: 'null', value: null };
  if (typeof v === 'string') return { type: 'JsonLiteral', ...base, range, valueType: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'JsonLiteral', ...base, range, valueType: 'boolean', value: v };
  if (typeof v === 'number') return { type: 'JsonLiteral', ...base, range, valueType: 'number', value: v };
  return { type: 'JsonLiteral', ...base, range, valueType: 'string', value: typeof node.source === 'string' ? node.source : String(v) };
}

/** `[start, valueEnd)` of a node without trailing whitespace. */
function rangeOf(node: YamlNode, text: string): Range {
  const r = node.range ?? [0, 0, 0];
  let end = r[1];
  while (end > r[0] && /\s/.test(text[end - 1])) end--;
  return [r[0], end];
}
