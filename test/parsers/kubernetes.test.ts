import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';
import { parseText } from '../../src/engine/lint.js';
import type { CniConfig, FlannelNetConfig } from '../../src/model/cni.js';
import type { SourceDocument } from '../../src/model/document.js';
import {
  containerFlag,
  envVar,
  get,
  getString,
  ignoredRuleIds,
  type CalicoInstallation,
  type CalicoIPPool,
  type CiliumConfig,
  type FelixConfiguration,
  type K8sConfigMap,
  type K8sDocument,
  type K8sNode,
  type K8sObject,
  type K8sWorkload,
  type KindCluster,
  type KubeProxyConfiguration,
} from '../../src/model/kubernetes.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { nodeAtPath, type JsonValue } from '../../src/parsers/json/index.js';
import { kubernetesParser, parseKubernetes } from '../../src/parsers/kubernetes/index.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/kubernetes');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string, filePath = 'manifests/test.yaml') {
  const result = parseKubernetes(new SourceText(text), filePath);
  const k8s = result.documents.filter((d) => d.kind === 'kubernetes');
  const objects = k8s.flatMap((d) => (d.root as K8sDocument).objects);
  return { ...result, k8s, objects };
}

/** Outer range of a node of an (embedded) document. */
function outer(doc: SourceDocument, range: Range): Range {
  return doc.toOuter ? [doc.toOuter(range[0]), doc.toOuter(range[1])] : range;
}

function view<T extends BaseNode>(object: K8sObject | undefined, type: T['type']): T {
  const v = object?.views.find((x) => x.type === type);
  if (!v) throw new Error(`no ${type} view`);
  return v as unknown as T;
}

function walkTypes(doc: SourceDocument): string[] {
  const seen: string[] = [];
  kubernetesParser.walk(doc, (n) => seen.push(n.type));
  return seen;
}

const NEGATIVE = 'cilium-example-ip-masq-agent-rfc1918-configmap.yaml';

