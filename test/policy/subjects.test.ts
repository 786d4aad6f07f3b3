import { describe, expect, it } from 'vitest';
import { lintWith, policy } from './helpers.js';

const header = (id: string, subject: string) => `id: ${id}
description: Test policy.
severity: error
subject: ${subject}
`;

const MANIFESTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
data:
  mode: iptables
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: calico-node
  namespace: kube-system
spec:
  template:
    spec:
      hostNetwork: true
---
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: kube-flannel-ds
      namespace: kube-flannel
    spec:
      template:
        spec:
          hostNetwork: false
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: coredns
    spec:
      template:
        spec: {}
`;

describe('document subjects (kind)', () => {
  it('checks each YAML document of a Kubernetes stream as a whole', () => {
    const rule = policy(`${header('every-doc-labelled', '{ kind: kubernetes }')}require: { required: [metadata] }
message: "{{kind}} {{metadata.name}}: {{error}}."
`);
    expect(rule.meta.inputs).toEqual(['kubernetes']);
    // The List document has no metadata; its items are not separate subjects here.
    const { findings, slices } = lintWith(rule, MANIFESTS, { kind: 'kubernetes' });
    expect(findings.map((f) => [f.line, f.message])).toEqual([[19, 'List (unset): Missing key "metadata".']]);
    expect(slices).toEqual(['apiVersion']);
  });

  it('checks daemon.json and CNI documents as their JSON values', () => {
    const docker = policy(`${header('no-userland-proxy', '{ kind: docker-daemon }')}forbid: { properties: { userland-proxy: { const: true } }, required: [userland-proxy] }
message: "{{error}}."
`);
    const text = '{\n  "ipv6": true,\n  "userland-proxy": true\n}\n';
    const { findings, slices } = lintWith(docker, text, { kind: 'docker-daemon' });
    expect(findings.map((f) => f.message)).toEqual(['Disallowed userland-proxy: true.']);
    expect(slices).toEqual(['true']);
    expect([findings[0].line, findings[0].column]).toEqual([3, 21]);
    expect(findings[0].path).toEqual(['userland-proxy']);

    const cni = policy(`${header('cni-bridge-no-ipmasq', '{ kind: cni }')}forbid:
  properties:
    plugins:
      contains:
        properties: { type: { const: bridge }, ipMasq: { const: true } }
        required: [type, ipMasq]
message: "Expected the bridge plugin of {{name}} not to masquerade: {{error}}."
`);
    const conflist = `{
  "cniVersion": "1.0.0",
  "name": "podnet",
  "plugins": [
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "ipam": { "type": "host-local", "subnet": "10.22.0.0/16" } }
  ]
}
`;
    const r = lintWith(cni, conflist, { kind: 'cni' });
    expect(r.findings.map((f) => f.message)).toEqual(['Expected the bridge plugin of podnet not to masquerade: Disallowed plugins[1].ipMasq: true.']);
    expect(r.slices).toEqual(['true']);
    expect(r.findings[0].path).toEqual(['plugins', 1, 'ipMasq']);
    expect(lintWith(cni, conflist.replace('"ipMasq": true', '"ipMasq": false'), { kind: 'cni' }).findings).toEqual([]);
  });
});

describe('Kubernetes object subjects', () => {
  const hostNetwork = (selector: string) =>
    policy(`${header('host-network', `{ kubernetes: ${selector} }`)}require:
  properties: { spec: { properties: { template: { properties: { spec: { required: [hostNetwork] } } } } } }
message: "{{kind}} {{metadata.namespace}}/{{metadata.name}}: {{error}}."
`);

  it('selects objects by kind, name, namespace and apiVersion, List items included', () => {
    const names = (selector: string) => {
      const rule = hostNetwork(selector);
      return lintWith(rule, MANIFESTS, { kind: 'kubernetes' }).findings.map((f) => f.message.split(':')[0]);
    };
    // Only coredns lacks hostNetwork; the selector decides whether it is a subject.
    expect(names('{ kind: Deployment }')).toEqual(['Deployment (unset)/coredns']);
    expect(names('{ kind: DaemonSet }')).toEqual([]);
    expect(names('{ kind: [DaemonSet, Deployment], namespace: "" }')).toEqual(['Deployment (unset)/coredns']);
    expect(names('{ kind: Deployment, namespace: kube-system }')).toEqual([]);
    expect(names('{ name: "/^core/" }')).toEqual(['Deployment (unset)/coredns']);
    expect(names('{ name: "/^CORE/i", apiVersion: "/^apps\\\\//" }')).toEqual(['Deployment (unset)/coredns']);
    expect(names('{ apiVersion: v1 }')).toEqual([]);
  });

  it('points into the object, with paths from the document root', () => {
    const rule = hostNetwork('{ kind: Deployment }');
    const { findings, slices } = lintWith(rule, MANIFESTS, { kind: 'kubernetes' });
    expect(slices).toEqual(['spec']);
    expect(findings[0].path).toEqual(['items', 1, 'spec', 'template', 'spec']);
    expect(findings[0].message).toBe('Deployment (unset)/coredns: Missing key "hostNetwork" in spec.template.spec.');
  });

  it('reads JSON manifests too', () => {
    const rule = hostNetwork('{ kind: DaemonSet }');
    const json = '{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"},\n "spec": {"template": {"spec": {"containers": []}}}}\n';
    const { findings, slices } = lintWith(rule, json, { kind: 'kubernetes' });
    expect(slices).toEqual(['"spec"']);
    expect([findings[0].line, findings[0].column]).toEqual([2, 24]);
  });
});

const DUMP = `# Generated by iptables-save v1.8.7 (nf_tables)
*nat
:POSTROUTING ACCEPT [0:0]
:KUBE-POSTROUTING - [0:0]
-A POSTROUTING -s 10.244.0.0/16 ! -d 10.0.0.0/8 -o eth0 -m comment --comment "pod egress" -j MASQUERADE --random-fully
-A KUBE-POSTROUTING -p udp -m udp ! --dport 53 -m mark --mark 0x4000/0x4000 -j MASQUERADE
-A POSTROUTING -s 10.22.0.0/16 -j SNAT --to-source 203.0.113.7 --persistent
COMMIT
*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -j ACCEPT
COMMIT
`;

describe('iptables rule subjects', () => {
  it('presents each rule as a JSON value', () => {
    const rule = policy(`${header('show-rule', '{ iptables: rule }')}require: false
