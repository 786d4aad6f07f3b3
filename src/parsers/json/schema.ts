import type { Ajv, AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import cniConflistSchema from '../../../schemas/cni-conflist.schema.json' with { type: 'json' };
import cniNetworkConfigSchema from '../../../schemas/cni-network-config.schema.json' with { type: 'json' };
import cniPluginsSchema from '../../../schemas/cni-plugins.schema.json' with { type: 'json' };
import dockerDaemonSchema from '../../../schemas/docker-daemon.schema.json' with { type: 'json' };
import ipMasqAgentConfigSchema from '../../../schemas/ip-masq-agent-config.schema.json' with { type: 'json' };
import kubeProxyConfigSchema from '../../../schemas/kube-proxy-config.schema.json' with { type: 'json' };
import { ajvLib } from '../../engine/lazy-require.js';
import documentAjv from './document-ajv.json' with { type: 'json' };
import type { Range } from '../../model/source.js';
import { locateSchemaError, parseInstancePath } from './locate.js';
import { formatPath, plainValue, type JsonNode, type JsonPath, type JsonValue } from './tree.js';
import * as generated from './validators.generated.js';
import { editDistance } from '../../model/edit-distance.js';

const BASE = 'https://netlint.dev/schemas/';

/** Schemas in `schemas/` that documents are validated against, by short id. */
const SCHEMA_REFS = {
  /** A single-plugin `.conf`. */
  'cni-network-config': `${BASE}cni-network-config.schema.json`,
  /** A `.conflist`. */
  'cni-conflist': `${BASE}cni-conflist.schema.json`,
  /** One plugin object (a `plugins[]` entry or a delegate). */
  'cni-plugin': `${BASE}cni-plugins.schema.json#/$defs/plugin`,
  'docker-daemon': `${BASE}docker-daemon.schema.json`,
  /** `KubeProxyConfiguration` (kubeproxy.config.k8s.io/v1alpha1). */
  'kube-proxy-config': `${BASE}kube-proxy-config.schema.json`,
  /** The ip-masq-agent config file (ConfigMap key `config`). */
  'ip-masq-agent-config': `${BASE}ip-masq-agent-config.schema.json`,
} as const;

export type SchemaId = keyof typeof SCHEMA_REFS;
export const SCHEMA_IDS = Object.keys(SCHEMA_REFS) as SchemaId[];

const SCHEMA_DOCUMENTS: AnySchemaObject[] = [
  cniPluginsSchema,
  cniNetworkConfigSchema,
  cniConflistSchema,
  dockerDaemonSchema,
  kubeProxyConfigSchema,
  ipMasqAgentConfigSchema,
];

/**
 * Annotation keywords of netlint's schemas (ignored by validation):
 * `x-expected` how a valid value is described in messages; `x-message` a whole message for
 * errors of that schema object; `x-at: "key"` report at the property's key, not its value;
 * `x-missing` the key a custom `anyOf` of `required`s is about; `x-since`, `x-deprecated-in`,
 * `x-removed-in` versions; `x-use-instead` the key to use instead of an accepted-but-ignored alias.
 * Listed, with the ajv options, in document-ajv.json, which scripts/gen-validators.mjs reads too.
 */
export const SCHEMA_ANNOTATIONS: readonly string[] = documentAjv.annotations;

/** The exports of validators.generated.ts, by schema id. */
const GENERATED: Record<SchemaId, unknown> = {
  'cni-network-config': generated.cniNetworkConfig,
  'cni-conflist': generated.cniConflist,
  'cni-plugin': generated.cniPlugin,
  'docker-daemon': generated.dockerDaemon,
  'kube-proxy-config': generated.kubeProxyConfig,
  'ip-masq-agent-config': generated.ipMasqAgentConfig,
};

/**
 * Fingerprint of schemas, as scripts/gen-validators.mjs computes it: their JSON. Comparing it is
 * exact and takes well under a millisecond; a hash needed node:crypto, several milliseconds to load.
 */
export function schemaFingerprint(schemas: readonly object[]): string {
  return JSON.stringify(schemas);
}

let generatedCurrent: boolean | undefined;

/**
 * Whether validators.generated.ts was generated from the schemas in `schemas/` (checked once):
 * if a schema changed since, validators are compiled with ajv instead.
 */
function useGenerated(): boolean {
  generatedCurrent ??= generated.fingerprint === schemaFingerprint(SCHEMA_DOCUMENTS);
  return generatedCurrent;
}

let ajv: Ajv | undefined;
const validators = new Map<SchemaId, ValidateFunction>();

function getAjv(): Ajv {
  if (!ajv) {
    // The options scripts/gen-validators.mjs compiles the generated validators with.
    ajv = new (ajvLib().Ajv)(documentAjv.options);
    ajv.addVocabulary([...SCHEMA_ANNOTATIONS]);
    for (const schema of SCHEMA_DOCUMENTS) ajv.addSchema(schema);
  }
  return ajv;
}

/**
 * The compiled validator of a schema: generated ahead of time (scripts/gen-validators.mjs), or
 * compiled once on first use when the schemas changed since.
 */
export function schemaValidator(schemaId: SchemaId): ValidateFunction {
  let validate = validators.get(schemaId);
  if (!validate) {
    const ref = SCHEMA_REFS[schemaId];
    if (!ref) throw new TypeError(`Unknown schema id "${schemaId}".`);
    validate = useGenerated() ? (GENERATED[schemaId] as ValidateFunction) : getAjv().getSchema(ref);
    if (!validate) throw new TypeError(`Schema "${ref}" is not registered.`);
    validators.set(schemaId, validate);
  }
  return validate;
}

/** The schema object a validator checks the root against (its title names the document). */
function rootSchema(schemaId: SchemaId): AnySchemaObject {
  const [base, fragment] = SCHEMA_REFS[schemaId].split('#');
  let schema = SCHEMA_DOCUMENTS.find((s) => s.$id === base);
  if (!schema) throw new TypeError(`Schema "${base}" is not registered.`);
  for (const seg of (fragment ?? '').split('/').filter(Boolean)) schema = (schema as AnySchemaObject)[seg] as AnySchemaObject;
  return schema as AnySchemaObject;
}

/** The schema document itself (for annotations such as `x-removed-in`). */
export function schemaDocument(schemaId: Exclude<SchemaId, 'cni-plugin'>): AnySchemaObject {
  return rootSchema(schemaId);
}

/**
 * A schema violation independent of any tree: where (as a JSON path), what, and a readable
 * message. For consumers with their own trees (YAML): report at the key when `target` is `key`,
 * at the object when `object` (a missing key), else at the value.
 */
export interface SchemaError {
  /** Path of the offending value; for `key` targets, of the key's value. */
  path: JsonPath;
  target: 'key' | 'value' | 'object';
  keyword: string;
  /** Readable message, ending with a period. */
  message: string;
  params: Record<string, unknown>;
  /** The schema object the failing keyword belongs to (title, description, x-* annotations). */
  schema?: AnySchemaObject;
  /** For unknown keys, missing keys and `x-at: "key"`: the key. */
  key?: string;
  /** For value errors: how a valid value looks ("an integer from 0 to 31"). */
  expected?: string;
  /** The offending value or key as messages name it: `"markMasqBit"`, `"plugins[1]"`, `key "x"`. */
  name: string;
  /** For unknown and missing keys: the object they belong to (`the bridge plugin config`). */
  where?: string;
}

/** A schema violation located in a JSON tree. */
export interface SchemaIssue extends SchemaError {
  /** The most precise real node: the offending key's property, or the failing value. */
  node: JsonNode;
  /** Range to report (the key, the value, or for a missing key the holding key or `{`). */
  range: Range;
}

/**
 * Validates a plain value (from any tree: JSON, YAML) against one of netlint's schemas and
 * returns readable errors with JSON paths. Never throws on user data.
 */
export function schemaErrors(schemaId: SchemaId, value: unknown, options: { rootName?: string } = {}): SchemaError[] {
  const validate = schemaValidator(schemaId);
  if (validate(value)) return [];
  const root = rootSchema(schemaId);
  const rootName = options.rootName ?? (typeof root.title === 'string' ? root.title : 'the document');
  return readableErrors(validate.errors ?? [], value, rootName);
}

/**
 * Validates a JSON tree against one of netlint's schemas and locates each violation on the
 * exact key or value (see `locateSchemaError`). Violations on install-template placeholders
 * (`__CNI_MTU__`) are skipped: their real value is not known. Never throws on user data.
 */
export function validateWithSchema(
  schemaId: SchemaId,
  root: JsonValue | undefined,
  options: { rootName?: string; keepPlaceholders?: boolean } = {},
): SchemaIssue[] {
  if (!root) return [];
  const validate = schemaValidator(schemaId);
  const value = plainValue(root);
  if (validate(value)) return [];
  const rootTitle = rootSchema(schemaId).title;
  const rootName = options.rootName ?? (typeof rootTitle === 'string' ? rootTitle : 'the document');
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const { error, readable } of wordedErrors(validate.errors ?? [], value, rootName)) {
    const located = locateSchemaError(root, {
      instancePath: error.instancePath,
      keyword: error.propertyName !== undefined ? 'propertyNames' : error.keyword,
      params: error.propertyName !== undefined ? { propertyName: error.propertyName } : error.params,
    });
    if (!located) continue;
    let { node, range, path } = located;
    if (readable.target === 'key' && node.type !== 'JsonProperty' && node.property) {
      node = node.property;
      range = node.keyRange;
    } else if (readable.target === 'object' && node.type === 'JsonObject') {
      range = node.property ? node.property.keyRange : [node.range[0], node.range[0] + 1];
    }
    if (!options.keepPlaceholders && node.type === 'JsonLiteral' && node.placeholder !== undefined) continue;
    const id = `${range[0]}:${range[1]}:${readable.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push({ ...readable, path, node, range });
  }
  return issues.sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
}

function readableErrors(errors: ErrorObject[], value: unknown, rootName: string): SchemaError[] {
  const out: SchemaError[] = [];
  const seen = new Set<string>();
  for (const { readable: r } of wordedErrors(errors, value, rootName)) {
    const id = `${JSON.stringify(r.path)}:${r.target}:${r.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(r);
  }
  return out;
}

/** Drops summary errors (`if`, `propertyNames`, branches of a reported `anyOf`) and words the rest. */
function* wordedErrors(
  errors: ErrorObject[],
  value: unknown,
  rootName: string,
): Generator<{ error: ErrorObject; readable: SchemaError }> {
  const alternatives = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map((e) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath + '/' }));
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue;
    if (alternatives.some((a) => error.schemaPath.startsWith(a.schemaPath) && error.instancePath.startsWith(a.instancePath))) continue;
    yield { error, readable: describeError(error, value, rootName) };
  }
}

