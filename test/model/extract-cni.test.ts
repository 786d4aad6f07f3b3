import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/engine/lint.js';
import { extractCniFacts } from '../../src/model/extract/cni.js';
import type { SnatPoint } from '../../src/model/facts.js';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';

/** SnatPoints of a CNI text, with the text each one's range covers. */
function points(text: string, filePath = 'net.d/10-test.conflist'): (SnatPoint & { text: string })[] {
  const parsed = parseText(text, filePath, { kind: 'cni' });
  return parsed.documents.flatMap((doc) =>
    extractCniFacts(doc).map((f) => ({ ...(f as SnatPoint), text: doc.source.slice(f.range) })),
  );
}

/** The fields a test pins down, in a stable shape. */
function summary(p: SnatPoint & { text: string }) {
  return {
    engine: p.engine,
    portSelection: p.portSelection,
    conditional: p.conditional ?? false,
    owner: p.owner,
    family: p.family,
    text: p.text,
    from: p.node.type,
  };
}

const REFERENCE = 'pkg/ip/ipmasq_iptables_linux.go never adds --random-fully';

describeCorpus('CNI corpus: SnatPoints', () => {
  const portmapTrue = { engine: 'cni-portmap', portSelection: 'sequential', conditional: true, owner: 'CNI plugin', family: 'both', text: 'true', from: 'JsonLiteral' };
  const expected: Record<string, Record<string, unknown>[]> = {
    'aws-vpc-cni-10-aws.conflist.template': [
      { engine: 'aws-vpc-cni', portSelection: 'unknown', conditional: true, owner: 'AWS VPC CNI', family: 'unknown', text: '"__RANDOMIZESNAT__"', from: 'JsonLiteral' },
      portmapTrue,
    ],
    'aws-vpc-cni-v1.6.0-10-aws.conflist.template': [portmapTrue],
    'calico-10-calico.conflist.template': [portmapTrue],
    'cni-dev-bridge-ipmasq-example.conf': [
      { engine: 'cni-bridge', portSelection: 'sequential', conditional: false, owner: 'CNI plugin', family: 'ipv4', text: 'true', from: 'JsonLiteral' },
    ],
    'cni-dev-portmap-all-options-iptables.conf': [portmapTrue],
    'cni-dev-portmap-nftables-backend.conf': [portmapTrue],
    'cni-dev-portmap-standalone-ptp-ipmasq-trailing-comma.conflist': [
      { engine: 'cni-ptp', portSelection: 'sequential', conditional: false, owner: 'CNI plugin', family: 'ipv4', text: 'true', from: 'JsonLiteral' },
      {
        ...portmapTrue,
        text: '{\n                        "type": "portmap",\n                        "capabilities": {"portMappings": true},\n                }',
        from: 'JsonObject',
      },
    ],
    'cni-plugins-integration-basic-bridge-no-masq.conf': [],
    'cni-plugins-integration-basic-ptp-ipmasq.conf': [
      { engine: 'cni-ptp', portSelection: 'sequential', conditional: false, owner: 'CNI plugin', family: 'ipv4', text: 'true', from: 'JsonLiteral' },
    ],
    'cni-plugins-integration-chained-ptp-bandwidth.conflist': [
      { engine: 'cni-ptp', portSelection: 'sequential', conditional: false, owner: 'CNI plugin', family: 'ipv4', text: 'true', from: 'JsonLiteral' },
    ],
    // The bridge has no ipMasq (default false); portmap's snat defaults to true.
    'cni-spec-dbnet-example.conflist.jsonc': [
      { ...portmapTrue, text: '{\n        "type": "portmap",\n        "capabilities": {"portMappings": true}\n    }', from: 'JsonObject' },
    ],
    'flannel-10-flannel.conflist': [
      {
        engine: 'cni-bridge',
        portSelection: 'sequential',
        conditional: true,
        owner: 'flannel',
        family: 'both',
        text: '{\n        "hairpinMode": true,\n        "isDefaultGateway": true\n      }',
        from: 'JsonObject',
      },
      { ...portmapTrue, text: '{\n      "type": "portmap",\n      "capabilities": {\n        "portMappings": true\n      }\n    }', from: 'JsonObject' },
    ],
    'flannel-net-conf.json': [],
    'mesos-docs-cni-port-mapper-delegate-bridge.conf': [
      { engine: 'cni-bridge', portSelection: 'sequential', conditional: false, owner: 'CNI plugin', family: 'ipv4', text: 'true', from: 'JsonLiteral' },
    ],
    'mesos-docs-cni-test-bridge-ipmasq.conf': [
      { engine: 'cni-bridge', portSelection: 'sequential', conditional: false, owner: 'CNI plugin', family: 'ipv4', text: 'true', from: 'JsonLiteral' },
    ],
  };

  it('covers every CNI corpus file', () => {
    expect(corpusFiles('cni')).toEqual(Object.keys(expected).sort());
  });

  for (const [name, want] of Object.entries(expected)) {
    it(name, () => {
      expect(points(readCorpus('cni', name), `corpus/cni/${name}`).map(summary)).toEqual(want);
    });
  }

  it('bridge/ptp ipMasq: IPAM subnet as source, own subnet and multicast exempt, reason cites the ipmasq code', () => {
    const [p] = points(readCorpus('cni', 'cni-dev-bridge-ipmasq-example.conf'), 'bridge.conf');
    expect(p).toMatchObject({
      sources: ['10.10.0.0/16'],
      destinations: ['!10.10.0.0/16', '!224.0.0.0/4'],
      traffic: 'traffic from 10.10.0.0/16 not to 10.10.0.0/16 or multicast',
    });
    expect(p.portSelectionReason).toBe(`bridge ipMasq: containernetworking/plugins ${REFERENCE}`);
    expect(p.fix).toBeUndefined();
    expect(p.advice).toMatch(/^The reference CNI plugins never randomise/);
    const [ptp] = points(readCorpus('cni', 'cni-plugins-integration-basic-ptp-ipmasq.conf'), 'ptp.conf');
    expect(ptp).toMatchObject({ sources: ['10.1.2.0/24'], portSelectionReason: `ptp ipMasq: containernetworking/plugins ${REFERENCE}` });
  });

  it('portmap: snat true (AWS template) and the default are conditional on the masquerade mark; backend is kept', () => {
    const aws = points(readCorpus('cni', 'aws-vpc-cni-10-aws.conflist.template'), 'x.conflist.template')[1];
    expect(aws.portSelectionReason).toMatch(/^portmap snat: the CNI-HOSTPORT-MASQ chain .* never adds --random-fully$/);
    expect(aws.traffic).toBe('hairpin and localhost-to-hostPort traffic marked with bit 13');
    const dbnet = points(readCorpus('cni', 'cni-spec-dbnet-example.conflist.jsonc'), 'x.conflist')[0];
    expect(dbnet.portSelectionReason).toMatch(/^portmap snat, default true: /);
    const all = points(readCorpus('cni', 'cni-dev-portmap-all-options-iptables.conf'), 'x.conf')[0];
    expect(all).toMatchObject({ backend: 'iptables', traffic: 'hairpin and localhost-to-hostPort traffic marked by CNI-HOSTPORT-SETMARK' });
    const nft = points(readCorpus('cni', 'cni-dev-portmap-nftables-backend.conf'), 'x.conf')[0];
    expect(nft.backend).toBe('nftables');
    expect(nft.portSelectionReason).toMatch(/never adds fully-random$/);
  });

  it('flannel conflist: the delegate without ipMasq follows flanneld --ip-masq', () => {
    const [p] = points(readCorpus('cni', 'flannel-10-flannel.conflist'), '10-flannel.conflist');
    expect(p.portSelectionReason).toMatch(/^flannel delegate: bridge ipMasq follows !FLANNEL_IPMASQ \(set by flanneld --ip-masq\)/);
    expect(p.destinations).toEqual(['!224.0.0.0/4', '!ff00::/8']);
    expect(p.sources).toBeUndefined();
  });

  it('AWS template: randomizeSNAT is an install-time placeholder, so port selection is unknown', () => {
    const [p] = points(readCorpus('cni', 'aws-vpc-cni-10-aws.conflist.template'), 'x.conflist.template');
    expect(p.portSelectionReason).toMatch(/__RANDOMIZESNAT__, rendered from AWS_VPC_K8S_CNI_RANDOMIZESNAT/);
    expect(p.sources).toBeUndefined();
  });
});

