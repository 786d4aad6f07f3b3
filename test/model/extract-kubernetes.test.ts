import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { lintText, parseText } from '../../src/engine/lint.js';
import { factsOf } from '../../src/model/extract/index.js';
import { extractKubernetesFacts } from '../../src/model/extract/kubernetes.js';
import type { Fact, HostFact, SnatPoint } from '../../src/model/facts.js';
import type { Finding, TextEdit } from '../../src/model/finding.js';
import type { K8sDocument } from '../../src/model/kubernetes.js';
import type { Range } from '../../src/model/source.js';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';

type Located<T> = T & { text: string; outerRange: Range };

/** Facts of a Kubernetes text, each with the outer-file text its range covers. */
function facts(text: string, filePath = 'manifests/net.yaml'): Located<Fact>[] {
  const parsed = parseText(text, filePath, { kind: 'kubernetes' });
  const out: Located<Fact>[] = [];
  for (const doc of parsed.documents) {
    if (doc.kind !== 'kubernetes') continue;
    for (const fact of extractKubernetesFacts(doc)) {
      const outerRange: Range = doc.toOuter ? [doc.toOuter(fact.range[0]), doc.toOuter(fact.range[1])] : fact.range;
      out.push({ ...fact, text: text.slice(outerRange[0], outerRange[1]), outerRange });
    }
  }
  return out;
}

const points = (text: string, filePath?: string) => facts(text, filePath).filter((f): f is Located<SnatPoint> => f.type === 'SnatPoint');

function only(text: string): Located<SnatPoint> {
  const list = points(text);
  expect(list).toHaveLength(1);
  return list[0];
}

/** The fields a test pins down. */
function summary(p: Located<SnatPoint>) {
  return {
    engine: p.engine,
    portSelection: p.portSelection,
    owner: p.owner,
    ...(p.ownerVersion ? { ownerVersion: p.ownerVersion } : {}),
    family: p.family,
    text: p.text,
  };
}

/** The text after the point's source fix (an edit of its own, top-level document). */
function applyFix(text: string, point: SnatPoint): string {
  const fix = point.fix!;
  expect(fix.node, 'fix has an edit').toBeDefined();
  expect(point.document.toOuter).toBeUndefined();
  const [start, end] = fix.insert ? [fix.node!.range[1], fix.node!.range[1]] : fix.node!.range;
  return text.slice(0, start) + fix.text! + text.slice(end);
}

function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.range[0] - a.range[0])) out = out.slice(0, e.range[0]) + e.text + out.slice(e.range[1]);
  return out;
}

/** Every YAML document of the text parses (with the `yaml` package), and netlint finds no parse error. */
function expectValidYaml(text: string): void {
  for (const doc of parseAllDocuments(text)) expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(parseText(text, 'fixed.yaml', { kind: 'kubernetes' }).findings.filter((f) => f.ruleId === 'parse-error')).toEqual([]);
}

/** masquerade-without-random-fully findings outside CNI configs embedded in the file (those are the cni extractor's). */
function masqueradeFindings(text: string, filePath: string): Finding[] {
  const parsed = parseText(text, filePath);
  const embeddedCni: Range[] = [];
  for (const doc of parsed.documents) {
    for (const object of (doc.root as K8sDocument).objects ?? []) {
      for (const ref of object.embedded) {
        if (ref.kind !== 'cni') continue;
        for (const inner of ref.documents) embeddedCni.push(inner.root.range.map((o) => inner.toOuter!(o)) as Range);
      }
    }
  }
  const inside = (f: Finding) => embeddedCni.some(([s, e]) => f.range[0] >= s && f.range[1] <= e);
  return lintText(text, { filePath }).findings.filter((f) => f.ruleId === 'masquerade-without-random-fully' && !inside(f));
}

// ---------------------------------------------------------------------------------------------

