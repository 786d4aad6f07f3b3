import type { RuleModule } from '../src/engine/types.js';
import { rule as checksumErrorsObserved } from './checksum-errors-observed/index.js';
import { rule as cniSchema } from './cni-schema/index.js';
import { rule as conntrackInsertFailed } from './conntrack-insert-failed/index.js';
import { rule as conntrackTableSmall } from './conntrack-table-small/index.js';
import { rule as dockerBridgeOverlapsInternal } from './docker-bridge-overlaps-internal/index.js';
import { rule as dockerDaemonSchema } from './docker-daemon-schema/index.js';
import { rule as dockerIpv6Routed } from './docker-ipv6-routed/index.js';
import { rule as ipMasqAgentSchema } from './ip-masq-agent-schema/index.js';
import { rule as iptablesDuplicateRule } from './iptables-duplicate-rule/index.js';
import { rule as iptablesUndefinedChain } from './iptables-undefined-chain/index.js';
import { rule as iptablesUnreachableRule } from './iptables-unreachable-rule/index.js';
import { rule as kubeProxyClusterCidrMissing } from './kube-proxy-cluster-cidr-missing/index.js';
import { rule as kubeProxyConfigSchema } from './kube-proxy-config-schema/index.js';
import { rule as kubeProxyMasqueradeAll } from './kube-proxy-masquerade-all/index.js';
import { rule as masqueradeWithoutRandomFully } from './masquerade-without-random-fully/index.js';
import { rule as snatPortRangeNarrow } from './snat-port-range-narrow/index.js';
import { rule as snatToInVpcServices } from './snat-to-in-vpc-services/index.js';
import { rule as vethRxOffloadOn } from './veth-rx-offload-on/index.js';
import { rule as vxlanTxChecksumOffloadOldKernel } from './vxlan-tx-checksum-offload-old-kernel/index.js';

/** netlint's built-in rules, one folder each under rules/. */
export const builtinRules: RuleModule<any>[] = [
  masqueradeWithoutRandomFully,
  cniSchema,
  dockerDaemonSchema,
  iptablesUndefinedChain,
  iptablesUnreachableRule,
  iptablesDuplicateRule,
  vethRxOffloadOn,
  snatToInVpcServices,
  conntrackInsertFailed,
  checksumErrorsObserved,
  snatPortRangeNarrow,
  conntrackTableSmall,
  vxlanTxChecksumOffloadOldKernel,
  kubeProxyConfigSchema,
  ipMasqAgentSchema,
  dockerIpv6Routed,
  dockerBridgeOverlapsInternal,
  kubeProxyMasqueradeAll,
  kubeProxyClusterCidrMissing,
];
