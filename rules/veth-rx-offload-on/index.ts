import { defineRule } from '../../src/engine/define-rule.js';
import { containerPath, type ContainerPath } from '../../src/model/container-path.js';
import type { HostFact, InterfaceFact } from '../../src/model/facts.js';
import { vethChecksumFix } from '../../src/model/veth-fix.js';

export const rule = defineRule({
  meta: {
    id: 'veth-rx-offload-on',
    inputs: ['ethtool-features'],
    category: 'correctness',
    description:
      'Disallow rx checksum offload on veth devices of routed or bridged containers on kernels without the veth checksum fix (ce8c839b74e3, Linux 4.4).',
    messages: {
      exposed:
        'Expected rx-checksumming off on veth {{device}}: {{kernel}}, and {{path}}, so packets with bad TCP checksums reach the container as good. Run "ethtool -K {{device}} rx off", or upgrade to a kernel with the fix.',
      exposedFixed:
        'Unsafe rx-checksumming on veth {{device}}, marked [fixed] so ethtool cannot turn it off: {{kernel}}, and {{path}}, so packets with bad TCP checksums reach the container as good. Upgrade to a kernel with the fix.',
    },
    recommended: 'error',
    schema: {
      type: 'object',
      properties: {
        vethNames: {
          type: 'array',
          items: { type: 'string' },
          description:
            'Regular expressions of extra device names to treat as veth (container-side names such as `eth0` when the evidence was taken inside the container).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { vethNames: [] as string[] },
  },
  create(context, { vethNames }) {
    const extra = vethNames.map((p) => new RegExp(p));
    let path: ContainerPath | undefined;
    let host: HostFact | null | undefined;
    return {
      Interface(device: InterfaceFact) {
        const isVeth = device.deviceType === 'veth' || extra.some((re) => re.test(device.name));
        if (!isVeth || !device.rxChecksum?.on) return;
        host ??= (context.scopeFacts.find((f) => f.type === 'Host') as HostFact | undefined) ?? null;
        const fix = vethChecksumFix(host?.kernel);
        if (fix.status === 'fixed') return;
        path ??= containerPath(context.scope.documents);
        // Docker's default IPv4 bridge NATs: the stack verifies checksums there (moby#18776).
        if (path.kind === 'nat-only') return;
        const sure = fix.status === 'affected' && path.kind === 'routed';
        context.report({
          node: { range: device.rxChecksum.range },
          messageId: device.rxChecksum.fixed ? 'exposedFixed' : 'exposed',
          data: {
            device: device.name,
            kernel: fix.reason,
            path: path.kind === 'routed' ? path.reason : `the container path is unknown (${path.reason})`,
          },
          severity: sure ? undefined : 'warn',
        });
      },
    };
  },
});
