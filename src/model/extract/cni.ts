import { getProperty, type JsonObject, type JsonProperty, type JsonValue } from '../../parsers/json/tree.js';
import { allCniPlugins, type CniConfig, type CniPlugin, type FlannelNetConfig } from '../cni.js';
import type { SourceDocument } from '../document.js';
import type { Fact, SnatPoint } from '../facts.js';
import type { BaseNode } from '../node.js';
import type { NatOwner } from '../owners.js';

/**
 * Where the reference plugins' SNAT comes from (containernetworking/plugins @ 3d27709f, DOMAIN.md
 * 5.1): `pkg/ip/ipmasq_iptables_linux.go` / `ipmasq_nftables_linux.go` for bridge and ptp
 * `ipMasq`, `plugins/meta/portmap/portmap_iptables.go` (chain `CNI-HOSTPORT-MASQ`) for portmap
 * `snat`. None of them ever adds `--random-fully` or nft `fully-random`, and none has an option
 * to, so these facts carry `advice` instead of a `fix`.
 */
const REFERENCE_ADVICE =
  'The reference CNI plugins never randomise SNAT source ports and have no option for it: add a host rule that masquerades this traffic with --random-fully (nft fully-random) before theirs, or use a plugin that randomises';

/** Multicast is never masqueraded by the ipmasq code (`! -d 224.0.0.0/4`; `ff00::/8` for IPv6). */
const MULTICAST = { ipv4: '224.0.0.0/4', ipv6: 'ff00::/8' } as const;

/** Plugins that run the reference ipmasq code for `ipMasq: true`. */
const IPMASQ_PLUGINS: Record<string, 'cni-bridge' | 'cni-ptp'> = { bridge: 'cni-bridge', ptp: 'cni-ptp' };

/** AWS VPC CNI's egress plugin (`egress-v4-cni` before v1.13, then `egress-cni`). */
const AWS_EGRESS_PLUGINS = new Set(['egress-cni', 'egress-v4-cni']);

/** An install-template token (`__RANDOMIZESNAT__`), quoted or not, whether or not the parser marked it. */
const PLACEHOLDER = /^__[A-Za-z0-9_]+__$/;

/**
 * One `SnatPoint` per plugin that masquerades (DOMAIN.md 5.1, 5.3, 5.5): bridge/ptp with
 * `ipMasq: true` (also as a flannel or mesos-cni-port-mapper delegate), a flannel plugin whose
 * delegate leaves `ipMasq` to flanneld, portmap with `snat` true or absent, and AWS VPC CNI's
 * egress plugin. flanneld's `net-conf.json` states no SNAT of its own (flanneld's `--ip-masq` is a
 * command-line flag), so it gives no facts.
 */
export function extractCniFacts(document: SourceDocument): Fact[] {
  const root = document.root as CniConfig | FlannelNetConfig;
  if (root.type !== 'CniConfig') return [];
  const facts: Fact[] = [];
  for (const plugin of allCniPlugins(root)) {
    const point = pointOf(document, plugin);
    if (point) facts.push(point);
  }
  return facts;
}

function pointOf(document: SourceDocument, plugin: CniPlugin): SnatPoint | undefined {
  const engine = IPMASQ_PLUGINS[plugin.pluginType];
  if (engine) return ipMasqPoint(document, plugin, engine);
  if (plugin.pluginType === 'flannel' && plugin.delegates.length === 0 && plugin.typeSetting) {
    // No `delegate` at all: flannel builds one itself, a bridge with ipMasq = !FLANNEL_IPMASQ.
    return flannelDefaultPoint(document, plugin, plugin.node, 'bridge');
  }
  if (plugin.pluginType === 'portmap') return portmapPoint(document, plugin);
  if (AWS_EGRESS_PLUGINS.has(plugin.pluginType)) return awsEgressPoint(document, plugin);
  return undefined;
}

/** bridge / ptp `ipMasq`: `POSTROUTING -s <container IP> -j CNI-<hash>`; `-d <subnet> ACCEPT`; `! -d 224.0.0.0/4 MASQUERADE`. */
function ipMasqPoint(document: SourceDocument, plugin: CniPlugin, engine: 'cni-bridge' | 'cni-ptp'): SnatPoint | undefined {
  const setting = booleanSetting(plugin.node, 'ipMasq');
  const underFlannel = plugin.parent?.pluginType === 'flannel';
  if (setting.state === 'absent' && underFlannel) return flannelDefaultPoint(document, plugin, plugin.node, plugin.pluginType);
  if (setting.state === 'false' || setting.state === 'absent' || setting.state === 'invalid') return undefined;

  const backend = plugin.ipMasqBackend?.value;
  const file = backend === 'nftables' ? 'pkg/ip/ipmasq_nftables_linux.go' : 'pkg/ip/ipmasq_iptables_linux.go';
  const flag = backend === 'nftables' ? 'fully-random' : '--random-fully';
  let reason = `${plugin.pluginType} ipMasq: containernetworking/plugins ${file} never adds ${flag}`;
  if (setting.state === 'placeholder') reason += `; ipMasq is the install-template token ${setting.text}, so whether it masquerades is decided at install`;
  const point = base(document, setting.node ?? plugin.node, engine, underFlannel ? 'flannel' : 'CNI plugin', reason);
  Object.assign(point, addressesOf(plugin));
  point.advice = REFERENCE_ADVICE;
  if (backend) point.backend = backend;
  if (setting.state === 'placeholder') point.conditional = true;
  return point;
}