describeCorpus('corpus: every Kubernetes file is detected and parsed', () => {
  it.each(corpusFiles('kubernetes'))('%s', (name) => {
    const text = readCorpus('kubernetes', name);
    expect(detectKind(`corpus/kubernetes/${name}`, text)).toBe('kubernetes');
    const file = parseText(text, `corpus/kubernetes/${name}`);
    expect(file.kind).toBe('kubernetes');
    expect(file.findings.filter((f) => f.ruleId === 'internal-error')).toEqual([]);
    const errors = file.findings.filter((f) => f.ruleId === 'parse-error');
    if (name === NEGATIVE) {
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ line: 2, severity: 2, fatal: true });
      expect(errors[0].message).toMatch(/^Invalid YAML: mapping values are not allowed here: "kind" is indented/);
      expect(slice(text, errors[0].range)).toBe(':');
      expect(file.documents).toEqual([]);
    } else {
      expect(errors).toEqual([]);
      expect(file.documents.length).toBeGreaterThan(0);
    }
    // Every range of every object slices inside the file.
    for (const doc of file.documents) {
      if (doc.kind !== 'kubernetes') continue;
      for (const o of (doc.root as K8sDocument).objects) {
        const [s, e] = outer(doc, o.range);
        expect(0 <= s && s <= e && e <= text.length).toBe(true);
      }
    }
  });

  it('calico.yaml: the calico-node DaemonSet, its env, and the install-cni template as a cni document', () => {
    const text = readCorpus('kubernetes', 'calico-manifest-calico.yaml');
    const { documents, objects, findings } = parse(text, 'calico.yaml');
    expect(findings).toEqual([]);
    const ds = view<K8sWorkload>(objects.find((o) => o.kind === 'DaemonSet' && o.name === 'calico-node'), 'K8sWorkload');
    expect(ds.cni).toBe('calico');
    const node = ds.containers.find((c) => c.name?.value === 'calico-node')!;
    const natOutgoing = envVar(node, 'CALICO_IPV4POOL_IPIP') ?? envVar(node, 'CLUSTER_TYPE');
    expect(natOutgoing).toBeDefined();
    expect(slice(text, natOutgoing!.nameRange)).toBe(natOutgoing!.name);
    const mtu = ds.initContainers.flatMap((c) => c.env).find((e) => e.name === 'CNI_MTU')!;
    expect(mtu.valueFrom?.configMapKeyRef).toEqual({ name: 'calico-config', key: 'veth_mtu' });

    const configMap = objects.find((o) => o.name === 'calico-config')!;
    expect(view<K8sConfigMap>(configMap, 'K8sConfigMap').role).toBe('calico');
    const cni = documents.find((d) => d.kind === 'cni')!;
    expect(configMap.embedded).toEqual([expect.objectContaining({ key: 'cni_network_config', kind: 'cni', documents: [cni] })]);
    const config = cni.root as CniConfig;
    expect(config.isTemplate).toBe(true);
    expect(config.plugins.map((p) => p.pluginType)).toEqual(['calico', 'portmap']);
    // The bare __CNI_MTU__ placeholder keeps its exact place in the outer file.
    const mtuNode = nodeAtPath(config.node, ['plugins', 0, 'mtu'])!;
    expect(slice(text, outer(cni, mtuNode.range))).toBe('__CNI_MTU__');
    const snat = config.plugins[1].snat!;
    expect(slice(text, outer(cni, snat.property.range))).toBe('"snat": true');
    const at = cni.outerSource!.positionAt(cni.toOuter!(snat.range[0]));
    expect(text.split('\n')[at.line - 1].slice(at.column - 1)).toBe('true,');
  });

  it('kyverno kind config: a KubeProxyConfiguration inside a kubeadmConfigPatches string', () => {
    const name = 'kyverno-kind-config-kubeproxy-patch.yaml';
    const text = readCorpus('kubernetes', name);
    const { documents, objects } = parse(text, name);
    const cluster = view<KindCluster>(objects[0], 'KindCluster');
    expect(cluster.patches.map((p) => p.value.split('\n')[0])).toEqual([
      'kind: ClusterConfiguration',
      'kind: KubeProxyConfiguration',
      'kind: InitConfiguration',
    ]);
    const embedded = documents.filter((d) => (d.root as K8sDocument).embeddedIn);
    expect(embedded).toHaveLength(3);
    expect(embedded.every((d) => d.outerSource && d.toOuter && d.kind === 'kubernetes')).toBe(true);
    const proxyDoc = embedded.find((d) => (d.root as K8sDocument).objects[0]?.kind === 'KubeProxyConfiguration')!;
    expect((proxyDoc.root as K8sDocument).embeddedIn).toMatchObject({ kind: 'Cluster', key: 'kubeadmConfigPatches', path: ['kubeadmConfigPatches', 1], exact: true });
    const kp = view<KubeProxyConfiguration>((proxyDoc.root as K8sDocument).objects[0], 'KubeProxyConfiguration');
    expect(kp.object.apiVersion).toBeUndefined();
    const metrics = get(kp.object, ['metricsBindAddress'])!;
    const range = outer(proxyDoc, metrics.range);
    expect(slice(text, range)).toBe('0.0.0.0');
    expect(proxyDoc.outerSource!.positionAt(range[0])).toEqual({ line: 18, column: 25 });
    expect(walkTypes(proxyDoc)).toEqual(['K8sDocument', 'K8sObject', 'KubeProxyConfiguration']);
  });

  it('flannel: cni-conf.json as a cni document, net-conf.json in place, the DaemonSet and its flags', () => {
    const name = 'flannel-kube-flannel.yml';
    const text = readCorpus('kubernetes', name);
    const { documents, objects, findings } = parse(text, name);
    expect(findings).toEqual([]);
    const cfg = objects.find((o) => o.name === 'kube-flannel-cfg')!;
    const configMap = view<K8sConfigMap>(cfg, 'K8sConfigMap');
    expect(configMap.role).toBe('flannel');

    // An inner node of the conflist maps to its line and column in the outer file.
    const cni = documents.find((d) => d.kind === 'cni')!;
    expect(cni.filePath).toBe(name);
    expect(cni.outerSource?.text).toBe(text);
    const config = cni.root as CniConfig;
    const delegate = config.plugins[0].delegates[0];
    const hairpin = delegate.hairpinMode!;
    const keyRange = outer(cni, hairpin.property.keyRange);
    expect(slice(text, keyRange)).toBe('"hairpinMode"');
    const lines = text.split('\n');
    const pos = cni.outerSource!.positionAt(keyRange[0]);
    expect(lines[pos.line - 1].slice(pos.column - 1, pos.column - 1 + 13)).toBe('"hairpinMode"');
    expect(lines[pos.line - 1]).toBe('            "hairpinMode": true,');
    const portmap = config.plugins[1];
    const whole = outer(cni, portmap.node.range);
    expect(slice(text, whole)).toBe(['{', '          "type": "portmap",', '          "capabilities": {', '            "portMappings": true', '          }', '        }'].join('\n'));

    // The same with CRLF line ends.
    const crlf = text.replace(/\n/g, '\r\n');
    const crlfCni = parse(crlf, name).documents.find((d) => d.kind === 'cni')!;
    const crlfHairpin = (crlfCni.root as CniConfig).plugins[0].delegates[0].hairpinMode!;
    const crlfKey = outer(crlfCni, crlfHairpin.property.range);
    expect(slice(crlf, crlfKey)).toBe('"hairpinMode": true');
    expect(crlfCni.outerSource!.positionAt(crlfKey[0])).toEqual(pos);

    const net = configMap.flannelNetConf as FlannelNetConfig;
    expect(net.network?.value).toBe('10.244.0.0/16');
    expect(net.enableNFTables?.value).toBe(false);
    expect(slice(text, net.enableNFTables!.property.range)).toBe('"EnableNFTables": false');
    expect(net.backendType?.value).toBe('vxlan');

    const ds = view<K8sWorkload>(objects.find((o) => o.kind === 'DaemonSet'), 'K8sWorkload');
    expect(ds.cni).toBe('flannel');
    expect(ds.hostNetwork?.value).toBe(true);
    const flanneld = ds.containers[0];
    expect(flanneld.command.map((c) => c.value)).toEqual(['/opt/bin/flanneld']);
    const ipMasq = containerFlag(flanneld, '--ip-masq')!;
    expect(ipMasq).toMatchObject({ name: 'ip-masq' });
    expect(slice(text, ipMasq.range)).toBe('--ip-masq');
    expect(ds.initContainers.map((c) => c.name?.value)).toEqual(['install-cni-plugin', 'install-cni']);

    const cfgDoc = documents.find((d) => (d.root as K8sDocument).objects.includes(cfg))!;
    expect(walkTypes(cfgDoc)).toEqual(['K8sDocument', 'K8sObject', 'K8sConfigMap', 'FlannelNetConfig']);
  });

  it('operator Installation, IPPools, aws-node env, weave, Node-free files', () => {
    const install = parse(readCorpus('kubernetes', 'calico-operator-custom-resources.yaml')).objects;
    const installation = view<CalicoInstallation>(install[0], 'CalicoInstallation');
    expect(installation.ipPools.map((p) => [p.cidr?.value, p.natOutgoing?.value, p.encapsulation?.value])).toEqual([
      ['192.168.0.0/16', 'Enabled', 'VXLANCrossSubnet'],
    ]);
    expect(install.map((o) => o.kind)).toEqual(['Installation', 'APIServer', 'Goldmane', 'Whisker']);

    const poolsText = readCorpus('kubernetes', 'calico-ippools-natoutgoing-true-confd-input.yaml');
    const pools = parse(poolsText).objects.filter((o) => o.kind === 'IPPool').map((o) => view<CalicoIPPool>(o, 'CalicoIPPool'));
    expect(pools.map((p) => [p.object.name, p.natOutgoing?.value])).toEqual([
      ['ippoolv4-1', true],
      ['ippoolv4-2', true],
      ['ippoolv4-3', undefined],
      ['ippoolv6-1', true],
      ['ippoolv6-2', undefined],
    ]);
    expect(slice(poolsText, pools[0].natOutgoing!.property.range)).toBe('natOutgoing: true');
    // Calico's own Node resource is not a core Node.
    expect(parse(poolsText).objects.filter((o) => o.views.some((v) => v.type === 'K8sNode'))).toEqual([]);

    const aws = parse(readCorpus('kubernetes', 'aws-vpc-cni-aws-k8s-cni-master.yaml')).objects;
    const awsNode = view<K8sWorkload>(aws.find((o) => o.kind === 'DaemonSet'), 'K8sWorkload');
    expect(awsNode.cni).toBe('aws-vpc-cni');
    const container = awsNode.containers.find((c) => c.name?.value === 'aws-node')!;
    expect(envVar(container, 'AWS_VPC_K8S_CNI_RANDOMIZESNAT')?.value?.value).toBe('prng');
    expect(envVar(container, 'AWS_VPC_K8S_CNI_EXTERNALSNAT')?.value?.value).toBe('false');

    const weave = parse(readCorpus('kubernetes', 'weave-net-daemonset-k8s-1.11.yaml')).objects;
    expect(weave.flatMap((o) => o.views).find((v) => v.type === 'K8sWorkload')).toMatchObject({ cni: 'weave' });

    for (const name of ['ip-masq-agent-config-default.yaml', 'fury-ip-masq-agent-config-empty-nonmasq.yaml']) {
      const text = readCorpus('kubernetes', name);
      const { k8s } = parse(text, name);
      const config = (k8s[0].root as K8sDocument).ipMasqAgentConfig!;
      expect(config.type).toBe('IpMasqAgentConfig');
      expect(config.masqLinkLocal?.value).toBe(false);
      expect(slice(text, config.nonMasqueradeCIDRs!.range)).toMatch(/^(\[\]|- 10\.0\.0\.0\/8[\s\S]*192\.168\.0\.0\/16)$/);
      expect(walkTypes(k8s[0])).toEqual(['K8sDocument', 'IpMasqAgentConfig']);
    }
    const fury = parse(readCorpus('kubernetes', 'fury-ip-masq-agent-daemonset-patch.yaml')).objects;
    const furyDs = view<K8sWorkload>(fury[0], 'K8sWorkload');
    expect(furyDs.cni).toBe('ip-masq-agent');
    expect(containerFlag(furyDs.containers[0], 'masq-chain')?.value).toBe('IP-MASQ');
  });
});

