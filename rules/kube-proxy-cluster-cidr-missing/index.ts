import { defineRule } from '../../src/engine/define-rule.js';
import type { Locatable } from '../../src/engine/types.js';
import type { SourceDocument } from '../../src/model/document.js';
import { getString, type K8sContainer, type K8sDocument, type K8sString, type K8sWorkload, type KubeProxyConfiguration } from '../../src/model/kubernetes.js';
import { getProperty } from '../../src/parsers/json/index.js';

/** What kube-proxy loses without a local-traffic detector, with and without masqueradeAll. */
const LOST_MASQUERADE =
  'connections to a ClusterIP from clients outside the pod network that route the Service range through a node are not masqueraded, and endpoints on other nodes answer those clients directly, bypassing the DNAT, so the connections fail';
const LOST_SHORTCUT =
  "pods reaching the LoadBalancer or external IP of an externalTrafficPolicy: Local Service are not short-circuited to the Service's endpoints and fail on nodes without a local endpoint";

/**
 * Reports kube-proxy that cannot tell pod traffic from other traffic (DOMAIN.md 4.2): detect-local
 * mode ClusterCIDR (the default; `detectLocalMode: ""` is how kubeadm serialises it, DOMAIN.md 10)
 * with no `clusterCIDR` / `--cluster-cidr`. kube-proxy then logs "Detect-local-mode set to
 * ClusterCIDR, but no cluster CIDR specified for primary IP family" and runs with a no-op local
 * detector (cmd/kube-proxy/app/server_linux.go `getLocalDetectors`), so the proxiers skip the
 * rules guarded by `localDetector.IsImplemented()`: `! -s <clusterCIDR> -j KUBE-MARK-MASQ` for
 * ClusterIPs and the pod short-circuit for external destinations (pkg/proxy/iptables/proxier.go).
 *
 * Also reports the other modes without the field they need, which kube-proxy's validation
 * rejects ("must not be empty", pkg/proxy/apis/config/validation): BridgeInterface without
 * `detectLocal.bridgeInterface` (`--pod-bridge-interface`), InterfaceNamePrefix without
 * `detectLocal.interfaceNamePrefix` (`--pod-interface-name-prefix`). NodeCIDR needs nothing here.
 *
 * Not reported: kubeadm patches (kind's `kubeadmConfigPatches`) and KubeProxyConfiguration
 * documents next to a kubeadm ClusterConfiguration with `networking.podSubnet`, because kubeadm
 * copies podSubnet into an empty clusterCIDR (cmd/kubeadm/app/componentconfigs/kubeproxy.go).
 */
