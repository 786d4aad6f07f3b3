import { defineRule } from '../../src/engine/define-rule.js';
import { insertAfter } from '../../src/fixes/edits.js';
import type { IptablesChain, IptablesDocument, IptablesTable } from '../../src/model/iptables.js';
import { KNOWN_TARGETS } from '../../src/parsers/iptables/options.js';
import { ruleTable, targetChain } from '../../src/parsers/iptables/select.js';

/** Where a new `:CHAIN - [0:0]` line goes: after the table's last header, else after `*table`. */
function declarationAnchor(table: IptablesTable): { range: [number, number] } {
  const chains = table.chains;
  for (let k = chains.length - 1; k >= 0; k--) if (chains[k].declaredBy === 'header') return { range: chains[k].range };
  return { range: [table.range[0], table.nameRange[1]] };
}

const declared = (c: IptablesChain | undefined) => !!c && c.declaredBy !== 'undeclared';

export const rule = defineRule({
  meta: {
    id: 'iptables-undefined-chain',
    inputs: ['iptables'],
    category: 'correctness',
    description: 'Disallow jumps to, and rules in, chains that the dump does not declare (iptables-restore rejects them).',
    messages: {
      undefinedTarget: 'Unknown chain "{{name}}" in {{flag}}: table {{table}} declares no such chain and it is not a known target, so iptables-restore rejects the rule.',
      undeclaredChain: 'Missing declaration of chain "{{name}}" in table {{table}}: rules are added to it, but no ":{{name}} - [0:0]" line creates it.',
      declare: 'Declare ":{{name}} - [0:0]" in table {{table}}.',
    },
    fix: 'safe',
    recommended: 'error',
    schema: {
      type: 'object',
      properties: {
        externalChains: {
          type: 'array',
          items: { type: 'string' },
          description: 'Chains that exist on the host but are not in the dump (for `iptables-restore --noflush` fragments).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { externalChains: [] as string[] },
  },
  create(context, { externalChains }) {
    const doc = context.document.root as IptablesDocument;
    const external = new Set(externalChains);
    const eol = context.source.text.includes('\r\n') ? '\r\n' : '\n';
    return {
      IptablesDocument() {
        for (const table of doc.tables) {
          // One anchor per table: every fix of a dump missing many declarations shares it.
          let anchor: { range: [number, number] } | undefined;
          const declare = (name: string) => ({
            messageId: 'declare',
            data: { name, table: table.name },
            edits: () => [insertAfter((anchor ??= declarationAnchor(table)), `${eol}:${name} - [0:0]`)],
          });
          for (const chain of table.chains) {
            if (chain.declaredBy !== 'undeclared' || external.has(chain.name)) continue;
            const first = chain.rules[0];
            context.report({
              node: first ? { range: first.chainRange } : chain,
              messageId: 'undeclaredChain',
              data: { name: chain.name, table: table.name },
              fix: declare(chain.name),
            });
          }
          const reported = new Set<string>();
          // Target names only, read without making the rules' objects: most targets are verdicts
          // or declared chains.
          const rules = ruleTable(table);
          const names = rules.targetNames();
          /** The last target found declared: rules jump to a few chains (KUBE-MARK-MASQ) over and over. */
          let lastDeclared: string | undefined;
          for (let i = 0; i < names.length; i++) {
            const name = names[i];
            if (name === undefined || name === lastDeclared || KNOWN_TARGETS.has(name) || external.has(name)) continue;
            const chain = targetChain(table, rules, i, name);
            if (declared(chain)) {
              lastDeclared = name;
              continue;
            }
            const t = rules.rule(i).target!;
            context.report({
              node: t.nameToken,
              messageId: 'undefinedTarget',
              data: { name, flag: t.kind === 'goto' ? '-g' : '-j', table: table.name },
              // A chain some rule already adds to gets its declaration from that report's fix.
              ...(chain || reported.has(name) ? {} : { fix: declare(name) }),
            });
            reported.add(name);
          }
        }
      },
    };
  },
});
