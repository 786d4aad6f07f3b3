import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IptablesDocument, IptablesRule } from '../../src/model/iptables.js';
import { SourceText } from '../../src/model/source.js';
import { analyseNatFlow, interfaceMatches, restrictBoxes, type ChainFlowOptions, type ChainFlowResult, type SnatFlow } from '../../src/net/chain-flow.js';
import { parseIpv4 } from '../../src/net/cidr.js';
import { AddressSet } from '../../src/net/range-set.js';
import { parseIptables } from '../../src/parsers/iptables/parser.js';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';

function parse(text: string): IptablesDocument {
  const { documents, findings } = parseIptables(new SourceText(text), 'test.rules');
  expect(findings.map((f) => f.message)).toEqual([]);
  return documents[0].root as IptablesDocument;
}

/** Analyses the single nat table of a dump. */
function analyse(text: string, options?: ChainFlowOptions): ChainFlowResult {
  const results = analyseNatFlow(parse(text), options);
  expect(results).toHaveLength(1);
  return results[0];
}

/** A nat table from rule lines, declaring every chain that has rules. */
function nat(...lines: string[]): string {
  const chains = new Set<string>();
  for (const l of lines) {
    const m = /^-A (\S+)/.exec(l);
    if (m && m[1] !== 'POSTROUTING') chains.add(m[1]);
  }
  return ['*nat', ':POSTROUTING ACCEPT [0:0]', ...[...chains].map((c) => `:${c} - [0:0]`), ...lines, 'COMMIT', ''].join('\n');
}

