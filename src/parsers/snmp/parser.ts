import type { ParseResult, SourceComment, SourceDocument } from '../../model/document.js';
import {
  normaliseCounter,
  type CounterValue,
  type SnmpCounter,
  type SnmpCounters,
  type SnmpFormat,
} from '../../model/evidence.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import type { BaseNode } from '../../model/node.js';
import type { Range, SourceText } from '../../model/source.js';
import { counterForWording } from './netstat-wording.js';
import { contentLines, isBlank } from '../lines.js';

const NAME = /^[A-Za-z][\w]*$/;
const INTEGER = /^-?\d+$/;
/** `Tcp:` alone: a `netstat -s` section. */
const SECTION = /^([A-Za-z][\w]*):$/;
/** `Tcp: a b c`: a /proc/net/snmp header or values line. */
const PAIR_LINE = /^([A-Za-z][\w]*):[ \t]+\S/;
/** `TcpInCsumErrors   12   0.0` (nstat) or `Ip6InReceives   12` (/proc/net/snmp6). */
const NSTAT_LINE = /^([A-Za-z][\w]*)[ \t]+(-?\d+)(?:[ \t]+(-?\d+(?:\.\d+)?))?$/;
/** `InCsumErrors: 3` in a `netstat -s` section. */
const NAMED_VALUE = /^([A-Za-z][\w]*):[ \t]+(-?\d+)$/;
/** The first stand-alone number of a `netstat -s` prose line. */
const PROSE_NUMBER = /(^|[ \t])(\d+)(?=[ \t.]|$)/;

/**
 * Group prefixes of nstat / snmp6 names, longest first so `TcpExtTW` is `TcpExt.TW` and
 * `IcmpMsgInType3` is `IcmpMsg.InType3`.
 */
const GROUPS = [
  'UdpLite6',
  'MPTcpExt',
  'IcmpMsg',
  'UdpLite',
  'TcpExt',
  'Icmp6',
  'IpExt',
  'Icmp',
  'Sctp',
  'Udp6',
  'Ip6',
  'Tcp',
  'Udp',
  'Ip',
];

interface Field {
  value: string;
  range: Range;
}

interface PendingHeader {
  prefix: string;
  names: Field[];
  range: Range;
}

/**
 * Parses `/proc/net/snmp`, `/proc/net/netstat` (header/value line pairs with the same prefix),
 * `nstat` output and `/proc/net/snmp6` (`Name value [rate]`), and `netstat -s` (sections of prose)
 * into counters keyed `Group.Name`. Lines are classified one by one, so concatenated files
 * (`cat /proc/net/snmp /proc/net/netstat`) parse too. Never throws: each bad line gives one
 * `parse-error` and parsing goes on.
 */
