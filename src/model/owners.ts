import type { IptablesRule } from './iptables.js';

/** Components that write NAT rules, as netlint names them in messages. */
export type NatOwner =
  | 'Docker'
  | 'kube-proxy'
  | 'CNI plugin'
  | 'Calico'
  | 'flannel'
  | 'AWS VPC CNI'
  | 'ip-masq-agent'
  | 'Cilium'
  | 'Weave Net'
  | 'kube-router';

/**
 * The component that most likely wrote an iptables rule, from its chain name, comment and
 * interfaces. Chain prefixes are the ones each project programs (DOMAIN.md sections 4-6):
 * kube-proxy `KUBE-*`, reference CNI plugins `CNI-*`, Felix `cali-*`, flannel `FLANNEL-*`,
 * AWS VPC CNI `AWS-SNAT-CHAIN-*`, ip-masq-agent `IP-MASQ-AGENT` (or `--masq-chain`), Cilium
 * `CILIUM_*`, Weave `WEAVE*`, kube-router `KUBE-ROUTER-*`; Docker masquerades in POSTROUTING
 * with `! -o docker0` / `! -o br-<id>`.
 */
export function natOwnerOf(rule: IptablesRule): NatOwner | undefined {
  const chain = rule.chain;
  const comment = rule.comment ?? '';
  if (/^KUBE-ROUTER/.test(chain)) return 'kube-router';
  if (/^KUBE-/.test(chain)) return 'kube-proxy';
  if (/^CNI-/.test(chain)) return 'CNI plugin';
  if (/^cali-/.test(chain) || /^cali:/.test(comment)) return 'Calico';
  if (/^FLANNEL/.test(chain) || /flanneld masq/.test(comment)) return 'flannel';
  if (/^AWS-(?:SNAT|CONNMARK)-CHAIN/.test(chain) || /^AWS,? SNAT/.test(comment)) return 'AWS VPC CNI';
  if (/^IP-MASQ/.test(chain) || /^ip-masq-agent/.test(comment)) return 'ip-masq-agent';
  if (/^CILIUM/.test(chain) || /^cilium/.test(comment)) return 'Cilium';
  if (/^WEAVE/.test(chain)) return 'Weave Net';
  if (/^DOCKER/.test(chain)) return 'Docker';
  const out = rule.outInterface?.value;
  // Docker names user-defined bridges `br-<network id prefix>` (or `com.docker.network.bridge.name`).
  if (out && rule.chain === 'POSTROUTING' && (out === 'docker0' || out === 'docker_gwbridge' || /^br-[\w.-]+$/.test(out))) return 'Docker';
  return undefined;
}

/** "traffic from 172.17.0.0/16 not out docker0": what a rule's criteria select, in words. */
export function describeTraffic(rule: IptablesRule): string {
  const parts: string[] = [];
  const not = (negated: boolean) => (negated ? 'not ' : '');
  if (rule.source) parts.push(`${not(rule.source.negated)}from ${rule.source.value}`);
  if (rule.destination) parts.push(`${not(rule.destination.negated)}to ${rule.destination.value}`);
  if (rule.inInterface) parts.push(`${not(rule.inInterface.negated)}in ${rule.inInterface.value}`);
  if (rule.outInterface) parts.push(`${not(rule.outInterface.negated)}out ${rule.outInterface.value}`);
  if (rule.protocol) parts.push(`${rule.protocol.negated ? 'not ' : ''}${rule.protocol.value}`);
  for (const m of rule.matches) {
    if (m.name === 'mark' || m.name === 'connmark') parts.push('with a firewall mark');
    else if (m.name === 'set') parts.push(`matching ipset ${m.options.find((o) => o.name === 'match-set')?.values[0]?.value ?? ''}`.trim());
    else if (m.name === 'addrtype') parts.push('of an address type');
  }
  return parts.length ? `traffic ${parts.join(' ')}` : 'all traffic reaching it';
}
