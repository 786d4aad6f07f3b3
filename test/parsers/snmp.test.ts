import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';
import type { SnmpCounters } from '../../src/model/evidence.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { snmpParser } from '../../src/parsers/snmp/index.js';
import { splitGroup } from '../../src/parsers/snmp/parser.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/evidence');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string, filePath = 'node-1/snmp.txt') {
  const result = snmpParser.parse(new SourceText(text), filePath);
  return { ...result, snmp: result.documents[0].root as SnmpCounters };
}

const value = (snmp: SnmpCounters, key: string) => snmp.counters[key]?.value;

/** Every counter's range slices to its value; walk visits them in text order. */
function expectRanges(text: string, snmp: SnmpCounters) {
  for (const c of Object.values(snmp.counters)) {
    expect(slice(text, c.range)).toBe(String(c.value));
    expect(c.key).toBe(c.group ? `${c.group}.${c.name}` : c.name);
  }
  const starts: number[] = [];
  snmpParser.walk(snmpParser.parse(new SourceText(text), 'x').documents[0], (n: BaseNode) => starts.push(n.range[0]));
  expect(starts).toEqual([...starts].sort((a, b) => a - b));
}

describeCorpus('corpus: /proc/net/snmp and /proc/net/netstat', () => {
  const names = corpusFiles('evidence').filter((n) => n.startsWith('proc-net-snmp') || n.startsWith('proc-net-netstat'));

  it('has the two corpus files', () => expect(names).toHaveLength(2));

  it.each(names)('%s is detected and parses without findings', (name) => {
    const text = readCorpus('evidence', name);
    expect(detectKind(`evidence/${name}`, text)).toBe('snmp-counters');
    const { snmp, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(snmp.format).toBe('proc');
    expectRanges(text, snmp);
  });

  it('reads the header/value pairs of /proc/net/snmp', () => {
    const text = readCorpus('evidence', 'proc-net-snmp.node-exporter-fixture.txt');
    const { snmp } = parse(text);
    expect(value(snmp, 'Tcp.InCsumErrors')).toBe(0);
    expect(value(snmp, 'Udp.InCsumErrors')).toBe(0);
    expect(value(snmp, 'Tcp.InErrs')).toBe(5);
    expect(value(snmp, 'Tcp.MaxConn')).toBe(-1);
    expect(value(snmp, 'Udp.RcvbufErrors')).toBe(9);
    expect(value(snmp, 'UdpLite.InCsumErrors')).toBe(0);
    expect(value(snmp, 'IcmpMsg.OutType3')).toBe(120);
    const csum = snmp.counters['Tcp.InCsumErrors'];
    expect(slice(text, csum.nameRange)).toBe('InCsumErrors');
    expect(new SourceText(text).positionAt(csum.range[0]).line).toBe(8);
  });

  it('reads TcpExt and IpExt of /proc/net/netstat', () => {
    const text = readCorpus('evidence', 'proc-net-netstat.node-exporter-fixture.txt');
    const { snmp } = parse(text);
    expect(value(snmp, 'TcpExt.TW')).toBe(388812);
    expect(value(snmp, 'TcpExt.TCPRcvQDrop')).toBe(131);
    expect(value(snmp, 'IpExt.InOctets')).toBe(6286396970);
  });
});

describe('snmp fixtures', () => {
  it('reads nstat output', () => {
    const text = fixture('nstat.txt');
    expect(detectKind('nstat.txt', text)).toBe('snmp-counters');
    const { snmp, findings, documents } = parse(text);
    expect(findings).toEqual([]);
    expect(snmp.format).toBe('nstat');
    expect(value(snmp, 'Tcp.InCsumErrors')).toBe(12);
    expect(value(snmp, 'Udp.InCsumErrors')).toBe(3);
    expect(value(snmp, 'TcpExt.TW')).toBe(388812);
    expect(value(snmp, 'IpExt.InOctets')).toBe(6286396970);
    expect(value(snmp, 'IcmpMsg.InType3')).toBe(104);
    expect(slice(text, snmp.counters['Tcp.InCsumErrors'].nameRange)).toBe('TcpInCsumErrors');
    expect(documents[0].comments.map((c) => c.text)).toEqual(['#kernel']);
    expectRanges(text, snmp);
  });

  it('reads netstat -s prose, Name: value lines and ICMP histograms', () => {
    const text = fixture('netstat-s.txt');
    expect(detectKind('netstat-s.txt', text)).toBe('snmp-counters');
    const { snmp, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(snmp.format).toBe('netstat-s');
    expect(value(snmp, 'Tcp.InCsumErrors')).toBe(3);
    expect(value(snmp, 'Udp.InCsumErrors')).toBe(2);
    expect(value(snmp, 'Tcp.InErrs')).toBe(5);
    expect(value(snmp, 'Tcp.ActiveOpens')).toBe(3556);
    expect(value(snmp, 'Tcp.OutSegs')).toBe(54915039);
    expect(value(snmp, 'Udp.NoPorts')).toBe(120);
    expect(value(snmp, 'Ip.InReceives')).toBe(57740232);
    expect(value(snmp, 'Ip.Forwarding')).toBe(1);
    expect(value(snmp, 'Icmp.InDestUnreachs')).toBe(104);
    expect(value(snmp, 'Icmp.OutDestUnreachs')).toBe(120);
    expect(value(snmp, 'IcmpMsg.OutType3')).toBe(120);
    expect(value(snmp, 'TcpExt.DelayedACKLost')).toBe(9);
    expect(value(snmp, 'TcpExt.TCPRcvQDrop')).toBe(131);
    expect(value(snmp, 'IpExt.InOctets')).toBe(6286396970);
    const inErrs = snmp.counters['Tcp.InErrs'];
    expect(slice(text, inErrs.nameRange)).toBe('5 bad segments received');
    expect(slice(text, inErrs.range)).toBe('5');
    expect(snmp.unmapped).toEqual([]);
    expectRanges(text, snmp);
  });

  it('maps the old net-tools spellings ("segments send out", "bad segments received.")', () => {
    const text = fixture('netstat-s-old-net-tools.txt');
    expect(detectKind('netstat.txt', text)).toBe('snmp-counters');
    const { snmp, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(value(snmp, 'Tcp.ActiveOpens')).toBe(62593872);
    expect(value(snmp, 'Tcp.OutSegs')).toBe(2608392230);
    expect(value(snmp, 'Tcp.RetransSegs')).toBe(3325843);
    expect(value(snmp, 'Tcp.InErrs')).toBe(132);
    expect(value(snmp, 'Udp.NoPorts')).toBe(21451);
  });

  it('keeps unknown wordings as unmapped, not errors', () => {
    const text = 'Tcp:\n    7 segments eaten by gremlins\n    RTO algorithm is constant\nTcpExt:\n    Detected reordering 3 times using SACK\n';
    const { snmp, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(snmp.unmapped.map((u) => [u.group, u.text, u.value])).toEqual([
      ['Tcp', '7 segments eaten by gremlins', 7],
      ['Tcp', 'RTO algorithm is constant', undefined],
      ['TcpExt', 'Detected reordering 3 times using SACK', 3],
    ]);
    expect(snmp.format).toBe('netstat-s');
  });

  it('reports a values line whose count differs from its header, at that line', () => {
    const text = fixture('proc-net-snmp-mismatch.txt');
    expect(detectKind('snmp', text)).toBe('snmp-counters');
    const { snmp, findings } = parse(text);
    expect(findings.map((f) => [f.ruleId, f.line, f.message])).toEqual([
      ['parse-error', 2, 'Expected 15 values for "Tcp:" as in its header, found 14.'],
      ['parse-error', 5, 'Missing the "Udp:" header line before this values line.'],
      ['parse-error', 6, 'Missing the values line after the "IpExt:" header.'],
    ]);
    expect(value(snmp, 'Tcp.InCsumErrors')).toBeUndefined();
    expect(value(snmp, 'Udp.InCsumErrors')).toBe(7);
  });

  it('reads concatenated files, /proc/net/snmp6, CRLF and a BOM', () => {
    const text = '\ufeffTcp: InErrs InCsumErrors\r\nTcp: 4 2\r\nIp6InReceives                   \t1234\r\nIcmp6InErrors                   \t0\r\nUdp6InCsumErrors                \t6\r\n';
    expect(detectKind('snmp', text)).toBe('snmp-counters');
    const { snmp, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(value(snmp, 'Tcp.InCsumErrors')).toBe(2);
    expect(value(snmp, 'Ip6.InReceives')).toBe(1234);
    expect(value(snmp, 'Udp6.InCsumErrors')).toBe(6);
    expectRanges(text, snmp);
  });

  it('reports a duplicate sample and stray lines, never throws', () => {
    const { findings } = parse('TcpInErrs 1 0.0\nTcpInErrs 2 0.0\n    stray\nwhat is this\n');
    expect(findings.map((f) => [f.line, f.message])).toEqual([
      [2, 'Duplicate counter "Tcp.InErrs" (first at line 1): only the first sample is read.'],
      [3, 'Unexpected indented line outside a netstat -s section ("Tcp:").'],
      [4, expect.stringMatching(/^Invalid counter line/)],
    ]);
    for (const text of ['', ':', 'Tcp:', 'Tcp: a\nTcp:', 'Tcp: 1\n', 'X 1 2 3', '\ufeff#kernel']) expect(() => parse(text)).not.toThrow();
  });

  it('splits nstat names by the longest group prefix', () => {
    expect(splitGroup('TcpExtTW')).toEqual(['TcpExt', 'TW']);
    expect(splitGroup('TcpInCsumErrors')).toEqual(['Tcp', 'InCsumErrors']);
    expect(splitGroup('IcmpMsgInType3')).toEqual(['IcmpMsg', 'InType3']);
    expect(splitGroup('UdpLiteInErrors')).toEqual(['UdpLite', 'InErrors']);
    expect(splitGroup('Ip6InReceives')).toEqual(['Ip6', 'InReceives']);
    expect(splitGroup('FooBar')).toEqual(['', 'FooBar']);
  });
});
