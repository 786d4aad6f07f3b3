import { describe, expect, it } from 'vitest';
import { lintWith, policy } from './helpers.js';

/** A policy on Kubernetes Deployments (or `subject`) with the given schema lines. */
function k8s(body: string, subject = '{ kubernetes: { kind: Deployment } }') {
  return policy(`id: test-policy
description: Test policy.
severity: warn
subject: ${subject}
${body}`);
}

const DEPLOYMENT = `# comment before
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  namespace: shop
  labels:
    app: web
    tier: "front"
  annotations:
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
        - name: sidecar
          image: envoy:v1.31
      dnsConfig: { options: [ { name: ndots, value: "2" } ] }
`;

describe('where, require and forbid', () => {
  it('skips subjects that do not match where', () => {
    const rule = k8s(`where: { properties: { metadata: { properties: { namespace: { const: prod } } } } }
require: false
message: x
`);
    expect(lintWith(rule, DEPLOYMENT, { kind: 'kubernetes' }).findings).toEqual([]);
    const other = k8s(`where: { properties: { metadata: { properties: { namespace: { const: shop } } } } }
require: false
message: x
`);
    expect(lintWith(other, DEPLOYMENT, { kind: 'kubernetes' }).findings).toHaveLength(1);
  });

  it('reports every require error at its node, sorted, without duplicates', () => {
    const rule = k8s(`require:
  properties:
    metadata:
      required: [uid]
      properties:
        labels: { additionalProperties: { enum: [web, api] } }
    spec:
      properties:
        replicas: { maximum: 2 }
        template:
          properties:
            spec:
              properties:
                containers:
                  items: { required: [resources] }
message: "{{error}}"
`);
    const { findings, slices } = lintWith(rule, DEPLOYMENT, { kind: 'kubernetes' });
    expect(findings.map((f) => [f.line, f.column, f.message])).toEqual([
      [4, 1, 'Missing key "uid" in metadata'],
      [9, 11, 'Expected metadata.labels.tier to be one of "web" or "api", found "front"'],
      [12, 13, 'Invalid spec.replicas: must be <= 2'],
      [16, 11, 'Missing key "resources" in spec.template.spec.containers[0]'],
      [20, 11, 'Missing key "resources" in spec.template.spec.containers[1]'],
    ]);
    expect(slices).toEqual(['metadata', '"front"', '3', 'name', 'name']);
    expect(findings.every((f) => f.severity === 1)).toBe(true);
  });

  it('locates extra keys, collections, empty values and flow collections', () => {
    const at = (schema: string) => lintWith(k8s(`require: ${schema}\nmessage: "{{error}}"\n`), DEPLOYMENT, { kind: 'kubernetes' });
    expect(at('{ properties: { metadata: { additionalProperties: false, properties: { name: {}, namespace: {}, labels: {} } } } }').slices).toEqual(['annotations']);
    expect(at('{ properties: { metadata: { properties: { annotations: { type: object } } } } }').slices).toEqual(['annotations']);
    const containers = at('{ properties: { spec: { properties: { template: { properties: { spec: { properties: { containers: { maxItems: 1 } } } } } } } } }');
    expect(containers.slices).toEqual([DEPLOYMENT.slice(DEPLOYMENT.indexOf('- name: web'), DEPLOYMENT.indexOf('envoy:v1.31') + 'envoy:v1.31'.length)]);
    expect(at('{ properties: { metadata: { properties: { labels: { maxProperties: 1 } } } } }').slices).toEqual(['app: web\n    tier: "front"']);
    const flow = at('{ properties: { spec: { properties: { template: { properties: { spec: { properties: { dnsConfig: { properties: { options: { items: { properties: { value: { type: integer } } } } } } } } } } } } } }');
    expect(flow.slices).toEqual(['"2"']);
    expect(flow.findings[0].message).toBe('Expected spec.template.spec.dnsConfig.options[0].value to be an integer, found "2"');
    expect(at('{ properties: { kind: { const: Pod } } }').findings[0].path).toEqual(['kind']);
  });

  it('folds anyOf, oneOf, contains and if errors into one finding, and uses x-message', () => {
    const at = (schema: string) => lintWith(k8s(`require: ${schema}\nmessage: "{{error}}"\n`), DEPLOYMENT, { kind: 'kubernetes' });
    const anyOf = at('{ properties: { spec: { anyOf: [ { required: [paused] }, { required: [strategy] } ] } } }');
    expect(anyOf.findings.map((f) => f.message)).toEqual(['Expected spec to match one of the allowed schemas']);
    expect(anyOf.slices).toEqual([DEPLOYMENT.slice(DEPLOYMENT.indexOf('replicas: 3'), DEPLOYMENT.trimEnd().length)]);
    const contains = at(`{ properties: { spec: { properties: { template: { properties: { spec: { properties: { containers: {
      contains: { properties: { name: { const: istio-proxy } } }, x-message: "Expected an istio-proxy container" } } } } } } } } }`);
    expect(contains.findings.map((f) => f.message)).toEqual(['Expected an istio-proxy container']);
    const conditional = at(`{ properties: { spec: { properties: { template: { properties: { spec: { properties: { containers: { items: {
      if: { properties: { name: { const: sidecar } } }, then: { required: [ports] } } } } } } } } } } }`);
    expect(conditional.findings.map((f) => f.message)).toEqual(['Missing key "ports" in spec.template.spec.containers[1]']);
  });

  it('points a forbid finding at the deepest value the schema constrains', () => {
    const at = (schema: string) => lintWith(k8s(`forbid: ${schema}\nmessage: "{{error}}"\n`), DEPLOYMENT, { kind: 'kubernetes' });
    const latest = at(`{ properties: { spec: { properties: { template: { properties: { spec: { properties: { containers: {
      contains: { properties: { name: { const: web }, image: { pattern: "^nginx:" } }, required: [name, image] } } } } } } } } } }`);
    expect(latest.slices).toEqual(['nginx:1.27']);
    expect(latest.findings[0].message).toBe('Disallowed spec.template.spec.containers[0].image: "nginx:1.27"');
    expect(at('{ properties: { metadata: { required: [annotations] } } }').slices).toEqual(['annotations']);
    const key = at('{ required: [spec] }');
    expect(key.slices).toEqual(['spec']);
    expect(key.findings[0].message).toBe('Disallowed key "spec"');
    expect(at('{ properties: { spec: { properties: { template: { required: [spec] } } } } }').findings[0].message).toBe('Disallowed key "spec" in spec.template');
    expect(at('{ anyOf: [ { properties: { kind: { const: Pod } } }, { properties: { metadata: { properties: { name: { const: web } } } } } ] }').slices).toEqual(['web']);
    const whole = at('true');
    expect(whole.slices).toEqual(['apiVersion']);
    expect(whole.findings[0].message).toBe('Disallowed the object: it matches the forbidden schema');
    expect(at('{ properties: { metadata: { properties: { name: { const: api } } } } }').findings).toEqual([]);
  });

  it('fills placeholders from the subject', () => {
    const rule = k8s(`require: { properties: { spec: { properties: { replicas: { const: 1 } } } } }
message: "{{kind}} {{ metadata.namespace }}/{{metadata.name}} {{metadata.labels}} {{spec.template.spec.containers.1.name}} {{spec.template.spec.containers.7.name}} {{metadata.uid}} {{spec.replicas}} at {{path}}: {{error}}."
`);
    const { findings } = lintWith(rule, DEPLOYMENT, { kind: 'kubernetes' });
    expect(findings.map((f) => f.message)).toEqual([
      'Deployment shop/web {"app":"web","tier":"front"} sidecar (unset) (unset) 3 at spec.replicas: Expected spec.replicas to be 1, found 3.',
    ]);
  });
});