const set = (...cidrs: string[]) => AddressSet.fromCidrs(cidrs);
/** 1-based line of the first line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string) => {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
};
const all4 = AddressSet.all('ipv4');
const lines = (rules: IptablesRule[]) => rules.map((r) => r.line);

describe('reference CNI plugin chain (bridge/ptp ipMasq)', () => {
  const text = nat(
    '-A POSTROUTING -s 10.22.0.5/32 -m comment --comment "name: \\"mynet\\" id: \\"abc\\"" -j CNI-abc',
    '-A POSTROUTING -s 10.22.0.6/32 -m comment --comment "name: \\"mynet\\" id: \\"def\\"" -j CNI-def',
    '-A CNI-abc -d 10.22.0.0/16 -m comment --comment "name: \\"mynet\\" id: \\"abc\\"" -j ACCEPT',
    '-A CNI-abc ! -d 224.0.0.0/4 -m comment --comment "name: \\"mynet\\" id: \\"abc\\"" -j MASQUERADE',
    '-A CNI-def -d 10.22.0.0/16 -j ACCEPT',
    '-A CNI-def ! -d 224.0.0.0/4 -j MASQUERADE',
  );

  it('masquerades each container IP to everything outside its subnet and multicast', () => {
    const { flows, notes, unreachable } = analyse(text);
    expect(notes).toEqual([]);
    expect(unreachable).toEqual([]);
    expect(flows).toHaveLength(2);
    const [abc, def] = flows;
    expect(abc.rule.chain).toBe('CNI-abc');
    expect(lines(abc.path)).toEqual([lineOf(text, '-j CNI-abc')]);
    expect(abc.sources.toCidrs()).toEqual(['10.22.0.5/32']);
    expect(abc.destinations.equals(all4.subtract(set('10.22.0.0/16', '224.0.0.0/4')))).toBe(true);
    expect(abc.unknownConditions).toEqual([]);
    expect(abc.approximated).toBe(false);
    expect(abc.boxes).toHaveLength(1);
    expect(def.sources.toCidrs()).toEqual(['10.22.0.6/32']);
    expect(lines(def.path)).toEqual([lineOf(text, '-j CNI-def')]);
  });

  it('works the same for IPv6 (ff00::/8 excluded)', () => {
    const doc = parse(
      nat('-A POSTROUTING -s 2001:db8::5/128 -j CNI-abc', '-A CNI-abc -d 2001:db8::/64 -j ACCEPT', '-A CNI-abc ! -d ff00::/8 -j MASQUERADE'),
    );
    expect(doc.family).toBe('ipv6');
    const [flow] = analyseNatFlow(doc)[0].flows;
    expect(flow.family).toBe('ipv6');
    expect(flow.sources.toCidrs()).toEqual(['2001:db8::5/128']);
    expect(flow.destinations.equals(AddressSet.all('ipv6').subtract(set('2001:db8::/64', 'ff00::/8')))).toBe(true);
  });
});

describe('AWS VPC CNI', () => {
  it('exempts VPC CIDRs and names the addrtype condition of the SNAT', () => {
    const text = nat(
        '-A POSTROUTING -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-0',
        '-A AWS-SNAT-CHAIN-0 -d 192.168.0.0/16 -m comment --comment "AWS SNAT CHAIN" -j RETURN',
        '-A AWS-SNAT-CHAIN-0 -d 100.64.0.0/16 -m comment --comment "AWS SNAT CHAIN" -j RETURN',
        '-A AWS-SNAT-CHAIN-0 -d 10.10.0.0/16 -m comment --comment "AWS SNAT CHAIN EXCLUSION" -j RETURN',
        '-A AWS-SNAT-CHAIN-0 ! -o vlan+ -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL -j SNAT --to-source 192.168.1.10 --random-fully',
    );
    const { flows } = analyse(text);
    expect(flows).toHaveLength(1);
    const [f] = flows;
    expect(f.rule.target?.name).toBe('SNAT');
    expect(lines(f.path)).toEqual([lineOf(text, '-j AWS-SNAT-CHAIN-0')]);
    expect(f.sources.isAll('ipv4')).toBe(true);
    expect(f.destinations.equals(all4.subtract(set('192.168.0.0/16', '100.64.0.0/16', '10.10.0.0/16')))).toBe(true);
    expect(f.destinations.overlaps(set('192.168.5.5'))).toBe(false);
    expect(f.unknownConditions).toEqual(['addrtype']);
    expect(f.unknownDetails[0]).toMatchObject({ name: 'addrtype', text: '-m addrtype ! --dst-type LOCAL', via: 'rule' });
    expect(f.outInterfaces).toEqual([{ name: 'vlan+', wildcard: true, negated: true, rule: f.rule }]);
    expect(interfaceMatches(f.outInterfaces[0], 'eth0')).toBe(true);
    expect(interfaceMatches(f.outInterfaces[0], 'vlan.eth.1')).toBe(false);
  });

  it('follows the older two-chain shape (! -d VPC -j AWS-SNAT-CHAIN-1)', () => {
    const text = nat(
      '-A POSTROUTING -m comment --comment "AWS SNAT CHAN" -j AWS-SNAT-CHAIN-0',
      '-A AWS-SNAT-CHAIN-0 ! -d 192.168.0.0/16 -m comment --comment "AWS SNAT CHAN" -j AWS-SNAT-CHAIN-1',
      '-A AWS-SNAT-CHAIN-1 ! -o vlan+ -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL -j SNAT --to-source 192.168.1.10',
    );
    const { flows } = analyse(text);
    expect(flows).toHaveLength(1);
    expect(lines(flows[0].path)).toEqual([lineOf(text, '-j AWS-SNAT-CHAIN-0'), lineOf(text, '-j AWS-SNAT-CHAIN-1')]);
    expect(flows[0].destinations.equals(set('192.168.0.0/16').complement('ipv4'))).toBe(true);
  });
});

describe('kube-proxy KUBE-POSTROUTING', () => {
  const text = nat(
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A POSTROUTING -s 10.244.0.0/16 ! -o cni0 -j MASQUERADE --random-fully',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  );

  it('makes the MASQUERADE mark-dependent through the gated RETURN before it', () => {
    const { flows } = analyse(text);
    expect(flows.map((f) => f.rule.line)).toEqual([8, 5]);
    const [kube, pods] = flows;
    // The RETURN is gated by a mark, so it exempts no address: everything may reach MASQUERADE...
    expect(kube.sources.isAll('ipv4') && kube.destinations.isAll('ipv4')).toBe(true);
    // ...and the caller learns that it only does so depending on the mark.
    expect(kube.unknownConditions).toEqual(['mark (via RETURN at line 6)']);
    expect(kube.unknownDetails[0]).toMatchObject({ via: 'exemption', text: '-m mark ! --mark 0x4000/0x4000', rule: { line: 6 } });
    expect(lines(kube.path)).toEqual([4]);
  });

  it('passes the caveat on to later SNAT rules of the caller', () => {
    const [, pods] = analyse(text).flows;
    expect(pods.sources.toCidrs()).toEqual(['10.244.0.0/16']);
    expect(pods.path).toEqual([]);
    expect(pods.outInterfaces).toMatchObject([{ name: 'cni0', wildcard: false, negated: true }]);
    expect(pods.unknownConditions).toEqual(['mark (via RETURN at line 6)']);
  });

  it('reads the older single mark-gated MASQUERADE as conditional', () => {
    const { flows } = analyse(
      nat(
        '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4000/0x4000 -j MASQUERADE',
      ),
    );
    expect(flows.map((f) => f.unknownConditions)).toEqual([['mark'], ['mark (via MASQUERADE at line 6)']]);
  });
});

describe('ip-masq-agent', () => {
  it('masquerades all but the non-masquerade CIDRs, behind an addrtype-gated jump', () => {
    const { flows } = analyse(
      nat(
        '-A POSTROUTING -m comment --comment "ip-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom IP-MASQ-AGENT chain" -m addrtype ! --dst-type LOCAL -j IP-MASQ-AGENT',
        '-A IP-MASQ-AGENT -d 169.254.0.0/16 -m comment --comment "ip-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN',
        '-A IP-MASQ-AGENT -d 10.0.0.0/8 -m comment --comment "ip-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN',
        '-A IP-MASQ-AGENT -d 172.16.0.0/12 -m comment --comment "ip-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN',
        '-A IP-MASQ-AGENT -d 192.168.0.0/16 -m comment --comment "ip-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN',
        '-A IP-MASQ-AGENT -m comment --comment "ip-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)" -j MASQUERADE',
      ),
    );
    expect(flows).toHaveLength(1);
    const [f] = flows;
    expect(f.destinations.equals(all4.subtract(set('169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16')))).toBe(true);
    expect(f.unknownConditions).toEqual(['addrtype (via jump at line 4)']);
    expect(f.unknownDetails[0]).toMatchObject({ via: 'path', rule: { line: 4, chain: 'POSTROUTING' } });
  });

  it('with nonMasqueradeCIDRs: [] masquerades everything but link-local', () => {
    const { flows } = analyse(
      nat(
        '-A POSTROUTING -m addrtype ! --dst-type LOCAL -j IP-MASQ-AGENT',
        '-A IP-MASQ-AGENT -d 169.254.0.0/16 -j RETURN',
        '-A IP-MASQ-AGENT -j MASQUERADE',
      ),
    );
    expect(flows[0].destinations.equals(set('169.254.0.0/16').complement('ipv4'))).toBe(true);
  });
});

describe('flow semantics', () => {
  it('subtracts only the box of a two-dimensional RETURN', () => {
    const { flows } = analyse(nat('-A POSTROUTING -s 10.0.0.0/8 -d 192.168.0.0/16 -j RETURN', '-A POSTROUTING -j MASQUERADE'));
    const [f] = flows;
    // Both projections stay whole: other sources still reach 192.168/16, and 10/8 reaches the rest.
    expect(f.sources.isAll('ipv4') && f.destinations.isAll('ipv4')).toBe(true);
    expect(restrictBoxes(f.boxes, set('10.1.2.3'), set('192.168.1.1'))).toEqual([]);
    const from10 = restrictBoxes(f.boxes, set('10.0.0.0/8'));
    expect(from10).toHaveLength(1);
    expect(from10[0].destinations.equals(set('192.168.0.0/16').complement('ipv4'))).toBe(true);
    expect(restrictBoxes(f.boxes, set('11.0.0.1'), set('192.168.1.1'))).toHaveLength(1);
  });

  it('exempts nothing through a RETURN or ACCEPT gated by an unknown condition', () => {
    const { flows } = analyse(
      nat(
        '-A POSTROUTING -d 10.0.0.0/8 -m conntrack --ctstate DNAT -j RETURN',
        '-A POSTROUTING -d 11.0.0.0/8 -m set --match-set local dst -j ACCEPT',
        '-A POSTROUTING -s 1.1.1.1 -m mark --mark 0x1 -j RETURN',
        '-A POSTROUTING -s 2.2.2.0/24 -j MASQUERADE',
        '-A POSTROUTING -j MASQUERADE',
      ),
    );
    const [narrow, wide] = flows;
    expect(narrow.destinations.isAll('ipv4')).toBe(true);
    // The mark-gated RETURN only concerns 1.1.1.1, which this rule never sees.
    expect(narrow.unknownConditions).toEqual(['conntrack (via RETURN at line 3)', 'set (via ACCEPT at line 4)']);
    // The second MASQUERADE only gets what the first did not take.
    expect(wide.sources.equals(set('2.2.2.0/24').complement('ipv4'))).toBe(true);
    expect(wide.unknownConditions).toEqual(['conntrack (via RETURN at line 3)', 'set (via ACCEPT at line 4)', 'mark (via RETURN at line 5)']);
  });

  it('treats ports and protocols as narrowing: gates for exemptions, conditions for the NAT rule', () => {
    const { flows } = analyse(
      nat('-A POSTROUTING -d 10.0.0.0/8 -p udp -m udp --dport 53 -j RETURN', '-A POSTROUTING -p tcp -m tcp --dport 80 -m comment --comment web -j MASQUERADE'),
    );
    const [f] = flows;
    expect(f.destinations.isAll('ipv4')).toBe(true);
    expect(f.unknownConditions).toEqual(['protocol (via RETURN at line 3)', 'udp (via RETURN at line 3)']);
    expect(f.protocols).toMatchObject([{ name: 'tcp', negated: false }]);
    expect(f.l4Conditions).toMatchObject([{ name: 'tcp', text: '-m tcp --dport 80', via: 'rule' }]);
  });

  it('lets a -m tcp without options and -p all through', () => {
    const { flows } = analyse(nat('-A POSTROUTING -d 10.0.0.0/8 -p all -j RETURN', '-A POSTROUTING -p tcp -m tcp -d 10.0.0.0/8 -j RETURN', '-A POSTROUTING -j MASQUERADE'));
    expect(flows[0].destinations.equals(set('10.0.0.0/8').complement('ipv4'))).toBe(true);
    expect(flows[0].unknownConditions).toEqual([]);
  });

  it('follows -g: packets that return go to the caller of the chain that jumped', () => {
    const text = (how: '-g' | '-j') =>
      nat(
        '-A POSTROUTING -j OUTER',
        '-A POSTROUTING -j MASQUERADE',
        `-A OUTER -d 10.0.0.0/8 ${how} INNER`,
        '-A OUTER -j ACCEPT',
        '-A INNER -d 10.1.0.0/16 -j RETURN',
        '-A INNER -j ACCEPT',
      );
    const viaGoto = analyse(text('-g'));
    expect(viaGoto.flows).toHaveLength(1);
    expect(viaGoto.flows[0].destinations.toCidrs()).toEqual(['10.1.0.0/16']);
    expect(viaGoto.flows[0].path).toEqual([]);
    // With -j the returning packets continue in OUTER and are accepted there.
    const viaJump = analyse(text('-j'));
    expect(viaJump.flows).toEqual([]);
    expect(lines(viaJump.unreachable)).toEqual([lineOf(text('-j'), '-j MASQUERADE')]);
  });

  it('treats a gated goto as an exemption for the later rules of its chain', () => {
    const text = nat('-A POSTROUTING -j A', '-A A -m mark --mark 1 -g B', '-A A -j MASQUERADE', '-A B -j RETURN');
    expect(analyse(text).flows[0].unknownConditions).toEqual([`mark (via goto at line ${lineOf(text, '-g B')})`]);
  });

  it('reports a NAT rule once per path that reaches it', () => {
    const text = nat('-A POSTROUTING -s 10.0.0.1 -j SHARED', '-A POSTROUTING -s 10.0.0.2 -j SHARED', '-A POSTROUTING -s 10.0.0.3 -d 8.8.8.8 -j SHARED', '-A SHARED -d 8.8.8.8 -j RETURN', '-A SHARED -j MASQUERADE');
    const masq = lineOf(text, '-j MASQUERADE');
    // The third jump only carries traffic SHARED returns.
    expect(analyse(text).flows.map((f) => [f.rule.line, lines(f.path), f.sources.toString()])).toEqual([
      [masq, [lineOf(text, '10.0.0.1')], '10.0.0.1/32'],
      [masq, [lineOf(text, '10.0.0.2')], '10.0.0.2/32'],
    ]);
  });

  it('lists NAT rules no traffic reaches', () => {
    const text = nat('-A POSTROUTING -s 10.0.0.0/8 -j ACCEPT', '-A POSTROUTING -s 10.1.0.0/16 -j MASQUERADE', '-A POSTROUTING -j MASQUERADE', '-A NEVER -j MASQUERADE');
    const { flows, unreachable } = analyse(text);
    expect(flows.map((f) => f.rule.line)).toEqual([lineOf(text, 'POSTROUTING -j MASQUERADE')]);
    expect(flows[0].sources.equals(set('10.0.0.0/8').complement('ipv4'))).toBe(true);
    // NEVER is never jumped to: its rule is not walked, so not listed either.
    expect(lines(unreachable)).toEqual([lineOf(text, '10.1.0.0/16')]);
  });

  it('carries interfaces of the rule and its path', () => {
    const text = nat('-A POSTROUTING -o eth+ -j OUT', '-A OUT ! -o eth1 -s 10.0.0.0/8 -j MASQUERADE');
    const [f] = analyse(text).flows;
    expect(f.outInterfaces.map((c) => [c.name, c.wildcard, c.negated, c.rule.line])).toEqual([
      ['eth+', true, false, lineOf(text, 'eth+')],
      ['eth1', false, true, lineOf(text, 'eth1')],
    ]);
    expect(f.outInterfaces.every((c) => interfaceMatches(c, 'eth0'))).toBe(true);
    expect(f.outInterfaces.every((c) => interfaceMatches(c, 'eth1'))).toBe(false);
    expect(f.unknownConditions).toEqual([]);
  });

  it('names interface-gated exemptions', () => {
    const { flows } = analyse(nat('-A POSTROUTING -o eth0 -d 10.0.0.0/8 -j RETURN', '-A POSTROUTING -o + -d 11.0.0.0/8 -j RETURN', '-A POSTROUTING -j MASQUERADE'));
    expect(flows[0].unknownConditions).toEqual(['out-interface (via RETURN at line 3)']);
    expect(flows[0].destinations.equals(set('11.0.0.0/8').complement('ipv4'))).toBe(true);
  });

  it('evaluates iprange and comma lists, and widens for what it cannot read', () => {
    const { flows } = analyse(
      nat(
        '-A POSTROUTING -m iprange --dst-range 10.0.0.10-10.0.0.20 -j RETURN',
        '-A POSTROUTING -d 10.1.0.0/16,10.2.0.0/16 -j RETURN',
        '-A POSTROUTING -d 10.3.0.0/255.255.0.255 -j RETURN',
        '-A POSTROUTING -d db.example.com -j RETURN',
        '-A POSTROUTING -s 10.3.0.0/255.255.0.255 -j MASQUERADE',
      ),
    );
    const [f] = flows;
    expect(f.destinations.equals(all4.subtract(set('10.0.0.10-10.0.0.20', '10.1.0.0/16', '10.2.0.0/16')))).toBe(true);
    // A non-contiguous mask matches within 10.3.0.0-10.3.255.0 (the hull) but not all of it.
    expect(f.sources.equals(set('10.3.0.0-10.3.255.0'))).toBe(true);
    expect(f.unknownConditions).toEqual(['destination (via RETURN at line 5)', 'destination (via RETURN at line 6)', 'source']);
    expect(f.unknownDetails.map((d) => d.text)).toEqual(['-d 10.3.0.0/255.255.0.255', '-d db.example.com', '-s 10.3.0.0/255.255.0.255']);
  });

  it('skips rules that match nothing', () => {
    const { flows } = analyse(nat('-A POSTROUTING ! -o + -j ACCEPT', '-A POSTROUTING ! -p all -j ACCEPT', '-A POSTROUTING ! -d 0.0.0.0/0 -j ACCEPT', '-A POSTROUTING -j MASQUERADE'));
    expect(flows[0].destinations.isAll('ipv4')).toBe(true);
  });

  it('stops at loops, undefined chains and deep nesting, with notes', () => {
    const text = nat('-A POSTROUTING -j A', '-A A -j B', '-A B -j A', '-A B -j MASQUERADE', '-A POSTROUTING -j UNDEFINED-CHAIN');
    const loop = analyse(text);
    expect(loop.flows.map((f) => lines(f.path))).toEqual([[lineOf(text, '-A POSTROUTING -j A'), lineOf(text, '-A A -j B')]]);
    expect(loop.notes.map((n) => [n.kind, n.rule.line])).toEqual([
      ['loop', lineOf(text, '-A B -j A')],
      ['undefined-chain', lineOf(text, 'UNDEFINED-CHAIN')],
    ]);
    const self = analyse(nat('-A POSTROUTING -j A', '-A A -j A', '-A A -j MASQUERADE'));
    expect(self.flows).toHaveLength(1);

    const depth = 5000;
    const chain = Array.from({ length: depth }, (_, i) => `-A C${i} -d 10.${i % 256}.0.0/16 -j RETURN\n-A C${i} -j C${i + 1}`);
    const deep = analyse(nat('-A POSTROUTING -j C0', ...chain, `-A C${depth} -j MASQUERADE`), { maxDepth: 64 });
    expect(deep.flows).toEqual([]);
    expect(deep.notes.map((n) => n.kind)).toEqual(['depth']);
    const shallow = analyse(nat('-A POSTROUTING -j C0', ...chain.slice(0, 40), '-A C40 -j MASQUERADE'));
    expect(shallow.flows[0].path).toHaveLength(41);
    expect(shallow.flows[0].destinations.overlaps(set('10.39.0.0/16'))).toBe(false);
    expect(shallow.flows[0].destinations.overlaps(set('10.40.0.0/16'))).toBe(true);
  });

  it('caps the boxes with a superset and says so', () => {
    const rules = Array.from({ length: 12 }, (_, i) => `-A POSTROUTING -s 10.${i}.0.0/16 -d 192.168.${i}.0/24 -j RETURN`);
    const exact = analyse(nat(...rules, '-A POSTROUTING -j MASQUERADE'));
    expect(exact.flows[0].approximated).toBe(false);
    const capped = analyse(nat(...rules, '-A POSTROUTING -j MASQUERADE'), { maxBoxes: 4 });
    const [f] = capped.flows;
    expect(f.approximated).toBe(true);
    expect(f.boxes.length).toBeLessThanOrEqual(4);
    expect(capped.notes.some((n) => n.kind === 'box-cap')).toBe(true);
    // Still a superset of the exact answer.
    for (const b of exact.flows[0].boxes) expect(restrictBoxes(f.boxes, b.sources, b.destinations)).not.toEqual([]);
  });

  it('reports other targets when asked, and nothing without a nat table', () => {
    const text = nat('-A POSTROUTING -s 10.0.0.0/8 -j NETMAP --to 192.168.0.0/8', '-A POSTROUTING -j MASQUERADE');
    expect(analyse(text).flows.map((f) => f.sources.toString())).toEqual([set('10.0.0.0/8').complement('ipv4').toString()]);
    expect(analyse(text, { natTargets: ['NETMAP'] }).flows.map((f) => f.rule.line)).toEqual([3]);
    expect(analyseNatFlow(parse('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n'))).toEqual([]);
    expect(analyse('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n').flows).toEqual([]);
  });
});

// --- against a packet-by-packet simulation -----------------------------------------------------

/** A randomly generated nat table: chain 0 is POSTROUTING; jumps only go to later chains. */
interface GenRule {
  chain: number;
  src?: [string, boolean];
  dst?: [string, boolean];
  mark?: boolean;
  target: string;
}

