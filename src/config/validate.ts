import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import configSchema from '../../schemas/netlint-config.schema.json' with { type: 'json' };
import { ajvLib } from '../engine/lazy-require.js';
import { expectedOf, schemaFingerprint } from '../parsers/json/schema.js';
import { parseInstancePath } from '../parsers/json/locate.js';
import { didYouMean } from './suggest.js';
import * as generated from './validator.generated.js';

/** A JSON path into a config: keys and array indices. */
export type ConfigPath = (string | number)[];

/** What is wrong in a config, and where. */
export interface ConfigProblem {
  path: ConfigPath;
  /** Point at the key of `path` (unknown keys) or at its value. */
  target: 'key' | 'value';
  /** What is wrong, as one sentence ending with a period. */
  message: string;
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  // Generated ahead of time by scripts/gen-validators.mjs, unless the schema changed since.
  if (!validator && generated.fingerprint === schemaFingerprint([configSchema])) validator = generated.validate as unknown as ValidateFunction;
  if (!validator) {
    const ajv = new (ajvLib().Ajv)({ allErrors: true, verbose: true, strictTuples: false, allowUnionTypes: true });
    ajv.addVocabulary(['x-expected', 'x-missing']);
    validator = ajv.compile(configSchema as AnySchemaObject);
  }
  return validator;
}

/** The config schema (`schemas/netlint-config.schema.json`). */
export function configSchemaDocument(): AnySchemaObject {
  return configSchema as AnySchemaObject;
}

/** Checks a config value against `schemas/netlint-config.schema.json`. Never throws. */
export function configShapeProblems(value: unknown): ConfigProblem[] {
  const v = validate();
  if (v(value)) return [];
  const errors = v.errors ?? [];
  // Branches of an alternative (anyOf) are summarised by the alternative's own error. Their
  // schema paths go through $refs, so they are recognised by instance path: at or below it.
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath);
  const inAlternative = (e: ErrorObject) =>
    e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && alternatives.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'propertyNames' || error.keyword === 'if') continue;
    if (inAlternative(error)) continue;
    const problem = describe(error, value);
    const id = `${JSON.stringify(problem.path)}\0${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(problem);
  }
  return out;
}

function describe(error: ErrorObject, root: unknown): ConfigProblem {
  const schema = error.parentSchema as AnySchemaObject | undefined;
  const params = error.params as Record<string, unknown>;
  const path = typedPath(root, parseInstancePath(error.instancePath));
  const name = pathName(path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((schema?.properties as Record<string, unknown>) ?? {});
      return { path: [...path, key], target: 'key', message: `Unknown key "${key}" in ${name}${didYouMean(key, known)}.` };
    }
    case 'required':
      return { path, target: 'value', message: `Missing key "${String(params.missingProperty)}" in ${name}.` };
  }
  if (error.propertyName !== undefined) {
    return { path: [...path, error.propertyName], target: 'key', message: `Invalid key "${error.propertyName}" in ${name}: expected a non-empty string.` };
  }
  if (error.keyword === 'anyOf' && Array.isArray(schema?.anyOf) && (schema.anyOf as AnySchemaObject[]).every((b) => Array.isArray(b.required))) {
    const keys = (schema.anyOf as AnySchemaObject[]).map((b) => `"${String((b.required as string[])[0])}"`);
    return { path, target: 'value', message: `Missing key ${keys.join(' or ')} in ${name}.` };
  }
  const expected = schema ? expectedOf(schema) : 'valid';
  switch (error.keyword) {
    case 'minItems':
      return { path, target: 'value', message: `Expected ${name} to have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}.` };
    case 'maxItems':
      return { path, target: 'value', message: `Expected ${name} to have at most ${String(params.limit)} items.` };
    case 'type':
    case 'enum':
    case 'const':
    case 'minLength':
    case 'anyOf':
    case 'oneOf':
      return { path, target: 'value', message: `Expected ${name} to be ${expected}${got(error.data)}.` };
    default:
      return { path, target: 'value', message: `Invalid ${name}: ${error.message ?? 'schema violation'}.` };
  }
}

/** `"overrides[0].rules.foo"`; `the config` for the root. */
export function pathName(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the config';
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return `"${s}"`;
}

/** ` (got "warning")`, shortened; '' for objects and arrays. */
function got(data: unknown): string {
  const text = data === undefined ? 'nothing' : JSON.stringify(data);
  if (text.length <= 60) return ` (got ${text})`;
  if (data === null || typeof data !== 'object') return ` (got ${text.slice(0, 57)}...)`;
  return Array.isArray(data) ? ' (got an array)' : ' (got an object)';
}

/** Instance path segments as a JSON path: array indices become numbers. */
function typedPath(value: unknown, segments: string[]): ConfigPath {
  const out: ConfigPath = [];
  let cur: unknown = value;
  for (const seg of segments) {
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}