function describeError(error: ErrorObject, value: unknown, rootName: string): SchemaError {
  const schema = (error.parentSchema ?? undefined) as AnySchemaObject | undefined;
  const params = (error.params ?? {}) as Record<string, unknown>;
  const path = typedPath(value, parseInstancePath(error.instancePath));
  const name = error.propertyName !== undefined ? `key "${error.propertyName}"` : nameOf(path, rootName);
  const where = whereOf(schema, path, rootName);
  const custom = typeof schema?.['x-message'] === 'string' ? (schema['x-message'] as string) : undefined;
  const atKey = schema?.['x-at'] === 'key';
  const base = { keyword: error.keyword, params, name, ...(schema ? { schema } : {}) };

  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return { ...base, path: [...path, key], target: 'key', key, where, message: custom ?? `Unknown key "${key}" in ${where}.` };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return { ...base, path, target: 'object', key, where, message: custom ?? `Missing key "${key}" in ${where}.` };
    }
    case 'dependencies':
    case 'dependentRequired': {
      const key = String(params.missingProperty);
      return {
        ...base,
        path,
        target: 'object',
        key,
        where,
        message: custom ?? `Missing key "${key}" in ${where}: "${String(params.property)}" requires it.`,
      };
    }
  }

  const key = typeof path[path.length - 1] === 'string' ? (path[path.length - 1] as string) : undefined;
  if (error.propertyName !== undefined) {
    const expected = schema ? expectedOf(schema) : 'valid';
    return { ...base, path: [...path, error.propertyName], target: 'key', key: error.propertyName, expected, message: custom ?? `Expected ${name} to be ${expected}.` };
  }
  const target = atKey && key !== undefined ? 'key' : 'value';
  const withKey = key !== undefined ? { key } : {};
  if (error.keyword === 'anyOf' && requiredAlternatives(schema)) {
    // "one of these keys must be present": a missing key, shown at the object.
    const missing = typeof schema?.['x-missing'] === 'string' ? (schema['x-missing'] as string) : requiredAlternatives(schema)![0];
    const message = custom ?? `Missing key ${requiredAlternatives(schema)!.map((k) => `"${k}"`).join(' or ')} in ${nameOrRoot(path, rootName)}.`;
    return { ...base, path, target: 'object', key: missing, where: nameOrRoot(path, rootName), message };
  }
  if (custom) return { ...base, path, target, ...withKey, message: custom };
  switch (error.keyword) {
    case 'minItems':
    case 'maxItems': {
      const n = Number(params.limit);
      const what = `${error.keyword === 'minItems' ? 'at least' : 'at most'} ${n} item${n === 1 ? '' : 's'}`;
      return { ...base, path, target, ...withKey, expected: `an array with ${what}`, message: `Expected ${name} to have ${what}.` };
    }
    case 'uniqueItems':
      return {
        ...base,
        path,
        target,
        ...withKey,
        expected: 'an array without duplicate items',
        message: `Expected ${name} to have no duplicate items (items ${String(params.j)} and ${String(params.i)} are equal).`,
      };
    case 'not':
      return { ...base, path, target, ...withKey, message: `Disallowed ${name}.` };
    case 'false schema':
      return { ...base, path, target: key !== undefined ? 'key' : 'value', ...withKey, message: `Disallowed ${name}.` };
    case 'type':
    case 'enum':
    case 'const':
    case 'pattern':
    case 'format':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
    case 'minLength':
    case 'maxLength':
    case 'anyOf':
    case 'oneOf': {
      const expected = schema ? expectedOf(schema) : 'valid';
      return { ...base, path, target, ...withKey, expected, message: `Expected ${name} to be ${expected}.` };
    }
    default:
      return { ...base, path, target, ...withKey, message: `Invalid ${name}: ${error.message ?? 'schema violation'}.` };
  }
}

