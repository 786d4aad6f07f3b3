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

  it('finds what comparing signatures finds in dumps of chains of every size, in any order', () => {
    // A small pseudo-random generator: the same dumps on every run.
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    // Same-length lines, spellings whose signature is not the text (two spaces, options after
    // the target's, counters, -I), and targets that differ only at their end.
    const shapes = [
      (c: string) => `-A ${c} -s 10.0.0.${next(3)}/32 -j RETURN`,
      (c: string) => `-A ${c} -d 10.0.0.${next(3)}/32 -j RETURN`,
      (c: string) => `-A ${c}  -s 10.0.0.${next(3)}/32 -j RETURN`,
      (c: string) => `-A ${c} -j MARK --set-xmark 0x${next(2)}/0xffffffff -s 10.0.0.1/32`,
      (c: string) => `[0:0] -A ${c} -s 10.0.0.${next(3)}/32 -j RETURN`,
      (c: string) => `-I ${c} -s 10.0.0.${next(3)}/32 -j RETURN`,
      (c: string) => `-A ${c} -m comment --comment "x ${next(2)}" -j KUBE-SEP-${next(2)}`,
    ];
    for (let round = 0; round < 40; round++) {
      const chains = Array.from({ length: 1 + next(4) }, (_, k) => `C${k}`);
      const body: string[] = [];
      const count = 1 + next(40);
      for (let k = 0; k < count; k++) body.push(shapes[next(shapes.length)](chains[next(chains.length)]));
      const text = `*filter\n${chains.map((c) => `:${c} - [0:0]`).join('\n')}\n:KUBE-SEP-0 - [0:0]\n:KUBE-SEP-1 - [0:0]\n${body.join('\n')}\nCOMMIT\n`;
      duplicateLines(text);
    }
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
