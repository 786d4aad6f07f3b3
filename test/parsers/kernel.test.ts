import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelDocument } from '../../src/model/evidence.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { compareKernel, kernelAtLeast, kernelParser, parseKernelRelease } from '../../src/parsers/kernel/index.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/evidence');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string, filePath = 'node-1/uname.txt') {
  const result = kernelParser.parse(new SourceText(text), filePath);
  return { ...result, root: result.documents[0].root as KernelDocument };
}

describe('kernel fixtures', () => {
  it.each([
    ['uname-r-aws.txt', 'uname-r', '5.4.0-1045-aws', [5, 4, 0], '-1045-aws', 'ubuntu'],
    ['uname-r-el7.txt', 'uname-r', '3.10.0-1160.71.1.el7.x86_64', [3, 10, 0], '-1160.71.1.el7.x86_64', 'el7'],
    ['uname-a-ubuntu.txt', 'uname-a', '5.4.0-1045-aws', [5, 4, 0], '-1045-aws', 'ubuntu'],
    ['proc-version-ubuntu.txt', 'proc-version', '5.15.0-91-generic', [5, 15, 0], '-91-generic', 'ubuntu'],
    ['proc-version-debian.txt', 'proc-version', '4.19.0-17-amd64', [4, 19, 0], '-17-amd64', 'debian'],
  ] as const)('%s', (name, source, raw, [major, minor, patch], suffix, distro) => {
    const text = fixture(name);
    expect(detectKind(name, text)).toBe('kernel');
    const { root, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(root.versions).toHaveLength(1);
    const v = root.version!;
    expect(v).toMatchObject({ type: 'KernelVersion', source, raw, major, minor, patch, suffix, distro });
    expect(slice(text, v.range)).toBe(raw);
    expect(slice(text, v.lineRange)).toBe(text.replace(/\r?\n$/, ''));
    const visited: BaseNode[] = [];
    kernelParser.walk(parse(text).documents[0], (n) => visited.push(n));
    expect(visited.map((n) => n.type)).toEqual(['KernelDocument', 'KernelVersion']);
  });

  it('reads uname -a details', () => {
    const v = parse(fixture('uname-a-ubuntu.txt')).root.version!;
    expect(v).toMatchObject({ hostname: 'ip-10-0-12-34', arch: 'x86_64', build: [1045] });
    expect(parse(fixture('uname-r-el7.txt')).root.version).toMatchObject({ arch: 'x86_64', build: [1160, 71, 1] });
  });

  it('reads uname -srm and several lines, with a BOM and comments', () => {
    const text = '\ufeff# netlint-disable-next-line some-rule\r\nLinux 6.1.0-13-arm64 aarch64\r\n4.14.355-196.695.amzn1.x86_64\r\n';
    const { root, findings, documents } = parse(text);
    expect(findings).toEqual([]);
    expect(documents[0].comments.map((c) => c.text)).toEqual(['# netlint-disable-next-line some-rule']);
    expect(root.versions.map((v) => [v.source, v.raw, v.distro, v.arch])).toEqual([
      ['uname-a', '6.1.0-13-arm64', 'debian', 'aarch64'],
      ['uname-r', '4.14.355-196.695.amzn1.x86_64', 'amzn1', 'x86_64'],
    ]);
    for (const v of root.versions) expect(slice(text, v.range)).toBe(v.raw);
  });

  it('gives a parse-error for a line that is not a version, and for an empty file', () => {
    const text = 'not a kernel\n5.10.0\n';
    const { root, findings } = parse(text);
    expect(findings.map((f) => [f.ruleId, f.line, slice(text, f.range)])).toEqual([['parse-error', 1, 'not a kernel']]);
    expect(root.version?.raw).toBe('5.10.0');
    expect(parse('').findings.map((f) => f.message)).toEqual(['Missing kernel version: the file is empty.']);
    expect(parse('\n  \n').findings).toHaveLength(1);
    for (const t of ['Linux', 'Linux version', 'Linux version x', '\ufeff', '1.', '.1.2']) expect(() => parse(t)).not.toThrow();
  });
});

describe('kernel release helpers', () => {
  it.each([
    ['5.4.0-1045-aws', 'ubuntu'],
    ['5.15.0-91-generic', 'ubuntu'],
    ['4.19.0-17-amd64', 'debian'],
    ['5.10.0-21-cloud-amd64', 'debian'],
    ['3.10.0-1160.el7.x86_64', 'el7'],
    ['4.18.0-477.10.1.el8_8.x86_64', 'el8'],
    ['5.14.0-362.8.1.el9_3.aarch64', 'el9'],
    ['5.4.17-2136.300.7.el7uek.x86_64', 'el7'],
    ['4.14.225-168.357.amzn2.x86_64', 'amzn2'],
    ['6.1.61-85.141.amzn2023.x86_64', 'amzn2023'],
    ['6.5.6-300.fc39.x86_64', 'fc39'],
    ['5.14.21-150500.55.28-default', 'suse'],
    ['5.15.133-flatcar', 'flatcar'],
    ['5.15.153.1-microsoft-standard-WSL2', 'wsl'],
    ['5.15.138.1-4.cm2', 'cm2'],
    ['6.1.0', undefined],
    ['5.10.201+', undefined],
  ])('%s → %s', (raw, distro) => {
    expect(parseKernelRelease(raw)?.distro).toBe(distro);
  });

  it('parses two-part and four-part releases', () => {
    expect(parseKernelRelease('6.1')).toMatchObject({ major: 6, minor: 1, patch: 0, suffix: '', build: [] });
    expect(parseKernelRelease('2.6.32.71-0.8-default')).toMatchObject({ major: 2, minor: 6, patch: 32, suffix: '.71-0.8-default' });
    expect(parseKernelRelease('not-a-kernel')).toBeUndefined();
    expect(parseKernelRelease('5.4 x')).toBeUndefined();
  });

  it('compares by version, then by distro build', () => {
    expect(kernelAtLeast('4.4.0-21-generic', '4.4')).toBe(true);
    expect(kernelAtLeast('4.3.5', '4.4')).toBe(false);
    expect(kernelAtLeast('3.10.0-1160.el7.x86_64', '4.4')).toBe(false);
    expect(kernelAtLeast('5.10.0', '5.10')).toBe(true);
    expect(compareKernel('4.19.0', '4.9.300')).toBeGreaterThan(0);
    expect(compareKernel('3.10.0-1160.71.1.el7', '3.10.0-957.el7')).toBeGreaterThan(0);
    expect(compareKernel('3.10.0-957.el7', '3.10.0-1160')).toBeLessThan(0);
    expect(compareKernel('3.10.0-1160.71.1.el7', '3.10.0-1160')).toBeGreaterThan(0);
    // Build numbers of different distros say nothing about each other.
    expect(compareKernel('5.4.0-1045-aws', '5.4.0-1160.el7')).toBe(0);
    const v = parseKernelRelease('5.15.0-91-generic')!;
    expect(compareKernel(v, v)).toBe(0);
    expect([...['5.4.0', '3.10.0', '4.19.0', '4.4.0']].sort(compareKernel)).toEqual(['3.10.0', '4.4.0', '4.19.0', '5.4.0']);
    expect(() => compareKernel('banana', '4.4')).toThrow(TypeError);
  });
});
