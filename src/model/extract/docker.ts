import { formatAddress, maskOfPrefix, parseMaskedAddress } from '../../net/cidr.js';
import { getObject, getProperty, type JsonObject } from '../../parsers/json/tree.js';
import type { DockerDaemonConfig } from '../docker.js';
import type { SourceDocument } from '../document.js';
import type { Fact, SnatPoint } from '../facts.js';
import type { BaseNode } from '../node.js';
import type { Range } from '../source.js';

/**
 * moby never adds `--random-fully` or nft `fully-random` (no occurrence in the tree at b985e231;
 * DOMAIN.md 6), and daemon.json has no key for it.
 */
const REASON = 'Docker never adds --random-fully (no occurrence in moby)';
const ADVICE =
  'No daemon.json option adds --random-fully: add a host rule that masquerades the bridge subnet with --random-fully ahead of Docker\'s in nat POSTROUTING (Docker may reorder it on restart)';

/** The default bridge's subnet when nothing else decides it (moby's first local-scope default pool). */
const DEFAULT_BRIDGE_SUBNET = '172.17.0.0/16';

/** How a network's IPv6 traffic leaves the host: masqueraded, routed without NAT, or unknown without the Docker version. */
export type DockerIpv6Nat = 'nat' | 'routed' | 'depends-on-version';

/**
 * Whether Docker NATs IPv6 container traffic (DOMAIN.md 6), for the default bridge (`ipv6`,
 * `ip-masq`) or for user-defined bridge networks (which read `default-network-opts.bridge` at
 * creation; the default bridge does not: moby `daemon.createNetwork` applies them,
 * `initBridgeDriver` does not).
 *
 * - `iptables: false`: Docker writes no NAT rules, and dockerd turns `ip-masq` off → `routed`.
 * - `ip6tables: false` → `routed`.
 * - Default bridge with `ip-masq: false` (`enable_ip_masquerade` covers both families) → `routed`.
 * - User networks with gateway mode `routed` or `enable_ip_masquerade: "false"` in
 *   `default-network-opts.bridge` → `routed` (gateway modes since 27.1).
 * - `ip6tables: true` → `nat`. With `experimental: true` on every version that knows the key
 *   (20.10+); without it, 20.10–26.x refuse to start ("ip6tables rules are only available if
 *   experimental features are enabled", daemon_unix.go `verifyDaemonSettings`), so a running
 *   daemon is ≥ 27.0 and NATs.
 * - `ip6tables` absent: true since 27.0 (commit 07ccaf02), false in 20.10–26.x whatever
 *   `experimental` says, unknown before 20.10 → `depends-on-version` (daemon.json does not say
 *   the version).
 */
export function dockerIpv6Nat(config: DockerDaemonConfig, network: 'default-bridge' | 'user-defined' = 'default-bridge'): DockerIpv6Nat {
  if (config.iptables?.value === false) return 'routed';
  if (config.ip6tables?.value === false) return 'routed';
  if (network === 'default-bridge') {
    if (config.ipMasq?.value === false) return 'routed';
  } else {
    if (config.bridgeGatewayModeIpv6?.value === 'routed') return 'routed';
    if (bridgeOption(config, 'com.docker.network.bridge.enable_ip_masquerade') === 'false') return 'routed';
  }
  if (config.ip6tables?.value === true) return 'nat';
  return 'depends-on-version';
}

/**
 * `SnatPoint`s of the default bridge (moby `initBridgeDriver`; rule shape
 * `-A POSTROUTING -s <subnet> ! -o docker0 -j MASQUERADE`): IPv4 unless `iptables` or `ip-masq`
 * is false (both default true) or `bridge` is `none`; IPv6 too when `ipv6: true` and
 * `dockerIpv6Nat` says `nat` (only with `ip6tables: true` written: an absent key depends on the
 * Docker version, see `dockerIpv6Nat`). User-defined networks are not in daemon.json.
 */
