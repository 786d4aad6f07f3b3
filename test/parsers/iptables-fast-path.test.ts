import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineError, readRule, readRuleFast, RuleScan } from '../../src/parsers/iptables/rule.js';
import { LineTokens } from '../../src/parsers/iptables/tokenize.js';
import { corpusFiles, corpusPath, hasCorpus } from '../helpers/corpus.js';

/**
 * Most rule lines are read by a fast path (`LineTokens.scanSimple`, then `readRuleFast`) that
 * gives up on anything unusual. These tests hold it to the careful path (`scan`, `readRule`) on
 * every line it accepts: the same tokens, the same facts, and never a line the careful path
 * rejects. Lines come from fixtures, the corpus, a generated dump, edge cases, and seeded random
 * edits of all of them.
 */

const FIXTURES = 'test/fixtures/iptables';
const GENERATOR = '../shared/bench/gen-kube-proxy-dump.mjs';

interface Outcome {
  tokens: string;
  facts: string | undefined;
}

const tokensOf = (lt: LineTokens) => {
  const parts: string[] = [];
  for (let k = 0; k < lt.count; k++) parts.push(`${lt.start[k]}-${lt.end[k]}${lt.quoted[k] ? 'q' : ''}`);
  return `${parts.join(' ')}${lt.irregular ? ' irregular' : ''}`;
};

const factsOf = (s: RuleScan) =>
  JSON.stringify([s.targetTok, s.targetKind, s.hasCriteria, s.canonical, s.counterOption, s.sourceTok, s.destinationTok, s.protocolTok]);

/** The careful path: tokens, and the facts, or undefined if readRule rejects the line. */
function careful(line: string): Outcome | undefined {
  const lt = new LineTokens();
  if (lt.scan(line, 0, line.length) >= 0) return undefined;
  const s = new RuleScan();
  try {
    readRule(lt, 2, s, undefined);
  } catch (err) {
    if (!(err instanceof LineError)) throw err;
    return { tokens: tokensOf(lt), facts: undefined };
  }
  return { tokens: tokensOf(lt), facts: factsOf(s) };
}

/**
 * The fast path: undefined where it gives up (tokens, or facts). `scanSimple` searches for the
 * characters it cannot read (the parser's pass over a text); `scanSimpleLine` looks at each
 * character (a rule's details, read again out of file order).
 */
function fast(line: string, scanner: 'scanSimple' | 'scanSimpleLine'): Outcome | undefined {
  const lt = new LineTokens();
  if (!lt[scanner](line, 0, line.length)) return undefined;
  const s = new RuleScan();
  return { tokens: tokensOf(lt), facts: readRuleFast(lt, 2, s) ? factsOf(s) : undefined };
}

/** Checks every line; returns how many the fast path read whole. */
function check(lines: Iterable<string>): { lines: number; fast: number } {
  let count = 0;
  let read = 0;
  for (const line of lines) {
    count++;
    let c: Outcome | undefined;
    for (const scanner of ['scanSimple', 'scanSimpleLine'] as const) {
      const f = fast(line, scanner);
      if (!f) continue;
      c ??= careful(line);
      expect(c, line).toBeDefined();
      expect(f.tokens, line).toBe(c!.tokens);
      if (f.facts === undefined) continue;
      if (scanner === 'scanSimple') read++;
      expect(f.facts, line).toBe(c!.facts);
    }
  }
  return { lines: count, fast: read };
}

const ruleLines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('-A '));

/** A seeded generator (mulberry32): the same edits on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [' ', '  ', '"', '\\', '!', '! ', '-', '--', '\t', 'é', '-m', '-j', '-g', '-c 1 2', '-4', '-1', '--dport', '--random-fully', '--comment "x y"', '-p tcp', '-s', 'comment', '""', '\x7f', '\x1f', '~#', '\r'];

/** Random edits of a line: characters deleted, pieces inserted, tokens dropped or repeated. */
function* mutations(line: string, next: () => number, count: number): Generator<string> {
  for (let k = 0; k < count; k++) {
    const at = 3 + Math.floor(next() * Math.max(1, line.length - 3));
    const kind = Math.floor(next() * 4);
    if (kind === 0) yield line.slice(0, at) + line.slice(at + 1);
    else if (kind === 1) yield line.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + line.slice(at);
    else {
      const words = line.split(' ');
      const w = 2 + Math.floor(next() * Math.max(1, words.length - 2));
      if (kind === 2) words.splice(w, 1);
      else words.splice(w, 0, words[w] ?? '-j');
      yield words.join(' ');
    }
  }
}

