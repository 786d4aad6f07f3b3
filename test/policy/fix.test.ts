import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { parseText } from '../../src/engine/lint.js';
import type { K8sDocument } from '../../src/model/kubernetes.js';
import { parseJson, type JsonValue } from '../../src/parsers/json/index.js';
import { setValueEdit, type FixSegment } from '../../src/policy/fix.js';
import { fixWith, lintWith, policy } from './helpers.js';

/** A Deployment policy requiring `value` at `path`, fixed by setting it. */
function setter(path: FixSegment[] | string, value: unknown, require: string, subject = '{ kubernetes: { kind: Deployment } }') {
  return policy(`id: set-it
description: Test policy.
severity: error
subject: ${subject}
require: ${require}
message: "{{error}}"
fix: ${JSON.stringify({ path, value })}
`);
}

/** Fixes `text`, checks the output is valid YAML that lints clean, and returns it. */
function fixedYaml(rule: ReturnType<typeof policy>, text: string): string {
  const { output, remaining } = fixWith(rule, text, { kind: 'kubernetes' });
  expect(output).not.toBe(text);
  for (const doc of parseAllDocuments(output)) expect(doc.errors).toEqual([]);
  expect(remaining).toEqual([]);
  return output;
}

const POD_SPEC = (path: string) => `{ properties: { spec: { properties: { template: { properties: { spec: ${path} } } } } } }`;

const DEPLOYMENT = `apiVersion: apps/v1   # the API
kind: Deployment
metadata:
  name: web
  annotations:
  labels: { app: web }
spec:
  replicas: "3"
  template:
    spec:
      containers:
      # the main container
      - name: web
        image: 'nginx:1.27'
        env:
          - name: MODE
            value: "slow"    # tuned later
      hostNetwork: false
# trailing comment
`;

