import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import {
  addressMatchesOf,
  hasNatFlag,
  interfaceMatchesOf,
  interfacePattern,
  leafValues,
  matchesOf,
  natFlag,
  natStatementsOf,
  verdictOf,
  type NftChain,
  type NftDocument,
  type NftExpr,
  type NftMatch,
  type NftNat,
  type NftRule,
  type NftTable,
} from '../../src/model/nft.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { parserFor } from '../../src/parsers/index.js';
import { nftParser } from '../../src/parsers/nft/index.js';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';

const FIXTURES = 'test/fixtures/nft';

interface Parsed {
  text: string;
  doc: NftDocument;
  findings: Finding[];
}

function parse(text: string, filePath = 'test.nft'): Parsed {
  const result = nftParser.parse(new SourceText(text), filePath);
  expect(result.documents).toHaveLength(1);
  expect(result.documents[0].kind).toBe('nft');
  return { text, doc: result.documents[0].root as NftDocument, findings: result.findings };
}

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const slice = (text: string, r: Range) => text.slice(r[0], r[1]);
const errors = (p: Parsed) => p.findings.map((f) => `${f.line}:${f.column} ${f.message}`);
const rulesOf = (doc: NftDocument): NftRule[] => doc.tables.flatMap((t) => t.chains.flatMap((c) => c.rules));
const natsOf = (doc: NftDocument): NftNat[] => rulesOf(doc).flatMap(natStatementsOf);
const natTexts = (p: Parsed) => natsOf(p.doc).map((n) => slice(p.text, n.range));

function table(doc: NftDocument, name: string, family?: string): NftTable {
  const t = doc.tables.find((x) => x.name === name && (!family || x.family === family));
  if (!t) throw new Error(`no table ${name}`);
  return t;
}

function chain(doc: NftDocument, name: string): NftChain {
  for (const t of doc.tables) {
    const c = t.chains.find((x) => x.name === name);
    if (c) return c;
  }
  throw new Error(`no chain ${name}`);
}

/** A compact, readable rendering of an expression. */
function show(e: NftExpr): string {
  switch (e.kind) {
    case 'selector':
      return e.key;
    case 'value':
      return e.quoted ? `"${e.value}"` : e.value;
    case 'set':
      return `{ ${e.elements.map((x) => show(x.key) + (x.value ? ` : ${show(x.value)}` : '')).join(', ')} }`;
    case 'list':
      return e.items.map(show).join(',');
    case 'concat':
      return e.parts.map(show).join(' . ');
    case 'range':
      return `${e.low.value}-${e.high.value}`;
    case 'binary':
      return `${show(e.left)} ${e.op} ${show(e.right)}`;
    case 'map':
      return `${show(e.key)} map ${show(e.map)}`;
    case 'verdict':
      return e.target ? `${e.verdict} ${e.target.value}` : e.verdict;
    case 'setref':
      return `@${e.name}`;
    case 'variable':
      return `$${e.name}`;
    default:
      return e.kind;
  }
}

/**
 * Every range lies inside the text; every token-like object (value + range) slices back to its
 * value (quoted ones to `"value"`); every model node covers some text; priorities and comments
 * slice back to their text.
 */
