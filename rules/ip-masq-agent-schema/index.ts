import { editableInFile, quotedLike } from '../../src/fixes/embedded.js';
import { defineRule } from '../../src/engine/define-rule.js';
import type { FixDescriptor, RelatedDescriptor } from '../../src/engine/types.js';
import { replaceNode } from '../../src/fixes/edits.js';
import type { SourceDocument } from '../../src/model/document.js';
import { containerFlag, type IpMasqAgentConfig, type K8sDocument, type K8sWorkload } from '../../src/model/kubernetes.js';
import { formatAddress, parseMaskedAddress } from '../../src/net/cidr.js';
import { getProperty, suggestKey, validateWithSchema, type JsonValue, type SchemaIssue } from '../../src/parsers/json/index.js';

/** The agent's defaults (cmd/ip-masq-agent/ip-masq-agent.go `NewMasqConfig`). */
const DEFAULT_CIDR_LIMIT = 64;
const DEFAULT_NON_MASQ = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const DEFAULTS: Record<string, string> = { masqLinkLocal: 'false', masqLinkLocalIPv6: 'false', cidrLimit: String(DEFAULT_CIDR_LIMIT) };

/** What an invalid file costs: `syncConfig` fails, and `Run` returns before syncing any rule. */
const REJECTED = 'ip-masq-agent rejects the whole file and stops syncing its iptables rules (a new node gets none)';

/**
 * Checks the ip-masq-agent config (kubernetes-sigs/ip-masq-agent, the ConfigMap `ip-masq-agent`
 * key `config`, or the file itself) against `schemas/ip-masq-agent-config.schema.json`, and what
 * the agent's `validate` checks: every `nonMasqueradeCIDRs` entry a CIDR aligned to its prefix
 * (`net.ParseCIDR`, "is not aligned to a CIDR block"), at most `cidrLimit` (default 64) entries,
 * IPv6 entries only with `--enable-ipv6` (when the agent's DaemonSet is in the scope).
 *
 * The agent converts YAML to JSON and decodes with Go's encoding/json: unknown keys are ignored
 * (warning) and keys match case-insensitively; a wrong type or a failed check makes `syncConfig`
 * fail, and each resync then stops before writing rules (error). `nonMasqueradeCIDRs: []` (or
 * null) is valid but replaces the default list with nothing: a warning.
 */
