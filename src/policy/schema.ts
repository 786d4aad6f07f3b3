import { isIP, isIPv4, isIPv6 } from 'node:net';
import { Ajv, type AnySchema, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Range } from '../model/source.js';
import { formatPath, getProperty, nodeAtPath, parseInstancePath, toPlainValue, type JsonNode, type JsonPath, type JsonValue } from '../parsers/json/index.js';
import type { ValueTree } from './value-tree.js';

/**
 * Annotations policy schemas may carry besides JSON Schema's own: `x-message`, the readable
 * error (`{{error}}`) for any failure of that schema object.
 */
export const POLICY_SCHEMA_ANNOTATIONS = ['x-message'] as const;

let ajv: Ajv | undefined;

/**
 * The Ajv instance policies compile with: draft-07, all errors, strict about unknown keywords
 * (a typo such as `requried` is a config error, not a schema that accepts everything), and the
 * formats `ipv4`, `ipv6`, `ip` and `cidr`.
 */
export function policyAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({
      allErrors: true,
      verbose: true,
      strictSchema: true,
      strictNumbers: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allowUnionTypes: true,
      // Policies are independent: an `$id` in one must not clash with another's.
      addUsedSchema: false,
    });
    ajv.addVocabulary([...POLICY_SCHEMA_ANNOTATIONS]);
    ajv.addFormat('ipv4', (s: string) => isIPv4(s));
    ajv.addFormat('ipv6', (s: string) => isIPv6(s));
    ajv.addFormat('ip', (s: string) => isIP(s) !== 0);
    ajv.addFormat('cidr', isCidr);
  }
  return ajv;
}

function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  return family === 4 ? bits <= 32 : family === 6 ? bits <= 128 : false;
}

/** A schema error worded for people, with the ajv error it came from. */
export interface ReadableError {
  error: ErrorObject;
  /** `Missing key "env" in spec.template.spec.containers[0]` (no final period). */
  text: string;
  /** Path of the failing value, relative to the validated value. */
  path: JsonPath;
}

/**
 * The errors worth reporting, worded: `if` errors (their `then` errors say it) and the branch
 * errors of a failed `anyOf`/`oneOf`/`contains` (the combined error says it) are dropped.
 */
export function readableErrors(errors: readonly ErrorObject[], value: unknown, rootName: string): ReadableError[] {
  const combined = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'contains')
    .map((e) => ({ instancePath: e.instancePath, schemaPath: `${e.schemaPath}/` }));
  const out: ReadableError[] = [];
  for (const error of errors) {
    // `propertyNames` sums up the errors of the key it names (those carry `propertyName`).
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue;
    if (combined.some((c) => error.schemaPath.startsWith(c.schemaPath) && error.instancePath.startsWith(c.instancePath))) continue;
    const path = typedPath(value, parseInstancePath(error.instancePath));
    out.push({ error, text: describeError(error, path, rootName), path });
  }
  return out;
}

