import { parseKernelRelease } from '../../parsers/kernel/version.js';
import { parseKubernetes } from '../../parsers/kubernetes/parser.js';
import { getArray, getObject, getProperty, nodeAtPath, type JsonArray, type JsonObject, type JsonValue } from '../../parsers/json/index.js';
import type { SourceDocument } from '../document.js';
import type { Fact, HostFact, PortSelection, SnatPoint, SourceFix } from '../facts.js';
import {
  containerFlag,
  envVar,
  getString,
  type CalicoInstallation,
  type CalicoIPPool,
  type CiliumConfig,
  type FelixConfiguration,
  type IpMasqAgentConfig,
  type K8sConfigMap,
  type K8sContainer,
  type K8sDocument,
  type K8sEnvVar,
  type K8sFlag,
  type K8sNode,
  type K8sObject,
  type K8sView,
  type K8sWorkload,
  type KindCluster,
  type KubeProxyConfiguration,
} from '../kubernetes.js';
import { memo } from '../memo.js';
import type { BaseNode } from '../node.js';
import type { NatOwner } from '../owners.js';
import { SourceText, type Range } from '../source.js';
import { compareVersions } from '../version.js';

/**
 * Facts from Kubernetes manifests (DOMAIN.md 4, 5.2–5.7): one `SnatPoint` per component that
 * masquerades pod or service traffic, with the port selection its version and settings give,
 * and `Host` facts from `Node` objects. CNI conflists embedded in ConfigMaps (flannel's
 * `cni-conf.json`, Calico's `cni_network_config`) are `cni` documents of their own and get their
 * facts from the cni extractor.
 *
 * Who emits what, so that one component gives one point per file:
 * - AWS VPC CNI, flannel, ip-masq-agent, Weave Net: their DaemonSet (settings from its env/flags,
 *   version from its image, related ConfigMaps from the same file).
 * - Calico: each `IPPool` with `natOutgoing: true`, each operator `Installation` pool with
 *   `natOutgoing: Enabled`, and the default pool calico-node creates when the file has no pool.
 * - Cilium: the `cilium-config` ConfigMap.
 * - kube-proxy: each `KubeProxyConfiguration` (also embedded in a ConfigMap or a kind patch);
 *   else its DaemonSet; else a kind `Cluster`.
 * - ip-masq-agent's config file or ConfigMap alone (no DaemonSet in the file): a point with
 *   `unknown` port selection, for its non-masquerade list.
 *
 * Objects of other documents of the same file (the net-conf.json of flannel's ConfigMap, every
 * IPPool a pool's exemptions come from, a FelixConfiguration's `featureDetectOverride`, the
 * kube-proxy image a ConfigMap's config runs under) are read from a second parse of the file that
 * skips every document of no interest (`fileIndex`): the extractor registry hands over one
 * document at a time.
 */
export function extractKubernetesFacts(document: SourceDocument): Fact[] {
  const root = document.root as K8sDocument;
  if (root?.type !== 'K8sDocument') return [];
  const ctx = makeContext(document, root);
  const facts: Fact[] = [];
  for (const object of root.objects) {
    for (const view of object.views) facts.push(...factsOfView(ctx, view));
  }
  if (root.ipMasqAgentConfig) {
    const point = ipMasqAgentConfigPoint(ctx, root.ipMasqAgentConfig);
    if (point) facts.push(point);
  }
  return facts;
}

function factsOfView(ctx: Ctx, view: K8sView): Fact[] {
  switch (view.type) {
    case 'K8sWorkload':
      return workloadPoints(ctx, view);
    case 'CalicoIPPool':
      return optional(calicoPoolPoint(ctx, view));
    case 'CalicoInstallation':
      return installationPoints(ctx, view);
    case 'CiliumConfig':
      return ciliumPoints(ctx, view);
    case 'KubeProxyConfiguration':
      return optional(kubeProxyConfigPoint(ctx, view));
    case 'KindCluster':
      return optional(kindClusterPoint(ctx, view));
    case 'K8sNode':
      return optional(hostFact(ctx, view));
    default:
      return [];
  }
}

function workloadPoints(ctx: Ctx, workload: K8sWorkload): Fact[] {
  switch (workload.cni) {
    case 'aws-vpc-cni':
      return optional(awsPoint(ctx, workload));
    case 'calico':
      return calicoNodePoints(ctx, workload);
    case 'flannel':
      return optional(flannelPoint(ctx, workload));
    case 'ip-masq-agent':
      return optional(ipMasqAgentPoint(ctx, workload));
    case 'weave':
      return optional(weavePoint(ctx, workload));
    default:
      return isKubeProxyDaemonSet(workload) ? optional(kubeProxyDaemonSetPoint(ctx, workload)) : [];
  }
}

const optional = <T>(value: T | undefined): T[] => (value === undefined ? [] : [value]);

// ---------------------------------------------------------------------------------------------
// AWS VPC CNI (aws/amazon-vpc-cni-k8s pkg/networkutils/network.go; DOMAIN.md 5.5)

const AWS_RANDOMIZE = 'AWS_VPC_K8S_CNI_RANDOMIZESNAT';

/**
 * `AWS-SNAT-CHAIN-*`: `SNAT --to-source <primary ENI IP>` of pod traffic to destinations outside
 * the VPC CIDRs and `AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS`. `typeOfSNAT()`: `prng` → `--random-fully`
 * (`--random` when iptables lacks it), `hashrandom` → `--random`, `none` → no flag; empty or any
 * other value → the default, `prng` since v1.7.0 (PR #1048), `hashrandom` in v1.4.0–v1.6.x; before
 * v1.4.0 there is no variable and no flag. No SNAT with `AWS_VPC_K8S_CNI_EXTERNALSNAT=true`, nor
 * with `ENABLE_IPv4=false` (IPv6 clusters: `ensureHostNetworkIPTablesRules` builds the SNAT rules
 * only when IPv4 is enabled; IPv4 egress then goes through the egress-cni plugin of the conflist).
 */
