import type { SourceDocument } from './document.js';
import type { BaseNode } from './node.js';
import type { Range } from './source.js';

/**
 * Facts are what rules ask about, whatever file said it (DESIGN.md, "The model"): an iptables
 * MASQUERADE, an nft `masquerade`, a CNI `ipMasq: true` and a Calico `natOutgoing` are all
 * `SnatPoint`s. Each fact keeps the document and node it came from, so a finding about a fact
 * points at the text that created it.
 */
export interface FactBase extends BaseNode {
  /** The document the fact came from; findings about the fact go there. */
  document: SourceDocument;
}

/** Who writes the SNAT rule. */
export type SnatEngine =
  | 'iptables'
  | 'nft'
  | 'cni-bridge'
  | 'cni-ptp'
  | 'cni-portmap'
  | 'flannel'
  | 'calico'
  | 'cilium'
  | 'aws-vpc-cni'
  | 'docker'
  | 'kube-proxy'
  | 'ip-masq-agent'
  | 'weave';

/**
 * How the SNAT picks source ports (DOMAIN.md 1.1): `fully-random` (`--random-fully`, nft
 * `fully-random`, a PRNG start per connection); `random` (`--random`, a hash start: the same for
 * concurrent connections to one destination before kernel 5.0); `hash-random` (AWS VPC CNI's name
 * for `--random`); `sequential` (no flag: keep the port, else search); `unknown`.
 */
export type PortSelection = 'fully-random' | 'random' | 'hash-random' | 'sequential' | 'unknown';

/** A way to fix a fact in its own source's terms. */
export interface SourceFix {
  /** What to do, for messages: `set AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng on aws-node`. */
  description: string;
  /** Where the edit goes, when the fix is an edit of this document. */
  node?: BaseNode;
  /** The replacement text for `node`, or text to insert after it (`insert: true`). */
  text?: string;
  insert?: boolean;
}

/** A place where source NAT happens or is configured. */
export interface SnatPoint extends FactBase {
  type: 'SnatPoint';
  engine: SnatEngine;
  family: 'ipv4' | 'ipv6' | 'both' | 'unknown';
  portSelection: PortSelection;
  /** Why the port selection is what it is: `AWS_VPC_K8S_CNI_RANDOMIZESNAT=hashrandom (default before v1.7.0)`. */
  portSelectionReason: string;
  /** Source CIDRs the SNAT applies to, when known. */
  sources?: string[];
  /** Destinations the SNAT applies to (`!`-prefixed for exclusions), when known. */
  destinations?: string[];
  /** Destinations exempted from this SNAT by its owner (ip-masq-agent's list, VPC CIDRs...). */
  exemptDestinations?: string[];
  outInterface?: string;
  /** The traffic it applies to, in words: `traffic from 172.17.0.0/16 not out docker0`. */
  traffic?: string;
  /** `Docker`, `kube-proxy`...: the component that writes it. */
  owner?: string;
  /** The component's version, when an image tag or header says it. */
  ownerVersion?: string;
  /**
   * The firewall the owner writes the rule with (`iptables`, `nftables`), when a config says it:
   * CNI `ipMasqBackend` / portmap `backend`, Docker `firewall-backend`. Tells a rule which dump
   * (iptables-save or nft) should show the SNAT, and which flag spelling a host rule needs.
   */
  backend?: string;
  /** The port-selection fix in the source's terms; absent when the source has no knob. */
  fix?: SourceFix;
  /** Where to look instead, when there is no knob. */
  advice?: string;
  /** The model node that creates the SNAT (an `IptablesRule`, an nft rule, a JSON node...). */
  node: BaseNode;
  /** True when the SNAT only applies to traffic selected by something netlint cannot evaluate (marks, sets). */
  conditional?: boolean;
}

/** A network device from node evidence. */
export interface InterfaceFact extends FactBase {
  type: 'Interface';
  name: string;
  /** From the name (`veth*`, `cali*`, `eni*`, `vxlan.calico`, `flannel.1`...) when no type is given. */
  deviceType: 'veth' | 'vxlan' | 'ipip' | 'bridge' | 'physical' | 'loopback' | 'tunnel' | 'unknown';
  rxChecksum?: { on: boolean; fixed: boolean; range: Range };
  txChecksum?: { on: boolean; fixed: boolean; range: Range };
}

/** The host's kernel, from `uname`, `/proc/version` or a Kubernetes Node. */
export interface HostFact extends FactBase {
  type: 'Host';
  kernel: {
    raw: string;
    major: number;
    minor: number;
    patch: number;
    /** Distro part after the version (`-1160.el7.x86_64`). */
    suffix: string;
    /** Distro guess (`el7`, `ubuntu`...): distros backport fixes into old version numbers. */
    distro?: string;
  };
  /** `Node` name when the kernel came from a Kubernetes Node. */
  nodeName?: string;
}

/** Conntrack counters summed over CPUs (the `ConntrackStats` fact; its tag differs from the parser's node). */
export interface ConntrackStatsFact extends FactBase {
  type: 'ConntrackTotals';
  counters: Record<string, bigint>;
  /** Where each counter is written (its first occurrence). */
  ranges: Record<string, Range>;
}

/** One sysctl setting (the `Sysctl` fact). */
export interface SysctlFact extends FactBase {
  type: 'SysctlValue';
  key: string;
  value: string;
}

/** Every fact kind, by `type`. */
export type Fact = SnatPoint | InterfaceFact | HostFact | ConntrackStatsFact | SysctlFact;

/** Fact types by tag, for rule handlers. */
export interface FactTypeMap {
  SnatPoint: SnatPoint;
  Interface: InterfaceFact;
  Host: HostFact;
  ConntrackTotals: ConntrackStatsFact;
  SysctlValue: SysctlFact;
}
