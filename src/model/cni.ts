import type { JsonObject, JsonPlaceholder, JsonProperty, JsonSetting, JsonValue } from '../parsers/json/index.js';
import type { BaseNode } from './node.js';

export type { JsonSetting };

/** The IPAM section of a plugin: the type and the address ranges it allocates from. */
export interface CniIpam {
  /** `host-local`, `static`, `dhcp`, `calico-ipam`...; absent for `"ipam": {}` (L2 only). */
  ipamType?: JsonSetting<string>;
  /** Subnets it allocates from: host-local `subnet` and every `ranges[][].subnet`, static `addresses[].address`. */
  subnets: JsonSetting<string>[];
  /** `routes[].dst`. */
  routeDestinations: JsonSetting<string>[];
  node: JsonObject;
}

/** One tuning-plugin sysctl. */
export interface CniSysctl {
  key: string;
  value: string;
  property: JsonProperty;
}

/**
 * One plugin configuration: an entry of `plugins`, the whole of a single-plugin `.conf`, or a
 * delegate (flannel's and mesos-cni-port-mapper's `delegate`). `type` is the model tag; the CNI
 * plugin type is `pluginType`. Settings are present only when written with the JSON type the
 * plugin decodes (a wrong type is a `cni-schema` finding, and the plugin would fail to load).
 * Defaults (containernetworking/plugins v1.x) are in each field's comment.
 */
export interface CniPlugin extends BaseNode {
  type: 'CniPlugin';
  /** The plugin binary (`bridge`, `portmap`, `calico`...); `''` when missing. */
  pluginType: string;
  /** The `type` setting; absent when missing or implied (flannel's delegate defaults to bridge). */
  typeSetting?: JsonSetting<string>;
  /** True when `pluginType` was implied, not written (flannel delegate without `type`). */
  impliedType: boolean;
  /** The plugin's JSON object; `range` equals its range. */
  node: JsonObject;
  /** Position in `plugins` (0 for a `.conf`; the parent's index for a delegate). */
  index: number;
  /** The plugin this one is the `delegate` of. */
  parent?: CniPlugin;
  /** Plugins this one delegates to (flannel, mesos-cni-port-mapper). */
  delegates: CniPlugin[];
  name?: JsonSetting<string>;
  /** `capabilities` with boolean values (`portMappings`, `bandwidth`, `ips`, `mac`...). */
  capabilities: Record<string, boolean>;
  ipam?: CniIpam;
  /** bridge, ptp: MASQUERADE from the container IP (default false; never `--random-fully`). */
  ipMasq?: JsonSetting<boolean>;
  /** bridge, ptp: `iptables` or `nftables` (default: iptables unless absent). Since plugins v1.6.0. */
  ipMasqBackend?: JsonSetting<string>;
  /** portmap: masquerade hairpin/localhost hostPort traffic (default true). */
  snat?: JsonSetting<boolean>;
  /** portmap: masquerade every source of hostPort traffic (default false). Since v1.2.0. */
  masqAll?: JsonSetting<boolean>;
  /** portmap: fwmark bit for masquerade (default 13, 0x2000). */
  markMasqBit?: JsonSetting<number>;
  /** portmap: reuse this chain to mark for masquerade (e.g. KUBE-MARK-MASQ). */
  externalSetMarkChain?: JsonSetting<string>;
  /** portmap (`backend`), firewall (`backend`). */
  backend?: JsonSetting<string>;
  conditionsV4?: JsonSetting<string[]>;
  conditionsV6?: JsonSetting<string[]>;
  /** bridge: device name (default `cni0`). */
  bridge?: JsonSetting<string>;
  isGateway?: JsonSetting<boolean>;
  isDefaultGateway?: JsonSetting<boolean>;
  hairpinMode?: JsonSetting<boolean>;
  /** macvlan, ipvlan: host interface. */
  master?: JsonSetting<string>;
  /** macvlan (`bridge`), ipvlan (`l2`). */
  mode?: JsonSetting<string>;
  mtu?: JsonSetting<number>;
  /** tuning: sysctls written inside the container netns. */
  sysctls: CniSysctl[];
}

/** A CNI network configuration: a `.conflist`, or a `.conf` read as a one-plugin list. */
export interface CniConfig extends BaseNode {
  type: 'CniConfig';
  name?: JsonSetting<string>;
  cniVersion?: JsonSetting<string>;
  /** CNI 1.1 `cniVersions`. */
  cniVersions?: JsonSetting<string[]>;
  /** The plugin chain in order. A `.conf` gives one plugin; delegates hang off their plugin. */
  plugins: CniPlugin[];
  /** True for a `.conflist` (a `plugins` key, or a `.conflist` name without `type`). */
  isList: boolean;
  /** libcni reads `disableCheck`/`disableGC` as booleans or "true"/"false" strings. */
  disableCheck?: boolean;
  disableGC?: boolean;
  /** True for install templates (`*.template`), whose `__NAME__` tokens are rendered at install. */
  isTemplate: boolean;
  /** Install-template tokens in the text. */
  placeholders: JsonPlaceholder[];
  /** The document's JSON value (an object unless the file is broken). */
  node: JsonValue;
}

/** flanneld's `net-conf.json` (flannel-io/flannel pkg/subnet/config.go), read by flanneld, not libcni. */
export interface FlannelNetConfig extends BaseNode {
  type: 'FlannelNetConfig';
  network?: JsonSetting<string>;
  ipv6Network?: JsonSetting<string>;
  enableIPv4?: JsonSetting<boolean>;
  enableIPv6?: JsonSetting<boolean>;
  /** nftables traffic manager (since v0.25.0): `masquerade fully-random` after a probe. */
  enableNFTables?: JsonSetting<boolean>;
  /** `Backend.Type`: vxlan, host-gw, wireguard, udp... */
  backendType?: JsonSetting<string>;
  node: JsonValue;
}

/** Every plugin of a config, delegates included, in text order. */
export function allCniPlugins(config: CniConfig): CniPlugin[] {
  const out: CniPlugin[] = [];
  const add = (p: CniPlugin) => {
    out.push(p);
    p.delegates.forEach(add);
  };
  config.plugins.forEach(add);
  return out;
}