/**
 * flannel's delegate without `ipMasq`: flannel-io/cni-plugin `flannel_linux.go` sets it to
 * `!FLANNEL_IPMASQ` from `/run/flannel/subnet.env`, i.e. the bridge masquerades only when flanneld
 * runs without `--ip-masq` (the upstream kube-flannel.yml passes it, so usually it does not).
 */
function flannelDefaultPoint(document: SourceDocument, plugin: CniPlugin, node: JsonObject, delegateType: string): SnatPoint | undefined {
  const engine = IPMASQ_PLUGINS[delegateType];
  if (!engine) return undefined;
  const point = base(
    document,
    node,
    engine,
    'flannel',
    `flannel delegate: ${delegateType} ipMasq follows !FLANNEL_IPMASQ (set by flanneld --ip-masq); containernetworking/plugins pkg/ip/ipmasq_iptables_linux.go never adds --random-fully`,
  );
  // flannel writes the delegate's IPAM (host-local over FLANNEL_SUBNET / FLANNEL_IPV6_SUBNET) at run time.
  Object.assign(point, addressesOf(plugin));
  point.advice = REFERENCE_ADVICE;
  point.conditional = true;
  if (plugin.ipMasqBackend) point.backend = plugin.ipMasqBackend.value;
  return point;
}

/**
 * portmap `snat` (default true): `CNI-HOSTPORT-MASQ` masquerades traffic marked with `markMasqBit`
 * (or by `externalSetMarkChain`): hairpin and localhost-to-hostPort traffic, or every source
 * reaching a hostPort with `masqAll: true` (since v1.2.0). Always conditional: the mark and the
 * runtime's port mappings decide what it applies to.
 */
function portmapPoint(document: SourceDocument, plugin: CniPlugin): SnatPoint | undefined {
  const setting = booleanSetting(plugin.node, 'snat');
  if (setting.state === 'false' || setting.state === 'invalid') return undefined;
  const backend = plugin.backend?.value;
  const flag = backend === 'nftables' ? 'fully-random' : '--random-fully';
  const how = setting.state === 'absent' ? 'portmap snat, default true' : setting.state === 'placeholder' ? `portmap snat ${setting.text}, default true` : 'portmap snat';
  const point = base(
    document,
    setting.node ?? plugin.node,
    'cni-portmap',
    'CNI plugin',
    `${how}: the CNI-HOSTPORT-MASQ chain of containernetworking/plugins plugins/meta/portmap never adds ${flag}`,
  );
  const masqAll = plugin.masqAll?.value === true;
  const mark = plugin.externalSetMarkChain ? `marked by ${plugin.externalSetMarkChain.value}` : `marked with bit ${plugin.markMasqBit?.value ?? 13}`;
  point.traffic = masqAll
    ? `hostPort traffic from every source (masqAll), ${mark}`
    : `hairpin and localhost-to-hostPort traffic ${mark}`;
  point.family = 'both';
  point.conditional = true;
  point.advice = REFERENCE_ADVICE;
  if (backend) point.backend = backend;
  return point;
}

/**
 * AWS VPC CNI's egress plugin (cmd/egress-cni-plugin/snat/snat.go): SNAT to the node IP for the
 * pod's other-family egress interface. `randomizeSNAT` is rendered from
 * `AWS_VPC_K8S_CNI_RANDOMIZESNAT`: `none` → no flag, `hashrandom` → `--random`, anything else →
 * `--random-fully` (falling back to `--random` when iptables lacks it). `enabled` is a string.
 */
