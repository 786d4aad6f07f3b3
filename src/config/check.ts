import type { Ajv, AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { ajvLib } from '../engine/lazy-require.js';
import type { RuleRegistry } from '../engine/registry.js';
import type { RuleEntry, RuleModule, Settings } from '../engine/types.js';
import { expectedOf } from '../parsers/json/schema.js';
import { parseInstancePath } from '../parsers/json/locate.js';
import { cidrProblem } from './cidr.js';
import { configError } from './source.js';
import { didYouMean } from './suggest.js';
import type { ConfigSource } from './types.js';
import { pathName, type ConfigPath } from './validate.js';

let ajv: Ajv | undefined;
const validators = new WeakMap<object, ValidateFunction>();

/**
 * Checks the `rules` of one config object: every id names a known rule (else an error with the
 * closest id), and options match the rule's `meta.schema`. Errors point into `source` at `at`.
 */
export function checkRules(
  rules: Record<string, RuleEntry> | undefined,
  registry: RuleRegistry,
  pluginNames: ReadonlySet<string>,
  source: ConfigSource,
  at: ConfigPath,
): void {
  if (!rules) return;
  for (const [id, entry] of Object.entries(rules)) {
    const rule = registry.get(id);
    const where = [...at, 'rules', id];
    if (!rule || (id.includes('/') && !pluginNames.has(id.slice(0, id.lastIndexOf('/'))))) {
      const prefix = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : undefined;
      const hint =
        prefix !== undefined && !pluginNames.has(prefix)
          ? `: no plugin "${prefix}" is loaded by this config (add it to "plugins")`
          : didYouMean(id, registry.all().map((r) => r.meta.id).filter((r) => !r.includes('/') || pluginNames.has(r.slice(0, r.lastIndexOf('/')))));
      throw configError(source, where, `Unknown rule "${id}"${hint}.`, 'key');
    }
    const problem = ruleOptionsProblem(rule, entry);
    if (problem) throw configError(source, [...where, 1, ...problem.path], problem.message, problem.target);
  }
}

/** What is wrong with the options of a rule entry, or undefined. */
export function ruleOptionsProblem(rule: RuleModule<any>, entry: RuleEntry): { path: ConfigPath; message: string; target?: 'key' } | undefined {
  if (!Array.isArray(entry) || entry.length < 2 || entry[1] === undefined) return undefined;
  const options = entry[1];
  const id = rule.meta.id;
  if (!rule.meta.schema) {
    return Object.keys(options).length > 0 ? { path: [], message: `Rule "${id}" takes no options.` } : undefined;
  }
  let validate = validators.get(rule.meta.schema);
  if (!validate) {
    ajv ??= new (ajvLib().Ajv)({ allErrors: true, verbose: true, strict: false });
    validate = ajv.compile(rule.meta.schema);
    validators.set(rule.meta.schema, validate);
  }
  if (validate(options)) return undefined;
  const error = pickError(validate.errors ?? []);
  const segments = parseInstancePath(error.instancePath);
  const path: ConfigPath = segments.map((s, i) => (Array.isArray(valueAt(options, segments.slice(0, i))) ? Number(s) : s));
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as AnySchemaObject | undefined;
  const name = path.length ? pathName(path) : 'the options';
  if (error.keyword === 'additionalProperties') {
    const key = String(params.additionalProperty);
    const known = Object.keys((schema?.properties as Record<string, unknown>) ?? {});
    const knownText = known.length ? `; it takes ${known.map((k) => `"${k}"`).join(', ')}` : '';
    return { path: [...path, key], target: 'key', message: `Invalid options for rule "${id}": unknown option "${key}"${didYouMean(key, known) || knownText}.` };
  }
  if (error.keyword === 'required') {
    return { path, message: `Invalid options for rule "${id}": missing option "${String(params.missingProperty)}" in ${name}.` };
  }
  const expected = schema ? expectedOf(schema) : 'valid';
  const detail = ['type', 'enum', 'const', 'anyOf', 'oneOf', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength'].includes(error.keyword)
    ? `expected ${name} to be ${expected}`
    : `${name} ${error.message ?? 'is invalid'}`;
  return { path, message: `Invalid options for rule "${id}": ${detail}.` };
}

/** Checks `settings` (today: each `internalNetworks` entry must be a CIDR). */
export function checkSettings(settings: Settings | undefined, source: ConfigSource, at: ConfigPath): void {
  const networks = settings?.internalNetworks;
  if (!Array.isArray(networks)) return;
  networks.forEach((cidr, i) => {
    const problem = typeof cidr === 'string' ? cidrProblem(cidr) : 'expected a string';
    if (problem) throw configError(source, [...at, 'settings', 'internalNetworks', i], `Invalid CIDR "${String(cidr)}" in settings.internalNetworks: ${problem}.`);
  });
}

/** The most specific error: the deepest instance path, preferring errors outside alternatives. */
function pickError(errors: ErrorObject[]): ErrorObject {
  let best = errors[0];
  for (const e of errors) {
    if (e.instancePath.length > best.instancePath.length) best = e;
  }
  return best;
}

function valueAt(value: unknown, segments: string[]): unknown {
  let cur = value;
  for (const s of segments) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
  return cur;
}
