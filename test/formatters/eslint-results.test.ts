import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { LintFileResult } from '../../src/engine/lint.js';
import { mergeEdits, toEslintResult, toEslintResults } from '../../src/formatters/eslint-results.js';
import type { Finding, TextEdit } from '../../src/model/finding.js';
import { canonicalResults, CWD } from './fixture.js';

// Keys ESLint 9 writes (lib/eslint/eslint-helpers.js verifyText, linter report translator).
const RESULT_KEYS = [
  'filePath',
  'messages',
  'suppressedMessages',
  'errorCount',
  'fatalErrorCount',
  'warningCount',
  'fixableErrorCount',
  'fixableWarningCount',
  'source',
  'output',
  'usedDeprecatedRules',
];
const MESSAGE_KEYS = ['ruleId', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'messageId', 'fatal', 'fix', 'suggestions'];

/** Applies edits one by one, from the end so earlier offsets stay valid. */
function applyEach(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.range[0] - a.e.range[0] || b.e.range[1] - a.e.range[1] || b.i - a.i);
  for (const { e } of sorted) text = text.slice(0, e.range[0]) + e.text + text.slice(e.range[1]);
  return text;
}

function finding(over: Partial<Finding>): Finding {
  return { ruleId: 'r', message: 'M.', severity: 2, filePath: 'a.rules', range: [0, 1], line: 1, column: 1, endLine: 1, endColumn: 2, ...over };
}

describe('toEslintResults', () => {
  const results = toEslintResults(canonicalResults(), { cwd: CWD });
  const [yaml, cni, daemon, ipt] = results;

  test("has ESLint's LintResult keys and no others (plus the relatedLocations extension on messages)", () => {
    for (const r of results) {
      for (const key of Object.keys(r)) expect(RESULT_KEYS).toContain(key);
      for (const m of [...r.messages, ...r.suppressedMessages]) {
        for (const key of Object.keys(m)) expect([...MESSAGE_KEYS, 'relatedLocations', 'suppressions']).toContain(key);
      }
      expect(r.usedDeprecatedRules).toEqual([]);
    }
  });

  test('paths are absolute; positions and severities are copied', () => {
    expect(results.map((r) => path.isAbsolute(r.filePath))).toEqual([true, true, true, true]);
    expect(ipt.messages[0]).toMatchObject({ ruleId: 'masquerade-without-random-fully', severity: 2, line: 8, column: 35, endLine: 8, endColumn: 45, messageId: 'missing' });
    expect(toEslintResult({ filePath: 'x/y.rules', text: '', findings: [] }, { cwd: CWD }).filePath).toBe(path.join(CWD, 'x/y.rules'));
    expect(toEslintResult({ filePath: '<text>', text: '', findings: [] }, { cwd: CWD }).filePath).toBe('<text>');
  });

  test('counts as ESLint does: fatal is an error, fixable means a fix (not a suggestion)', () => {
    const counts = results.map(({ errorCount, fatalErrorCount, warningCount, fixableErrorCount, fixableWarningCount }) => [
      errorCount,
      fatalErrorCount,
      warningCount,
      fixableErrorCount,
      fixableWarningCount,
    ]);
    expect(counts).toEqual([
      [1, 1, 0, 0, 0],
      [0, 0, 1, 0, 1],
      [0, 0, 0, 0, 0],
      [1, 0, 1, 0, 0],
    ]);
    expect(yaml.messages[0].fatal).toBe(true);
  });

  test('suppressed findings go to suppressedMessages, uncounted, with their suppressions', () => {
    expect(ipt.messages).toHaveLength(2);
    expect(ipt.suppressedMessages).toEqual([
      expect.objectContaining({
        line: 10,
        suppressions: [{ kind: 'directive', justification: 'legacy NAT gateway, fixed in INFRA-212' }],
      }),
    ]);
  });

  test('source is kept for files with problems (as ESLint), not for clean or all-suppressed ones', () => {
    expect([yaml, cni, daemon, ipt].map((r) => r.source !== undefined)).toEqual([true, true, false, true]);
    const suppressedOnly: LintFileResult = {
      filePath: 'a.rules',
      text: 'x\n',
      findings: [finding({ suppressions: [{ kind: 'baseline', justification: '' }] })],
    };
    const r = toEslintResult(suppressedOnly, { cwd: CWD });
    expect([r.source, r.errorCount, r.suppressedMessages.length]).toEqual([undefined, 0, 1]);
  });

  test('a multi-edit suggestion becomes one replacement that gives the same text', () => {
    const original = canonicalResults()[3];
    const suggestion = ipt.messages[0].suggestions![0];
    expect(suggestion).toEqual({
      desc: 'Replace --random with --random-fully.',
      messageId: 'replaceRandom',
      fix: { range: [305, 336], text: ' --random-fully --to-ports 1024-65535' },
    });
    const { range, text } = suggestion.fix;
    const merged = original.text.slice(0, range[0]) + text + original.text.slice(range[1]);
    expect(merged).toBe(applyEach(original.text, original.findings[0].suggestions![0].edits));
    expect(merged).toContain('-j MASQUERADE --random-fully --to-ports 1024-65535\n');
  });

  test('related locations become relatedLocations with absolute paths', () => {
    expect(ipt.messages[1].relatedLocations).toEqual([
      { filePath: path.join(CWD, 'nodes/node-a/iptables.rules'), message: 'POSTROUTING jumps to CNI-3f2a4b for 10.244.0.0/16.', line: 6, column: 1, endLine: 6, endColumn: 80 },
      { filePath: path.join(CWD, 'netlint.config.yaml'), message: 'Internal network from settings.internalNetworks.', line: 2, column: 22, endLine: 2, endColumn: 32 },
    ]);
  });

  test('a fix that cannot be one replacement is dropped; the message stays', () => {
    const overlapping = finding({ fix: { edits: [{ range: [0, 2], text: 'a' }, { range: [1, 3], text: 'b' }] } });
    const r = toEslintResult({ filePath: 'a.rules', text: 'abcdef', findings: [overlapping] }, { cwd: CWD });
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0].fix).toBeUndefined();
    expect(r.fixableErrorCount).toBe(0);
  });
});

