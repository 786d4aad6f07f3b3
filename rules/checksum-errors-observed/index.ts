import { defineRule } from '../../src/engine/define-rule.js';
import type { RelatedDescriptor } from '../../src/engine/types.js';
import { counterToBigInt, type SnmpCounter, type SnmpCounters } from '../../src/model/evidence.js';
import { containerPath } from '../../src/model/container-path.js';
import type { HostFact, InterfaceFact } from '../../src/model/facts.js';
import { vethChecksumFix, type VethFixStatus } from '../../src/model/veth-fix.js';

/** Checksum error counters and the counter of what they are a share of (DOMAIN.md 8.3). */
const COUNTERS: { key: string; total: string; unit: string }[] = [
  { key: 'Tcp.InCsumErrors', total: 'Tcp.InSegs', unit: 'TCP segments' },
  { key: 'Udp.InCsumErrors', total: 'Udp.InDatagrams', unit: 'UDP datagrams' },
  // /proc/net/snmp6 (and nstat's Udp6InCsumErrors); TCP over IPv6 counts in Tcp.* already.
  { key: 'Udp6.InCsumErrors', total: 'Udp6.InDatagrams', unit: 'UDP/IPv6 datagrams' },
];

/** At most this many veth devices become related locations. */
const MAX_RELATED = 5;

/**
 * Reports TCP and UDP checksum errors counted by the stack. On a node that also shows the veth
 * checksum bug's preconditions (a veth with rx offload on and a kernel without ce8c839b74e3), it
 * says where corrupt packets are counted and where they are not: the bug marks packets forwarded
 * into containers as verified, so their counters stay at zero (DOMAIN.md 1.2, 8.3).
 */
export const rule = defineRule({
  meta: {
    id: 'checksum-errors-observed',
    inputs: ['snmp-counters'],
    category: 'correctness',
    description: 'Report TCP and UDP checksum errors (InCsumErrors) in network counters: something between the senders and this node corrupts packets.',
    messages: {
      observed:
        'Expected {{counter}} to be 0, found {{value}}{{share}} {{period}}: the network namespace these counters were read in received {{unit}} with bad checksums and dropped them, so something between the senders and this node corrupts packets (a NIC or its offload, a tunnel, a middlebox, or a sender\'s broken checksum offload).',
      observedVeth:
        'Expected {{counter}} to be 0, found {{value}}{{share}} {{period}}: corrupt {{unit}} reach this node, and veth {{device}}{{more}} has rx-checksumming on while {{kernel}}. Only packets this namespace itself receives are counted here; corrupt packets forwarded into a container through such a veth are marked as already verified, so the container\'s own InCsumErrors stays at 0 and its application gets the corrupt data. Turn rx checksum offload off on the container veths (see veth-rx-offload-on) or upgrade the kernel.',
    },
    // Counters are since boot: a past incident keeps them above zero.
    recommended: 'warn',
    schema: {
      type: 'object',
      properties: {
        minErrors: {
          type: 'integer',
          minimum: 1,
          description:
            'Smallest InCsumErrors value that is reported. Raise it on Internet-facing nodes, where a trickle of corrupt segments since boot is normal.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { minErrors: 1 },
  },
  create(context, { minErrors }) {
    const threshold = BigInt(minErrors);
    /** Veths with rx offload on, on a kernel not known to carry the veth fix; null: none. */
    let exposure: { host: HostFact; fix: VethFixStatus; veths: InterfaceFact[] } | null | undefined;
    const vethExposure = () => {
      if (exposure !== undefined) return exposure;
      exposure = null;
      const host = context.scopeFacts.find((f): f is HostFact => f.type === 'Host');
      // Old-kernel evidence needs a kernel: without one, rx-checksumming on says nothing.
      if (!host) return exposure;
      const fix = vethChecksumFix(host.kernel);
      if (fix.status === 'fixed') return exposure;
      const veths = context.scopeFacts.filter(
        (f): f is InterfaceFact => f.type === 'Interface' && f.deviceType === 'veth' && f.rxChecksum?.on === true,
      );
      if (!veths.length) return exposure;
      // Docker's NATed IPv4 bridge verifies checksums on the way in (moby#18776): not exposed.
      if (containerPath(context.scope.documents).kind === 'nat-only') return exposure;
      exposure = { host, fix, veths };
      return exposure;
    };

    return {
      SnmpCounters(doc: SnmpCounters) {
        for (const { key, total, unit } of COUNTERS) {
          const counter: SnmpCounter | undefined = doc.counters[key];
          if (!counter || counterToBigInt(counter.value) < threshold) continue;
          const of = doc.counters[total];
          const data = {
            counter: key,
            value: String(counter.value),
            share: of && counterToBigInt(of.value) > 0n ? ` (of ${String(of.value)} ${unit} received)` : '',
            period: doc.format === 'nstat' ? 'since boot or since the previous nstat run (nstat prints increments unless run with -a)' : 'since boot',
            unit,
          };
          const exposed = vethExposure();
          if (!exposed) {
            context.report({ node: counter, messageId: 'observed', data });
            continue;
          }
          const { host, fix, veths } = exposed;
          const related: RelatedDescriptor[] = veths.slice(0, MAX_RELATED).map((v) => ({
            node: { range: v.rxChecksum!.range },
            document: v.document,
            message: `veth ${v.name} has rx checksum offload on: packets it passes into the container are marked as having a verified checksum.`,
          }));
          related.push({ node: host, document: host.document, message: `The kernel: ${fix.reason}.` });
          const rest = veths.length - 1;
          context.report({
            node: counter,
            messageId: 'observedVeth',
            data: { ...data, device: veths[0].name, more: rest > 0 ? ` (and ${rest} more)` : '', kernel: fix.reason },
            related,
          });
        }
      },
    };
  },
});
