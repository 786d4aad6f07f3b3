import type { SourceDocument } from './document.js';
import type { DockerDaemonConfig } from './docker.js';
import type { IptablesDocument } from './iptables.js';
import { dockerIpv6Nat } from './extract/docker.js';

/**
 * How traffic reaches containers on a node, from its evidence (DOMAIN.md 1.2): `routed` when
 * something shows routed or bridged delivery without NAT (a Kubernetes pod network, CNI configs,
 * Mesos `network/cni`, Docker IPv6 without IPv6 NAT); `nat-only` when the only container
 * networking in evidence is Docker's NATed IPv4 bridge; `unknown` otherwise.
 */
export interface ContainerPath {
  kind: 'routed' | 'nat-only' | 'unknown';
  reason: string;
}

const POD_NETWORK_CHAINS = /^(?:KUBE-|cali-|CNI-|FLANNEL|CILIUM|WEAVE|AWS-SNAT|IP-MASQ)/;

export function containerPath(documents: readonly SourceDocument[]): ContainerPath {
  let dockerNat = false;
  for (const doc of documents) {
    switch (doc.kind) {
      case 'kubernetes':
        return { kind: 'routed', reason: `Kubernetes pod networking (${doc.filePath.split('/').pop()}) delivers pod traffic routed or bridged, without NAT` };
      case 'cni':
        return { kind: 'routed', reason: `a CNI network (${doc.filePath.split('/').pop()}) delivers container traffic routed or bridged, without NAT` };
      case 'mesos':
        return { kind: 'routed', reason: 'Mesos containers on CNI networks receive routed traffic' };
      case 'docker-daemon': {
        const config = doc.root as DockerDaemonConfig;
        if (config.ipv6?.value === true && dockerIpv6Nat(config) === 'routed') {
          return { kind: 'routed', reason: 'Docker has IPv6 on without IPv6 NAT, so IPv6 container traffic is routed' };
        }
        dockerNat = true;
        break;
      }
      case 'iptables': {
        const root = doc.root as IptablesDocument;
        for (const table of root.tables) {
          if (table.chains.some((c) => POD_NETWORK_CHAINS.test(c.name))) {
            return { kind: 'routed', reason: 'the iptables dump shows a Kubernetes/CNI pod network, whose pod traffic is routed without NAT' };
          }
        }
        const docker = root.tables.some((t) => t.chains.some((c) => c.name.startsWith('DOCKER')));
        const masquerades = root.tables.some((t) => t.name === 'nat' && t.rules.some((r) => r.target?.name === 'MASQUERADE' || r.target?.name === 'SNAT'));
        // Docker's IPv6 bridge in gateway mode "routed" (or with ip6tables off) has no NAT66 rule.
        if (docker && root.family === 'ipv6' && !masquerades) {
          return { kind: 'routed', reason: 'the ip6tables dump shows Docker IPv6 networks without NAT, so IPv6 container traffic is routed' };
        }
        if (docker) dockerNat = true;
        break;
      }
      default:
        break;
    }
  }
  if (dockerNat) return { kind: 'nat-only', reason: "only Docker's NATed bridge networking is in evidence" };
  return { kind: 'unknown', reason: 'the evidence does not show whether containers are reached through NAT or routed' };
}
