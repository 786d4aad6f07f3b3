import { defineRule } from '../../src/engine/define-rule.js';
import type { IptablesChain, IptablesRule } from '../../src/model/iptables.js';
import { NAT_TARGETS } from '../../src/parsers/iptables/options.js';

/** Verdicts that end the chain for every packet that reaches them. */
const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE', ...NAT_TARGETS]);

/** A rule after which nothing in its chain runs: an unconditional verdict or goto. */
function ends(rule: IptablesRule): boolean {
  // No criteria (no basic option, no match module but `comment`): it matches every packet.
  if (rule.hasCriteria) return false;
  const t = rule.target;
  return t !== undefined && (t.kind === 'goto' || TERMINAL.has(t.name));
}

export const rule = defineRule({
  meta: {
    id: 'iptables-unreachable-rule',
    inputs: ['iptables'],
    category: 'correctness',
    description: 'Disallow rules that come after an unconditional ACCEPT, DROP, REJECT, RETURN, NAT target or goto in the same chain.',
    messages: {
      unreachable: 'Unreachable rule in chain {{chain}}: the unconditional "{{verdict}}" at line {{line}} ends the chain before it, so it never matches.',
    },
    recommended: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  create(context) {
    const check = (chain: IptablesChain) => {
      const end = chain.rules.findIndex(ends);
      if (end === -1) return;
      const stop = chain.rules[end];
      const verdict = `${stop.target!.kind === 'goto' ? '-g' : '-j'} ${stop.target!.name}`;
      for (const r of chain.rules.slice(end + 1)) {
        context.report({
          node: r,
          messageId: 'unreachable',
          data: { chain: chain.name, verdict, line: stop.line },
          related: [{ node: stop, message: `This rule ends chain ${chain.name} for every packet.` }],
        });
      }
    };
    return { IptablesChain: check };
  },
});