describe('fast path for rule lines', () => {
  it('agrees with the careful path on edge cases', () => {
    const lines = [
      '-A INPUT',
      '-A INPUT -j ACCEPT',
      '-A INPUT ! -s 10.0.0.1 -j DROP',
      '-A INPUT ! ! -s 10.0.0.1 -j DROP',
      '-A INPUT -s ! 10.0.0.1 -j DROP',
      '-A INPUT -s 10.0.0.1 10.0.0.2 -j DROP',
      '-A INPUT -s -j DROP',
      '-A INPUT -s "10.0.0.1" -j DROP',
      '-A INPUT -p "" --dport 80 -j DROP',
      '-A INPUT -p tcp --dport 80 -j DROP',
      '-A INPUT --dport 80 -j DROP',
      '-A INPUT -j DROP --dport 80',
      '-A INPUT -j DROP -j ACCEPT',
      '-A INPUT -j',
      '-A INPUT -j -s',
      '-A INPUT ! -j DROP',
      '-A INPUT ! -m tcp --dport 1',
      '-A INPUT -m',
      '-A INPUT -m "comment" --comment x -j ACCEPT',
      '-A INPUT -m comment --comment "a b" -j ACCEPT',
      '-A INPUT -m comment --comment "a  b" -j ACCEPT',
      '-A INPUT -m comment --comment "a\\"b" -j ACCEPT',
      '-A INPUT -m comment --comment "a"b -j ACCEPT',
      '-A INPUT -m comment --comment a"b" -j ACCEPT',
      '-A INPUT -m comment --comment "unterminated -j ACCEPT',
      '-A INPUT -m comment --comment -j ACCEPT',
      '-A INPUT -j MASQUERADE --random-fully',
      '-A INPUT -j MASQUERADE --random-fully x',
      '-A INPUT -j MASQUERADE --random-fully ! --to-ports 1',
      '-A INPUT -j MASQUERADE --to-ports ! 1',
      '-A INPUT -j MASQUERADE !',
      '-A INPUT -f -j DROP',
      '-A INPUT -f x -j DROP',
      '-A INPUT -4 -j DROP',
      '-A INPUT -6 -j DROP',
      '-A INPUT -1 -j DROP',
      '-A INPUT -c 1 2 -j DROP',
      '-A INPUT -x -j DROP',
      '-A INPUT -sx -j DROP',
      '-A INPUT --source 10.0.0.1 -j DROP',
      '-A INPUT --match tcp -j DROP',
      '-A INPUT --jump DROP',
      '-A INPUT --goto X',
      '-A INPUT -g X',
      '-A INPUT -d 10.0.0.1 -m tcp -p tcp -j DROP',
      '-A INPUT -m tcp -j DROP -m udp',
      '-A INPUT -- -j DROP',
      '-A INPUT -j "MY CHAIN"',
      '-A INPUT -m comment --comment "é" -j ACCEPT',
      '-A INPUT -m comment --comment "tab\there" -j ACCEPT',
      '-A INPUT  -j ACCEPT',
      '-A INPUT -j ACCEPT ',
      '-A INPUT\t-j ACCEPT',
      // The characters at the edges of what the fast path lets by: '!' '"' '#' '~' and DEL, controls.
      '-A INPUT -m comment --comment "a~#!b" -j ACCEPT',
      '-A INPUT -m comment --comment "del\x7f" -j ACCEPT',
      '-A INPUT -m comment --comment "us\x1f" -j ACCEPT',
      '-A IN\x7fPUT -j ACCEPT',
      '-A INPUT -j AC\x1fCEPT',
      '-A INPUT -m comment --comment a!b -j ACCEPT',
    ];
    check(lines);
    check((function* () {
      const next = random(7);
      for (const l of lines) yield* mutations(l, next, 40);
    })());
  });

  it('agrees with the careful path on every fixture, with random edits', () => {
    const next = random(42);
    for (const f of readdirSync(FIXTURES)) {
      const lines = ruleLines(readFileSync(join(FIXTURES, f), 'utf8'));
      check(lines);
      check((function* () {
        for (const l of lines) yield* mutations(l, next, 8);
      })());
    }
  });

  it.runIf(hasCorpus)('agrees with the careful path on every corpus dump, with random edits', () => {
    const next = random(1);
    for (const f of corpusFiles('iptables-save')) {
      const lines = ruleLines(readFileSync(corpusPath('iptables-save', f), 'utf8'));
      check(lines);
      check((function* () {
        for (const l of lines) yield* mutations(l, next, 4);
      })());
    }
  });

  it('splits the lines of one text alike in file order and out of it (the searches kept from line to line)', () => {
    // One text of lines: edge cases and edits of them, so that quotes, tabs, escapes and runs of
    // spaces come and go between the lines one LineTokens reads.
    const next = random(11);
    const base = [
      '-A INPUT -m comment --comment "a b" -j ACCEPT',
      '-A INPUT -m comment --comment "" -j ACCEPT',
      '-A INPUT -m comment --comment pre"quoted part" -j ACCEPT',
      '-A INPUT -m comment --comment "name: \\"x\\"" -j ACCEPT',
      '-A INPUT\t-j ACCEPT',
      '-A INPUT -m comment --comment "two  spaces" -j ACCEPT',
      '-A INPUT -s 10.0.0.1 -j DROP',
      '-A INPUT -m comment --comment "é" -j ACCEPT',
      '-A INPUT -j LOG --log-prefix "dropped: "',
    ];
    const lines = [...base];
    for (let k = 0; k < 6; k++) for (const l of base) lines.push(...mutations(l, next, 1));
    const text = lines.join('\n');
    const starts: number[] = [];
    for (let i = 0, at = 0; i < lines.length; at += lines[i].length + 1, i++) starts.push(at);
    // The careful scan of the line alone, with offsets into the text.
    const shifted = (line: string, at: number) => {
      const c = new LineTokens();
      return c.scanCopy(text, at, at + line.length) >= 0 ? undefined : tokensOf(c);
    };
    const order = lines.map((_, i) => i);
    const shuffled = [...order].sort(() => next() - 0.5);
    for (const sequence of [order, shuffled, [...order].reverse()]) {
      const lt = new LineTokens();
      for (const i of sequence) {
        const at = starts[i];
        if (!lt.scanSimple(text, at, at + lines[i].length)) continue;
        expect(tokensOf(lt), lines[i]).toBe(shifted(lines[i], at));
      }
    }
  });

  it.runIf(existsSync(GENERATOR))('reads nearly every line of a generated kube-proxy dump', () => {
    const lines = ruleLines(execFileSync(process.execPath, [GENERATOR, '300'], { encoding: 'utf8' }));
    const { lines: count, fast: read } = check(lines);
    // The fast path is what keeps a big dump fast: it must not quietly stop applying.
    expect(read).toBeGreaterThan(count * 0.99);
    check((function* () {
      const next = random(3);
      for (const l of lines) yield* mutations(l, next, 2);
    })());
  });
});