const CIDRS = ['10.0.0.0/29', '10.0.0.0/30', '10.0.0.4/30', '10.0.0.2/31', '10.0.0.5', '10.0.0.0/8', '192.168.0.0/16', '8.8.8.8', '0.0.0.0/0'];
const ADDRESSES = ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.9.9.9', '192.168.3.4', '8.8.8.8', '1.1.1.1'];
const CHAINS = 4;
const chainName = (i: number) => (i === 0 ? 'POSTROUTING' : `C${i}`);

const genRule = (chain: number): fc.Arbitrary<GenRule> => {
  const later = Array.from({ length: CHAINS - chain - 1 }, (_, k) => chain + 1 + k);
  const targets = ['RETURN', 'ACCEPT', 'MASQUERADE', 'SNAT', 'MARK', ...later.flatMap((c) => [`-j ${chainName(c)}`, `-g ${chainName(c)}`])];
  const crit = fc.option(fc.tuple(fc.constantFrom(...CIDRS), fc.boolean()), { nil: undefined });
  return fc.record({
    chain: fc.constant(chain),
    src: crit,
    dst: crit,
    mark: fc.option(fc.boolean(), { nil: undefined, freq: 4 }),
    target: fc.constantFrom(...targets),
  });
};
const genTable = fc.tuple(...Array.from({ length: CHAINS }, (_, c) => fc.array(genRule(c), { maxLength: 5 }))).map((chains) => chains.flat());