describeCorpus('Kubernetes corpus: SnatPoints', () => {
  const calicoV4 = { engine: 'calico', portSelection: 'fully-random', owner: 'Calico', family: 'ipv4' };
  const flannel010 = (arch: string) => ({
    engine: 'flannel',
    portSelection: 'sequential',
    owner: 'flannel',
    ownerVersion: '0.10.0',
    family: 'ipv4',
    text: `quay.io/coreos/flannel:v0.10.0-${arch}`,
  });
  const expected: Record<string, Record<string, unknown>[]> = {
    'aws-vpc-cni-aws-k8s-cni-master.yaml': [
      { engine: 'aws-vpc-cni', portSelection: 'fully-random', owner: 'AWS VPC CNI', ownerVersion: '1.23.1', family: 'ipv4', text: '"prng"' },
    ],
    // No RANDOMIZESNAT env: hashrandom, the default of v1.4.0–v1.6.x.
    'aws-vpc-cni-aws-k8s-cni-v1.6.yaml': [
      {
        engine: 'aws-vpc-cni',
        portSelection: 'hash-random',
        owner: 'AWS VPC CNI',
        ownerVersion: '1.6.0',
        family: 'ipv4',
        text: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.6.0',
      },
    ],
    'calico-ippool-lb-pools-natoutgoing-false.yaml': [],
    // ippoolv4-3 and ippoolv6-2 leave natOutgoing unset (CRD default false).
    'calico-ippools-natoutgoing-true-confd-input.yaml': [
      { ...calicoV4, text: 'true' },
      { ...calicoV4, text: 'true' },
      { ...calicoV4, family: 'ipv6', text: 'true' },
    ],
    // No pool in the file: calico-node creates the default pool, natOutgoing true. The image tag is master.
    'calico-manifest-calico.yaml': [{ ...calicoV4, text: 'calico-node' }],
    'calico-operator-custom-resources.yaml': [{ ...calicoV4, text: 'Enabled' }],
    // Not valid YAML: a parse error and no facts.
    'cilium-example-ip-masq-agent-rfc1918-configmap.yaml': [],
    'flannel-kube-flannel.yml': [{ engine: 'flannel', portSelection: 'fully-random', owner: 'flannel', ownerVersion: '0.28.9', family: 'ipv4', text: '--ip-masq' }],
    // The manifest at tag v0.11.0 still deploys the v0.10.0 images: no --random-fully.
    'flannel-v0.11.0-kube-flannel.yml': ['amd64', 'arm64', 'arm', 'ppc64le', 's390x'].map(flannel010),
    'fury-ip-masq-agent-config-empty-nonmasq.yaml': [{ engine: 'ip-masq-agent', portSelection: 'unknown', owner: 'ip-masq-agent', family: 'ipv4', text: '[]' }],
    // No tag: latest, version unknown.
    'fury-ip-masq-agent-daemonset-patch.yaml': [
      { engine: 'ip-masq-agent', portSelection: 'unknown', owner: 'ip-masq-agent', family: 'ipv4', text: 'gcr.io/google-containers/ip-masq-agent-amd64' },
    ],
    'ip-masq-agent-config-default.yaml': [
      { engine: 'ip-masq-agent', portSelection: 'unknown', owner: 'ip-masq-agent', family: 'ipv4', text: '- 10.0.0.0/8\n  - 172.16.0.0/12\n  - 192.168.0.0/16' },
    ],
    'ip-masq-agent-daemonset.yaml': [
      {
        engine: 'ip-masq-agent',
        portSelection: 'sequential',
        owner: 'ip-masq-agent',
        ownerVersion: '2.8.0',
        family: 'ipv4',
        text: 'registry.k8s.io/networking/ip-masq-agent:v2.8.0',
      },
    ],
    // The KubeProxyConfiguration patch, embedded in the kind config; no node image, so no version.
    'kyverno-kind-config-kubeproxy-patch.yaml': [{ engine: 'kube-proxy', portSelection: 'unknown', owner: 'kube-proxy', family: 'unknown', text: 'KubeProxyConfiguration' }],
    'weave-net-daemonset-k8s-1.11.yaml': [{ engine: 'weave', portSelection: 'sequential', owner: 'Weave Net', family: 'ipv4', text: "'weaveworks/weave-kube:latest'" }],
  };

  it('covers every Kubernetes corpus file', () => {
    expect(corpusFiles('kubernetes')).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s', (name, want) => {
    const text = readCorpus('kubernetes', name);
    expect(points(text, `corpus/kubernetes/${name}`).map(summary)).toEqual(want);
  });

  it('the registry gives the same facts', () => {
    const text = readCorpus('kubernetes', 'aws-vpc-cni-aws-k8s-cni-v1.6.yaml');
    const parsed = parseText(text, 'corpus/kubernetes/aws-vpc-cni-aws-k8s-cni-v1.6.yaml');
    const viaRegistry = parsed.documents.flatMap((d) => factsOf(d)).filter((f) => f.type === 'SnatPoint');
    expect(viaRegistry.map((f) => f.range)).toEqual(points(text).map((p) => p.range));
  });

  it('AWS v1.6: hashrandom by version, fix inserts the env entry', () => {
    const text = readCorpus('kubernetes', 'aws-vpc-cni-aws-k8s-cni-v1.6.yaml');
    const point = only(text);
    expect(point.portSelectionReason).toBe(
      'AWS_VPC_K8S_CNI_RANDOMIZESNAT unset: hashrandom, the default before v1.7.0 (image v1.6.0): SNAT --random',
    );
    expect(point.exemptDestinations).toEqual(['VPC CIDRs (automatic)']);
    expect(point.fix?.insert).toBe(true);
    expect(point.fix?.text).toBe('            - name: AWS_VPC_K8S_CNI_RANDOMIZESNAT\n              value: "prng"\n');
    const fixed = applyFix(text, point);
    expectValidYaml(fixed);
    expect(only(fixed)).toMatchObject({ portSelection: 'fully-random', text: '"prng"' });
  });

  it('Calico: pool exemptions are every pool of the family in the file', () => {
    const text = readCorpus('kubernetes', 'calico-ippools-natoutgoing-true-confd-input.yaml');
    const [a, b, v6] = points(text);
    expect(a.sources).toEqual(['192.168.0.0/16']);
    expect(a.exemptDestinations).toEqual(['192.168.0.0/16', '172.16.0.0/16', '172.17.0.0/16']);
    expect(b.sources).toEqual(['172.16.0.0/16']);
    expect(v6.exemptDestinations).toEqual(['2002::/64', '2010::/64']);
  });

  it('flannel: sources and exemptions from the ConfigMap net-conf.json', () => {
    const point = only(readCorpus('kubernetes', 'flannel-kube-flannel.yml'));
    expect(point.sources).toEqual(['10.244.0.0/16']);
    expect(point.exemptDestinations).toEqual(['10.244.0.0/16', '224.0.0.0/4']);
    expect(point.backend).toBeUndefined();
  });

  it('ip-masq-agent: [] masquerades everything but link-local', () => {
    expect(only(readCorpus('kubernetes', 'fury-ip-masq-agent-config-empty-nonmasq.yaml')).exemptDestinations).toEqual(['169.254.0.0/16']);
    expect(only(readCorpus('kubernetes', 'ip-masq-agent-config-default.yaml')).exemptDestinations).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '169.254.0.0/16',
    ]);
  });

  it('kube-proxy in the kind patch: unknown version, conditional', () => {
    const point = only(readCorpus('kubernetes', 'kyverno-kind-config-kubeproxy-patch.yaml'));
    expect(point.conditional).toBe(true);
    expect(point.portSelectionReason).toContain('kube-proxy >= 1.16 adds --random-fully when iptables >= 1.6.2');
  });

  describe('masquerade-without-random-fully through lintText', () => {
    const expectedFindings: Record<string, [line: number, column: number][]> = {
      'aws-vpc-cni-aws-k8s-cni-master.yaml': [],
      'aws-vpc-cni-aws-k8s-cni-v1.6.yaml': [[90, 18]],
      'calico-ippool-lb-pools-natoutgoing-false.yaml': [],
      'calico-ippools-natoutgoing-true-confd-input.yaml': [],
      'calico-manifest-calico.yaml': [],
      'calico-operator-custom-resources.yaml': [],
      'cilium-example-ip-masq-agent-rfc1918-configmap.yaml': [],
      'flannel-kube-flannel.yml': [],
      'flannel-v0.11.0-kube-flannel.yml': [
        [120, 16],
        [198, 16],
        [276, 16],
        [354, 16],
        [432, 16],
      ],
      'fury-ip-masq-agent-config-empty-nonmasq.yaml': [],
      'fury-ip-masq-agent-daemonset-patch.yaml': [],
      'ip-masq-agent-config-default.yaml': [],
      'ip-masq-agent-daemonset.yaml': [[18, 16]],
      'kyverno-kind-config-kubeproxy-patch.yaml': [],
      'weave-net-daemonset-k8s-1.11.yaml': [[154, 22]],
    };

    it('lists every corpus file', () => {
      expect(corpusFiles('kubernetes')).toEqual(Object.keys(expectedFindings).sort());
    });

    it.each(Object.entries(expectedFindings))('%s', (name, want) => {
      const filePath = `corpus/kubernetes/${name}`;
      const findings = masqueradeFindings(readCorpus('kubernetes', name), filePath);
      expect(findings.map((f) => [f.line, f.column])).toEqual(want);
      for (const f of findings) expect(f.messageId).toBe('sourceMissing');
    });

    it('the AWS suggestion gives valid YAML that lints clean', () => {
      const name = 'aws-vpc-cni-aws-k8s-cni-v1.6.yaml';
      const text = readCorpus('kubernetes', name);
      const [finding] = masqueradeFindings(text, name);
      expect(finding.message).toContain('Set AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng on the aws-node container');
      expect(finding.suggestions).toHaveLength(1);
      const fixed = applyEdits(text, finding.suggestions![0].edits);
      expectValidYaml(fixed);
      expect(masqueradeFindings(fixed, name)).toEqual([]);
    });

    it('no-knob sources carry advice and no suggestion', () => {
      const [weave] = masqueradeFindings(readCorpus('kubernetes', 'weave-net-daemonset-k8s-1.11.yaml'), 'w.yaml');
      expect(weave.message).toContain('weaveworks/weave#3287');
      expect(weave.suggestions ?? []).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------

const awsNode = (image: string, containerTail = '') => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: aws-node
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: aws-node
          image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:${image}
${containerTail}`;

const env = (...pairs: [string, string][]) =>
  `          env:\n${pairs.map(([n, v]) => `            - name: ${n}\n              value: ${v}\n`).join('')}`;

describe('AWS VPC CNI', () => {
  it.each([
    ['v1.6.0', '"hashrandom"', 'hash-random', '"hashrandom"'],
    ['v1.6.0', 'none', 'sequential', 'none'],
    ['v1.23.1', 'prng', 'fully-random', 'prng'],
    ['v1.6.0', '"prng"', 'fully-random', '"prng"'],
    ['v1.23.1', '"hashrandom"', 'hash-random', '"hashrandom"'],
  ])('%s with RANDOMIZESNAT=%s → %s', (image, value, portSelection, text) => {
    const point = only(awsNode(image, env(['AWS_VPC_K8S_CNI_RANDOMIZESNAT', value])));
    expect(point).toMatchObject({ portSelection, text });
  });

  it.each([
    ['v1.7.0', 'fully-random', 'prng, the default since v1.7.0'],
    ['v1.6.3-eksbuild.1', 'hash-random', 'hashrandom, the default before v1.7.0'],
    ['v1.4.0', 'hash-random', 'hashrandom, the default before v1.7.0'],
    ['latest', 'unknown', 'does not say the version'],
  ])('RANDOMIZESNAT unset on %s → %s', (image, portSelection, reason) => {
    const point = only(awsNode(image, env(['AWS_VPC_K8S_CNI_LOGLEVEL', 'DEBUG'])));
    expect(point.portSelection).toBe(portSelection);
    expect(point.portSelectionReason).toContain(reason);
    expect(point.text).toContain('amazon-k8s-cni:');
  });

  it('before v1.4.0: sequential whatever the env says, advice to upgrade', () => {
    const point = only(awsNode('v1.3.3', env(['AWS_VPC_K8S_CNI_RANDOMIZESNAT', 'prng'])));
    expect(point.portSelection).toBe('sequential');
    expect(point.fix).toBeUndefined();
    expect(point.advice).toContain('v1.7.0');
  });

  it('an invalid value falls back to the default', () => {
    const point = only(awsNode('v1.10.0', env(['AWS_VPC_K8S_CNI_RANDOMIZESNAT', 'random'])));
    expect(point.portSelection).toBe('fully-random');
    expect(point.portSelectionReason).toContain('is not prng, hashrandom or none');
    expect(point.text).toBe('random');
  });

  it('no SNAT with EXTERNALSNAT=true or ENABLE_IPv4=false', () => {
    expect(points(awsNode('v1.23.1', env(['AWS_VPC_K8S_CNI_EXTERNALSNAT', '"true"'])))).toEqual([]);
    expect(points(awsNode('v1.23.1', env(['ENABLE_IPv4', '"false"'], ['ENABLE_IPv6', '"true"'])))).toEqual([]);
    expect(points(awsNode('v1.23.1', env(['AWS_VPC_K8S_CNI_EXTERNALSNAT', '"false"'])))).toHaveLength(1);
  });

  it('EXCLUDE_SNAT_CIDRS adds exemptions', () => {
    const point = only(awsNode('v1.23.1', env(['AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS', '"10.8.0.0/16, 192.168.4.0/24,bad"'])));
    expect(point.exemptDestinations).toEqual(['VPC CIDRs (automatic)', '10.8.0.0/16', '192.168.4.0/24']);
    expect(point.traffic).toContain('outside the VPC CIDRs and 10.8.0.0/16, 192.168.4.0/24');
  });

  it('fix replaces the value, keeping its quotes', () => {
    for (const [value, replaced] of [
      ['"none"', '"prng"'],
      ['none', 'prng'],
      ["'hashrandom'", "'prng'"],
    ]) {
      const text = awsNode('v1.6.0', env(['AWS_VPC_K8S_CNI_RANDOMIZESNAT', value]));
      const point = only(text);
      expect(point.fix).toMatchObject({ text: replaced, description: 'Set AWS_VPC_K8S_CNI_RANDOMIZESNAT=prng on the aws-node container' });
      const fixed = applyFix(text, point);
      expectValidYaml(fixed);
      expect(only(fixed).portSelection).toBe('fully-random');
    }
  });

  it('fix adds an env list when the container has none', () => {
    const text = awsNode('v1.6.0', '          securityContext:\n            privileged: true\n');
    const point = only(text);
    expect(point.fix?.text).toBe('          env:\n          - name: AWS_VPC_K8S_CNI_RANDOMIZESNAT\n            value: "prng"\n');
    const fixed = applyFix(text, point);
    expectValidYaml(fixed);
    expect(only(fixed)).toMatchObject({ portSelection: 'fully-random', text: '"prng"' });
  });

  it('fix appends to a flow env list and to JSON manifests', () => {
    const flow = awsNode('v1.6.0', '          env: [{name: A, value: "1"}]\n');
    const fixedFlow = applyFix(flow, only(flow));
    expect(fixedFlow).toContain('env: [{name: A, value: "1"}, {"name": "AWS_VPC_K8S_CNI_RANDOMIZESNAT", "value": "prng"}]');
    expectValidYaml(fixedFlow);
    expect(only(fixedFlow).portSelection).toBe('fully-random');

    const json = JSON.stringify(
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'aws-node' },
        spec: { template: { spec: { containers: [{ name: 'aws-node', image: 'x/amazon-k8s-cni:v1.5.0', env: [{ name: 'A', value: '1' }] }] } } },
      },
      null,
      2,
    );
    const point = points(json, 'aws-node.json')[0];
    expect(point.portSelection).toBe('hash-random');
    const fixedJson = applyFix(json, point);
    const container = JSON.parse(fixedJson).spec.template.spec.containers[0];
    expect(container.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'AWS_VPC_K8S_CNI_RANDOMIZESNAT', value: 'prng' },
    ]);
  });

  it('an entry without a value gets one', () => {
    const text = awsNode('v1.6.0', '          env:\n            - name: AWS_VPC_K8S_CNI_RANDOMIZESNAT\n');
    const fixed = applyFix(text, only(text));
    expectValidYaml(fixed);
    expect(only(fixed).portSelection).toBe('fully-random');
  });

  it('valueFrom: unknown, described fix only', () => {
    const text = awsNode(
      'v1.6.0',
      '          env:\n            - name: AWS_VPC_K8S_CNI_RANDOMIZESNAT\n              valueFrom:\n                configMapKeyRef: {name: cni, key: snat}\n',
    );
    const point = only(text);
    expect(point.portSelection).toBe('unknown');
    expect(point.fix?.node).toBeUndefined();
  });

  it('CRLF files get CRLF edits', () => {
    const text = awsNode('v1.6.0', env(['A', 'b'])).replace(/\n/g, '\r\n');
    const point = only(text);
    expect(point.fix?.text).toBe('            - name: AWS_VPC_K8S_CNI_RANDOMIZESNAT\r\n              value: "prng"\r\n');
    expectValidYaml(applyFix(text, point));
  });
});

// ---------------------------------------------------------------------------------------------

const ipPool = (name: string, cidr: string, extra = 'natOutgoing: true') => `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: ${name}
spec:
  cidr: ${cidr}
  ${extra}
`;

const felix = (spec: string) => `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata:
  name: default
spec:
${spec}`;

const calicoNode = (image: string, envText = '') => `---
kind: DaemonSet
apiVersion: apps/v1
metadata:
  name: calico-node
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: calico-node
          image: quay.io/calico/node:${image}
${envText}`;

describe('Calico', () => {
  it('featureDetectOverride MASQFullyRandom=false: sequential; fix removes the entry', () => {
    const text = ipPool('p', '10.10.0.0/16') + felix('  featureDetectOverride: "ChecksumOffloadBroken=true,MASQFullyRandom=false"\n');
    const point = only(text);
    expect(point.portSelection).toBe('sequential');
    expect(point.portSelectionReason).toContain('FelixConfiguration default sets featureDetectOverride MASQFullyRandom=false');
    expect(point.fix?.text).toBe('"ChecksumOffloadBroken=true"');
    const fixed = applyFix(text, point);
    expectValidYaml(fixed);
    expect(only(fixed).portSelection).toBe('fully-random');
  });

  it('FELIX_FEATUREDETECTOVERRIDE on calico-node wins over the FelixConfiguration', () => {
    const text =
      ipPool('p', '10.10.0.0/16') +
      felix('  featureDetectOverride: "MASQFullyRandom=true"\n') +
      calicoNode('v3.27.0', env(['FELIX_FEATUREDETECTOVERRIDE', '"MASQFullyRandom=false"']));
    const point = only(text);
    expect(point).toMatchObject({ portSelection: 'sequential', ownerVersion: '3.27.0' });
    expect(point.fix?.text).toBe('""');
    const fixed = applyFix(text, point);
    expectValidYaml(fixed);
    expect(only(fixed).portSelection).toBe('fully-random');
  });

  it('calico/node before v3.3: sequential, advice to upgrade', () => {
    const point = only(ipPool('p', '10.10.0.0/16') + calicoNode('v3.2.3'));
    expect(point).toMatchObject({ portSelection: 'sequential', ownerVersion: '3.2.3' });
    expect(point.advice).toContain('v3.3');
    expect(point.fix).toBeUndefined();
  });

  it('natOutgoingAddress: SNAT, decided by SNATFullyRandom', () => {
    const text = ipPool('p', '10.10.0.0/16') + felix('  natOutgoingAddress: 192.0.2.10\n  featureDetectOverride: MASQFullyRandom=false\n');
    const point = only(text);
    expect(point.portSelection).toBe('fully-random');
    expect(point.portSelectionReason).toContain('SNAT --to-source 192.0.2.10');
    const off = only(ipPool('p', '10.10.0.0/16') + felix('  natOutgoingAddress: 192.0.2.10\n  featureDetectOverride: SNATFullyRandom=false\n'));
    expect(off.portSelection).toBe('sequential');
  });

  it('natOutgoingExclusions and the interface filter', () => {
    const point = only(
      ipPool('p', '10.10.0.0/16') + ipPool('q', '10.20.0.0/16', 'disabled: true') + felix('  natOutgoingExclusions: IPPoolsAndHostIPs\n  iptablesNATOutgoingInterfaceFilter: eth+\n'),
    );
    expect(point.exemptDestinations).toEqual(['10.10.0.0/16', '10.20.0.0/16', 'host IPs (natOutgoingExclusions: IPPoolsAndHostIPs)']);
    expect(point.outInterface).toBe('eth+');
  });

  it('LoadBalancer-only pools are not sources, nor exemptions', () => {
    const text = ipPool('lb', '80.15.0.0/24', 'natOutgoing: true\n  allowedUses: [LoadBalancer]') + ipPool('p', '10.10.0.0/16');
    const point = only(text);
    expect(point.sources).toEqual(['10.10.0.0/16']);
    expect(point.exemptDestinations).toEqual(['10.10.0.0/16']);
  });

  it('go-yaml booleans: natOutgoing: yes', () => {
    expect(only(ipPool('p', '10.10.0.0/16', 'natOutgoing: yes')).text).toBe('yes');
  });

  it('operator pools: natOutgoing defaults by family; ipPools unset gives the default pool', () => {
    const installation = (network: string) => `apiVersion: operator.tigera.io/v1
kind: Installation
metadata:
  name: default
spec:
  calicoNetwork:
${network}`;
    const list = points(installation('    ipPools:\n      - cidr: 10.48.0.0/16\n      - cidr: fd00:10::/64\n      - cidr: 10.50.0.0/16\n        natOutgoing: Disabled\n'));
    expect(list.map((p) => [p.text, p.family])).toEqual([['10.48.0.0/16', 'ipv4']]);
    expect(list[0].exemptDestinations).toEqual(['10.48.0.0/16', '10.50.0.0/16']);
    const v6 = points(installation('    ipPools:\n      - cidr: fd00:10::/64\n        natOutgoing: Enabled\n'));
    expect(v6.map((p) => [p.text, p.family])).toEqual([['Enabled', 'ipv6']]);
    const defaults = points(installation('    linuxDataplane: Nftables\n'));
    expect(defaults.map((p) => [p.text, p.sources, p.backend])).toEqual([['calicoNetwork', ['192.168.0.0/16'], 'nftables']]);
    expect(points(installation('    ipPools: []\n'))).toEqual([]);
  });

  it('calico-node default pools', () => {
    expect(points(calicoNode('v3.27.0', env(['NO_DEFAULT_POOLS', '"true"'])))).toEqual([]);
    expect(points(calicoNode('v3.27.0', env(['CALICO_IPV4POOL_NAT_OUTGOING', '"false"'])))).toEqual([]);
    const withCidr = only(calicoNode('v3.27.0', env(['CALICO_IPV4POOL_CIDR', '"10.244.0.0/16"'])));
    expect(withCidr).toMatchObject({ text: '"10.244.0.0/16"', sources: ['10.244.0.0/16'], portSelection: 'fully-random' });
    const dual = points(
      calicoNode('v3.27.0', env(['CALICO_IPV6POOL_CIDR', 'fd00:244::/64'], ['CALICO_IPV6POOL_NAT_OUTGOING', '"true"'], ['FELIX_NFTABLESMODE', 'Enabled'])),
    );
    expect(dual.map((p) => [p.family, p.text, p.backend])).toEqual([
      ['ipv4', 'calico-node', 'nftables'],
      ['ipv6', '"true"', 'nftables'],
    ]);
    // Pools in the file: calico-node creates no default pool of that family.
    expect(points(calicoNode('v3.27.0') + ipPool('p', '10.10.0.0/16')).map((p) => p.text)).toEqual(['true']);
  });
});

// ---------------------------------------------------------------------------------------------

const flannelDs = (image: string, args: string[]) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-flannel-ds
  namespace: kube-flannel
spec:
  template:
    spec:
      containers:
      - name: kube-flannel
        image: ghcr.io/flannel-io/flannel:${image}
        command:
        - /opt/bin/flanneld
        args:
${args.map((a) => `        - ${a}\n`).join('')}        resources: {}
`;

const flannelCfg = (netConf: string) => `---
kind: ConfigMap
apiVersion: v1
metadata:
  name: kube-flannel-cfg
  namespace: kube-flannel
data:
  net-conf.json: |
    ${netConf}
`;

describe('flannel', () => {
  it('--ip-masq-fully-random-disable: sequential; fix removes the argument', () => {
    const text = flannelDs('v0.28.0', ['--ip-masq', '--ip-masq-fully-random-disable', '--kube-subnet-mgr']);
    const point = only(text);
    expect(point).toMatchObject({ portSelection: 'sequential', text: '--ip-masq-fully-random-disable' });
    expect(point.fix?.description).toBe('Remove --ip-masq-fully-random-disable from the kube-flannel container');
    const fixed = applyFix(text, point);
    expect(fixed).toContain('        - --ip-masq\n        - --kube-subnet-mgr\n');
    expectValidYaml(fixed);
    expect(only(fixed)).toMatchObject({ portSelection: 'fully-random', text: '--ip-masq' });
  });

  it('the disable flag with =false keeps fully random', () => {
    expect(only(flannelDs('v0.28.0', ['--ip-masq', '--ip-masq-fully-random-disable=false'])).portSelection).toBe('fully-random');
  });

  it('before v0.11.0: sequential, advice to upgrade', () => {
    const point = only(flannelDs('v0.10.0', ['--ip-masq']));
    expect(point).toMatchObject({ portSelection: 'sequential', ownerVersion: '0.10.0' });
    expect(point.advice).toContain('v0.11.0');
  });

  it('unknown tag: unknown', () => {
    expect(only(flannelDs('latest', ['--ip-masq'])).portSelection).toBe('unknown');
  });

  it('no --ip-masq, or --ip-masq=false: no SNAT by flanneld', () => {
    expect(points(flannelDs('v0.28.0', ['--kube-subnet-mgr']))).toEqual([]);
    expect(points(flannelDs('v0.28.0', ['--ip-masq=false']))).toEqual([]);
  });

  it('net-conf.json: networks, dual stack and the nftables backend', () => {
    const text =
      flannelCfg('{"Network": "10.244.0.0/16", "EnableIPv6": true, "IPv6Network": "fd00:244::/56", "EnableNFTables": true, "Backend": {"Type": "vxlan"}}') +
      flannelDs('v0.28.0', ['--ip-masq']);
    const point = only(text);
    expect(point).toMatchObject({ family: 'both', sources: ['10.244.0.0/16', 'fd00:244::/56'], backend: 'nftables' });
    expect(point.exemptDestinations).toEqual(['10.244.0.0/16', 'fd00:244::/56', '224.0.0.0/4', 'ff00::/8']);
  });
});

// ---------------------------------------------------------------------------------------------

const ipMasqAgent = (image: string, args: string[] = []) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ip-masq-agent
  namespace: kube-system
spec:
  template:
    spec:
      containers:
      - name: ip-masq-agent
        image: registry.k8s.io/networking/ip-masq-agent:${image}
${args.length ? `        args:\n${args.map((a) => `          - ${a}\n`).join('')}` : ''}`;

describe('ip-masq-agent', () => {
  it('from v2.10.0: fully random', () => {
    expect(only(ipMasqAgent('v2.12.6'))).toMatchObject({ portSelection: 'fully-random', ownerVersion: '2.12.6' });
    expect(only(ipMasqAgent('v2.10.0'))).toMatchObject({ portSelection: 'fully-random' });
  });

  it('old image: sequential, advice to upgrade', () => {
    const point = only(ipMasqAgent('v2.9.3'));
    expect(point.portSelection).toBe('sequential');
    expect(point.advice).toBe('Upgrade ip-masq-agent to v2.10.0 or later, which adds --random-fully by default');
  });

  it('--random-fully=false: sequential; fix sets true', () => {
    const text = ipMasqAgent('v2.12.0', ['--masq-chain=IP-MASQ', '--random-fully=false']);
    const point = only(text);
    expect(point).toMatchObject({ portSelection: 'sequential', text: '--random-fully=false' });
    expect(point.fix).toMatchObject({ text: 'true' });
    const fixed = applyFix(text, point);
    expect(fixed).toContain('- --random-fully=true\n');
    expectValidYaml(fixed);
    expect(only(fixed).portSelection).toBe('fully-random');
  });

  it('the ConfigMap of the same file decides the exemptions', () => {
    const configMap = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
  namespace: kube-system
data:
  config: |
    nonMasqueradeCIDRs: []
    masqLinkLocal: true
`;
    const list = points(configMap + ipMasqAgent('v2.12.0'));
    expect(list).toHaveLength(1);
    expect(list[0].exemptDestinations).toEqual([]);
    expect(list[0].traffic).toContain('outside nothing');
    // Alone, the ConfigMap gives a point of its own, at its list.
    expect(only(configMap)).toMatchObject({ portSelection: 'unknown', text: '[]', exemptDestinations: [] });
  });

  it('--nomasq-all-reserved-ranges widens the default list; --enable-ipv6 adds fe80::/10', () => {
    const configMap = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ip-masq-agent
data:
  config: |
    masqLinkLocal: false
`;
    const point = only(configMap + ipMasqAgent('v2.12.0', ['--nomasq-all-reserved-ranges', '--enable-ipv6']));
    expect(point.family).toBe('both');
    expect(point.exemptDestinations).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
      '192.0.0.0/24',
      '192.0.2.0/24',
      '192.88.99.0/24',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '240.0.0.0/4',
      '169.254.0.0/16',
      'fe80::/10',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

const ciliumConfig = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: cilium-config
  namespace: kube-system
data:
  cluster-pool-ipv4-cidr: "10.0.0.0/8"
${data}`;

describe('Cilium', () => {
  it('default: iptables masquerade without --random-fully; fix adds iptables-random-fully: "true"', () => {
    const text = ciliumConfig('  routing-mode: "native"\n  ipv4-native-routing-cidr: "10.0.0.0/8"\n');
    const point = only(text);
    expect(point).toMatchObject({
      engine: 'cilium',
      owner: 'Cilium',
      portSelection: 'sequential',
      family: 'ipv4',
      text: 'cilium-config',
      exemptDestinations: ['10.0.0.0/8'],
      sources: ['10.0.0.0/8'],
      backend: 'iptables',
    });
    expect(point.fix?.text).toBe('  iptables-random-fully: "true"\n');
    const fixed = applyFix(text, point);
    expectValidYaml(fixed);
    expect(only(fixed)).toMatchObject({ portSelection: 'fully-random', text: '"true"' });
  });

  it('"true": fully random; "false": sequential, fix flips it', () => {
    expect(only(ciliumConfig('  iptables-random-fully: "true"\n')).portSelection).toBe('fully-random');
    const text = ciliumConfig('  enable-ipv4-masquerade: "true"\n  iptables-random-fully: "false"\n');
    const point = only(text);
    expect(point).toMatchObject({ portSelection: 'sequential', text: '"false"' });
    const fixed = applyFix(text, point);
    expect(fixed).toContain('iptables-random-fully: "true"');
    expect(only(fixed).portSelection).toBe('fully-random');
  });

  it('BPF masquerade: unknown; masquerading off: nothing', () => {
    const bpf = only(ciliumConfig('  enable-bpf-masquerade: "true"\n'));
    expect(bpf.portSelection).toBe('unknown');
    expect(bpf.portSelectionReason).toContain('own port allocator');
    expect(points(ciliumConfig('  enable-ipv4-masquerade: "false"\n'))).toEqual([]);
  });

  it('the older native-routing-cidr key, and IPv6', () => {
    expect(only(ciliumConfig('  native-routing-cidr: "10.1.0.0/16"\n')).exemptDestinations).toEqual(['10.1.0.0/16']);
    const dual = points(ciliumConfig('  enable-ipv6: "true"\n  ipv6-native-routing-cidr: "fd00::/100"\n  iptables-random-fully: "true"\n'));
    expect(dual.map((p) => [p.family, p.portSelection, p.exemptDestinations])).toEqual([
      ['ipv4', 'fully-random', undefined],
      ['ipv6', 'fully-random', ['fd00::/100']],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

const kubeProxyConfigMap = (conf: string) => `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
data:
  config.conf: |-
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    kind: KubeProxyConfiguration
${conf
  .split('\n')
  .filter(Boolean)
  .map((l) => `    ${l}\n`)
  .join('')}`;

const kubeProxyDs = (image: string, flags: string[] = ['--config=/var/lib/kube-proxy/config.conf']) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-proxy
  namespace: kube-system
spec:
  template:
    spec:
      containers:
      - name: kube-proxy
        image: registry.k8s.io/kube-proxy:${image}
        command:
        - /usr/local/bin/kube-proxy
${flags.map((f) => `        - ${f}\n`).join('')}`;

describe('kube-proxy', () => {
  it('nftables mode: always fully random, at the mode value of the embedded config', () => {
    const point = only(kubeProxyConfigMap('mode: nftables\n'));
    expect(point).toMatchObject({ engine: 'kube-proxy', portSelection: 'fully-random', conditional: true, text: 'nftables', backend: 'nftables' });
    expect(point.document.toOuter).toBeDefined();
  });

  it('iptables/ipvs: by the DaemonSet image of the same file', () => {
    expect(only(kubeProxyConfigMap('mode: ipvs\n') + kubeProxyDs('v1.30.2'))).toMatchObject({ portSelection: 'fully-random', ownerVersion: '1.30.2', text: 'ipvs' });
    const old = only(kubeProxyConfigMap('mode: ""\n') + kubeProxyDs('v1.15.3'));
    expect(old).toMatchObject({ portSelection: 'sequential', ownerVersion: '1.15.3' });
    expect(old.advice).toContain('1.16');
    const unknown = only(kubeProxyConfigMap('mode: iptables\n'));
    expect(unknown.portSelection).toBe('unknown');
    expect(unknown.portSelectionReason).toMatch(/kube-proxy >= 1\.16 adds --random-fully when iptables >= 1\.6\.2$/);
  });

  it('masqueradeAll and masqueradeBit in traffic', () => {
    const point = only(kubeProxyConfigMap('iptables:\n  masqueradeAll: true\n  masqueradeBit: 13\n'));
    expect(point.traffic).toBe('all service traffic (masqueradeAll: true), marked with 0x2000');
    expect(point.text).toBe('KubeProxyConfiguration');
  });

  it('a DaemonSet without a config in the file speaks for itself', () => {
    const point = only(kubeProxyDs('v1.14.0', ['--proxy-mode=ipvs', '--masquerade-all', '--cluster-cidr=10.244.0.0/16']));
    expect(point).toMatchObject({ portSelection: 'sequential', text: '--proxy-mode=ipvs' });
    expect(point.traffic).toContain('masqueradeAll');
    expect(only(kubeProxyDs('v1.29.0', ['--proxy-mode=nftables'])).portSelection).toBe('fully-random');
  });

  it('kubeadm ClusterConfiguration.kubernetesVersion names the version', () => {
    const text = `apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
kubernetesVersion: v1.28.4
---
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
`;
    expect(only(text)).toMatchObject({ portSelection: 'fully-random', ownerVersion: '1.28.4', text: 'iptables' });
  });

  it('kind clusters: node images name the version; kubeProxyMode none means no kube-proxy', () => {
    const kind = (extra: string) => `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
${extra}nodes:
  - role: control-plane
    image: kindest/node:v1.29.2
`;
    expect(only(kind(''))).toMatchObject({ portSelection: 'fully-random', ownerVersion: '1.29.2', text: 'Cluster' });
    expect(points(kind('networking:\n  kubeProxyMode: none\n'))).toEqual([]);
    const patched = only(kind('kubeadmConfigPatches:\n  - |\n    kind: KubeProxyConfiguration\n    mode: ipvs\n'));
    expect(patched).toMatchObject({ portSelection: 'fully-random', text: 'ipvs' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('Weave Net and Node objects', () => {
  it('Weave: IPALLOC_RANGE is the source; advice, no fix', () => {
    const text = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: weave-net
spec:
  template:
    spec:
      containers:
        - name: weave
          image: weaveworks/weave-kube:2.8.1
          env:
            - name: IPALLOC_RANGE
              value: 10.40.0.0/16
`;
    const point = only(text);
    expect(point).toMatchObject({ engine: 'weave', portSelection: 'sequential', ownerVersion: '2.8.1', sources: ['10.40.0.0/16'] });
    expect(point.fix).toBeUndefined();
    expect(point.advice).toContain('weaveworks/weave#3287');
  });

  it('Node: kernelVersion becomes a Host fact', () => {
    const text = `apiVersion: v1
kind: NodeList
items:
  - metadata:
      name: ip-10-0-1-23.ec2.internal
    status:
      nodeInfo:
        kernelVersion: 5.15.0-1019-aws
        osImage: Ubuntu 22.04.1 LTS
  - metadata:
      name: broken
    status:
      nodeInfo:
        kernelVersion: unknown
`;
    const hosts = facts(text).filter((f): f is Located<HostFact> => f.type === 'Host');
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({
      text: '5.15.0-1019-aws',
      nodeName: 'ip-10-0-1-23.ec2.internal',
      kernel: { raw: '5.15.0-1019-aws', major: 5, minor: 15, patch: 0, suffix: '-1019-aws', distro: 'ubuntu' },
    });
  });
});

describe('documents of the file', () => {
  it('reads related objects in flow style and behind CRDs and comments', () => {
    const crd = `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ippools.crd.projectcalico.org
spec:
  names:
    kind: IPPool
  description: |
    kind: IPPool
---
# only a comment
`;
    const flowPool = '---\n{apiVersion: projectcalico.org/v3, kind: IPPool, metadata: {name: q}, spec: {cidr: 10.20.0.0/16}}\n';
    const point = only(crd + ipPool('p', '10.10.0.0/16') + flowPool);
    expect(point.exemptDestinations).toEqual(['10.10.0.0/16', '10.20.0.0/16']);
  });
});
