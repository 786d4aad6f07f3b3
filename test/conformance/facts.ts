import { basename } from 'node:path';
import type { IptablesRule } from '../../src/model/iptables.js';
import { KNOWN_TARGETS } from '../../src/parsers/iptables/options.js';

/**
 * The facts netlint's rules take from an iptables rule, in a form that both our parse and
 * netfilter's own translation (`iptables-restore-translate`, nft syntax) can be reduced to.
 */
export interface RuleFacts {
  table: string;
  chain: string;
  /** MASQUERADE, SNAT, DNAT, RETURN, ACCEPT, DROP, REJECT, `jump:CHAIN`, `goto:CHAIN`, or `other`. */
  target: string;
  /** Port-selection flags of a NAT target in nft order and spelling: `random,fully-random,persistent`. */
  natFlags?: string;
  /** Addresses and interfaces with a leading `!` when negated; absent when the rule has none. */
  source?: string;
  destination?: string;
  inInterface?: string;
  outInterface?: string;
  protocol?: string;
}

export const FACT_KEYS = ['target', 'natFlags', 'source', 'destination', 'inInterface', 'outInterface', 'protocol'] as const;

const COMPARED_TARGETS = new Set(['MASQUERADE', 'SNAT', 'DNAT', 'RETURN', 'ACCEPT', 'DROP', 'REJECT']);
const NAT_WITH_FLAGS = new Set(['MASQUERADE', 'SNAT', 'DNAT']);
const FLAG_ORDER = ['random', 'fully-random', 'persistent'];

/** Protocol names as nft prints them, by every spelling iptables accepts (/etc/protocols). */
const PROTOCOL_ALIASES: Record<string, string> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '33': 'dccp',
  '58': 'ipv6-icmp',
  '132': 'sctp',
  '136': 'udplite',
  icmpv6: 'ipv6-icmp',
  'ipv6-icmp': 'ipv6-icmp',
};

export function normalizeProtocol(value: string): string | undefined {
  const v = value.toLowerCase();
  if (v === 'all' || v === '0') return undefined;
  return PROTOCOL_ALIASES[v] ?? v;
}

function ipv4ToBig(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function ipv6ToBig(s: string): bigint | undefined {
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4).
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBig(v4[1]);
    if (n === undefined) return undefined;
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigToIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 255n).toString()).join('.');
}