describe('CNI SnatPoints: inline configs', () => {
  const conflist = (...plugins: string[]) => `{"cniVersion": "1.0.0", "name": "n", "plugins": [${plugins.join(', ')}]}`;

  it('bridge without ipMasq, or ipMasq false, gives nothing', () => {
    expect(points(conflist('{"type": "bridge"}'))).toEqual([]);
    expect(points(conflist('{"type": "bridge", "ipMasq": false}'))).toEqual([]);
    // A string makes the plugin fail to load its config (cni-schema reports it): no SNAT.
    expect(points(conflist('{"type": "bridge", "ipMasq": "true"}'))).toEqual([]);
  });

  it('dual-stack ranges: both families, each multicast range exempt', () => {
    const [p] = points(
      conflist(
        '{"type": "bridge", "ipMasq": true, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.1.0/24"}], [{"subnet": "fd00:10:244:1::/64"}]]}}',
      ),
    );
    expect(p).toMatchObject({
      family: 'both',
      sources: ['10.244.1.0/24', 'fd00:10:244:1::/64'],
      destinations: ['!10.244.1.0/24', '!fd00:10:244:1::/64', '!224.0.0.0/4', '!ff00::/8'],
    });
  });

  it('IPv6 only, and no IPAM subnet at all (bridge ipMasq applies to IPv6 too)', () => {
    const [v6] = points(conflist('{"type": "ptp", "ipMasq": true, "ipam": {"type": "host-local", "subnet": "fd00::/64"}}'));
    expect(v6).toMatchObject({ family: 'ipv6', destinations: ['!fd00::/64', '!ff00::/8'] });
    const [none] = points(conflist('{"type": "bridge", "ipMasq": true, "ipam": {"type": "dhcp"}}'));
    expect(none).toMatchObject({ family: 'both', traffic: 'traffic from the container IPs not to their own subnet or multicast' });
    expect(none.sources).toBeUndefined();
  });

  it('ipMasqBackend nftables is kept and cited', () => {
    const [p] = points(conflist('{"type": "bridge", "ipMasq": true, "ipMasqBackend": "nftables"}'));
    expect(p.backend).toBe('nftables');
    expect(p.portSelectionReason).toBe('bridge ipMasq: containernetworking/plugins pkg/ip/ipmasq_nftables_linux.go never adds fully-random');
  });

  it('a template placeholder for ipMasq is a conditional point at the token', () => {
    const text = '{"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "bridge", "ipMasq": __IPMASQ__}]}';
    const [p] = points(text, '10-n.conflist.template');
    expect(p).toMatchObject({ engine: 'cni-bridge', conditional: true, text: '__IPMASQ__' });
    expect(p.portSelectionReason).toMatch(/install-template token __IPMASQ__/);
  });

  it('flannel: an explicit delegate ipMasq wins; a non-bridge delegate or ipMasq false gives nothing', () => {
    const [on] = points(conflist('{"type": "flannel", "delegate": {"ipMasq": true}}'));
    expect(on).toMatchObject({ engine: 'cni-bridge', owner: 'flannel', text: 'true' });
    expect(on.conditional).toBeUndefined();
    expect(points(conflist('{"type": "flannel", "delegate": {"ipMasq": false}}'))).toEqual([]);
    expect(points(conflist('{"type": "flannel", "delegate": {"type": "macvlan", "master": "eth0"}}'))).toEqual([]);
  });

  it('flannel without a delegate object: flannel builds a bridge delegate itself', () => {
    const text = conflist('{"type": "flannel"}');
    const [p] = points(text);
    expect(p).toMatchObject({ engine: 'cni-bridge', owner: 'flannel', conditional: true, text: '{"type": "flannel"}' });
    expect(p.node.type).toBe('JsonObject');
  });

  it('portmap: snat false gives nothing; masqAll widens the traffic', () => {
    expect(points(conflist('{"type": "portmap", "snat": false, "masqAll": true}'))).toEqual([]);
    const [p] = points(conflist('{"type": "portmap", "masqAll": true, "markMasqBit": 14}'));
    expect(p).toMatchObject({ conditional: true, traffic: 'hostPort traffic from every source (masqAll), marked with bit 14' });
  });

  it('AWS egress-cni: randomizeSNAT decides the port selection; the fix is the aws-node env var', () => {
    const egress = (extra: string) => conflist(`{"type": "egress-cni", "enabled": "true", "nodeIP": "192.168.1.10"${extra}}`);
    const [hash] = points(egress(', "randomizeSNAT": "hashrandom"'));
    expect(hash).toMatchObject({ engine: 'aws-vpc-cni', portSelection: 'hash-random', family: 'ipv4', text: '"hashrandom"' });
    expect(hash.fix?.description).toMatch(/^Set AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng/);
    expect(hash.fix?.node).toBeUndefined();
    expect(points(egress(', "randomizeSNAT": "none"'))[0]).toMatchObject({ portSelection: 'sequential' });
    const [prng] = points(egress(', "randomizeSNAT": "prng"'));
    expect(prng).toMatchObject({ portSelection: 'fully-random' });
    expect(prng.fix).toBeUndefined();
    expect(points(egress(''))[0]).toMatchObject({ portSelection: 'fully-random', portSelectionReason: expect.stringMatching(/^randomizeSNAT=prng \(default\)/) });
    expect(points(conflist('{"type": "egress-cni", "enabled": "false", "randomizeSNAT": "none"}'))).toEqual([]);
  });

  it('other plugins (calico, macvlan, tuning) state no SNAT', () => {
    expect(points(conflist('{"type": "calico"}', '{"type": "macvlan", "master": "eth0"}', '{"type": "tuning"}'))).toEqual([]);
  });
});
