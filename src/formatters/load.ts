import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EslintLikeResult, FormatterContext, FormatterRuleMeta } from './types.js';
import { importModule } from '../engine/import-module.js';

/** A formatter could not be found, loaded or run. The CLI reports its message and exits 2. */
export class FormatterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FormatterError';
  }
}

/** A loaded formatter; external ones may be async, so this always returns a promise. */
export type LoadedFormatter = (results: EslintLikeResult[], context: FormatterContext) => Promise<string>;

/** ESLint's rule `meta`, as ESLint formatters read it from `context.rulesMeta`. */
export interface EslintRuleMeta {
  docs?: { description?: string; url?: string };
  fixable?: 'code';
  hasSuggestions?: boolean;
  messages?: Record<string, string>;
}

type EslintFormatterFunction = (
  results: EslintLikeResult[],
  context: { cwd: string; rulesMeta: Record<string, EslintRuleMeta> },
) => unknown;

/**
 * Loads an ESLint formatter from outside netlint and wraps it to be called as ESLint calls it:
 * `formatter(results, { cwd, rulesMeta })`, awaited, with results sorted by path.
 *
 * `nameOrPath` is resolved from `cwd` like ESLint's `--format`:
 * - a path (absolute, starting with `.`, or containing a slash without a scope): that module;
 * - `foo` → `eslint-formatter-foo`; `@scope/foo` → `@scope/eslint-formatter-foo`;
 *   `@scope` → `@scope/eslint-formatter`; then the name as a full package name;
 * - last, a `.js`/`.mjs`/`.cjs` file name relative to `cwd`.
 *
 * Packages are resolved with `require.resolve` semantics (as ESLint does), so a package that
 * exports only an `import` condition is not found. Throws {@link FormatterError}.
 */
export async function loadExternalFormatter(nameOrPath: string, cwd: string): Promise<LoadedFormatter> {
  const file = resolveFormatter(nameOrPath, cwd);
  let module: unknown;
  try {
    module = await importModule(pathToFileURL(file).href);
  } catch (err) {
    throw new FormatterError(`Cannot load formatter "${nameOrPath}" (${file}): ${describe(err)}`, { cause: err });
  }
  const format = formatterFunction(module);
  if (!format) {
    throw new FormatterError(`Formatter "${nameOrPath}" (${file}) does not export a function: an ESLint formatter exports (results, context) => string.`);
  }
  return async (results, context) => {
    const sorted = [...results].sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
    let output: unknown;
    try {
      output = await format(sorted, { cwd: context.cwd, rulesMeta: toEslintRulesMeta(context.rulesMeta) });
    } catch (err) {
      throw new FormatterError(`Formatter "${nameOrPath}" failed: ${describe(err)}`, { cause: err });
    }
    return typeof output === 'string' ? output : output == null ? '' : String(output);
  };
}

/** Path of the module `--format nameOrPath` means, resolved from `cwd`; throws {@link FormatterError}. */
export function resolveFormatter(nameOrPath: string, cwd: string): string {
  const name = nameOrPath.replace(/\\/g, '/');
  const isPath = path.isAbsolute(nameOrPath) || name.startsWith('.') || (!name.startsWith('@') && name.includes('/'));
  if (isPath) {
    const file = path.resolve(cwd, nameOrPath);
    if (!existsSync(file)) throw new FormatterError(`Cannot find formatter module "${nameOrPath}" (no file ${file}).`);
    return file;
  }
  // createRequire wants a file; it need not exist.
  const require = createRequire(path.join(cwd, '__netlint_formatter__.js'));
  const candidates = [...new Set([formatterPackageName(name), name])];
  const problems: string[] = [];
  for (const candidate of candidates) {
    try {
      return require.resolve(candidate);
    } catch (err) {
      // Not installed is expected; anything else (bad `exports`) is worth showing.
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') problems.push(`${candidate}: ${describe(err)}`);
    }
  }
  if (/\.[cm]?js$/.test(name) && existsSync(path.resolve(cwd, nameOrPath))) return path.resolve(cwd, nameOrPath);
  throw new FormatterError(
    `Cannot find formatter "${nameOrPath}": it is not built in (stylish, json, sarif, junit, github, checkstyle, compact), ` +
      `and no package ${candidates.map((c) => `"${c}"`).join(' or ')} can be resolved from ${cwd}.` +
      (problems.length ? ` ${problems.join('; ')}` : ` Install it (npm install --save-dev ${candidates[0]}) or give a path to a module.`),
  );
}

/** ESLint's `normalizePackageName(name, 'eslint-formatter')`. */
export function formatterPackageName(name: string): string {
  const prefix = 'eslint-formatter';
  if (name.startsWith('@')) {
    const scopeOnly = /^(@[^/]+)(?:\/(?:eslint-formatter)?)?$/u;
    if (scopeOnly.test(name)) return name.replace(scopeOnly, `$1/${prefix}`);
    if (!/^eslint-formatter(-|$)/u.test(name.split('/')[1])) return name.replace(/^@([^/]+)\/(.*)$/u, `@$1/${prefix}-$2`);
    return name;
  }
  return name.startsWith(`${prefix}-`) ? name : `${prefix}-${name}`;
}

/** The rule metadata as ESLint formatters expect it (`docs.description`, `docs.url`...). */
export function toEslintRulesMeta(rulesMeta: Record<string, FormatterRuleMeta> | undefined): Record<string, EslintRuleMeta> {
  const out: Record<string, EslintRuleMeta> = {};
  for (const [id, meta] of Object.entries(rulesMeta ?? {})) {
    out[id] = {
      docs: {
        ...(meta.description ? { description: meta.description } : {}),
        ...(meta.docsUrl ? { url: meta.docsUrl } : {}),
      },
      ...(meta.fixable === 'safe' ? { fixable: 'code' as const } : {}),
      ...(meta.fixable ? { hasSuggestions: true } : {}),
      ...(meta.messages ? { messages: meta.messages } : {}),
    };
  }
  return out;
}

/** `module.exports = fn`, `export default fn`, or a transpiled `exports.default = fn`. */
function formatterFunction(module: unknown): EslintFormatterFunction | undefined {
  let candidate = (module as { default?: unknown }).default ?? module;
  if (typeof candidate !== 'function' && candidate && typeof (candidate as { default?: unknown }).default === 'function') {
    candidate = (candidate as { default: unknown }).default;
  }
  return typeof candidate === 'function' ? (candidate as EslintFormatterFunction) : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
