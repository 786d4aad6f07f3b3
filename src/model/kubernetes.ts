import type { InputKind, SourceDocument } from './document.js';
import type { FlannelNetConfig } from './cni.js';
import type { BaseNode } from './node.js';
import type { Range } from './source.js';
import { nodeAtPath } from '../parsers/json/tree.js';
import type { JsonArray, JsonLiteral, JsonObject, JsonPath, JsonSetting, JsonValue } from '../parsers/json/index.js';

export type { JsonSetting };

/**
 * One YAML document of a stream (or a JSON manifest): its value tree and the Kubernetes objects
 * in it. YAML values use the same tree as JSON (`JsonObject`/`JsonArray`/`JsonLiteral`, with
 * `path`, `range` and `keyRange`), so rules and policies read both alike.
 */
export interface K8sDocument extends BaseNode {
  type: 'K8sDocument';
  format: 'yaml' | 'json';
  /** Position in the stream (0-based), counting empty and broken documents. */
  index: number;
  /** The document's value; absent for a document holding only comments. */
  node?: JsonValue;
  /** Objects in text order; a `List` (or `*List`) wrapper is replaced by its items. */
  objects: K8sObject[];
  /** A list wrapper this document was, if any (its items are in `objects`). */
  list?: K8sList;
  /** A bare ip-masq-agent config file (no `kind`): the agent's file, or a ConfigMap's `config`. */
  ipMasqAgentConfig?: IpMasqAgentConfig;
  /** Set on documents parsed from a string of another document. */
  embeddedIn?: EmbeddedOrigin;
}

/** Where an embedded document's text came from (plain data: the outer document is another `SourceDocument`). */
export interface EmbeddedOrigin {
  /** The object holding the string: kind, name, namespace. */
  kind?: string;
  name?: string;
  namespace?: string;
  /** The ConfigMap key (`config.conf`) or field (`kubeadmConfigPatches`) that held it. */
  key: string;
  /** Path of the string in the outer document's value tree. */
  path: JsonPath;
  /** Range of the string in the outer file. */
  outerRange: Range;
  /** False when the string's form could not be decoded exactly; positions are then approximate. */
  exact: boolean;
}

/** `kind: List` or `kind: FooList` with `items`. */
export interface K8sList {
  kind: string;
  apiVersion?: string;
  node: JsonObject;
  items: JsonArray;
}

/**
 * A Kubernetes object (anything with a string `kind`; `apiVersion` may be absent, as in kubeadm
 * patches). Typed views of recognised objects are in `views`, visited right after the object.
 */
export interface K8sObject extends BaseNode {
  type: 'K8sObject';
  apiVersion?: string;
  /** The API group (`apps`, `projectcalico.org`), `''` for the core group. */
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  labels: Record<string, string>;
  /** `metadata.annotations` with string values (`netlint.io/ignore` among them). */
  annotations: Record<string, string>;
  /** The object's value; `range` equals its range. */
  node: JsonObject;
  /** Path of the object in its document (`[]`, or `['items', 3]` inside a list). */
  path: JsonPath;
  /** Set when `kind`/`apiVersion` were taken from the enclosing `FooList` (API list responses omit them). */
  inferredKind?: boolean;
  views: K8sView[];
  /** Documents parsed from this object's strings (CNI configs, KubeProxyConfiguration...). */
  embedded: EmbeddedRef[];
}

/** A document embedded in a string of an object. */
export interface EmbeddedRef {
  /** The ConfigMap key or field name. */
  key: string;
  /** Path of the string in the outer value tree. */
  path: JsonPath;
  kind: InputKind;
  /** The embedded documents (usually one); absent when its text did not parse. */
  documents: SourceDocument[];
}

/** A string of a list (`args`, `command`) with its node. */
export interface K8sString {
  value: string;
  range: Range;
  node: JsonLiteral;
}

/** A command-line flag found in `command`/`args`: `--name=value`, `--name value`, `--name`. */
export interface K8sFlag {
  /** Without dashes: `ip-masq`, `masq-chain`. */
  name: string;
  /** Absent for a bare `--flag`. */
  value?: string;
  /** The argument(s) holding it. */
  range: Range;
  /** Where the value is, when given. */
  valueRange?: Range;
}

/** `env[]` entry of a container. */
export interface K8sEnvVar extends BaseNode {
  type: 'K8sEnvVar';
  name: string;
  nameRange: Range;
  /** `value`, when a string (Kubernetes rejects other types). */
  value?: JsonSetting<string>;
  /** `value` as written when it is not a string (`value: 1500`). */
  rawValue?: JsonValue;
  /** `valueFrom`, when present. */
  valueFrom?: {
    node: JsonObject;
    configMapKeyRef?: { name?: string; key?: string };
    secretKeyRef?: { name?: string; key?: string };
    fieldRef?: { fieldPath?: string };
  };
  node: JsonObject;
}