/** RFC 5952 text, as inet_ntop (and so nft) prints it. */
function bigToIpv6(n: bigint): string {
  const groups = [...Array(8).keys()].map((i) => Number((n >> BigInt((7 - i) * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function maskLength(mask: string, bits: number): number | undefined {
  if (/^\d+$/.test(mask)) {
    const n = Number(mask);
    return n <= bits ? n : undefined;
  }
  const m = bits === 32 ? ipv4ToBig(mask) : ipv6ToBig(mask);
  if (m === undefined) return undefined;
  const s = m.toString(2).padStart(bits, '0');
  return /^1*0*$/.test(s) ? s.indexOf('0') === -1 ? bits : s.indexOf('0') : undefined;
}

/**
 * An address or network in the form nft prints: host bits cleared (as iptables does when it
 * loads the rule), no `/32` or `/128`, IPv6 compressed. `undefined` for the match-all network
 * (iptables drops `-s 0.0.0.0/0`); the input unchanged when it is not an address (a host name).
 */
export function normalizeAddress(value: string): string | undefined {
  const [addr, mask] = value.split('/', 2);
  const v4 = ipv4ToBig(addr);
  const v6 = v4 === undefined ? ipv6ToBig(addr) : undefined;
  if (v4 === undefined && v6 === undefined) return value;
  const bits = v4 !== undefined ? 32 : 128;
  const len = mask === undefined ? bits : maskLength(mask, bits);
  if (len === undefined) return value;
  if (len === 0) return undefined;
  const all = (1n << BigInt(bits)) - 1n;
  const netmask = (all << BigInt(bits - len)) & all;
  const net = (v4 ?? v6!) & netmask;
  const text = bits === 32 ? bigToIpv4(net) : bigToIpv6(net);
  return len === bits ? text : `${text}/${len}`;
}

const neg = (negated: boolean, value: string | undefined) => (value === undefined ? undefined : negated ? `!${value}` : value);

/**
 * The facts of one parsed rule. iptables-restore turns `-s a,b -d c,d` into one rule per
 * (source, destination) pair, source-major, so a rule can give several facts.
 */
export function factsOfRule(rule: IptablesRule): RuleFacts[] {
  const t = rule.target;
  let target = 'other';
  if (t && COMPARED_TARGETS.has(t.name)) target = t.name;
  else if (t && !KNOWN_TARGETS.has(t.name)) target = `${t.kind}:${t.name}`;
  const base: RuleFacts = { table: rule.table, chain: rule.chain, target };
  if (t && NAT_WITH_FLAGS.has(t.name)) {
    const flags = [t.hasFlag('random') && 'random', t.hasFlag('random-fully') && 'fully-random', t.hasFlag('persistent') && 'persistent'];
    base.natFlags = flags.filter(Boolean).join(',');
  }
  if (rule.inInterface) base.inInterface = neg(rule.inInterface.negated, rule.inInterface.value);
  if (rule.outInterface) base.outInterface = neg(rule.outInterface.negated, rule.outInterface.value);
  if (rule.protocol) base.protocol = neg(rule.protocol.negated, normalizeProtocol(rule.protocol.value));
  const sources = rule.source ? rule.source.value.split(',') : [undefined];
  const destinations = rule.destination ? rule.destination.value.split(',') : [undefined];
  const out: RuleFacts[] = [];
  for (const s of sources) {
    for (const d of destinations) {
      const f: RuleFacts = { ...base };
      if (s !== undefined) f.source = neg(rule.source!.negated, normalizeAddress(s));
      if (d !== undefined) f.destination = neg(rule.destination!.negated, normalizeAddress(d));
      out.push(f);
    }
  }
  return out;
}

/** One rule line of `iptables-restore-translate` output. */
export type TranslatedRule =
  | { kind: 'rule'; family: string; table: string; chain: string; line: string; facts: RuleFacts }
  | { kind: 'untranslated'; table: string; chain: string; line: string };

/** Splits an nft rule body into words, keeping "quoted strings" whole. */
function nftWords(body: string): string[] {
  const words: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|\S+/g;
  for (let m = re.exec(body); m; m = re.exec(body)) words.push(m[0]);
  return words;
}

const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);
const FLAG_WORD = /^(?:random|fully-random|random-fully|persistent)(?:,(?:random|fully-random|random-fully|persistent))*$/;
const TRANSPORT = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);

/**
 * Reduces an nft rule body (`ip saddr 10.0.0.0/8 oifname != "docker0" counter masquerade
 * fully-random comment "..."`) to the same facts.
 */
export function factsOfNft(table: string, chain: string, body: string): RuleFacts {
  // iptables-restore-translate prints the comment last and does not escape quotes in it, so cut
  // it off before looking at words (a comment may say "masquerade").
  const commentAt = body.search(/(?:^|\s)comment "/);
  const words = nftWords(commentAt >= 0 ? body.slice(0, commentAt) : body);
  const facts: RuleFacts = { table, chain, target: 'other' };
  let impliedProtocol: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = words[i + 1];
    const negated = next === '!=';
    const valueAt = negated ? i + 2 : i + 1;
    const value = words[valueAt];
    const set = (key: 'source' | 'destination' | 'inInterface' | 'outInterface' | 'protocol', v: string | undefined) => {
      facts[key] = neg(negated, v);
      i = valueAt;
    };
    if ((w === 'ip' || w === 'ip6') && (next === 'saddr' || next === 'daddr')) {
      const n = words[i + 2] === '!=';
      const v = words[i + (n ? 3 : 2)];
      facts[next === 'saddr' ? 'source' : 'destination'] = neg(n, normalizeAddress(v));
      i += n ? 3 : 2;
    } else if (w === 'iifname' || w === 'oifname') {
      // nft writes iptables' `eth+` wildcard as `eth*`.
      set(w === 'iifname' ? 'inInterface' : 'outInterface', unquote(value).replace(/\*$/, '+'));
    } else if ((w === 'ip' && next === 'protocol') || (w === 'meta' && next === 'l4proto') || (w === 'ip6' && next === 'nexthdr')) {
      const n = words[i + 2] === '!=';
      facts.protocol = neg(n, normalizeProtocol(words[i + (n ? 3 : 2)]));
      i += n ? 3 : 2;
    } else if (TRANSPORT.has(w) && next && /^(?:dport|sport|flags|option|checksum|sequence)$/.test(next)) {
      impliedProtocol ??= w;
    } else if ((w === 'icmp' || w === 'icmpv6') && (next === 'type' || next === 'code')) {
      impliedProtocol ??= w === 'icmp' ? 'icmp' : 'ipv6-icmp';
    } else if (w === 'masquerade' || ((w === 'snat' || w === 'dnat') && (next === 'to' || ((next === 'ip' || next === 'ip6') && words[i + 2] === 'to')))) {
      facts.target = w === 'masquerade' ? 'MASQUERADE' : w.toUpperCase();
      const flags = new Set<string>();
      for (let j = i + 1; j < words.length; j++) {
        if (FLAG_WORD.test(words[j])) for (const f of words[j].split(',')) flags.add(f === 'random-fully' ? 'fully-random' : f);
      }
      facts.natFlags = FLAG_ORDER.filter((f) => flags.has(f)).join(',');
    } else if (w === 'accept' || w === 'drop' || w === 'return') {
      facts.target = w.toUpperCase();
    } else if (w === 'reject') {
      facts.target = 'REJECT';
    } else if ((w === 'jump' || w === 'goto') && next) {
      facts.target = `${w}:${unquote(next)}`;
      i++;
    }
  }
  if (facts.protocol === undefined && impliedProtocol) facts.protocol = impliedProtocol;
  return facts;
}

/**
 * Reads `iptables-restore-translate` output: `add rule`/`insert rule` lines, and the `# -t TABLE
 * -A CHAIN ...` comment it prints instead of a rule it cannot translate, in input order.
 */
export function readTranslation(output: string): TranslatedRule[] {
  const out: TranslatedRule[] = [];
  for (const line of output.split('\n')) {
    const rule = /^(?:add|insert) rule (ip6?|inet) (\S+) ("[^"]+"|\S+) (.*)$/.exec(line);
    if (rule) {
      const [, family, table, chainWord, body] = rule;
      const chain = unquote(chainWord);
      out.push({ kind: 'rule', family, table, chain, line, facts: factsOfNft(table, chain, body) });
      continue;
    }
    const skipped = /^# -t (\S+) -[AI] (\S+)/.exec(line);
    if (skipped) out.push({ kind: 'untranslated', table: skipped[1], chain: skipped[2], line });
  }
  return out;
}

export interface Disagreement {
  file: string;
  line: number;
  field: string;
  ours: string;
  netfilter: string;
  nft: string;
}

export interface Comparison {
  compared: number;
  untranslatable: number;
  protocolElided: number;
  disagreements: Disagreement[];
}

const show = (v: string | undefined) => (v === undefined ? '(none)' : v);

/**
 * iptables-translate drops `-p tcp` when the rule also loads `-m tcp` and that match prints
 * nothing (no --dport/--sport...): the protocol is lost in the nft text, not in our parse.
 */
function protocolElided(rule: IptablesRule, ours: RuleFacts, theirs: RuleFacts): boolean {
  if (theirs.protocol !== undefined || ours.protocol === undefined || rule.protocol?.negated) return false;
  return rule.matches.some((m) => m.name.toLowerCase() === ours.protocol);
}

export function compare(file: string, rules: IptablesRule[], translatorOutput: string): Comparison {
  const translated = readTranslation(translatorOutput);
  const result: Comparison = { compared: 0, untranslatable: 0, protocolElided: 0, disagreements: [] };
  const ours = rules.flatMap((rule) => factsOfRule(rule).map((facts) => ({ rule, facts })));
  const disagree = (line: number, field: string, a: string | undefined, b: string | undefined, nft: string) =>
    result.disagreements.push({ file, line, field, ours: show(a), netfilter: show(b), nft });
  if (ours.length !== translated.length) {
    disagree(0, 'rule count', String(ours.length), String(translated.length), '(whole file)');
    return result;
  }
  for (let i = 0; i < ours.length; i++) {
    const { rule, facts } = ours[i];
    const t = translated[i];
    if (t.table !== facts.table || t.chain !== facts.chain) {
      disagree(rule.line, 'table/chain', `${facts.table}/${facts.chain}`, `${t.table}/${t.chain}`, t.line);
      return result;
    }
    if (t.kind === 'untranslated') {
      result.untranslatable++;
      continue;
    }
    result.compared++;
    for (const key of FACT_KEYS) {
      if (facts[key] === t.facts[key]) continue;
      if (key === 'protocol' && protocolElided(rule, facts, t.facts)) {
        result.protocolElided++;
        continue;
      }
      disagree(rule.line, key, facts[key], t.facts[key], t.line);
    }
  }
  return result;
}

export function disagreementTable(rows: Disagreement[]): string {
  const header = ['file', 'line', 'field', 'ours', 'netfilter', 'nft rule'];
  const body = rows.map((r) => [basename(r.file), String(r.line), r.field, r.ours, r.netfilter, r.nft.slice(0, 100)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [header, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i])).join(' | ')).join('\n');
}
