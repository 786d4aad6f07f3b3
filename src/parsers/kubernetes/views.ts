import type { FlannelNetConfig } from '../../model/cni.js';
import type {
  CalicoInstallation,
  CalicoInstallationPool,
  CalicoIPPool,
  CiliumConfig,
  CniDaemonSetKind,
  FelixConfiguration,
  IpMasqAgentConfig,
  JsonSetting,
  K8sConfigMap,
  K8sContainer,
  K8sEnvVar,
  K8sFlag,
  K8sNode,
  K8sObject,
  K8sString,
  K8sWorkload,
  KindCluster,
  KubeProxyConfiguration,
} from '../../model/kubernetes.js';
import { asString, getArray, getObject, getProperty, nodeAtPath, readSetting, type JsonObject, type JsonValue } from '../json/index.js';

/** API groups of Calico's resources: calicoctl/API server, and the CRDs behind them. */
const CALICO_GROUPS = new Set(['projectcalico.org', 'crd.projectcalico.org']);

/** Kinds with a pod template, and where it is. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  DaemonSet: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
};

/** CNI DaemonSets by name (the upstream manifests' names; DOMAIN.md 5). */
function cniByName(name: string | undefined): CniDaemonSetKind | undefined {
  if (!name) return undefined;
  if (name === 'aws-node') return 'aws-vpc-cni';
  if (name === 'calico-node') return 'calico';
  if (name === 'kube-flannel' || name.startsWith('kube-flannel-ds')) return 'flannel';
  if (name === 'cilium') return 'cilium';
  if (name === 'weave-net') return 'weave';
  if (name === 'ip-masq-agent') return 'ip-masq-agent';
  return undefined;
}

/** Renamed DaemonSets: the images of the main containers. */
function cniByImage(images: string[]): CniDaemonSetKind | undefined {
  for (const image of images) {
    if (/amazon-k8s-cni(?::|@|$)/.test(image)) return 'aws-vpc-cni';
    if (/(?:^|\/)calico\/node(?::|@|$)/.test(image)) return 'calico';
    if (/(?:^|\/)(?:flannel-io|coreos)\/flannel(?::|@|$)|mirrored-flannelcni-flannel(?::|@|$)/.test(image)) return 'flannel';
    if (/(?:^|\/)cilium\/cilium(?::|@|$)/.test(image)) return 'cilium';
    if (/(?:^|\/)weaveworks\/weave-kube(?::|@|$)/.test(image)) return 'weave';
    if (/(?:^|\/)ip-masq-agent(?:-amd64|-arm64)?(?::|@|$)/.test(image)) return 'ip-masq-agent';
  }
  return undefined;
}

/** A workload view for objects with a pod template; undefined for other kinds. */
export function workloadOf(object: K8sObject): K8sWorkload | undefined {
  const specPath = POD_SPEC_PATHS[object.kind];
  if (!specPath) return undefined;
  const spec = nodeAtPath(object.node, specPath);
  const podSpec = spec?.type === 'JsonObject' ? spec : undefined;
  const workload: K8sWorkload = {
    type: 'K8sWorkload',
    range: object.range,
    object,
    containers: containersOf(getArray(podSpec, 'containers'), false),
    initContainers: containersOf(getArray(podSpec, 'initContainers'), true),
  };
  if (podSpec) workload.podSpec = podSpec;
  assign(workload, 'hostNetwork', readSetting(podSpec, 'hostNetwork', 'boolean'));
  if (object.kind === 'DaemonSet') {
    const cni = cniByName(object.name) ?? cniByImage(workload.containers.map((c) => c.image?.value ?? ''));
    if (cni) workload.cni = cni;
  }
  return workload;
}

function containersOf(list: { items: JsonValue[] } | undefined, init: boolean): K8sContainer[] {
  const out: K8sContainer[] = [];
  for (const item of list?.items ?? []) {
    if (item.type !== 'JsonObject') continue;
    const command = stringsOf(getArray(item, 'command'));
    const args = stringsOf(getArray(item, 'args'));
    const container: K8sContainer = {
      type: 'K8sContainer',
      range: item.range,
      init,
      command,
      args,
      flags: flagsOf([...command, ...args]),
      env: envOf(getArray(item, 'env')),
      node: item,
    };
    assign(container, 'name', readSetting(item, 'name', 'string'));
    assign(container, 'image', readSetting(item, 'image', 'string'));
    out.push(container);
  }
  return out;
}

