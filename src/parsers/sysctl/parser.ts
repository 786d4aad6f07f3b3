import type { ParseResult, SourceComment, SourceDocument } from '../../model/document.js';
import { normaliseSysctlKey, type SysctlDocument, type SysctlEntry } from '../../model/evidence.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import type { BaseNode } from '../../model/node.js';
import type { Range, SourceText } from '../../model/source.js';
import { contentLines, isBlank } from '../lines.js';

/** stderr lines of `sysctl -a` that `2>&1` captures: `sysctl: permission denied on key '...'`. */
const DIAGNOSTIC = /^sysctl: /;

/**
 * Parses `sysctl -a` output and sysctl.conf / sysctl.d files (sysctl.d(5)): `key = value`,
 * `key=value`, `#` and `;` comment lines, a leading `-` (ignore errors), keys with `/` separators,
 * globs. Never throws: each bad line gives one `parse-error` and parsing goes on.
 */
export function parseSysctl(source: SourceText, filePath: string): ParseResult {
  const text = source.text;
  const findings: Finding[] = [];
  const comments: SourceComment[] = [];
  const root: SysctlDocument = { type: 'SysctlDocument', entries: [], range: [0, text.length] };
  const error = (message: string, range: Range) => findings.push(engineFinding(source, filePath, 'parse-error', message, range));

  for (const { start, end } of contentLines(source)) {
    const first = text.charCodeAt(start);
    if (first === 35 /* # */ || first === 59 /* ; */) {
      comments.push({ text: text.slice(start, end), range: [start, end] });
      continue;
    }
    let eq = start;
    while (eq < end && text.charCodeAt(eq) !== 61 /* = */) eq++;
    if (eq === end) {
      if (DIAGNOSTIC.test(text.slice(start, end))) continue;
      error('Invalid sysctl line: expected "key = value".', [start, end]);
      continue;
    }
    let keyStart = start;
    const ignoreErrors = first === 45; /* - */
    if (ignoreErrors) keyStart++;
    while (keyStart < eq && isBlank(text.charCodeAt(keyStart))) keyStart++;
    let keyEnd = eq;
    while (keyEnd > keyStart && isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
    const rawKey = text.slice(keyStart, keyEnd);
    if (!rawKey) {
      error('Missing sysctl key before "=".', [start, eq + 1]);
      continue;
    }
    if (/[\s]/.test(rawKey) || !/^[\w*?[\]!.\/:@+-]+$/.test(rawKey) || /^[./]|[./]$/.test(rawKey)) {
      error(`Invalid sysctl key "${rawKey}".`, [keyStart, keyEnd]);
      continue;
    }
    let valueStart = eq + 1;
    while (valueStart < end && isBlank(text.charCodeAt(valueStart))) valueStart++;
    const entry: SysctlEntry = {
      type: 'SysctlEntry',
      key: normaliseSysctlKey(rawKey),
      rawKey,
      keyRange: [keyStart, keyEnd],
      value: text.slice(valueStart, end),
      valueRange: [valueStart, end],
      ignoreErrors,
      glob: /[*?[]/.test(rawKey),
      range: [start, end],
    };
    root.entries.push(entry);
  }

  const document: SourceDocument<SysctlDocument> = { kind: 'sysctl', filePath, source, root, comments };
  return { documents: [document], findings };
}

/** Visits the document, then each entry. */
export function walkSysctl(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as SysctlDocument;
  visit(root);
  for (const entry of root.entries) visit(entry);
}
