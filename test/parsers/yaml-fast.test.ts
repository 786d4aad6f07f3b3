import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseYamlStream } from '../../src/parsers/kubernetes/fast-yaml.js';
import { parseYamlStreamWithYaml, type YamlStreamDocument } from '../../src/parsers/kubernetes/yaml-tree.js';

// The fast block-YAML reader must give exactly what the yaml package gives (values, ranges,
// paths, parents, comments, document ranges) whenever it accepts a text, and leave the rest.
const root = path.resolve(__dirname, '../..');

/** The stream as plain JSON: parent and property links become their paths. */
function plain(docs: YamlStreamDocument[]): string {
  return JSON.stringify(docs, (key, value) => {
    if ((key === 'parent' || key === 'property') && value && typeof value === 'object') return { link: value.type, path: value.path };
    return value;
  });
}

function check(text: string): boolean {
  const fast = fastParseYamlStream(text);
  if (!fast) return false;
  const slow = parseYamlStreamWithYaml(text);
  expect(slow.every((d) => !d.error), `yaml rejects what the fast reader accepted: ${JSON.stringify(text)}`).toBe(true);
  expect(plain(fast), JSON.stringify(text)).toBe(plain(slow));
  return true;
}

const ACCEPTED = [
  'a: 1\nb:\nc: x\n',
  '# top\n---\na: 1 # c1\n# mid\n---\n# second\nb: 2\n# tail\n',
  'a:\n- x\n- y\nb: 2\n',
  'k:\n  - a: 1\n    b: 2\n  - c\n',
  "a: yes\nb: 0644\nc: 08\nd: ~\ne: \"q\"\nf: 's'\ng: 'it''s'\nh: \"a\\\"b\\\\c\\n\"\n",
  'b: \nc:  # cm\n',
  'a: x  \nb: [] \nc: {}',
  '"k": 1\n\'q\': 2\n',
  '- a\n-\n- b\n',
  '# only\na: 1',
  'a: 1\n---\nb: 2',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-proxy\n  namespace: kube-system\n  labels:\n    app: kube-proxy\ndata:\n  mode: iptables\n',
  'spec:\n  containers:\n    - name: agent\n      image: example/cni:1.0 # pinned\n      args:\n        - --masquerade=true\n        - --iptables-random-fully=false\n      env:\n        - name: X\n          value: "1"\n      securityContext:\n        privileged: true\n',
  'a:\n    deep:\n          deeper: 1\n    back: 2\n',
  'url: http://x:80/a#b\nneg: -1\nflag: --flag\ncolon: a:b\nfloat: 1.5\nexp: 1e3\nhex: 0x1F\noct: 0o17\ndot: .5\nplus: +3\n',
  '-   a: 1\n    b: 2\n-   c: 3\n',
  'a: 1\n\n\n# trailing\n\n',
  '---\na: 1\n---\nb: 2\n',
];

const REJECTED = [
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: |\n  text\n',
  'a: >\n  text\n',
  'a: [1, 2]\n',
  'a: {b: 1}\n',
  'a: b\n  c\n',
  'a:\tb\n',
  'a: 1\r\nb: 2\r\n',
  'a: 1\na: 2\n',
  'name: {{ .Release.Name }}\n',
  '---\n---\na: 1\n',
  '%YAML 1.2\n---\na: 1\n',
  'a: 1\n...\n',
  '? a\n: b\n',
  'a: b: c\n',
  'a:\n  b: 1\n c: 2\n',
  'a: "unterminated\n',
  '- - a\n',
  'yes: 1\n',
  '',
  '# just a comment\n',
];

