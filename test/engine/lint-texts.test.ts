import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../../rules/index.js';
import { defineRule } from '../../src/engine/define-rule.js';
import { lintParsed, lintTexts, parseText, type UnparsedFile } from '../../src/engine/lint.js';
import { RuleRegistry } from '../../src/engine/registry.js';
import type { ResolvedConfig, RuleContext } from '../../src/engine/types.js';
import type { SourceDocument } from '../../src/model/document.js';
import { memo } from '../../src/model/memo.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
}

const read = (filePath: string): UnparsedFile => ({ filePath, text: readFileSync(filePath, 'utf8') });
const byDirectory = (f: { filePath: string }) => path.dirname(f.filePath);

/** What `lintFiles` did before `lintTexts`: parse every file, then lint them all. */
function lintAllParsed(files: UnparsedFile[], options: Parameters<typeof lintTexts>[1] = {}) {
  return lintParsed(
    files.map((f) => parseText(f.text, f.filePath, { kind: f.kind })),
    options,
  );
}

describe('lintTexts gives the results of lintParsed', () => {
  it('on every fixture of the repository, scoped by directory', () => {
    const files = [...filesUnder(path.join(ROOT, 'test', 'fixtures')), ...filesUnder(path.join(ROOT, 'rules'))]
      .filter((f) => !f.endsWith('.ts') && !f.endsWith('.md'))
      .map(read);
    expect(files.length).toBeGreaterThan(100);
    expect(lintTexts(files, { scopeOf: byDirectory })).toEqual(lintAllParsed(files, { scopeOf: byDirectory }));
  });

  it('when rules of a scope combine its files (kernel, ethtool, iptables, CNI)', () => {
    const dir = '/node-1';
    const files: UnparsedFile[] = [
      { filePath: `${dir}/10-bridge.conflist`, text: '{"cniVersion":"1.0.0","name":"pods","plugins":[{"type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.22.0.0/16"}}]}\n' },
      { filePath: `${dir}/ethtool-k.txt`, text: 'Features for veth1a2b3c4:\nrx-checksumming: on\ntx-checksumming: on\n' },
      { filePath: `${dir}/iptables-save.txt`, text: '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.244.0.0/16 -j MASQUERADE --random\nCOMMIT\n' },
      { filePath: `${dir}/uname-r.txt`, text: '3.19.0-25\n' },
    ];
    const results = lintTexts(files, { scopeOf: byDirectory });
    expect(results).toEqual(lintAllParsed(files, { scopeOf: byDirectory }));
    // The kernel of the last file reached the rules of the files before it.
    expect(results[1].findings.map((f) => f.ruleId)).toContain('veth-rx-offload-on');
    expect(results[2].findings.find((f) => f.ruleId === 'masquerade-without-random-fully')?.message).toContain('3.19.0-25');
  });
});

describe('lintTexts with rules that look across files', () => {
  const seen: { document: SourceDocument; scope: readonly SourceDocument[] }[] = [];
  /** On `b.yaml`: reports on the first document of `a.yaml`, which was linted (and let go) before. */
  const crossFile = defineRule({
    meta: {
      id: 'test-cross-file',
      inputs: ['kubernetes'],
      category: 'correctness',
      description: 'Reports on another file of the scope.',
      messages: { other: 'Seen from document {{index}} of {{from}}.' },
      defaultOptions: {},
    },
    create(context: RuleContext) {
      return {
        K8sDocument(node) {
          if (!context.filePath.endsWith('b.yaml')) return;
          const documents = context.scope.documents;
          seen.push({ document: context.document, scope: documents });
          const other = documents.find((d) => d.filePath.endsWith('a.yaml'))!;
          context.report({ node: other.root, document: other, messageId: 'other', data: { from: path.basename(context.filePath), index: node.index } });
        },
      };
    },
  });
  const registry = new RuleRegistry([...builtinRules, crossFile]);
  const config: ResolvedConfig = { rules: { 'test-cross-file': 'error' }, settings: {} };
  const options = { registry, configFor: () => config, scopeOf: byDirectory };
  const files: UnparsedFile[] = [
    // The directive is used only by the finding that b.yaml's rule reports into this file.
    { filePath: '/s/a.yaml', text: '# netlint-disable-next-line test-cross-file -- known\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n' },
    { filePath: '/s/b.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b2\n' },
    { filePath: '/s/c.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' },
    { filePath: '/t/a.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other-scope\n' },
  ];

  it('reports into an earlier file and applies that file’s directives to it', () => {
    seen.length = 0;
    const results = lintTexts(files, options);
    expect(results).toEqual(lintAllParsed(files, options));
    const a = results[0].findings;
    expect(a).toHaveLength(2);
    expect(a.every((f) => f.ruleId === 'test-cross-file' && f.suppressions?.[0].justification === 'known')).toBe(true);
    expect(results[3].findings).toEqual([]);
  });

  it('gives the scope every document of its files, the one being linted included', () => {
    seen.length = 0;
    lintTexts(files, options);
    expect(seen).toHaveLength(2);
    for (const { document, scope } of seen) {
      expect(scope.map((d) => path.basename(d.filePath))).toEqual(['a.yaml', 'b.yaml', 'b.yaml', 'c.yaml']);
      expect(scope).toContain(document);
    }
    // One list for the scope, asked for twice.
    expect(seen[0].scope).toBe(seen[1].scope);
  });

  it('calls onFile once per file', () => {
    const calls: [number, number][] = [];
    lintTexts(files, { ...options, onFile: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });
});

describe('memo', () => {
  const SLOT = Symbol('test');

  it('works a value out once and keeps it out of keys, spreads and JSON', () => {
    const object = { a: 1 };
    let calls = 0;
    expect(memo(object, SLOT, () => ++calls)).toBe(1);
    expect(memo(object, SLOT, () => ++calls)).toBe(1);
    expect(Object.keys(object)).toEqual(['a']);
    expect({ ...object }).toEqual({ a: 1 });
    expect(JSON.stringify(object)).toBe('{"a":1}');
  });

  it('keeps values of frozen objects too', () => {
    const object = Object.freeze({ a: 1 });
    let calls = 0;
    expect(memo(object, SLOT, () => ++calls)).toBe(1);
    expect(memo(object, SLOT, () => ++calls)).toBe(1);
    expect(memo(Object.freeze({ a: 1 }), SLOT, () => ++calls)).toBe(2);
  });
});