export const rule = defineRule({
  meta: {
    id: 'ip-masq-agent-schema',
    inputs: ['kubernetes'],
    category: 'correctness',
    description: 'Require ip-masq-agent configs to use only keys, types and CIDRs that the agent accepts, and warn when nonMasqueradeCIDRs is empty.',
    messages: {
      unknownKey: 'Unknown key "{{key}}" in {{where}}: ip-masq-agent ignores it.',
      unknownKeyDidYouMean: 'Unknown key "{{key}}" in {{where}}: ip-masq-agent ignores it. Did you mean "{{suggestion}}"?',
      keyCase:
        'Expected key "{{suggestion}}" instead of "{{key}}" in {{where}}: the agent reads it only because Go matches JSON keys case-insensitively.',
      nullValue: 'Missing value for "{{key}}" in {{where}}: the agent ignores null and keeps its default ({{default}}).',
      invalidValue: `Expected {{name}} to be {{expected}}: ${REJECTED}.`,
      rejected: `{{message}} ${REJECTED}.`,
      invalidCidr: `Invalid CIDR "{{cidr}}" in nonMasqueradeCIDRs: ${REJECTED}.`,
      unalignedCidr: `Invalid CIDR "{{cidr}}" in nonMasqueradeCIDRs: host bits are set (the network is {{network}}); ${REJECTED}.`,
      tooManyCidrs: `Expected at most {{limit}} nonMasqueradeCIDRs ({{limitSource}}), found {{count}}: ${REJECTED}.`,
      ipv6Disabled: `Invalid IPv6 CIDR "{{cidr}}" in nonMasqueradeCIDRs: the ip-masq-agent DaemonSet {{daemonSet}} runs without --enable-ipv6, so ${REJECTED}.`,
      emptyNonMasq:
        'Expected "nonMasqueradeCIDRs" to list the destinations that keep pod source addresses: {{written}} replaces the default list with nothing, so ip-masq-agent masquerades traffic to every destination except {{kept}}, including pods on other nodes and in-VPC services.',
      renameKey: 'Rename "{{key}}" to "{{suggestion}}".',
      useNetwork: 'Use the network address {{network}}.',
      useDefaults: 'List the agent\'s default ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16).',
    },
    fix: 'suggestion',
    recommended: 'error',
    defaultOptions: {},
  },
  create(context) {
    const document = context.document;

    return {
      IpMasqAgentConfig(config: IpMasqAgentConfig) {
        const where = describe(document);
        const object = config.node.type === 'JsonObject' ? config.node : undefined;
        const cidrsNode = getProperty(object, 'nonMasqueradeCIDRs')?.value;
        for (const issue of validateWithSchema('ip-masq-agent-config', config.node, { rootName: where })) {
          // Entries are checked below, with the agent's own parser rules.
          if (issue.keyword === 'pattern' && issue.path[0] === 'nonMasqueradeCIDRs') continue;
          report(issue, where);
        }
        if (cidrsNode?.type === 'JsonArray') {
          checkCidrs(config, cidrsNode.items);
          if (cidrsNode.items.length === 0) reportEmpty(config, cidrsNode, '[]');
        } else if (cidrsNode?.type === 'JsonLiteral' && cidrsNode.value === null) {
          // encoding/json sets a slice to nil for null: the same empty list.
          reportEmpty(config, cidrsNode, 'null');
        }
      },
    };

    function report(issue: SchemaIssue, where: string): void {
      const node = { range: issue.range };
      const path = issue.path;
      if (issue.keyword === 'additionalProperties' && issue.key !== undefined) {
        const known = Object.keys((issue.schema?.properties as Record<string, unknown> | undefined) ?? {});
        const suggestion = suggestKey(issue.key, known);
        const data = { key: issue.key, where: issue.where, suggestion };
        const suggest: FixDescriptor[] | undefined =
          suggestion && editableInFile(document, node.range)
            ? [{ messageId: 'renameKey', data, edits: () => [replaceNode(node, quotedLike(document, node.range, suggestion))] }]
            : undefined;
        const caseOnly = suggestion !== undefined && suggestion.toLowerCase() === issue.key.toLowerCase();
        context.report({
          node,
          path,
          messageId: caseOnly ? 'keyCase' : suggestion ? 'unknownKeyDidYouMean' : 'unknownKey',
          data,
          severity: 'warn',
          ...(suggest ? { suggest } : {}),
        });
        return;
      }
      if (issue.keyword === 'type' && issue.node.type === 'JsonLiteral' && issue.node.value === null) {
        const key = issue.key ?? '';
        // nonMasqueradeCIDRs: null is the empty list (reported above). resyncInterval has its own
        // UnmarshalJSON, which Go calls for null too, and which rejects it: an error below.
        if (key === 'nonMasqueradeCIDRs') return;
        if (DEFAULTS[key] !== undefined) {
          // `cidrLimit:` with nothing after it has an empty range: show the key.
          const at = issue.range[1] > issue.range[0] || !issue.node.property ? node : { range: issue.node.property.keyRange };
          context.report({ node: at, path, messageId: 'nullValue', data: { key, where: issue.where ?? where, default: DEFAULTS[key] }, severity: 'warn' });
          return;
        }
      }
      if (issue.expected !== undefined && issue.schema?.['x-message'] === undefined) {
        context.report({ node, path, messageId: 'invalidValue', data: { name: issue.name, expected: issue.expected } });
        return;
      }
      context.report({ node, path, messageId: 'rejected', data: { message: issue.message } });
    }

    function checkCidrs(config: IpMasqAgentConfig, items: JsonValue[]): void {
      const object = config.node.type === 'JsonObject' ? config.node : undefined;
      const limitNode = getProperty(object, 'cidrLimit');
      const limit = config.cidrLimit?.value ?? DEFAULT_CIDR_LIMIT;
      if (items.length > limit && Number.isInteger(limit)) {
        const key = getProperty(object, 'nonMasqueradeCIDRs')!;
        const related: RelatedDescriptor[] = limitNode && config.cidrLimit ? [{ node: { range: config.cidrLimit.range }, message: `cidrLimit is ${limit}.` }] : [];
        context.report({
          node: { range: key.keyRange },
          path: key.path,
          messageId: 'tooManyCidrs',
          data: { limit, count: items.length, limitSource: config.cidrLimit ? 'cidrLimit' : 'the default cidrLimit' },
          related,
        });
      }
      let ipv6DaemonSet: string | null | undefined;
      for (const item of items) {
        if (item.type !== 'JsonLiteral' || typeof item.value !== 'string') continue;
        const cidr = item.value;
        const masked = /\/(?:0|[1-9]\d{0,2})$/.test(cidr) ? parseMaskedAddress(cidr) : undefined;
        if (!masked || masked.prefix === undefined) {
          context.report({ node: item, path: item.path, messageId: 'invalidCidr', data: { cidr } });
          continue;
        }
        const networkValue = masked.address & masked.mask;
        if (networkValue !== masked.address) {
          const network = `${formatAddress(masked.family, networkValue)}/${masked.prefix}`;
          context.report({
            node: item,
            path: item.path,
            messageId: 'unalignedCidr',
            data: { cidr, network },
            ...(editableInFile(document, item.range)
              ? { suggest: [{ messageId: 'useNetwork', data: { network }, edits: () => [replaceNode(item, quotedLike(document, item.range, network))] }] }
              : {}),
          });
          continue;
        }
        if (masked.family === 'ipv6') {
          ipv6DaemonSet ??= agentWithoutIpv6();
          if (ipv6DaemonSet) context.report({ node: item, path: item.path, messageId: 'ipv6Disabled', data: { cidr, daemonSet: ipv6DaemonSet } });
        }
      }
    }

    /**
     * The name of the scope's ip-masq-agent DaemonSet when none of them passes `--enable-ipv6`
     * (Go `flag` bool: bare, or `=true`/`=1`/`=t`...); null when IPv6 is on or no DaemonSet is known.
     */
    function agentWithoutIpv6(): string | null {
      const agents: K8sWorkload[] = [];
      for (const doc of context.scope.documents) {
        if (doc.kind !== 'kubernetes') continue;
        for (const object of (doc.root as K8sDocument).objects) {
          for (const view of object.views) if (view.type === 'K8sWorkload' && view.cni === 'ip-masq-agent') agents.push(view);
        }
      }
      if (agents.length === 0) return null;
      for (const agent of agents) {
        for (const container of agent.containers) {
          const flag = containerFlag(container, 'enable-ipv6');
          if (flag && (flag.value === undefined || /^(?:1|t|T|TRUE|true|True)$/.test(flag.value))) return null;
        }
      }
      const first = agents[0].object;
      return `${first.namespace ? `${first.namespace}/` : ''}${first.name ?? ''}`;
    }

    function reportEmpty(config: IpMasqAgentConfig, node: JsonValue, written: string): void {
      const kept: string[] = [];
      if (config.masqLinkLocal?.value !== true) kept.push('169.254.0.0/16');
      if (config.masqLinkLocalIPv6?.value !== true) kept.push('fe80::/10');
      const keptText = kept.length ? `link-local ${kept.join(' and ')}` : "the node's own addresses";
      // A YAML `nonMasqueradeCIDRs:` without a value has an empty range: show the key.
      const at = node.range[1] > node.range[0] || !node.property ? node : { range: node.property.keyRange };
      // Quoted strings read the same in YAML and JSON.
      const list = `[${DEFAULT_NON_MASQ.map((c) => JSON.stringify(c)).join(', ')}]`;
      context.report({
        node: at,
        path: node.path,
        messageId: 'emptyNonMasq',
        data: { written: `nonMasqueradeCIDRs: ${written}`, kept: keptText },
        severity: 'warn',
        ...(written === '[]' && editableInFile(document, node.range)
          ? { suggest: [{ messageId: 'useDefaults', edits: () => [replaceNode(node, list)] }] }
          : {}),
      });
    }
  },
});

/** How messages name the config: the ConfigMap holding it, or the file. */
function describe(document: SourceDocument): string {
  const origin = (document.root as K8sDocument).embeddedIn;
  if (!origin) return 'the ip-masq-agent config';
  const holder = `${origin.kind ?? 'object'} ${origin.namespace ? `${origin.namespace}/` : ''}${origin.name ?? ''}`.trim();
  return `the ip-masq-agent config (${holder}, key ${origin.key})`;
}

