import { defineRule } from '../../src/engine/define-rule.js';
import type { DockerDaemonConfig } from '../../src/model/docker.js';
import type { Range } from '../../src/model/source.js';
import { parseCidr } from '../../src/net/cidr.js';
import { AddressSet, describeAddressSet } from '../../src/net/range-set.js';
import { getProperty, type JsonObject, type JsonSetting } from '../../src/parsers/json/index.js';

/** The default bridge's subnet when nothing decides it: the first local default pool. */
const DEFAULT_BRIDGE = '172.17.0.0/16';

/**
 * moby's local-scope default address pools (libnetwork/ipamutils/utils.go
 * `localScopeDefaultNetworks`): 172.17.0.0/16 to 172.31.0.0/16 split into /16s, and
 * 192.168.0.0/16 split into /20s. Used when `default-address-pools` is unset or empty.
 */
const DEFAULT_POOLS = ['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16', '172.20.0.0/14', '172.24.0.0/14', '172.28.0.0/14', '192.168.0.0/16'];
const DEFAULT_POOLS_TEXT = '172.17.0.0/16 to 172.31.0.0/16 and 192.168.0.0/16';

/**
 * Reports Docker bridge subnets in `daemon.json` that overlap `settings.internalNetworks`: `bip`,
 * `bip6`, `fixed-cidr`, `fixed-cidr-v6` and each `default-address-pools[].base` (an error), and
 * Docker's built-in defaults when those keys are unset (a warning at the file's `{`, since Docker
 * skips a default that overlaps one of the host's on-link routes or nameservers, moby
 * `netutils.InferReservedNetworks`, but not networks it reaches through a gateway). A bridge
 * subnet gets a connected route on the host, which wins over the route to the VPC, so the host
 * and its containers lose the internal addresses inside it. Without internal networks: silent.
 */
export const rule = defineRule({
  meta: {
    id: 'docker-bridge-overlaps-internal',
    inputs: ['docker-daemon'],
    category: 'reliability',
    description: 'Disallow Docker bridge subnets and address pools (configured or default) that overlap the internal networks in settings.internalNetworks.',
    messages: {
      bridgeOverlap:
        'Disallowed "{{key}}" {{cidr}}: it overlaps internal network {{internal}}, so the host routes {{overlap}} to the Docker bridge and neither the host nor its containers can reach those internal addresses.',
      poolOverlap:
        'Disallowed address pool {{cidr}}: it overlaps internal network {{internal}}, so a network Docker allocates from it (a docker compose project, docker network create) makes the host route {{overlap}} to a bridge, and neither the host nor its containers can reach those internal addresses.',
      defaultBridge:
        'Missing "bip": the default bridge takes Docker\'s default subnet {{cidr}}, which overlaps internal network {{internal}} (Docker skips it only when a host on-link route or nameserver is inside it), so the host would route {{overlap}} to docker0.',
      defaultPools:
        'Missing "default-address-pools": Docker\'s default pools ({{pools}}) overlap internal network {{internal}}, so networks Docker creates (docker compose projects, docker network create) can take {{overlap}} (Docker skips only subnets holding a host on-link route or nameserver), and the host would route it to a bridge.',
    },
    recommended: 'error',
    defaultOptions: {},
  },
  create(context) {
    const networks = (context.settings.internalNetworks ?? []).filter((n): n is string => typeof n === 'string');
    const internal = AddressSet.parse(networks).set;
    // Nothing to compare against: which private ranges are internal is the user's knowledge.
    if (internal.isEmpty()) return {};

    /** The internal networks (as configured) that meet `set`. */
    const meeting = (set: AddressSet) => networks.filter((n) => AddressSet.parse([n]).set.overlaps(set)).join(', ');

    return {
      DockerDaemonConfig(config: DockerDaemonConfig) {
        if (config.node.type !== 'JsonObject') return;
        const root = config.node;
        const checkSubnet = (key: string, setting: JsonSetting<string> | undefined) => {
          const set = subnetOf(setting);
          if (!set) return false;
          const overlap = set.intersect(internal);
          if (!overlap.isEmpty()) {
            context.report({
              node: { range: setting!.range },
              path: setting!.property.path,
              messageId: 'bridgeOverlap',
              data: { key, cidr: setting!.value, internal: meeting(overlap), overlap: describeAddressSet(overlap, 4) },
            });
          }
          return true;
        };
        // The bridge's route is bip's network; fixed-cidr only narrows the addresses inside it.
        if (!checkSubnet('bip', config.bip)) checkSubnet('fixed-cidr', config.fixedCidr);
        if (!checkSubnet('bip6', config.bip6)) checkSubnet('fixed-cidr-v6', config.fixedCidrV6);

        for (const pool of config.defaultAddressPools) {
          const set = subnetOf(pool.base);
          const overlap = set?.intersect(internal);
          if (!overlap || overlap.isEmpty()) continue;
          context.report({
            node: { range: pool.base!.range },
            path: pool.base!.property.path,
            messageId: 'poolOverlap',
            data: { cidr: pool.base!.value, internal: meeting(overlap), overlap: describeAddressSet(overlap, 4) },
          });
        }

        const bridge = stringValue(root, 'bridge');
        const usesDefaultPools = config.defaultAddressPools.length === 0;
        // docker0 takes the first default pool unless bip/fixed-cidr/the pools decide, or another bridge is used.
        const defaultBridge = !config.bip?.value && !config.fixedCidr?.value && usesDefaultPools && !bridge;
        const at = { range: [root.range[0], root.range[0] + 1] as Range };
        if (defaultBridge) {
          const overlap = AddressSet.fromCidrs([DEFAULT_BRIDGE]).intersect(internal);
          if (!overlap.isEmpty()) {
            context.report({
              node: at,
              messageId: 'defaultBridge',
              data: { cidr: DEFAULT_BRIDGE, internal: meeting(overlap), overlap: describeAddressSet(overlap, 4) },
              severity: 'warn',
            });
          }
        }
        if (usesDefaultPools) {
          let pools = AddressSet.fromCidrs(DEFAULT_POOLS);
          if (defaultBridge) pools = pools.subtract(AddressSet.fromCidrs([DEFAULT_BRIDGE]));
          const overlap = pools.intersect(internal);
          if (!overlap.isEmpty()) {
            context.report({
              node: at,
              messageId: 'defaultPools',
              data: { pools: DEFAULT_POOLS_TEXT, internal: meeting(overlap), overlap: describeAddressSet(overlap, 4) },
              severity: 'warn',
            });
          }
        }
      },
    };
  },
});

/** The network of a `10.200.0.1/24`-style setting (host bits cleared, as dockerd reads it). */
function subnetOf(setting: JsonSetting<string> | undefined): AddressSet | undefined {
  const value = setting?.value;
  if (!value || !value.includes('/')) return undefined;
  const range = parseCidr(value);
  return range ? AddressSet.fromRange(range) : undefined;
}

function stringValue(object: JsonObject, key: string): string {
  const node = getProperty(object, key)?.value;
  return node?.type === 'JsonLiteral' && typeof node.value === 'string' ? node.value : '';
}
