import type { ParseResult, SourceComment, SourceDocument } from '../../model/document.js';
import type { KernelDocument, KernelSource, KernelVersion } from '../../model/evidence.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import type { BaseNode } from '../../model/node.js';
import type { Range, SourceText } from '../../model/source.js';
import { archOf, parseKernelRelease } from './version.js';
import { contentLines } from '../lines.js';

const PROC_VERSION = /^Linux version (\S+)/;

/**
 * Parses `uname -r`, `uname -a` (also `uname -srm`) and `/proc/version` output: one kernel
 * version per line. Never throws: a line that holds no kernel version gives one `parse-error`.
 */
export function parseKernel(source: SourceText, filePath: string): ParseResult {
  const text = source.text;
  const findings: Finding[] = [];
  const comments: SourceComment[] = [];
  const root: KernelDocument = { type: 'KernelDocument', versions: [], range: [0, text.length] };
  const error = (message: string, range: Range) => findings.push(engineFinding(source, filePath, 'parse-error', message, range));

  for (const { start, end } of contentLines(source)) {
    const line = text.slice(start, end);
    if (line.charCodeAt(0) === 35 /* # */) {
      comments.push({ text: line, range: [start, end] });
      continue;
    }
    const version = readLine(line, start, end);
    if (version) root.versions.push(version);
    else error('Invalid kernel version line: expected `uname -r`, `uname -a` or /proc/version output.', [start, end]);
  }
  root.version = root.versions[0];
  if (!root.version && !findings.length) error('Missing kernel version: the file is empty.', [0, 0]);

  const document: SourceDocument<KernelDocument> = { kind: 'kernel', filePath, source, root, comments };
  return { documents: [document], findings };
}

function readLine(line: string, start: number, end: number): KernelVersion | undefined {
  const make = (raw: string, at: number, kind: KernelSource, context: string): KernelVersion | undefined => {
    const release = parseKernelRelease(raw, context);
    if (!release) return undefined;
    return { type: 'KernelVersion', source: kind, ...release, range: [start + at, start + at + raw.length], lineRange: [start, end] };
  };

  const proc = PROC_VERSION.exec(line);
  if (proc) return make(proc[1], proc[0].length - proc[1].length, 'proc-version', line);

  const fields: { value: string; at: number }[] = [];
  for (const m of line.matchAll(/\S+/g)) fields.push({ value: m[0], at: m.index });
  if (fields.length === 1) return make(fields[0].value, 0, 'uname-r', '');
  if (fields[0].value !== 'Linux' || fields.length < 2) return undefined;

  const arch = archOf(fields.map((f) => f.value).slice(3));
  // `uname -a`: Linux HOST RELEASE #VERSION ... MACHINE ... GNU/Linux
  const full = fields.length >= 3 ? make(fields[2].value, fields[2].at, 'uname-a', line) : undefined;
  if (full) {
    full.hostname = fields[1].value;
    if (arch && !full.arch) full.arch = arch;
    return full;
  }
  // `uname -sr` / `uname -srm`: Linux RELEASE [MACHINE]
  const short = make(fields[1].value, fields[1].at, 'uname-a', line);
  if (short) {
    const machine = archOf(fields.slice(2).map((f) => f.value));
    if (machine && !short.arch) short.arch = machine;
  }
  return short;
}

/** Visits the document, then each version. */
export function walkKernel(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as KernelDocument;
  visit(root);
  for (const v of root.versions) visit(v);
}
