import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceDocument } from '../../src/model/document.js';
import type { IptablesRule } from '../../src/model/iptables.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText } from '../../src/model/source.js';
import { duplicateRules, parseIptables, walkIptables } from '../../src/parsers/iptables/parser.js';
import { duplicatesBySignature } from '../../src/parsers/iptables/rule.js';
import { errors, parse, type Parsed } from '../helpers/iptables.js';

/**
 * The parser keeps cheap fields per rule (`targetName`, `hasCriteria`, `signature`) and builds
 * options, matches and tokens on first use. These tests hold the cheap fields to the full model
 * they stand for, on every fixture and corpus dump.
 */

const FIXTURES = 'test/fixtures/iptables';
const CORPUS = '../shared/corpus/iptables-save';
const GENERATOR = '../shared/bench/gen-kube-proxy-dump.mjs';

/** The signature as the full model defines it: criteria and target texts, white space collapsed. */
function signatureFromModel(rule: IptablesRule, text: string): string {
  const parts: string[] = [];
  for (const o of rule.options) parts.push(text.slice(o.range[0], o.range[1]));
  for (const m of rule.matches) parts.push(text.slice(m.range[0], m.range[1]));
  if (rule.target) parts.push(text.slice(rule.target.range[0], rule.target.range[1]));
  return `${rule.chain}${/\s/.test(rule.chain) ? '\u0000' : ' '}${parts.join(' ').replace(/\s+/g, ' ')}`;
}

/** Duplicates as the parser finds them (hashes of the text) and as signatures say, by line. */
function checkDuplicates(p: Parsed): void {
  const lines = (pairs: [IptablesRule, IptablesRule][]) => pairs.map(([r, first]) => [r.line, first.line]);
  for (const table of p.doc.tables) {
    const found = lines(duplicateRules(table));
    expect(found, table.name).toEqual(lines(duplicatesBySignature(table.rules)));
  }
}

/** Reads every cheap field before any rule is built, then checks them against the full model. */
function checkCheapFields(text: string): void {
  checkDuplicates(parse(text));
  const p = parse(text);
  const cheap = p.rules.map((r) => ({ signature: r.signature, targetName: r.targetName, hasCriteria: r.hasCriteria, chain: r.chain, line: r.line }));
  p.rules.forEach((r, i) => {
    const where = `line ${r.line}`;
    expect(cheap[i].signature, where).toBe(signatureFromModel(r, text));
    expect(cheap[i].targetName, where).toBe(r.target?.name);
    expect(cheap[i].hasCriteria, where).toBe(!(r.options.length === 0 && r.matches.every((m) => m.name === 'comment')));
  });
  // Built in another order, from a fresh parse, every rule is the same.
  const fresh = parse(text).rules;
  for (let i = fresh.length - 1; i >= 0; i--) expect(JSON.stringify(fresh[i]), `rule ${i}`).toBe(JSON.stringify(p.rules[i]));
}

describe('iptables parser: cheap fields agree with the full model', () => {
  const files = [
    ...readdirSync(FIXTURES).map((f) => join(FIXTURES, f)),
    ...(existsSync(CORPUS) ? readdirSync(CORPUS).map((f) => join(CORPUS, f)) : []),
  ];
  it.each(files)('%s', (file) => checkCheapFields(readFileSync(file, 'utf8')));

  it.runIf(existsSync(GENERATOR))('a generated 300-service kube-proxy dump', () => {
    checkCheapFields(execFileSync(process.execPath, [GENERATOR, '300'], { encoding: 'utf8' }));
  });

  it('rules whose text needs normalising', () => {
    const text = [
      '*filter',
      '-A INPUT  -s 10.0.0.1\t-j ACCEPT',
      '-A INPUT -m comment --comment "a  b" -j ACCEPT',
      '-A INPUT -m comment --comment "esc \\" q" -j ACCEPT',
      '-A INPUT -m comment --comment x -s 10.0.0.2 -j ACCEPT',
      '-A INPUT -p tcp --dport 22 -s 10.0.0.3 -j ACCEPT',
      '-A INPUT -j MARK --set-mark 1 -m comment --comment late',
      '-A INPUT -c 1 2 -s 10.0.0.4 -j ACCEPT',
      '[3:4] -A INPUT -s 10.0.0.5 -j ACCEPT',
      '-I INPUT 2 -s 10.0.0.6 -j ACCEPT',
      '-A "IN PUT" -j ACCEPT',
      '-A INPUT',
      '-A INPUT -m comment --comment "nbsp\u00a0here" -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n');
    expect(errors(parse(text))).toEqual([]);
    checkCheapFields(text);
  });
});