function assertRanges(p: Parsed): void {
  const { text } = p;
  const seen = new Set<unknown>();
  const isRange = (v: unknown): v is Range =>
    Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
  const visit = (v: unknown, path: string): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      if (!isRange(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
      return;
    }
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (isRange(x)) {
        expect(x[0] >= 0 && x[0] <= x[1] && x[1] <= text.length, `${path}.${k} = ${x}`).toBe(true);
      }
    }
    if (isRange(o.range)) {
      const s = slice(text, o.range);
      if (typeof o.value === 'string' && !('verdict' in o)) {
        // Quoted: `"value"`, or up to the line end when the closing quote is missing.
        if (o.quoted) expect(/^["']/.test(s) && s.slice(1).startsWith(o.value) && s.length - o.value.length <= 2, `${path}: ${s}`).toBe(true);
        else expect(s, path).toBe(o.value);
      }
      if (typeof o.type === 'string' && o.type !== 'NftDocument') expect(s.length, `${path} (${o.type}) is empty`).toBeGreaterThan(0);
      if (typeof o.text === 'string' && o.type === undefined && o.typeof === undefined) expect(s, path).toBe(o.text);
    }
    for (const [k, x] of Object.entries(o)) visit(x, `${path}.${k}`);
  };
  visit(p.doc, 'doc');
  for (const rule of rulesOf(p.doc)) {
    for (const t of rule.tokens) {
      const s = slice(text, t.range);
      if (t.quoted) expect(s.startsWith('"') || s.startsWith("'"), s).toBe(true);
      else expect(s).toBe(t.value);
    }
    expect(rule.bodyRange[0]).toBeGreaterThanOrEqual(rule.range[0]);
    expect(rule.bodyRange[1]).toBe(rule.range[1]);
  }
}

describe('nft parser: corpus', () => {
  describeCorpus('every corpus file', () => {
    const files = corpusFiles('nftables');
    it('has the four nft files of SOURCES.md', () => {
      expect(files.length).toBeGreaterThanOrEqual(4);
    });
    for (const file of files) {
      it(`${file}: detected as nft, no parse-error, ranges hold`, () => {
        const text = readCorpus('nftables', file);
        expect(detectKind(file, text)).toBe('nft');
        expect(detectKind('stdin.txt', text)).toBe('nft');
        const p = parse(text, file);
        expect(errors(p)).toEqual([]);
        assertRanges(p);
      });
    }
  });

  describeCorpus('calico (nft list ruleset)', () => {
    const text = readCorpus('nftables', 'calico-felix-fv-vxlan-natoutgoing.nft');
    const p = parse(text);

    it('reads the table, its sets, maps and chains', () => {
      expect(p.doc.form).toBe('ruleset');
      const t = table(p.doc, 'calico', 'ip');
      expect(t.declaredBy).toBe('block');
      expect(slice(text, t.range).startsWith('table ip calico {')).toBe(true);
      expect(slice(text, t.range).endsWith('}')).toBe(true);
      expect(t.sets.map((s) => [s.name, s.keyType?.text, s.flags.map((f) => f.value), s.elements.length])).toEqual([
        ['cali40this-host', 'ipv4_addr', [], 4],
        ['cali40network-ip-pools', 'ipv4_addr', ['interval'], 1],
        ['cali40masq-ipam-pools', 'ipv4_addr', ['interval'], 1],
        ['cali40all-vxlan-net', 'ipv4_addr', ['interval'], 3],
      ]);
      // Elements spread over two lines.
      expect(t.sets[0].elements.map((e) => show(e.key))).toEqual(['10.128.0.212', '127.0.0.0', '127.0.0.1', '192.168.122.1']);
      expect(t.maps.map((m) => [m.name, m.keyType?.text, m.dataType?.text])).toEqual([
        ['filter-cali-from-wl-dispatch', 'ifname', 'verdict'],
        ['filter-cali-to-wl-dispatch', 'ifname', 'verdict'],
      ]);
      expect(t.chains).toHaveLength(40);
    });

    it('reads base chain headers with named priorities', () => {
      const post = chain(p.doc, 'nat-POSTROUTING');
      expect([post.chainType?.value, post.hook?.value, post.priority?.text, post.priority?.value, post.policy?.value]).toEqual([
        'nat',
        'postrouting',
        'srcnat + 10',
        110,
        'accept',
      ]);
      expect(post.base).toBe(true);
      expect(chain(p.doc, 'nat-INPUT').priority?.value).toBe(-100);
      expect(chain(p.doc, 'raw-PREROUTING').priority?.value).toBe(-300);
      expect(chain(p.doc, 'mangle-OUTPUT').chainType?.value).toBe('route');
      expect(chain(p.doc, 'nat-cali-nat-outgoing').base).toBe(false);
    });

    it('finds both masquerade fully-random statements with their flags', () => {
      const nats = natsOf(p.doc);
      expect(nats.map((n) => [n.kind, n.flags.map((f) => f.name)])).toEqual([
        ['masquerade', ['fully-random']],
        ['masquerade', ['fully-random']],
      ]);
      for (const n of nats) {
        expect(hasNatFlag(n, 'fully-random')).toBe(true);
        expect(slice(text, natFlag(n, 'fully-random')!.range)).toBe('fully-random');
        expect(slice(text, n.range)).toBe('masquerade fully-random');
        expect(n.to).toBeUndefined();
      }
      const out = chain(p.doc, 'nat-cali-nat-outgoing').rules[0];
      expect(addressMatchesOf(out).map((m) => [m.key, m.op, show(m.right)])).toEqual([
        ['ip saddr', '', '@cali40masq-ipam-pools'],
        ['ip daddr', '!=', '@cali40network-ip-pools'],
      ]);
      expect(out.comment).toBe('cali:JjuWIaIfSLZi41Xk;');
      const post = chain(p.doc, 'nat-cali-POSTROUTING').rules[2];
      expect(interfaceMatchesOf(post).map((m) => [m.key, show(m.right)])).toEqual([['oifname', '"vxlan.calico"']]);
      expect(post.statements.map((s) => s.type)).toEqual([
        'NftMatch',
        'NftMatch',
        'NftMatch',
        'NftCounter',
        'NftNat',
        'NftRuleComment',
      ]);
      expect(matchesOf(post, 'fib saddr . oif type').map((m) => [m.op, show(m.right)])).toEqual([['!=', 'local']]);
    });

    it('reads counters, marks, verdict maps and ct state', () => {
      const fwd = chain(p.doc, 'filter-FORWARD').rules;
      const counter = fwd[0].statements[0];
      expect(counter).toMatchObject({ type: 'NftCounter', packets: 0, bytes: 0 });
      expect(verdictOf(fwd[0])).toMatchObject({ verdict: 'jump', target: { value: 'filter-cali-FORWARD' } });
      const mark = matchesOf(fwd[1], 'meta mark')[0];
      expect([mark.op, show(mark.left), show(mark.right)]).toEqual(['==', 'meta mark & 0x00010000', '0x00010000']);
      const set = fwd[2].statements.find((s) => s.type === 'NftAssign');
      expect(set && set.type === 'NftAssign' && [set.key, show(set.value)]).toEqual(['meta mark', 'meta mark | 0x00010000']);
      const vmap = chain(p.doc, 'filter-cali-from-wl-dispatch').rules[0].statements[0];
      expect(vmap.type === 'NftVerdictMap' && [vmap.key, show(vmap.map)]).toEqual(['iifname', '@filter-cali-from-wl-dispatch']);
      const ct = matchesOf(chain(p.doc, 'mangle-cali-PREROUTING').rules[0], 'ct state')[0];
      expect(ct.right.kind === 'list' && ct.right.items.map(show)).toEqual(['established', 'related']);
      const notrack = chain(p.doc, 'raw-cali-PREROUTING').rules[1].statements.find((s) => s.type === 'NftGeneric');
      expect(notrack && notrack.type === 'NftGeneric' && notrack.keyword).toBe('notrack');
    });
  });

  describeCorpus('kube-proxy (nft -f transaction)', () => {
    const text = readCorpus('nftables', 'kube-proxy-nftables-TestOverallNFTablesRules.nft-transaction.txt');
    const p = parse(text);

    it('builds the table from add commands', () => {
      expect(p.doc.form).toBe('transaction');
      const t = table(p.doc, 'kube-proxy', 'ip');
      expect(t.declaredBy).toBe('command');
      expect(t.comment?.value).toBe('rules for kube-proxy');
      expect(slice(text, t.range)).toBe('add table ip kube-proxy { comment "rules for kube-proxy" ; }');
      expect(t.sets.map((s) => s.name)).toEqual([
        'cluster-ips',
        'nodeport-ips',
        'affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
      ]);
      expect(t.sets[0].elements.map((e) => show(e.key))).toEqual([
        '172.30.0.41',
        '172.30.0.42',
        '172.30.0.43',
        '172.30.0.44',
        '172.30.0.45',
        '172.30.0.46',
      ]);
      expect(t.sets[2].flags.map((f) => f.value)).toEqual(['dynamic', 'timeout']);
      expect(t.sets[2].properties.map((x) => slice(text, x.range))).toEqual(['timeout 10800s']);
      const fw = t.maps.find((m) => m.name === 'firewall-ips')!;
      expect([fw.keyType?.text, fw.dataType?.text, fw.comment?.value]).toEqual([
        'ipv4_addr . inet_proto . inet_service',
        'verdict',
        'destinations that are subject to LoadBalancerSourceRanges',
      ]);
      const svc = t.maps.find((m) => m.name === 'no-endpoint-services')!;
      expect(svc.elements.map((e) => [show(e.key), e.comment, e.value && show(e.value)])).toEqual([
        ['1.2.3.4 . tcp . 80', 'ns2/svc2:p80', 'drop'],
        ['192.168.99.22 . tcp . 80', 'ns2/svc2:p80', 'drop'],
        ['172.30.0.46 . tcp . 80', 'ns6/svc6:p80', 'goto reject-chain'],
      ]);
      const nat = chain(p.doc, 'nat-postrouting');
      expect([nat.chainType?.value, nat.hook?.value, nat.priority?.value]).toEqual(['nat', 'postrouting', 100]);
      expect(slice(text, nat.range)).toBe('add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }');
    });

    it('finds masquerade fully-random in the masquerading chain', () => {
      const masq = chain(p.doc, 'masquerading');
      expect(masq.rules.map((r) => slice(text, r.bodyRange))).toEqual([
        'mark and 0x4000 == 0 return',
        'mark set mark xor 0x4000',
        'masquerade fully-random',
      ]);
      expect(masq.rules.map((r) => r.command)).toEqual(['add', 'add', 'add']);
      expect(slice(text, masq.rules[2].range)).toBe('add rule ip kube-proxy masquerading masquerade fully-random');
      const [n] = natStatementsOf(masq.rules[2]);
      expect(n.kind).toBe('masquerade');
      expect(n.flags.map((f) => [f.name, f.canonical, slice(text, f.range)])).toEqual([
        ['fully-random', 'fully-random', 'fully-random'],
      ]);
      const first = masq.rules[0].statements[0] as NftMatch;
      expect([first.key, first.op, show(first.left), show(first.right)]).toEqual(['meta mark', '==', 'meta mark and 0x4000', '0']);
      expect(masq.rules.map((r) => r.line)).toEqual([41, 42, 43]);
    });

    it('reads DNAT targets with address and port ranges', () => {
      const dnats = natsOf(p.doc).filter((n) => n.kind === 'dnat');
      expect(dnats).toHaveLength(6);
      for (const d of dnats) {
        expect(slice(text, d.to!.range)).toBe(`${d.to!.address!.value}:${d.to!.port!.value}`);
        expect(slice(text, d.to!.address!.range)).toMatch(/^10\.180\.0\.\d$/);
        expect(slice(text, d.to!.port!.range)).toBe('80');
      }
      expect(natsOf(p.doc).filter((n) => n.kind === 'masquerade')).toHaveLength(1);
    });

    it('reads negated matches, anonymous sets, vmaps and set statements', () => {
      const svc = chain(p.doc, 'service-ULMVA6XW-ns1/svc1/tcp/p80').rules;
      expect(addressMatchesOf(svc[0]).map((m) => [m.key, m.negated, show(m.right)])).toEqual([
        ['ip daddr', false, '172.30.0.41'],
        ['ip saddr', true, '10.0.0.0/8'],
      ]);
      const vmap = svc[1].statements[0];
      expect(vmap.type === 'NftVerdictMap' && [vmap.key, show(vmap.map)]).toEqual([
        'numgen random mod 1',
        '{ 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }',
      ]);
      const fw = chain(p.doc, 'firewall-check').rules[0].statements[0];
      expect(fw.type === 'NftVerdictMap' && fw.key).toBe('ip daddr . meta l4proto . th dport');
      const drop = chain(p.doc, 'cluster-ips-check').rules[1];
      expect(addressMatchesOf(drop).map((m) => show(m.right))).toEqual(['{ 172.30.0.0/16 }']);
      const update = chain(p.doc, 'endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80').rules[1].statements[0];
      expect(update.type).toBe('NftGeneric');
      expect(slice(text, update.range)).toBe('update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }');
    });
  });

  describeCorpus('moby (Docker nftables backend)', () => {
    it('masq: plain masquerade without flags, after oifname != and ip saddr', () => {
      const text = readCorpus('nftables', 'moby-bridge-masq-gwm-nat.nft');
      const p = parse(text);
      expect(natTexts(p)).toEqual(['dnat to 192.168.0.2:80', 'masquerade']);
      const rule = chain(p.doc, 'nat-postrouting-out__br-dummy').rules[0];
      const [n] = natStatementsOf(rule);
      expect(n.flags).toEqual([]);
      expect(hasNatFlag(n, 'fully-random')).toBe(false);
      expect(interfaceMatchesOf(rule).map((m) => [m.key, m.negated, show(m.right)])).toEqual([['oifname', true, '"br-dummy"']]);
      expect(addressMatchesOf(rule).map((m) => show(m.right))).toEqual(['192.168.0.0/24']);
      expect(table(p.doc, 'docker-bridges').maps[0].elements.map((e) => [show(e.key), e.value && show(e.value)])).toEqual([
        ['"br-dummy"', 'jump filter-forward-in__br-dummy'],
      ]);
    });

    it('snat: snat to 192.168.123.0 without flags', () => {
      const text = readCorpus('nftables', 'moby-bridge-snat-hostipv4.nft');
      const p = parse(text);
      const snat = natsOf(p.doc).filter((n) => n.kind === 'snat');
      expect(snat).toHaveLength(1);
      expect(slice(text, snat[0].range)).toBe('snat to 192.168.123.0');
      expect(snat[0].flags).toEqual([]);
      expect(snat[0].to?.address?.value).toBe('192.168.123.0');
      expect(slice(text, snat[0].to!.address!.range)).toBe('192.168.123.0');
      expect(snat[0].to?.port).toBeUndefined();
    });
  });
});

describe('nft parser: fixtures', () => {
  const valid = readdirSync(FIXTURES).filter((f) => f.endsWith('.nft'));
  for (const file of [...valid, ...readdirSync(join(FIXTURES, 'legacy')).map((f) => `legacy/${f}`)]) {
    it(`${file}: no parse-error, ranges hold, detected as nft`, () => {
      const text = fixture(file);
      const p = parse(text, file);
      expect(errors(p)).toEqual([]);
      assertRanges(p);
      expect(detectKind(file, text)).toBe('nft');
      expect(detectKind('from-stdin', text)).toBe('nft');
    });
  }

  it('flag lists: every spelling, comma lists with their ranges, targets split into address and port', () => {
    const p = parse(fixture('flag-lists.nft'));
    const rows = natsOf(p.doc).map((n) => [
      slice(p.text, n.range),
      n.flags.map((f) => `${slice(p.text, f.range)}=${f.canonical}`).join(' '),
      n.to?.address && slice(p.text, n.to.address.range),
      n.to?.port && slice(p.text, n.to.port.range),
    ]);
    expect(rows).toEqual([
      ['masquerade random,fully-random,persistent', 'random=random fully-random=fully-random persistent=persistent', undefined, undefined],
      ['masquerade random , fully-random', 'random=random fully-random=fully-random', undefined, undefined],
      ['masquerade to :1024-65535 fully-random', 'fully-random=fully-random', undefined, '1024-65535'],
      [
        'snat to 192.0.2.1-192.0.2.10:1024-2048 fully-random,persistent',
        'fully-random=fully-random persistent=persistent',
        '192.0.2.1-192.0.2.10',
        '1024-2048',
      ],
      ['snat to 203.0.113.7 persistent', 'persistent=persistent', '203.0.113.7', undefined],
      ['masquerade random', 'random=random', undefined, undefined],
      ['masquerade', '', undefined, undefined],
      ['redirect to :80 random', 'random=random', undefined, '80'],
      ['dnat to 10.0.0.2:8443 persistent', 'persistent=persistent', '10.0.0.2', '8443'],
    ]);
    const [random] = natsOf(p.doc).filter((n) => slice(p.text, n.range) === 'masquerade random');
    expect(hasNatFlag(random, 'random')).toBe(true);
    expect(hasNatFlag(random, 'fully-random')).toBe(false);
  });

  it('the old spelling random-fully reads as fully-random', () => {
    const p = parse(fixture('legacy/random-fully.nft'));
    const nats = natsOf(p.doc);
    expect(nats.map((n) => n.flags.map((f) => [f.name, f.canonical, slice(p.text, f.range)]))).toEqual([
      [['random-fully', 'fully-random', 'random-fully']],
      [
        ['random', 'random', 'random'],
        ['random-fully', 'fully-random', 'random-fully'],
      ],
    ]);
    for (const n of nats) {
      expect(hasNatFlag(n, 'fully-random')).toBe(true);
      expect(natFlag(n, 'fully-random')?.name).toBe('random-fully');
    }
    expect(nats[1].to?.address?.value).toBe('fd00::1');
    expect(nats[1].to?.port?.value).toBe('1024-65535');
    expect(addressMatchesOf(rulesOf(p.doc)[0]).map((m) => [m.key, m.negated])).toEqual([
      ['ip6 saddr', false],
      ['ip6 daddr', true],
    ]);
  });

  it('inet and ip6: snat ip / snat ip6 with bracketed IPv6 and ports', () => {
    const p = parse(fixture('inet-ipv6.nft'));
    expect(p.doc.tables.map((t) => `${t.family} ${t.name}`)).toEqual(['inet nat', 'ip6 nat6']);
    expect(slice(p.text, p.doc.tables[0].familyRange!)).toBe('inet');
    const rows = natsOf(p.doc).map((n) => [
      n.kind,
      n.family?.value,
      n.to?.address?.value,
      n.to?.port?.value,
      n.flags.map((f) => f.canonical).join(','),
    ]);
    expect(rows).toEqual([
      ['snat', 'ip', '192.0.2.10', undefined, 'fully-random'],
      ['snat', 'ip6', 'fec0::1', '80', 'fully-random'],
      ['masquerade', undefined, undefined, undefined, 'fully-random'],
      ['snat', undefined, 'fec0::1', '80-90', 'fully-random,persistent'],
      ['snat', undefined, 'fec0::1', undefined, ''],
      ...[],
    ]);
    const v6 = natsOf(p.doc)[1];
    expect(slice(p.text, v6.family!.range)).toBe('ip6');
    expect(slice(p.text, v6.to!.range)).toBe('[fec0::1]:80');
    expect(slice(p.text, v6.to!.address!.range)).toBe('fec0::1');
    const masq = rulesOf(p.doc)[2];
    expect(addressMatchesOf(masq).map((m) => [m.key, m.negated, show(m.right)])).toEqual([
      ['ip6 saddr', false, 'fd00::/8'],
      ['ip6 daddr', true, '{ fd00::/8, fe80::/10 }'],
    ]);
    expect(show((rulesOf(p.doc)[5].statements[0] as NftMatch).right)).toBe('::1');
  });

  it('nested and named sets, defines, maps and concatenations', () => {
    const p = parse(fixture('nested-sets.nft'));
    expect(p.doc.defines.map((d) => [d.name, d.value && show(d.value)])).toEqual([
      ['PRIVATE', '{ 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 }'],
      ['UPLINKS', '{ "eth0", "eth1" }'],
    ]);
    const t = table(p.doc, 'filter');
    expect(t.sets[0].elements.map((e) => show(e.key))).toEqual(['198.51.100.0/24', '203.0.113.0/24', '192.0.2.1-192.0.2.9']);
    const range = t.sets[0].elements[2].key;
    expect(range.kind === 'range' && [slice(p.text, range.low.range), slice(p.text, range.high.range)]).toEqual([
      '192.0.2.1',
      '192.0.2.9',
    ]);
    expect(t.maps[0].elements.map((e) => [show(e.key), e.value && show(e.value)])).toEqual([
      ['"br-1"', 'jump from-br'],
      ['"br-2"', 'goto from-br'],
    ]);
    const fwd = chain(p.doc, 'forward').rules;
    const nested = fwd[0].statements[0] as NftMatch;
    expect(show(nested.right)).toBe('{ 10.1.0.0/16, { 10.2.0.0/16, 10.3.0.0/16 } }');
    expect(leafValues(nested.right).map(show)).toEqual(['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16']);
    const viaVar = fwd[1].statements[0] as NftMatch;
    expect(viaVar.right.kind).toBe('variable');
    expect(leafValues(viaVar.right).map(show)).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(leafValues((fwd[1].statements[1] as NftMatch).right).map(show)).toEqual(['"eth0"', '"eth1"']);
    expect(leafValues((fwd[2].statements[0] as NftMatch).right).map(show)).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
    ]);
    expect(leafValues((fwd[3].statements[0] as NftMatch).right).map(show)).toEqual(['@blocked']);
    const concat = fwd[5].statements[0] as NftMatch;
    expect([concat.key, show(concat.right)]).toEqual(['ip daddr . tcp dport', '{ 10.0.0.1 . 80, 10.0.0.2 . 443 }']);
    const vmap = fwd[6].statements[0];
    expect(vmap.type === 'NftVerdictMap' && show(vmap.map)).toBe('{ tcp . 22 : accept, udp . 53 : accept }');
  });

  it('transactions: insert/add order, flush, delete, elements, defines, ; and \\ continuations', () => {
    const p = parse(fixture('transaction.nft'));
    expect(p.doc.form).toBe('transaction');
    const masq = chain(p.doc, 'masq');
    expect(masq.rules.map((r) => slice(p.text, r.bodyRange))).toEqual([
      'ip daddr 169.254.0.0/16 return',
      'ip daddr $LAN return',
      'masquerade fully-random comment "after flush"',
    ]);
    expect(masq.rules.map((r) => r.command)).toEqual(['insert', 'add', 'add']);
    expect(masq.rules[2].comment).toBe('after flush');
    expect(masq.declaredBy).toBe('command');
    const post = chain(p.doc, 'POSTROUTING');
    expect([post.hook?.value, post.priority?.value, post.policy?.value]).toEqual(['postrouting', 100, 'accept']);
    expect(table(p.doc, 'nat').chains.map((c) => c.name)).toEqual(['POSTROUTING', 'masq']);
    expect(table(p.doc, 'nat').sets[0].elements.map((e) => show(e.key))).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(table(p.doc, 'nat').maps[0].elements.map((e) => e.value && show(e.value))).toEqual(['jump masq']);
    expect(p.doc.commands.map((c) => `${c.verb} ${c.object} ${c.name ?? c.table}`)).toEqual([
      'add table nat',
      'add chain POSTROUTING',
      'add chain masq',
      'flush chain masq',
      'add set nomasq',
      'add element nomasq',
      'delete element nomasq',
      'add map ifmap',
      'add element ifmap',
      'add chain old',
      'delete chain old',
    ]);
    expect(p.doc.comments.map((c) => c.text)).toEqual([
      '#!/usr/sbin/nft -f',
      '# An nft -f transaction: the model is what the file leaves behind.',
    ]);
  });

  it('nft -a handles: tables, chains and rules', () => {
    const p = parse(fixture('handles.nft'));
    const t = table(p.doc, 'nat');
    expect(t.handle).toBe(5);
    expect(t.chains[0].handle).toBe(1);
    expect(t.chains[0].rules.map((r) => r.handle)).toEqual([4, 7]);
    expect(slice(p.text, t.chains[0].rules[1].range)).toBe('ip saddr 10.0.0.0/8 counter packets 3 bytes 180 masquerade fully-random');
    // Commands can then address rules by handle.
    const q = parse(
      `${p.text}add rule ip nat POSTROUTING position 4 ip daddr 10.0.0.0/8 return\ninsert rule ip nat POSTROUTING handle 7 udp dport 53 return\ndelete rule ip nat POSTROUTING handle 4\nreplace rule ip nat POSTROUTING handle 7 masquerade random\n`,
    );
    expect(errors(q)).toEqual([]);
    expect(chain(q.doc, 'POSTROUTING').rules.map((r) => slice(q.text, r.bodyRange))).toEqual([
      'ip daddr 10.0.0.0/8 return',
      'udp dport 53 return',
      'masquerade random',
    ]);
  });

  it('CRLF line ends and a BOM read like LF', () => {
    const lf = fixture('flag-lists.nft');
    const crlf = '\ufeff' + lf.replace(/\n/g, '\r\n');
    const a = parse(lf);
    const b = parse(crlf);
    expect(errors(b)).toEqual([]);
    assertRanges(b);
    expect(natTexts(b)).toEqual(natTexts(a));
    expect(b.doc.comments[0].text).toBe(a.doc.comments[0].text);
    expect(rulesOf(b.doc).map((r) => r.line)).toEqual(rulesOf(a.doc).map((r) => r.line));
    expect(detectKind('crlf.txt', crlf)).toBe('nft');
  });
});