describe('JSON subjects', () => {
  const docker = (body: string) =>
    policy(`id: docker-policy
description: Test policy.
severity: error
subject: { kind: docker-daemon }
${body}message: "{{error}}"
`);
  const DAEMON = `{
  "ipv6": true,
  "default-address-pools": [
    { "base": "172.30.0.0/16", "size": 24 },
    { "base": "10.99.0.0/16", "size": 20 }
  ],
  "log-opts": {}
}
`;

  it('maps instance paths to JSON ranges', () => {
    const at = (schema: string) => lintWith(docker(`require: ${schema}\n`), DAEMON, { kind: 'docker-daemon' });
    expect(at('{ required: [ip6tables] }').slices).toEqual(['{']);
    expect(at('{ properties: { log-opts: { required: [max-size] } } }').slices).toEqual(['"log-opts"']);
    expect(at('{ additionalProperties: { not: { type: array } } }').slices).toEqual(['[\n    { "base": "172.30.0.0/16", "size": 24 },\n    { "base": "10.99.0.0/16", "size": 20 }\n  ]']);
    const pools = at('{ properties: { default-address-pools: { items: { properties: { base: { not: { pattern: "^10\\\\." } }, size: { minimum: 24 } } } } } }');
    expect(pools.slices).toEqual(['"10.99.0.0/16"', '20']);
    expect(pools.findings.map((f) => f.path)).toEqual([
      ['default-address-pools', 1, 'base'],
      ['default-address-pools', 1, 'size'],
    ]);
    expect(pools.findings[0].message).toBe('Disallowed default-address-pools[1].base: it matches a forbidden schema');
    expect(at('{ additionalProperties: false, properties: { ipv6: {}, log-opts: {} } }').slices).toEqual(['"default-address-pools"']);
  });

  it('reports a forbidden JSON value at its node', () => {
    const { slices, findings } = lintWith(docker('forbid: { properties: { default-address-pools: { contains: { properties: { base: { pattern: "^10\\\\." } } } } } }\n'), DAEMON, {
      kind: 'docker-daemon',
    });
    expect(slices).toEqual(['"10.99.0.0/16"']);
    expect(findings[0].message).toBe('Disallowed default-address-pools[1].base: "10.99.0.0/16"');
  });
});