function render(rules: GenRule[]): string {
  const out = ['*nat', ':POSTROUTING ACCEPT [0:0]', ...Array.from({ length: CHAINS - 1 }, (_, i) => `:C${i + 1} - [0:0]`)];
  for (const r of rules) {
    const parts = [`-A ${chainName(r.chain)}`];
    if (r.src) parts.push(`${r.src[1] ? '! ' : ''}-s ${r.src[0]}`);
    if (r.dst) parts.push(`${r.dst[1] ? '! ' : ''}-d ${r.dst[0]}`);
    if (r.mark !== undefined) parts.push(`-m mark ${r.mark ? '! ' : ''}--mark 0x1`);
    if (r.target.startsWith('-')) parts.push(r.target);
    else if (r.target === 'SNAT') parts.push('-j SNAT --to-source 192.0.2.1');
    else if (r.target === 'MARK') parts.push('-j MARK --set-xmark 0x2/0x2');
    else parts.push(`-j ${r.target}`);
    out.push(parts.join(' '));
  }
  return [...out, 'COMMIT', ''].join('\n');
}

/** iptables' own walk for one packet: the NAT rule and path it ends in, if any. */
function simulate(doc: IptablesDocument, src: bigint, dst: bigint, mark: number): { rule: IptablesRule; path: IptablesRule[] } | undefined {
  const table = doc.tables[0];
  const byName = new Map(table.chains.map((c) => [c.name, c]));
  const inCidr = (text: string, a: bigint) => {
    const s = AddressSet.fromCidrs([text]);
    return s.has('ipv4', a);
  };
  const matches = (r: IptablesRule) =>
    (!r.source || inCidr(r.source.value, src) !== r.source.negated) &&
    (!r.destination || inCidr(r.destination.value, dst) !== r.destination.negated) &&
    r.matches.every((m) => m.name !== 'mark' || (mark === 1) !== m.options[0].negated);
  type Outcome = 'return' | { rule?: IptablesRule; path: IptablesRule[] };
  const run = (chain: string, path: IptablesRule[]): Outcome => {
    for (const r of byName.get(chain)!.rules) {
      if (!matches(r)) continue;
      const t = r.target!;
      if (t.name === 'RETURN') return 'return';
      if (t.name === 'ACCEPT') return { path };
      if (t.name === 'MASQUERADE' || t.name === 'SNAT') return { rule: r, path };
      if (t.name === 'MARK') continue;
      const sub = run(t.name, [...path, r]);
      if (sub !== 'return') return sub;
      if (t.kind === 'goto') return 'return';
    }
    return 'return';
  };
  const end = run('POSTROUTING', []);
  return end !== 'return' && end.rule ? { rule: end.rule, path: end.path } : undefined;
}

