import type { SourceDocument } from '../document.js';
import type {
  ConntrackStats,
  EthtoolDevice,
  EthtoolDocument,
  KernelDocument,
  SysctlDocument,
} from '../evidence.js';
import { counterToBigInt, ethtoolFeature } from '../evidence.js';
import type { Fact, InterfaceFact } from '../facts.js';
import type { Range } from '../source.js';

/**
 * Device type from the name, where the naming convention of the component that creates it is
 * unambiguous: Docker and the reference CNI plugins `veth*`, Calico `cali*`, AWS VPC CNI `eni*`
 * (`AWS_VPC_K8S_CNI_VETHPREFIX`), Cilium `lxc*`, Weave `vethwe*`, kube-router `veth*`; tunnels
 * `vxlan.calico`, `flannel.1`, `tunl0`, `cilium_vxlan`; bridges `docker0`, `br-*`, `cni0`, `cbr0`.
 */
export function deviceTypeOf(name: string): InterfaceFact['deviceType'] {
  if (/^(?:veth|cali|eni|lxc(?!_health$)|vethwe)/.test(name) || name === 'lxc_health') return 'veth';
  if (/^(?:vxlan|flannel\.\d+$|cilium_vxlan$|vxlan\.calico$|weave$)/.test(name)) return name === 'weave' ? 'bridge' : 'vxlan';
  if (/^(?:tunl\d*|ipip|gre|geneve|cilium_geneve|wg|wireguard|flannel-wg)/.test(name)) return /^tunl|^ipip/.test(name) ? 'ipip' : 'tunnel';
  if (/^(?:docker\d+|br-|cni\d+|cbr\d+|virbr\d+|kube-bridge|docker_gwbridge)/.test(name)) return 'bridge';
  if (name === 'lo') return 'loopback';
  if (/^(?:eth\d+|ens\d+|enp\w+|eno\d+|bond\d+|em\d+)$/.test(name)) return 'physical';
  return 'unknown';
}

function interfaceFact(document: SourceDocument, device: EthtoolDevice): InterfaceFact {
  const fact: InterfaceFact = {
    type: 'Interface',
    document,
    range: device.nameRange,
    name: device.name,
    deviceType: deviceTypeOf(device.name),
  };
  const rx = ethtoolFeature(device, 'rx-checksumming');
  const tx = ethtoolFeature(device, 'tx-checksumming');
  if (rx) fact.rxChecksum = { on: rx.state === 'on', fixed: rx.fixed, range: rx.range };
  if (tx) fact.txChecksum = { on: tx.state === 'on', fixed: tx.fixed, range: tx.range };
  return fact;
}

/** Interface facts, one per `ethtool -k` device block. */
export function extractEthtoolFacts(document: SourceDocument): Fact[] {
  return (document.root as EthtoolDocument).devices.map((d) => interfaceFact(document, d));
}

/** The host's kernel, from the first release of a `uname` / `/proc/version` file. */
export function extractKernelFacts(document: SourceDocument): Fact[] {
  const v = (document.root as KernelDocument).version;
  if (!v) return [];
  return [
    {
      type: 'Host',
      document,
      range: v.range,
      kernel: { raw: v.raw, major: v.major, minor: v.minor, patch: v.patch, suffix: v.suffix, ...(v.distro ? { distro: v.distro } : {}) },
    },
  ];
}

/** Conntrack counters summed over CPUs. */
export function extractConntrackFacts(document: SourceDocument): Fact[] {
  const stats = document.root as ConntrackStats;
  const counters: Record<string, bigint> = {};
  const ranges: Record<string, Range> = {};
  for (const [name, c] of Object.entries(stats.totals)) {
    counters[name] = counterToBigInt(c.value);
    ranges[name] = c.range;
  }
  return [{ type: 'ConntrackTotals', document, range: stats.range, counters, ranges }];
}

/** One fact per sysctl key (the last setting of a key wins, as when applied). */
export function extractSysctlFacts(document: SourceDocument): Fact[] {
  const last = new Map<string, Fact>();
  for (const e of (document.root as SysctlDocument).entries) {
    if (e.glob) continue;
    last.set(e.key, { type: 'SysctlValue', document, range: e.valueRange[0] === e.valueRange[1] ? e.range : e.valueRange, key: e.key, value: e.value });
  }
  return [...last.values()];
}
