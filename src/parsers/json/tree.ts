import type { BaseNode } from '../../model/node.js';
import { memo } from '../../model/memo.js';
import type { Range } from '../../model/source.js';

/** A JSON path: property names and array indices from the document root. */
export type JsonPath = (string | number)[];

interface JsonNodeBase extends BaseNode {
  /** Path from the document root; `[]` for the root. */
  path: JsonPath;
  /** The object or array holding this value; absent for the root. */
  parent?: JsonObject | JsonArray;
  /** When this value is a property's value: that property (its `keyRange` is the key). */
  property?: JsonProperty;
}

/** `{ ... }`: properties in text order (duplicates kept; the last one wins, as in Go). */
export interface JsonObject extends JsonNodeBase {
  type: 'JsonObject';
  properties: JsonProperty[];
}

/** `[ ... ]`. */
export interface JsonArray extends JsonNodeBase {
  type: 'JsonArray';
  items: JsonValue[];
}

export type JsonLiteralType = 'string' | 'number' | 'boolean' | 'null';

/** A string, number, boolean or null. The range of a string includes its quotes. */
export interface JsonLiteral extends JsonNodeBase {
  type: 'JsonLiteral';
  valueType: JsonLiteralType;
  value: string | number | boolean | null;
  /**
   * Set when the value is an install-template token such as `__CNI_MTU__` (see `parseJson`'s
   * `placeholders` option). An unquoted token has `valueType: 'string'` and its own text as value.
   */
  placeholder?: string;
}

/** `"key": value`. `range` spans key to value; `keyRange` is the quoted key. */
export interface JsonProperty extends BaseNode {
  type: 'JsonProperty';
  key: string;
  keyRange: Range;
  /** Absent only in broken input (`{"a": }`), which the tolerant parse still reads. */
  value?: JsonValue;
  /** Path of the value: the object's path plus `key`. */
  path: JsonPath;
  parent: JsonObject;
}

export type JsonValue = JsonObject | JsonArray | JsonLiteral;
export type JsonNode = JsonValue | JsonProperty;

/** Node types the JSON tree adds to the model (for `NodeTypeMap`). */
export const JSON_NODE_TYPES = ['JsonObject', 'JsonArray', 'JsonLiteral', 'JsonProperty'] as const;

/** The last property of `object` named `key` (Go's encoding/json keeps the last duplicate). */
export function getProperty(object: JsonObject | undefined, key: string): JsonProperty | undefined {
  if (!object) return undefined;
  for (let i = object.properties.length - 1; i >= 0; i--) {
    if (object.properties[i].key === key) return object.properties[i];
  }
  return undefined;
}

/** The value of `object[key]`, if present. */
export function getValue(object: JsonObject | undefined, key: string): JsonValue | undefined {
  return getProperty(object, key)?.value;
}

/** The object at `object[key]`, if it is one. */
export function getObject(object: JsonObject | undefined, key: string): JsonObject | undefined {
  return asObject(getValue(object, key));
}

/** The array at `object[key]`, if it is one. */
export function getArray(object: JsonObject | undefined, key: string): JsonArray | undefined {
  const v = getValue(object, key);
  return v?.type === 'JsonArray' ? v : undefined;
}

/** `node` if it is an object, else undefined. */
export function asObject(node: JsonValue | undefined): JsonObject | undefined {
  return node?.type === 'JsonObject' ? node : undefined;
}

/** `node` if it is a string literal (not a placeholder), else undefined. */
export function asString(node: JsonValue | undefined): JsonLiteral & { value: string } | undefined {
  return node?.type === 'JsonLiteral' && node.valueType === 'string' && node.placeholder === undefined
    ? (node as JsonLiteral & { value: string })
    : undefined;
}

/** `node` if it is a boolean literal, else undefined. */
export function asBoolean(node: JsonValue | undefined): JsonLiteral & { value: boolean } | undefined {
  return node?.type === 'JsonLiteral' && node.valueType === 'boolean'
    ? (node as JsonLiteral & { value: boolean })
    : undefined;
}

/** `node` if it is a number literal, else undefined. */
export function asNumber(node: JsonValue | undefined): JsonLiteral & { value: number } | undefined {
  return node?.type === 'JsonLiteral' && node.valueType === 'number'
    ? (node as JsonLiteral & { value: number })
    : undefined;
}