/** String items of a list; numbers and booleans (which Kubernetes rejects) are left out. */
function stringsOf(list: { items: JsonValue[] } | undefined): K8sString[] {
  const out: K8sString[] = [];
  for (const item of list?.items ?? []) {
    const s = asString(item);
    if (s) out.push({ value: s.value, range: s.range, node: s });
  }
  return out;
}

/** `--name=value` and bare `--name` / `-name` arguments. A separate value argument is not paired. */
function flagsOf(tokens: K8sString[]): K8sFlag[] {
  const out: K8sFlag[] = [];
  for (const t of tokens) {
    const m = /^(-{1,2})([A-Za-z0-9][\w.-]*)(?:=([\s\S]*))?$/.exec(t.value);
    if (!m) continue;
    const flag: K8sFlag = { name: m[2], range: t.range };
    if (m[3] !== undefined) {
      flag.value = m[3];
      // Exact when the argument is written as its value (plain or quoted without escapes).
      const raw = t.node.range[1] - t.node.range[0];
      const quoted = raw === t.value.length + 2 ? 1 : raw === t.value.length ? 0 : -1;
      if (quoted >= 0) {
        const start = t.node.range[0] + quoted + m[1].length + m[2].length + 1;
        flag.valueRange = [start, start + m[3].length];
      }
    }
    out.push(flag);
  }
  return out;
}

function envOf(list: { items: JsonValue[] } | undefined): K8sEnvVar[] {
  const out: K8sEnvVar[] = [];
  for (const item of list?.items ?? []) {
    if (item.type !== 'JsonObject') continue;
    const name = readSetting(item, 'name', 'string');
    if (!name) continue;
    const env: K8sEnvVar = { type: 'K8sEnvVar', range: item.range, name: name.value, nameRange: name.range, node: item };
    const value = readSetting(item, 'value', 'string');
    if (value) env.value = value;
    else {
      const raw = getProperty(item, 'value')?.value;
      if (raw) env.rawValue = raw;
    }
    const valueFrom = getObject(item, 'valueFrom');
    if (valueFrom) {
      env.valueFrom = { node: valueFrom };
      const ref = (key: string) => {
        const o = getObject(valueFrom, key);
        return o ? { name: readSetting(o, 'name', 'string')?.value, key: readSetting(o, 'key', 'string')?.value } : undefined;
      };
      const cm = ref('configMapKeyRef');
      if (cm) env.valueFrom.configMapKeyRef = cm;
      const secret = ref('secretKeyRef');
      if (secret) env.valueFrom.secretKeyRef = secret;
      const field = getObject(valueFrom, 'fieldRef');
      if (field) env.valueFrom.fieldRef = { fieldPath: readSetting(field, 'fieldPath', 'string')?.value };
    }
    out.push(env);
  }
  return out;
}

/** The ConfigMap view: string data and what the map configures. */
export function configMapOf(object: K8sObject): K8sConfigMap {
  const data: Record<string, JsonSetting<string>> = Object.create(null);
  const dataNode = getObject(object.node, 'data');
  for (const p of dataNode?.properties ?? []) {
    const s = readSetting(dataNode, p.key, 'string');
    if (s) data[p.key] = s;
  }
  const view: K8sConfigMap = { type: 'K8sConfigMap', range: object.range, object, data };
  const role = configMapRole(object, data);
  if (role) view.role = role;
  return view;
}

function configMapRole(object: K8sObject, data: Record<string, JsonSetting<string>>): K8sConfigMap['role'] {
  const { name, namespace } = object;
  if (name === 'kube-proxy' && (namespace === undefined || namespace === 'kube-system') && data['config.conf']) return 'kube-proxy';
  if (name === 'ip-masq-agent' && data.config) return 'ip-masq-agent';
  if (name === 'cilium-config') return 'cilium';
  if (data['net-conf.json'] || (name?.startsWith('kube-flannel-cfg') && data['cni-conf.json'])) return 'flannel';
  if (data.cni_network_config || name === 'calico-config') return 'calico';
  return undefined;
}

export function ciliumConfigOf(object: K8sObject, configMap: K8sConfigMap): CiliumConfig {
  return { type: 'CiliumConfig', range: object.range, object, options: configMap.data };
}

