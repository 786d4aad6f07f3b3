import type { Range } from './source.js';

/** ESLint's numeric severities: 1 = warning, 2 = error. */
export type Severity = 1 | 2;
export type SeverityName = 'off' | 'warn' | 'error';

/** One replacement of `range` in a file's text by `text`. Offsets, never positions. */
export interface TextEdit {
  range: Range;
  text: string;
}

/** A fix or a suggestion: a described group of edits applied together. */
export interface Fix {
  messageId?: string;
  /** Human description, resolved from `messageId`. */
  desc?: string;
  edits: TextEdit[];
}

/** Another place that explains a finding (a chain jump on the way, the kernel evidence...). */
export interface RelatedLocation {
  message: string;
  filePath: string;
  range: Range;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * A problem found in one file. `range` holds the truth; the 1-based positions are derived
 * from it by the file's line index.
 */
export interface Finding {
  ruleId: string;
  messageId?: string;
  message: string;
  severity: Severity;
  filePath: string;
  range: Range;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** JSON path of the node, for JSON/YAML inputs. */
  path?: (string | number)[];
  fix?: Fix;
  suggestions?: Fix[];
  related?: RelatedLocation[];
  /** Set for `parse-error`: the file (or document) could not be read as a whole. */
  fatal?: boolean;
  /** Set on findings that a directive, the config or a baseline suppressed. */
  suppressions?: Suppression[];
}

export interface Suppression {
  kind: 'directive' | 'annotation' | 'baseline';
  justification: string;
}

/** Ids of findings the engine produces itself, not a rule. */
export type EngineRuleId = 'parse-error' | 'unknown-input' | 'internal-error' | 'unused-disable-directive';

/** Derives the 1-based positions of a range. `end` is exclusive, so is `endColumn` (as ESLint). */
export function locate(
  source: { positionAt(offset: number): { line: number; column: number } },
  range: Range,
): Pick<Finding, 'line' | 'column' | 'endLine' | 'endColumn'> {
  const start = source.positionAt(range[0]);
  const end = source.positionAt(range[1]);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** Builds a located finding for the engine's own rule ids (`parse-error`...). */
export function engineFinding(
  source: { positionAt(offset: number): { line: number; column: number } },
  filePath: string,
  ruleId: EngineRuleId,
  message: string,
  range: Range,
  severity: Severity = 2,
): Finding {
  return {
    ruleId,
    message,
    severity,
    filePath,
    range,
    ...locate(source, range),
    ...(ruleId === 'parse-error' ? { fatal: true } : {}),
  };
}

/** Orders findings by file, line, column, rule id, message (the order of every output). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** Sorts and drops exact duplicates (same rule, place and message). */
export function sortAndDedupe(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort(compareFindings);
  const out: Finding[] = [];
  for (const f of sorted) {
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.filePath === f.filePath &&
      prev.ruleId === f.ruleId &&
      prev.range[0] === f.range[0] &&
      prev.range[1] === f.range[1] &&
      prev.message === f.message
    )
      continue;
    out.push(f);
  }
  return out;
}