describe('YAML fixes', () => {
  it('replaces a scalar and keeps its quotes and comments', () => {
    const rule = setter(
      ['spec', 'template', 'spec', 'containers', { name: 'web' }, 'env', { name: 'MODE' }, 'value'],
      'fast',
      POD_SPEC('{ properties: { containers: { items: { properties: { env: { items: { properties: { value: { const: fast } } } } } } } } }'),
    );
    expect(lintWith(rule, DEPLOYMENT, { kind: 'kubernetes' }).findings[0].fix?.desc).toBe(
      'Set spec.template.spec.containers[name=web].env[name=MODE].value to "fast".',
    );
    expect(fixedYaml(rule, DEPLOYMENT)).toBe(DEPLOYMENT.replace('value: "slow"    # tuned later', 'value: "fast"    # tuned later'));
    const single = setter('/spec/template/spec/containers/0/image', 'nginx:1.28', POD_SPEC('{ properties: { containers: { items: { properties: { image: { const: "nginx:1.28" } } } } } }'));
    expect(fixedYaml(single, DEPLOYMENT)).toBe(DEPLOYMENT.replace("'nginx:1.27'", "'nginx:1.28'"));
    const plain = setter(['spec', 'template', 'spec', 'hostNetwork'], true, POD_SPEC('{ properties: { hostNetwork: { const: true } } }'));
    expect(fixedYaml(plain, DEPLOYMENT)).toBe(DEPLOYMENT.replace('hostNetwork: false', 'hostNetwork: true'));
  });

  it('appends a list item for a selector that matches none, at the list\'s indentation', () => {
    const rule = setter(
      ['spec', 'template', 'spec', 'containers', { name: 'web' }, 'env', { name: 'GOMAXPROCS' }, 'value'],
      '2',
      POD_SPEC('{ properties: { containers: { items: { properties: { env: { contains: { properties: { name: { const: GOMAXPROCS } } } } } } } } }'),
    );
    expect(fixedYaml(rule, DEPLOYMENT)).toBe(
      DEPLOYMENT.replace('# tuned later\n', "# tuned later\n          - name: GOMAXPROCS\n            value: \"2\"\n"),
    );
  });

  it('adds missing keys to the nearest mapping as nested blocks', () => {
    const rule = setter(
      ['spec', 'template', 'spec', 'containers', { name: 'web' }, 'securityContext', 'capabilities', 'drop'],
      ['ALL'],
      POD_SPEC('{ properties: { containers: { items: { required: [securityContext] } } } }'),
    );
    expect(fixedYaml(rule, DEPLOYMENT)).toBe(
      DEPLOYMENT.replace('# tuned later\n', '# tuned later\n        securityContext:\n          capabilities:\n            drop:\n              - ALL\n'),
    );
    const top = setter(['spec', 'strategy', 'type'], 'Recreate', '{ properties: { spec: { required: [strategy] } } }');
    expect(fixedYaml(top, DEPLOYMENT)).toBe(DEPLOYMENT.replace('      hostNetwork: false\n', '      hostNetwork: false\n  strategy:\n    type: Recreate\n'));
  });

  it('fills an empty value, adds to flow mappings, and quotes what YAML 1.1 would misread', () => {
    const empty = setter(['metadata', 'annotations', 'owner'], 'team-a', '{ properties: { metadata: { properties: { annotations: { type: object } } } } }');
    expect(fixedYaml(empty, DEPLOYMENT)).toBe(DEPLOYMENT.replace('  annotations:\n', '  annotations:\n    owner: team-a\n'));
    const flow = setter(['metadata', 'labels', 'tier'], 'yes', '{ properties: { metadata: { properties: { labels: { required: [tier] } } } } }');
    const out = fixedYaml(flow, DEPLOYMENT);
    expect(out).toBe(DEPLOYMENT.replace('labels: { app: web }', 'labels: { app: web, "tier": "yes" }'));
    const scalar = setter(['spec', 'replicas'], 'on', '{ properties: { spec: { properties: { replicas: { const: "on" } } } } }');
    expect(fixedYaml(scalar, DEPLOYMENT)).toBe(DEPLOYMENT.replace('replicas: "3"', 'replicas: "on"'));
    const octal = setter(['spec', 'revisionHistoryLimit'], '010', '{ properties: { spec: { required: [revisionHistoryLimit] } } }');
    expect(fixedYaml(octal, DEPLOYMENT)).toContain('  revisionHistoryLimit: "010"\n');
  });

  it('replaces a scalar by a block and a list by a scalar', () => {
    const block = setter(['metadata', 'name'], { first: 'web', second: ['a', 'b'] }, '{ properties: { metadata: { properties: { name: { type: object } } } } }');
    expect(fixedYaml(block, DEPLOYMENT)).toBe(DEPLOYMENT.replace('  name: web\n', '  name:\n    first: web\n    second:\n      - a\n      - b\n'));
    const scalar = setter(['spec', 'template', 'spec', 'containers', 0, 'env'], 'none', POD_SPEC('{ properties: { containers: { items: { properties: { env: { type: string } } } } } }'));
    expect(fixedYaml(scalar, DEPLOYMENT)).toBe(
      DEPLOYMENT.replace('        env:\n          - name: MODE\n            value: "slow"    # tuned later\n', '        env: none    # tuned later\n'),
    );
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    const text = 'apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n  name: web\r\nspec:\r\n  replicas: 1';
    const rule = setter(['spec', 'paused'], false, '{ properties: { spec: { required: [paused] } } }');
    expect(fixedYaml(rule, text)).toBe(`${text}\r\n  paused: false`);
  });

  it('edits List items in place', () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: a }
  spec: {}
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: b }
  spec:
    replicas: 2
`;
    const rule = setter(['spec', 'replicas'], 2, '{ properties: { spec: { required: [replicas] } } }');
    expect(fixedYaml(rule, list)).toBe(list.replace('  spec: {}', '  spec: {"replicas": 2}'));
  });

  it('offers no fix through an alias, or when the value is already there', () => {
    const aliased = `apiVersion: apps/v1
kind: Deployment
metadata:
  labels: &labels { app: web }
  name: web
spec:
  selector:
    matchLabels: *labels
`;
    const rule = setter(['spec', 'selector', 'matchLabels', 'tier'], 'front', '{ properties: { spec: { properties: { selector: { properties: { matchLabels: { required: [tier] } } } } } } }');
    const { findings } = lintWith(rule, aliased, { kind: 'kubernetes' });
    expect(findings).toHaveLength(1);
    expect(findings[0].fix).toBeUndefined();
    const already = setter(['spec', 'replicas'], '3', '{ properties: { spec: { required: [paused] } } }');
    const result = lintWith(already, DEPLOYMENT, { kind: 'kubernetes' });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].fix).toBeUndefined();
  });

  it('offers no fix in documents embedded in a string', () => {
    const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-flannel-cfg
data:
  cni-conf.json: |
    {
      "name": "cbr0",
      "cniVersion": "0.3.1",
      "plugins": [ { "type": "flannel", "delegate": { "isDefaultGateway": true } } ]
    }
`;
    const rule = policy(`id: cni-named-podnet
description: Test policy.
severity: error
subject: { kind: cni }
require: { properties: { name: { const: podnet } } }
message: "{{error}}"
fix: { path: /name, value: podnet }
`);
    const { findings, slices } = lintWith(rule, configMap, { kind: 'kubernetes' });
    expect(slices).toEqual(['"cbr0"']);
    expect(findings[0].line).toBe(8);
    expect(findings[0].fix).toBeUndefined();
  });
});

