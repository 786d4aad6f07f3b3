import type { JsonObject, JsonSetting, JsonValue } from '../parsers/json/index.js';
import type { BaseNode } from './node.js';

/** One entry of `default-address-pools`. */
export interface DockerAddressPool {
  base?: JsonSetting<string>;
  size?: JsonSetting<number>;
  node: JsonObject;
}

/**
 * `daemon.json` with a typed view of the keys that decide NAT and IPv6 (DOMAIN.md section 6;
 * moby daemon/config, docker/cli docs/reference/dockerd.md). A key is present only when written
 * with the JSON type dockerd decodes. Defaults are in each field's comment.
 */
export interface DockerDaemonConfig extends BaseNode {
  type: 'DockerDaemonConfig';
  /** `iptables` (default true): false means Docker writes no NAT rules at all. */
  iptables?: JsonSetting<boolean>;
  /** `ip6tables`: default true since 27.0; false and experimental in 20.10-26.x; absent before 20.10. */
  ip6tables?: JsonSetting<boolean>;
  /** `ipv6` (default false): IPv6 on the default bridge. */
  ipv6?: JsonSetting<boolean>;
  /** `ip-masq` (default true): MASQUERADE for the default bridge only. */
  ipMasq?: JsonSetting<boolean>;
  /** `ip-forward` (default true). */
  ipForward?: JsonSetting<boolean>;
  bip?: JsonSetting<string>;
  bip6?: JsonSetting<string>;
  fixedCidr?: JsonSetting<string>;
  fixedCidrV6?: JsonSetting<string>;
  defaultAddressPools: DockerAddressPool[];
  /** `userland-proxy` (default true). */
  userlandProxy?: JsonSetting<boolean>;
  /** `allow-direct-routing` (default false; since 28.2). */
  allowDirectRouting?: JsonSetting<boolean>;
  /** `firewall-backend`: "" / `iptables` (default) or `nftables` (since 29.0). */
  firewallBackend?: JsonSetting<string>;
  /** `experimental` (default false): needed for `ip6tables` in 20.10-26.x. */
  experimental?: JsonSetting<boolean>;
  /** `default-network-opts.bridge["com.docker.network.bridge.gateway_mode_ipv4"]`: nat (default), routed, nat-unprotected, isolated. Since 27.1. */
  bridgeGatewayModeIpv4?: JsonSetting<string>;
  /** `default-network-opts.bridge["com.docker.network.bridge.gateway_mode_ipv6"]`. */
  bridgeGatewayModeIpv6?: JsonSetting<string>;
  /** `mtu` of the default bridge. */
  mtu?: JsonSetting<number>;
  /** The document's JSON value (an object unless the file is broken). */
  node: JsonValue;
}
