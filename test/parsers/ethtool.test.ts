import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';
import { ethtoolFeature, type EthtoolDocument } from '../../src/model/evidence.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { ethtoolParser } from '../../src/parsers/ethtool/index.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/evidence');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string, filePath = 'node-1/ethtool-k.txt') {
  const result = ethtoolParser.parse(new SourceText(text), filePath);
  return { ...result, root: result.documents[0].root as EthtoolDocument };
}

/** Every node's range lies in the text, and walk visits them in text order. */
function expectWellFormed(text: string) {
  const result = ethtoolParser.parse(new SourceText(text), 'x.txt');
  const starts: number[] = [];
  ethtoolParser.walk(result.documents[0], (node: BaseNode) => {
    expect(node.range[0]).toBeGreaterThanOrEqual(0);
    expect(node.range[1]).toBeLessThanOrEqual(text.length);
    expect(node.range[0]).toBeLessThanOrEqual(node.range[1]);
    starts.push(node.range[0]);
  });
  expect(starts).toEqual([...starts].sort((a, b) => a - b));
}

describeCorpus('corpus: ethtool -k files', () => {
  const names = corpusFiles('evidence').filter((n) => n.startsWith('ethtool-'));

  it('has the two corpus files', () => expect(names).toHaveLength(2));

  it.each(names)('%s is detected and parses without findings', (name) => {
    const text = readCorpus('evidence', name);
    expect(detectKind(`evidence/${name}`, text)).toBe('ethtool-features');
    const { root, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(root.devices).toHaveLength(1);
    for (const f of root.devices[0].features) {
      expect(slice(text, f.nameRange)).toBe(f.name);
      expect(slice(text, f.stateRange)).toBe(f.state);
    }
    expectWellFormed(text);
  });

  it('reads the host-side Calico veth (spaces-indented, truncated)', () => {
    const text = readCorpus('evidence', 'ethtool-k-host-side-calico-veth.calico-issue-8756.txt');
    const dev = parse(text).root.devices[0];
    expect(dev.name).toBe('cali9d99c50de22');
    expect(slice(text, dev.nameRange)).toBe('cali9d99c50de22');
    expect(ethtoolFeature(dev, 'rx-checksumming')).toMatchObject({ state: 'on', fixed: false });
    expect(ethtoolFeature(dev, 'rx-checksumming')?.parent).toBeUndefined();
    expect(ethtoolFeature(dev, 'tx-checksum-ipv4')).toMatchObject({ state: 'off', fixed: true, parent: 'tx-checksumming' });
    expect(ethtoolFeature(dev, 'tx-tcp6-segmentation')?.parent).toBe('tcp-segmentation-offload');
    expect(ethtoolFeature(dev, 'tx-gre-csum-segmentation')).toMatchObject({ state: 'on' });
    expect(ethtoolFeature(dev, 'tx-gre-csum-segmentation')?.parent).toBeUndefined();
    expect(dev.features).toHaveLength(31);
    // The block ends at the last feature line (the file is truncated there).
    expect(slice(text, dev.range).endsWith('tx-gre-csum-segmentation: on')).toBe(true);
  });

  it('reads the virtio NIC with rx-checksumming fixed on (tab-indented)', () => {
    const text = readCorpus('evidence', 'ethtool-k-virtio-nic-fixed-rx.moby-issue-37214.txt');
    const dev = parse(text).root.devices[0];
    expect(dev.name).toBe('ens3');
    const rx = ethtoolFeature(dev, 'rx-checksumming')!;
    expect(rx).toMatchObject({ state: 'on', fixed: true, device: 'ens3' });
    expect(slice(text, rx.range)).toBe('rx-checksumming: on [fixed]');
    expect(ethtoolFeature(dev, 'tx-scatter-gather')?.parent).toBe('scatter-gather');
  });
});

describe('ethtool -k fixtures', () => {
  it('reads several devices, markers and parents', () => {
    const text = fixture('ethtool-k-two-devices.txt');
    expect(detectKind('ethtool-k-two-devices.txt', text)).toBe('ethtool-features');
    const { root, findings, documents } = parse(text);
    expect(findings).toEqual([]);
    expect(root.devices.map((d) => d.name)).toEqual(['eth0', 'ens5']);
    const [eth0, ens5] = root.devices;
    expect(ethtoolFeature(eth0, 'generic-receive-offload')).toMatchObject({ state: 'off', requested: 'on', fixed: false });
    expect(ethtoolFeature(eth0, 'tx-checksum-sctp')).toMatchObject({ parent: 'tx-checksumming', device: 'eth0' });
    expect(ethtoolFeature(ens5, 'tx-tcp-segmentation')).toMatchObject({ state: 'off', requested: 'none', parent: 'tcp-segmentation-offload' });
    expect(ethtoolFeature(ens5, 'rx-checksumming')).toMatchObject({ fixed: true, device: 'ens5' });
    // A feature of the second block is not the first device's.
    expect(ethtoolFeature(eth0, 'rx-udp-gro-forwarding')).toBeUndefined();
    expect(slice(text, eth0.range).startsWith('Features for eth0:')).toBe(true);
    expect(slice(text, eth0.range).endsWith('highdma: on')).toBe(true);
    expect(slice(text, ens5.nameRange)).toBe('ens5');
    expect(documents[0].comments.map((c) => c.text)).toEqual(['# ethtool -k on node-1, container side and uplink']);
    expectWellFormed(text);
  });

  it('handles a BOM, CRLF and sub-features indented with spaces', () => {
    const text = fixture('ethtool-k-spaces-crlf.txt');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('\r\n');
    expect(detectKind('ethtool.txt', text)).toBe('ethtool-features');
    const { root, findings } = parse(text);
    expect(findings).toEqual([]);
    const dev = root.devices[0];
    expect(dev.name).toBe('vethb2f1c3a');
    expect(slice(text, dev.nameRange)).toBe('vethb2f1c3a');
    expect(slice(text, dev.range).startsWith('Features for')).toBe(true);
    const ipv4 = ethtoolFeature(dev, 'tx-checksum-ipv4')!;
    expect(ipv4).toMatchObject({ parent: 'tx-checksumming', fixed: true });
    expect(slice(text, ipv4.range)).toBe('tx-checksum-ipv4: off [fixed]');
    expect(ethtoolFeature(dev, 'tx-checksum-sctp')?.parent).toBe('tx-checksumming');
    expect(ethtoolFeature(dev, 'tx-scatter-gather')?.parent).toBe('scatter-gather');
    for (const f of dev.features) expect(slice(text, f.range)).not.toMatch(/[\r\n]/);
    expectWellFormed(text);
  });

  it('reads the old "Offload parameters" header and names with spaces', () => {
    const text = fixture('ethtool-k-old-offload-parameters.txt');
    expect(detectKind('offload.txt', text)).toBe('ethtool-features');
    const { root, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(root.devices[0].name).toBe('eth0');
    expect(ethtoolFeature(root.devices[0], 'generic segmentation offload')?.state).toBe('on');
  });

  it('gives one parse-error per bad line and goes on', () => {
    const text = fixture('ethtool-k-malformed.txt');
    expect(detectKind('bad.txt', text)).toBe('ethtool-features');
    const { root, findings } = parse(text);
    expect(findings.map((f) => [f.ruleId, f.line, slice(text, f.range)])).toEqual([
      ['parse-error', 1, 'rx-checksumming: on'],
      ['parse-error', 4, 'rx-checksumming: maybe'],
      ['parse-error', 5, '[fixd]'],
    ]);
    expect(findings[0].message).toMatch(/before any "Features for DEV:" header/);
    // The diagnostic stderr line is skipped; the good line after the bad ones is kept.
    expect(root.devices[0].features.map((f) => f.name)).toEqual(['scatter-gather']);
  });

  it('never throws on arbitrary text', () => {
    for (const text of ['', '\n\n', 'Features for :', 'Features for eth0:\n\t\t: on', ':::', '\ufeff', 'x: on [fixed] [fixed]']) {
      expect(() => parse(text)).not.toThrow();
    }
    expect(parse('').findings).toEqual([]);
  });
});