export const rule = defineRule({
  meta: {
    id: 'kube-proxy-cluster-cidr-missing',
    inputs: ['kubernetes'],
    category: 'reliability',
    description: 'Require kube-proxy to know which sources are pods: clusterCIDR for detectLocalMode ClusterCIDR, and the interface settings of the other modes.',
    messages: {
      missingClusterCidr:
        'Missing {{field}} in {{where}}: with detect-local mode ClusterCIDR{{modeNote}}, kube-proxy cannot tell pod traffic from other traffic{{kubeadmNote}}: {{consequence}}.',
      missingInterface:
        'Missing {{field}} in {{where}}: detect-local mode {{mode}} needs it, and kube-proxy refuses to start without it ("must not be empty").',
    },
    recommended: 'error',
    defaultOptions: {},
  },
  create(context) {
    const document = context.document;
    const origin = (document.root as K8sDocument).embeddedIn;

    return {
      KubeProxyConfiguration(config: KubeProxyConfiguration) {
        const proxyMode = config.mode?.value ?? '';
        if (proxyMode === 'kernelspace') return;
        const where = describeConfig(document);
        const written = config.detectLocalMode;
        const mode = written?.value === '' || written === undefined ? 'ClusterCIDR' : written.value;
        if (mode === 'BridgeInterface' || mode === 'InterfaceNamePrefix') {
          const key = mode === 'BridgeInterface' ? 'bridgeInterface' : 'interfaceNamePrefix';
          if (config.detectLocal[key]?.value) return;
          context.report({ node: { range: written!.range }, path: written!.property.path, messageId: 'missingInterface', data: { field: `detectLocal.${key}`, where, mode } });
          return;
        }
        if (mode !== 'ClusterCIDR') return;
        // kubeadm fills an empty clusterCIDR from networking.podSubnet; kind always sets one.
        if (origin?.key === 'kubeadmConfigPatches') return;
        const cidrProperty = getProperty(config.node, 'clusterCIDR');
        const cidrValue = cidrProperty?.value;
        // Another type is kube-proxy-config-schema's finding.
        if (cidrValue && !(cidrValue.type === 'JsonLiteral' && (cidrValue.value === null || cidrValue.value === ''))) return;
        const kubeadm = kubeadmPodSubnet(document, context.scope.documents);
        if (kubeadm.podSubnet) return;
        const masqueradeAll = (proxyMode === 'nftables' ? config.nftables : config.iptables).masqueradeAll?.value === true;
        let node: Locatable;
        if (cidrValue && cidrValue.range[1] > cidrValue.range[0]) node = cidrValue;
        else if (cidrProperty) node = { range: cidrProperty.keyRange };
        else if (written) node = { range: written.range };
        else node = { range: getProperty(config.node, 'kind')?.range ?? config.object.range };
        context.report({
          node,
          path: [...config.object.path, 'clusterCIDR'],
          messageId: 'missingClusterCidr',
          data: {
            field: 'clusterCIDR',
            where,
            modeNote: written?.value === '' ? ' (detectLocalMode "" means ClusterCIDR; kubeadm writes the default that way)' : written ? '' : ' (the default)',
            kubeadmNote: kubeadm.clusterConfiguration ? ' (kubeadm copies networking.podSubnet into an empty clusterCIDR, but the ClusterConfiguration sets none)' : '',
            consequence: masqueradeAll ? LOST_SHORTCUT : `${LOST_MASQUERADE}; and ${LOST_SHORTCUT}`,
          },
          severity: 'warn',
        });
      },
      K8sWorkload(workload: K8sWorkload) {
        for (const container of [...workload.initContainers, ...workload.containers]) {
          const anchor = kubeProxyAnchor(container);
          if (!anchor) continue;
          const flags = (name: string) => lastFlag(container, name);
          if (flags('proxy-mode')?.value === 'kernelspace') continue;
          const where = describeWorkload(workload);
          const modeFlag = flags('detect-local-mode');
          const mode = modeFlag?.value || 'ClusterCIDR';
          if (mode === 'BridgeInterface' || mode === 'InterfaceNamePrefix') {
            const field = mode === 'BridgeInterface' ? '--pod-bridge-interface' : '--pod-interface-name-prefix';
            if (flags(field.slice(2))?.value) continue;
            context.report({ node: modeFlag!.token, path: modeFlag!.token.node.path, messageId: 'missingInterface', data: { field, where, mode } });
            continue;
          }
          if (mode !== 'ClusterCIDR' || flags('cluster-cidr')?.value) continue;
          const masqueradeAll = flags('masquerade-all');
          context.report({
            node: anchor,
            path: anchor.node.path,
            messageId: 'missingClusterCidr',
            data: {
              field: '--cluster-cidr',
              where: `the kube-proxy flags of ${where}`,
              modeNote: modeFlag ? '' : ' (the default)',
              kubeadmNote: '',
              consequence: masqueradeAll && /^(?:|1|t|T|TRUE|true|True)$/.test(masqueradeAll.value ?? '') ? LOST_SHORTCUT : `${LOST_MASQUERADE}; and ${LOST_SHORTCUT}`,
            },
            severity: 'warn',
          });
        }
      },
    };
  },
});

