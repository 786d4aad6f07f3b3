import { editableInFile, quotedLike } from '../../src/fixes/embedded.js';
import { defineRule } from '../../src/engine/define-rule.js';
import type { FixDescriptor } from '../../src/engine/types.js';
import { replaceNode } from '../../src/fixes/edits.js';
import type { SourceDocument } from '../../src/model/document.js';
import type { K8sDocument, KubeProxyConfiguration } from '../../src/model/kubernetes.js';
import type { Range } from '../../src/model/source.js';
import { getProperty, suggestKey, validateWithSchema, type SchemaIssue } from '../../src/parsers/json/index.js';

/**
 * Fields kube-proxy dropped from v1alpha1: newer kube-proxy meets them as unknown (strict decoding
 * fails, lenient decoding ignores them), older ones still read them. Paths are dotted.
 */
const REMOVED_FIELDS: Record<string, { version: string; why: string }> = {
  // kubernetes/kubernetes#78294.
  resourceContainer: { version: '1.16', why: 'kube-proxy no longer moves itself into a cgroup' },
  // kubernetes/kubernetes#112133, with the userspace proxy.
  udpIdleTimeout: { version: '1.26', why: 'it configured the removed userspace proxy' },
};


/**
 * Checks every `KubeProxyConfiguration` (kubeproxy.config.k8s.io/v1alpha1) against
 * `schemas/kube-proxy-config.schema.json`: a standalone object, the kube-proxy ConfigMap's
 * `config.conf`, and kind's `kubeadmConfigPatches`. Findings of embedded documents point into the
 * outer file (the engine maps their ranges).
 *
 * Severity follows kube-proxy's loader (cmd/kube-proxy/app/options.go `loadConfig`): it decodes
 * strictly first and, when the only problem is a strict-decoding one (an unknown or duplicate
 * field), decodes again leniently with v1alpha1 and logs "Using lenient decoding as strict
 * decoding failed": an unknown field is ignored, a warning. A value of the wrong type (or a
 * duration that does not parse) fails decoding, and an out-of-range or unknown enum value fails
 * `validation.Validate`: kube-proxy exits, an error. `null` decodes as "unset" (pointer fields to
 * nil, others unchanged), as kubeadm writes it, and is not reported.
 */
export const rule = defineRule({
  meta: {
    id: 'kube-proxy-config-schema',
    inputs: ['kubernetes'],
    category: 'correctness',
    description:
      'Require KubeProxyConfiguration (standalone, in the kube-proxy ConfigMap, in kubeadm patches) to use only fields and values that kube-proxy accepts.',
    messages: {
      unknownKey:
        'Unknown key "{{key}}" in {{where}}: kube-proxy ignores it (strict decoding fails and it falls back to lenient decoding, logging "Using lenient decoding as strict decoding failed").',
      unknownKeyDidYouMean:
        'Unknown key "{{key}}" in {{where}}: kube-proxy ignores it (field names are case-sensitive; it falls back to lenient decoding). Did you mean "{{suggestion}}"?',
      removedKey:
        'Unknown key "{{key}}" in {{where}}: it was removed in Kubernetes {{version}} ({{why}}); newer kube-proxy ignores it and logs "Using lenient decoding as strict decoding failed".',
      missingApiVersion:
        'Missing key "apiVersion" in {{where}}: kube-proxy cannot decode a configuration file without it and exits.',
      invalidValue: 'Expected {{name}} to be {{expected}}: kube-proxy exits at start with this configuration.',
      rejected: '{{message}} kube-proxy exits at start with this configuration.',
      renameKey: 'Rename "{{key}}" to "{{suggestion}}".',
    },
    fix: 'suggestion',
    recommended: 'error',
    defaultOptions: {},
  },
  create(context) {
    const document = context.document;
    const origin = (document.root as K8sDocument).embeddedIn;
    // A kubeadm patch is merged into the configuration kubeadm generates: only what it says counts.
    const isPatch = origin?.key === 'kubeadmConfigPatches';

    return {
      KubeProxyConfiguration(config: KubeProxyConfiguration) {
        const where = describe(document);
        const base = config.object.path;
        if (config.object.apiVersion === undefined && !isPatch) {
          const kind = getProperty(config.node, 'kind');
          context.report({
            node: { range: kind ? kind.range : firstChar(config.node.range) },
            path: [...base, 'apiVersion'],
            messageId: 'missingApiVersion',
            data: { where },
          });
        }
        for (const issue of validateWithSchema('kube-proxy-config', config.node, { rootName: where })) {
          report(issue, base, where);
        }
      },
    };

    function report(issue: SchemaIssue, base: (string | number)[], where: string): void {
      const node = { range: issue.range };
      const path = [...base, ...issue.path];
      if (issue.keyword === 'additionalProperties' && issue.key !== undefined) {
        const dotted = issue.path.filter((p): p is string => typeof p === 'string').join('.');
        const removed = REMOVED_FIELDS[dotted];
        if (removed) {
          context.report({ node, path, messageId: 'removedKey', data: { key: issue.key, where: nested(issue, where), ...removed }, severity: 'warn' });
          return;
        }
        const known = Object.keys((issue.schema?.properties as Record<string, unknown> | undefined) ?? {});
        const suggestion = suggestKey(issue.key, known);
        const data = { key: issue.key, where: nested(issue, where), suggestion };
        const suggest: FixDescriptor[] | undefined =
          suggestion && editableInFile(document, node.range)
            ? [{ messageId: 'renameKey', data, edits: () => [replaceNode(node, quotedLike(document, node.range, suggestion))] }]
            : undefined;
        context.report({
          node,
          path,
          messageId: suggestion ? 'unknownKeyDidYouMean' : 'unknownKey',
          data,
          severity: 'warn',
          ...(suggest ? { suggest } : {}),
        });
        return;
      }
      // Go decodes null as "unset": nil for pointers, no change for other fields (kubeadm writes
      // `maxPerCore: null`, `nodePortAddresses: null`).
      if (issue.keyword === 'type' && issue.node.type === 'JsonLiteral' && issue.node.value === null) return;
      if (issue.expected !== undefined && issue.schema?.['x-message'] === undefined) {
        context.report({ node, path, messageId: 'invalidValue', data: { name: issue.name, expected: issue.expected } });
        return;
      }
      context.report({ node, path, messageId: 'rejected', data: { message: issue.message } });
    }
  },
});

/** How messages name the configuration: where it is written. */
function describe(document: SourceDocument): string {
  const origin = (document.root as K8sDocument).embeddedIn;
  if (!origin) return 'KubeProxyConfiguration';
  const holder = `${origin.kind ?? 'object'} ${origin.namespace ? `${origin.namespace}/` : ''}${origin.name ?? ''}`.trim();
  if (origin.key === 'kubeadmConfigPatches') return `the KubeProxyConfiguration patch (kubeadmConfigPatches of ${holder})`;
  return `KubeProxyConfiguration (${holder}, key ${origin.key})`;
}

/** The object holding an unknown key: the configuration, or a section of it (`iptables of ...`). */
function nested(issue: SchemaIssue, where: string): string {
  return issue.where && issue.where !== where ? `${issue.where} of ${where}` : where;
}

function firstChar(range: Range): Range {
  return [range[0], range[0] + 1];
}