describe('iptables parser: duplicates by signature', () => {
  const same = (a: string, b: string) => {
    const p = parse(`*filter\n:X - [0:0]\n${a}\n${b}\nCOMMIT\n`);
    expect(errors(p)).toEqual([]);
    return p.rules[0].signature === p.rules[1].signature;
  };

  it('ignores spacing, counters, -I positions and the order of basic options and matches', () => {
    expect(same('-A X -s 10.0.0.1 -j ACCEPT', '-A X  -s 10.0.0.1\t-j ACCEPT')).toBe(true);
    expect(same('-A X -s 10.0.0.1 -j ACCEPT', '[5:300] -A X -s 10.0.0.1 -j ACCEPT')).toBe(true);
    expect(same('-A X -s 10.0.0.1 -j ACCEPT', '-A X -c 5 300 -s 10.0.0.1 -j ACCEPT')).toBe(true);
    expect(same('-A X -s 10.0.0.1 -j ACCEPT', '-I X 1 -s 10.0.0.1 -j ACCEPT')).toBe(true);
    expect(same('-A X -s 10.0.0.1 -m comment --comment c -j ACCEPT', '-A X -m comment --comment c -s 10.0.0.1 -j ACCEPT')).toBe(true);
    expect(same('-A X -m comment --comment "a b" -j ACCEPT', '-A X -m comment --comment "a  b" -j ACCEPT')).toBe(true);
  });

  it('finds the same duplicates by hashing the text as by comparing signatures', () => {
    const text = [
      '*filter',
      ':X - [0:0]',
      // Same length, chain and ends, other middles: the quick hash agrees, the full one does not.
      '-A X -s 10.9.9.9/32 -m comment --comment "rule 1, with the same tail as the others" -j ACCEPT',
      '-A X -s 10.9.9.9/32 -m comment --comment "rule 2, with the same tail as the others" -j ACCEPT',
      '-A X -s 10.9.9.9/32 -m comment --comment "rule 1, with the same tail as the others" -j ACCEPT',
      // A signature that needs normalising, equal to a plain one before it.
      '-A X  -s 10.9.9.9/32 -m comment --comment "rule 2, with the same tail as the others"\t-j ACCEPT',
      '-A X -j DROP',
      '-I X 1 -j DROP',
      '-A X -j DROP',
      'COMMIT',
      '',
    ].join('\n');
    const p = parse(text);
    expect(errors(p)).toEqual([]);
    const lines = duplicateRules(p.doc.tables[0]).map(([r, first]) => [r.line, first.line]);
    expect(lines).toEqual([
      [5, 3],
      [6, 4],
      [8, 7],
      [9, 7],
    ]);
    checkDuplicates(p);
  });

  it('an allow-list of rules alike at both ends: every duplicate found, each against its first rule', () => {
    // Rules that differ only in the middle share their quick hash: they are told apart by the full
    // one (probing past each other instead made such a table quadratic).
    const rule = (i: number) => `-A KUBE-FIREWALL-ALLOWLIST -s 10.${(i >> 8) & 255}.${i & 255}.0/24 -m comment --comment "allow the office network" -j ACCEPT`;
    const body: string[] = [];
    for (let i = 0; i < 3000; i++) body.push(rule(i));
    for (let i = 0; i < 3000; i += 7) body.push(rule(i));
    body.push(rule(5).replace('ACCEPT', 'DROP'), rule(5));
    const p = parse(`*filter\n:KUBE-FIREWALL-ALLOWLIST - [0:0]\n${body.join('\n')}\nCOMMIT\n`);
    expect(errors(p)).toEqual([]);
    const lines = duplicateRules(p.doc.tables[0]).map(([r, first]) => [r.line, first.line]);
    const expected: number[][] = [];
    for (let i = 0, line = 3003; i < 3000; i += 7, line++) expected.push([line, i + 3]);
    expected.push([3003 + expected.length + 1, 5 + 3]);
    expect(lines).toEqual(expected);
    checkDuplicates(p);
  });

  it('tells apart other criteria, targets and chains', () => {
    expect(same('-A X -s 10.0.0.1 -j ACCEPT', '-A X -s 10.0.0.2 -j ACCEPT')).toBe(false);
    expect(same('-A X -s 10.0.0.1 -j ACCEPT', '-A X -s 10.0.0.1 -j DROP')).toBe(false);
    expect(same('-A X -s 10.0.0.1 -j ACCEPT', '-A X ! -s 10.0.0.1 -j ACCEPT')).toBe(false);
    expect(same('-A X -m comment --comment "a b" -j ACCEPT', '-A X -m comment --comment "a" -j ACCEPT')).toBe(false);
    expect(same('-A X -j ACCEPT', '-A INPUT -j ACCEPT')).toBe(false);
  });
});

describe('iptables parser: robustness', () => {
  it('reads tables named like Object.prototype members without throwing', () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const p = parse(`*${name}\n:INPUT - [0:0]\n-A INPUT -j DROP\n-A OTHER -j ACCEPT\nCOMMIT\n`);
      expect(errors(p)).toEqual([expect.stringMatching(new RegExp(`^1:1 Unknown table "${name}"`))]);
      expect(p.rules.map((r) => r.chain)).toEqual(['INPUT', 'OTHER']);
    }
  });

  it('reads the same text twice with the same result', () => {
    const text = readFileSync(join(FIXTURES, 'kube-proxy-like.rules'), 'utf8');
    const a = parseIptables(new SourceText(text), 'a.rules').documents[0].root;
    const b = parseIptables(new SourceText(text), 'b.rules').documents[0].root;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('walkIptables', () => {
  const text = '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -m comment --comment x -s 10.0.0.0/8 -j MASQUERADE --random-fully\nCOMMIT\n';
  const document = parseIptables(new SourceText(text), 'f.rules').documents[0] as SourceDocument;
  const visited = (types?: ReadonlySet<string>) => {
    const seen: string[] = [];
    walkIptables(document, (node: BaseNode) => seen.push(node.type), types);
    return seen;
  };

  it('visits every node without a filter', () => {
    expect(visited()).toEqual(['IptablesDocument', 'IptablesTable', 'IptablesChain', 'IptablesRule', 'IptablesMatch', 'IptablesTarget']);
  });

  it('skips rules, matches and targets no one listens to', () => {
    expect(visited(new Set(['IptablesChain']))).toEqual(['IptablesDocument', 'IptablesTable', 'IptablesChain']);
    expect(visited(new Set(['IptablesTarget']))).toEqual(['IptablesDocument', 'IptablesTable', 'IptablesTarget']);
  });
});
