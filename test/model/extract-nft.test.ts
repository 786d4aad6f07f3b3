import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/engine/lint.js';
import { factsOf } from '../../src/model/extract/index.js';
import { extractNftFacts } from '../../src/model/extract/nft.js';
import type { SnatPoint, SourceFix } from '../../src/model/facts.js';
import type { NftRule } from '../../src/model/nft.js';
import { describeCorpus, readCorpus } from '../helpers/corpus.js';

function parse(text: string) {
  const parsed = parseText(text, 'ruleset.nft', { kind: 'nft' });
  expect(parsed.findings.map((f) => f.message)).toEqual([]);
  return parsed.documents[0];
}

function points(text: string): (SnatPoint & { text: string })[] {
  const doc = parse(text);
  return extractNftFacts(doc).map((f) => ({ ...(f as SnatPoint), text: doc.source.slice(f.range) }));
}

/** The text after applying a fact's fix as the rule does (insert after, or replace, `fix.node`). */
function applyFix(text: string, fix: SourceFix | undefined): string {
  if (!fix?.node || fix.text === undefined) throw new Error('no edit');
  const [start, end] = fix.node.range;
  return fix.insert ? text.slice(0, end) + fix.text + text.slice(end) : text.slice(0, start) + fix.text + text.slice(end);
}

/** A `table ip nat` ruleset with one postrouting rule. */
const nat = (rule: string, family = 'ip', table = 'nat', chain = 'POSTROUTING') =>
  `table ${family} ${table} {\n\tchain ${chain} {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\t${rule}\n\t}\n}\n`;

describeCorpus('nft corpus: SnatPoints', () => {
  it('Calico natOutgoing: two masquerade fully-random, sources and exclusions from the pool sets', () => {
    const [outgoing, vxlan] = points(readCorpus('nftables', 'calico-felix-fv-vxlan-natoutgoing.nft'));
    expect(outgoing).toMatchObject({
      text: 'masquerade fully-random',
      engine: 'nft',
      owner: 'Calico',
      family: 'ipv4',
      portSelection: 'fully-random',
      portSelectionReason: 'masquerade fully-random',
      sources: ['192.168.0.0/16'],
      destinations: ['!192.168.0.0/16'],
      // Named sets: the dump lists their elements, but Felix changes them.
      conditional: true,
      traffic: 'traffic from set @cali40masq-ipam-pools not to set @cali40network-ip-pools',
    });
    expect(outgoing.fix).toBeUndefined();
    expect((outgoing.node as NftRule).chain).toBe('nat-cali-nat-outgoing');
    expect(vxlan).toMatchObject({
      text: 'masquerade fully-random',
      owner: 'Calico',
      portSelection: 'fully-random',
      outInterface: 'vxlan.calico',
      conditional: true,
      traffic: 'traffic out vxlan.calico of an address type',
    });
  });

  it('kube-proxy nftables mode: masquerade fully-random behind the mark check', () => {
    const all = points(readCorpus('nftables', 'kube-proxy-nftables-TestOverallNFTablesRules.nft-transaction.txt'));
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      text: 'masquerade fully-random',
      owner: 'kube-proxy',
      family: 'ipv4',
      portSelection: 'fully-random',
      conditional: true,
      traffic: 'traffic that passes the earlier firewall-mark check in chain masquerading',
    });
    expect((all[0].node as NftRule).chain).toBe('masquerading');
  });

  it('moby nftables backend: plain masquerade, sequential, fix appends fully-random', () => {
    const text = readCorpus('nftables', 'moby-bridge-masq-gwm-nat.nft');
    const [p] = points(text);
    expect(p).toMatchObject({
      text: 'masquerade',
      owner: 'Docker',
      portSelection: 'sequential',
      portSelectionReason: 'masquerade without a random flag',
      sources: ['192.168.0.0/24'],
      outInterface: '!br-dummy',
      traffic: 'traffic from 192.168.0.0/24 not out br-dummy',
      backend: 'nftables',
    });
    expect(p.conditional).toBeUndefined();
    expect(p.advice).toMatch(/^Docker writes plain masquerade/);
    expect(applyFix(text, p.fix)).toContain('counter packets 0 bytes 0 masquerade fully-random comment "MASQUERADE"');
  });

  it('moby with host_ipv4: snat to 192.168.123.0, sequential', () => {
    const text = readCorpus('nftables', 'moby-bridge-snat-hostipv4.nft');
    const [p] = points(text);
    expect(p).toMatchObject({ text: 'snat to 192.168.123.0', owner: 'Docker', portSelection: 'sequential', portSelectionReason: 'snat without a random flag' });
    expect(applyFix(text, p.fix)).toContain('snat to 192.168.123.0 fully-random comment "SNAT"');
  });

  it('dnat statements are not SNAT points', () => {
    for (const name of ['moby-bridge-masq-gwm-nat.nft', 'kube-proxy-nftables-TestOverallNFTablesRules.nft-transaction.txt']) {
      expect(points(readCorpus('nftables', name)).every((p) => !p.text.startsWith('dnat'))).toBe(true);
    }
  });
});

