import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../src/engine/types.js';
import { lintParsed, parseText } from '../src/engine/lint.js';
import type { IptablesDocument } from '../src/model/iptables.js';

/**
 * iptables-undefined-chain looks up only the target names the parser did not find among a
 * table's chains (and the chains nothing declares). Its findings and fixes must be those of the
 * check of every rule's target, which it makes on a table whose rules were replaced.
 */

const CONFIG: ResolvedConfig = { rules: { 'iptables-undefined-chain': 'error' }, settings: {} };

function lint(text: string, everyRule: boolean) {
  const file = parseText(text, 'test.rules', { kind: 'iptables' });
  // A table whose `rules` were set is read from its rules: the rule checks each one.
  if (everyRule) for (const doc of file.documents) for (const table of (doc.root as IptablesDocument).tables) table.rules = [...table.rules];
  return lintParsed([file], { configFor: () => CONFIG })[0].findings.filter((f) => f.ruleId === 'iptables-undefined-chain');
}

const summary = (text: string) => lint(text, false).map((f) => `${f.line}:${f.column} ${f.fix ? 'fix ' : ''}${f.message}`);

const CASES: Record<string, string> = {
  'a typo, twice': '*filter\n:KUBE-A - [0:0]\n-A INPUT -j KUBE-B\n-A FORWARD -j KUBE-B\n-A INPUT -j KUBE-A\nCOMMIT\n',
  'a chain of another table': '*filter\n:X - [0:0]\n-A INPUT -j X\nCOMMIT\n*nat\n-A PREROUTING -j X\n-A OUTPUT -j X\nCOMMIT\n',
  'a chain rules add to, never declared': '*filter\n-A INPUT -j Y\n-A Y -j ACCEPT\n-A FORWARD -g Y\nCOMMIT\n',
  'a chain declared after the jump': '*filter\n-A INPUT -j Z\n-N Z\n-A Z -j DROP\nCOMMIT\n',
  'a header after the rules of its chain': '*filter\n-A INPUT -j W\n-A W -j RETURN\n:W - [0:0]\nCOMMIT\n',
  'a quoted target': '*filter\n:Q - [0:0]\n-A INPUT -j "Q"\n-A INPUT -j "R"\nCOMMIT\n',
  'many undefined targets': `*filter\n${Array.from({ length: 20 }, (_, i) => `-A INPUT -s 10.0.0.${i} -j T${i % 12}\n`).join('')}COMMIT\n`,
  'built-in targets only': '*nat\n-A POSTROUTING -j MASQUERADE\n-A PREROUTING -j DNAT --to-destination 10.0.0.1\nCOMMIT\n',
  'no table line (iptables -S)': '-P INPUT ACCEPT\n-N A\n-A INPUT -j A\n-A INPUT -j B\n',
};

describe('iptables-undefined-chain', () => {
  it.each(Object.entries(CASES))('finds what a check of every rule finds: %s', (_name, text) => {
    const findings = lint(text, false);
    expect(findings).toEqual(lint(text, true));
  });

  it('reports a jump to a chain of another table, with one fix', () => {
    expect(summary(CASES['a chain of another table'])).toEqual([
      '6:18 fix Unknown chain "X" in -j: table nat declares no such chain and it is not a known target, so iptables-restore rejects the rule.',
      '7:14 Unknown chain "X" in -j: table nat declares no such chain and it is not a known target, so iptables-restore rejects the rule.',
    ]);
  });

  it('reports each of many undefined targets, the first jump to each with the fix', () => {
    const findings = lint(CASES['many undefined targets'], false);
    expect(findings).toHaveLength(20);
    expect(findings.filter((f) => f.fix)).toHaveLength(12);
  });

  it('accepts a chain declared by -N or a header after the jump to it', () => {
    expect(summary(CASES['a chain declared after the jump'])).toEqual([]);
    expect(summary(CASES['a header after the rules of its chain'])).toEqual([]);
  });

  const fixtures = ['test/fixtures/iptables', 'rules/iptables-undefined-chain/fixtures/invalid', 'rules/iptables-undefined-chain/fixtures/valid'];
  const corpus = '../shared/corpus/iptables-save';
  const files = [
    ...fixtures.flatMap((d) => readdirSync(d).filter((f) => !f.endsWith('.json')).map((f) => join(d, f))),
    ...(existsSync(corpus) ? readdirSync(corpus).map((f) => join(corpus, f)) : []),
  ];
  it.each(files)('finds what a check of every rule finds: %s', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(lint(text, false)).toEqual(lint(text, true));
  });
});