export function extractDockerFacts(document: SourceDocument): Fact[] {
  const config = document.root as DockerDaemonConfig;
  const object = config.node.type === 'JsonObject' ? config.node : undefined;
  if (!object) return [];
  if (config.iptables?.value === false || config.ipMasq?.value === false) return [];
  const bridgeName = stringKey(object, 'bridge');
  if (bridgeName === 'none') return [];
  const device = bridgeName || 'docker0';
  const backend = config.firewallBackend?.value === 'nftables' ? 'nftables' : undefined;

  const facts: Fact[] = [];
  const v4 = point(document, config.ipMasq?.property.value ?? object, config.ipMasq ? undefined : firstLine(document, object));
  v4.family = 'ipv4';
  const subnet = ipv4Subnet(config, bridgeName !== '');
  if (subnet.cidr) v4.sources = [subnet.cidr];
  v4.outInterface = `!${device}`;
  v4.traffic = `traffic from ${subnet.cidr ?? `the addresses of ${device}`}${subnet.note ? ` (${subnet.note})` : ''} not out ${device}`;
  if (backend) v4.backend = backend;
  facts.push(v4);

  if (config.ipv6?.value === true && dockerIpv6Nat(config, 'default-bridge') === 'nat') {
    const v6 = point(document, config.ip6tables?.property.value ?? object, config.ip6tables ? undefined : firstLine(document, object));
    v6.family = 'ipv6';
    const cidr = config.bip6 ? networkOf(config.bip6.value) : config.fixedCidrV6 ? networkOf(config.fixedCidrV6.value) : undefined;
    if (cidr) v6.sources = [cidr];
    v6.outInterface = `!${device}`;
    v6.traffic = `traffic from ${cidr ?? `the IPv6 addresses of ${device}`} not out ${device}`;
    if (backend) v6.backend = backend;
    facts.push(v6);
  }
  return facts;
}

function point(document: SourceDocument, node: BaseNode, range: Range | undefined): SnatPoint {
  return {
    type: 'SnatPoint',
    document,
    node,
    range: range ?? node.range,
    engine: 'docker',
    family: 'ipv4',
    portSelection: 'sequential',
    portSelectionReason: REASON,
    owner: 'Docker',
    advice: ADVICE,
  };
}

/** The root object's first line (`{` for a usual file): a stable place for facts of defaults. */
function firstLine(document: SourceDocument, object: JsonObject): Range {
  const start = object.range[0];
  const line = document.source.positionAt(start).line;
  const end = Math.min(document.source.lineRange(line)[1], object.range[1]);
  return [start, Math.max(start + 1, end)];
}

/**
 * The default bridge's IPv4 subnet as moby `initBridgeDriver` picks it: the network of `bip`;
 * else (an existing bridge interface keeps its address, which the file cannot show) `fixed-cidr`;
 * else the first subnet of `default-address-pools`; else 172.17.0.0/16.
 */
function ipv4Subnet(config: DockerDaemonConfig, customBridge: boolean): { cidr?: string; note?: string } {
  if (config.bip?.value) return { cidr: networkOf(config.bip.value) ?? config.bip.value };
  if (config.fixedCidr?.value) return { cidr: networkOf(config.fixedCidr.value) ?? config.fixedCidr.value };
  if (customBridge) return {};
  for (const pool of config.defaultAddressPools) {
    const base = pool.base?.value;
    if (!base || base.includes(':')) continue;
    const size = pool.size?.value;
    const prefix = Number(base.split('/')[1]);
    const cidr = networkOf(size !== undefined && size >= prefix ? `${base.split('/')[0]}/${size}` : base, prefix);
    if (cidr) return { cidr, note: 'the first default-address-pools subnet, unless docker0 already has an address' };
  }
  return { cidr: DEFAULT_BRIDGE_SUBNET, note: "Docker's default, unless docker0 already has an address" };
}

/**
 * `10.100.0.1/16` → `10.100.0.0/16` (also IPv6), as dockerd's `net.ParseCIDR` reads it. With
 * `poolPrefix`, the first `/prefix` subnet of the pool `address/poolPrefix`. Undefined when the
 * text is not a CIDR.
 */
function networkOf(cidr: string, poolPrefix?: number): string | undefined {
  const masked = parseMaskedAddress(cidr);
  if (!masked || masked.prefix === undefined || !cidr.includes('/')) return undefined;
  const prefix = masked.prefix;
  const clear = maskOfPrefix(masked.family, Math.min(prefix, poolPrefix ?? prefix));
  return `${formatAddress(masked.family, masked.address & clear)}/${prefix}`;
}

function stringKey(object: JsonObject, key: string): string {
  const node = getProperty(object, key)?.value;
  return node?.type === 'JsonLiteral' && typeof node.value === 'string' ? node.value : '';
}

/** A string value of `default-network-opts.bridge`. */
function bridgeOption(config: DockerDaemonConfig, key: string): string | undefined {
  const object = config.node.type === 'JsonObject' ? config.node : undefined;
  const node = getProperty(getObject(getObject(object, 'default-network-opts'), 'bridge'), key)?.value;
  return node?.type === 'JsonLiteral' && typeof node.value === 'string' ? node.value : undefined;
}
