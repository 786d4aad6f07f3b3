import { defineRule } from '../../src/engine/define-rule.js';
import type { FixDescriptor } from '../../src/engine/types.js';
import { insertAfter, insertBefore, replaceNode } from '../../src/fixes/edits.js';
import type { HostFact, SnatPoint } from '../../src/model/facts.js';
import type { IptablesDocument, IptablesRule, IptablesTarget } from '../../src/model/iptables.js';
import { versionAtLeast } from '../../src/model/version.js';

/**
 * iptables versions that first accept `--random-fully` (DOMAIN.md 2.1): SNAT in 1.6.0 (commit
 * 3cefc136), MASQUERADE in 1.6.2 (commit 8b0da213). Kubernetes (`RandomFullyMinVersion`) and
 * Calico Felix use the same thresholds.
 */
const MIN_IPTABLES: Record<string, string> = { MASQUERADE: '1.6.2', SNAT: '1.6.0' };

/** Kernel that first implements `NF_NAT_RANGE_PROTO_RANDOM_FULLY` for SNAT (SNAT man page; Felix). */
const MIN_KERNEL = '3.14';

/** Since 5.0 the MASQUERADE man page says `--random` behaves as `--random-fully` (iptables 5f5399f1). */
const RANDOM_EQUALS_FULLY_KERNEL = '5.0';

/** Advice per owner, for the message: where the durable fix lives (DOMAIN.md section 9). */
const OWNER_ADVICE: Record<string, string> = {
  Docker: 'Docker never adds --random-fully and has no option for it',
  'kube-proxy': 'kube-proxy adds it itself from v1.16 with iptables >= 1.6.2',
  'CNI plugin': 'the reference CNI plugins (bridge/ptp ipMasq, portmap) never add it',
  Calico: 'Felix adds it when iptables >= 1.6.2 and kernel >= 3.14 unless featureDetectOverride turns it off',
  flannel: 'flannel adds it from v0.11.0 unless --ip-masq-fully-random-disable is set',
  'AWS VPC CNI': 'set AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng on aws-node',
  'ip-masq-agent': 'ip-masq-agent adds it from v2.10.0 (flag --random-fully, default true)',
  Cilium: 'set iptables-random-fully: "true" (Helm iptablesRandomFully) in Cilium',
  'Weave Net': 'Weave Net never adds it',
  'kube-router': 'kube-router adds it when iptables supports it',
};