describe('nft parser: malformed input', () => {
  const dir = join(FIXTURES, 'malformed');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.nft'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const expectError = /^# expect-error: (\d+):(\d+) (.*)$/m.exec(text);
    const expectNat = /^# expect-nat: (.*)$/m.exec(text);
    it(`${file}: one parse-error at ${expectError?.[1]}:${expectError?.[2]}, and what follows still parses`, () => {
      expect(expectError && expectNat).toBeTruthy();
      const p = parse(text, file);
      expect(errors(p)).toEqual([`${expectError![1]}:${expectError![2]} ${expectError![3]}`]);
      expect(p.findings[0]).toMatchObject({ ruleId: 'parse-error', severity: 2, filePath: file, fatal: true });
      expect(natTexts(p)).toContain(expectNat![1]);
      assertRanges(p);
    });
  }

  it('a missing } of a set reported once even when sets nest', () => {
    const p = parse('table ip t {\n chain c {\n  ip saddr { { { 1.1.1.1, 2.2.2.2 drop\n  accept\n }\n}\n');
    expect(errors(p)).toEqual(['3:16 Missing "}": the "{" opened here is not closed.']);
    expect(chain(p.doc, 'c').rules.map((r) => slice(p.text, r.bodyRange))).toEqual(['ip saddr { { { 1.1.1.1, 2.2.2.2 drop', 'accept']);
  });

  it('deep nesting gives a finding, not a stack overflow', () => {
    const p = parse(`table ip t {\n chain c {\n  ip saddr ${'{ '.repeat(50_000)}1.1.1.1\n }\n}\n`);
    expect(p.findings.length).toBeGreaterThan(0);
    expect(p.findings.length).toBeLessThanOrEqual(3);
    expect(p.findings[0].message).toMatch(/nested too deeply|Missing "}"/);
  });

  it('garbage with an unclosed { skips one line, not the rest of the file', () => {
    const p = parse('foo bar { baz\nadd rule ip t c masquerade fully-random\n');
    expect(errors(p)).toEqual(['1:1 Unknown command "foo": expected table, add, insert, flush, delete, define or include.']);
    expect(natTexts(p)).toEqual(['masquerade fully-random']);
  });

  it('a typo before a whole block skips the block with one finding', () => {
    const p = parse('tabel ip t {\n chain c {\n  masquerade\n }\n}\ntable ip u {\n chain d {\n  masquerade fully-random\n }\n}\n');
    expect(errors(p)).toEqual(['1:1 Unknown command "tabel": expected table, add, insert, flush, delete, define or include.']);
    expect(natTexts(p)).toEqual(['masquerade fully-random']);
  });

  it('never throws, and keeps every range inside the text (fuzzed)', () => {
    const words = [
      'table', 'chain', 'set', 'map', 'add', 'rule', 'insert', 'flush', 'delete', 'ip', 'ip6', 'inet', 't', 'c',
      'saddr', 'daddr', 'masquerade', 'snat', 'dnat', 'to', 'fully-random', 'random', ',', '{', '}', ';', ':',
      '.', '-', '"eth0"', '"', "'", '#', '\\', '\n', '\r\n', ' ', '10.0.0.0/8', '[fec0::1]:80', 'type', 'nat',
      'hook', 'postrouting', 'priority', 'srcnat', '+', '10', 'policy', 'accept', 'elements', '=', 'vmap', '@s',
      '$V', 'define', 'include', 'meta', 'mark', '&', '==', '!=', 'ct', 'state', 'counter', 'packets', '(', ')',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 80 }), (parts) => {
        const text = parts.join(' ');
        const p = parse(text);
        for (const f of p.findings) {
          expect(f.range[0]).toBeGreaterThanOrEqual(0);
          expect(f.range[1]).toBeLessThanOrEqual(text.length);
        }
        assertRanges(p);
      }),
      { numRuns: 300 },
    );
  });

  it('every prefix of a real file parses without throwing', () => {
    const text = fixture('nested-sets.nft') + fixture('transaction.nft');
    for (let n = 0; n <= text.length; n += 7) {
      const p = parse(text.slice(0, n));
      for (const f of p.findings) expect(f.range[1]).toBeLessThanOrEqual(n);
    }
  });
});

