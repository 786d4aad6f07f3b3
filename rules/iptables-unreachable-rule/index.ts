import { defineRule } from '../../src/engine/define-rule.js';
import type { IptablesChain, IptablesRule, IptablesTable } from '../../src/model/iptables.js';
import { NAT_TARGETS } from '../../src/parsers/iptables/options.js';
import { chainsNamed, ruleTable, type RuleTable } from '../../src/parsers/iptables/select.js';

/** Verdicts that end the chain for every packet that reaches them. */
const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE', ...NAT_TARGETS]);

/** A rule after which nothing in its chain runs: an unconditional verdict or goto. */
function ends(rule: IptablesRule): boolean {
  // No criteria (no basic option, no match module but `comment`): it matches every packet.
  if (rule.hasCriteria) return false;
  // The name alone first: a target is built only for an unconditional jump to a chain.
  const name = rule.targetName;
  return name !== undefined && (TERMINAL.has(name) || rule.target!.kind === 'goto');
}

/** `ends(rules.rule(i))` for a rule without criteria, without making the rule's object. */
function endsAt(rules: RuleTable, i: number): boolean {
  const name = rules.targetNameAt(i);
  return name !== undefined && (TERMINAL.has(name) || rules.targetKindAt(i) === 'goto');
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
    return {
      // One pass over the table's rules finds the chains that have a rule that ends them; only
      // those chains' rules are listed (a kube-proxy dump has 40,000 chains and few such rules).
      IptablesTable(table: IptablesTable) {
        const rules = ruleTable(table);
        const ending = new Set<string>();
        for (const i of rules.unconditional()) if (endsAt(rules, i)) ending.add(rules.chainAt(i));
        if (ending.size === 0) return;
        for (const chain of chainsNamed(table, ending)) check(chain);
      },
    };
  },
});