const pathKey = (rule: IptablesRule, path: IptablesRule[]) => `${rule.line}<-${lines(path).join(',')}`;
const inBoxes = (f: SnatFlow, s: bigint, d: bigint) => f.boxes.some((b) => b.sources.has('ipv4', s) && b.destinations.has('ipv4', d));

describe('chain flow against a packet-by-packet simulation', () => {
  const check = (maxBoxes: number) =>
    fc.assert(
      fc.property(genTable, (rules) => {
        const doc = parse(render(rules));
        const result = analyseNatFlow(doc, { maxBoxes })[0];
        const byKey = new Map(result.flows.map((f) => [pathKey(f.rule, f.path), f]));
        expect(byKey.size).toBe(result.flows.length);
        for (const s of ADDRESSES.map((a) => parseIpv4(a)!)) {
          for (const d of ADDRESSES.map((a) => parseIpv4(a)!)) {
            const outcomes = [0, 1].map((mark) => simulate(doc, s, d, mark));
            // Sound: every packet NATed in simulation is in the boxes of that rule and path.
            for (const o of outcomes) {
              if (!o) continue;
              const f = byKey.get(pathKey(o.rule, o.path));
              expect(f, `flow ${pathKey(o.rule, o.path)}`).toBeDefined();
              expect(inBoxes(f!, s, d)).toBe(true);
            }
            // Exact when it claims to be: no unknown condition and no cap means every packet in
            // the boxes is NATed there whatever its mark.
            for (const f of result.flows) {
              if (f.unknownConditions.length > 0 || f.approximated || !inBoxes(f, s, d)) continue;
              for (const o of outcomes) expect(o && pathKey(o.rule, o.path)).toBe(pathKey(f.rule, f.path));
            }
          }
        }
        // Unreachable rules are reached by no packet.
        const hit = new Set<IptablesRule>(result.flows.map((f) => f.rule));
        for (const r of result.unreachable) expect(hit.has(r)).toBe(false);
      }),
      { numRuns: 400 },
    );

  it('is sound and, without unknown conditions, exact', () => check(64));
  it('stays sound when the box cap forces approximations', () => check(2));
});

