// netlint's public API (`import { lintText } from 'netlint'`). The RuleTester is `netlint/testing`.

// Linting ------------------------------------------------------------------------------------

/** Lints one text (parse, rules, inline directives): everything but I/O; never throws on user input. */
export { lintText } from './engine/lint.js';
/** Recognises a text's input kind (unless given) and parses it into documents; never throws on user input. */
export { parseText } from './engine/lint.js';
/** Lints files, directories and globs (with config files, ignores and `--fix` when asked). */
export { lintFiles } from './engine/lint-files.js';
export type { LintFileResult, LintOptions, ParsedFile, ParseOptions } from './engine/lint.js';
export type { LintFilesOptions, LintFilesReport } from './engine/lint-files.js';

// Rules ----------------------------------------------------------------------------------------

/** Declares a rule: `meta` (id, inputs, messages, fix kind, options schema) and `create`. */
export { defineRule } from './engine/define-rule.js';
/** Rules by id; pass one to `lintText`/`lintFiles` to lint with plugin or policy rules. */
export { RuleRegistry } from './engine/registry.js';
/** The registry of netlint's built-in rules. */
export { builtinRegistry } from './engine/builtin.js';
/** The rules of a built-in preset (`netlint:recommended`, `netlint:strict`, `netlint:all`) for a registry. */
export { presetRules } from './engine/presets.js';
/** Edit builders for fixes and suggestions: insert before or after a node, replace or remove it. */
export { insertAfter, insertBefore, removeNode, replaceNode } from './fixes/edits.js';
export type {
  FixDescriptor,
  JsonSchema,
  Locatable,
  RelatedDescriptor,
  ReportDescriptor,
  ResolvedConfig,
  RuleCategory,
  RuleContext,
  RuleEntry,
  RuleHandlers,
  RuleMeta,
  RuleModule,
  Scope,
  Settings,
} from './engine/types.js';
export type { NodeTypeMap } from './engine/node-types.js';
export type { EngineRuleId, Finding, Fix, RelatedLocation, Severity, SeverityName, Suppression, TextEdit } from './model/finding.js';
export type { InputKind, SourceDocument } from './model/document.js';
export type { Position, Range } from './model/source.js';
export type { Fact } from './model/facts.js';

// Configuration ---------------------------------------------------------------------------------

/** An invalid config, plugin, policy or rule options, with the file and position when known (the CLI exits 2). */
export { ConfigError } from './engine/errors.js';
/** Finds, loads and resolves `netlint.config.*` files and their plugins; `lintFiles` takes one as `configs`. */
export { ConfigResolver } from './config/resolver.js';
export type { ConfigResolverOptions } from './config/resolver.js';
export type { Config, ConfigOverride, LinterOptions, NetlintPlugin } from './config/types.js';

// Policies ----------------------------------------------------------------------------------------

/** Reads policy files and compiles each policy into a rule (add them to a `RuleRegistry`). */
export { loadPolicies } from './policy/load.js';
/** Runs the pass/fail fixtures of policy folders (`netlint test-policies`). */
export { testPolicies } from './policy/test-policies.js';
export type { LoadedPolicies } from './policy/load.js';
export type { PolicyTestFailure, PolicyTestResult } from './policy/test-policies.js';
export type { Policy } from './policy/types.js';

// Output ----------------------------------------------------------------------------------------------

/** Converts results to ESLint's `LintResult` shape (what `--format json` prints and ESLint formatters take). */
export { toEslintResults } from './formatters/eslint-results.js';
/** A built-in formatter by name, or an ESLint formatter package or module resolved from `cwd`. */
export { loadFormatter } from './formatters/index.js';
/** Formatters' rule metadata (descriptions, docs links, help) for a set of rules. */
export { rulesMetaFor } from './formatters/rules-meta.js';
/** A formatter that cannot be found or loaded. */
export { FormatterError } from './formatters/load.js';
export type { ToEslintResultsOptions } from './formatters/eslint-results.js';
export type { LoadedFormatter } from './formatters/load.js';
export type { EslintLikeMessage, EslintLikeResult, FormatterContext, FormatterRuleMeta } from './formatters/types.js';

// Address math --------------------------------------------------------------------------------------

/** An immutable set of IPv4 and IPv6 addresses (union, intersection, difference, containment). */
export { AddressSet } from './net/range-set.js';
/** Text of an address set for messages: CIDRs, or `first-last` ranges. */
export { describeAddressSet } from './net/range-set.js';
/** Parses an address, a CIDR (`10.0.0.0/8`) or an `a-b` range into an inclusive range; `undefined` when invalid. */
export { parseCidr } from './net/cidr.js';
/** Parses an IPv4 or IPv6 address into a family and an integer; `undefined` when invalid. */
export { parseAddress } from './net/cidr.js';
/** Parses `address`, `address/prefix` or `address/netmask` (non-contiguous masks too), keeping host bits. */
export { parseMaskedAddress } from './net/cidr.js';
/** Prints an address of a family from its integer value. */
export { formatAddress } from './net/cidr.js';
/** Prints a range as one CIDR when it is one, else `first-last`. */
export { formatRange } from './net/cidr.js';
/** The fewest CIDRs covering exactly a range. */
export { rangeToCidrs } from './net/cidr.js';
export type { AddressRange, IpFamily, MaskedAddress, ParsedAddress } from './net/cidr.js';
