import { defineRule } from '../../src/engine/define-rule.js';
import { replaceNode } from '../../src/fixes/edits.js';
import type { DockerDaemonConfig } from '../../src/model/docker.js';
import {
  schemaDocument,
  suggestKey,
  validateWithSchema,
  type JsonProperty,
  type SchemaIssue,
} from '../../src/parsers/json/index.js';

/**
 * Keys whose object value dockerd keeps as a map: it does not check the keys inside against its
 * flags (moby daemon/config/config.go `flatOptions`). Any other object value is flattened and its
 * keys are checked like top-level ones (e.g. `proxies`).
 */
const FLAT_KEYS = new Set(['cluster-store-opts', 'default-network-opts', 'log-opts', 'runtimes', 'default-ulimits', 'features', 'builder']);

interface KeySchema {
  'x-deprecated-in'?: string;
  'x-removed-in'?: string;
  'x-use-instead'?: string;
}

/**
 * Checks `daemon.json` against `schemas/docker-daemon.schema.json`.
 *
 * dockerd refuses to start when a top-level key is not one of its flags
 * (`findConfigurationConflicts`: "the following directives don't match any configuration option")
 * or a value does not decode: error. Unknown keys inside objects that dockerd decodes into Go
 * structs (a runtime, an address pool) are ignored: warning.
 */
export const rule = defineRule({
  meta: {
    id: 'docker-daemon-schema',
    inputs: ['docker-daemon'],
    category: 'correctness',
    description: 'Require daemon.json to use only keys and value types that dockerd accepts.',
    messages: {
      unknownKey: 'Unknown key "{{key}}" in daemon.json: dockerd refuses to start with unknown keys.',
      unknownKeyDidYouMean: 'Unknown key "{{key}}" in daemon.json: dockerd refuses to start with unknown keys. Did you mean "{{suggestion}}"?',
      ignoredObjectKey: 'Unknown key "{{key}}" in daemon.json: dockerd ignores it (it checks only the keys inside its object).',
      ignoredKey: 'Unknown key "{{key}}" in {{where}}: dockerd ignores it.',
      aliasKey: 'Disallowed key "{{key}}": dockerd accepts the flag name but ignores it in daemon.json; use "{{suggestion}}".',
      removedKey: 'Disallowed key "{{key}}": it was removed in Docker {{version}}, and dockerd {{version}} and later refuse to start with it.',
      deprecatedKey: 'Expected "{{key}}" to be removed: it is deprecated since Docker {{version}}, and dockerd refuses to start with it once the key is dropped.',
      missingKey: 'Missing key "{{key}}" in {{where}}.',
      invalidValue: 'Expected {{name}} to be {{expected}}.',
      rejected: '{{message}}',
      renameKey: 'Rename "{{key}}" to "{{suggestion}}".',
    },
    fix: 'suggestion',
    recommended: 'error',
    defaultOptions: {},
  },
  create(context) {
    const schema = schemaDocument('docker-daemon');
    const keySchemas = (schema.properties ?? {}) as Record<string, KeySchema>;
    // Keys dockerd's check accepts: its flags' names (the schema's top-level keys, aliases included).
    const flagNames = Object.keys(keySchemas);
    const documented = flagNames.filter((k) => !keySchemas[k]['x-use-instead'] && !keySchemas[k]['x-removed-in'] && !keySchemas[k]['x-deprecated-in']);

    return {
      DockerDaemonConfig(config: DockerDaemonConfig) {
        if (config.node.type === 'JsonObject') {
          for (const property of config.node.properties) checkTopLevelKey(property);
        }
        for (const issue of validateWithSchema('docker-daemon', config.node)) report(issue);
      },
    };

    function checkTopLevelKey(property: JsonProperty): void {
      const annotations = keySchemas[property.key];
      if (!annotations) return;
      const node = { range: property.keyRange };
      const replacement = annotations['x-use-instead'];
      if (replacement) {
        const data = { key: property.key, suggestion: replacement };
        context.report({
          node,
          path: property.path,
          messageId: 'aliasKey',
          data,
          severity: 'warn',
          suggest: [{ messageId: 'renameKey', data, edits: () => [replaceNode(node, JSON.stringify(replacement))] }],
        });
      }
      const removedIn = annotations['x-removed-in'];
      if (removedIn) context.report({ node, path: property.path, messageId: 'removedKey', data: { key: property.key, version: removedIn } });
      const deprecatedIn = annotations['x-deprecated-in'];
      if (deprecatedIn) {
        context.report({ node, path: property.path, messageId: 'deprecatedKey', data: { key: property.key, version: deprecatedIn }, severity: 'warn' });
      }
    }

    function report(issue: SchemaIssue): void {
      const node = { range: issue.range };
      const path = issue.path;
      if (issue.keyword === 'additionalProperties' && issue.key !== undefined) {
        const key = issue.key;
        const topLevel = path.length === 1;
        const parentKey = path.length === 2 && typeof path[0] === 'string' ? path[0] : undefined;
        const checkedLikeFlags = topLevel || (parentKey !== undefined && !FLAT_KEYS.has(parentKey));
        const value = issue.node.type === 'JsonProperty' ? issue.node.value : undefined;
        if (topLevel && value?.type === 'JsonObject') {
          // dockerd flattens an unknown object and checks its keys instead.
          context.report({ node, path, messageId: 'ignoredObjectKey', data: { key }, severity: 'warn' });
          for (const child of value.properties) {
            if (!flagNames.includes(child.key)) reportUnknown(child.key, { range: child.keyRange }, child.path);
          }
          return;
        }
        if (checkedLikeFlags && !(parentKey !== undefined && flagNames.includes(key))) {
          reportUnknown(key, node, path);
          return;
        }
        context.report({ node, path, messageId: 'ignoredKey', data: { key, where: issue.where }, severity: 'warn' });
        return;
      }
      if (issue.keyword === 'required' && issue.key !== undefined) {
        context.report({ node, path, messageId: 'missingKey', data: { key: issue.key, where: issue.where } });
        return;
      }
      if (issue.expected !== undefined && issue.schema?.['x-message'] === undefined) {
        context.report({ node, path, messageId: 'invalidValue', data: { name: issue.name, expected: issue.expected } });
        return;
      }
      context.report({ node, path, messageId: 'rejected', data: { message: issue.message } });
    }

    function reportUnknown(key: string, node: { range: [number, number] }, path: (string | number)[]): void {
      const suggestion = suggestKey(key, documented);
      const data = { key, suggestion };
      if (!suggestion) {
        context.report({ node, path, messageId: 'unknownKey', data });
        return;
      }
      context.report({
        node,
        path,
        messageId: 'unknownKeyDidYouMean',
        data,
        suggest: [{ messageId: 'renameKey', data, edits: () => [replaceNode(node, JSON.stringify(suggestion))] }],
      });
    }
  },
});