// --- corpus and size -------------------------------------------------------------------------

describeCorpus('corpus dumps', () => {
  const files = corpusFiles('iptables-save');
  const byName = (name: string) => {
    const results = analyseNatFlow(parse(readCorpus('iptables-save', name)));
    return results[0];
  };

  it.each(files)('%s analyses without notes', (name) => {
    const { documents } = parseIptables(new SourceText(readCorpus('iptables-save', name)), name);
    for (const r of analyseNatFlow(documents[0].root as IptablesDocument)) expect(r.notes).toEqual([]);
  });

  it('Docker bridge: its subnet, not out its bridge', () => {
    const [f] = byName('moby-bridge-masq-gwm-nat.iptables-save.txt').flows;
    expect(f.sources.toCidrs()).toEqual(['192.168.0.0/24']);
    expect(f.destinations.isAll('ipv4')).toBe(true);
    expect(f.outInterfaces).toMatchObject([{ name: 'br-dummy', negated: true }]);
    expect(f.unknownConditions).toEqual([]);
    const [snat] = byName('moby-bridge-snat-hostipv4.iptables-save.txt').flows;
    expect(snat.rule.target?.name).toBe('SNAT');
    const [v6] = byName('moby-bridge-ipv6-gwm-nat.ip6tables-save.txt').flows;
    expect(v6.family).toBe('ipv6');
    expect(v6.sources.toCidrs()).toEqual(['fd49:efd7:54aa::/64']);
    expect(byName('moby-bridge-ipv6-gwm-routed.ip6tables-save.txt').flows).toEqual([]);
  });

  it('Docker and old kube-proxy on one node (2019)', () => {
    const { flows } = byName('calico-felix-fv-k8s-docker-node-2019.iptables-save.txt');
    expect(flows.map((f) => [f.rule.chain, f.unknownConditions])).toEqual([
      ['KUBE-POSTROUTING', ['mark']],
      ['POSTROUTING', [expect.stringMatching(/^mark \(via MASQUERADE at line \d+\)$/)]],
    ]);
    expect(flows[1].sources.toCidrs()).toEqual(['172.17.0.0/16']);
  });

  it('Calico natOutgoing over VXLAN', () => {
    const { flows } = byName('calico-felix-fv-vxlan-natoutgoing.iptables-save.txt');
    expect(flows).toHaveLength(1);
    expect(flows[0].path.map((r) => r.chain)).toEqual(['POSTROUTING']);
    expect(flows[0].outInterfaces).toMatchObject([{ name: 'vxlan.calico', negated: false }]);
    expect(flows[0].unknownConditions).toEqual(['addrtype']);
  });

  it('kube-proxy restore input: KUBE-POSTROUTING is not reached without the POSTROUTING jump', () => {
    const doc = parse(readCorpus('iptables-save', 'kube-proxy-iptables-TestOverallIPTablesRules.restore.txt'));
    const [fromPostrouting] = analyseNatFlow(doc);
    expect(fromPostrouting.flows).toEqual([]);
    const [direct] = analyseNatFlow(doc, { entryChain: 'KUBE-POSTROUTING' });
    expect(direct.flows).toHaveLength(1);
    expect(direct.flows[0].unknownConditions).toEqual([expect.stringMatching(/^mark \(via RETURN at line \d+\)$/)]);
  });
});