/** The value at `path` below `root` (numbers index arrays, strings name keys). */
export function nodeAtPath(root: JsonValue | undefined, path: readonly (string | number)[]): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    if (node.type === 'JsonObject') node = getValue(node, String(segment));
    else if (node.type === 'JsonArray') {
      const index = typeof segment === 'number' ? segment : /^(?:0|[1-9]\d*)$/.test(segment) ? Number(segment) : -1;
      node = index >= 0 ? node.items[index] : undefined;
    } else return undefined;
  }
  return node;
}

/**
 * The plain value of a node, as a JSON reader would see it: duplicate keys keep the last value,
 * placeholders read as their token text, broken properties without a value are left out.
 */
export function toPlainValue(node: JsonValue): unknown {
  switch (node.type) {
    case 'JsonLiteral':
      return node.value;
    case 'JsonArray':
      return node.items.map(toPlainValue);
    case 'JsonObject': {
      const out: Record<string, unknown> = {};
      for (const p of node.properties) {
        if (!p.value) continue;
        // Object.defineProperty: a "__proto__" key must be data, not the prototype setter.
        Object.defineProperty(out, p.key, { value: toPlainValue(p.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

/** Where the strict one-pass reader keeps a root's plain value (see `plainValue`). */
const PLAIN = Symbol('netlint.plainValue');

/**
 * Records the plain value the strict one-pass reader built along with `root`: the value
 * `toPlainValue(root)` would build (and `JSON.parse` of the text would give). On the root itself,
 * not in a WeakMap, which would keep it (a young object) alive until a full collection (see memo.ts).
 */
export function rememberPlainValue(root: JsonValue, value: unknown): void {
  memo(root, PLAIN, () => value);
}

/**
 * `toPlainValue(node)`, or for the root of strict JSON text the value read along with it.
 * Callers only read it (schema validation): the recorded value is shared.
 */
export function plainValue(node: JsonValue): unknown {
  return Object.hasOwn(node, PLAIN) ? (node as unknown as Record<symbol, unknown>)[PLAIN] : toPlainValue(node);
}

/** Visits `root` and every node below it in text order (a property before its value). */
export function walkJson(root: JsonValue | undefined, visit: (node: JsonNode) => void): void {
  if (!root) return;
  visit(root);
  if (root.type === 'JsonObject') {
    for (const p of root.properties) {
      visit(p);
      walkJson(p.value, visit);
    }
  } else if (root.type === 'JsonArray') {
    for (const item of root.items) walkJson(item, visit);
  }
}

/** A readable name of a path for messages: `plugins[1].ipam.subnet`; `(root)` for `[]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(root)';
}

/** A typed setting read from a JSON object: the value, its node and its `"key": value` property. */
export interface JsonSetting<T> {
  value: T;
  /** Range of the value (for a string, with its quotes). */
  range: Range;
  /** The property: `keyRange` is the key, `range` the whole entry (for edits that remove it). */
  property: JsonProperty;
}

export type SettingKind = 'string' | 'boolean' | 'number' | 'strings';
type SettingValue<K extends SettingKind> = K extends 'string'
  ? string
  : K extends 'boolean'
    ? boolean
    : K extends 'number'
      ? number
      : string[];

/**
 * `object[key]` as a typed setting, or undefined when absent, of another JSON type, or a
 * placeholder. `strings` reads an array whose items are all strings.
 */
export function readSetting<K extends SettingKind>(
  object: JsonObject | undefined,
  key: string,
  kind: K,
): JsonSetting<SettingValue<K>> | undefined {
  return settingOf(getProperty(object, key), kind);
}

/** `property` as a typed setting (see `readSetting`), for callers that found the property themselves. */
export function settingOf<K extends SettingKind>(
  property: JsonProperty | undefined,
  kind: K,
): JsonSetting<SettingValue<K>> | undefined {
  const node = property?.value;
  if (!property || !node) return undefined;
  let value: unknown;
  if (kind === 'strings') {
    if (node.type !== 'JsonArray') return undefined;
    const items = node.items.map((i) => asString(i)?.value);
    if (items.some((i) => i === undefined)) return undefined;
    value = items;
  } else {
    if (node.type !== 'JsonLiteral' || node.valueType !== kind || node.placeholder !== undefined) return undefined;
    value = node.value;
  }
  return { value: value as SettingValue<K>, range: node.range, property };
}