describe('YAML streams', () => {
  it('a broken document is one located parse-error; the documents around it are still parsed', () => {
    const text = fixture('broken-stream.yaml');
    const { documents, objects, findings } = parse(text);
    expect(objects.map((o) => o.name)).toEqual(['first', 'aws-node']);
    expect(documents.map((d) => (d.root as K8sDocument).index)).toEqual([0, 2]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'parse-error', fatal: true, severity: 2 });
    // The unterminated string starts on line 13.
    expect(findings[0].line).toBe(13);
    expect(findings[0].message).toMatch(/^Invalid YAML: /);

    const aws = view<K8sWorkload>(objects[1], 'K8sWorkload');
    expect(aws.cni).toBe('aws-vpc-cni');
    const c = aws.containers[0];
    expect(c.args.map((a) => a.value)).toEqual(['--enable-ipv6=false', '--metrics']);
    const ipv6 = containerFlag(c, 'enable-ipv6')!;
    expect(ipv6.value).toBe('false');
    expect(slice(text, ipv6.valueRange!)).toBe('false');
    expect(containerFlag(c, 'metrics')?.name).toBe('metrics');
    expect(containerFlag(c, 'metrics')?.value).toBeUndefined();
    const snat = envVar(c, 'AWS_VPC_K8S_CNI_RANDOMIZESNAT')!;
    expect(slice(text, snat.value!.range)).toBe('"none"');
    expect(slice(text, snat.range)).toBe('name: AWS_VPC_K8S_CNI_RANDOMIZESNAT\n          value: "none"');
    expect(envVar(c, 'AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS')?.value?.value).toBe('10.9.0.0/16,10.10.0.0/16');
    expect(envVar(c, 'MY_NODE_NAME')?.valueFrom?.fieldRef).toEqual({ fieldPath: 'spec.nodeName' });
    const warm = envVar(c, 'WARM_ENI_TARGET')!;
    expect(warm.value).toBeUndefined();
    expect(warm.rawValue).toMatchObject({ valueType: 'number', value: 1 });

    const lint = parseText(text, 'broken-stream.yaml');
    expect(lint.findings.map((f) => f.ruleId)).toEqual(['parse-error']);
    expect(lint.documents).toHaveLength(2);
  });

  it('walks each document: object, views, containers and env in text order', () => {
    const { documents } = parse(fixture('broken-stream.yaml'));
    expect(walkTypes(documents[1])).toEqual([
      'K8sDocument',
      'K8sObject',
      'K8sWorkload',
      'K8sContainer',
      'K8sEnvVar',
      'K8sEnvVar',
      'K8sEnvVar',
      'K8sEnvVar',
    ]);
  });

  it('Helm template markup is a located parse-error per document; quoted markup in a clean document is data', () => {
    const text = fixture('helm-template.yaml');
    const { objects, findings } = parse(text);
    expect(objects.map((o) => o.name)).toEqual(['ok']);
    expect(findings.map((f) => [f.line, f.column, slice(text, f.range)])).toEqual([
      [9, 9, '{{ .Release.Name }}'],
      [13, 1, '{{- if .Values.flannel.enabled }}'],
    ]);
    expect(findings[0].message).toMatch(/^Invalid YAML: template markup "\{\{ \.Release\.Name \}\}" \(Helm or Go template\): render it first/);
    const quoted = parse('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  summary: "{{ $labels.instance }} is down"\n');
    expect(quoted.findings).toEqual([]);
    expect(getString(quoted.objects[0], ['data', 'summary'])).toBe('{{ $labels.instance }} is down');
  });

  it('duplicate keys are a parse-error (kubectl rejects them)', () => {
    const { findings, objects } = parse('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
    expect(objects).toEqual([]);
    expect(findings).toMatchObject([{ ruleId: 'parse-error', line: 5, column: 3 }]);
  });

  it('comments go to the document they are in; the header before the first --- to the first document', () => {
    const text = '# header\n# netlint-disable some-rule\n---\napiVersion: v1\nkind: Namespace # trailing\nmetadata:\n  name: a\n---\n# only a comment\n---\nkind: Namespace\napiVersion: v1\n# last\n';
    const { documents } = parse(text);
    expect(documents.map((d) => d.comments.map((c) => c.text))).toEqual([
      ['# header', '# netlint-disable some-rule', '# trailing'],
      ['# only a comment'],
      ['# last'],
    ]);
    for (const d of documents) for (const c of d.comments) expect(slice(text, c.range)).toBe(c.text);
    expect((documents[1].root as K8sDocument).objects).toEqual([]);
  });

  it('CRLF and a BOM: the same model, ranges slice the original text', () => {
    const lf = fixture('kube-proxy-configmap.yaml');
    const crlf = '\uFEFF' + lf.replace(/\n/g, '\r\n');
    const a = parse(lf);
    const b = parse(crlf);
    expect(b.findings).toEqual([]);
    expect(b.objects.map((o) => o.name)).toEqual(a.objects.map((o) => o.name));
    const kpA = b.k8s.find((d) => (d.root as K8sDocument).embeddedIn)!;
    const kp = view<KubeProxyConfiguration>((kpA.root as K8sDocument).objects[0], 'KubeProxyConfiguration');
    expect(kp.iptables.masqueradeAll?.value).toBe(true);
    const range = outer(kpA, kp.iptables.masqueradeAll!.property.range);
    expect(slice(crlf, range)).toBe('masqueradeAll: true');
    expect(kpA.outerSource!.positionAt(range[0])).toEqual({ line: 23, column: 7 });
    const name = get(b.objects[0], ['metadata', 'name'])!;
    expect(slice(crlf, name.range)).toBe('kube-proxy');
    const block = get(b.objects[0], ['data', 'config.conf'])!;
    expect(slice(crlf, block.range).startsWith('|-\r\n    apiVersion')).toBe(true);
    expect(slice(crlf, block.range).endsWith('# comment inside the embedded document')).toBe(true);
  });
});

