import type { KindParser } from '../types.js';
import { parseKubernetes, walkKubernetes } from './parser.js';

export { parseKubernetes, walkKubernetes } from './parser.js';
export type { KubernetesParseOptions } from './parser.js';
export { parseYamlStream } from './yaml-tree.js';
export type { YamlStreamDocument } from './yaml-tree.js';

/**
 * Kubernetes manifests (YAML streams, JSON), kubeadm/kube-proxy/kind configs and ip-masq-agent's
 * config file, with documents embedded in their strings.
 */
export const kubernetesParser: KindParser = {
  kind: 'kubernetes',
  parse: (source, filePath) => parseKubernetes(source, filePath),
  walk: walkKubernetes,
};