function awsPoint(ctx: Ctx, workload: K8sWorkload): SnatPoint | undefined {
  const container = mainContainer(workload, (c) => c.name?.value === 'aws-node' || /amazon-k8s-cni(?::|@|$)/.test(c.image?.value ?? ''));
  if (!container) return undefined;
  if (goBool(envString(container, 'AWS_VPC_K8S_CNI_EXTERNALSNAT')) === true) return undefined;
  if (goBool(envString(container, 'ENABLE_IPv4')) === false) return undefined;

  const image = imageVersion(container);
  const env = envVar(container, AWS_RANDOMIZE);
  const value = env?.value?.value;
  const imageText = image.text ? ` (image ${image.text})` : '';
  let portSelection: PortSelection;
  let reason: string;
  let node: BaseNode = env?.value?.property.value ?? imageNode(container);
  if (image.version && compareVersions(image.version, [1, 4, 0]) < 0) {
    portSelection = 'sequential';
    reason = `amazon-k8s-cni ${image.text} predates v1.4.0: SNAT without --random or --random-fully, whatever ${AWS_RANDOMIZE} says`;
    node = imageNode(container);
  } else if (env?.valueFrom) {
    portSelection = 'unknown';
    reason = `${AWS_RANDOMIZE} comes from valueFrom, which netlint cannot read`;
    node = env.node;
  } else if (value === 'prng') {
    portSelection = 'fully-random';
    reason = `${AWS_RANDOMIZE}=prng: SNAT --random-fully (--random when iptables lacks it)`;
  } else if (value === 'hashrandom') {
    portSelection = 'hash-random';
    reason = `${AWS_RANDOMIZE}=hashrandom: SNAT --random`;
  } else if (value === 'none') {
    portSelection = 'sequential';
    reason = `${AWS_RANDOMIZE}=none: SNAT without a random flag`;
  } else {
    // Unset, empty or not one of the three: the version's default.
    const how = value ? `${AWS_RANDOMIZE}=${value} is not prng, hashrandom or none, so the default applies` : `${AWS_RANDOMIZE} unset`;
    if (!value) node = imageNode(container);
    if (!image.version) {
      portSelection = 'unknown';
      reason = `${how}: the default is prng from v1.7.0 and hashrandom in v1.4.0–v1.6.x, and the image tag${image.tag ? ` ${image.tag}` : ''} does not say the version`;
    } else if (compareVersions(image.version, [1, 7, 0]) >= 0) {
      portSelection = 'fully-random';
      reason = `${how}: prng, the default since v1.7.0${imageText}: SNAT --random-fully`;
    } else {
      portSelection = 'hash-random';
      reason = `${how}: hashrandom, the default before v1.7.0${imageText}: SNAT --random`;
    }
  }

  const point = basePoint(ctx, node, 'aws-vpc-cni', 'AWS VPC CNI', portSelection, reason, image);
  point.family = 'ipv4';
  const excluded = (envString(container, 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^[\d.]+\/\d+$/.test(s));
  point.exemptDestinations = ['VPC CIDRs (automatic)', ...excluded];
  point.traffic = `pod traffic to destinations outside the VPC CIDRs${excluded.length ? ` and ${excluded.join(', ')}` : ''}, not to local addresses`;
  if (portSelection !== 'fully-random') {
    if (image.version && compareVersions(image.version, [1, 4, 0]) < 0) {
      point.advice = 'Upgrade the aws-node DaemonSet to amazon-k8s-cni v1.7.0 or later, which randomises SNAT ports with --random-fully by default';
    } else if (!env?.valueFrom) {
      point.fix = {
        description: `Set ${AWS_RANDOMIZE}=prng on the aws-node container`,
        ...setEnvEdit(ctx, container, env, AWS_RANDOMIZE, 'prng'),
      };
    } else {
      point.fix = { description: `Set ${AWS_RANDOMIZE}=prng on the aws-node container` };
    }
  }
  return point;
}

// ---------------------------------------------------------------------------------------------
// Calico (projectcalico/calico felix, node/pkg/lifecycle/startup; DOMAIN.md 5.2)

/** Felix adds `--random-fully` to natOutgoing's MASQUERADE since felix b0032bbb (Oct 2018) = Calico v3.3. */
const CALICO_MASQ_FULLY_RANDOM = [3, 3, 0];
/** calico-node's default IPv4 pool (`CALICO_IPV4POOL_CIDR` unset). */
const CALICO_DEFAULT_POOL = '192.168.0.0/16';

/** What the file says about Felix, for every Calico pool of the file. */
interface CalicoSettings {
  /** calico-node's container and DaemonSet, when the file has one. */
  node?: K8sContainer;
  nodeObject?: K8sObject;
  image: ImageVersion;
  /** Every pool CIDR of the file (IPPools and operator pools), without LoadBalancer-only pools. */
  poolCidrs: string[];
  /** FelixConfiguration objects (`default` first) and calico-node's `FELIX_*` env. */
  felix: FelixSource[];
  nftables: boolean;
}

/** One place Felix settings come from: calico-node's env (which wins) or a FelixConfiguration. */
interface FelixSource {
  label: string;
  /** The setting, with its range in the file (edits of it line up with a top-level document). */
  featureDetectOverride?: { value: string; node: BaseNode };
  natOutgoingAddress?: string;
  natOutgoingExclusions?: string;
  interfaceFilter?: string;
}

function calicoSettings(ctx: Ctx): CalicoSettings {
  if (ctx.calico) return ctx.calico;
  const file = ctx.file();
  const settings: CalicoSettings = { image: {}, poolCidrs: [], felix: [], nftables: false };
  for (const w of file.views<K8sWorkload>('K8sWorkload')) {
    if (w.cni !== 'calico' || settings.node) continue;
    const node = calicoNodeContainer(w);
    if (node) {
      settings.node = node;
      settings.nodeObject = w.object;
      settings.image = imageVersion(node);
    }
  }
  for (const pool of file.views<CalicoIPPool>('CalicoIPPool')) {
    if (pool.cidr && !isLoadBalancerOnly(pool)) settings.poolCidrs.push(pool.cidr.value);
  }
  for (const installation of file.views<CalicoInstallation>('CalicoInstallation')) {
    for (const pool of installation.ipPools) if (pool.cidr) settings.poolCidrs.push(pool.cidr.value);
    if (installation.calicoNetwork && !getProperty(installation.calicoNetwork, 'ipPools')) settings.poolCidrs.push(CALICO_DEFAULT_POOL);
    if (installation.linuxDataplane?.value === 'Nftables') settings.nftables = true;
  }
  if (settings.node) {
    const env = (name: string) => felixEnv(settings.node!, name);
    const override = env('FeatureDetectOverride');
    const source: FelixSource = { label: 'env FELIX_FEATUREDETECTOVERRIDE on calico-node' };
    if (override?.value) source.featureDetectOverride = { value: override.value.value, node: span(file.fileRange(settings.nodeObject!, override.value.range)) };
    const address = env('NATOutgoingAddress')?.value?.value;
    if (address) source.natOutgoingAddress = address;
    const exclusions = env('NATOutgoingExclusions')?.value?.value;
    if (exclusions) source.natOutgoingExclusions = exclusions;
    const filter = env('IptablesNATOutgoingInterfaceFilter')?.value?.value;
    if (filter) source.interfaceFilter = filter;
    if (/^enabled$/i.test(env('NFTablesMode')?.value?.value ?? '')) settings.nftables = true;
    settings.felix.push(source);
  }
  const configs = file.views<FelixConfiguration>('FelixConfiguration');
  configs.sort((a, b) => Number(b.object.name === 'default') - Number(a.object.name === 'default'));
  for (const config of configs) {
    const source: FelixSource = { label: `FelixConfiguration ${config.object.name ?? '(unnamed)'}` };
    if (config.featureDetectOverride) source.featureDetectOverride = { value: config.featureDetectOverride.value, node: span(file.fileRange(config.object, config.featureDetectOverride.range)) };
    if (config.natOutgoingAddress?.value) source.natOutgoingAddress = config.natOutgoingAddress.value;
    if (config.natOutgoingExclusions?.value) source.natOutgoingExclusions = config.natOutgoingExclusions.value;
    if (config.iptablesNATOutgoingInterfaceFilter?.value) source.interfaceFilter = config.iptablesNATOutgoingInterfaceFilter.value;
    settings.felix.push(source);
  }
  ctx.calico = settings;
  return settings;
}

/** The first Felix source that sets `key` (env before FelixConfiguration, `default` first). */
function felixSetting<K extends keyof FelixSource>(settings: CalicoSettings, key: K): { source: FelixSource; value: NonNullable<FelixSource[K]> } | undefined {
  for (const source of settings.felix) {
    const value = source[key];
    if (value !== undefined && value !== '') return { source, value: value as NonNullable<FelixSource[K]> };
  }
  return undefined;
}

/** `FELIX_<NAME>`: Felix matches its env names case-insensitively. */
function felixEnv(container: K8sContainer, name: string): K8sEnvVar | undefined {
  const wanted = `FELIX_${name}`.toUpperCase();
  for (let i = container.env.length - 1; i >= 0; i--) if (container.env[i].name.toUpperCase() === wanted) return container.env[i];
  return undefined;
}

function calicoNodeContainer(workload: K8sWorkload): K8sContainer | undefined {
  return mainContainer(workload, (c) => c.name?.value === 'calico-node' || /(?:^|\/)calico\/node(?::|@|$)/.test(c.image?.value ?? ''));
}

/** Pools only for LoadBalancer IPs are not pod sources, and Felix leaves them out of its all-pools set. */
function isLoadBalancerOnly(pool: CalicoIPPool): boolean {
  const uses = pool.allowedUses?.value;
  return !!uses && uses.length > 0 && uses.every((u) => u === 'LoadBalancer');
}

/** `IPPool` with `natOutgoing: true` (CRD default false). */
function calicoPoolPoint(ctx: Ctx, pool: CalicoIPPool): SnatPoint | undefined {
  if (pool.natOutgoing?.value !== true || isLoadBalancerOnly(pool)) return undefined;
  const cidr = pool.cidr?.value;
  const where = `IPPool/${pool.object.name ?? '(unnamed)'}${cidr ? ` (${cidr})` : ''} natOutgoing: true`;
  const point = calicoPoint(ctx, pool.natOutgoing.property.value!, cidr, where);
  if (pool.disabled?.value === true) point.traffic += ' (the pool is disabled: only addresses already allocated from it)';
  return point;
}

/** Operator pools (`natOutgoing` defaults to Enabled for IPv4, Disabled for IPv6), and the default pool when `ipPools` is absent. */
function installationPoints(ctx: Ctx, installation: CalicoInstallation): SnatPoint[] {
  const points: SnatPoint[] = [];
  const network = installation.calicoNetwork;
  const name = installation.object.name ? `Installation/${installation.object.name}` : 'Installation';
  if (network && !getProperty(network, 'ipPools')) {
    // tigera/operator fills a nil ipPools with one 192.168.0.0/16 pool (an empty list means none).
    const node = network.property ? span(network.property.keyRange) : installation.object.node;
    points.push(calicoPoint(ctx, node, CALICO_DEFAULT_POOL, `${name}: default pool ${CALICO_DEFAULT_POOL} (ipPools unset; natOutgoing Enabled by default)`));
  }
  for (const pool of installation.ipPools) {
    const cidr = pool.cidr?.value;
    const v6 = cidr?.includes(':') ?? false;
    const nat = pool.natOutgoing?.value ?? (v6 ? 'Disabled' : 'Enabled');
    if (nat !== 'Enabled') continue;
    const how = pool.natOutgoing ? 'natOutgoing: Enabled' : 'natOutgoing unset, Enabled by default for IPv4';
    const node = pool.natOutgoing?.property.value ?? pool.cidr?.property.value ?? pool.node;
    points.push(calicoPoint(ctx, node, cidr, `${name} pool ${pool.name?.value ?? cidr ?? '(unnamed)'}: ${how}`));
  }
  if (installation.linuxDataplane?.value === 'Nftables') for (const p of points) p.backend = 'nftables';
  return points;
}

/**
 * calico-node creates the default pools when none exist (node/pkg/lifecycle/startup/startup.go):
 * IPv4 from `CALICO_IPV4POOL_CIDR` (default 192.168.0.0/16) with `CALICO_IPV4POOL_NAT_OUTGOING`
 * (default true), IPv6 from `CALICO_IPV6POOL_CIDR` with `CALICO_IPV6POOL_NAT_OUTGOING` (default
 * false); none with `NO_DEFAULT_POOLS=true`. A file that defines pools of a family gets its points
 * from them instead.
 */
function calicoNodePoints(ctx: Ctx, workload: K8sWorkload): SnatPoint[] {
  const container = calicoNodeContainer(workload);
  if (!container || goBool(envString(container, 'NO_DEFAULT_POOLS')) === true) return [];
  const file = ctx.file();
  const definedCidrs = [
    ...file.views<CalicoIPPool>('CalicoIPPool').map((p) => p.cidr?.value ?? ''),
    ...file.views<CalicoInstallation>('CalicoInstallation').flatMap((i) => i.ipPools.map((p) => p.cidr?.value ?? '')),
  ];
  const points: SnatPoint[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const v = family === 'ipv4' ? 'V4' : 'V6';
    if (definedCidrs.some((c) => c !== '' && c.includes(':') === (family === 'ipv6'))) continue;
    const natEnv = envVar(container, `CALICO_IP${v}POOL_NAT_OUTGOING`);
    const nat = goBool(natEnv?.value?.value) ?? family === 'ipv4';
    if (!nat) continue;
    const cidrEnv = envVar(container, `CALICO_IP${v}POOL_CIDR`);
    const cidr = cidrEnv?.value?.value || (family === 'ipv4' ? CALICO_DEFAULT_POOL : undefined);
    const how = natEnv?.value ? `CALICO_IP${v}POOL_NAT_OUTGOING=${natEnv.value.value}` : `CALICO_IP${v}POOL_NAT_OUTGOING unset, true by default`;
    const node = natEnv?.value?.property.value ?? cidrEnv?.value?.property.value ?? container.name?.property.value ?? container.node;
    const point = calicoPoint(ctx, node, cidr, `calico-node's default ${family === 'ipv4' ? 'IPv4' : 'IPv6'} pool${cidr ? ` ${cidr}` : ''} (${how})`);
    if (!cidrEnv?.value) {
      point.traffic += ' (the default pool is only created when no pool exists; calico-node may take the pod CIDR from kubeadm instead)';
      if (family === 'ipv4') delete point.sources;
    }
    points.push(point);
  }
  return points;
}

/**
 * natOutgoing (felix/rules/nat.go): `MASQUERADE` of traffic from the pool to destinations outside
 * every pool (ipset `all-ipam-pools`), or `SNAT --to-source` with `natOutgoingAddress`. Felix adds
 * `--random-fully` when its feature detection finds iptables >= 1.6.2 (>= 1.6.0 for SNAT) and kernel
 * >= 3.14 (felix/environment/feature_detect_linux.go), since Calico v3.3, unless
 * `featureDetectOverride` sets `MASQFullyRandom=false` (`SNATFullyRandom` for SNAT).
 */
function calicoPoint(ctx: Ctx, node: BaseNode, cidr: string | undefined, where: string): SnatPoint {
  const settings = calicoSettings(ctx);
  const address = felixSetting(settings, 'natOutgoingAddress');
  const feature = address ? 'SNATFullyRandom' : 'MASQFullyRandom';
  const target = address ? `SNAT --to-source ${address.value} (natOutgoingAddress, ${address.source.label})` : 'MASQUERADE';
  const override = felixSetting(settings, 'featureDetectOverride');
  const overrides = override ? parseFeatureOverrides(override.value.value) : {};
  const image = settings.image;
  let portSelection: PortSelection = 'fully-random';
  let reason: string;
  let fix: SourceFix | undefined;
  let advice: string | undefined;
  if (overrides[feature] === false) {
    portSelection = 'sequential';
    reason = `${where}: ${target} without --random-fully, since ${override!.source.label} sets featureDetectOverride ${feature}=false`;
    const rest = override!.value.value
      .split(',')
      .filter((part) => !new RegExp(`^\\s*${feature}\\s*=`).test(part))
      .join(',');
    fix = { description: `Remove ${feature}=false from featureDetectOverride (${override!.source.label}), so Felix detects --random-fully support` };
    // Edits of another document of the file only line up when this one is not embedded.
    if (ctx.topLevel) Object.assign(fix, replaceString(ctx, override!.value.node, rest.trim()));
  } else if (image.version && compareVersions(image.version, CALICO_MASQ_FULLY_RANDOM) < 0) {
    portSelection = 'sequential';
    reason = `${where}: calico/node ${image.text} predates Calico v3.3, whose Felix first adds --random-fully to natOutgoing's ${address ? 'SNAT' : 'MASQUERADE'}`;
    advice = 'Upgrade Calico to v3.3 or later; Felix then adds --random-fully when iptables and the kernel support it';
  } else {
    const forced = overrides[feature] === true ? `, forced on by ${override!.source.label} (${feature}=true)` : '';
    reason = `${where}: Felix adds --random-fully to ${target} when iptables >= ${address ? '1.6.0' : '1.6.2'} and kernel >= 3.14${forced}`;
  }
  const point = basePoint(ctx, node, 'calico', 'Calico', portSelection, reason, image);
  point.family = cidr ? (cidr.includes(':') ? 'ipv6' : 'ipv4') : 'unknown';
  if (cidr) point.sources = [cidr];
  const sameFamily = settings.poolCidrs.filter((c) => !cidr || c.includes(':') === cidr.includes(':'));
  const exempt = [...new Set(cidr ? [cidr, ...sameFamily] : sameFamily)];
  const exclusions = felixSetting(settings, 'natOutgoingExclusions');
  if (exclusions?.value === 'IPPoolsAndHostIPs') exempt.push('host IPs (natOutgoingExclusions: IPPoolsAndHostIPs)');
  point.exemptDestinations = exempt;
  const filter = felixSetting(settings, 'interfaceFilter');
  if (filter) point.outInterface = filter.value;
  point.traffic = `traffic from ${cidr ?? 'the pool'} to destinations outside every IP pool${filter ? ` out ${filter.value}` : ''}`;
  if (settings.nftables) point.backend = 'nftables';
  if (fix) point.fix = fix;
  if (advice) point.advice = advice;
  return point;
}

/** Felix's `featureDetectOverride`: `Name=true`, `Name=false`, `Name=` (auto), comma-separated. */
function parseFeatureOverrides(text: string): Record<string, boolean | undefined> {
  const out: Record<string, boolean | undefined> = Object.create(null);
  for (const part of text.split(',')) {
    const m = /^\s*(\w+)\s*=\s*(\w*)\s*$/.exec(part);
    if (!m) continue;
    const v = m[2].toLowerCase();
    out[m[1]] = v === 'true' ? true : v === 'false' ? false : undefined;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// flannel (flannel-io/flannel; DOMAIN.md 5.3)

/** flanneld adds `--random-fully` to its masquerade rules from v0.11.0 (Jan 2019). */
const FLANNEL_FULLY_RANDOM = [0, 11, 0];
/** `--ip-masq-fully-random-disable` exists from v0.27.4. */
const FLANNEL_DISABLE_FLAG = 'ip-masq-fully-random-disable';

/**
 * flanneld `--ip-masq` (pkg/trafficmngr/iptables, network/iptables.go in v0.11.0): MASQUERADE of
 * traffic from the flannel network to destinations outside it and outside multicast, with
 * `--random-fully` when go-iptables reports support, since v0.11.0, unless
 * `--ip-masq-fully-random-disable`. The nftables backend (net-conf.json `EnableNFTables`, since
 * v0.25.0) writes `masquerade fully-random` after a live probe.
 */
function flannelPoint(ctx: Ctx, workload: K8sWorkload): SnatPoint | undefined {
  const container = workload.containers.find((c) => {
    const flag = containerFlag(c, 'ip-masq');
    return flag !== undefined && flagBool(flag) === true;
  });
  if (!container) return undefined;
  const masq = containerFlag(container, 'ip-masq')!;
  const disable = containerFlag(container, FLANNEL_DISABLE_FLAG);
  const disabled = disable !== undefined && flagBool(disable) === true;
  const image = imageVersion(container);
  let portSelection: PortSelection;
  let reason: string;
  let node: BaseNode = flagNode(container, masq);
  let fix: SourceFix | undefined;
  let advice: string | undefined;
  if (image.version && compareVersions(image.version, FLANNEL_FULLY_RANDOM) < 0) {
    portSelection = 'sequential';
    reason = `flanneld --ip-masq: flannel ${image.text} predates v0.11.0, the first to add --random-fully`;
    node = imageNode(container);
    advice = 'Upgrade flannel to v0.11.0 or later, which adds --random-fully to its masquerade rules';
  } else if (disabled) {
    portSelection = 'sequential';
    reason = `flanneld --ip-masq with --${FLANNEL_DISABLE_FLAG}: masquerade without --random-fully`;
    if (image.version && compareVersions(image.version, [0, 27, 4]) < 0) reason += ` (a flag flannel ${image.text} does not know yet: it was added in v0.27.4)`;
    node = flagNode(container, disable!);
    fix = { description: `Remove --${FLANNEL_DISABLE_FLAG} from the ${container.name?.value ?? 'flanneld'} container`, ...removeListItem(ctx, flagNode(container, disable!)) };
  } else if (!image.version) {
    portSelection = 'unknown';
    reason = `flanneld --ip-masq: flannel adds --random-fully from v0.11.0, and the image tag${image.tag ? ` ${image.tag}` : ''} does not say the version`;
  } else {
    portSelection = 'fully-random';
    reason = `flanneld --ip-masq: flannel ${image.text} (>= v0.11.0) adds --random-fully when iptables supports it`;
  }
  const point = basePoint(ctx, node, 'flannel', 'flannel', portSelection, reason, image);
  const netConf = ctx.file().views<K8sConfigMap>('K8sConfigMap').find((m) => m.flannelNetConf)?.flannelNetConf;
  const v4 = netConf?.enableIPv4?.value !== false ? netConf?.network?.value : undefined;
  const v6 = netConf?.enableIPv6?.value === true ? netConf?.ipv6Network?.value : undefined;
  const networks = [v4, v6].filter((n): n is string => !!n);
  point.family = netConf ? (v4 && v6 ? 'both' : v6 ? 'ipv6' : 'ipv4') : 'unknown';
  if (networks.length) {
    point.sources = networks;
    point.exemptDestinations = [...networks, ...(v4 ? ['224.0.0.0/4'] : []), ...(v6 ? ['ff00::/8'] : [])];
  }
  point.traffic = `traffic from ${networks.length ? networks.join(', ') : 'the flannel network'} to destinations outside it and outside multicast`;
  if (netConf?.enableNFTables?.value === true && (!image.version || compareVersions(image.version, [0, 25, 0]) >= 0)) point.backend = 'nftables';
  if (fix) point.fix = fix;
  if (advice) point.advice = advice;
  return point;
}

// ---------------------------------------------------------------------------------------------
// ip-masq-agent (kubernetes-sigs/ip-masq-agent cmd/ip-masq-agent; DOMAIN.md 5.6)

/** `--random-fully` is emitted automatically since v2.10.0 (PR #126); the flag (default true) exists from v2.11.0. */
const IP_MASQ_AGENT_FULLY_RANDOM = [2, 10, 0];
const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** The default list with `--nomasq-all-reserved-ranges` (the agent's README). */
const ALL_RESERVED = [...RFC1918, '100.64.0.0/10', '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4'];

/**
 * `IP-MASQ-AGENT` chain (or `--masq-chain`): RETURN for each non-masquerade CIDR, then
 * `MASQUERADE` of everything else leaving the node. The config (ConfigMap `ip-masq-agent`, key
 * `config`) replaces the default list when it has `nonMasqueradeCIDRs`; link-local stays exempt
 * unless `masqLinkLocal`.
 */
function ipMasqAgentPoint(ctx: Ctx, workload: K8sWorkload): SnatPoint | undefined {
  const container = mainContainer(workload, (c) => /(?:^|\/)ip-masq-agent(?:-[a-z0-9]+)?(?::|@|$)/.test(c.image?.value ?? '') || c.name?.value === 'ip-masq-agent');
  if (!container) return undefined;
  const image = imageVersion(container);
  const flag = containerFlag(container, 'random-fully');
  const off = flag !== undefined && flagBool(flag) === false;
  let portSelection: PortSelection;
  let reason: string;
  let node: BaseNode = imageNode(container);
  let fix: SourceFix | undefined;
  let advice: string | undefined;
  if (image.version && compareVersions(image.version, IP_MASQ_AGENT_FULLY_RANDOM) < 0) {
    portSelection = 'sequential';
    reason = `ip-masq-agent ${image.text} predates v2.10.0, the first to add --random-fully to its MASQUERADE rule`;
    advice = 'Upgrade ip-masq-agent to v2.10.0 or later, which adds --random-fully by default';
  } else if (off) {
    portSelection = 'sequential';
    reason = `ip-masq-agent --random-fully=${flag!.value}: MASQUERADE without --random-fully`;
    node = flagNode(container, flag!);
    const edit: Pick<SourceFix, 'node' | 'text'> = flag!.valueRange ? { node: span(flag!.valueRange), text: 'true' } : removeListItem(ctx, flagNode(container, flag!));
    fix = { description: 'Set --random-fully=true on the ip-masq-agent container (the default)', ...edit };
  } else if (!image.version) {
    portSelection = 'unknown';
    reason = image.tag
      ? `ip-masq-agent adds --random-fully from v2.10.0, and the image tag ${image.tag} does not say the version`
      : 'ip-masq-agent adds --random-fully from v2.10.0, and the image has no tag (latest), so the version is unknown';
  } else {
    portSelection = 'fully-random';
    reason = `ip-masq-agent ${image.text} (>= v2.10.0) adds --random-fully${flag ? ` (--random-fully=${flag.value ?? 'true'})` : ''}`;
  }
  const point = basePoint(ctx, node, 'ip-masq-agent', 'ip-masq-agent', portSelection, reason, image);
  const ipv6 = (() => {
    const f = containerFlag(container, 'enable-ipv6');
    return f !== undefined && flagBool(f) === true;
  })();
  point.family = ipv6 ? 'both' : 'ipv4';
  const reserved = (() => {
    const f = containerFlag(container, 'nomasq-all-reserved-ranges');
    return f !== undefined && flagBool(f) === true;
  })();
  const config = ipMasqAgentConfigOfFile(ctx);
  const chain = containerFlag(container, 'masq-chain')?.value ?? 'IP-MASQ-AGENT';
  if (config) {
    point.exemptDestinations = nonMasqueradeList(config, reserved, ipv6);
    point.traffic = `traffic leaving the node to destinations outside ${describeList(point.exemptDestinations)} (chain ${chain})`;
  } else {
    const defaults = nonMasqueradeList(undefined, reserved, ipv6);
    point.traffic = `traffic leaving the node to destinations outside the ip-masq-agent ConfigMap's nonMasqueradeCIDRs (not in this file; without it: ${defaults.join(', ')}) (chain ${chain})`;
  }
  if (fix) point.fix = fix;
  if (advice) point.advice = advice;
  return point;
}

/** A config alone (a bare config file, or ConfigMap `ip-masq-agent` without the DaemonSet in the file). */
function ipMasqAgentConfigPoint(ctx: Ctx, config: IpMasqAgentConfig): SnatPoint | undefined {
  const file = ctx.file();
  if (file.views<K8sWorkload>('K8sWorkload').some((w) => w.cni === 'ip-masq-agent')) return undefined;
  const node = config.nonMasqueradeCIDRs?.property.value ?? config.node;
  const point = basePoint(
    ctx,
    node,
    'ip-masq-agent',
    'ip-masq-agent',
    'unknown',
    'ip-masq-agent config: the port selection depends on the agent image (--random-fully from v2.10.0), which this file does not name',
    {},
  );
  point.family = 'ipv4';
  point.exemptDestinations = nonMasqueradeList(config, false, false);
  point.traffic = `traffic leaving the node to destinations outside ${describeList(point.exemptDestinations)}`;
  return point;
}

function ipMasqAgentConfigOfFile(ctx: Ctx): IpMasqAgentConfig | undefined {
  const configs = ctx.file().ipMasqAgentConfigs;
  return configs.find((c) => c.origin?.kind === 'ConfigMap' && c.origin.name === 'ip-masq-agent')?.config ?? configs[0]?.config;
}

function nonMasqueradeList(config: IpMasqAgentConfig | undefined, reserved: boolean, ipv6: boolean): string[] {
  const list = [...(config?.nonMasqueradeCIDRs?.value ?? (reserved ? ALL_RESERVED : RFC1918))];
  if (config?.masqLinkLocal?.value !== true) list.push('169.254.0.0/16');
  if (ipv6 && config?.masqLinkLocalIPv6?.value !== true) list.push('fe80::/10');
  return list;
}

function describeList(list: string[]): string {
  return list.length ? list.join(', ') : 'nothing';
}

// ---------------------------------------------------------------------------------------------
// Cilium (cilium/cilium Documentation/network/concepts/masquerading.rst; DOMAIN.md 5.4)

/**
 * `cilium-config`: masquerading is on by default (`enable-ipv4-masquerade`; older releases
 * `masquerade`); with `enable-bpf-masquerade` off it is an iptables rule in `CILIUM_POST_nat`,
 * which gets `--random-fully` only with `iptables-random-fully: "true"` (default false).
 * Destinations inside `ipv4-native-routing-cidr` (older `native-routing-cidr`) are not masqueraded.
 * BPF masquerade uses its own port allocator, which `--random-fully` does not describe.
 */
function ciliumPoints(ctx: Ctx, config: CiliumConfig): SnatPoint[] {
  const o = config.options;
  const on = (key: string) => goBool(o[key]?.value);
  const points: SnatPoint[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const enabled = on(`enable-${family}`) ?? family === 'ipv4';
    if (!enabled) continue;
    const masqKey = o[`enable-${family}-masquerade`] ? `enable-${family}-masquerade` : 'masquerade';
    if ((on(masqKey) ?? true) === false) continue;
    const bpf = on('enable-bpf-masquerade') === true;
    const randomSetting = o['iptables-random-fully'];
    const random = goBool(randomSetting?.value) === true;
    let portSelection: PortSelection;
    let reason: string;
    let node: BaseNode;
    if (bpf) {
      portSelection = 'unknown';
      reason = 'enable-bpf-masquerade: eBPF masquerading with its own port allocator, which --random-fully does not describe';
      node = o['enable-bpf-masquerade'].property.value!;
    } else if (random) {
      portSelection = 'fully-random';
      reason = 'iptables-random-fully: "true": Cilium\'s iptables MASQUERADE has --random-fully';
      node = randomSetting!.property.value!;
    } else {
      portSelection = 'sequential';
      reason = randomSetting
        ? `iptables-random-fully: "${randomSetting.value}": Cilium's iptables MASQUERADE has no --random-fully`
        : 'iptables-random-fully unset (default false): Cilium\'s iptables MASQUERADE has no --random-fully';
      node = randomSetting?.property.value ?? o[masqKey]?.property.value ?? nameNode(config.object) ?? config.object.node;
    }
    const point = basePoint(ctx, node, 'cilium', 'Cilium', portSelection, reason, {});
    point.family = family;
    const routing = o[`${family}-native-routing-cidr`]?.value ?? (family === 'ipv4' ? o['native-routing-cidr']?.value : undefined);
    if (routing) point.exemptDestinations = [routing];
    const pool = o[`cluster-pool-${family}-cidr`]?.value?.split(/[\s,]+/).filter(Boolean);
    if (pool?.length) point.sources = pool;
    const ifaces = o['egress-masquerade-interfaces']?.value;
    if (ifaces) point.outInterface = ifaces;
    point.traffic = `pod traffic leaving the node${routing ? ` to destinations outside ${routing}` : ''}${ifaces ? ` out ${ifaces}` : ''}`;
    if (!bpf) point.backend = 'iptables';
    if (portSelection === 'sequential') {
      point.fix = {
        description: 'Set iptables-random-fully: "true" in the cilium-config ConfigMap (Helm iptablesRandomFully: true)',
        ...(randomSetting ? replaceString(ctx, randomSetting.property.value!, 'true', true) : addMapEntry(ctx, getObject(config.object.node, 'data'), 'iptables-random-fully', '"true"')),
      };
    }
    points.push(point);
  }
  return points;
}

// ---------------------------------------------------------------------------------------------
// Weave Net (weaveworks/weave net/expose.go, prog/weave-kube/launch.sh; DOMAIN.md 5.7)

const WEAVE_DEFAULT_RANGE = '10.32.0.0/12';

/** Weave writes plain `-j MASQUERADE` rules (no `--random-fully` anywhere in the tree) and has no knob for it. */
function weavePoint(ctx: Ctx, workload: K8sWorkload): SnatPoint | undefined {
  const container = mainContainer(workload, (c) => c.name?.value === 'weave' || /(?:^|\/)weave-kube(?::|@|$)/.test(c.image?.value ?? ''));
  if (!container) return undefined;
  const image = imageVersion(container);
  const point = basePoint(ctx, imageNode(container), 'weave', 'Weave Net', 'sequential', 'Weave Net masquerades with plain -j MASQUERADE (no --random-fully in any release)', image);
  point.family = 'ipv4';
  const range = envString(container, 'IPALLOC_RANGE') || WEAVE_DEFAULT_RANGE;
  point.sources = [range];
  point.exemptDestinations = [range];
  point.traffic = `traffic between ${range} and addresses outside it`;
  point.advice = 'Weave Net has no option for --random-fully (weaveworks/weave#3287, archived project): add a host rule that masquerades this traffic with --random-fully before Weave\'s, or move to a CNI that randomises';
  return point;
}

// ---------------------------------------------------------------------------------------------
// kube-proxy (kubernetes/kubernetes PR #78547; DOMAIN.md 4)

const KUBE_PROXY_FULLY_RANDOM = [1, 16, 0];
const KUBE_PROXY_RULE = 'kube-proxy >= 1.16 adds --random-fully when iptables >= 1.6.2';

interface KubeProxySettings {
  mode?: string;
  masqueradeAll?: boolean;
  masqueradeBit?: number;
  clusterCIDR?: string;
}

/**
 * `KUBE-POSTROUTING … -j MASQUERADE` of the service traffic kube-proxy marked (mark bit 14):
 * hairpin, external traffic to `externalTrafficPolicy: Cluster` services, ClusterIP traffic from
 * outside `clusterCIDR`, everything with `masqueradeAll`. nftables mode is always fully random;
 * iptables and IPVS modes add `--random-fully` from v1.16 when iptables >= 1.6.2.
 */
function kubeProxyPoint(ctx: Ctx, node: BaseNode, settings: KubeProxySettings, image: ImageVersion, where: string): SnatPoint {
  const mode = settings.mode || 'iptables';
  const modeText = settings.mode ? `mode ${settings.mode}` : 'mode unset (iptables)';
  let portSelection: PortSelection;
  let reason: string;
  let advice: string | undefined;
  if (mode === 'nftables') {
    portSelection = 'fully-random';
    reason = `${where}, mode nftables: kube-proxy always masquerades with fully-random`;
  } else if (!image.version) {
    portSelection = 'unknown';
    reason = `${where}, ${modeText}: the kube-proxy version is unknown; ${KUBE_PROXY_RULE}`;
  } else if (compareVersions(image.version, KUBE_PROXY_FULLY_RANDOM) >= 0) {
    portSelection = 'fully-random';
    reason = `${where}, ${modeText}: kube-proxy ${image.text}; ${KUBE_PROXY_RULE}`;
  } else {
    portSelection = 'sequential';
    reason = `${where}, ${modeText}: kube-proxy ${image.text} predates 1.16, the first to add --random-fully`;
    advice = 'Upgrade kube-proxy to 1.16 or later (it adds --random-fully when the node\'s iptables is >= 1.6.2)';
  }
  const point = basePoint(ctx, node, 'kube-proxy', 'kube-proxy', portSelection, reason, image);
  point.conditional = true;
  const mark = `0x${(1 << (settings.masqueradeBit ?? 14)).toString(16)}`;
  const local = settings.clusterCIDR ? `ClusterIP traffic from outside ${settings.clusterCIDR}` : 'ClusterIP traffic from non-pod sources';
  point.traffic = settings.masqueradeAll
    ? `all service traffic (masqueradeAll: true), marked with ${mark}`
    : `service traffic kube-proxy marks with ${mark}: hairpin, external traffic to externalTrafficPolicy: Cluster services, ${local}`;
  if (mode === 'nftables') point.backend = 'nftables';
  if (advice) point.advice = advice;
  return point;
}

function kubeProxyConfigPoint(ctx: Ctx, config: KubeProxyConfiguration): SnatPoint | undefined {
  const file = ctx.file();
  const kind = ctx.root.embeddedIn?.kind === 'Cluster' ? file.views<KindCluster>('KindCluster')[0] : undefined;
  let mode = config.mode?.value;
  if (!mode && kind?.kubeProxyMode) mode = kind.kubeProxyMode.value;
  if (mode === 'none') return undefined;
  const nft = mode === 'nftables';
  const bits = nft ? config.nftables : config.iptables;
  const settings: KubeProxySettings = {};
  if (mode) settings.mode = mode;
  if (bits.masqueradeAll) settings.masqueradeAll = bits.masqueradeAll.value;
  if (bits.masqueradeBit) settings.masqueradeBit = bits.masqueradeBit.value;
  if (config.clusterCIDR?.value) settings.clusterCIDR = config.clusterCIDR.value;
  const image = kind ? kindNodeVersion(kind) : kubeProxyImageOfFile(ctx);
  const node = config.mode?.property.value ?? getProperty(config.node, 'kind')?.value ?? config.node;
  const origin = ctx.root.embeddedIn;
  const where = origin ? `KubeProxyConfiguration in ${[origin.kind ?? 'object', origin.name, origin.key].filter(Boolean).join(' ')}` : 'KubeProxyConfiguration';
  return kubeProxyPoint(ctx, node, settings, image, where);
}

function isKubeProxyDaemonSet(workload: K8sWorkload): boolean {
  return workload.object.kind === 'DaemonSet' && !!kubeProxyContainer(workload);
}

function kubeProxyContainer(workload: K8sWorkload): K8sContainer | undefined {
  return mainContainer(
    workload,
    (c) =>
      /(?:^|\/)kube-proxy(?:-[a-z0-9]+)?(?::|@|$)/.test(c.image?.value ?? '') ||
      [...c.command, ...c.args].some((s) => /(?:^|\/)kube-proxy$/.test(s.value)),
  );
}

/** The DaemonSet speaks for kube-proxy only when the file has no KubeProxyConfiguration (which it would read with `--config`). */
function kubeProxyDaemonSetPoint(ctx: Ctx, workload: K8sWorkload): SnatPoint | undefined {
  if (ctx.file().views<KubeProxyConfiguration>('KubeProxyConfiguration').length > 0) return undefined;
  const container = kubeProxyContainer(workload)!;
  const modeFlag = containerFlag(container, 'proxy-mode');
  const settings: KubeProxySettings = {};
  if (modeFlag?.value) settings.mode = modeFlag.value;
  const all = containerFlag(container, 'masquerade-all');
  if (all) settings.masqueradeAll = flagBool(all) === true;
  const bit = containerFlag(container, 'iptables-masquerade-bit')?.value;
  if (bit && /^\d+$/.test(bit)) settings.masqueradeBit = Number(bit);
  const cidr = containerFlag(container, 'cluster-cidr')?.value;
  if (cidr) settings.clusterCIDR = cidr;
  const node = modeFlag ? flagNode(container, modeFlag) : imageNode(container);
  const where = containerFlag(container, 'config') && !modeFlag ? 'kube-proxy DaemonSet (mode from its --config file, not in this file)' : 'kube-proxy DaemonSet';
  return kubeProxyPoint(ctx, node, settings, imageVersion(container), where);
}

/** A kind cluster runs kube-proxy (unless `kubeProxyMode: none`); a KubeProxyConfiguration patch speaks for it when present. */
function kindClusterPoint(ctx: Ctx, cluster: KindCluster): SnatPoint | undefined {
  if (cluster.object.embedded.some((e) => e.documents.some((d) => (d.root as K8sDocument).objects?.some((o) => o.kind === 'KubeProxyConfiguration')))) return undefined;
  const mode = cluster.kubeProxyMode?.value;
  if (mode === 'none') return undefined;
  const settings: KubeProxySettings = {};
  if (mode) settings.mode = mode;
  const node = cluster.kubeProxyMode?.property.value ?? getProperty(cluster.object.node, 'kind')?.value ?? cluster.object.node;
  return kubeProxyPoint(ctx, node, settings, kindNodeVersion(cluster), 'kind Cluster');
}

/** The lowest Kubernetes version of a kind cluster's node images (`kindest/node:v1.29.2`). */
function kindNodeVersion(cluster: KindCluster): ImageVersion {
  let best: ImageVersion = {};
  for (const n of getArray(cluster.object.node, 'nodes')?.items ?? []) {
    const image = getString(n, ['image']);
    if (!image) continue;
    const v = imageVersionOf(image);
    if (v.version && (!best.version || compareVersions(v.version, best.version) < 0)) best = v;
  }
  return best;
}

/** The kube-proxy image of a DaemonSet in the file, else kubeadm's `ClusterConfiguration.kubernetesVersion` (kubeadm deploys that kube-proxy). */
function kubeProxyImageOfFile(ctx: Ctx): ImageVersion {
  const file = ctx.file();
  for (const w of file.views<K8sWorkload>('K8sWorkload')) {
    if (!isKubeProxyDaemonSet(w)) continue;
    const v = imageVersion(kubeProxyContainer(w)!);
    if (v.version) return v;
  }
  for (const object of file.objects('ClusterConfiguration')) {
    const version = getString(object, ['kubernetesVersion']);
    if (version) {
      const v = imageVersionOf(`kubeadm:${version}`);
      if (v.version) return v;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Node objects

/** The kernel of a `Node` (`status.nodeInfo.kernelVersion`), with its `osImage` for the distro guess. */
function hostFact(ctx: Ctx, node: K8sNode): HostFact | undefined {
  const setting = node.kernelVersion;
  if (!setting) return undefined;
  const release = parseKernelRelease(setting.value.trim(), node.osImage?.value ?? '');
  if (!release) return undefined;
  const fact: HostFact = {
    type: 'Host',
    document: ctx.document,
    range: setting.range,
    kernel: { raw: release.raw, major: release.major, minor: release.minor, patch: release.patch, suffix: release.suffix, ...(release.distro ? { distro: release.distro } : {}) },
  };
  if (node.object.name !== undefined) fact.nodeName = node.object.name;
  return fact;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

interface Ctx {
  document: SourceDocument;
  root: K8sDocument;
  text: string;
  syntax: 'yaml' | 'json';
  eol: string;
  /** True for a document of the file itself (not a string embedded in it): other documents' ranges line up. */
  topLevel: boolean;
  file: () => FileIndex;
  calico?: CalicoSettings;
}

function makeContext(document: SourceDocument, root: K8sDocument): Ctx {
  const text = document.source.text;
  let index: FileIndex | undefined;
  return {
    document,
    root,
    text,
    syntax: root.format,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    topLevel: !document.toOuter,
    file: () => (index ??= fileIndex(document)),
  };
}

function basePoint(ctx: Ctx, node: BaseNode, engine: SnatPoint['engine'], owner: NatOwner, portSelection: PortSelection, reason: string, image: ImageVersion): SnatPoint {
  const point: SnatPoint = {
    type: 'SnatPoint',
    document: ctx.document,
    node,
    range: node.range,
    engine,
    family: 'unknown',
    portSelection,
    portSelectionReason: reason,
    owner,
  };
  if (image.ownerVersion) point.ownerVersion = image.ownerVersion;
  return point;
}

/** The first regular (not init) container that matches. */
function mainContainer(workload: K8sWorkload, match: (c: K8sContainer) => boolean): K8sContainer | undefined {
  return workload.containers.find(match);
}

function envString(container: K8sContainer, name: string): string | undefined {
  return envVar(container, name)?.value?.value;
}

/** Go's `strconv.ParseBool` (the env and flag parsers of the Go components). */
function goBool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (/^(?:1|t|T|TRUE|true|True)$/.test(text)) return true;
  if (/^(?:0|f|F|FALSE|false|False)$/.test(text)) return false;
  return undefined;
}

/** A Go bool flag: bare `--flag` is true, `--flag=value` is parsed. */
function flagBool(flag: K8sFlag): boolean | undefined {
  return flag.value === undefined ? true : goBool(flag.value);
}

/** The argument node holding a flag. */
function flagNode(container: K8sContainer, flag: K8sFlag): BaseNode {
  const arg = [...container.command, ...container.args].find((s) => s.range[0] === flag.range[0]);
  return arg?.node ?? span(flag.range);
}

function imageNode(container: K8sContainer): BaseNode {
  return container.image?.property.value ?? container.name?.property.value ?? container.node;
}

function nameNode(object: K8sObject): JsonValue | undefined {
  return nodeAtPath(object.node, ['metadata', 'name']);
}

interface ImageVersion {
  /** The tag as written (`v0.10.0-amd64`), when the image has one. */
  tag?: string;
  /** Numeric parts of the tag's leading version. */
  version?: number[];
  /** `v0.10.0` for messages. */
  text?: string;
  /** `0.10.0` for `SnatPoint.ownerVersion`. */
  ownerVersion?: string;
}

function imageVersion(container: K8sContainer | undefined): ImageVersion {
  return imageVersionOf(container?.image?.value);
}

/** The version in an image's tag: `registry/x/flannel:v0.10.0-amd64` → 0.10.0; `latest`, `master` or a digest alone → none. */
function imageVersionOf(image: string | undefined): ImageVersion {
  if (!image) return {};
  const ref = image.split('@')[0];
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return {};
  const tag = ref.slice(colon + 1);
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?![\d])/.exec(tag);
  if (!m) return { tag };
  const parts = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const ownerVersion = parts.join('.');
  return { tag, version: parts, text: `v${ownerVersion}`, ownerVersion };
}

/** A range as a node, for edits that are not a whole model node. */
function span(range: Range): BaseNode {
  return { type: 'TextSpan', range };
}

// ---------------------------------------------------------------------------------------------
// Text edits in the document's own style (YAML block or flow, JSON)

type Edit = Pick<SourceFix, 'node' | 'text' | 'insert'>;

function isFlow(ctx: Ctx, collection: JsonObject | JsonArray): boolean {
  if (ctx.syntax === 'json') return true;
  const c = ctx.text[collection.range[0]];
  return c === '{' || c === '[';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The start of the line after the one holding `offset`, and the line break it needs first (last line). */
function afterLine(ctx: Ctx, offset: number): { at: number; lead: string } {
  const nl = ctx.text.indexOf('\n', offset);
  return nl === -1 ? { at: ctx.text.length, lead: ctx.eol } : { at: nl + 1, lead: '' };
}

/** Replaces a string value, keeping its quotes; `quoted` forces quotes (a ConfigMap value must stay a string). */
function replaceString(ctx: Ctx, node: BaseNode, value: string, quoted = false): Edit {
  const quote = ctx.text[node.range[0]];
  let text: string;
  if (ctx.syntax === 'json' || quote === '"') text = JSON.stringify(value);
  else if (quote === "'") text = `'${value.replace(/'/g, "''")}'`;
  else if (!quoted && /^[A-Za-z][\w./-]*$/.test(value) && !/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(value)) text = value;
  else text = JSON.stringify(value);
  return { node, text };
}

/** Adds `key: value` (value already in source syntax) after the last entry of a mapping. */
function addMapEntry(ctx: Ctx, object: JsonObject | undefined, key: string, value: string): Edit {
  if (!object || object.properties.length === 0) return {};
  const last = object.properties[object.properties.length - 1];
  if (isFlow(ctx, object)) return { node: span([last.range[1], last.range[1]]), text: `, ${JSON.stringify(key)}: ${value}`, insert: true };
  const indent = ' '.repeat(column(ctx.text, object.properties[0].keyRange[0]));
  const { at, lead } = afterLine(ctx, last.range[1]);
  return { node: span([at, at]), text: `${lead}${indent}${key}: ${value}${lead ? '' : ctx.eol}`, insert: true };
}

/**
 * Sets env `name` to `value` on a container: the value replaced when the entry has one, a `value`
 * added to an entry without, a new entry after the last one, or a new `env` list.
 */
function setEnvEdit(ctx: Ctx, container: K8sContainer, env: K8sEnvVar | undefined, name: string, value: string): Edit {
  if (env?.value) return replaceString(ctx, env.value.property.value!, value);
  if (env) return addMapEntry(ctx, env.node, 'value', JSON.stringify(value));
  const list = getProperty(container.node, 'env')?.value;
  const entry = `{"name": ${JSON.stringify(name)}, "value": ${JSON.stringify(value)}}`;
  if (list?.type === 'JsonArray' && list.items.length > 0) {
    const last = list.items[list.items.length - 1];
    if (isFlow(ctx, list)) {
      const multiline = ctx.text.slice(list.range[0], list.items[0].range[0]).includes('\n');
      const sep = multiline ? `,${ctx.eol}${' '.repeat(column(ctx.text, last.range[0]))}` : ', ';
      return { node: span([last.range[1], last.range[1]]), text: `${sep}${entry}`, insert: true };
    }
    // `- name: X` / `  value: Y` at the columns of the last entry's dash and keys.
    const dash = column(ctx.text, list.range[0]);
    const key = Math.max(column(ctx.text, last.range[0]), dash + 2);
    const { at, lead } = afterLine(ctx, last.range[1]);
    const lines = `${' '.repeat(dash)}-${' '.repeat(key - dash - 1)}name: ${name}${ctx.eol}${' '.repeat(key)}value: ${JSON.stringify(value)}`;
    return { node: span([at, at]), text: `${lead}${lines}${lead ? '' : ctx.eol}`, insert: true };
  }
  // `env:` written with no list (null) or something else: nothing precise to do.
  if (list) return {};
  if (isFlow(ctx, container.node)) return addMapEntry(ctx, container.node, 'env', `[${entry}]`);
  const props = container.node.properties;
  if (props.length === 0) return {};
  const indent = ' '.repeat(column(ctx.text, props[0].keyRange[0]));
  const { at, lead } = afterLine(ctx, props[props.length - 1].range[1]);
  const block = [`${indent}env:`, `${indent}- name: ${name}`, `${indent}  value: ${JSON.stringify(value)}`].join(ctx.eol);
  return { node: span([at, at]), text: `${lead}${block}${lead ? '' : ctx.eol}`, insert: true };
}

/** Removes an item of a list (an argument): its line in a block list, the item and a comma in a flow list. */
function removeListItem(ctx: Ctx, node: BaseNode): Edit {
  const item = node as JsonValue;
  const list = item.parent;
  if (!list || list.type !== 'JsonArray') return {};
  const index = list.items.indexOf(item);
  if (index < 0) return {};
  if (isFlow(ctx, list)) {
    if (list.items.length === 1) return { node: span(item.range), text: '' };
    const range: Range = index > 0 ? [list.items[index - 1].range[1], item.range[1]] : [item.range[0], list.items[1].range[0]];
    return { node: span(range), text: '' };
  }
  const start = lineStart(ctx.text, item.range[0]);
  if (!/^[ \t]*-[ \t]*$/.test(ctx.text.slice(start, item.range[0]))) return {};
  const { at } = afterLine(ctx, item.range[1]);
  const rest = ctx.text.slice(item.range[1], at);
  if (!/^[ \t]*(?:#.*)?\r?\n?$/.test(rest)) return {};
  return { node: span([start, at]), text: '' };
}

// ---------------------------------------------------------------------------------------------
// The other documents of the file

interface FileIndex {
  views<T extends K8sView>(type: T['type']): T[];
  /** Objects of a kind without a view (`ClusterConfiguration`). */
  objects(kind: string): K8sObject[];
  /** ip-masq-agent configs: bare files, and the `config` of ConfigMaps, with where they came from. */
  ipMasqAgentConfigs: { config: IpMasqAgentConfig; origin?: K8sDocument['embeddedIn'] }[];
  /** A range of a node of `object` (a top-level object of the index) as a range of the file. */
  fileRange(object: K8sObject, range: Range): Range;
}

/** Kinds whose objects another document's facts may need. */
const INDEXED_KINDS = new Set(['DaemonSet', 'ConfigMap', 'IPPool', 'FelixConfiguration', 'Installation', 'KubeProxyConfiguration', 'Cluster', 'ClusterConfiguration']);
const IP_MASQ_AGENT_KEY = /^(?:nonMasqueradeCIDRs|masqLinkLocal|masqLinkLocalIPv6|cidrLimit|resyncInterval)\s*:/m;

const FILE_INDEX = Symbol('netlint.fileIndex');

/**
 * Every indexed object of the file `document` belongs to (the outer file of an embedded
 * document), parsed once per file. Only the YAML documents that may hold one are parsed, each on
 * its own, so a 700 KB Calico manifest of CRDs costs the parse of two small documents.
 */
function fileIndex(document: SourceDocument): FileIndex {
  const outer = document.outerSource ?? document.source;
  return memo(outer, FILE_INDEX, () => buildFileIndex(document, outer));
}

function buildFileIndex(document: SourceDocument, outer: SourceText): FileIndex {
  const byType = new Map<string, K8sView[]>();
  const byKind = new Map<string, K8sObject[]>();
  const offsets = new Map<K8sObject, number>();
  const ipMasqAgentConfigs: FileIndex['ipMasqAgentConfigs'] = [];
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const chunk of relevantChunks(outer.text)) {
    for (const doc of parseKubernetes(new SourceText(chunk.text), document.filePath).documents) {
      if (doc.kind !== 'kubernetes') continue;
      const root = doc.root as K8sDocument;
      for (const object of root.objects) {
        if (!root.embeddedIn) offsets.set(object, chunk.offset);
        push(byKind, object.kind, object);
        for (const view of object.views) push(byType, view.type, view);
      }
      if (root.ipMasqAgentConfig) ipMasqAgentConfigs.push(root.embeddedIn ? { config: root.ipMasqAgentConfig, origin: root.embeddedIn } : { config: root.ipMasqAgentConfig });
    }
  }
  return {
    views: <T extends K8sView>(type: T['type']) => [...((byType.get(type) ?? []) as T[])],
    objects: (kind) => [...(byKind.get(kind) ?? [])],
    ipMasqAgentConfigs,
    fileRange: (object, range) => {
      const offset = offsets.get(object) ?? 0;
      return [range[0] + offset, range[1] + offset];
    },
  };
}

/**
 * The YAML documents of the text that may hold an indexed object, with their offsets. A
 * document marker at column 0 ends a document even inside a block scalar, so splitting at `---`
 * lines is exact; JSON, and streams with `...` or directives, stay whole.
 */
function relevantChunks(text: string): { offset: number; text: string }[] {
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0];
  if (first === '{' || first === '[' || /^(?:\.\.\.|%)/m.test(text)) return [{ offset: 0, text }];
  const starts = [0];
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  for (let m = marker.exec(text); m; m = marker.exec(text)) if (m.index > 0) starts.push(m.index);
  const chunks: { offset: number; text: string }[] = [];
  for (let i = 0; i < starts.length; i++) {
    const part = text.slice(starts[i], starts[i + 1] ?? text.length);
    if (isRelevant(part)) chunks.push({ offset: starts[i], text: part });
  }
  return chunks;
}

function isRelevant(part: string): boolean {
  const kind = /^["']?kind["']?[ \t]*:[ \t]*["']?([A-Za-z0-9]+)/m.exec(part)?.[1];
  // Kind-less at column 0: an ip-masq-agent config, or a document the sniff cannot read (a flow
  // mapping, a top-level list of objects) unless it is plainly block keys without a kind.
  if (kind === undefined) return IP_MASQ_AGENT_KEY.test(part) || !/^["']?[\w.-]+["']?[ \t]*:/m.test(part);
  return INDEXED_KINDS.has(kind) || /List$/.test(kind);
}