describe('recognised objects', () => {
  it('kube-proxy ConfigMap: config.conf is an embedded KubeProxyConfiguration; annotations are exposed', () => {
    const text = fixture('kube-proxy-configmap.yaml');
    const { documents, objects, findings } = parse(text);
    expect(findings).toEqual([]);
    const cm = objects[0];
    expect(cm).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', group: '', name: 'kube-proxy', namespace: 'kube-system' });
    expect(cm.labels).toEqual({ app: 'kube-proxy' });
    expect(cm.annotations['netlint.io/ignore']).toBe('masquerade-without-random-fully, snat-to-in-vpc-services');
    expect(ignoredRuleIds(cm)).toEqual(['masquerade-without-random-fully', 'snat-to-in-vpc-services']);
    expect(view<K8sConfigMap>(cm, 'K8sConfigMap').role).toBe('kube-proxy');
    expect(Object.keys(view<K8sConfigMap>(cm, 'K8sConfigMap').data)).toEqual(['config.conf', 'kubeconfig.conf']);
    // Only config.conf is embedded (kubeconfig.conf is not a netlint input).
    expect(cm.embedded.map((e) => [e.key, e.kind])).toEqual([['config.conf', 'kubernetes']]);

    const inner = cm.embedded[0].documents[0];
    expect(documents).toContain(inner);
    const root = inner.root as K8sDocument;
    expect(root.embeddedIn).toMatchObject({ kind: 'ConfigMap', name: 'kube-proxy', namespace: 'kube-system', key: 'config.conf', path: ['data', 'config.conf'] });
    expect(inner.comments.map((c) => c.text)).toEqual(['# comment inside the embedded document']);
    expect(slice(text, outer(inner, inner.comments[0].range))).toBe('# comment inside the embedded document');
    const kp = view<KubeProxyConfiguration>(root.objects[0], 'KubeProxyConfiguration');
    expect(kp.mode?.value).toBe('iptables');
    expect(slice(text, outer(inner, kp.mode!.range))).toBe('"iptables"');
    expect(kp.clusterCIDR?.value).toBe('10.244.0.0/16');
    expect(kp.iptables.masqueradeAll?.value).toBe(true);
    expect(kp.iptables.masqueradeBit).toBeUndefined();
    expect(kp.nftables.masqueradeAll?.value).toBe(false);
    expect(kp.conntrack).toEqual({});
    expect(kp.detectLocalMode?.value).toBe('');
  });

  it('Calico cni_network_config: a cni template document; placeholders are no parse-error and keep their place', () => {
    const text = fixture('calico-config-template.yaml');
    for (const variant of [text, text.replace(/\n/g, '\r\n')]) {
      const { documents, objects, findings } = parse(variant, 'calico-config.yaml');
      expect(findings).toEqual([]);
      expect(view<K8sConfigMap>(objects[0], 'K8sConfigMap').role).toBe('calico');
      const cni = documents.find((d) => d.kind === 'cni')!;
      const config = cni.root as CniConfig;
      expect(config.isTemplate).toBe(true);
      expect(config.placeholders.map((p) => [p.name, p.quoted])).toEqual([
        ['__KUBERNETES_NODE_NAME__', true],
        ['__CNI_MTU__', false],
        ['__KUBECONFIG_FILEPATH__', true],
      ]);
      for (const p of config.placeholders) {
        const range = outer(cni, p.range);
        expect(slice(variant, range)).toBe(p.quoted ? `"${p.name}"` : p.name);
      }
      const mtu = outer(cni, config.placeholders[1].range);
      expect(cni.outerSource!.positionAt(mtu[0])).toEqual({ line: 17, column: 18 });
      expect(config.plugins[1].snat?.value).toBe(true);
    }
  });

  it('a broken embedded CNI config is a parse-error in the outer file; net-conf.json in a quoted string maps through escapes', () => {
    const text = fixture('flannel-broken-cni.yaml');
    const { documents, objects, findings } = parse(text, 'flannel.yaml');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'parse-error', filePath: 'flannel.yaml', line: 12, column: 63 });
    expect(slice(text, findings[0].range)).toBe(',');
    expect(findings[0].message).toMatch(/^Invalid trailing comma before "}": libcni/);
    // The trailing comma is recoverable: the conflist is still there for rules.
    expect(documents.filter((d) => d.kind === 'cni')).toHaveLength(1);
    const net = view<K8sConfigMap>(objects[0], 'K8sConfigMap').flannelNetConf!;
    expect(net.backendType?.value).toBe('host-gw');
    expect(slice(text, net.backendType!.range)).toBe('\\"host-gw\\"');
    expect(slice(text, net.network!.property.range)).toBe('\\"Network\\": \\"10.244.0.0/16\\"');
  });

  it('ip-masq-agent ConfigMap with JSON config in a single-quoted string', () => {
    const text = fixture('ip-masq-agent-configmap-json.yaml');
    const { objects, findings } = parse(text);
    expect(findings).toEqual([]);
    const inner = objects[0].embedded[0].documents[0];
    const config = (inner.root as K8sDocument).ipMasqAgentConfig!;
    expect(config.nonMasqueradeCIDRs?.value).toEqual(['10.0.0.0/8', 'fd00::/8']);
    const second = (config.nonMasqueradeCIDRs!.property.value as { items: JsonValue[] }).items[1];
    expect(slice(text, outer(inner, second.range))).toBe('"fd00::/8"');
    expect(config.resyncInterval?.value).toBe('60s');
  });

  it('a broken embedded config is a parse-error at its place in the outer file; the ConfigMap is still linted', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ip-masq-agent\ndata:\n  config: |\n    nonMasqueradeCIDRs:\n      - 10.0.0.0/8\n     masqLinkLocal: true\n';
    const { objects, findings } = parse(text);
    expect(objects).toHaveLength(1);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'parse-error', line: 9 });
  });

  it('JSON List: items become objects; cilium-config, Node kernel, kube-proxy config in a JSON string', () => {
    const text = fixture('list-v1.json');
    expect(detectKind('list-v1.json', text)).toBe('kubernetes');
    const { documents, objects, findings } = parse(text, 'list-v1.json');
    expect(findings).toEqual([]);
    const root = documents[0].root as K8sDocument;
    expect(root.format).toBe('json');
    expect(root.list?.kind).toBe('List');
    expect(objects.map((o) => [o.kind, o.name, o.path])).toEqual([
      ['ConfigMap', 'cilium-config', ['items', 0]],
      ['Node', 'ip-10-0-1-23.ec2.internal', ['items', 1]],
      ['ConfigMap', 'kube-proxy', ['items', 2]],
      ['KubeProxyConfiguration', undefined, []],
    ]);
    const cilium = view<CiliumConfig>(objects[0], 'CiliumConfig');
    expect(cilium.options['iptables-random-fully'].value).toBe('false');
    expect(slice(text, cilium.options['ipv4-native-routing-cidr'].range)).toBe('"10.0.0.0/8"');
    const node = view<K8sNode>(objects[1], 'K8sNode');
    expect(node.kernelVersion?.value).toBe('5.4.0-1103-aws');
    expect(slice(text, node.kernelVersion!.range)).toBe('"5.4.0-1103-aws"');

    // `mode: "ipvs"` is written with JSON escapes inside the outer string: `\"ipvs\"`.
    const inner = documents.find((d) => (d.root as K8sDocument).embeddedIn)!;
    const kp = view<KubeProxyConfiguration>((inner.root as K8sDocument).objects[0], 'KubeProxyConfiguration');
    expect(kp.mode?.value).toBe('ipvs');
    expect(slice(text, outer(inner, kp.mode!.range))).toBe('\\"ipvs\\"');
    expect(slice(text, outer(inner, kp.iptables.masqueradeAll!.property.range))).toBe('masqueradeAll: true');
  });

  it('typed *List kinds: items without kind take it from the list', () => {
    const text = fixture('calico-felix-pods.yaml');
    const { objects } = parse(text);
    expect(objects.map((o) => [o.kind, o.apiVersion, o.inferredKind ?? false])).toEqual([
      ['FelixConfiguration', 'crd.projectcalico.org/v1', false],
      ['IPPool', 'crd.projectcalico.org/v1', true],
    ]);
    const felix = view<FelixConfiguration>(objects[0], 'FelixConfiguration');
    expect(felix.featureOverrides).toEqual({ MASQFullyRandom: false, SNATFullyRandom: true, ChecksumOffloadBroken: undefined });
    expect(felix.natPortRange?.value).toBe('32768:65535');
    expect(felix.iptablesNATOutgoingInterfaceFilter?.value).toBe('eth+');
    const pool = view<CalicoIPPool>(objects[1], 'CalicoIPPool');
    expect([pool.cidr?.value, pool.natOutgoing?.value, pool.ipipMode?.value]).toEqual(['10.244.0.0/16', true, 'Always']);
    expect(slice(text, pool.object.range)).toMatch(/^metadata:\n {4}name: default-ipv4-ippool\n[\s\S]*ipipMode: Always$/);
  });

  it('value tree: paths, key ranges, aliases, flow collections and get()', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: &l {app: x}}\nspec:\n  nodeSelector: *l\n  containers:\n  - name: c\n    image: busybox\n    command: [sh, -c, "echo \\"hi\\""]\n';
    const { objects, findings } = parse(text);
    expect(findings).toEqual([]);
    const pod = objects[0];
    const containers = get(pod, ['spec', 'containers'])!;
    expect(containers.type).toBe('JsonArray');
    expect(containers.path).toEqual(['spec', 'containers']);
    expect(slice(text, containers.range)).toBe('- name: c\n    image: busybox\n    command: [sh, -c, "echo \\"hi\\""]');
    const image = get(pod, ['spec', 'containers', 0, 'image'])!;
    expect(image.path).toEqual(['spec', 'containers', 0, 'image']);
    expect(slice(text, image.property!.keyRange)).toBe('image');
    expect(slice(text, get(pod, ['metadata'])!.range)).toBe('{name: p, labels: &l {app: x}}');
    // The alias shares the anchored node.
    expect(getString(pod, ['spec', 'nodeSelector', 'app'])).toBe('x');
    const w = view<K8sWorkload>(pod, 'K8sWorkload');
    expect(w.containers[0].command.map((c) => c.value)).toEqual(['sh', '-c', 'echo "hi"']);
    expect(w.cni).toBeUndefined();
  });

  it('scalars resolve as Kubernetes reads them (go-yaml v2): yes/on are booleans, 0644 is octal', () => {
    const text = 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  natOutgoing: yes\n  disabled: Off\n  ipipMode: "on"\n  blockSize: 026\n  cidr: 10.0.0.0/8\n';
    const pool = view<CalicoIPPool>(parse(text).objects[0], 'CalicoIPPool');
    expect(pool.natOutgoing?.value).toBe(true);
    expect(pool.disabled?.value).toBe(false);
    expect(pool.ipipMode?.value).toBe('on');
    expect(pool.blockSize?.value).toBe(22);
    expect(slice(text, pool.natOutgoing!.range)).toBe('yes');
  });

  it('never throws on odd input', () => {
    const inputs = ['', '---\n', '- a\n- b\n', 'just a string', '{', '[1, 2]', 'kind: 5\n', 'a: &a [*a]\n', '\uFEFF', 'kind: List\nitems: 3\n', '\t- x\n'];
    for (const input of inputs) {
      expect(() => parse(input)).not.toThrow();
      const file = parseText(input, 'odd.yaml', { kind: 'kubernetes' });
      expect(file.findings.filter((f) => f.ruleId === 'internal-error')).toEqual([]);
    }
  });
});

