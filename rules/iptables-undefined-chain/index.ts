import { defineRule } from '../../src/engine/define-rule.js';
import { insertAfter } from '../../src/fixes/edits.js';
import type { IptablesChain, IptablesDocument, IptablesTable } from '../../src/model/iptables.js';
import { KNOWN_TARGETS } from '../../src/parsers/iptables/options.js';
import { chainByName } from '../../src/parsers/iptables/parser.js';
import { ruleTable, targetChain, type RuleTable } from '../../src/parsers/iptables/select.js';

/** Where a new `:CHAIN - [0:0]` line goes: after the table's last header, else after `*table`. */
function declarationAnchor(table: IptablesTable): { range: [number, number] } {
  const chains = table.chains;
  for (let k = chains.length - 1; k >= 0; k--) if (chains[k].declaredBy === 'header') return { range: chains[k].range };
  return { range: [table.range[0], table.nameRange[1]] };
}

const declared = (c: IptablesChain | undefined) => !!c && c.declaredBy !== 'undeclared';

/** Up to this many suspect names are each searched for among the rules' targets. */
const FEW_SUSPECTS = 8;

/**
 * The target names that may name no declared chain, when the table knows them and they are few:
 * the names the parser did not find among the table's chains, and the chains nothing declares,
 * less built-in targets and external chains. A 10,000-service dump has about 110,000 rules that
 * jump to one of 40,000 chains: those are not looked up again. Undefined: check every rule.
 */
function suspectTargets(rules: RuleTable, undeclared: readonly string[], external: ReadonlySet<string>): Set<string> | undefined {
  const unresolved = rules.unresolvedTargets();
  if (!unresolved) return undefined;
  const suspects = new Set<string>();
  for (const name of [...unresolved, ...undeclared]) {
    if (KNOWN_TARGETS.has(name) || external.has(name)) continue;
    suspects.add(name);
    if (suspects.size > FEW_SUSPECTS) return undefined;
  }
  return suspects;
}

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
          /** Names of chains that rules add to but nothing declares. */
          const undeclared: string[] = [];
          for (const chain of table.chains) {
            if (chain.declaredBy !== 'undeclared' || external.has(chain.name)) continue;
            undeclared.push(chain.name);
            const first = chain.rules[0];
            context.report({
              node: first ? { range: first.chainRange } : chain,
              messageId: 'undeclaredChain',
              data: { name: chain.name, table: table.name },
              fix: declare(chain.name),
            });
          }
          // Target names only, read without making the rules' objects: most targets are verdicts
          // or declared chains.
          const rules = ruleTable(table);
          const reportTarget = (i: number, name: string, chain: IptablesChain | undefined, first: boolean) => {
            const t = rules.rule(i).target!;
            context.report({
              node: t.nameToken,
              messageId: 'undefinedTarget',
              data: { name, flag: t.kind === 'goto' ? '-g' : '-j', table: table.name },
              // A chain some rule already adds to gets its declaration from that report's fix.
              ...(chain || !first ? {} : { fix: declare(name) }),
            });
          };
          const suspects = suspectTargets(rules, undeclared, external);
          if (suspects) {
            for (const name of suspects) {
              const chain = chainByName(table, name);
              if (declared(chain)) continue;
              rules.withTarget([name]).forEach((i, k) => reportTarget(i, name, chain, k === 0));
            }
            continue;
          }
          const reported = new Set<string>();
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
            reportTarget(i, name, chain, !reported.has(name));
            reported.add(name);
          }
        }
      },
    };
  },
});
