import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';
import type { ConntrackStats } from '../../src/model/evidence.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { conntrackParser } from '../../src/parsers/conntrack/index.js';
import { detectKind } from '../../src/parsers/detect.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/evidence');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string, filePath = 'node-1/conntrack-S.txt') {
  const result = conntrackParser.parse(new SourceText(text), filePath);
  return { ...result, stats: result.documents[0].root as ConntrackStats };
}

/** Each counter's range slices to its value as written (decimal or hex). */
function expectCounterRanges(text: string, stats: ConntrackStats, hex: boolean) {
  for (const cpu of stats.cpus) {
    for (const c of Object.values(cpu.counters)) {
      const written = slice(text, c.range);
      expect(hex ? parseInt(written, 16) : Number(written)).toBe(c.value);
    }
    expect(slice(text, cpu.range)).not.toMatch(/^\s|\s$/);
  }
  const visited: string[] = [];
  conntrackParser.walk(conntrackParser.parse(new SourceText(text), 'x').documents[0], (n: BaseNode) => visited.push(n.type));
  expect(visited).toEqual(['ConntrackStats', ...stats.cpus.map(() => 'ConntrackCpu')]);
}

describeCorpus('corpus: conntrack statistics', () => {
  const names = corpusFiles('evidence').filter((n) => n.startsWith('conntrack-') || n.startsWith('proc-net-stat-nf_conntrack'));

  it('has the three corpus files', () => expect(names).toHaveLength(3));

  it.each(names)('%s is detected and parses without findings', (name) => {
    const text = readCorpus('evidence', name);
    expect(detectKind(`evidence/${name}`, text)).toBe('conntrack-stats');
    expect(parse(text).findings).toEqual([]);
  });

  it('reads the modern per-CPU line (conntrack 1.4.8)', () => {
    const text = readCorpus('evidence', 'conntrack-S-percpu-format-conntrack-1.4.8.netfilter-devel-selftest-report.txt');
    const { stats } = parse(text);
    expect(stats.format).toBe('cpu-lines');
    expect(stats.cpus).toHaveLength(1);
    expect(stats.cpus[0].cpu).toBe(0);
    expect(Object.keys(stats.cpus[0].counters)).toEqual([
      'found', 'invalid', 'insert', 'insert_failed', 'drop', 'early_drop', 'error', 'search_restart', 'clash_resolve', 'chaintoolong',
    ]);
    expect(stats.totals.clash_resolve.value).toBe(0);
    expectCounterRanges(text, stats, false);
  });

  it('reads the old summary layout (conntrack 1.4.4, kubernetes#56903)', () => {
    const text = readCorpus('evidence', 'conntrack-S-summary-format-conntrack-1.4.4.k8s-issue-56903.txt');
    const { stats } = parse(text);
    expect(stats.format).toBe('summary');
    expect(stats.cpus).toEqual([]);
    expect(stats.totals.entries.value).toBe(90);
    expect(stats.totals.found.value).toBe(3774748);
    expect(stats.totals.insert_failed.value).toBe(0);
    expect(stats.totals.delete_list.value).toBe(327481);
    expect(slice(text, stats.totals.found.range)).toBe('3774748');
    expect(Object.keys(stats.totals)).toHaveLength(17);
  });

  it('reads /proc/net/stat/nf_conntrack by header name, hex, entries not summed', () => {
    const text = readCorpus('evidence', 'proc-net-stat-nf_conntrack.pre-5.10-format.node-exporter-fixture.txt');
    const { stats } = parse(text);
    expect(stats.format).toBe('proc');
    expect(stats.cpus.map((c) => c.cpu)).toEqual([0, 1, 2, 3]);
    expect(stats.header?.map((h) => h.name)).toContain('searched');
    for (const h of stats.header!) expect(slice(text, h.range)).toBe(h.name);
    expect(stats.totals.entries.value).toBe(0x21);
    expect(stats.totals.invalid.value).toBe(3 + 2 + 1 + 0x2f);
    expect(stats.totals.ignore.value).toBe(0x588a + 0x56a4 + 0x58d4 + 0x5688);
    expect(stats.totals.search_restart.value).toBe(7);
    // The total points at the largest per-CPU value (row 4's 0000002f).
    expect(slice(text, stats.totals.invalid.range)).toBe('0000002f');
    expect(source(text).positionAt(stats.totals.invalid.range[0]).line).toBe(5);
    expectCounterRanges(text, stats, true);
  });
});

