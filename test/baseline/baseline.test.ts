import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyBaseline,
  createBaseline,
  parseBaseline,
  readBaseline,
  serializeBaseline,
  writeBaseline,
} from '../../src/engine/baseline.js';
import { ConfigError } from '../../src/engine/errors.js';
import { lintText, type LintFileResult } from '../../src/engine/lint.js';

const MASQ = 'masquerade-without-random-fully';
const ROOT = path.join(os.tmpdir(), 'netlint-baseline-repo');
const FILE = path.join(ROOT, 'nodes', 'n1', 'iptables.rules');

const RULE_A = '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE';
const RULE_B = '-A POSTROUTING -s 172.18.0.0/16 ! -o br-1 -j MASQUERADE';
const dump = (lines: string[]) => ['*nat', ':POSTROUTING ACCEPT [0:0]', ...lines, 'COMMIT', ''].join('\n');
const lint = (text: string, filePath = FILE): LintFileResult => lintText(text, { filePath, kind: 'iptables' });
const open = (r: LintFileResult[]) => r.flatMap((x) => x.findings.filter((f) => !f.suppressions?.length).map((f) => [f.line, f.ruleId]));

describe('baseline', () => {
  const before = lint(dump([RULE_A, RULE_B]));
  const baseline = createBaseline([before], ROOT);

  it('records rule id, relative path, fingerprint, occurrence and snippet; no line numbers', () => {
    expect(baseline.version).toBe(1);
    expect(baseline.entries).toHaveLength(2);
    for (const e of baseline.entries) {
      expect(e).toEqual({ file: 'nodes/n1/iptables.rules', ruleId: MASQ, fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), occurrence: 0, snippet: expect.any(String) });
    }
    expect(baseline.entries.map((e) => e.snippet)).toEqual([RULE_A, RULE_B]);
    expect(JSON.stringify(baseline)).not.toMatch(/"line"/);
  });

  it('accepts the same findings: they become suppressed with kind "baseline"', () => {
    const m = applyBaseline([before], baseline, ROOT);
    expect(m.accepted).toBe(2);
    expect(m.unmatched).toEqual([]);
    expect(m.results[0].findings.every((f) => f.suppressions?.[0].kind === 'baseline')).toBe(true);
  });

  it('keeps matching when lines move down (lines inserted above) or whitespace changes', () => {
    const moved = lint(dump(['# nodes of rack 7', ':DOCKER - [0:0]', '', RULE_B.replace(/ /g, '  '), RULE_A]));
    const m = applyBaseline([moved], baseline, ROOT);
    expect(m.accepted).toBe(2);
    expect(open(m.results)).toEqual([]);
    expect(m.unmatched).toEqual([]);
  });

  it('new findings stay; entries whose finding is gone are listed and pruned', () => {
    const after = lint(dump([RULE_A, RULE_B.replace('MASQUERADE', 'MASQUERADE --random-fully'), RULE_A.replace('172.17', '10.9')]));
    const m = applyBaseline([after], baseline, ROOT);
    expect(m.accepted).toBe(1);
    expect(open(m.results)).toEqual([[5, MASQ]]);
    expect(m.unmatched.map((e) => e.snippet)).toEqual([RULE_B]);
    expect(m.pruned.entries.map((e) => e.snippet)).toEqual([RULE_A]);
  });

  it('identical findings are told apart by occurrence: fixing one leaves one entry unmatched', () => {
    const twice = lint(dump([RULE_A, RULE_A]));
    const b = createBaseline([twice], ROOT);
    const masq = b.entries.filter((e) => e.ruleId === MASQ);
    expect(masq.map((e) => e.occurrence)).toEqual([0, 1]);
    const once = lint(dump([RULE_A]));
    const m = applyBaseline([once], b, ROOT);
    expect(open(m.results)).toEqual([]);
    expect(m.unmatched.map((e) => [e.ruleId, e.occurrence])).toEqual([
      ['iptables-duplicate-rule', 0],
      [MASQ, 1],
    ]);
  });

  it('the same line in another file is another entry', () => {
    const other = lint(dump([RULE_A, RULE_B]), path.join(ROOT, 'nodes', 'n2', 'iptables.rules'));
    const m = applyBaseline([other], baseline, ROOT);
    expect(m.accepted).toBe(0);
    // Entries of files not linted this time are neither matched nor reported.
    expect(m.unmatched).toEqual([]);
  });

  it('writing again keeps entries of files that were not linted', () => {
    const other = lint(dump([RULE_A]), path.join(ROOT, 'nodes', 'n2', 'iptables.rules'));
    const merged = createBaseline([other], ROOT, baseline);
    expect(merged.entries.map((e) => e.file)).toEqual(['nodes/n1/iptables.rules', 'nodes/n1/iptables.rules', 'nodes/n2/iptables.rules']);
  });

  it('serialises stably: sorted entries, fixed key order, final newline', () => {
    const text = serializeBaseline(baseline);
    expect(text.endsWith('}\n')).toBe(true);
    expect(serializeBaseline({ ...baseline, entries: [...baseline.entries].reverse() })).toBe(text);
    expect(Object.keys(JSON.parse(text))).toEqual(['version', 'entries']);
    expect(Object.keys(JSON.parse(text).entries[0])).toEqual(['file', 'ruleId', 'fingerprint', 'occurrence', 'snippet']);
    expect(parseBaseline(text, 'b.json')).toEqual(baseline);
  });

  it('parse errors and tool failures are never baselined', () => {
    const broken = lint(dump(['-A POSTROUTING -s ! 10.0.0.0/8 -j MASQUERADE']));
    expect(createBaseline([broken], ROOT).entries).toEqual([]);
  });

  it('a malformed baseline is a ConfigError', () => {
    expect(() => parseBaseline('{', 'b.json')).toThrow(ConfigError);
    expect(() => parseBaseline('{"version": 9, "entries": []}', 'b.json')).toThrow(/unsupported version 9/);
    expect(() => parseBaseline('{"version": 1, "entries": [{"file": "a"}]}', 'b.json')).toThrow(/entries\[0\] needs/);
  });

  describe('files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netlint-baseline-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('writes atomically (creating folders) and reads back', async () => {
      const file = path.join(dir, 'ci', 'netlint-baseline.json');
      await writeBaseline(file, baseline);
      expect(readFileSync(file, 'utf8')).toBe(serializeBaseline(baseline));
      expect(await readBaseline(file)).toEqual(baseline);
      await expect(readBaseline(path.join(dir, 'missing.json'))).rejects.toThrow(/Cannot read the baseline: ENOENT/);
    });
  });
});
