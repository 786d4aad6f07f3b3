import { defineRule } from '../../src/engine/define-rule.js';
import type { FixDescriptor } from '../../src/engine/types.js';
import { insertBefore, replaceNode } from '../../src/fixes/edits.js';
import type { DockerDaemonConfig } from '../../src/model/docker.js';
import type { TextEdit } from '../../src/model/finding.js';
import { dockerIpv6Nat } from '../../src/model/extract/docker.js';
import { AddressSet } from '../../src/net/range-set.js';
import type { JsonProperty, JsonSetting } from '../../src/parsers/json/index.js';

/** Unique local IPv6 addresses (RFC 4193): not routed on the internet. */
const ULA = AddressSet.fromCidrs(['fc00::/7']);

/**
 * Reports `daemon.json` files that enable IPv6 on the default bridge without IPv6 NAT
 * (DOMAIN.md 6, via `dockerIpv6Nat`): `ip6tables: false`, `iptables: false` or `ip-masq: false`
 * make Docker route container IPv6 unNATed; without an `ip6tables` key it depends on the Docker
 * version (default true since 27.0, commit 07ccaf02; false and experimental in 20.10–26.x; absent
 * before 20.10), reported as a warning. Also reports `gateway_mode_ipv6: routed` in
 * `default-network-opts.bridge`, which makes every user-defined IPv6 network routed (27.1+).
 *
 * Routed containers keep their own IPv6 addresses: they are reachable from the network (with
 * `ip6tables: false` Docker writes no IPv6 filter rules either), and their traffic takes the
 * non-NAT path that exposes them to the veth checksum bug on kernels before 4.4 (moby/moby#18776).
 */
export const rule = defineRule({
  meta: {
    id: 'docker-ipv6-routed',
    inputs: ['docker-daemon'],
    category: 'security',
    description: 'Require IPv6 NAT (ip6tables) when daemon.json enables IPv6, so containers are not reached by routed IPv6.',
    messages: {
      routed:
        'Missing IPv6 NAT on the default bridge ("{{key}}": false with "ipv6": true){{why}}: containers are reached by routed IPv6 at their own addresses{{subnet}}, directly from the network, and their traffic takes the non-NAT path exposed to the veth checksum bug on kernels before 4.4{{ula}}.',
      dependsOnVersion:
        'Missing "ip6tables" with "ipv6": true: IPv6 NAT depends on the Docker version. Since 27.0 ip6tables defaults to true; on 20.10–26.x it defaults to false (and before 20.10 it did not exist), and containers are then reached by routed IPv6 at their own addresses{{subnet}}, directly from the network and without IPv6 filter rules from Docker, and their traffic takes the non-NAT path exposed to the veth checksum bug on kernels before 4.4{{ula}}.',
      userNetworksRouted:
        'Missing IPv6 NAT for user-defined bridge networks: gateway_mode_ipv6 "routed" in default-network-opts makes every network created with IPv6 reachable by routed IPv6 at the containers\' own addresses, and puts its traffic on the non-NAT path exposed to the veth checksum bug on kernels before 4.4.',
      setIp6tables: 'Set "ip6tables": true (Docker 27.0 and later).',
      setIp6tablesExperimental: 'Set "ip6tables": true and "experimental": true (Docker 20.10–26.x refuse ip6tables without experimental).',
    },
    fix: 'suggestion',
    recommended: 'error',
    defaultOptions: {},
  },
  create(context) {
    const text = context.source.text;
    const eol = text.includes('\r\n') ? '\r\n' : '\n';

    return {
      DockerDaemonConfig(config: DockerDaemonConfig) {
        if (config.node.type !== 'JsonObject') return;
        const mode = config.bridgeGatewayModeIpv6;
        if (mode?.value === 'routed') {
          context.report({ node: { range: mode.range }, path: mode.property.path, messageId: 'userNetworksRouted' });
        }
        const ipv6 = config.ipv6;
        if (ipv6?.value !== true) return;
        const nat = dockerIpv6Nat(config, 'default-bridge');
        if (nat === 'nat') return;
        const subnetValue = config.fixedCidrV6?.value || config.bip6?.value;
        const subnet = subnetValue ? ` (${subnetValue})` : '';
        const range = subnetValue ? AddressSet.parse([subnetValue]).set : AddressSet.empty();
        const isUla = !range.isEmpty() && range.subtract(ULA).isEmpty();
        const ula = isUla ? `. ${subnetValue} is a unique local prefix: without NAT these containers cannot reach the IPv6 internet` : '';
        if (nat === 'depends-on-version') {
          context.report({
            node: { range: ipv6.property.range },
            path: ipv6.property.path,
            messageId: 'dependsOnVersion',
            data: { subnet, ula },
            severity: 'warn',
            suggest: suggestions(config, ipv6.property, undefined),
          });
          return;
        }
        // Routed: the first setting that turns NAT off, in dockerIpv6Nat's order.
        const cause = [
          ['iptables', config.iptables, '; Docker writes no iptables or ip6tables rules at all'],
          ['ip6tables', config.ip6tables, '; Docker writes no IPv6 filter rules'],
          ['ip-masq', config.ipMasq, ''],
        ].find(([, setting]) => (setting as JsonSetting<boolean> | undefined)?.value === false) as
          | [string, JsonSetting<boolean>, string]
          | undefined;
        if (!cause) return;
        const [key, setting, why] = cause;
        context.report({
          node: { range: setting.range },
          path: setting.property.path,
          messageId: 'routed',
          data: { key, subnet, why, ula },
          // Only ip6tables is this rule's to fix: iptables/ip-masq off is a wider decision.
          ...(key === 'ip6tables' ? { suggest: suggestions(config, ipv6.property, setting) } : {}),
        });
      },
    };

    /** `"ip6tables": true`, then the same with `"experimental": true` unless it is already on. */
    function suggestions(config: DockerDaemonConfig, ipv6: JsonProperty, ip6tables: JsonSetting<boolean> | undefined): FixDescriptor[] {
      const out: FixDescriptor[] = [
        { messageId: 'setIp6tables', edits: () => [ip6tables ? replaceNode(ip6tables, 'true') : insertKeys(ipv6, ['"ip6tables": true'])] },
      ];
      if (config.experimental?.value === true) return out;
      out.push({
        messageId: 'setIp6tablesExperimental',
        edits: () => {
          const edits: TextEdit[] = [];
          const keys: string[] = [];
          if (ip6tables) edits.push(replaceNode(ip6tables, 'true'));
          else keys.push('"ip6tables": true');
          if (config.experimental) edits.push(replaceNode(config.experimental, 'true'));
          else keys.push('"experimental": true');
          if (keys.length) edits.push(insertKeys(ipv6, keys));
          return edits;
        },
      });
      return out;
    }

    /** Inserts `"key": value` members before `before`, one per line like it (or inline when it shares its line). */
    function insertKeys(before: JsonProperty, members: string[]): TextEdit {
      const start = before.keyRange[0];
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const lead = text.slice(lineStart, start);
      const separator = /^[ \t]*$/.test(lead) ? `${eol}${lead}` : ' ';
      return insertBefore({ range: before.keyRange }, members.map((m) => `${m},${separator}`).join(''));
    }
  },
});