describe('nft parser: tokens and statements', () => {
  it('quoted strings have no escapes (nft scanner); wildcards keep their backslash', () => {
    const p = parse('table ip t {\n chain c {\n  iifname "eth*" oifname != "br\\*" comment "a\\\\b"\n }\n}\n');
    expect(errors(p)).toEqual([]);
    const rule = rulesOf(p.doc)[0];
    expect(interfaceMatchesOf(rule).map((m) => show(m.right))).toEqual(['"eth*"', '"br\\*"']);
    expect(rule.comment).toBe('a\\\\b');
    expect(interfacePattern('eth*')).toEqual({ prefix: 'eth', wildcard: true });
    expect(interfacePattern('br\\*')).toEqual({ prefix: 'br*', wildcard: false });
  });

  it('canonical selector keys: iifname bare, mark as meta mark', () => {
    const p = parse('add rule ip t c meta iifname "a" iif lo mark 0x1 meta mark 0x2 meta l4proto tcp ct original ip saddr 1.2.3.4 accept');
    expect(errors(p)).toEqual([]);
    expect(rulesOf(p.doc)[0].statements.map((s) => (s.type === 'NftMatch' ? s.key : s.type))).toEqual([
      'iifname',
      'iif',
      'meta mark',
      'meta mark',
      'meta l4proto',
      'ct original ip saddr',
      'NftVerdict',
    ]);
  });

  it('splits a trailing colon off words, keeps IPv6 colons', () => {
    const p = parse('add rule ip t c meta mark vmap { 0: goto a, 1 : jump b }\nadd rule ip6 t c ip6 daddr fe80:: accept\n');
    expect(errors(p)).toEqual([]);
    const [a, b] = rulesOf(p.doc);
    expect(a.statements[0].type === 'NftVerdictMap' && show(a.statements[0].map)).toBe('{ 0 : goto a, 1 : jump b }');
    expect(show((b.statements[0] as NftMatch).right)).toBe('fe80::');
  });

  it('reads statements it does not model as generic ones, and keeps going', () => {
    const p = parse(
      'add rule ip t c log prefix "drop: " level warn limit rate over 10/second burst 5 packets quota over 10 mbytes ' +
        'synproxy mss 1460 wscale 7 timestamp sack-perm xt target "MASQUERADE" frobnicate a b masquerade fully-random',
    );
    expect(errors(p)).toEqual([]);
    const s = rulesOf(p.doc)[0].statements;
    expect(s.map((x) => (x.type === 'NftGeneric' ? `${x.keyword}: ${slice(p.text, x.range)}` : x.type))).toEqual([
      'log: log prefix "drop: " level warn',
      'limit: limit rate over 10/second burst 5 packets',
      'quota: quota over 10 mbytes',
      'synproxy: synproxy mss 1460 wscale 7 timestamp sack-perm',
      'xt: xt target "MASQUERADE"',
      'frobnicate: frobnicate a b',
      'NftNat',
    ]);
  });

  it('reads snat/dnat with maps, the old syntax without to, and spaced address : port', () => {
    const p = parse(
      [
        'add rule ip t c snat ip prefix to ip saddr map { 10.141.11.0/24 : 192.168.2.0/24 }',
        'add rule ip t c dnat to ip daddr map @backends',
        'add rule ip t c snat 1.2.3.4',
        'add rule ip t c tcp dport 80 snat to 1.2.3.4 : 1024',
        'add rule ip t c tcp dport 80 redirect to 8080',
        '',
      ].join('\n'),
    );
    expect(errors(p)).toEqual([]);
    expect(natsOf(p.doc).map((n) => [n.kind, n.mapping, n.to && show(n.to.expr), n.to?.address?.value, n.to?.port?.value])).toEqual([
      ['snat', 'prefix', 'ip saddr map { 10.141.11.0/24 : 192.168.2.0/24 }', undefined, undefined],
      ['dnat', undefined, 'ip daddr map @backends', undefined, undefined],
      ['snat', undefined, '1.2.3.4', '1.2.3.4', undefined],
      ['snat', undefined, '1.2.3.4', '1.2.3.4', '1024'],
      ['redirect', undefined, '8080', undefined, '8080'],
    ]);
  });

  it('resolves chain priorities by family and keeps unresolvable ones as text', () => {
    const p = parse(
      [
        'table bridge b {',
        ' chain x {',
        '  type filter hook postrouting priority srcnat; policy accept;',
        ' }',
        '}',
        'table ip t {',
        ' chain a {',
        '  type nat hook prerouting priority dstnat - 5; policy drop;',
        ' }',
        ' chain b {',
        '  type filter hook ingress device eth0 priority $P;',
        ' }',
        '}',
        '',
      ].join('\n'),
    );
    expect(errors(p)).toEqual([]);
    expect(chain(p.doc, 'x').priority).toMatchObject({ text: 'srcnat', value: 300 });
    expect(chain(p.doc, 'a').priority).toMatchObject({ text: 'dstnat - 5', value: -105 });
    expect(chain(p.doc, 'a').policy?.value).toBe('drop');
    expect(chain(p.doc, 'b').priority?.value).toBeUndefined();
    expect(chain(p.doc, 'b').device?.value).toBe('eth0');
  });

  it('records include without following it, and comments in order', () => {
    const p = parse('# top\ninclude "/etc/nftables.d/*.nft"\ntable ip t { # handle 1\n}\n# end\n');
    expect(errors(p)).toEqual([]);
    expect(p.doc.includes.map((i) => [i.path, slice(p.text, i.pathRange)])).toEqual([
      ['/etc/nftables.d/*.nft', '"/etc/nftables.d/*.nft"'],
    ]);
    expect(p.doc.comments.map((c) => c.text)).toEqual(['# top', '# handle 1', '# end']);
    expect(p.doc.form).toBe('ruleset');
  });

  it('flush ruleset and delete table drop what came before', () => {
    const p = parse('table ip a {\n}\ntable ip6 b {\n}\nflush ruleset ip\nadd table inet c\nadd table inet d\ndelete table inet d\n');
    expect(errors(p)).toEqual([]);
    expect(p.doc.tables.map((t) => `${t.family} ${t.name}`)).toEqual(['ip6 b', 'inet c']);
    expect(p.doc.form).toBe('mixed');
  });

  it('rules name their table, family and chain, and tokens slice back to the text', () => {
    const p = parse('add rule inet f input tcp dport { 22, 80 } ct state new accept comment "ssh/http"\n');
    const [rule] = rulesOf(p.doc);
    expect([rule.family, rule.table, rule.chain, rule.command, rule.line]).toEqual(['inet', 'f', 'input', 'add', 1]);
    expect(rule.tokens.map((t) => t.value)).toEqual([
      'tcp', 'dport', '{', '22', ',', '80', '}', 'ct', 'state', 'new', 'accept', 'comment', 'ssh/http',
    ]);
    expect(table(p.doc, 'f').declaredBy).toBe('implicit');
    expect(chain(p.doc, 'input').declaredBy).toBe('implicit');
  });
});

