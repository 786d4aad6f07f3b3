import { defineRule } from '../../src/engine/define-rule.js';
import type { SnatPoint, SysctlFact } from '../../src/model/facts.js';
import type { IptablesRule, IptablesTable } from '../../src/model/iptables.js';
import type { NftNat, NftRule } from '../../src/model/nft.js';
import type { Token } from '../../src/model/node.js';
import { natOwnerOf } from '../../src/model/owners.js';
import { rulesWithTarget } from '../../src/parsers/iptables/select.js';

/**
 * Default threshold, in ports. A SNAT picks one address per (source, destination) pair
 * (`find_best_ips_proto` in nf_nat_core.c hashes both), so connections from one pod to one
 * `ip:port` share the rule's port range alone, however many addresses it has. 16384 is a quarter
 * of the kernel's own range for unprivileged source ports (1024-65535, 64512 ports) and below the
 * kernel's default `ip_local_port_range` (32768-60999, 28232 ports), so stock settings pass; at the
 * 120 s conntrack TIME_WAIT timeout it still sustains ~136 new connections per second to one
 * destination. Narrower ranges, such as Calico `natPortRange` or ip-masq-agent `--to-ports` values
 * of a few thousand ports, are reported.
 */
const DEFAULT_MIN_PORTS = 16384;

/** The iptables targets that translate source ports. */
const SNAT_TARGETS = ['MASQUERADE', 'SNAT'];

/** Where the durable fix lives, by the component that wrote the rule (DOMAIN.md 5.2, 5.6). */
const OWNER_ADVICE: Record<string, string> = {
  Calico: 'Calico writes it from natPortRange in FelixConfiguration (FELIX_NATPORTRANGE): widen it, or set 0 for the kernel default.',
  'ip-masq-agent': 'ip-masq-agent writes it from its --to-ports flag: widen it, or drop the flag for the kernel default.',
};
const DEFAULT_ADVICE = 'Widen it where the rule is written, or drop the range for the kernel default (1024-65535 for unprivileged source ports).';

/**
 * Requires SNAT/MASQUERADE port ranges and `net.ipv4.ip_local_port_range` to hold at least
 * `minPorts` ports, and says which of the two a finding is about: `ip_local_port_range` governs
 * a namespace's own ephemeral ports, never the ports SNAT rewrites to (DOMAIN.md 1.1, 2.3).
 */
export const rule = defineRule({
  meta: {
    id: 'snat-port-range-narrow',
    inputs: ['iptables', 'nft', 'sysctl'],
    category: 'reliability',
    description:
      'Require SNAT/MASQUERADE port ranges (--to-ports, --to-source ip:ports, nft to :ports) and net.ipv4.ip_local_port_range to hold enough ports.',
    messages: {
      narrowSnat:
        'Expected the port range {{range}} of {{target}} in chain {{chain}} to hold at least {{minPorts}} ports, found {{count}}: connections from one source to one destination address and port through this SNAT share these {{count}} source ports (a closed TCP connection can hold its port for the 120 s conntrack TIME_WAIT timeout), so they run out sooner and clash more often. {{advice}}',
      narrowLocal:
        'Expected net.ipv4.ip_local_port_range {{range}} to hold at least {{minPorts}} ports, found {{count}}: programs in this network namespace take their ephemeral ports from it, so they can hold at most {{count}} connections to one destination address and port at a time. This setting does not limit SNAT: the source ports MASQUERADE/SNAT give to containers\' connections come from the rule\'s --to-ports/--to-source range (without one, 1024-65535 for unprivileged source ports).',
    },
    recommended: 'warn',
    schema: {
      type: 'object',
      properties: {
        minPorts: {
          type: 'integer',
          minimum: 1,
          maximum: 65535,
          description:
            'Smallest number of ports a SNAT/MASQUERADE port range or net.ipv4.ip_local_port_range may hold (default 16384, a quarter of 1024-65535).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { minPorts: DEFAULT_MIN_PORTS },
  },
  create(context, { minPorts }) {
    const snat = (token: Token, ports: string, target: string, chain: string, advice: string) => {
      const count = portCount(ports);
      if (count === undefined || count >= minPorts) return;
      context.report({
        node: token,
        messageId: 'narrowSnat',
        data: { range: ports, target, chain, minPorts, count, advice },
      });
    };

    const iptablesRule = (r: IptablesRule) => {
      const target = r.target!;
      const owner = natOwnerOf(r);
      const advice = (owner && OWNER_ADVICE[owner]) || DEFAULT_ADVICE;
      const flag = target.name === 'MASQUERADE' ? 'to-ports' : 'to-source';
      // Old iptables accepted several --to-source options (kernels before 2.6.11): check each.
      for (const option of target.options) {
        if (option.name !== flag || option.negated) continue;
        const token = option.values[0];
        if (!token) continue;
        const ports = flag === 'to-ports' ? token.value : portsOfSnatSource(token.value);
        if (ports !== undefined) snat(token, ports, target.name, r.chain, advice);
      }
    };

    return {
      // A table's NAT rules, found by their target's name alone, rather than an IptablesRule
      // handler: the walk then skips rules (a dispatch per rule of a 110,000-rule dump cost more
      // than this rule's check), and only NAT rules' objects and targets are built.
      IptablesTable(table: IptablesTable) {
        for (const r of rulesWithTarget(table, SNAT_TARGETS)) iptablesRule(r);
      },
      // nft statements through their SnatPoint facts, which carry the owner (table and chain names).
      SnatPoint(point: SnatPoint) {
        if (point.engine !== 'nft') return;
        const r = point.node as NftRule;
        const nat = r.statements.find((s): s is NftNat => s.type === 'NftNat' && s.range[0] === point.range[0]);
        if (!nat?.to?.port) return;
        const advice = (point.owner && OWNER_ADVICE[point.owner]) || DEFAULT_ADVICE;
        snat(nat.to.port, nat.to.port.value, `nft ${nat.kind}`, r.chain, advice);
      },
      SysctlValue(fact: SysctlFact) {
        if (fact.key !== 'net.ipv4.ip_local_port_range') return;
        const m = /^(\d+)\s+(\d+)$/.exec(fact.value);
        if (!m) return;
        const low = Number(m[1]);
        const high = Number(m[2]);
        // The kernel rejects low > high (EINVAL), so such a line never takes effect.
        if (low > high) return;
        const count = high - low + 1;
        if (count >= minPorts) return;
        context.report({
          node: fact,
          messageId: 'narrowLocal',
          data: { range: `${low}-${high}`, minPorts, count },
        });
      },
    };
  },
});

/** Ports in `1024-2047` or `5000`; undefined when it is not a literal range. */
function portCount(ports: string): number | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(ports);
  if (!m) return undefined;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  if (high < low || high > 65535) return undefined;
  return high - low + 1;
}

/**
 * The port part of `--to-source`: `1.2.3.4:1024-2047`, `1.2.3.4-1.2.3.9:1024`, `[fec0::1]:80-90`
 * (IPv6 needs brackets to carry ports, libxt_NAT.c); undefined when there is none.
 */
function portsOfSnatSource(value: string): string | undefined {
  if (value.startsWith('[')) {
    const close = value.lastIndexOf(']');
    return close !== -1 && value[close + 1] === ':' ? value.slice(close + 2) : undefined;
  }
  const colon = value.indexOf(':');
  if (colon === -1 || value.indexOf(':', colon + 1) !== -1) return undefined;
  return value.slice(colon + 1);
}
