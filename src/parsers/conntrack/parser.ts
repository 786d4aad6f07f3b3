import type { ParseResult, SourceComment, SourceDocument } from '../../model/document.js';
import {
  addCounters,
  normaliseCounter,
  type ConntrackCpu,
  type ConntrackFormat,
  type ConntrackStats,
  type CounterValue,
  type RangedCounter,
} from '../../model/evidence.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import type { BaseNode } from '../../model/node.js';
import type { Range, SourceText } from '../../model/source.js';
import { contentLines, isBlank } from '../lines.js';

const NAME = /^[A-Za-z_][\w]*$/;
const DECIMAL = /^\d+$/;
const HEX = /^[0-9A-Fa-f]+$/;
/** A global count: every row repeats it, so it is never summed. */
const GLOBAL_COUNTERS = new Set(['entries']);

interface Field {
  value: string;
  range: Range;
}

/**
 * Parses `conntrack -S` (per-CPU `cpu=N key=value` lines, or the old vertical summary) and
 * `/proc/net/stat/nf_conntrack` (a header and hex rows, read by column name since the header
 * changed across kernels: `searched` → `clashres` in 5.10, `delete_list` → `chainlength` later).
 * One pass; never throws: each bad line gives one `parse-error` and parsing goes on.
 */
export function parseConntrack(source: SourceText, filePath: string): ParseResult {
  const text = source.text;
  const findings: Finding[] = [];
  const comments: SourceComment[] = [];
  const root: ConntrackStats = { type: 'ConntrackStats', format: 'cpu-lines', cpus: [], totals: {}, range: [0, text.length] };
  const error = (message: string, range: Range) => findings.push(engineFinding(source, filePath, 'parse-error', message, range));

  let format: ConntrackFormat | undefined;
  let header: Field[] | undefined;
  /** After a second proc header (two samples pasted together): rows are skipped. */
  let skipRows = false;
  const seenCpus = new Set<number>();

  for (const { start, end } of contentLines(source)) {
    if (text.charCodeAt(start) === 35 /* # */) {
      comments.push({ text: text.slice(start, end), range: [start, end] });
      continue;
    }
    const fields = splitFields(text, start, end);
    const first = fields[0].value;

    if (!format) {
      if (first.startsWith('cpu=')) format = 'cpu-lines';
      else if (first === 'entries' && fields.length > 2 && !DECIMAL.test(fields[1].value)) format = 'proc';
      else if (fields.length === 2 && NAME.test(first) && DECIMAL.test(fields[1].value)) format = 'summary';
      else {
        error('Invalid conntrack statistics line: expected "cpu=N key=value ...", a "key value" summary line or the /proc/net/stat/nf_conntrack header.', [start, end]);
        continue;
      }
      root.format = format;
    }

    if (format === 'cpu-lines') {
      const cpuMatch = /^cpu=(\d+)$/.exec(first);
      if (!cpuMatch) {
        error('Invalid conntrack -S line: expected it to start with "cpu=N".', [start, end]);
        continue;
      }
      const cpuNumber = Number(cpuMatch[1]);
      if (seenCpus.has(cpuNumber)) {
        error(`Duplicate cpu=${cpuNumber}: only the first sample of each CPU is read.`, fields[0].range);
        continue;
      }
      seenCpus.add(cpuNumber);
      const cpu: ConntrackCpu = { type: 'ConntrackCpu', cpu: cpuNumber, counters: {}, range: [start, end] };
      let reported = false;
      for (let i = 1; i < fields.length; i++) {
        const f = fields[i];
        const eq = f.value.indexOf('=');
        const key = eq > 0 ? f.value.slice(0, eq) : '';
        const value = eq > 0 ? f.value.slice(eq + 1) : '';
        if (!NAME.test(key) || !DECIMAL.test(value)) {
          if (!reported) error(`Invalid counter "${f.value}": expected "name=number".`, f.range);
          reported = true;
          continue;
        }
        cpu.counters[key] = { value: parseDecimal(value), range: [f.range[0] + eq + 1, f.range[1]] };
      }
      root.cpus.push(cpu);
      continue;
    }

    if (format === 'summary') {
      if (fields.length !== 2 || !NAME.test(first) || !DECIMAL.test(fields[1].value)) {
        error('Invalid conntrack -S summary line: expected "name value".', [start, end]);
        continue;
      }
      if (root.totals[first]) {
        error(`Duplicate counter "${first}": only the first sample is read.`, fields[0].range);
        continue;
      }
      root.totals[first] = { value: parseDecimal(fields[1].value), range: fields[1].range };
      continue;
    }

    // proc
    if (first === 'entries' && !HEX.test(fields[1]?.value ?? '')) {
      if (header) {
        error('A second /proc/net/stat/nf_conntrack header: only the first sample is read.', [start, end]);
        skipRows = true;
        continue;
      }
      const bad = fields.find((f) => !NAME.test(f.value));
      if (bad) error(`Invalid column name "${bad.value}" in the /proc/net/stat/nf_conntrack header.`, bad.range);
      header = fields;
      root.header = fields.map((f) => ({ name: f.value, range: f.range }));
      continue;
    }
    if (skipRows) continue;
    if (!header) {
      error('Missing the /proc/net/stat/nf_conntrack header line before this row.', [start, end]);
      continue;
    }
    if (fields.length !== header.length) {
      error(`Expected ${header.length} columns as in the header, found ${fields.length}.`, [start, end]);
      continue;
    }
    const cpu: ConntrackCpu = { type: 'ConntrackCpu', cpu: root.cpus.length, counters: {}, range: [start, end] };
    let reported = false;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (!HEX.test(f.value)) {
        if (!reported) error(`Invalid value "${f.value}" for "${header[i].value}": expected hex digits.`, f.range);
        reported = true;
        continue;
      }
      cpu.counters[header[i].value] = { value: parseHex(f.value), range: f.range };
    }
    root.cpus.push(cpu);
  }

  if (root.format !== 'summary') root.totals = sumCpus(root.cpus);

  const document: SourceDocument<ConntrackStats> = { kind: 'conntrack-stats', filePath, source, root, comments };
  return { documents: [document], findings };
}

/** Per-counter sums; each total points at its largest per-CPU value. Global counters are taken once. */
function sumCpus(cpus: ConntrackCpu[]): Record<string, RangedCounter> {
  const totals: Record<string, RangedCounter> = {};
  const largest: Record<string, CounterValue> = {};
  for (const cpu of cpus) {
    for (const [name, counter] of Object.entries(cpu.counters)) {
      const total = totals[name];
      if (!total) {
        totals[name] = { value: counter.value, range: counter.range };
        largest[name] = counter.value;
        continue;
      }
      if (GLOBAL_COUNTERS.has(name)) continue;
      total.value = addCounters(total.value, counter.value);
      if (counter.value > largest[name]) {
        largest[name] = counter.value;
        total.range = counter.range;
      }
    }
  }
  return totals;
}

function splitFields(text: string, start: number, end: number): Field[] {
  const fields: Field[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    fields.push({ value: text.slice(s, i), range: [s, i] });
  }
  return fields;
}

function parseDecimal(digits: string): CounterValue {
  return digits.length <= 15 ? Number(digits) : normaliseCounter(BigInt(digits));
}

function parseHex(digits: string): CounterValue {
  return digits.length <= 13 ? parseInt(digits, 16) : normaliseCounter(BigInt('0x' + digits));
}

/** Visits the stats, then each CPU in text order. */
export function walkConntrack(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as ConntrackStats;
  visit(root);
  for (const cpu of root.cpus) visit(cpu);
}