describe('nft parser: engine integration', () => {
  it('is registered, and walks root, tables, sets, maps, chains, rules, statements in order', () => {
    expect(parserFor('nft')).toBe(nftParser);
    const source = new SourceText(fixture('nested-sets.nft'));
    const { documents } = nftParser.parse(source, 'nested-sets.nft');
    const types: string[] = [];
    nftParser.walk(documents[0], (n: BaseNode) => types.push(n.type));
    expect(types[0]).toBe('NftDocument');
    expect(types.slice(1, 5)).toEqual(['NftTable', 'NftSet', 'NftMap', 'NftChain']);
    expect(new Set(types)).toEqual(
      new Set(['NftDocument', 'NftTable', 'NftSet', 'NftMap', 'NftChain', 'NftRule', 'NftMatch', 'NftVerdict', 'NftCounter', 'NftVerdictMap']),
    );
    expect(documents[0].comments).toBe((documents[0].root as NftDocument).comments);
  });

  it('parses a 100k-line ruleset in one linear pass', () => {
    const lines = ['table ip nat {', '\tchain POSTROUTING {', '\t\ttype nat hook postrouting priority srcnat; policy accept;'];
    for (let i = 0; i < 100_000; i++) {
      lines.push(
        `\t\tip saddr 10.${(i >> 8) & 255}.${i & 255}.0/24 ip daddr != { 10.0.0.0/8, 172.16.0.0/12 } oifname != "cni0" counter packets ${i} bytes ${i * 64} masquerade fully-random comment "pod ${i}"`,
      );
    }
    lines.push('\t}', '}', '');
    const text = lines.join('\n');
    const t0 = performance.now();
    const p = parse(text);
    const ms = performance.now() - t0;
    expect(p.findings).toEqual([]);
    const rules = chain(p.doc, 'POSTROUTING').rules;
    expect(rules).toHaveLength(100_000);
    expect(slice(text, natStatementsOf(rules[99_999])[0].range)).toBe('masquerade fully-random');
    // Generous bound for loaded CI machines; it takes well under a second on an idle one.
    expect(ms).toBeLessThan(15_000);
  });
});
