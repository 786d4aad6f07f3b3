import type { Severity } from '../model/finding.js';

/** ESLint's fix: one replacement of `range` (UTF-16 offsets, end exclusive) by `text`. */
export interface EslintFix {
  range: [number, number];
  text: string;
}

/** ESLint's suggestion: a described fix that editors offer and `--fix` never applies. */
export interface EslintSuggestion {
  desc: string;
  messageId?: string;
  fix: EslintFix;
}

/**
 * netlint's extension of ESLint's message: other places that explain the problem (the chain
 * jumps on the way to a MASQUERADE, the kernel evidence...). ESLint formatters ignore it; the
 * SARIF formatter turns it into `relatedLocations`.
 */
export interface EslintRelatedLocation {
  /** Absolute path, like the result's `filePath`. */
  filePath: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** ESLint's `LintMessage`, as `--format json` prints it. Positions are 1-based; `endColumn` is exclusive. */
export interface EslintLikeMessage {
  /** `null` only in results that come from ESLint itself (its parsing errors have no rule). */
  ruleId: string | null;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  messageId?: string;
  /** The file could not be parsed; always counted as an error. */
  fatal?: boolean;
  fix?: EslintFix;
  suggestions?: EslintSuggestion[];
  /** netlint extension, see {@link EslintRelatedLocation}. */
  relatedLocations?: EslintRelatedLocation[];
}

/** Why a message was suppressed: ESLint uses `directive`; netlint adds `annotation` and `baseline`. */
export interface EslintSuppression {
  kind: string;
  justification: string;
}

/** A message that a directive, annotation or baseline suppressed. */
export interface EslintSuppressedMessage extends EslintLikeMessage {
  suppressions: EslintSuppression[];
}

/** ESLint's entry for a deprecated rule that was used; netlint has none yet, so always `[]`. */
export interface EslintDeprecatedRuleUse {
  ruleId: string;
  replacedBy: string[];
}

/**
 * ESLint's `LintResult` for one file, so that any ESLint formatter package can print netlint's
 * results (DESIGN.md, "Output and exit codes").
 */
export interface EslintLikeResult {
  /** Absolute path, or `<text>` for unnamed stdin (as ESLint). */
  filePath: string;
  messages: EslintLikeMessage[];
  suppressedMessages: EslintSuppressedMessage[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  /** The linted text; present when the file has problems and no `output` (as ESLint). */
  source?: string;
  /** The fixed text, when fixes were applied. */
  output?: string;
  usedDeprecatedRules: EslintDeprecatedRuleUse[];
}

/** What formatters know about a rule; the SARIF formatter turns it into a reporting descriptor. */
export interface FormatterRuleMeta {
  /** One line: what the rule requires. */
  description?: string;
  /** Where the rule's documentation lives (an absolute URL). */
  docsUrl?: string;
  /** Plain-text help: why it matters and how to fix it. */
  helpText?: string;
  /** The same help in Markdown, for viewers that render it (GitHub code scanning). */
  helpMarkdown?: string;
  /** correctness, security, reliability, performance, style, nursery. */
  category?: string;
  /** `safe`: gives fixes (and suggestions); `suggestion`: suggestions only. */
  fixable?: 'safe' | 'suggestion';
  /** Message templates keyed by message id. */
  messages?: Record<string, string>;
}

/** Everything a built-in formatter may use besides the results. Formatters do no I/O. */
export interface FormatterContext {
  /** Paths are shown relative to it (github, junit, sarif). */
  cwd: string;
  rulesMeta?: Record<string, FormatterRuleMeta>;
  /** ANSI colours (stylish only). */
  color: boolean;
  /** netlint's version, for SARIF's `tool.driver`. */
  toolVersion: string;
  /** SARIF `tool.driver.informationUri`; defaults to netlint's package page. */
  informationUri?: string;
}

/** A built-in formatter: a pure function from results to the text to print. */
export type Formatter = (results: EslintLikeResult[], context: FormatterContext) => string;