function awsEgressPoint(document: SourceDocument, plugin: CniPlugin): SnatPoint | undefined {
  const enabled = stringSetting(plugin.node, 'enabled');
  if (enabled.state === 'value' && enabled.text !== 'true') return undefined;
  const randomize = stringSetting(plugin.node, 'randomizeSNAT');
  let point: SnatPoint;
  if (randomize.state === 'placeholder') {
    point = base(document, randomize.node ?? plugin.node, 'aws-vpc-cni', 'AWS VPC CNI', `randomizeSNAT is the install-template token ${randomize.text}, rendered from AWS_VPC_K8S_CNI_RANDOMIZESNAT (default prng)`);
    point.portSelection = 'unknown';
  } else {
    const value = randomize.state === 'value' ? randomize.text : undefined;
    point = base(document, randomize.node ?? plugin.node, 'aws-vpc-cni', 'AWS VPC CNI', `randomizeSNAT=${value ?? 'prng (default)'}`);
    if (value === 'none') point.portSelection = 'sequential';
    else if (value === 'hashrandom') point.portSelection = 'hash-random';
    else {
      point.portSelection = 'fully-random';
      point.portSelectionReason += ': --random-fully, or --random when iptables lacks it';
    }
  }
  if (point.portSelection === 'sequential' || point.portSelection === 'hash-random') {
    point.fix = { description: 'Set AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng on the aws-node DaemonSet (it renders randomizeSNAT into this file)' };
  }
  const nodeIp = stringSetting(plugin.node, 'nodeIP');
  point.family = nodeIp.state === 'value' ? familyOfAddress(nodeIp.text) : 'unknown';
  const subnets = plugin.ipam?.subnets.map((s) => s.value).filter((s) => !PLACEHOLDER.test(s)) ?? [];
  if (subnets.length) point.sources = subnets;
  point.traffic = subnets.length ? `egress traffic from ${subnets.join(', ')} to the node IP` : 'pod egress traffic of the other IP family';
  if (enabled.state === 'placeholder') point.conditional = true;
  return point;
}

function base(document: SourceDocument, node: BaseNode, engine: SnatPoint['engine'], owner: NatOwner, reason: string): SnatPoint {
  return {
    type: 'SnatPoint',
    document,
    node,
    range: node.range,
    engine,
    family: 'both',
    portSelection: 'sequential',
    portSelectionReason: reason,
    owner,
  };
}

/** Sources, destinations, family and traffic of an ipMasq point from the plugin's IPAM subnets. */
function addressesOf(plugin: CniPlugin): Pick<SnatPoint, 'family' | 'sources' | 'destinations' | 'traffic'> {
  const subnets = (plugin.ipam?.subnets ?? []).map((s) => s.value).filter((s) => /^[0-9a-fA-F:.]+\/\d+$/.test(s));
  const families = new Set(subnets.map(familyOfAddress));
  const v4 = families.has('ipv4') || subnets.length === 0;
  const v6 = families.has('ipv6') || subnets.length === 0;
  const destinations = subnets.map((s) => `!${s}`);
  if (v4) destinations.push(`!${MULTICAST.ipv4}`);
  if (v6) destinations.push(`!${MULTICAST.ipv6}`);
  const out: Pick<SnatPoint, 'family' | 'sources' | 'destinations' | 'traffic'> = {
    // Without a subnet, both: bridge/ptp ipMasq masquerades IPv6 too (containernetworking/plugins#398).
    family: v4 && v6 ? 'both' : v4 ? 'ipv4' : 'ipv6',
    destinations,
  };
  if (subnets.length) {
    out.sources = subnets;
    out.traffic = `traffic from ${subnets.join(', ')} not to ${subnets.join(', ')} or multicast`;
  } else {
    out.traffic = 'traffic from the container IPs not to their own subnet or multicast';
  }
  return out;
}

function familyOfAddress(text: string): 'ipv4' | 'ipv6' | 'unknown' {
  if (text.includes(':')) return 'ipv6';
  if (/^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+)?$/.test(text)) return 'ipv4';
  return 'unknown';
}

interface BooleanSetting {
  state: 'true' | 'false' | 'absent' | 'placeholder' | 'invalid';
  /** The value node, when the key is written. */
  node?: JsonValue;
  property?: JsonProperty;
  text?: string;
}

/**
 * A boolean plugin key as the plugin would decode it. `invalid` (a string, a number) makes the
 * plugin fail to load its config, so no SNAT happens (`cni-schema` reports it).
 */
function booleanSetting(object: JsonObject, key: string): BooleanSetting {
  const property = getProperty(object, key);
  const node = property?.value;
  if (!property || !node) return { state: 'absent' };
  if (node.type === 'JsonLiteral') {
    if (node.placeholder !== undefined) return { state: 'placeholder', node, property, text: node.placeholder };
    if (typeof node.value === 'string' && PLACEHOLDER.test(node.value)) return { state: 'placeholder', node, property, text: node.value };
    if (typeof node.value === 'boolean') return { state: node.value ? 'true' : 'false', node, property };
  }
  return { state: 'invalid', node, property };
}

interface StringSetting {
  state: 'value' | 'absent' | 'placeholder' | 'invalid';
  node?: JsonValue;
  text: string;
}

function stringSetting(object: JsonObject, key: string): StringSetting {
  const node = getProperty(object, key)?.value;
  if (!node) return { state: 'absent', text: '' };
  if (node.type !== 'JsonLiteral' || node.valueType !== 'string') return { state: 'invalid', node, text: '' };
  const text = node.placeholder ?? String(node.value);
  return { state: node.placeholder !== undefined || PLACEHOLDER.test(text) ? 'placeholder' : 'value', node, text };
}