message: "{{table}} {{chain}} {{target}} {{source}} {{destination}} {{outInterface}} {{matches}} {{comment}} {{line}} {{protocol.value}}"
`);
    expect(rule.meta.inputs).toEqual(['iptables']);
    const { findings, slices } = lintWith(rule, DUMP, { kind: 'iptables' });
    expect(findings.map((f) => f.message)).toEqual([
      'nat POSTROUTING {"name":"MASQUERADE","options":{"random-fully":[]}} {"value":"10.244.0.0/16","negated":false} {"value":"10.0.0.0/8","negated":true} {"value":"eth0","negated":false} [{"name":"comment","options":{"comment":["pod egress"]}}] pod egress 5 (unset)',
      'nat KUBE-POSTROUTING {"name":"MASQUERADE","options":{}} (unset) (unset) (unset) [{"name":"udp","options":{"!dport":["53"]}},{"name":"mark","options":{"mark":["0x4000/0x4000"]}}] (unset) 6 udp',
      'nat POSTROUTING {"name":"SNAT","options":{"to-source":["203.0.113.7"],"persistent":[]}} {"value":"10.22.0.0/16","negated":false} (unset) (unset) [] (unset) 7 (unset)',
      'filter FORWARD {"name":"ACCEPT","options":{}} (unset) (unset) (unset) [] (unset) 11 (unset)',
    ]);
    // A `false` schema fails at the root: the whole rule.
    const lines = DUMP.split('\n');
    expect(slices).toEqual([lines[4], lines[5], lines[6], lines[10]]);
  });

  it('maps instance paths to the rule\'s tokens', () => {
    const at = (schema: string) => {
      const rule = policy(`${header('where-is', '{ iptables: rule }')}where: { properties: { table: { const: nat } } }
require: ${schema}
message: "{{error}}"
`);
      return lintWith(rule, DUMP, { kind: 'iptables' }).slices;
    };
    expect(at('{ properties: { target: { properties: { name: { const: RETURN } } } } }')).toEqual(['MASQUERADE', 'MASQUERADE', 'SNAT']);
    expect(at('{ properties: { target: { properties: { options: { required: [random-fully] } } } } }')).toEqual([
      '-j MASQUERADE',
      '-j SNAT --to-source 203.0.113.7 --persistent',
    ]);
    expect(at('{ properties: { target: { properties: { options: { additionalProperties: false } } } } }')).toEqual([
      '--random-fully',
      '--to-source 203.0.113.7',
      '--persistent',
    ]);
    expect(at('{ properties: { target: { properties: { options: { properties: { to-source: { items: { pattern: "^10\\\\." } } } } } } } }')).toEqual(['203.0.113.7']);
    expect(at('{ properties: { destination: { properties: { negated: { const: false } } } } }')).toEqual(['! -d 10.0.0.0/8']);
    expect(at('{ properties: { chain: { const: POSTROUTING } } }')).toEqual(['KUBE-POSTROUTING']);
    expect(at('{ properties: { comment: { maxLength: 3 } } }')).toEqual(['"pod egress"']);
    expect(at('{ properties: { matches: { items: { properties: { options: { propertyNames: { not: { pattern: "^!" } } } } } } } }')).toEqual([
      '! --dport 53',
    ]);
    expect(at('{ properties: { matches: { maxItems: 1 } } }')).toEqual(['-m udp ! --dport 53 -m mark --mark 0x4000/0x4000']);
    expect(at('{ required: [destination] }')).toEqual([
      '-A KUBE-POSTROUTING -p udp -m udp ! --dport 53 -m mark --mark 0x4000/0x4000 -j MASQUERADE',
      '-A POSTROUTING -s 10.22.0.0/16 -j SNAT --to-source 203.0.113.7 --persistent',
    ]);
  });
});

describe('fact subjects', () => {
  it('presents facts as plain JSON and points at the fact', () => {
    const rule = policy(`${header('snat-fully-random', '{ fact: SnatPoint }')}require:
  properties: { portSelection: { const: fully-random } }
message: "{{engine}} {{family}} {{owner}} {{sources}} {{conditional}}: {{error}}."
`);
    const { findings, slices } = lintWith(rule, DUMP, { kind: 'iptables' });
    expect(findings.map((f) => f.message)).toEqual([
      'iptables ipv4 kube-proxy (unset) true: Expected portSelection to be "fully-random", found "sequential".',
      'iptables ipv4 (unset) ["10.22.0.0/16"] false: Expected portSelection to be "fully-random", found "sequential".',
    ]);
    expect(slices).toEqual(['-j MASQUERADE', '-j SNAT --to-source 203.0.113.7 --persistent']);
    expect(findings[0].path).toBeUndefined();
  });

  it('accepts the design names of fact types', () => {
    for (const name of ['ConntrackStats', 'Sysctl', 'Interface', 'Host']) {
      expect(() => policy(`${header(`fact-${name.toLowerCase()}`, `{ fact: ${name} }`)}require: true\nmessage: x\n`)).not.toThrow();
    }
  });
});
