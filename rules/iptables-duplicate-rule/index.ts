import { defineRule } from '../../src/engine/define-rule.js';
import type { IptablesTable } from '../../src/model/iptables.js';
import { duplicateRules } from '../../src/parsers/iptables/parser.js';

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
      // Same chain, criteria and target, whitespace-normalised, without counters (the signature).
      for (const [r, first] of duplicateRules(table)) {
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
