import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/engine/lint.js';
import type { DockerDaemonConfig } from '../../src/model/docker.js';
import { dockerIpv6Nat, extractDockerFacts } from '../../src/model/extract/docker.js';
import type { SnatPoint } from '../../src/model/facts.js';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';

function parse(text: string) {
  const parsed = parseText(text, '/etc/docker/daemon.json', { kind: 'docker-daemon' });
  const doc = parsed.documents[0];
  if (!doc) throw new Error(`no document: ${parsed.findings.map((f) => f.message).join('; ')}`);
  return doc;
}

function points(text: string): (SnatPoint & { text: string })[] {
  const doc = parse(text);
  return extractDockerFacts(doc).map((f) => ({ ...(f as SnatPoint), text: doc.source.slice(f.range) }));
}

const config = (text: string) => parse(text).root as DockerDaemonConfig;

describeCorpus('Docker corpus: SnatPoints', () => {
  const v4 = { engine: 'docker', owner: 'Docker', family: 'ipv4', portSelection: 'sequential', outInterface: '!docker0' };
  const expected: Record<string, Record<string, unknown>[]> = {
    // ipv6 without ip6tables: NAT66 only on Docker >= 27, so no IPv6 point.
    'ambroisemaupate-server-env-ipv6-ula.json': [{ ...v4, text: '{', sources: ['172.17.0.0/16'] }],
    'b-data-swarm-ipv6-nftables-daemon.json': [
      { ...v4, text: '{', sources: ['172.17.0.0/16'] },
      { ...v4, family: 'ipv6', text: 'true', sources: ['fd00::/80'] },
    ],
    // "ip-masq": false, "iptables": false.
    'docker-cli-docs-daemon.json-full-reference.json': [],
    // The default bridge takes the first subnet of default-address-pools (base 10.100.0.1/16, size 24).
    'fly-apps-docker-daemon-ipv6-no-ip6tables.json': [{ ...v4, text: '{', sources: ['10.100.0.0/24'] }],
  };

  it('covers every Docker corpus file', () => {
    expect(corpusFiles('docker')).toEqual(Object.keys(expected).sort());
  });

  for (const [name, want] of Object.entries(expected)) {
    it(name, () => {
      const got = points(readCorpus('docker', name));
      expect(got).toHaveLength(want.length);
      got.forEach((p, i) => expect(p).toMatchObject(want[i]));
    });
  }

  it('reason and advice: no --random-fully anywhere in moby, no daemon.json option', () => {
    const [p] = points(readCorpus('docker', 'ambroisemaupate-server-env-ipv6-ula.json'));
    expect(p.portSelectionReason).toBe('Docker never adds --random-fully (no occurrence in moby)');
    expect(p.advice).toMatch(/^No daemon\.json option adds --random-fully/);
    expect(p.fix).toBeUndefined();
    expect(p.node.type).toBe('JsonObject');
    expect(p.traffic).toBe("traffic from 172.17.0.0/16 (Docker's default, unless docker0 already has an address) not out docker0");
  });

  it('the IPv6 point sits on "ip6tables": true', () => {
    const text = readCorpus('docker', 'b-data-swarm-ipv6-nftables-daemon.json');
    const v6 = points(text)[1];
    const doc = parse(text);
    const line = doc.source.positionAt(v6.range[0]).line;
    expect(doc.source.slice(doc.source.lineRange(line))).toBe('  "ip6tables": true,');
  });

  it('dockerIpv6Nat over the corpus', () => {
    const nat = (name: string) => dockerIpv6Nat(parse(readCorpus('docker', name)).root as DockerDaemonConfig);
    expect(nat('ambroisemaupate-server-env-ipv6-ula.json')).toBe('depends-on-version');
    expect(nat('b-data-swarm-ipv6-nftables-daemon.json')).toBe('nat');
    expect(nat('docker-cli-docs-daemon.json-full-reference.json')).toBe('routed');
    expect(nat('fly-apps-docker-daemon-ipv6-no-ip6tables.json')).toBe('depends-on-version');
  });
});