describe('JSON fixes', () => {
  const dockerSetter = (path: string | FixSegment[], value: unknown, require: string) =>
    policy(`id: docker-set
description: Test policy.
severity: error
subject: { kind: docker-daemon }
require: ${require}
message: "{{error}}"
fix: ${JSON.stringify({ path, value })}
`);
  const fixedJson = (rule: ReturnType<typeof policy>, text: string) => {
    const { output, remaining } = fixWith(rule, text, { kind: 'docker-daemon' });
    expect(output).not.toBe(text);
    expect(() => JSON.parse(output)).not.toThrow();
    expect(remaining).toEqual([]);
    return output;
  };

  it('inserts keys with the siblings\' indentation, or inline', () => {
    const rule = dockerSetter(['log-opts', 'max-size'], '10m', '{ properties: { log-opts: { required: [max-size] } }, required: [log-opts] }');
    expect(fixedJson(rule, '{\n    "ipv6": true\n}\n')).toBe('{\n    "ipv6": true,\n    "log-opts": {\n        "max-size": "10m"\n    }\n}\n');
    expect(fixedJson(rule, '{\n\t"ipv6": true,\n\t"log-opts": {\n\t\t"max-file": "3"\n\t}\n}')).toBe(
      '{\n\t"ipv6": true,\n\t"log-opts": {\n\t\t"max-file": "3",\n\t\t"max-size": "10m"\n\t}\n}',
    );
    expect(fixedJson(rule, '{"ipv6": true}')).toBe('{"ipv6": true, "log-opts": {"max-size": "10m"}}');
    expect(fixedJson(rule, '{}\n')).toBe('{"log-opts": {"max-size": "10m"}}\n');
    expect(fixedJson(rule, '{\r\n  "log-opts": {}\r\n}\r\n')).toBe('{\r\n  "log-opts": {"max-size": "10m"}\r\n}\r\n');
  });

  it('replaces values, pretty-printed at their indentation', () => {
    const rule = dockerSetter('/default-address-pools', [{ base: '10.200.0.0/16', size: 24 }], '{ properties: { default-address-pools: { minItems: 1 } } }');
    expect(fixedJson(rule, '{\n  "default-address-pools": [],\n  "ipv6": false\n}\n')).toBe(
      '{\n  "default-address-pools": [\n    {\n      "base": "10.200.0.0/16",\n      "size": 24\n    }\n  ],\n  "ipv6": false\n}\n',
    );
    const nulls = dockerSetter(['dns', 0], '1.1.1.1', '{ properties: { dns: { type: array } } }');
    expect(fixedJson(nulls, '{\n  "dns": null\n}\n')).toBe('{\n  "dns": [\n    "1.1.1.1"\n  ]\n}\n');
  });

  it('appends to a CNI plugin list', () => {
    const rule = policy(`id: cni-with-bandwidth
description: Test policy.
severity: error
subject: { kind: cni }
require: { properties: { plugins: { contains: { properties: { type: { const: bandwidth } } } } } }
message: "{{error}}"
fix: { path: [plugins, { type: bandwidth }, capabilities], value: { bandwidth: true } }
`);
    const text = `{
  "cniVersion": "1.0.0",
  "name": "podnet",
  "plugins": [
    { "type": "bridge", "bridge": "cni0" },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
`;
    const { output, remaining } = fixWith(rule, text, { kind: 'cni' });
    expect(remaining).toEqual([]);
    expect(output).toBe(text.replace('{ "portMappings": true } }\n', '{ "portMappings": true } },\n    {\n      "type": "bandwidth",\n      "capabilities": {\n        "bandwidth": true\n      }\n    }\n'));
  });
});

// ---------------------------------------------------------------------------------------------
// Property: for any document, path and value, the edit gives valid text whose value is the
// document with the value set (and nothing else changed).