/** A flag as pflag reads it: `--name=value`, `--name value`, or bare `--name` (value undefined). */
interface FlagToken {
  value?: string;
  token: K8sString;
}

/**
 * The last `--name` of the container's command and args (pflag keeps the last). A separate
 * value is taken for non-boolean flags: `--cluster-cidr 10.244.0.0/16`.
 */
function lastFlag(container: K8sContainer, name: string): FlagToken | undefined {
  const tokens = [...container.command, ...container.args];
  const boolean = name === 'masquerade-all';
  let found: FlagToken | undefined;
  tokens.forEach((token, i) => {
    if (token.value === `--${name}`) {
      const next = tokens[i + 1];
      found = !boolean && next && !next.value.startsWith('-') ? { token, value: next.value } : { token };
    } else if (token.value.startsWith(`--${name}=`)) {
      found = { token, value: token.value.slice(name.length + 3) };
    }
  });
  return found;
}

/**
 * For a container that runs kube-proxy configured by flags, the token to report a missing flag
 * at: the kube-proxy command, else the image. Undefined for other containers, for kube-proxy with
 * `--config` (the file replaces the flags, cmd/kube-proxy/app/options.go `Complete`), and for
 * kube-proxy started from a shell string (its flags are not parsed here).
 */
function kubeProxyAnchor(container: K8sContainer): K8sString | undefined {
  const tokens = [...container.command, ...container.args];
  if (tokens.some((t) => /\s/.test(t.value.trim()) && /kube-proxy/.test(t.value))) return undefined;
  if (tokens.some((t) => t.value === '--config' || t.value.startsWith('--config='))) return undefined;
  const command = container.command.find((t) => /(?:^|\/)kube-proxy$/.test(t.value));
  if (command) return command;
  if (/(?:^|\/)hyperkube$/.test(container.command[0]?.value ?? '') && /^(?:kube-)?proxy$/.test(container.command[1]?.value ?? '')) {
    return container.command[0];
  }
  const image = container.image;
  if (image && /(?:^|\/)kube-proxy(?:-amd64|-arm64)?(?::|@|$)/.test(image.value) && image.property.value?.type === 'JsonLiteral') {
    const node = image.property.value;
    return { value: image.value, range: image.range, node };
  }
  return undefined;
}

/**
 * Whether the file holds a kubeadm ClusterConfiguration, and its `networking.podSubnet`, which
 * kubeadm copies into a KubeProxyConfiguration's empty clusterCIDR. `documents` are the scope's.
 */
function kubeadmPodSubnet(document: SourceDocument, documents: readonly SourceDocument[]): { clusterConfiguration: boolean; podSubnet?: string } {
  // Only a file's own documents: an embedded config.conf was written by kubeadm already.
  if (document.toOuter) return { clusterConfiguration: false };
  let clusterConfiguration = false;
  // A kubeadm config is one multi-document file.
  for (const doc of documents) {
    if (doc.kind !== 'kubernetes' || doc.filePath !== document.filePath || doc.toOuter) continue;
    for (const object of (doc.root as K8sDocument).objects) {
      if (object.kind !== 'ClusterConfiguration' || object.group !== 'kubeadm.k8s.io') continue;
      clusterConfiguration = true;
      const podSubnet = getString(object, ['networking', 'podSubnet']);
      if (podSubnet) return { clusterConfiguration, podSubnet };
    }
  }
  return { clusterConfiguration };
}

function describeConfig(document: SourceDocument): string {
  const origin = (document.root as K8sDocument).embeddedIn;
  if (!origin) return 'KubeProxyConfiguration';
  const holder = `${origin.kind ?? 'object'} ${origin.namespace ? `${origin.namespace}/` : ''}${origin.name ?? ''}`.trim();
  return `KubeProxyConfiguration (${holder}, key ${origin.key})`;
}

function describeWorkload(workload: K8sWorkload): string {
  const { kind, name, namespace } = workload.object;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name ?? ''}`.trim();
}
