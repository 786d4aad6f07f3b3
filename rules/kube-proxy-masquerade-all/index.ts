import { editableInFile, quotedLike } from '../../src/fixes/embedded.js';
import { defineRule } from '../../src/engine/define-rule.js';
import { replaceNode } from '../../src/fixes/edits.js';
import type { SourceDocument } from '../../src/model/document.js';
import type { K8sContainer, K8sDocument, K8sString, K8sWorkload, KubeProxyConfiguration } from '../../src/model/kubernetes.js';

/**
 * Reports kube-proxy configured to masquerade all Service traffic: `masqueradeAll: true` in a
 * KubeProxyConfiguration (`iptables.masqueradeAll`, or `nftables.masqueradeAll` in nftables
 * mode: v1alpha1 conversion reads the one of the configured mode, pkg/proxy/apis/config/v1alpha1
 * conversion.go), or `--masquerade-all` on a kube-proxy container that runs without `--config`
 * (with `--config` the file replaces every flag but logging and `--hostname-override`,
 * cmd/kube-proxy/app/options.go `Complete`).
 *
 * With it, kube-proxy jumps every ClusterIP connection to KUBE-MARK-MASQ instead of only those
 * from outside the cluster CIDR (pkg/proxy/iptables/proxier.go, "masqueradeAll"): all Service
 * traffic is SNATed to the node, competing for source ports (DOMAIN.md 1.1, 4.2), and endpoints
 * lose the client pod's address.
 */
export const rule = defineRule({
  meta: {
    id: 'kube-proxy-masquerade-all',
    inputs: ['kubernetes'],
    category: 'reliability',
    description: 'Disallow kube-proxy masqueradeAll (--masquerade-all), which SNATs all Service traffic.',
    messages: {
      masqueradeAll:
        'Disallowed {{setting}}: true in {{where}}: kube-proxy SNATs every connection to a Service cluster IP, not only those from outside the pod network, so all Service traffic competes for SNAT source ports (the port race that drops connections) and endpoints see node addresses instead of client pods.',
      masqueradeAllFlag:
        'Disallowed {{flag}} on kube-proxy in {{where}}: kube-proxy SNATs every connection to a Service cluster IP, not only those from outside the pod network, so all Service traffic competes for SNAT source ports (the port race that drops connections) and endpoints see node addresses instead of client pods.',
      setFalse: 'Set {{setting}} to false.',
      useFalseFlag: 'Use --masquerade-all=false.',
    },
    fix: 'suggestion',
    recommended: 'warn',
    defaultOptions: {},
  },
  create(context) {
    const document = context.document;

    return {
      KubeProxyConfiguration(config: KubeProxyConfiguration) {
        const mode = config.mode?.value ?? '';
        // Windows' kernelspace proxy has no masquerade-all behaviour.
        if (mode === 'kernelspace') return;
        const section = mode === 'nftables' ? 'nftables' : 'iptables';
        const setting = config[section].masqueradeAll;
        if (setting?.value !== true) return;
        const name = `${section}.masqueradeAll`;
        context.report({
          node: { range: setting.range },
          path: [...config.object.path, section, 'masqueradeAll'],
          messageId: 'masqueradeAll',
          data: { setting: name, where: describeConfig(document) },
          ...(editableInFile(document, setting.range)
            ? { suggest: [{ messageId: 'setFalse', data: { setting: name }, edits: () => [replaceNode(setting, 'false')] }] }
            : {}),
        });
      },
      K8sWorkload(workload: K8sWorkload) {
        for (const container of [...workload.initContainers, ...workload.containers]) {
          if (!runsKubeProxyWithFlags(container)) continue;
          const flag = lastFlag(container, 'masquerade-all');
          if (!flag || !goBool(flag.value ?? 'true')) continue;
          const token = flag.token;
          context.report({
            node: token,
            path: token.node.path,
            messageId: 'masqueradeAllFlag',
            data: { flag: token.value, where: describeWorkload(workload) },
            ...(editableInFile(document, token.range)
              ? { suggest: [{ messageId: 'useFalseFlag', edits: () => [replaceNode(token, quotedLike(document, token.range, '--masquerade-all=false'))] }] }
              : {}),
          });
        }
      },
    };
  },
});

/** A flag as pflag reads it: `--name=value`, `--name value` (non-boolean flags), bare `--name`. */
interface FlagToken {
  value?: string;
  token: K8sString;
}

/** The last `--name` of the container's command and args (pflag keeps the last). Booleans take no separate value. */
function lastFlag(container: K8sContainer, name: string): FlagToken | undefined {
  let found: FlagToken | undefined;
  for (const token of [...container.command, ...container.args]) {
    if (token.value === `--${name}`) found = { token };
    else if (token.value.startsWith(`--${name}=`)) found = { token, value: token.value.slice(name.length + 3) };
  }
  return found;
}

/** Go's strconv.ParseBool, which pflag uses; anything else makes kube-proxy exit (not this rule's finding). */
function goBool(value: string): boolean {
  return /^(?:1|t|T|TRUE|true|True)$/.test(value);
}

/**
 * True for a container that runs kube-proxy and whose flags decide its configuration: its image
 * or command is kube-proxy (or hyperkube proxy), it has no `--config` (the file then replaces the
 * flags), and it does not start kube-proxy from a shell string (whose flags are not parsed here).
 */
function runsKubeProxyWithFlags(container: K8sContainer): boolean {
  const tokens = [...container.command, ...container.args];
  if (tokens.some((t) => /\s/.test(t.value.trim()) && /kube-proxy/.test(t.value))) return false;
  const byCommand =
    container.command.some((t) => /(?:^|\/)kube-proxy$/.test(t.value)) ||
    (/(?:^|\/)hyperkube$/.test(container.command[0]?.value ?? '') && /^(?:kube-)?proxy$/.test(container.command[1]?.value ?? ''));
  const byImage = /(?:^|\/)kube-proxy(?:-amd64|-arm64)?(?::|@|$)/.test(container.image?.value ?? '');
  if (!byCommand && !byImage) return false;
  return !tokens.some((t) => t.value === '--config' || t.value.startsWith('--config='));
}

function describeConfig(document: SourceDocument): string {
  const origin = (document.root as K8sDocument).embeddedIn;
  if (!origin) return 'KubeProxyConfiguration';
  const holder = `${origin.kind ?? 'object'} ${origin.namespace ? `${origin.namespace}/` : ''}${origin.name ?? ''}`.trim();
  if (origin.key === 'kubeadmConfigPatches') return `the KubeProxyConfiguration patch (kubeadmConfigPatches of ${holder})`;
  return `KubeProxyConfiguration (${holder}, key ${origin.key})`;
}

function describeWorkload(workload: K8sWorkload): string {
  const { kind, name, namespace } = workload.object;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name ?? ''}`.trim();
}

