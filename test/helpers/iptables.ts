import { expect } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import type { IptablesDocument, IptablesOption, IptablesRule } from '../../src/model/iptables.js';
import type { Token } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { parseIptables } from '../../src/parsers/iptables/parser.js';

export interface Parsed {
  text: string;
  doc: IptablesDocument;
  findings: Finding[];
  /** Every rule of every table, in file order. */
  rules: IptablesRule[];
}

/** Parses iptables-save / restore text as the engine does. */
export function parse(text: string, filePath = 'test.rules'): Parsed {
  const result = parseIptables(new SourceText(text), filePath);
  expect(result.documents).toHaveLength(1);
  const doc = result.documents[0].root as IptablesDocument;
  return { text, doc, findings: result.findings, rules: doc.tables.flatMap((t) => t.rules) };
}

export const slice = (text: string, range: Range): string => text.slice(range[0], range[1]);

/** `line:column message` of each parse error, for readable assertions. */
export function errors(p: Parsed): string[] {
  return p.findings.filter((f) => f.ruleId === 'parse-error').map((f) => `${f.line}:${f.column} ${f.message}`);
}

/**
 * The raw text a token must have been read from: its value, re-quoted the way the tokenizer
 * accepts it when it was quoted. Used to check that every range covers exactly its token.
 */
function assertTokenRange(text: string, token: Token, where: string): void {
  const raw = slice(text, token.range);
  if (token.quoted) {
    expect(raw, where).toMatch(/"/);
    expect(raw.replace(/\\(.)|"/g, '$1'), where).toBe(token.value);
  } else {
    expect(raw, where).toBe(token.value);
  }
}

function assertOptionRanges(text: string, o: IptablesOption, where: string): void {
  assertTokenRange(text, o.flag, `${where} flag`);
  expect(o.flag.value.replace(/^-+/, ''), `${where} flag`).toMatch(/^[\w-]+$/);
  for (const v of o.values) assertTokenRange(text, v, `${where} value`);
  const opt = slice(text, o.range);
  if (o.negated) {
    expect(o.negationRange, where).toBeDefined();
    expect(slice(text, o.negationRange!), `${where} negation`).toBe('!');
    expect(opt.startsWith('!'), `${where}: "${opt}"`).toBe(true);
  } else {
    expect(opt.startsWith(o.flag.value), `${where}: "${opt}"`).toBe(true);
  }
  const last = o.values[o.values.length - 1] ?? o.flag;
  expect(o.range[1], where).toBe(last.range[1]);
}

/**
 * Checks the range of every token the parser records against the text: chain names, policies'
 * lines, counters, rule lines, chains of rules, options (flag, `!`, values), match names, targets
 * and their options, comments, tables and COMMIT lines.
 */
export function assertAllRanges(p: Parsed): void {
  const { text, doc } = p;
  const src = new SourceText(text);
  for (const c of doc.comments) expect(slice(text, c.range)).toBe(c.text);
  for (const table of doc.tables) {
    const implicit = table.nameRange[0] === table.nameRange[1];
    if (!implicit) {
      expect(slice(text, table.nameRange)).toBe(table.name);
      expect(text[table.nameRange[0] - 1]).toBe('*');
    }
    if (table.commitRange) expect(slice(text, table.commitRange)).toBe('COMMIT');
    for (const chain of table.chains) {
      if (chain.declaredBy === 'builtin' && implicit) continue;
      expect(slice(text, chain.nameRange), `chain ${chain.name}`).toBe(chain.name);
      if (chain.counters) {
        expect(slice(text, chain.counters.range)).toBe(`[${chain.counters.packets}:${chain.counters.bytes}]`);
      }
    }
    for (const rule of table.rules) {
      const where = `line ${rule.line}`;
      const line = slice(text, src.lineRange(rule.line)).replace(/^\uFEFF/, '');
      expect(slice(text, rule.range), where).toBe(line.trim());
      expect(slice(text, rule.chainRange), where).toBe(rule.chain);
      if (rule.counters && !slice(text, rule.counters.range).startsWith('-')) {
        expect(slice(text, rule.counters.range), where).toBe(`[${rule.counters.packets}:${rule.counters.bytes}]`);
      }
      for (const o of rule.options) assertOptionRanges(text, o, `${where} ${o.name}`);
      for (const c of [rule.source, rule.destination, rule.protocol, rule.inInterface, rule.outInterface]) {
        if (!c) continue;
        const s = slice(text, c.range);
        expect(s.startsWith(c.negated ? '!' : '-'), `${where}: "${s}"`).toBe(true);
        expect(s.endsWith(c.value) || s.endsWith('"'), `${where}: "${s}"`).toBe(true);
      }
      for (const m of rule.matches) {
        if (/^(?:-m|--match)\s/.test(slice(text, m.range))) {
          assertTokenRange(text, m.nameToken, `${where} match`);
        } else {
          // `-p tcp --dport 80` loads the protocol's match implicitly; it points at the `-p`.
          expect(m.nameToken.range, `${where} implicit match`).toEqual(rule.protocol?.range);
        }
        for (const o of m.options) assertOptionRanges(text, o, `${where} -m ${m.name} ${o.name}`);
      }
      if (rule.target) {
        const t = rule.target;
        assertTokenRange(text, t.nameToken, `${where} target`);
        expect(slice(text, t.range), where).toMatch(/^(?:-j|--jump|-g|--goto)\s/);
        const last = t.options[t.options.length - 1];
        expect(t.range[1], where).toBe(last ? last.range[1] : t.nameToken.range[1]);
        for (const o of t.options) assertOptionRanges(text, o, `${where} -j ${t.name} ${o.name}`);
      }
    }
  }
}