function describeError(error: ErrorObject, path: JsonPath, rootName: string): string {
  const schema = error.parentSchema as AnySchemaObject | undefined;
  if (typeof schema?.['x-message'] === 'string') return (schema['x-message'] as string).replace(/\.$/, '');
  const params = (error.params ?? {}) as Record<string, unknown>;
  const name = path.length ? formatPath(path) : rootName;
  if (error.propertyName !== undefined) return `Invalid key "${error.propertyName}"${path.length ? ` in ${name}` : ''}`;
  // Name the value found when it is short enough to read (a scalar).
  const found = error.data === undefined || (error.data !== null && typeof error.data === 'object') ? '' : `, found ${show(error.data)}`;
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
    case 'dependencies':
      return path.length ? `Missing key "${String(params.missingProperty)}" in ${name}` : `Missing key "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `Unknown key "${String(params.additionalProperty)}"${path.length ? ` in ${name}` : ''}`;
    case 'unevaluatedProperties':
      return `Unknown key "${String(params.unevaluatedProperty)}"${path.length ? ` in ${name}` : ''}`;
    case 'propertyNames':
      return `Invalid key "${String(params.propertyName)}"${path.length ? ` in ${name}` : ''}`;
    case 'const':
      return `Expected ${name} to be ${show(params.allowedValue)}${found}`;
    case 'enum':
      return `Expected ${name} to be ${oneOf(params.allowedValues as unknown[])}${found}`;
    case 'type':
      return `Expected ${name} to be ${article(String(params.type))}${found}`;
    case 'pattern':
      return `Expected ${name} to match /${String(params.pattern)}/${found}`;
    case 'format':
      return `Expected ${name} to be a valid ${String(params.format)}${found}`;
    case 'contains':
      return `Expected ${name} to contain a matching item`;
    case 'not':
      return `Disallowed ${name}: it matches a forbidden schema`;
    case 'anyOf':
      return `Expected ${name} to match one of the allowed schemas${found}`;
    case 'oneOf':
      return `Expected ${name} to match exactly one of the allowed schemas${found}`;
    case 'false schema':
      return `Disallowed ${name}`;
    default:
      return `Invalid ${name}: ${error.message ?? 'does not match the schema'}`;
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function oneOf(values: unknown[]): string {
  const shown = values.map(show);
  if (shown.length === 1) return shown[0];
  return `one of ${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

function article(type: string): string {
  const names = type.split(',').map((t) => (t === 'object' || t === 'array' || t === 'integer' ? `an ${t}` : t === 'null' ? 'null' : `a ${t}`));
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Instance path segments as a JSON path: array indices become numbers. */
function typedPath(value: unknown, segments: string[]): JsonPath {
  const out: JsonPath = [];
  let cur: unknown = value;
  for (const seg of segments) {
    if (Array.isArray(cur) && /^(?:0|[1-9]\d*)$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** Where a finding about a value tree goes. */
export interface TreeLocation {
  node: JsonNode;
  range: Range;
  /** JSON path of the node from the document root (trees of documents). */
  path: JsonPath;
}

/**
 * The node an ajv error is about, in `tree`: the extra key for `additionalProperties` (and the
 * like); for `required`, the object that misses the key (shown at its key, or, without one, at
 * its first key in YAML and its `{` in JSON; a synthetic object whole); else the value at
 * `instancePath` (or its nearest existing ancestor). A zero-length range (an empty YAML value)
 * widens to its key.
 */
export function locateError(tree: ValueTree, error: Pick<ErrorObject, 'instancePath' | 'keyword' | 'params' | 'propertyName'>): TreeLocation {
  const segments = parseInstancePath(error.instancePath);
  let node: JsonValue | undefined;
  let depth = segments.length;
  for (; depth >= 0; depth--) {
    node = nodeAtPath(tree.root, segments.slice(0, depth));
    if (node) break;
  }
  node ??= tree.root;
  const params = (error.params ?? {}) as Record<string, unknown>;
  const offendingKey = error.propertyName ?? params.additionalProperty ?? params.unevaluatedProperty ?? params.propertyName;
  if (typeof offendingKey === 'string' && node.type === 'JsonObject' && depth === segments.length) {
    const prop = getProperty(node, offendingKey);
    if (prop) return { node: prop, range: prop.keyRange, path: prop.path };
  }
  if ((error.keyword === 'required' || error.keyword === 'dependentRequired' || error.keyword === 'dependencies') && node.type === 'JsonObject') {
    return { node, range: objectAnchor(tree, node), path: node.path };
  }
  return { node, range: widen(node), path: node.path };
}

/** Where to show an object as a whole: its key, else its first key (YAML) or `{` (JSON); a synthetic one whole. */
export function objectAnchor(tree: ValueTree, node: JsonValue): Range {
  if (tree.syntax === 'synthetic') return node.range;
  if (node.property) return node.property.keyRange;
  const block = tree.syntax === 'yaml' && tree.text?.[node.range[0]] !== '{';
  if (node.type === 'JsonObject' && block && node.properties.length) return node.properties[0].keyRange;
  return [node.range[0], node.range[0] + 1];
}

function widen(node: JsonNode): Range {
  if (node.range[0] === node.range[1] && node.type !== 'JsonProperty' && node.property) return node.property.keyRange;
  return node.range;
}

const ANNOTATIONS = new Set(['title', 'description', '$comment', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'x-message', '$id', '$schema', 'definitions', '$defs']);

/** True when a schema constrains anything (not `true`, `{}` or annotations only). */
function constrains(schema: AnySchema | undefined): boolean {
  if (schema === undefined || schema === true) return false;
  if (schema === false) return true;
  return Object.keys(schema).some((k) => !ANNOTATIONS.has(k));
}

const subValidators = new WeakMap<object, ValidateFunction | null>();

/** Whether `value` matches a sub-schema; undefined when it cannot be compiled alone (a `$ref`). */
function matches(schema: AnySchema, value: unknown): boolean | undefined {
  if (typeof schema === 'boolean') return schema;
  let validate = subValidators.get(schema);
  if (validate === undefined) {
    try {
      validate = policyAjv().compile(schema);
    } catch {
      validate = null;
    }
    subValidators.set(schema, validate);
  }
  return validate ? validate(value) : undefined;
}

/** Where a `forbid` finding goes, and its readable error. */
export interface MatchLocation extends TreeLocation {
  /** `Disallowed plugins[1].ipMasq: true` (no final period). */
  text: string;
}

/**
 * Where a subject that matches a forbidden schema is reported: at the node {@link explainMatch}
 * finds (a key whose presence is forbidden at the key), or the subject as a whole.
 */
export function locateMatch(tree: ValueTree, schema: AnySchema, rootName: string): MatchLocation {
  const root = tree.root;
  const node = explainMatch(schema, root);
  const at = node.path.slice(root.path.length);
  if (node === root) return { node, range: objectAnchor(tree, root), path: root.path, text: `Disallowed ${rootName}: it matches the forbidden schema` };
  if (node.type === 'JsonProperty') {
    const where = at.length > 1 ? ` in ${formatPath(at.slice(0, -1))}` : '';
    return { node, range: node.keyRange, path: node.path, text: `Disallowed key "${node.key}"${where}` };
  }
  return { node, range: widen(node), path: node.path, text: `Disallowed ${formatPath(at)}: ${show(toPlainValue(node))}` };
}

/**
 * The node that makes `node` match a (forbidden) schema: the deepest value the schema
 * constrains. Follows `properties`, keys named by `required` (the key itself), the first item
 * matching `contains`, the first matching `anyOf`/`oneOf` branch, every `allOf` branch and a
 * matching `if`'s `then`; when several siblings are constrained, the last one written wins.
 */
export function explainMatch(schema: AnySchema, node: JsonValue): JsonNode {
  if (typeof schema === 'boolean') return node;
  const candidates: JsonNode[] = [];
  if (node.type === 'JsonObject') {
    const seen = new Set<string>();
    const props = (schema.properties ?? {}) as Record<string, AnySchema>;
    for (const [key, sub] of Object.entries(props)) {
      const prop = getProperty(node, key);
      if (!prop?.value || !constrains(sub)) continue;
      seen.add(key);
      candidates.push(explainMatch(sub, prop.value));
    }
    for (const key of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
      if (seen.has(key)) continue;
      // A key that must merely be there: its presence is what is forbidden.
      const prop = getProperty(node, key);
      if (prop) candidates.push(prop);
    }
  }
  if (node.type === 'JsonArray' && schema.contains !== undefined && constrains(schema.contains)) {
    const item = node.items.find((i) => matches(schema.contains, toPlainValue(i)) === true);
    if (item) candidates.push(explainMatch(schema.contains, item));
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key] as AnySchema[] | undefined;
    if (!Array.isArray(branches)) continue;
    const branch = branches.find((b) => matches(b, toPlainValue(node)) === true);
    if (branch !== undefined) candidates.push(explainMatch(branch, node));
  }
  for (const branch of Array.isArray(schema.allOf) ? (schema.allOf as AnySchema[]) : []) {
    const found = explainMatch(branch, node);
    if (found !== node) candidates.push(found);
  }
  if (schema.if !== undefined && schema.then !== undefined && matches(schema.if, toPlainValue(node)) === true) {
    const found = explainMatch(schema.then, node);
    if (found !== node) candidates.push(found);
  }
  return candidates.length ? candidates[candidates.length - 1] : node;
}
