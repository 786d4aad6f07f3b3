import { defineRule } from '../../src/engine/define-rule.js';
import type { IptablesRule, IptablesTable } from '../../src/model/iptables.js';

/** The first rule of each signature. */
function firstOccurrences(rules: readonly IptablesRule[]): Map<string, IptablesRule> {
  const firsts = new Map<string, IptablesRule>();
  for (const r of rules) {
    const key = r.signature;
    if (!firsts.has(key)) firsts.set(key, r);
  }
  return firsts;
}

export const rule = defineRule({
  meta: {
    id: 'iptables-duplicate-rule',
    inputs: ['iptables'],
    category: 'style',
    description: 'Disallow a rule that repeats an earlier rule of the same chain exactly.',
    messages: {
      duplicate: 'Duplicate rule in chain {{chain}}: line {{line}} has the same criteria and target, so this one only costs a lookup (a sign of a controller appending instead of checking).',
      remove: 'Remove the duplicate rule.',
    },
    fix: 'suggestion',
    recommended: 'warn',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  create(context) {
    const text = context.source.text;
    const check = (table: IptablesTable) => {
      // One set operation per rule; the first occurrences are indexed only once a duplicate shows.
      const seen = new Set<string>();
      let firsts: Map<string, IptablesRule> | undefined;
      for (const r of table.rules) {
        // Chain, criteria and target, whitespace-normalised, without counters.
        const key = r.signature;
        const size = seen.size;
        seen.add(key);
        if (seen.size !== size) continue;
        firsts ??= firstOccurrences(table.rules);
        const first = firsts.get(key)!;
        // The whole line, with its line break, so removing it leaves no blank line.
        const lineEnd = context.source.lineStarts[r.line] ?? text.length;
        const lineStart = context.source.lineStarts[r.line - 1];
        context.report({
          node: r,
          messageId: 'duplicate',
          data: { chain: r.chain, line: first.line },
          related: [{ node: first, message: 'The first occurrence.' }],
          suggest: [{ messageId: 'remove', edits: () => [{ range: [lineStart, lineEnd], text: '' }] }],
        });
      }
    };
    return { IptablesTable: check };
  },
});
