import { defineRule } from '../../src/engine/define-rule.js';
import type { HostFact, InterfaceFact } from '../../src/model/facts.js';

/**
 * The newest kernel Calico treats as broken: Felix sets `ChecksumOffloadBroken` when the kernel is
 * 5.7.0 or older (`kerV.Compare(v5Dot7Dot0) <= 0`, felix/environment/feature_detect_linux.go) and
 * then turns tx checksum offload off on its VXLAN and IPIP devices (projectcalico/calico#3145).
 */
const LAST_BROKEN: readonly [number, number, number] = [5, 7, 0];

const TUNNEL_KINDS: Partial<Record<InterfaceFact['deviceType'], string>> = { vxlan: 'VXLAN', ipip: 'IPIP' };

/**
 * Requires tx checksum offload off on VXLAN and IPIP tunnel devices on kernels up to 5.7.0, where
 * SNATed packets leave the tunnel with bad checksums. A tx-side tunnel bug, distinct from the veth
 * rx bug of `veth-rx-offload-on` (DOMAIN.md 1.2, 5.2).
 */
export const rule = defineRule({
  meta: {
    id: 'vxlan-tx-checksum-offload-old-kernel',
    inputs: ['ethtool-features'],
    category: 'correctness',
    description:
      'Require tx checksum offload off on VXLAN and IPIP tunnel devices (vxlan.calico, flannel.1, tunl0) on kernels up to 5.7, where SNATed packets leave the tunnel with bad checksums.',
    messages: {
      broken:
        'Expected tx-checksumming off on {{kind}} tunnel {{device}}: kernel {{kernel}} is 5.7.0 or older, where packets whose source port SNAT rewrote (MASQUERADE --random-fully, as for a node reaching a Service through the tunnel) leave the tunnel with bad checksums and are dropped, so such connections stall for about a minute (projectcalico/calico#3145). {{remedy}} This is the tunnel tx-offload bug, not the veth rx-offload bug fixed in 4.4.',
      unknownKernel:
        'Unknown kernel: {{kind}} tunnel {{device}} has tx-checksumming on, which on kernels up to 5.7.0 sends packets whose source port SNAT rewrote out with bad checksums (projectcalico/calico#3145); add uname -r output to this node\'s evidence to tell. {{remedy}}',
    },
    recommended: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  create(context) {
    let host: HostFact | null | undefined;
    return {
      Interface(device: InterfaceFact) {
        const kind = TUNNEL_KINDS[device.deviceType];
        const tx = device.txChecksum;
        if (!kind || !tx?.on) return;
        host ??= context.scopeFacts.find((f): f is HostFact => f.type === 'Host') ?? null;
        const remedy = tx.fixed
          ? 'ethtool cannot turn it off ([fixed]): upgrade the kernel to 5.8 or later.'
          : `Run "ethtool -K ${device.name} tx off" on the node (durably: a udev rule or a node agent), or upgrade the kernel to 5.8 or later; Calico Felix v3.20 and later (v3.19.2 by backport) does this itself for its own tunnel devices unless featureDetectOverride sets ChecksumOffloadBroken=false.`;
        if (!host) {
          context.report({
            node: { range: tx.range },
            messageId: 'unknownKernel',
            data: { kind, device: device.name, remedy },
            severity: 'warn',
          });
          return;
        }
        const { major, minor, patch, raw } = host.kernel;
        if (compare([major, minor, patch], LAST_BROKEN) > 0) return;
        context.report({
          node: { range: tx.range },
          messageId: 'broken',
          data: { kind, device: device.name, kernel: raw, remedy },
          related: [{ node: host, document: host.document, message: `The node's kernel, ${raw}: 5.7.0 or older.` }],
        });
      },
    };
  },
});

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
