import type { LintFileResult } from '../engine/lint.js';
import { resolvePath } from '../engine/resolve-path.js';
import type { Finding, Fix, RelatedLocation, TextEdit } from '../model/finding.js';
import type {
  EslintFix,
  EslintLikeMessage,
  EslintLikeResult,
  EslintRelatedLocation,
  EslintSuggestion,
  EslintSuppressedMessage,
} from './types.js';

/** Options of {@link toEslintResults}. */
export interface ToEslintResultsOptions {
  /** Relative file paths are resolved against it: ESLint's `filePath` is absolute. */
  cwd: string;
}

/**
 * Converts netlint's per-file results to ESLint's `LintResult` shape, so `--format json` prints
 * what ESLint prints and ESLint formatter packages work unchanged.
 *
 * - Findings with `suppressions` go to `suppressedMessages` and are not counted (as ESLint).
 * - A fix of several edits becomes one `{ range, text }` spanning them all, like ESLint's
 *   `mergeFixes`. A fix whose edits overlap or leave the text is dropped (the message stays),
 *   because it cannot be written as one replacement.
 * - `source` is set when the file has problems, as ESLint does (not only for fatal ones):
 *   formatters such as codeframe print it for every message.
 * - `related` locations become the extra `relatedLocations` property (ESLint formatters ignore
 *   unknown properties).
 */
export function toEslintResults(results: readonly LintFileResult[], options: ToEslintResultsOptions): EslintLikeResult[] {
  return results.map((result) => toEslintResult(result, options));
}

/** {@link toEslintResults} for one file. */
export function toEslintResult(result: LintFileResult, options: ToEslintResultsOptions): EslintLikeResult {
  const messages: EslintLikeMessage[] = [];
  const suppressedMessages: EslintSuppressedMessage[] = [];
  for (const finding of result.findings) {
    const message = toMessage(finding, result.text, options.cwd);
    if (finding.suppressions?.length) {
      suppressedMessages.push({
        ...message,
        suppressions: finding.suppressions.map(({ kind, justification }) => ({ kind, justification })),
      });
    } else {
      messages.push(message);
    }
  }
  const stats = countMessages(messages);
  return {
    filePath: absolutePath(result.filePath, options.cwd),
    messages,
    suppressedMessages,
    ...stats,
    // ESLint: `if (errorCount + warningCount > 0 && output === undefined) result.source = text`.
    ...(result.output !== undefined ? { output: result.output } : stats.errorCount + stats.warningCount > 0 ? { source: result.text } : {}),
    usedDeprecatedRules: [],
  };
}

/**
 * Merges the edits of one fix into a single replacement, as ESLint's `mergeFixes` does: the
 * range runs from the first edit's start to the last edit's end, and the text between edits is
 * copied from `text`. Returns `undefined` for no edits, overlapping edits, or edits outside `text`.
 */
export function mergeEdits(edits: readonly TextEdit[], text: string): EslintFix | undefined {
  if (edits.length === 0) return undefined;
  // Stable sort: insertions at one offset keep the order the rule gave them.
  const sorted = [...edits].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  for (const { range } of sorted) {
    if (!(range[0] >= 0 && range[0] <= range[1] && range[1] <= text.length)) return undefined;
  }
  const start = sorted[0].range[0];
  let merged = '';
  let last = start;
  for (const edit of sorted) {
    if (edit.range[0] < last) return undefined;
    merged += text.slice(last, edit.range[0]) + edit.text;
    last = edit.range[1];
  }
  return { range: [start, last], text: merged };
}

function toMessage(finding: Finding, text: string, cwd: string): EslintLikeMessage {
  const message: EslintLikeMessage = {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    line: finding.line,
    column: finding.column,
    endLine: finding.endLine,
    endColumn: finding.endColumn,
  };
  if (finding.messageId) message.messageId = finding.messageId;
  if (finding.fatal) message.fatal = true;
  const fix = finding.fix && mergeEdits(finding.fix.edits, text);
  if (fix) message.fix = fix;
  const suggestions = (finding.suggestions ?? []).flatMap((s) => toSuggestion(s, text));
  if (suggestions.length) message.suggestions = suggestions;
  if (finding.related?.length) message.relatedLocations = finding.related.map((r) => toRelated(r, cwd));
  return message;
}

function toSuggestion(suggestion: Fix, text: string): EslintSuggestion[] {
  const fix = mergeEdits(suggestion.edits, text);
  if (!fix) return [];
  return [
    {
      desc: suggestion.desc ?? suggestion.messageId ?? '',
      ...(suggestion.messageId ? { messageId: suggestion.messageId } : {}),
      fix,
    },
  ];
}

function toRelated(related: RelatedLocation, cwd: string): EslintRelatedLocation {
  return {
    filePath: absolutePath(related.filePath, cwd),
    message: related.message,
    line: related.line,
    column: related.column,
    endLine: related.endLine,
    endColumn: related.endColumn,
  };
}

function absolutePath(filePath: string, cwd: string): string {
  return filePath === '<text>' ? filePath : resolvePath(cwd, filePath);
}

/** ESLint's `calculateStatsPerFile`: fatal messages are errors whatever their severity. */
function countMessages(messages: readonly EslintLikeMessage[]) {
  const stats = { errorCount: 0, fatalErrorCount: 0, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0 };
  for (const m of messages) {
    if (m.fatal || m.severity === 2) {
      stats.errorCount++;
      if (m.fatal) stats.fatalErrorCount++;
      if (m.fix) stats.fixableErrorCount++;
    } else {
      stats.warningCount++;
      if (m.fix) stats.fixableWarningCount++;
    }
  }
  return stats;
}
