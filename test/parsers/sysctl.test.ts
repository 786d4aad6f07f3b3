import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseSysctlKey, sysctlValue, type SysctlDocument } from '../../src/model/evidence.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { sysctlParser } from '../../src/parsers/sysctl/index.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/evidence');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string, filePath = '/etc/sysctl.d/99-test.conf') {
  const result = sysctlParser.parse(new SourceText(text), filePath);
  return { ...result, doc: result.documents[0].root as SysctlDocument };
}

describe('sysctl fixtures', () => {
  it('reads sysctl -a output and skips its stderr lines', () => {
    const text = fixture('sysctl-a-excerpt.txt');
    expect(detectKind('sysctl-a.txt', text)).toBe('sysctl');
    const { doc, findings } = parse(text, 'node-1/sysctl-a.txt');
    expect(findings).toEqual([]);
    expect(doc.entries).toHaveLength(11);
    expect(sysctlValue(doc, 'net.netfilter.nf_conntrack_max')?.value).toBe('1048576');
    expect(sysctlValue(doc, 'net.ipv4.ip_local_port_range')?.value).toBe('32768\t60999');
    expect(sysctlValue(doc, 'kernel.domainname')?.value).toBe('(none)');
    // sysctl -a prints a dot inside an interface name as a slash; the key stays as printed.
    expect(sysctlValue(doc, 'net.ipv4.conf.eth0/100.forwarding')?.value).toBe('1');
    for (const e of doc.entries) {
      expect(slice(text, e.keyRange)).toBe(e.rawKey);
      expect(slice(text, e.valueRange)).toBe(e.value);
      expect(slice(text, e.range)).toBe(`${e.rawKey} = ${e.value}`);
    }
    const types: string[] = [];
    sysctlParser.walk(parse(text).documents[0], (n: BaseNode) => types.push(n.type));
    expect(types).toEqual(['SysctlDocument', ...doc.entries.map(() => 'SysctlEntry')]);
  });

  it('reads a sysctl.d file: CRLF, # and ; comments, "-" prefix, slash keys, globs, empty values', () => {
    const text = fixture('99-kubernetes.conf');
    expect(text).toContain('\r\n');
    expect(detectKind('/etc/sysctl.d/99-kubernetes.conf', text)).toBe('sysctl');
    const { doc, findings, documents } = parse(text);
    expect(documents[0].comments.map((c) => c.text)).toEqual(['# Kubernetes node tuning', '; managed by ansible']);
    expect(findings.map((f) => [f.ruleId, f.line, slice(text, f.range)])).toEqual([
      ['parse-error', 8, 'this line is wrong'],
      ['parse-error', 9, '='],
    ]);
    expect(doc.entries.map((e) => [e.key, e.value, e.ignoreErrors, e.glob])).toEqual([
      ['net.bridge.bridge-nf-call-iptables', '1', false, false],
      ['net.ipv4.conf.*.rp_filter', '0', true, true],
      ['net.ipv4.conf.eth0/100.forwarding', '1', false, false],
      ['net.netfilter.nf_conntrack_max', '131072', false, false],
      ['net.ipv4.ip_local_port_range', '1024 65000', false, false],
      ['kernel.pid_max', '', false, false],
    ]);
    const [first, dashed, slashed, , , empty] = doc.entries;
    expect(slice(text, first.keyRange)).toBe('net.bridge.bridge-nf-call-iptables');
    expect(slice(text, first.valueRange)).toBe('1');
    expect(slice(text, dashed.keyRange)).toBe('net.ipv4.conf.*.rp_filter');
    expect(slice(text, dashed.range)).toBe('-net.ipv4.conf.*.rp_filter = 0');
    expect(slashed.rawKey).toBe('net/ipv4/conf/eth0.100/forwarding');
    expect(empty.valueRange[0]).toBe(empty.valueRange[1]);
    for (const e of doc.entries) expect(slice(text, e.range)).not.toMatch(/[\r\n]/);
    expect(sysctlValue(doc, 'net/netfilter/nf_conntrack_max')?.value).toBe('131072');
  });

  it('keeps the last of repeated keys as the effective one, and a BOM does not reach the key', () => {
    const text = '\ufeffnet.core.somaxconn=1024\nnet.core.somaxconn = 4096\n';
    expect(detectKind('sysctl.conf', text)).toBe('sysctl');
    const { doc, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(doc.entries[0].rawKey).toBe('net.core.somaxconn');
    expect(sysctlValue(doc, 'net.core.somaxconn')?.value).toBe('4096');
  });

  it('normalises slash keys as sysctl.d(5) says', () => {
    expect(normaliseSysctlKey('kernel/domainname')).toBe('kernel.domainname');
    expect(normaliseSysctlKey('net/ipv4/conf/enp3s0.200/forwarding')).toBe('net.ipv4.conf.enp3s0/200.forwarding');
    expect(normaliseSysctlKey('net.ipv4.conf.enp3s0/200.forwarding')).toBe('net.ipv4.conf.enp3s0/200.forwarding');
    expect(normaliseSysctlKey('vm.swappiness')).toBe('vm.swappiness');
  });

  it('rejects bad keys and never throws', () => {
    const text = 'net ipv4 = 1\n.net.x = 1\nnet.x. = 2\n';
    expect(parse(text).findings.map((f) => [f.line, slice(text, f.range)])).toEqual([
      [1, 'net ipv4'],
      [2, '.net.x'],
      [3, 'net.x.'],
    ]);
    for (const t of ['', '=', '-', '-=', '\ufeff', '==\n==', 'a=b=c']) expect(() => parse(t)).not.toThrow();
    expect(parse('a=b=c').doc.entries[0]).toMatchObject({ key: 'a', value: 'b=c' });
  });
});
