import { defineRule } from '../../src/engine/define-rule.js';
import { natOwnerOf } from '../../src/model/owners.js';
import type { RelatedDescriptor } from '../../src/engine/types.js';
import type { SnatPoint } from '../../src/model/facts.js';
import type { IptablesDocument } from '../../src/model/iptables.js';
import { analyseNatFlow, type SnatFlow } from '../../src/net/chain-flow.js';
import { AddressSet, describeAddressSet } from '../../src/net/range-set.js';

/** Conditions whose packets the analysis can reason about (they narrow, they do not gate). */
const EVALUABLE = new Set(['out-interface', 'in-interface', 'protocol', 'tcp', 'udp', 'sctp', 'dccp', 'udplite', 'multiport', 'icmp', 'icmp6', 'icmpv6', 'comment']);

/** What to change, per owner, so traffic to an internal network keeps its pod source address. */
const EXEMPT_ADVICE: Record<string, string> = {
  'ip-masq-agent': 'add the CIDR to nonMasqueradeCIDRs in the ip-masq-agent ConfigMap',
  'AWS VPC CNI': 'add the CIDR to AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS on aws-node',
  Calico: 'create a disabled IPPool for the CIDR (Felix does not SNAT to destinations inside any IP pool)',
  Cilium: 'set ipv4-native-routing-cidr to cover the CIDR, or list it in the ip-masq-agent nonMasqueradeCIDRs',
  'CNI plugin': 'the reference plugins only exempt their own subnet: turn ipMasq off and masquerade on the node with an exemption',
  Docker: 'Docker has no exemption setting: add a RETURN rule for the CIDR before its MASQUERADE (in DOCKER-USER style host tooling)',
  flannel: 'flannel only exempts its own network: exempt the CIDR with a RETURN rule before FLANNEL-POSTRTG',
};