/** CPU time, not wall time: the test machines run many suites at once. */
function cpuTimed<T>(f: () => T): { result: T; ms: number } {
  const start = process.cpuUsage();
  const result = f();
  const used = process.cpuUsage(start);
  return { result, ms: (used.user + used.system) / 1000 };
}

describe('size', () => {
  const generator = path.resolve(__dirname, '../../../shared/bench/gen-kube-proxy-dump.mjs');

  it.skipIf(!existsSync(generator))('analyses a 10,000-service kube-proxy dump in well under a second', () => {
    const text = execFileSync(process.execPath, [generator, '10000'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const doc = parseIptables(new SourceText(text), 'kube-proxy.rules').documents[0].root as IptablesDocument;
    const { result, ms } = cpuTimed(() => analyseNatFlow(doc)[0]);
    expect(result.flows.map((f) => f.rule.chain)).toEqual(['KUBE-POSTROUTING', 'POSTROUTING']);
    expect(result.flows[0].unknownConditions).toEqual([expect.stringMatching(/^mark \(via RETURN at line \d+\)$/)]);
    expect(ms).toBeLessThan(250);
  });
  if (!existsSync(generator)) console.warn(`skipped kube-proxy size test: generator ${path.relative(process.cwd(), generator)} not found`);

  // Each container's jump leaves one more hole in the traffic that flows on, so the work grows
  // with rules x holes; with galloping set operations the constant is small (about 0.3 s of CPU
  // for 1,000 containers on a loaded CI machine).
  it('handles 2,000 CNI container chains in POSTROUTING', () => {
    const n = 2000;
    const rules: string[] = [];
    const chains: string[] = [];
    for (let i = 0; i < n; i++) {
      const ip = `10.${(i >> 8) & 255}.${i & 255}.${(i % 250) + 2}`;
      chains.push(`:CNI-${i} - [0:0]`);
      rules.push(`-A POSTROUTING -s ${ip}/32 -m comment --comment "id ${i}" -j CNI-${i}`);
      rules.push(`-A CNI-${i} -d 10.0.0.0/8 -j ACCEPT`, `-A CNI-${i} ! -d 224.0.0.0/4 -j MASQUERADE`);
    }
    const doc = parse(['*nat', ':POSTROUTING ACCEPT [0:0]', ...chains, ...rules, 'COMMIT', ''].join('\n'));
    const { result, ms } = cpuTimed(() => analyseNatFlow(doc)[0]);
    expect(result.flows).toHaveLength(n);
    expect(result.flows[n - 1].sources.toCidrs()).toEqual([`10.7.207.${((n - 1) % 250) + 2}/32`]);
    expect(ms).toBeLessThan(2500);
  });
});