describe('Docker SnatPoints: inline daemon.json', () => {
  it('defaults: one IPv4 point at the first line of the root object', () => {
    const [p] = points('{\n  "debug": true\n}\n');
    expect(p).toMatchObject({ family: 'ipv4', text: '{', sources: ['172.17.0.0/16'] });
    expect(points('{"debug": true}')[0].text).toBe('{"debug": true}');
    expect(points('{}')[0].text).toBe('{}');
  });

  it('"ip-masq": true written: the point is on its value', () => {
    const [p] = points('{\n  "ip-masq": true\n}');
    expect(p).toMatchObject({ text: 'true' });
    expect(p.node.type).toBe('JsonLiteral');
  });

  it('iptables or ip-masq false, or "bridge": "none": no SNAT', () => {
    expect(points('{"iptables": false}')).toEqual([]);
    expect(points('{"ip-masq": false, "ipv6": true, "ip6tables": true}')).toEqual([]);
    expect(points('{"bridge": "none"}')).toEqual([]);
  });

  it('bip gives the bridge network; fixed-cidr is used without bip', () => {
    expect(points('{"bip": "192.168.200.1/24", "fixed-cidr": "192.168.200.128/25"}')[0].sources).toEqual(['192.168.200.0/24']);
    expect(points('{"fixed-cidr": "10.50.0.0/16"}')[0].sources).toEqual(['10.50.0.0/16']);
  });

  it('default-address-pools: the first IPv4 pool\'s first subnet', () => {
    const text = '{"default-address-pools": [{"base": "fd00:1::/48", "size": 64}, {"base": "172.30.0.0/16", "size": 24}]}';
    expect(points(text)[0].sources).toEqual(['172.30.0.0/24']);
  });

  it('a custom bridge: its addresses are unknown; the out-interface is that bridge', () => {
    const [p] = points('{"bridge": "br0"}');
    expect(p.sources).toBeUndefined();
    expect(p).toMatchObject({ outInterface: '!br0', traffic: 'traffic from the addresses of br0 not out br0' });
  });

  it('IPv6: only with "ip6tables": true written; sources from bip6 or fixed-cidr-v6', () => {
    expect(points('{"ipv6": true, "fixed-cidr-v6": "fd00::/64"}')).toHaveLength(1);
    expect(points('{"ipv6": true, "fixed-cidr-v6": "fd00::/64", "ip6tables": false}')).toHaveLength(1);
    // Without experimental: 20.10-26.x refuse to start, so a running daemon is >= 27 and NATs.
    const [, v6] = points('{"ipv6": true, "fixed-cidr-v6": "2001:db8:1::/64", "ip6tables": true}');
    expect(v6).toMatchObject({ family: 'ipv6', sources: ['2001:db8:1::/64'], text: 'true' });
    const [, bip6] = points('{"ipv6": true, "bip6": "fd00:0:0:1::1/64", "ip6tables": true}');
    expect(bip6.sources).toEqual(['fd00:0:0:1::/64']);
    expect(points('{"ipv6": false, "ip6tables": true}')).toHaveLength(1);
  });

  it('firewall-backend nftables is kept as the backend', () => {
    const [p] = points('{"firewall-backend": "nftables"}');
    expect(p.backend).toBe('nftables');
    expect(points('{}')[0].backend).toBeUndefined();
  });
});

describe('dockerIpv6Nat', () => {
  it('no rules or no masquerade: routed', () => {
    expect(dockerIpv6Nat(config('{"iptables": false, "ip6tables": true}'))).toBe('routed');
    expect(dockerIpv6Nat(config('{"ip6tables": false}'))).toBe('routed');
    expect(dockerIpv6Nat(config('{"ip-masq": false, "ip6tables": true}'))).toBe('routed');
  });

  it('ip6tables true: nat, with or without experimental', () => {
    expect(dockerIpv6Nat(config('{"ip6tables": true, "experimental": true}'))).toBe('nat');
    expect(dockerIpv6Nat(config('{"ip6tables": true}'))).toBe('nat');
  });

  it('ip6tables absent: depends on the version (true since 27.0, false in 20.10-26.x even with experimental)', () => {
    expect(dockerIpv6Nat(config('{"ipv6": true}'))).toBe('depends-on-version');
    expect(dockerIpv6Nat(config('{"ipv6": true, "experimental": true}'))).toBe('depends-on-version');
  });

  it('default-network-opts apply to user-defined networks only', () => {
    const routed = config(
      '{"ip6tables": true, "default-network-opts": {"bridge": {"com.docker.network.bridge.gateway_mode_ipv6": "routed"}}}',
    );
    expect(dockerIpv6Nat(routed, 'user-defined')).toBe('routed');
    expect(dockerIpv6Nat(routed)).toBe('nat');
    const noMasq = config('{"default-network-opts": {"bridge": {"com.docker.network.bridge.enable_ip_masquerade": "false"}}}');
    expect(dockerIpv6Nat(noMasq, 'user-defined')).toBe('routed');
    expect(dockerIpv6Nat(noMasq)).toBe('depends-on-version');
    // ip-masq is the default bridge's option only.
    expect(dockerIpv6Nat(config('{"ip-masq": false, "ip6tables": true}'), 'user-defined')).toBe('nat');
  });
});