/** The keys of an `anyOf` whose branches each only require one key, else undefined. */
function requiredAlternatives(schema: AnySchemaObject | undefined): string[] | undefined {
  const branches = schema?.anyOf as AnySchemaObject[] | undefined;
  if (!Array.isArray(branches)) return undefined;
  const keys: string[] = [];
  for (const b of branches) {
    if (Object.keys(b).length !== 1 || !Array.isArray(b.required) || b.required.length !== 1) return undefined;
    keys.push(String(b.required[0]));
  }
  return keys;
}

/** Instance path segments as a JSON path: array indices become numbers. */
function typedPath(value: unknown, segments: string[]): JsonPath {
  const out: JsonPath = [];
  let cur: unknown = value;
  for (const seg of segments) {
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** `"markMasqBit"`, `"plugins[1]"`, `"dns[0]"`; the root's title for `[]`. */
function nameOf(path: JsonPath, rootName: string): string {
  if (path.length === 0) return rootName;
  let i = path.length - 1;
  while (i > 0 && typeof path[i] === 'number') i--;
  if (typeof path[i] === 'number') return `"${formatPath(path)}"`;
  return `"${String(path[i])}${path.slice(i + 1).map((n) => `[${n}]`).join('')}"`;
}

function nameOrRoot(path: JsonPath, rootName: string): string {
  return path.length === 0 ? rootName : nameOf(path, rootName);
}

/** The object an unknown or missing key belongs to: its schema title, or its name. */
function whereOf(schema: AnySchemaObject | undefined, path: JsonPath, rootName: string): string {
  if (path.length === 0) return rootName;
  // Specific titles ("the bridge plugin config") beat paths; generic ones ("a route") do not.
  if (typeof schema?.title === 'string' && !/^an? /.test(schema.title)) return schema.title;
  return nameOf(path, rootName);
}

/** How a valid value of a schema is described: "an integer from 0 to 31". */
export function expectedOf(schema: AnySchemaObject): string {
  if (typeof schema['x-expected'] === 'string') return schema['x-expected'];
  if (Array.isArray(schema.enum)) return enumText(schema.enum);
  if ('const' in schema) return JSON.stringify(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as AnySchemaObject[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.map(expectedOf).join(' or ');
  const types: string[] = Array.isArray(schema.type) ? schema.type : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.length === 0) {
    if (schema.minimum !== undefined || schema.maximum !== undefined) return `a number${rangeText(schema)}`;
    if (schema.pattern !== undefined) return `a string matching /${String(schema.pattern)}/`;
    return 'valid';
  }
  return types.map((t) => typeText(t, schema)).join(' or ');
}

function typeText(type: string, schema: AnySchemaObject): string {
  switch (type) {
    case 'integer':
      return `an integer${rangeText(schema)}`;
    case 'number':
      return `a number${rangeText(schema)}`;
    case 'string': {
      let s = schema.minLength >= 1 ? 'a non-empty string' : 'a string';
      if (typeof schema.maxLength === 'number') s += ` of at most ${schema.maxLength} characters`;
      if (typeof schema.pattern === 'string') s += ` matching /${schema.pattern}/`;
      return s;
    }
    case 'boolean':
      return 'true or false';
    case 'array': {
      const items = schema.items as AnySchemaObject | undefined;
      return items && typeof items.type === 'string' ? `an array of ${items.type}s` : 'an array';
    }
    case 'object':
      return 'an object';
    case 'null':
      return 'null';
    default:
      return type;
  }
}

function rangeText(schema: AnySchemaObject): string {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const xmin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const xmax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`at least ${min}`);
  if (xmin !== undefined) parts.push(`greater than ${xmin}`);
  if (max !== undefined) parts.push(`at most ${max}`);
  if (xmax !== undefined) parts.push(`less than ${xmax}`);
  return parts.length ? ` of ${parts.join(' and ')}` : '';
}

function enumText(values: unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  if (shown.length === 1) return shown[0];
  return `one of ${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

/**
 * The known key an unknown one was probably meant to be: same letters in another case, or at
 * most two edits away (one for short keys). Undefined when nothing is close.
 */
export function suggestKey(key: string, known: Iterable<string>): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === key) return undefined;
    if (candidate.toLowerCase() === lower) return candidate;
    const limit = Math.min(key.length, candidate.length) <= 4 ? 1 : 2;
    const d = editDistance(lower, candidate.toLowerCase(), limit);
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
