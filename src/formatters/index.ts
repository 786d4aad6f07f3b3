import { checkstyle } from './checkstyle.js';
import { compact } from './compact.js';
import { github } from './github.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { FormatterError, loadExternalFormatter, type LoadedFormatter } from './load.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';
import type { Formatter } from './types.js';

/** Names of the built-in formatters, in the order `--help` lists them. */
export const BUILTIN_FORMATTERS = ['stylish', 'json', 'sarif', 'junit', 'github', 'checkstyle', 'compact'] as const;

/** A built-in formatter's name. */
export type BuiltinFormatterName = (typeof BUILTIN_FORMATTERS)[number];

const builtins: Record<BuiltinFormatterName, Formatter> = { stylish, json, sarif, junit, github, checkstyle, compact };

/** Whether `name` is a built-in formatter. */
export function isBuiltinFormatter(name: string): name is BuiltinFormatterName {
  return (BUILTIN_FORMATTERS as readonly string[]).includes(name);
}

/** A built-in formatter by name; throws {@link FormatterError} for any other name. */
export function getFormatter(name: string): Formatter {
  if (!isBuiltinFormatter(name)) {
    throw new FormatterError(`Unknown built-in formatter "${name}": use one of ${BUILTIN_FORMATTERS.join(', ')}.`);
  }
  return builtins[name];
}

/**
 * What `--format nameOrPath` means: a built-in formatter (never shadowed by an installed
 * `eslint-formatter-<name>`), else an ESLint formatter package or module resolved from `cwd`
 * (see {@link loadExternalFormatter}). Throws {@link FormatterError} when it cannot be loaded.
 */
export async function loadFormatter(nameOrPath: string, cwd: string): Promise<LoadedFormatter> {
  if (isBuiltinFormatter(nameOrPath)) {
    const format = builtins[nameOrPath];
    return async (results, context) => format(results, context);
  }
  return loadExternalFormatter(nameOrPath, cwd);
}

export { checkstyle, compact, github, json, junit, sarif, stylish };
export { mergeEdits, toEslintResult, toEslintResults, type ToEslintResultsOptions } from './eslint-results.js';
export {
  FormatterError,
  formatterPackageName,
  loadExternalFormatter,
  resolveFormatter,
  toEslintRulesMeta,
  type EslintRuleMeta,
  type LoadedFormatter,
} from './load.js';
export { ENGINE_RULES_META, rulesMetaFor } from './rules-meta.js';
export { NETLINT_INFORMATION_URI, sarifLog, type SarifLog } from './sarif.js';
export type {
  EslintDeprecatedRuleUse,
  EslintFix,
  EslintLikeMessage,
  EslintLikeResult,
  EslintRelatedLocation,
  EslintSuggestion,
  EslintSuppressedMessage,
  EslintSuppression,
  Formatter,
  FormatterContext,
  FormatterRuleMeta,
} from './types.js';