/** A container (or init container) of a pod template. */
export interface K8sContainer extends BaseNode {
  type: 'K8sContainer';
  init: boolean;
  name?: JsonSetting<string>;
  image?: JsonSetting<string>;
  command: K8sString[];
  args: K8sString[];
  /** Flags of `command` then `args`, in order. */
  flags: K8sFlag[];
  env: K8sEnvVar[];
  node: JsonObject;
}

/** The CNI (or NAT agent) a DaemonSet deploys, by its name (then its images). */
export type CniDaemonSetKind = 'aws-vpc-cni' | 'calico' | 'flannel' | 'cilium' | 'weave' | 'ip-masq-agent';

/** A workload with a pod template (DaemonSet, Deployment, StatefulSet, Job...) or a Pod. */
export interface K8sWorkload extends BaseNode {
  type: 'K8sWorkload';
  object: K8sObject;
  /** Set for the CNI DaemonSets netlint knows: aws-node, calico-node, kube-flannel(-ds*), cilium, weave-net, ip-masq-agent. */
  cni?: CniDaemonSetKind;
  podSpec?: JsonObject;
  hostNetwork?: JsonSetting<boolean>;
  containers: K8sContainer[];
  initContainers: K8sContainer[];
}

/** What netlint knows a ConfigMap to configure. */
export type ConfigMapRole = 'kube-proxy' | 'ip-masq-agent' | 'cilium' | 'calico' | 'flannel';

/** A ConfigMap: its string data, and documents parsed from known keys. */
export interface K8sConfigMap extends BaseNode {
  type: 'K8sConfigMap';
  object: K8sObject;
  role?: ConfigMapRole;
  /** `data` entries with string values, by key. */
  data: Record<string, JsonSetting<string>>;
  /** flanneld's `net-conf.json` (ConfigMap `kube-flannel-cfg`), built in place with outer ranges. */
  flannelNetConf?: FlannelNetConfig;
}

/** `KubeProxyConfiguration` (kubeproxy.config.k8s.io/v1alpha1; DOMAIN.md 4.2). */
export interface KubeProxyConfiguration extends BaseNode {
  type: 'KubeProxyConfiguration';
  object: K8sObject;
  mode?: JsonSetting<string>;
  clusterCIDR?: JsonSetting<string>;
  detectLocalMode?: JsonSetting<string>;
  detectLocal: { bridgeInterface?: JsonSetting<string>; interfaceNamePrefix?: JsonSetting<string> };
  iptables: { masqueradeAll?: JsonSetting<boolean>; masqueradeBit?: JsonSetting<number> };
  nftables: { masqueradeAll?: JsonSetting<boolean>; masqueradeBit?: JsonSetting<number> };
  conntrack: { maxPerCore?: JsonSetting<number>; min?: JsonSetting<number> };
  node: JsonObject;
}

/** ip-masq-agent's config (kubernetes-sigs/ip-masq-agent; DOMAIN.md 5.6). YAML or JSON. */
export interface IpMasqAgentConfig extends BaseNode {
  type: 'IpMasqAgentConfig';
  /** Absent when the key is missing: the agent then uses its default (RFC 1918) list. */
  nonMasqueradeCIDRs?: JsonSetting<string[]>;
  masqLinkLocal?: JsonSetting<boolean>;
  masqLinkLocalIPv6?: JsonSetting<boolean>;
  cidrLimit?: JsonSetting<number>;
  resyncInterval?: JsonSetting<string>;
  node: JsonValue;
}

/** Calico `IPPool` (projectcalico.org/v3, crd.projectcalico.org/v1). */
export interface CalicoIPPool extends BaseNode {
  type: 'CalicoIPPool';
  object: K8sObject;
  cidr?: JsonSetting<string>;
  /** CRD default false (the pool calico-node creates defaults to true for IPv4). */
  natOutgoing?: JsonSetting<boolean>;
  disabled?: JsonSetting<boolean>;
  ipipMode?: JsonSetting<string>;
  vxlanMode?: JsonSetting<string>;
  blockSize?: JsonSetting<number>;
  allowedUses?: JsonSetting<string[]>;
  spec?: JsonObject;
}

/** Calico `FelixConfiguration` (DOMAIN.md 5.2). */
export interface FelixConfiguration extends BaseNode {
  type: 'FelixConfiguration';
  object: K8sObject;
  natOutgoingAddress?: JsonSetting<string>;
  natPortRange?: JsonSetting<string>;
  natOutgoingExclusions?: JsonSetting<string>;
  iptablesNATOutgoingInterfaceFilter?: JsonSetting<string>;
  /** `featureDetectOverride`, e.g. `MASQFullyRandom=false,SNATFullyRandom=true`. */
  featureDetectOverride?: JsonSetting<string>;
  /** `featureDetectOverride` parsed: `Name=true` → true, `Name=false` → false, `Name=` → undefined (auto). */
  featureOverrides: Record<string, boolean | undefined>;
  bpfEnabled?: JsonSetting<boolean>;
  spec?: JsonObject;
}

