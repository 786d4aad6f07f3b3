import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IptablesTarget, type IptablesTable } from '../../src/model/iptables.js';
import { chainByName } from '../../src/parsers/iptables/parser.js';
import { chainsNamed, ruleTable, rulesWithTarget, targetChain, type RuleTable } from '../../src/parsers/iptables/select.js';
import { errors, parse } from '../helpers/iptables.js';

/**
 * `ruleTable` reads a parsed table's columns without making rule objects; what it reads must be
 * what the rules' objects say, before and after a rule's target or chain is set.
 */

const FIXTURES = 'test/fixtures/iptables';
const CORPUS = '../shared/corpus/iptables-save';

/** Every field by index, as a list (built before any rule object when `rules` is fresh). */
function fields(rules: RuleTable) {
  const out = [];
  const names = rules.targetNames();
  const unconditional = new Set(rules.unconditional());
  const nat = new Set(rules.withTarget(['MASQUERADE', 'SNAT']));
  expect(names.length).toBe(rules.count);
  for (let i = 0; i < rules.count; i++) {
    const targetName = rules.targetNameAt(i);
    const hasCriteria = rules.hasCriteriaAt(i);
    expect(names[i]).toBe(targetName);
    expect(unconditional.has(i)).toBe(!hasCriteria);
    expect(nat.has(i)).toBe(targetName === 'MASQUERADE' || targetName === 'SNAT');
    out.push({ targetName, targetKind: rules.targetKindAt(i), hasCriteria, chain: rules.chainAt(i) });
  }
  return out;
}

/** The same fields from the rule objects. */
function fromObjects(table: IptablesTable) {
  return table.rules.map((r) => ({ targetName: r.targetName, targetKind: r.target?.kind, hasCriteria: r.hasCriteria, chain: r.chain }));
}

describe('ruleTable', () => {
  const files = [
    ...readdirSync(FIXTURES).map((f) => join(FIXTURES, f)),
    ...(existsSync(CORPUS) ? readdirSync(CORPUS).map((f) => join(CORPUS, f)) : []),
  ];

  it.each(files)('reads what the rules say: %s', (file) => {
    const p = parse(readFileSync(file, 'utf8'));
    for (const table of p.doc.tables) {
      const cheap = fields(ruleTable(table));
      const rules = ruleTable(table);
      // A target name the parser does not list as unresolved is a chain of the table.
      const unresolved = rules.unresolvedTargets();
      expect(unresolved).toBeDefined();
      for (let i = 0; i < rules.count; i++) {
        const name = rules.targetNameAt(i);
        if (name !== undefined) expect(targetChain(table, rules, i, name), `rule ${i}`).toBe(chainByName(table, name));
        if (name !== undefined && !unresolved!.has(name)) expect(chainByName(table, name), `rule ${i}`).toBeDefined();
      }
      expect(cheap, table.name).toEqual(fromObjects(table));
      // A table whose rules were replaced is read from its rules.
      const copy = [...table.rules];
      table.rules = copy;
      expect(fields(ruleTable(table)), table.name).toEqual(cheap);
      expect(ruleTable(table).rule(0)).toBe(copy[0]);
    }
  });

  it('follows a target or chain set on a rule', () => {
    const p = parse('*filter\n:X - [0:0]\n-A INPUT -j X\n-A INPUT -s 10.0.0.1 -g X\n-A X -j ACCEPT\nCOMMIT\n');
    expect(errors(p)).toEqual([]);
    const table = p.doc.tables[0];
    const rules = ruleTable(table);
    expect(fields(rules)).toEqual([
      { targetName: 'X', targetKind: 'jump', hasCriteria: false, chain: 'INPUT' },
      { targetName: 'X', targetKind: 'goto', hasCriteria: true, chain: 'INPUT' },
      { targetName: 'ACCEPT', targetKind: 'jump', hasCriteria: false, chain: 'X' },
    ]);
    const [a, b, c] = table.rules;
    a.target = undefined;
    b.target = new IptablesTarget('DROP', { value: 'DROP', range: [0, 0] }, 'jump', [], [0, 0]);
    c.target!.name = 'RETURN';
    c.chain = 'Y';
    expect(fields(rules)).toEqual(fromObjects(table));
    // A target set on a rule's object may name anything.
    expect(rules.unresolvedTargets()).toBeUndefined();
    expect(fields(rules)[0]).toEqual({ targetName: undefined, targetKind: undefined, hasCriteria: false, chain: 'INPUT' });
    expect(fields(rules)[2]).toEqual({ targetName: 'RETURN', targetKind: 'jump', hasCriteria: false, chain: 'Y' });
  });

  it('rulesWithTarget finds rules by their target in file order, for parsed and plain tables', () => {
    const p = parse('*nat\n-A POSTROUTING -j SNAT --to-source 1.2.3.4\n-A POSTROUTING -j RETURN\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n');
    expect(errors(p)).toEqual([]);
    const table = p.doc.tables[0];
    const lines = (t: IptablesTable) => rulesWithTarget(t, ['MASQUERADE', 'SNAT']).map((r) => r.line);
    expect(lines(table)).toEqual([2, 4]);
    const plain: IptablesTable = { type: 'IptablesTable', name: 'nat', nameRange: [0, 0], chains: [], rules: [...table.rules], range: [0, 0] };
    expect(lines(plain)).toEqual([2, 4]);
  });
});

describe('chainsNamed', () => {
  it('gives the chains named, in declaration order, for parsed and plain tables', () => {
    const body: string[] = [];
    for (let i = 0; i < 40; i++) body.push(`:C${i} - [0:0]`);
    const p = parse(`*filter\n${body.join('\n')}\n-A C7 -j ACCEPT\nCOMMIT\n`);
    expect(errors(p)).toEqual([]);
    const table = p.doc.tables[0];
    const names = (t: IptablesTable, wanted: string[]) => chainsNamed(t, new Set(wanted)).map((c) => c.name);
    expect(names(table, ['C30', 'C2'])).toEqual(['C2', 'C30']);
    expect(names(table, ['C30', 'NONE'])).toEqual(['C30']);
    const plain: IptablesTable = { ...table, type: 'IptablesTable', rules: table.rules, chains: [...table.chains].reverse() };
    expect(names(plain, ['C30', 'C2'])).toEqual(['C30', 'C2']);
    table.chains = [...table.chains].reverse();
    expect(names(table, ['C30', 'C2'])).toEqual(['C30', 'C2']);
  });
});