export function kubeProxyConfigurationOf(object: K8sObject): KubeProxyConfiguration {
  const node = object.node;
  const detectLocal = getObject(node, 'detectLocal');
  const iptables = getObject(node, 'iptables');
  const nftables = getObject(node, 'nftables');
  const conntrack = getObject(node, 'conntrack');
  const view: KubeProxyConfiguration = {
    type: 'KubeProxyConfiguration',
    range: object.range,
    object,
    detectLocal: defined({
      bridgeInterface: readSetting(detectLocal, 'bridgeInterface', 'string'),
      interfaceNamePrefix: readSetting(detectLocal, 'interfaceNamePrefix', 'string'),
    }),
    iptables: defined({
      masqueradeAll: readSetting(iptables, 'masqueradeAll', 'boolean'),
      masqueradeBit: readSetting(iptables, 'masqueradeBit', 'number'),
    }),
    nftables: defined({
      masqueradeAll: readSetting(nftables, 'masqueradeAll', 'boolean'),
      masqueradeBit: readSetting(nftables, 'masqueradeBit', 'number'),
    }),
    conntrack: defined({
      maxPerCore: readSetting(conntrack, 'maxPerCore', 'number'),
      min: readSetting(conntrack, 'min', 'number'),
    }),
    node,
  };
  assign(view, 'mode', readSetting(node, 'mode', 'string'));
  assign(view, 'clusterCIDR', readSetting(node, 'clusterCIDR', 'string'));
  assign(view, 'detectLocalMode', readSetting(node, 'detectLocalMode', 'string'));
  return view;
}

/** Keys of ip-masq-agent's config file (kubernetes-sigs/ip-masq-agent cmd/ip-masq-agent). */
export const IP_MASQ_AGENT_KEYS = ['nonMasqueradeCIDRs', 'masqLinkLocal', 'masqLinkLocalIPv6', 'cidrLimit', 'resyncInterval'] as const;

export function looksLikeIpMasqAgentConfig(node: JsonObject): boolean {
  return node.properties.length > 0 && IP_MASQ_AGENT_KEYS.some((k) => getProperty(node, k));
}

export function ipMasqAgentConfigOf(node: JsonValue): IpMasqAgentConfig {
  const object = node.type === 'JsonObject' ? node : undefined;
  const view: IpMasqAgentConfig = { type: 'IpMasqAgentConfig', range: node.range, node };
  assign(view, 'nonMasqueradeCIDRs', readSetting(object, 'nonMasqueradeCIDRs', 'strings'));
  assign(view, 'masqLinkLocal', readSetting(object, 'masqLinkLocal', 'boolean'));
  assign(view, 'masqLinkLocalIPv6', readSetting(object, 'masqLinkLocalIPv6', 'boolean'));
  assign(view, 'cidrLimit', readSetting(object, 'cidrLimit', 'number'));
  assign(view, 'resyncInterval', readSetting(object, 'resyncInterval', 'string'));
  return view;
}

export function isCalico(object: K8sObject, kind: string): boolean {
  return object.kind === kind && CALICO_GROUPS.has(object.group ?? '');
}

export function ipPoolOf(object: K8sObject): CalicoIPPool {
  const spec = getObject(object.node, 'spec');
  const view: CalicoIPPool = { type: 'CalicoIPPool', range: object.range, object };
  if (spec) view.spec = spec;
  assign(view, 'cidr', readSetting(spec, 'cidr', 'string'));
  assign(view, 'natOutgoing', readSetting(spec, 'natOutgoing', 'boolean'));
  assign(view, 'disabled', readSetting(spec, 'disabled', 'boolean'));
  assign(view, 'ipipMode', readSetting(spec, 'ipipMode', 'string'));
  assign(view, 'vxlanMode', readSetting(spec, 'vxlanMode', 'string'));
  assign(view, 'blockSize', readSetting(spec, 'blockSize', 'number'));
  assign(view, 'allowedUses', readSetting(spec, 'allowedUses', 'strings'));
  return view;
}

export function felixConfigurationOf(object: K8sObject): FelixConfiguration {
  const spec = getObject(object.node, 'spec');
  const view: FelixConfiguration = { type: 'FelixConfiguration', range: object.range, object, featureOverrides: Object.create(null) };
  if (spec) view.spec = spec;
  assign(view, 'natOutgoingAddress', readSetting(spec, 'natOutgoingAddress', 'string'));
  assign(view, 'natPortRange', readSetting(spec, 'natPortRange', 'string'));
  assign(view, 'natOutgoingExclusions', readSetting(spec, 'natOutgoingExclusions', 'string'));
  assign(view, 'iptablesNATOutgoingInterfaceFilter', readSetting(spec, 'iptablesNATOutgoingInterfaceFilter', 'string'));
  assign(view, 'featureDetectOverride', readSetting(spec, 'featureDetectOverride', 'string'));
  assign(view, 'bpfEnabled', readSetting(spec, 'bpfEnabled', 'boolean'));
  for (const part of (view.featureDetectOverride?.value ?? '').split(',')) {
    const m = /^\s*(\w+)\s*=\s*(\w*)\s*$/.exec(part);
    if (!m) continue;
    const v = m[2].toLowerCase();
    view.featureOverrides[m[1]] = v === 'true' ? true : v === 'false' ? false : undefined;
  }
  return view;
}

