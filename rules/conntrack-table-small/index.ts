import { defineRule } from '../../src/engine/define-rule.js';
import type { SysctlFact } from '../../src/model/facts.js';

/** Both names show the same kernel variable (`nf_conntrack_max` in nf_conntrack_standalone.c). */
const MAX_KEYS = new Set(['net.netfilter.nf_conntrack_max', 'net.nf_conntrack_max']);
const COUNT_KEY = 'net.netfilter.nf_conntrack_count';

/**
 * Requires a conntrack table large enough for a container node, and reports a table that is
 * nearly full. The default minimum is kube-proxy's `conntrack.min` (131072,
 * pkg/proxy/apis/config/v1alpha1/defaults.go), to which kube-proxy itself sets the limit on small nodes.
 */
export const rule = defineRule({
  meta: {
    id: 'conntrack-table-small',
    inputs: ['sysctl'],
    category: 'reliability',
    description:
      'Require net.netfilter.nf_conntrack_max to be at least kube-proxy\'s minimum (131072), and net.netfilter.nf_conntrack_count to stay below a share of it.',
    messages: {
      small:
        'Expected {{key}} to be at least {{minEntries}}, found {{value}}: when the conntrack table is full the kernel drops the first packet of new connections ("nf_conntrack: table full, dropping packet") unless it can evict an unreplied entry. kube-proxy sets it to max(32768 per CPU, 131072) when it starts, unless conntrack.maxPerCore is 0.',
      nearlyFull:
        'Expected {{key}} to stay below {{limit}}% of nf_conntrack_max, found {{count}} of {{max}} ({{usage}}%): the conntrack table is nearly full, and at the limit the kernel drops the first packet of new connections ("nf_conntrack: table full, dropping packet"). Raise nf_conntrack_max or find what opens so many connections.',
    },
    recommended: 'error',
    schema: {
      type: 'object',
      properties: {
        minEntries: {
          type: 'integer',
          minimum: 1,
          description: 'Smallest nf_conntrack_max accepted (default 131072, kube-proxy\'s conntrack.min).',
        },
        maxUsage: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1,
          description: 'Share of nf_conntrack_max (0 to 1) at or above which nf_conntrack_count is reported (default 0.9).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { minEntries: 131072, maxUsage: 0.9 },
  },
  create(context, { minEntries, maxUsage }) {
    /** This document's settings, by key (the last line of a key wins, as when applied). */
    const own: SysctlFact[] = [];
    return {
      SysctlValue(fact: SysctlFact) {
        if (MAX_KEYS.has(fact.key) || fact.key === COUNT_KEY) own.push(fact);
      },
      'Document:exit'() {
        // Written twice (sysctl -a prints both names; a .conf may set both): the later write wins.
        const max = latest(own.filter((f) => MAX_KEYS.has(f.key)));
        const maxValue = max ? integer(max.value) : undefined;
        // 0 means "no limit" (__nf_conntrack_alloc checks `nf_conntrack_max && ...`).
        if (max && maxValue !== undefined && maxValue > 0 && maxValue < minEntries) {
          context.report({ node: max, messageId: 'small', data: { key: max.key, minEntries, value: maxValue } });
        }

        const count = own.find((f) => f.key === COUNT_KEY);
        const countValue = count ? integer(count.value) : undefined;
        if (!count || countValue === undefined) return;
        // The limit in force: this file's, else another sysctl file of the node's evidence.
        const limit =
          maxValue ??
          integer(
            latest(context.scopeFacts.filter((f): f is SysctlFact => f.type === 'SysctlValue' && MAX_KEYS.has(f.key)))?.value ?? '',
          );
        if (limit === undefined || limit === 0) return;
        const usage = countValue / limit;
        if (usage < maxUsage) return;
        context.report({
          node: count,
          messageId: 'nearlyFull',
          data: {
            key: COUNT_KEY,
            limit: percent(maxUsage),
            count: countValue,
            max: limit,
            usage: percent(usage),
          },
        });
      },
    };
  },
});

/**
 * The setting in force among the two names: the one written last in its file (facts keep one per
 * key), or `net.netfilter.nf_conntrack_max` when both say the same (`sysctl -a` prints both).
 */
function latest(facts: SysctlFact[]): SysctlFact | undefined {
  let best: SysctlFact | undefined;
  for (const f of facts) {
    if (!best) best = f;
    else if (f.document !== best.document) continue;
    else if (f.value === best.value) best = f.key === 'net.netfilter.nf_conntrack_max' ? f : best;
    else if (f.range[0] > best.range[0]) best = f;
  }
  return best;
}

function integer(value: string): number | undefined {
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** `0.9` → `90`, `0.9374` → `93.7`. */
function percent(share: number): string {
  return String(Math.round(share * 1000) / 10);
}