/** An entry of the operator's `Installation.spec.calicoNetwork.ipPools`. */
export interface CalicoInstallationPool {
  node: JsonObject;
  name?: JsonSetting<string>;
  cidr?: JsonSetting<string>;
  /** `Enabled` / `Disabled` (operator default Enabled for IPv4). */
  natOutgoing?: JsonSetting<string>;
  encapsulation?: JsonSetting<string>;
}

/** tigera-operator `Installation` (operator.tigera.io/v1). */
export interface CalicoInstallation extends BaseNode {
  type: 'CalicoInstallation';
  object: K8sObject;
  ipPools: CalicoInstallationPool[];
  /** `calicoNetwork.linuxDataplane`: Iptables, BPF, Nftables, VPP. */
  linuxDataplane?: JsonSetting<string>;
  mtu?: JsonSetting<number>;
  calicoNetwork?: JsonObject;
}

/** The `cilium-config` ConfigMap (DOMAIN.md 5.4): agent options by key. */
export interface CiliumConfig extends BaseNode {
  type: 'CiliumConfig';
  object: K8sObject;
  /** Every string entry: `enable-ipv4-masquerade`, `enable-bpf-masquerade`, `iptables-random-fully`... */
  options: Record<string, JsonSetting<string>>;
}

/** A core `Node` (v1) and what its status says about the host. */
export interface K8sNode extends BaseNode {
  type: 'K8sNode';
  object: K8sObject;
  kernelVersion?: JsonSetting<string>;
  osImage?: JsonSetting<string>;
  containerRuntimeVersion?: JsonSetting<string>;
  kubeletVersion?: JsonSetting<string>;
}

/** A kind `Cluster` config (kind.x-k8s.io); its `kubeadmConfigPatches` are embedded documents. */
export interface KindCluster extends BaseNode {
  type: 'KindCluster';
  object: K8sObject;
  /** `networking.kubeProxyMode`: iptables, ipvs, nftables, none. */
  kubeProxyMode?: JsonSetting<string>;
  disableDefaultCNI?: JsonSetting<boolean>;
  podSubnet?: JsonSetting<string>;
  serviceSubnet?: JsonSetting<string>;
  ipFamily?: JsonSetting<string>;
  /** Every `kubeadmConfigPatches` string (cluster-wide and per node), in text order. */
  patches: JsonSetting<string>[];
}

export type K8sView =
  | K8sWorkload
  | K8sConfigMap
  | KubeProxyConfiguration
  | CalicoIPPool
  | FelixConfiguration
  | CalicoInstallation
  | CiliumConfig
  | K8sNode
  | KindCluster;

/** Node types of the kubernetes model, for `NodeTypeMap`. */
export const KUBERNETES_NODE_TYPES = [
  'K8sDocument',
  'K8sObject',
  'K8sWorkload',
  'K8sContainer',
  'K8sEnvVar',
  'K8sConfigMap',
  'KubeProxyConfiguration',
  'IpMasqAgentConfig',
  'CalicoIPPool',
  'FelixConfiguration',
  'CalicoInstallation',
  'CiliumConfig',
  'K8sNode',
  'KindCluster',
  'FlannelNetConfig',
] as const;

/**
 * The value at `path` below an object (or any value node), with its range and path; numbers index
 * arrays. `get(obj, ['spec', 'template', 'spec', 'containers'])`.
 */
export function get(from: K8sObject | JsonValue | undefined, path: readonly (string | number)[]): JsonValue | undefined {
  if (!from) return undefined;
  return nodeAtPath(from.type === 'K8sObject' ? from.node : from, path);
}

/** The string at `path`, if it is one. */
export function getString(from: K8sObject | JsonValue | undefined, path: readonly (string | number)[]): string | undefined {
  const node = get(from, path);
  return node?.type === 'JsonLiteral' && node.valueType === 'string' && node.placeholder === undefined ? (node.value as string) : undefined;
}

/** The last `env` entry of a container named `name` (the one Kubernetes uses). */
export function envVar(container: K8sContainer, name: string): K8sEnvVar | undefined {
  for (let i = container.env.length - 1; i >= 0; i--) if (container.env[i].name === name) return container.env[i];
  return undefined;
}

/** The last occurrence of `--name` in a container's command and args (the one most programs keep). */
export function containerFlag(container: K8sContainer, name: string): K8sFlag | undefined {
  const bare = name.replace(/^-+/, '');
  for (let i = container.flags.length - 1; i >= 0; i--) if (container.flags[i].name === bare) return container.flags[i];
  return undefined;
}

/** Rule ids listed in the object's `netlint.io/ignore` annotation (comma-separated). */
export function ignoredRuleIds(object: K8sObject): string[] {
  const value = object.annotations[IGNORE_ANNOTATION];
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** The annotation that suppresses rules on one object (DESIGN.md, configuration). */
export const IGNORE_ANNOTATION = 'netlint.io/ignore';