describe('mergeEdits', () => {
  test('edge cases', () => {
    expect(mergeEdits([], 'abc')).toBeUndefined();
    expect(mergeEdits([{ range: [1, 2], text: 'X' }], 'abc')).toEqual({ range: [1, 2], text: 'X' });
    // Insertions at one offset keep their order.
    expect(mergeEdits([{ range: [1, 1], text: 'A' }, { range: [1, 1], text: 'B' }], 'abc')).toEqual({ range: [1, 1], text: 'AB' });
    // Order given does not matter.
    expect(mergeEdits([{ range: [4, 5], text: 'Y' }, { range: [0, 1], text: 'X' }], 'abcdef')).toEqual({ range: [0, 5], text: 'XbcdY' });
    expect(mergeEdits([{ range: [0, 2], text: '' }, { range: [1, 3], text: '' }], 'abcdef')).toBeUndefined();
    expect(mergeEdits([{ range: [2, 9], text: '' }], 'abc')).toBeUndefined();
    expect(mergeEdits([{ range: [2, 1], text: '' }], 'abc')).toBeUndefined();
  });

  test('applying the merged edit equals applying each edit (property)', () => {
    const input = fc
      .string({ minLength: 0, maxLength: 40 })
      .chain((text) =>
        fc.tuple(
          fc.constant(text),
          fc.array(fc.tuple(fc.nat(text.length), fc.nat(text.length), fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 5 }),
        ),
      )
      .map(([text, raw]) => {
        // Cut the text at sorted points into disjoint edits, then give them out of order.
        const edits: TextEdit[] = [];
        let last = 0;
        for (const [a, b, t] of raw.map(([a, b, t]) => [Math.min(a, b), Math.max(a, b), t] as const).sort((x, y) => x[0] - y[0])) {
          const start = Math.max(a, last);
          const end = Math.max(b, start);
          edits.push({ range: [start, end], text: t });
          last = end;
        }
        return { text, edits: edits.reverse() };
      });
    fc.assert(
      fc.property(input, ({ text, edits }) => {
        const fix = mergeEdits(edits, text)!;
        expect(fix).toBeDefined();
        expect(text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1])).toBe(applyEach(text, edits));
      }),
    );
  });
});
