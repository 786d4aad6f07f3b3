import { defineRule } from '../../src/engine/define-rule.js';
import { insertAfter, insertBefore } from '../../src/fixes/edits.js';
import type { IptablesDocument, IptablesRule, IptablesTarget } from '../../src/model/iptables.js';
import { describeTraffic, natOwnerOf } from '../../src/model/owners.js';
import { versionAtLeast } from '../../src/model/version.js';

/**
 * iptables versions that first accept `--random-fully` (DOMAIN.md 2.1): SNAT in 1.6.0 (commit
 * 3cefc136), MASQUERADE in 1.6.2 (commit 8b0da213). Kubernetes (`RandomFullyMinVersion`) and
 * Calico Felix use the same thresholds.
 */
const MIN_IPTABLES: Record<string, string> = { MASQUERADE: '1.6.2', SNAT: '1.6.0' };

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
    inputs: ['iptables'],
    category: 'reliability',
    description: 'Require --random-fully on MASQUERADE and SNAT targets, so concurrent connections do not race for the same source port.',
    messages: {
      missing: 'Missing --random-fully on {{target}} in chain {{chain}} ({{owner}}), applied to {{traffic}}: concurrent connections can be given the same source port and dropped ({{advice}}).',
      onlyRandom:
        'Expected --random-fully on {{target}} in chain {{chain}} ({{owner}}), applied to {{traffic}}: --random alone still starts every connection to the same destination at the same port offset on kernels before 5.0.',
      addFlag: 'Add --random-fully.',
      addFlagOldIptables: 'Add --random-fully (needs iptables >= {{minimum}}; this dump was written by iptables {{version}}, which rejects the flag: upgrade iptables first).',
    },
    fix: 'safe',
    recommended: 'error',
    schema: {
      type: 'object',
      properties: {
        ignoreChains: { type: 'array', items: { type: 'string' }, description: 'Chains whose NAT rules are not checked.' },
        allowRandom: {
          type: 'boolean',
          description: 'Accept --random without --random-fully on MASQUERADE (identical since kernel 5.0, per the iptables MASQUERADE man page).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { ignoreChains: [] as string[], allowRandom: false },
  },
  create(context, { ignoreChains, allowRandom }) {
    const doc = context.document.root as IptablesDocument;
    const version = doc.generator?.version;
    return {
      IptablesRule(node: IptablesRule) {
        const target = node.target;
        if (!target || (target.name !== 'MASQUERADE' && target.name !== 'SNAT')) return;
        if (target.hasFlag('--random-fully') || ignoreChains.includes(node.chain)) return;
        const random = target.hasFlag('--random');
        if (random && allowRandom && target.name === 'MASQUERADE') return;
        const owner = natOwnerOf(node);
        const data = {
          target: target.name,
          chain: node.chain,
          owner: owner ?? 'owner unknown',
          traffic: describeTraffic(node),
          advice: owner ? OWNER_ADVICE[owner] : 'add it where the rule is written',
        };
        const minimum = MIN_IPTABLES[target.name];
        const supported = version === undefined || versionAtLeast(version, minimum);
        const fix = { messageId: supported ? 'addFlag' : 'addFlagOldIptables', data: { minimum, version }, edits: () => [flagEdit(target)] };
        context.report({
          node: target,
          messageId: random ? 'onlyRandom' : 'missing',
          data,
          severity: random ? 'warn' : undefined,
          ...(supported ? { fix } : { suggest: [fix] }),
        });
      },
    };
  },
});

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