export const rule = defineRule({
  meta: {
    id: 'masquerade-without-random-fully',
    inputs: ['iptables', 'nft', 'cni', 'docker-daemon', 'kubernetes', 'mesos'],
    category: 'reliability',
    description:
      'Require fully random source ports (--random-fully, nft fully-random) on every SNAT and MASQUERADE, so concurrent connections do not race for the same port.',
    messages: {
      missing:
        'Missing --random-fully on {{target}} in chain {{chain}} ({{owner}}), applied to {{traffic}}: concurrent connections can be given the same source port and dropped ({{advice}}).',
      onlyRandom:
        'Expected --random-fully on {{target}} in chain {{chain}} ({{owner}}), applied to {{traffic}}: --random alone still starts every connection to the same destination at the same port offset on kernels before 5.0{{kernelNote}}.',
      nftMissing:
        'Missing fully-random on nft {{statement}} in chain {{chain}} ({{owner}}): concurrent connections can be given the same source port and dropped ({{advice}}).',
      nftOnlyRandom:
        'Expected fully-random on nft {{statement}} in chain {{chain}} ({{owner}}): random alone starts connections to one destination at the same offset on kernels before 5.0{{kernelNote}}.',
      sourceMissing:
        'Missing fully random source ports for SNAT by {{owner}} ({{reason}}): concurrent connections can be given the same source port and dropped. {{advice}}.',
      addFlag: 'Add --random-fully.',
      addFlagOldIptables:
        'Add --random-fully (needs iptables >= {{minimum}}; this dump was written by iptables {{version}}, which rejects the flag: upgrade iptables first).',
      addFlagOldKernel: 'Add --random-fully (needs kernel >= 3.14; this node runs {{kernel}}: upgrade the kernel first).',
      nftAddFlag: 'Use fully-random.',
      setSource: '{{fix}}.',
    },
    fix: 'safe',
    recommended: 'error',
    schema: {
      type: 'object',
      properties: {
        ignoreChains: { type: 'array', items: { type: 'string' }, description: 'iptables or nft chains whose NAT rules are not checked.' },
        allowRandom: {
          type: 'boolean',
          description: 'Accept --random (nft random) without --random-fully on MASQUERADE on every kernel (identical since kernel 5.0, per the iptables MASQUERADE man page).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { ignoreChains: [] as string[], allowRandom: false },
  },
  create(context, { ignoreChains, allowRandom }) {
    let host: HostFact | null | undefined;
    /** The scope's kernel, from `uname`/`/proc/version` or a Node object (first one wins). */
    const kernel = () => {
      if (host === undefined) host = (context.scopeFacts.find((f) => f.type === 'Host') as HostFact | undefined) ?? null;
      return host ?? undefined;
    };
    const kernelAtLeast = (v: string) => {
      const k = kernel()?.kernel;
      return k ? versionAtLeast([k.major, k.minor, k.patch], v) : undefined;
    };
    const kernelNote = () => {
      const k = kernel();
      return k ? ` (this node runs ${k.kernel.raw})` : '';
    };

    const iptables = (point: SnatPoint) => {
      const node = point.node as IptablesRule;
      const target = node.target!;
      if (ignoreChains.includes(node.chain)) return;
      const random = point.portSelection === 'random';
      // --random equals --random-fully on MASQUERADE from kernel 5.0 (MASQUERADE man page); SNAT has no such note.
      if (random && target.name === 'MASQUERADE' && (allowRandom || kernelAtLeast(RANDOM_EQUALS_FULLY_KERNEL))) return;
      const owner = point.owner;
      const version = (point.document.root as IptablesDocument).generator?.version;
      const minimum = MIN_IPTABLES[target.name];
      const iptablesOk = version === undefined || versionAtLeast(version, minimum);
      const kernelOk = kernelAtLeast(MIN_KERNEL) !== false;
      const fix: FixDescriptor = {
        messageId: !iptablesOk ? 'addFlagOldIptables' : !kernelOk ? 'addFlagOldKernel' : 'addFlag',
        data: { minimum, version, kernel: kernel()?.kernel.raw },
        edits: () => [flagEdit(target)],
      };
      context.report({
        node: target,
        document: point.document,
        messageId: random ? 'onlyRandom' : 'missing',
        data: {
          target: target.name,
          chain: node.chain,
          owner: owner ?? 'owner unknown',
          traffic: point.traffic ?? 'all traffic reaching it',
          advice: owner ? OWNER_ADVICE[owner] : 'add it where the rule is written',
          kernelNote: kernelNote(),
        },
        severity: random ? 'warn' : undefined,
        ...(iptablesOk && kernelOk ? { fix } : { suggest: [fix] }),
      });
    };

    const nft = (point: SnatPoint) => {
      const chain = (point.node as { chain?: string }).chain ?? '';
      if (ignoreChains.includes(chain)) return;
      const random = point.portSelection === 'random';
      if (random && point.portSelectionReason.startsWith('masquerade') && (allowRandom || kernelAtLeast(RANDOM_EQUALS_FULLY_KERNEL))) return;
      const fix = sourceFix(point, 'nftAddFlag');
      context.report({
        node: point,
        document: point.document,
        messageId: random ? 'nftOnlyRandom' : 'nftMissing',
        data: {
          statement: point.portSelectionReason.split(' ')[0] || 'masquerade',
          chain,
          owner: point.owner ?? 'owner unknown',
          advice: point.owner ? (OWNER_ADVICE[point.owner] ?? point.advice ?? 'add it where the rule is written') : (point.advice ?? 'add it where the rule is written'),
          kernelNote: kernelNote(),
        },
        severity: random ? 'warn' : undefined,
        ...(fix ? (kernelAtLeast(MIN_KERNEL) === false ? { suggest: [fix] } : { fix }) : {}),
      });
    };

    const configSource = (point: SnatPoint) => {
      if (point.portSelection === 'random' && allowRandom) return;
      // flannel's CNI plugin gives its bridge delegate ipMasq = !FLANNEL_IPMASQ: when flanneld in
      // the same scope runs with --ip-masq (a flannel SnatPoint from its DaemonSet), flanneld
      // masquerades and the bridge does not (flannel-io/cni-plugin flannel_linux.go).
      if (point.owner === 'flannel' && point.conditional && point.document.kind === 'cni') {
        const flanneld = context.scopeFacts.some((f) => f.type === 'SnatPoint' && f.engine === 'flannel' && f.document.kind === 'kubernetes');
        if (flanneld) return;
      }
      const fix = sourceFix(point, 'setSource');
      context.report({
        node: point,
        document: point.document,
        messageId: 'sourceMissing',
        data: {
          owner: point.owner ?? point.engine,
          reason: point.portSelectionReason,
          advice: point.fix?.description ?? point.advice ?? (point.owner ? OWNER_ADVICE[point.owner] : undefined) ?? 'Randomise in the component that writes the rule',
        },
        severity: point.portSelection === 'random' || point.conditional ? 'warn' : undefined,
        ...(fix ? { suggest: [fix] } : {}),
      });
    };

    return {
      SnatPoint(point: SnatPoint) {
        if (point.portSelection === 'fully-random' || point.portSelection === 'unknown') return;
        if (point.engine === 'iptables') iptables(point);
        else if (point.engine === 'nft') nft(point);
        else configSource(point);
      },
    };
  },
});

/** A fix descriptor from the fact's own fix, when it is an edit of the document. */
function sourceFix(point: SnatPoint, messageId: string): FixDescriptor | undefined {
  const f = point.fix;
  if (!f?.node || f.text === undefined) return undefined;
  const node = f.node;
  const text = f.text;
  return {
    messageId,
    data: { fix: f.description },
    edits: () => [f.insert ? insertAfter(node, text) : replaceNode(node, text)],
  };
}

/**
 * Inserts `--random-fully` where iptables-save prints it (`__NAT_print` in libxt_NAT.c: after
 * `--random`, before `--persistent`), so a fixed dump matches what a re-save would show.
 */
function flagEdit(target: IptablesTarget) {
  const persistent = target.option('--persistent');
  if (persistent) return insertBefore(persistent, '--random-fully ');
  const random = target.option('--random');
  return insertAfter(random ?? target, ' --random-fully');
}