describe('nft SnatPoints: flags and fixes', () => {
  it('the old spelling random-fully is fully random; the fix respells it', () => {
    const text = nat('oifname "eth0" masquerade random-fully');
    const [p] = points(text);
    expect(p).toMatchObject({ text: 'masquerade random-fully', portSelection: 'fully-random' });
    expect(p.portSelectionReason).toMatch(/^masquerade random-fully \(old spelling of fully-random/);
    expect(applyFix(text, p.fix)).toContain('masquerade fully-random\n');
  });

  it('random alone: random; the fix turns the flag list into random,fully-random', () => {
    const text = nat('masquerade random');
    const [p] = points(text);
    expect(p).toMatchObject({ portSelection: 'random', portSelectionReason: 'masquerade random without fully-random' });
    expect(applyFix(text, p.fix)).toContain('\t\tmasquerade random,fully-random\n');
  });

  it('flag lists keep the canonical order random,fully-random,persistent', () => {
    const text = nat('ip protocol tcp snat to 10.0.0.1:1024-65535 random,persistent');
    const [p] = points(text);
    expect(p).toMatchObject({ text: 'snat to 10.0.0.1:1024-65535 random,persistent', portSelection: 'random' });
    expect(p.portSelectionReason).toMatch(/persistent only keeps a client on one address/);
    expect(applyFix(text, p.fix)).toContain('snat to 10.0.0.1:1024-65535 random,fully-random,persistent\n');

    const persistent = nat('snat to 10.0.0.1 persistent');
    const [q] = points(persistent);
    expect(q.portSelection).toBe('sequential');
    expect(applyFix(persistent, q.fix)).toContain('snat to 10.0.0.1 fully-random,persistent\n');

    const [all] = points(nat('masquerade random,fully-random,persistent'));
    expect(all).toMatchObject({ portSelection: 'fully-random', text: 'masquerade random,fully-random,persistent' });
    expect(all.fix).toBeUndefined();
  });

  it('masquerade to a port range: the flag goes after the range', () => {
    const text = nat('meta l4proto tcp masquerade to :1024-65535');
    const [p] = points(text);
    expect(p.text).toBe('masquerade to :1024-65535');
    expect(applyFix(text, p.fix)).toContain('masquerade to :1024-65535 fully-random\n');
  });
});

describe('nft SnatPoints: families, addresses, owners', () => {
  it('family from the table, narrowed in inet tables by snat ip6 / ip6 matches / meta nfproto', () => {
    expect(points(nat('masquerade', 'inet'))[0].family).toBe('both');
    expect(points(nat('masquerade', 'ip6'))[0].family).toBe('ipv6');
    expect(points(nat('ip6 saddr fd00::/64 masquerade', 'inet'))[0]).toMatchObject({ family: 'ipv6', sources: ['fd00::/64'] });
    expect(points(nat('snat ip6 to [fd00::1]:1000-2000', 'inet'))[0]).toMatchObject({ family: 'ipv6', text: 'snat ip6 to [fd00::1]:1000-2000' });
    expect(points(nat('meta nfproto ipv4 masquerade', 'inet'))[0].family).toBe('ipv4');
  });

  it('anonymous sets expand; != negates each element; ranges are kept as written', () => {
    const [p] = points(nat('ip saddr 10.244.0.0/16 ip daddr != { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.1-192.168.0.9 } masquerade'));
    expect(p).toMatchObject({
      sources: ['10.244.0.0/16'],
      destinations: ['!10.0.0.0/8', '!172.16.0.0/12', '!192.168.0.1-192.168.0.9'],
      traffic: 'traffic from 10.244.0.0/16 not to 10.0.0.0/8, 172.16.0.0/12, 192.168.0.1-192.168.0.9',
    });
    expect(p.conditional).toBeUndefined();
  });

  it('defines resolve; a named set without elements is conditional and lists nothing', () => {
    const [p] = points(`define PODS = 10.244.0.0/16\n${nat('ip saddr $PODS ip daddr != @internal masquerade')}`);
    expect(p).toMatchObject({ sources: ['10.244.0.0/16'], conditional: true });
    expect(p.destinations).toBeUndefined();
  });

  it('mark and conntrack matches make it conditional', () => {
    expect(points(nat('meta mark & 0x4000 == 0x4000 masquerade'))[0]).toMatchObject({ conditional: true, traffic: 'traffic with a firewall mark' });
    expect(points(nat('ct status dnat masquerade'))[0]).toMatchObject({ conditional: true, traffic: 'traffic with conntrack status dnat' });
    expect(points(nat('oifname "eth*" masquerade'))[0]).toMatchObject({ outInterface: 'eth+' });
  });

  it('transactions: add rule for a chain the file does not declare', () => {
    const text = 'add table ip nat\nadd chain ip nat POSTROUTING { type nat hook postrouting priority 100 ; }\nadd rule ip nat POSTROUTING oifname != "docker0" ip saddr 172.17.0.0/16 counter masquerade\n';
    const [p] = points(text);
    expect(p).toMatchObject({ text: 'masquerade', owner: 'Docker', outInterface: '!docker0', sources: ['172.17.0.0/16'] });
    expect(applyFix(text, p.fix)).toContain('counter masquerade fully-random\n');
  });

  it('owners by table and by the chain names iptables-nft shows', () => {
    const owner = (text: string) => points(text)[0].owner;
    expect(owner(nat('masquerade', 'inet', 'cni_plugins_masquerade', 'postrouting'))).toBe('CNI plugin');
    expect(points(nat('masquerade', 'inet', 'cni_plugins_masquerade', 'postrouting'))[0].advice).toMatch(/never add fully-random/);
    expect(owner(nat('masquerade fully-random', 'ip', 'flannel-ipv4', 'postrtg'))).toBe('flannel');
    expect(owner(nat('masquerade', 'ip', 'nat', 'KUBE-POSTROUTING'))).toBe('kube-proxy');
    expect(owner(nat('masquerade', 'ip', 'nat', 'FLANNEL-POSTRTG'))).toBe('flannel');
    expect(owner(nat('masquerade', 'ip', 'nat', 'CNI-3f2a'))).toBe('CNI plugin');
    expect(owner(nat('masquerade comment "cali:abc;"', 'ip', 'nat', 'cali-nat-outgoing'))).toBe('Calico');
    expect(owner(nat('masquerade', 'ip', 'nat', 'AWS-SNAT-CHAIN-0'))).toBe('AWS VPC CNI');
    expect(owner(nat('oifname "eth0" masquerade'))).toBeUndefined();
  });

  it('is registered for nft documents', () => {
    const doc = parse(nat('masquerade'));
    expect(factsOf(doc).map((f) => f.type)).toEqual(['SnatPoint']);
  });
});

describe('nft SnatPoints: exemptions earlier in the chain', () => {
  it('ip daddr ... return/accept before the masquerade are exempt destinations; guarded ones are not', () => {
    const text = `table ip nat {
\tchain IP-MASQ {
\t\tip daddr 169.254.0.0/16 counter return comment "link-local"
\t\tip daddr { 10.0.0.0/8, 172.16.0.0/12 } accept
\t\tip saddr 10.1.0.0/16 ip daddr 192.168.0.0/16 return
\t\tmeta mark 0x1 ip daddr 100.64.0.0/10 return
\t\tcounter masquerade
\t}
}
`;
    const [p] = points(text);
    expect(p.exemptDestinations).toEqual(['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12']);
    expect(p.conditional).toBe(true);
  });
});
