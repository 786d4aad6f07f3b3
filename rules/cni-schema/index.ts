import { defineRule } from '../../src/engine/define-rule.js';
import { replaceNode } from '../../src/fixes/edits.js';
import type { CniConfig } from '../../src/model/cni.js';
import { suggestKey, validateWithSchema, type SchemaIssue } from '../../src/parsers/json/index.js';

/**
 * Checks CNI network configurations against `schemas/cni-conflist.schema.json` (a `.conflist`) or
 * `schemas/cni-network-config.schema.json` (a single-plugin `.conf`).
 *
 * Severity: libcni and the reference plugins decode with Go's encoding/json, which ignores keys a
 * struct does not have, so an unknown key never stops a plugin: it is reported as a warning (it is
 * usually a typo whose setting silently does not apply). A wrong type, an out-of-range value or a
 * combination the plugin rejects makes the plugin fail at ADD time: error. A `.conf` without
 * `cniVersion` or `name` still loads (libcni reads the version as 0.1.0): warning.
 */
export const rule = defineRule({
  meta: {
    id: 'cni-schema',
    inputs: ['cni'],
    category: 'correctness',
    description: 'Require CNI network configurations to match the CNI spec and the keys and types of the reference plugins.',
    messages: {
      unknownKey: 'Unknown key "{{key}}" in {{where}}: {{reader}} ignores it.',
      unknownKeyDidYouMean: 'Unknown key "{{key}}" in {{where}}: {{reader}} ignores it. Did you mean "{{suggestion}}"?',
      keyCase:
        'Expected key "{{suggestion}}" instead of "{{key}}" in {{where}}: the plugin reads it only because Go matches JSON keys case-insensitively.',
      missingKey: 'Missing key "{{key}}" in {{where}}.',
      missingVersion: 'Missing key "cniVersion" in {{where}}: runtimes read the configuration as CNI 0.1.0.',
      missingName: 'Missing key "name" in {{where}}: runtimes cannot select this network by name.',
      missingDependency: 'Missing key "{{key}}" in {{where}}: "{{property}}" requires it.',
      invalidValue: 'Expected {{name}} to be {{expected}}.',
      rejected: '{{message}}',
      renameKey: 'Rename "{{key}}" to "{{suggestion}}".',
    },
    fix: 'suggestion',
    recommended: 'error',
    defaultOptions: {},
  },
  create(context) {
    return {
      CniConfig(config: CniConfig) {
        const schemaId = config.isList ? 'cni-conflist' : 'cni-network-config';
        for (const issue of validateWithSchema(schemaId, config.node)) report(issue, config);
      },
    };

    function report(issue: SchemaIssue, config: CniConfig): void {
      const node = { range: issue.range };
      const path = issue.path;
      if (issue.keyword === 'additionalProperties' && issue.key !== undefined) {
        const known = Object.keys((issue.schema?.properties as Record<string, unknown> | undefined) ?? {});
        const suggestion = suggestKey(issue.key, known);
        const data = { key: issue.key, where: issue.where, reader: readerOf(issue, config), suggestion };
        const suggest = suggestion
          ? [{ messageId: 'renameKey', data, edits: () => [replaceNode(node, JSON.stringify(suggestion))] }]
          : undefined;
        const caseOnly = suggestion !== undefined && suggestion.toLowerCase() === issue.key.toLowerCase();
        const messageId = caseOnly ? 'keyCase' : suggestion ? 'unknownKeyDidYouMean' : 'unknownKey';
        context.report({ node, path, messageId, data, severity: 'warn', ...(suggest ? { suggest } : {}) });
        return;
      }
      if (issue.keyword === 'required' || (issue.keyword === 'anyOf' && issue.schema?.['x-missing'])) {
        const key = issue.key ?? '';
        const single = !config.isList && path.length === 0;
        if (single && key === 'cniVersion') {
          context.report({ node, path, messageId: 'missingVersion', data: { where: issue.where }, severity: 'warn' });
        } else if (single && key === 'name') {
          context.report({ node, path, messageId: 'missingName', data: { where: issue.where }, severity: 'warn' });
        } else if (issue.schema?.['x-message'] !== undefined) {
          context.report({ node, path, messageId: 'rejected', data: { message: issue.message } });
        } else {
          context.report({ node, path, messageId: 'missingKey', data: { key, where: issue.where } });
        }
        return;
      }
      if (issue.keyword === 'dependencies' && issue.key !== undefined) {
        context.report({
          node,
          path,
          messageId: 'missingDependency',
          data: { key: issue.key, where: issue.where, property: issue.params.property },
        });
        return;
      }
      if (issue.expected !== undefined && issue.schema?.['x-message'] === undefined) {
        context.report({ node, path, messageId: 'invalidValue', data: { name: issue.name, expected: issue.expected } });
        return;
      }
      context.report({ node, path, messageId: 'rejected', data: { message: issue.message } });
    }
  },
});

/** Who ignores an unknown key: libcni for list-level keys, the IPAM plugin, or the plugin. */
function readerOf(issue: SchemaIssue, config: CniConfig): string {
  if (config.isList && issue.path.length === 1) return 'libcni';
  if (issue.path.includes('ipam')) return 'the IPAM plugin';
  return 'the plugin';
}