describe('robustness', () => {
  it('random YAML-like text never throws, and every embedded offset maps inside the file', () => {
    const piece = fc.constantFrom(
      'apiVersion: v1\n', 'kind: ConfigMap\n', 'kind: List\n', 'items:\n', '- ', '  ', 'metadata:\n', '  name: kube-proxy\n',
      '  name: ip-masq-agent\n', 'data:\n', '  config.conf: |\n', '  config: "', '    kind: KubeProxyConfiguration\n',
      '  cni-conf.json: |-\n', '    {"type": "bridge", "ipMasq": true}\n', '  net-conf.json: \'{"Network": "10.0.0.0/8"}\'\n',
      '---\n', '{{ x }}', '"', "'", '\\', '\r\n', '\t', '# c\n', '&a ', '*a', '[', ']', '{', '}', ',', ': ', '\uFEFF', 'é', '__CNI_MTU__',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const result = parseKubernetes(new SourceText(text), 'fuzz.yaml');
        for (const f of result.findings) expect(f.range[0] >= 0 && f.range[1] <= text.length && f.range[0] <= f.range[1]).toBe(true);
        for (const doc of result.documents) {
          if (!doc.toOuter) continue;
          for (let o = 0; o <= doc.source.text.length; o++) {
            const at = doc.toOuter(o);
            expect(at >= 0 && at <= text.length).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stays linear: 8x the text takes well under 8x^2 the time', () => {
    const unit = fixture('kube-proxy-configmap.yaml') + '---\n' + fixture('broken-stream.yaml') + '\n---\n';
    const time = (n: number) => {
      const text = unit.repeat(n);
      const t = performance.now();
      parseKubernetes(new SourceText(text), 'big.yaml');
      return performance.now() - t;
    };
    time(20);
    const small = Math.max(time(40), 1);
    const large = time(320);
    expect(large / small).toBeLessThan(30);
  });
});