const source = (text: string) => new SourceText(text);

describe('conntrack fixtures', () => {
  it('sums several CPUs of conntrack -S with tabs and trailing spaces', () => {
    const text = fixture('conntrack-S-percpu-4cpu.txt');
    expect(detectKind('conntrack-S-percpu-4cpu.txt', text)).toBe('conntrack-stats');
    const { stats, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(stats.cpus.map((c) => c.cpu)).toEqual([0, 1, 2, 3]);
    expect(stats.totals.insert_failed.value).toBe(28);
    expect(stats.totals.drop.value).toBe(18);
    expect(stats.totals.clash_resolve.value).toBe(13);
    expect(slice(text, stats.totals.insert_failed.range)).toBe('19');
    expect(source(text).positionAt(stats.totals.insert_failed.range[0]).line).toBe(2);
    expect(slice(text, stats.cpus[1].counters.drop.range)).toBe('11');
    expectCounterRanges(text, stats, false);
  });

  it('reads a later proc header (clashres, chainlength) with CRLF; unknown columns kept', () => {
    const text = fixture('nf_conntrack');
    expect(text).toContain('\r\n');
    expect(detectKind('proc/net/stat/nf_conntrack', text)).toBe('conntrack-stats');
    const { stats, findings } = parse(text, 'nf_conntrack');
    expect(findings).toEqual([]);
    expect(stats.totals.clashres.value).toBe(5);
    expect(stats.totals.chainlength.value).toBe(0);
    expect(stats.totals.insert_failed.value).toBe(0x16);
    expect(stats.totals.drop.value).toBe(3);
    expect(stats.totals.entries.value).toBe(0x2a1);
    expect(stats.totals.searched).toBeUndefined();
    expectCounterRanges(text, stats, true);
  });

  it('gives one parse-error per bad per-CPU line and keeps the good counters', () => {
    const text = fixture('conntrack-S-malformed.txt');
    expect(detectKind('conntrack-S-malformed.txt', text)).toBe('conntrack-stats');
    const { stats, findings } = parse(text);
    expect(findings.map((f) => [f.line, slice(text, f.range)])).toEqual([
      [1, 'insert_failed=oops'],
      [3, 'found=9 invalid=1'],
      [4, 'cpu=1'],
    ]);
    expect(findings.every((f) => f.ruleId === 'parse-error')).toBe(true);
    expect(stats.cpus.map((c) => c.cpu)).toEqual([0, 1]);
    expect(stats.cpus[0].counters.insert_failed).toBeUndefined();
    expect(stats.totals.insert_failed.value).toBe(5);
    expect(stats.totals.drop.value).toBe(6);
  });

  it('checks proc rows against the header', () => {
    const text = fixture('nf_conntrack-malformed.txt');
    expect(detectKind('nf_conntrack-malformed.txt', text)).toBe('conntrack-stats');
    const { stats, findings } = parse(text);
    expect(findings.map((f) => [f.line, f.message])).toEqual([
      [1, expect.stringMatching(/^Invalid conntrack statistics line/)],
      [4, 'Expected 7 columns as in the header, found 4.'],
      [5, 'Invalid value "zzzzzzzz" for "found": expected hex digits.'],
    ]);
    expect(stats.format).toBe('proc');
    expect(stats.cpus).toHaveLength(2);
    expect(stats.totals.insert_failed.value).toBe(3);
    expect(stats.totals.found.value).toBe(0);
  });

  it('handles the summary format with CRLF and a BOM, and big values', () => {
    const text = '\ufeffentries   \t\t12\r\nsearched  \t\t0\r\ninsert_failed\t\t99999999999999999999\r\n';
    expect(detectKind('conntrack.txt', text)).toBe('conntrack-stats');
    const { stats, findings } = parse(text);
    expect(findings).toEqual([]);
    expect(stats.format).toBe('summary');
    expect(stats.totals.insert_failed.value).toBe(99999999999999999999n);
    expect(slice(text, stats.totals.entries.range)).toBe('12');
  });

  it('sums to a bigint past 2^53 and never throws', () => {
    const big = '9007199254740991';
    const { stats } = parse(`cpu=0 drop=${big}\ncpu=1 drop=${big}\n`);
    expect(stats.totals.drop.value).toBe(2n * 9007199254740991n);
    for (const text of ['', 'cpu=', 'cpu=x y', 'entries', 'entries\n', '=\n==', '\ufeff']) expect(() => parse(text)).not.toThrow();
  });
});
