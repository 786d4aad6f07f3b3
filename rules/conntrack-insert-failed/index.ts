import { defineRule } from '../../src/engine/define-rule.js';
import type { RelatedDescriptor } from '../../src/engine/types.js';
import type { SourceDocument } from '../../src/model/document.js';
import { counterToBigInt, type ConntrackStats } from '../../src/model/evidence.js';
import type { SnatPoint } from '../../src/model/facts.js';
import type { IptablesRule } from '../../src/model/iptables.js';

/** At most this many SNAT points become related locations; the message counts the rest. */
const MAX_RELATED = 5;

/**
 * Requires that no conntrack insert failed with a packet drop. `insert_failed` together with
 * `drop` is the signature of the SNAT source-port race (kubernetes/kubernetes#56903): two CPUs
 * pick the same NAT tuple for two new connections and the second confirm fails. Since Linux 5.10
 * resolved UDP clashes are counted in `clash_resolve`, and `insert_failed` without `drop` lost no
 * packet (Westphal, "netfilter: revisit conntrack statistics", Aug 2020; DOMAIN.md 1.1, 10).
 */
export const rule = defineRule({
  meta: {
    id: 'conntrack-insert-failed',
    inputs: ['conntrack-stats'],
    category: 'reliability',
    description:
      'Disallow conntrack statistics in which inserts failed and packets were dropped: new connections lost their first packets to a race for the same NAT tuple.',
    messages: {
      lost:
        'Expected no failed conntrack inserts with drops: insert_failed is {{insertFailed}} and drop {{drop}} ({{over}}), so new connections lost packets to a race between CPUs for the same conntrack tuple (a SNAT source-port clash, or parallel UDP DNS queries through a Service DNAT). No SNAT rule or config is in this node\'s evidence: add iptables-save or nft list ruleset output to see whether SNAT picks ports fully at random.',
      lostSnat:
        'Expected no failed conntrack inserts with drops: insert_failed is {{insertFailed}} and drop {{drop}} ({{over}}), so new connections lost packets to a race between CPUs for the same conntrack tuple. Likely cause: {{snat}} picks source ports without full randomisation{{more}}; add --random-fully (nft fully-random).',
      lostRandomSnat:
        'Expected no failed conntrack inserts with drops: insert_failed is {{insertFailed}} and drop {{drop}} ({{over}}), so new connections lost packets to a race between CPUs for the same conntrack tuple. Every SNAT in this node\'s evidence already picks ports fully at random, so look at DNAT races: parallel UDP DNS queries from one socket to a Service (kubernetes/kubernetes#56903).',
    },
    recommended: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  create(context) {
    return {
      ConntrackStats(stats: ConntrackStats) {
        const failed = stats.totals.insert_failed;
        const drop = stats.totals.drop;
        // Without `drop` the evidence cannot tell a lost packet from a resolved clash.
        if (!failed || !drop || counterToBigInt(failed.value) === 0n || counterToBigInt(drop.value) === 0n) return;

        const snat = context.scopeFacts.filter((f): f is SnatPoint => f.type === 'SnatPoint');
        // `unknown` port selection is neither evidence for nor against the race.
        const weak = snat.filter((p) => p.portSelection !== 'fully-random' && p.portSelection !== 'unknown');
        const known = snat.filter((p) => p.portSelection !== 'unknown');
        const data = {
          insertFailed: String(failed.value),
          drop: String(drop.value),
          over: describeSample(stats),
        };
        if (weak.length > 0) {
          const related: RelatedDescriptor[] = weak.slice(0, MAX_RELATED).map((p) => ({
            node: p,
            document: p.document,
            message: `This SNAT picks source ports without full randomisation (${p.portSelectionReason}): concurrent connections through it can be given the same port.`,
          }));
          const rest = weak.length - 1;
          context.report({
            node: { range: failed.range },
            messageId: 'lostSnat',
            data: { ...data, snat: describeSnat(weak[0]), more: rest > 0 ? ` (and ${rest} more SNAT point${rest === 1 ? '' : 's'})` : '' },
            related,
          });
          return;
        }
        context.report({
          node: { range: failed.range },
          messageId: known.length > 0 ? 'lostRandomSnat' : 'lost',
          data,
        });
      },
    };
  },
});

/** Where the counters come from, in words: they are since boot and (usually) per CPU. */
function describeSample(stats: ConntrackStats): string {
  const n = stats.cpus.length;
  if (stats.format === 'cpu-lines') return `since boot, summed over ${n} CPU${n === 1 ? '' : 's'}`;
  if (stats.format === 'proc') return `since boot, summed over ${n} CPU row${n === 1 ? '' : 's'} of /proc/net/stat/nf_conntrack`;
  return 'since boot, as conntrack -S summed them';
}

/** `MASQUERADE in chain POSTROUTING (iptables-save.txt:5)`, `SNAT by Docker (daemon.json:1)`. */
function describeSnat(p: SnatPoint): string {
  const where = `${fileName(p.document.filePath)}:${lineOf(p.document, p.range[0])}`;
  if (p.engine === 'iptables') {
    const r = p.node as IptablesRule;
    return `${r.target?.name ?? 'SNAT'} in chain ${r.chain} (${where})`;
  }
  if (p.engine === 'nft') {
    const chain = (p.node as { chain?: string }).chain;
    return `nft ${p.portSelectionReason.split(' ')[0] || 'masquerade'}${chain ? ` in chain ${chain}` : ''} (${where})`;
  }
  return `SNAT by ${p.owner ?? p.engine} (${where})`;
}

function fileName(filePath: string): string {
  return filePath.replace(/\\/g, '/').split('/').pop() ?? filePath;
}

/** 1-based line of an offset, in the file the user edits (embedded documents map outwards). */
function lineOf(doc: SourceDocument, offset: number): number {
  const outer = doc.toOuter ? doc.toOuter(offset) : offset;
  return (doc.outerSource ?? doc.source).positionAt(outer).line;
}