export function installationOf(object: K8sObject): CalicoInstallation {
  const calicoNetwork = nodeAtPath(object.node, ['spec', 'calicoNetwork']);
  const network = calicoNetwork?.type === 'JsonObject' ? calicoNetwork : undefined;
  const ipPools: CalicoInstallationPool[] = [];
  for (const item of getArray(network, 'ipPools')?.items ?? []) {
    if (item.type !== 'JsonObject') continue;
    const pool: CalicoInstallationPool = { node: item };
    assign(pool, 'name', readSetting(item, 'name', 'string'));
    assign(pool, 'cidr', readSetting(item, 'cidr', 'string'));
    assign(pool, 'natOutgoing', readSetting(item, 'natOutgoing', 'string'));
    assign(pool, 'encapsulation', readSetting(item, 'encapsulation', 'string'));
    ipPools.push(pool);
  }
  const view: CalicoInstallation = { type: 'CalicoInstallation', range: object.range, object, ipPools };
  if (network) view.calicoNetwork = network;
  assign(view, 'linuxDataplane', readSetting(network, 'linuxDataplane', 'string'));
  assign(view, 'mtu', readSetting(network, 'mtu', 'number'));
  return view;
}

export function nodeOf(object: K8sObject): K8sNode {
  const info = nodeAtPath(object.node, ['status', 'nodeInfo']);
  const nodeInfo = info?.type === 'JsonObject' ? info : undefined;
  const view: K8sNode = { type: 'K8sNode', range: object.range, object };
  assign(view, 'kernelVersion', readSetting(nodeInfo, 'kernelVersion', 'string'));
  assign(view, 'osImage', readSetting(nodeInfo, 'osImage', 'string'));
  assign(view, 'containerRuntimeVersion', readSetting(nodeInfo, 'containerRuntimeVersion', 'string'));
  assign(view, 'kubeletVersion', readSetting(nodeInfo, 'kubeletVersion', 'string'));
  return view;
}

export function kindClusterOf(object: K8sObject): KindCluster {
  const networking = getObject(object.node, 'networking');
  const patches: JsonSetting<string>[] = [];
  const addPatches = (holder: JsonObject | undefined) => {
    const list = getProperty(holder, 'kubeadmConfigPatches');
    if (list?.value?.type !== 'JsonArray') return;
    for (const item of list.value.items) {
      const s = asString(item);
      if (s) patches.push({ value: s.value, range: s.range, property: list });
    }
  };
  addPatches(object.node);
  for (const n of getArray(object.node, 'nodes')?.items ?? []) if (n.type === 'JsonObject') addPatches(n);
  const view: KindCluster = { type: 'KindCluster', range: object.range, object, patches };
  assign(view, 'kubeProxyMode', readSetting(networking, 'kubeProxyMode', 'string'));
  assign(view, 'disableDefaultCNI', readSetting(networking, 'disableDefaultCNI', 'boolean'));
  assign(view, 'podSubnet', readSetting(networking, 'podSubnet', 'string'));
  assign(view, 'serviceSubnet', readSetting(networking, 'serviceSubnet', 'string'));
  assign(view, 'ipFamily', readSetting(networking, 'ipFamily', 'string'));
  return view;
}

/** flanneld's net-conf.json (flannel-io/flannel pkg/subnet/config.go); same model as the cni parser's. */
export function flannelNetConfOf(node: JsonValue): FlannelNetConfig {
  const object = node.type === 'JsonObject' ? node : undefined;
  const config: FlannelNetConfig = { type: 'FlannelNetConfig', range: node.range, node };
  assign(config, 'network', readSetting(object, 'Network', 'string'));
  assign(config, 'ipv6Network', readSetting(object, 'IPv6Network', 'string'));
  assign(config, 'enableIPv4', readSetting(object, 'EnableIPv4', 'boolean'));
  assign(config, 'enableIPv6', readSetting(object, 'EnableIPv6', 'boolean'));
  assign(config, 'enableNFTables', readSetting(object, 'EnableNFTables', 'boolean'));
  assign(config, 'backendType', readSetting(getObject(object, 'Backend'), 'Type', 'string'));
  return config;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** Drops undefined members, so views compare cleanly and `in` tells what was written. */
function defined<T extends object>(value: T): T {
  for (const k of Object.keys(value) as (keyof T)[]) if (value[k] === undefined) delete value[k];
  return value;
}