export function parseSnmp(source: SourceText, filePath: string): ParseResult {
  const text = source.text;
  const findings: Finding[] = [];
  const comments: SourceComment[] = [];
  const root: SnmpCounters = { type: 'SnmpCounters', format: 'proc', counters: {}, unmapped: [], range: [0, text.length] };
  const error = (message: string, range: Range) => findings.push(engineFinding(source, filePath, 'parse-error', message, range));

  let format: SnmpFormat | undefined;
  let pending: PendingHeader | undefined;
  /** The current `netstat -s` section, and the Icmp histogram it is in. */
  let section: string | undefined;
  let histogram: 'in' | 'out' | undefined;

  const add = (group: string, name: string, value: string, nameRange: Range, range: Range, as: SnmpFormat): boolean => {
    const key = group ? `${group}.${name}` : name;
    const seen = root.counters[key];
    if (seen) {
      error(`Duplicate counter "${key}" (first at line ${source.positionAt(seen.range[0]).line}): only the first sample is read.`, range);
      return false;
    }
    root.counters[key] = { type: 'SnmpCounter', key, group, name, value: parseInteger(value), nameRange, range };
    format ??= as;
    return true;
  };

  const closePending = () => {
    if (pending) error(`Missing the values line after the "${pending.prefix}:" header.`, pending.range);
    pending = undefined;
  };

  for (const { lineStart, start, end } of contentLines(source)) {
    const line = text.slice(start, end);
    const indented = start > lineStart;

    if (line.charCodeAt(0) === 35 /* # */) {
      // `#kernel` heads nstat output; any `#` line may hold a directive.
      comments.push({ text: line, range: [start, end] });
      continue;
    }

    const bare = indented ? null : SECTION.exec(line);
    if (bare) {
      closePending();
      section = bare[1];
      histogram = undefined;
      continue;
    }

    const pair = indented ? null : PAIR_LINE.exec(line);
    if (pair && !(section && NAMED_VALUE.test(line))) {
      section = undefined;
      const prefix = pair[1];
      const fields = splitFields(text, start + prefix.length + 1, end);
      if (pending && pending.prefix === prefix) {
        const header = pending;
        pending = undefined;
        if (fields.length !== header.names.length) {
          error(`Expected ${header.names.length} values for "${prefix}:" as in its header, found ${fields.length}.`, [start, end]);
          continue;
        }
        const bad = fields.find((f) => !INTEGER.test(f.value));
        if (bad) {
          error(`Invalid value "${bad.value}" for "${prefix}.${header.names[fields.indexOf(bad)].value}": expected an integer.`, bad.range);
          continue;
        }
        for (let i = 0; i < fields.length; i++) {
          if (!add(prefix, header.names[i].value, fields[i].value, header.names[i].range, fields[i].range, 'proc')) break;
        }
        continue;
      }
      closePending();
      const bad = fields.find((f) => !NAME.test(f.value));
      if (bad) {
        error(
          INTEGER.test(bad.value)
            ? `Missing the "${prefix}:" header line before this values line.`
            : `Invalid counter name "${bad.value}" in the "${prefix}:" header.`,
          INTEGER.test(bad.value) ? [start, end] : bad.range,
        );
        continue;
      }
      pending = { prefix, names: fields, range: [start, end] };
      continue;
    }

    if (section) {
      closePending();
      readNetstatLine(section, line, start, end);
      continue;
    }

    const nstat = NSTAT_LINE.exec(line);
    if (nstat && !indented) {
      closePending();
      const name = nstat[1];
      const valueStart = start + line.indexOf(nstat[2], name.length);
      const [group, short] = splitGroup(name);
      add(group, short, nstat[2], [start, start + name.length], [valueStart, valueStart + nstat[2].length], 'nstat');
      continue;
    }

    closePending();
    error(
      indented
        ? 'Unexpected indented line outside a netstat -s section ("Tcp:").'
        : 'Invalid counter line: expected "Prefix: names" / "Prefix: values" pairs, "Name value" (nstat) or netstat -s sections.',
      [start, end],
    );
  }
  closePending();
  root.format = format ?? (root.unmapped.length ? 'netstat-s' : 'proc');

  function readNetstatLine(group: string, line: string, start: number, end: number): void {
    const named = NAMED_VALUE.exec(line);
    if (named) {
      let name = named[1];
      // `netstat -s -6` prints unknown snmp6 counters with their full names (`Icmp6InErrors: 1`).
      if (group.endsWith('6') && name.startsWith(group) && name.length > group.length) name = name.slice(group.length);
      const valueStart = end - named[2].length;
      add(group, name, named[2], [start, end], [valueStart, end], 'netstat-s');
      return;
    }
    if (group === 'Icmp' || group === 'Icmp6') {
      if (/^ICMP input histogram:$/i.test(line)) {
        histogram = 'in';
        return;
      }
      if (/^ICMP output histogram:$/i.test(line)) {
        histogram = 'out';
        return;
      }
    }
    const num = PROSE_NUMBER.exec(line);
    if (!num) {
      root.unmapped.push({ group, text: line, range: [start, end] });
      return;
    }
    const numStart = num.index + num[1].length;
    const template = (line.slice(0, numStart) + '%' + line.slice(numStart + num[2].length))
      .toLowerCase()
      .replace(/[ \t]+/g, ' ')
      .replace(/\.$/, '');
    const isHistogram = /: %$/.test(template) && histogram;
    const name = counterForWording(group, isHistogram ? `${histogram}:${template}` : template);
    const valueRange: Range = [start + numStart, start + numStart + num[2].length];
    if (name) add(group, name, num[2], [start, end], valueRange, 'netstat-s');
    else {
      root.unmapped.push({ group, text: line, value: parseInteger(num[2]), range: [start, end] });
      format ??= 'netstat-s';
    }
  }

  const document: SourceDocument<SnmpCounters> = { kind: 'snmp-counters', filePath, source, root, comments };
  return { documents: [document], findings };
}

/** `TcpExtTW` → `['TcpExt', 'TW']`; a name with no known prefix keeps an empty group. */
export function splitGroup(name: string): [group: string, name: string] {
  for (const g of GROUPS) {
    if (name.length > g.length && name.startsWith(g)) {
      const c = name.charCodeAt(g.length);
      if (c >= 65 && c <= 90) return [g, name.slice(g.length)];
    }
  }
  return ['', name];
}

function parseInteger(digits: string): CounterValue {
  return digits.length <= 15 ? Number(digits) : normaliseCounter(BigInt(digits));
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

/** Visits the document, then each counter in text order. */
export function walkSnmp(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as SnmpCounters;
  visit(root);
  // Keys are never integer-like, so insertion order is text order.
  for (const counter of Object.values(root.counters)) visit(counter);
}
