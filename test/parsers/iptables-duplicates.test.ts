import { describe, expect, it } from 'vitest';
import type { IptablesRule } from '../../src/model/iptables.js';
import { duplicateRules } from '../../src/parsers/iptables/parser.js';
import { duplicatesBySignature } from '../../src/parsers/iptables/rule.js';
import { errors, parse } from '../helpers/iptables.js';

/**
 * A parsed table looks for duplicates chain by chain: rules of small chains in pairs, of large
 * chains by hashes. Whatever the path, it finds what comparing signatures finds.
 */

const lines = (pairs: [IptablesRule, IptablesRule][]) => pairs.map(([r, first]) => [r.line, first.line]);

function duplicateLines(text: string): number[][] {
  const p = parse(text);
  expect(errors(p)).toEqual([]);
  const table = p.doc.tables[0];
  const found = lines(duplicateRules(table));
  expect(found).toEqual(lines(duplicatesBySignature(table.rules)));
  return found;
}

describe('duplicate rules of a parsed table', () => {
  it('finds duplicates in small chains whose rules are interleaved with other chains', () => {
    const text = [
      '*nat',
      ':A - [0:0]',
      ':B - [0:0]',
      '-A A -s 10.0.0.1/32 -j RETURN',
      '-A B -s 10.0.0.1/32 -j RETURN',
      '-A A -s 10.0.0.2/32 -j RETURN',
      '-A B -s 10.0.0.9/32 -j RETURN',
      '-A A -s 10.0.0.1/32 -j RETURN',
      '-A B -s 10.0.0.1/32 -j RETURN',
      '-A A  -s 10.0.0.2/32 -j RETURN',
      '-A B -s 10.0.0.1/32 -j RETURN',
      'COMMIT',
      '',
    ].join('\n');
    expect(duplicateLines(text)).toEqual([
      [8, 4],
      [9, 5],
      [10, 6],
      [11, 5],
    ]);
  });

  it('finds duplicates in a large chain, interleaved with a small one', () => {
    const body: string[] = [];
    for (let i = 0; i < 40; i++) {
      body.push(`-A BIG -d 10.96.0.${i % 30}/32 -p tcp -m comment --comment "svc-${i % 30}" -j ACCEPT`);
      body.push(`-A SMALL -s 10.1.0.${i % 3}/32 -j DROP`);
    }
    const found = duplicateLines(`*filter\n:BIG - [0:0]\n:SMALL - [0:0]\n${body.join('\n')}\nCOMMIT\n`);
    expect(found.length).toBe(10 + 37);
  });

  it('compares a rule whose chain was set with the rules of that chain', () => {
    const p = parse('*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j DROP\n-A B -j DROP\n-A B -j ACCEPT\nCOMMIT\n');
    const table = p.doc.tables[0];
    expect(lines(duplicateRules(table))).toEqual([]);
    table.rules[1].chain = 'A';
    expect(lines(duplicateRules(table))).toEqual([[5, 4]]);
    expect(lines(duplicateRules(table))).toEqual(lines(duplicatesBySignature(table.rules)));
  });
});