describe('fast YAML reader', () => {
  it('reads plain block YAML exactly as the yaml package does', () => {
    for (const text of ACCEPTED) expect(check(text), JSON.stringify(text)).toBe(true);
  });

  it('leaves everything else to the yaml package', () => {
    for (const text of REJECTED) expect(fastParseYamlStream(text), JSON.stringify(text)).toBeUndefined();
  });

  it('agrees with the yaml package on every YAML fixture it accepts', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name === '.git' || name === 'dist') continue;
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(name)) files.push(p);
      }
    };
    for (const d of ['test/fixtures', 'rules', 'examples', '../shared/corpus']) {
      try {
        walk(path.join(root, d));
      } catch {
        // The shared corpus is optional.
      }
    }
    expect(files.length).toBeGreaterThan(10);
    let accepted = 0;
    for (const f of files) if (check(readFileSync(f, 'utf8'))) accepted++;
    expect(accepted).toBeGreaterThan(0);
  });

  it('agrees with the yaml package on generated manifests', () => {
    const scalar = fc.constantFrom(
      'x', 'hello world', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'False', '0644', '-0644', '08', '0', '-1', '+3', '1.5', '.5', '1.', '1e3',
      '0x1F', '0o17', '~', 'null', 'Null', '"quoted"', "'single'", "'it''s'", '"a\\"b"', '"tab\\there"', 'http://x:80/p', 'a#b', '--flag=1', ':x', '-x',
      'x:y', '[]', '{}', '"# not a comment"', "'a: b'", 'v1.2.3', '10.0.0.0/8', '"fd00::/8"', 'a b  c',
    );
    const key = fc.constantFrom('a', 'name', 'image', 'app.kubernetes.io/name', '"quoted key"', "'single key'", 'with space', 'x-y_z', 'k8s');
    const comment = fc.option(fc.constantFrom(' # c', '  # note: x', ' #'), { nil: '' });
    const letrec = fc.letrec((tie) => ({
      node: fc.oneof({ maxDepth: 3, depthIdentifier: 'yaml' }, scalar.map((s) => ({ scalar: s })), tie('map'), tie('seq')),
      map: fc.uniqueArray(fc.tuple(key, tie('node'), comment), { minLength: 1, maxLength: 4, selector: (e) => e[0].replace(/^["']|["']$/g, '') }).map((entries) => ({ map: entries })),
      seq: fc.array(fc.tuple(tie('node'), comment), { minLength: 1, maxLength: 3 }).map((items) => ({ seq: items })),
    }));
    type Node = { scalar: string } | { map: [string, Node, string][] } | { seq: [Node, string][] };
    const render = (n: Node, indent: number, compactSeqStyle: boolean): string[] => {
      const pad = ' '.repeat(indent);
      if ('scalar' in n) return [n.scalar];
      if ('map' in n) {
        const out: string[] = [];
        for (const [k, v, c] of n.map) {
          if ('scalar' in v) out.push(`${pad}${k}: ${v.scalar}${c}`);
          else if ('seq' in v && compactSeqStyle) out.push(`${pad}${k}:${c}`, ...render(v, indent, compactSeqStyle));
          else out.push(`${pad}${k}:${c}`, ...render(v, indent + 2, compactSeqStyle));
        }
        return out;
      }
      const out: string[] = [];
      for (const [v, c] of n.seq) {
        if ('scalar' in v) out.push(`${pad}- ${v.scalar}${c}`);
        else if ('map' in v) {
          const lines = render(v, indent + 2, compactSeqStyle);
          out.push(`${pad}- ${lines[0].trimStart()}`, ...lines.slice(1));
        } else out.push(`${pad}-${c}`, ...render(v, indent + 2, compactSeqStyle));
      }
      return out;
    };
    const doc = fc.tuple(letrec.map, fc.boolean(), fc.option(fc.constantFrom('# lead', ''), { nil: undefined }));
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), fc.boolean(), (docs, markers) => {
        const parts = docs.map(([n, compact, lead]) => [...(lead !== undefined ? [lead] : []), ...render(n as Node, 0, compact)].join('\n'));
        const text = (markers ? parts.map((p) => `---\n${p}`) : [parts.join('\n---\n')]).join('\n') + '\n';
        if (check(text)) accepted++;
      }),
      { numRuns: 300, seed: 20261123 },
    );
    // Most generated manifests are within the fast reader's reach.
    expect(accepted).toBeGreaterThan(150);
  });
});
