import { createRequire } from 'node:module';

// `yaml` and `ajv` are CommonJS packages, so they can be loaded synchronously on first use.
// Most runs need neither (no YAML config, no rule options, no manifest that the fast YAML reader
// cannot read), and each costs tens of milliseconds of start-up.
const require = createRequire(import.meta.url);

let yaml: typeof import('yaml') | undefined;
let ajv: typeof import('ajv') | undefined;

/** The `yaml` package, loaded on first use. */
export function yamlLib(): typeof import('yaml') {
  yaml ??= require('yaml') as typeof import('yaml');
  return yaml;
}

/** The `ajv` package, loaded on first use. */
export function ajvLib(): typeof import('ajv') {
  ajv ??= require('ajv') as typeof import('ajv');
  return ajv;
}

let crypto: typeof import('node:crypto') | undefined;

/** `node:crypto`, loaded on first use (a few milliseconds of start-up; only caches, baselines and schema checks hash). */
export function cryptoLib(): typeof import('node:crypto') {
  crypto ??= require('node:crypto') as typeof import('node:crypto');
  return crypto;
}