export const rule = defineRule({
  meta: {
    id: 'snat-to-in-vpc-services',
    inputs: ['iptables', 'cni', 'docker-daemon', 'kubernetes'],
    category: 'reliability',
    description:
      'Disallow SNAT/MASQUERADE of traffic bound for the internal networks in settings.internalNetworks (VPC CIDRs, on-prem ranges, service endpoints).',
    messages: {
      dump:
        '{{target}} at line {{line}} ({{owner}}) translates traffic from {{sources}} to internal network {{overlap}} via {{path}}: it loses its pod address and competes for SNAT ports. Exempt {{overlap}} before it.',
      config:
        '{{owner}} masquerades traffic to internal network {{overlap}} ({{reason}}): it loses its pod address and competes for SNAT ports. To exempt it, {{advice}}.',
      insertReturn: 'Insert "-A {{chain}} -d {{cidr}} -j RETURN" before this rule.',
    },
    fix: 'suggestion',
    recommended: 'error',
    schema: {
      type: 'object',
      properties: {
        ignoreDestinations: {
          type: 'array',
          items: { type: 'string' },
          description: 'CIDRs of internal networks that may be SNATed (a NAT gateway you rely on, for example).',
        },
        assumeUnknownMatches: {
          type: 'boolean',
          description:
            'Report SNAT rules even when a condition on the way to them cannot be evaluated (marks, conntrack state, ipsets, addrtype), assuming it matches.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { ignoreDestinations: [] as string[], assumeUnknownMatches: false },
  },
  create(context, { ignoreDestinations, assumeUnknownMatches }) {
    const networks = context.settings.internalNetworks ?? [];
    // Without internal networks there is nothing to compare against: a MASQUERADE to 10.0.0.0/8
    // is required for a non-routable bridge and wrong for VPC-routable pod addresses.
    if (networks.length === 0) return {};
    const internal = AddressSet.parse(networks).set.subtract(AddressSet.parse(ignoreDestinations).set);
    const eol = context.source.text.includes('\r\n') ? '\r\n' : '\n';

    const reportFlow = (flow: SnatFlow) => {
      // What netlint cannot evaluate (marks, conntrack state, sets, addrtype) makes the SNAT
      // conditional when it gates the SNAT rule itself, a jump on its path, or a RETURN/ACCEPT
      // before it in its own chain (kube-proxy's `-m mark ! --mark ... -j RETURN` right before
      // its MASQUERADE). An earlier gated exemption elsewhere exempts nothing (the packets that
      // fail its gate go on), and an earlier NAT rule only takes some packets away first.
      // Interfaces, protocols and ports narrow; they never gate.
      const opaque = flow.unknownDetails.filter(
        (d) =>
          !EVALUABLE.has(d.name) &&
          (d.via !== 'exemption' ||
            (d.rule.chain === flow.rule.chain && (d.rule.target?.name === 'RETURN' || d.rule.target?.name === 'ACCEPT'))),
      );
      if (opaque.length > 0 && !assumeUnknownMatches) return;
      let overlap = AddressSet.empty();
      let sources = AddressSet.empty();
      for (const box of flow.boxes) {
        const hit = box.destinations.intersect(internal);
        if (hit.isEmpty()) continue;
        overlap = overlap.union(hit);
        sources = sources.union(box.sources);
      }
      if (overlap.isEmpty()) return;
      const rule = flow.rule;
      const pathText = [...flow.path.map((r) => r.chain), rule.chain].join(' -> ');
      const related: RelatedDescriptor[] = flow.path.map((r) => ({ node: r, message: `Jump from ${r.chain} to ${r.target?.name} at line ${r.line}.` }));
      const lineStart = context.source.lineStarts[rule.line - 1];
      // Exempt the configured networks as the user wrote them, not the computed remainder.
      const cidrs = networks.filter((n) => {
        const set = AddressSet.parse([n]).set;
        return !set.isEmpty() && set.overlaps(overlap);
      });
      context.report({
        node: rule.target!,
        messageId: 'dump',
        data: {
          target: rule.target!.name,
          line: rule.line,
          owner: natOwnerOf(rule) ?? 'owner unknown',
          sources: describeAddressSet(sources, 4),
          overlap: describeAddressSet(overlap, 4),
          path: `${pathText} -> ${rule.target!.name} at line ${rule.line}`,
        },
        related,
        // Only an appended rule can be preceded by text; `-I` rules are ordered by position.
        ...(rule.command === 'append'
          ? {
              suggest: [
                {
                  messageId: 'insertReturn',
                  data: { chain: rule.chain, cidr: cidrs.join(',') },
                  edits: () => [
                    {
                      range: [lineStart, lineStart] as [number, number],
                      text: cidrs.map((c) => `-A ${rule.chain} -d ${c} -m comment --comment "netlint: keep internal traffic unNATed" -j RETURN${eol}`).join(''),
                    },
                  ],
                },
              ],
            }
          : {}),
      });
    };

    return {
      IptablesDocument(doc: IptablesDocument) {
        for (const result of analyseNatFlow(doc)) for (const flow of result.flows) reportFlow(flow);
      },
      SnatPoint(point: SnatPoint) {
        if (point.engine === 'iptables' || point.engine === 'nft' || point.conditional) return;
        const exempt = AddressSet.parse(point.exemptDestinations ?? []).set.union(
          AddressSet.parse((point.destinations ?? []).filter((d) => d.startsWith('!')).map((d) => d.slice(1))).set,
        );
        // AWS VPC CNI exempts the VPC's own CIDRs automatically; which of the internal networks
        // those are is not in the manifest, so only `settings.vpcNetworks` can say.
        const vpc = point.engine === 'aws-vpc-cni' ? AddressSet.parse(vpcNetworks(context.settings, networks)).set : AddressSet.empty();
        const uncovered = internal.subtract(exempt).subtract(vpc);
        if (uncovered.isEmpty()) return;
        context.report({
          node: point,
          document: point.document,
          messageId: 'config',
          data: {
            owner: point.owner ?? point.engine,
            overlap: describeAddressSet(uncovered, 4),
            reason: point.exemptDestinations?.length ? `its exemptions cover ${point.exemptDestinations.join(', ')}` : 'it exempts no internal network',
            advice: EXEMPT_ADVICE[point.owner ?? ''] ?? 'exempt the CIDR where the SNAT rule is written',
          },
        });
      },
    };
  },
});

/** The internal networks inside the VPC: `settings.vpcNetworks`, or all of them when unset. */
function vpcNetworks(settings: Record<string, unknown>, networks: string[]): string[] {
  const vpc = settings.vpcNetworks;
  return Array.isArray(vpc) ? vpc.filter((v): v is string => typeof v === 'string') : networks;
}