const KEYS = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,5}$/), fc.constantFrom('a b', 'yes', '1', 'x:y', '#c', 'null', '-'));
const STRINGS = fc.oneof(fc.stringMatching(/^[a-z0-9 ]{0,8}$/), fc.constantFrom('', 'yes', 'on', 'null', '0755', '1.5', 'a: b', '- x', '#no', 'two\nlines', "it's", '"q"'));
const VALUE: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    STRINGS,
    fc.integer({ min: -5, max: 500 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(KEYS, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const DOC = fc.dictionary(KEYS, VALUE, { minKeys: 1, maxKeys: 4 });

/** Where a path can go in `doc`: existing places, one step past them, and new keys. */
function pathInto(doc: unknown): fc.Arbitrary<(string | number)[]> {
  const places: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    places.push(path);
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, i]));
      places.push([...path, v.length]);
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
    }
  };
  walk(doc, []);
  return fc.tuple(fc.constantFrom(...places), fc.array(KEYS, { maxLength: 2 })).map(([p, extra]) => [...p, ...extra]);
}

/** `doc` with `value` at `path` (missing keys and nulls become mappings), or undefined when the path runs through a scalar. */
function setIn(doc: unknown, path: (string | number)[], value: unknown): { result: unknown } | undefined {
  if (path.length === 0) return { result: value };
  const [seg, ...rest] = path;
  if (doc === null || doc === undefined) {
    const inner = setIn(undefined, rest, value);
    if (!inner) return undefined;
    // New structure: 0 (also "0" and "-", as in a JSON Pointer) starts a list.
    if (seg === 0 || seg === '0' || seg === '-') return { result: [inner.result] };
    if (typeof seg === 'number') return undefined;
    return { result: withKey({}, seg, inner.result) };
  }
  if (Array.isArray(doc)) {
    if (seg === '-') return setIn(doc, [doc.length, ...rest], value);
    if (typeof seg !== 'number' || seg > doc.length) return undefined;
    const inner = setIn(doc[seg], rest, value);
    if (!inner) return undefined;
    const copy = [...doc];
    copy[seg] = inner.result;
    return { result: copy };
  }
  if (typeof doc === 'object') {
    if (typeof seg !== 'string') return undefined;
    const inner = setIn(Object.prototype.hasOwnProperty.call(doc, seg) ? (doc as Record<string, unknown>)[seg] : undefined, rest, value);
    return inner && { result: withKey({ ...(doc as object) }, seg, inner.result) };
  }
  return undefined;
}

function withKey(o: object, key: string, value: unknown): object {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

function check(text: string, root: JsonValue, syntax: 'json' | 'yaml', path: (string | number)[], value: unknown, reparse: (t: string) => unknown) {
  const expected = setIn(reparse(text), path, value);
  const edit = setValueEdit({ root, syntax, text }, root, text, path, value);
  if (!expected) return;
  if (!edit) {
    // No edit: the value is already there.
    expect(reparse(text)).toEqual(expected.result);
    return;
  }
  const output = text.slice(0, edit.range[0]) + edit.text + text.slice(edit.range[1]);
  expect(reparse(output), `${text}\n--- set ${JSON.stringify(path)} = ${JSON.stringify(value)} ---\n${output}`).toEqual(expected.result);
}

describe('fix edits (property)', () => {
  it('JSON: any path and value give valid JSON with exactly that change', () => {
    fc.assert(
      fc.property(
        DOC.chain((doc) => fc.tuple(fc.constant(doc), pathInto(doc), VALUE, fc.constantFrom(0, 2, 4, '\t'))),
        ([doc, path, value, indent]) => {
          const text = JSON.stringify(doc, null, indent) + '\n';
          const parsed = parseJson(text);
          check(text, parsed.root!, 'json', path, value, (t) => JSON.parse(t));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('YAML: any path and value give valid YAML with exactly that change', () => {
    fc.assert(
      fc.property(
        DOC.chain((doc) =>
          fc.tuple(fc.constant(doc), pathInto(doc), VALUE, fc.boolean(), fc.constantFrom<'block' | 'any'>('block', 'any'), fc.constantFrom(2, 4)),
        ),
        ([doc, path, value, indentSeq, collectionStyle, indent]) => {
          // Quoted as a YAML 1.1 reader needs, so go-yaml's reading (the parser's) and 1.2's agree.
          const text = stringify(doc, { version: '1.1', indentSeq, collectionStyle, indent, lineWidth: 40 });
          const parsed = parseText(text, 'doc.yaml', { kind: 'kubernetes' });
          fc.pre(parsed.findings.length === 0 && parsed.documents.length === 1);
          const root = (parsed.documents[0].root as K8sDocument).node;
          fc.pre(root !== undefined);
          check(text, root!, 'yaml', path, value, (t) => parseYaml(t));
        },
      ),
      { numRuns: 400 },
    );
  });
});
