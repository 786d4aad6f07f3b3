import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseJson } from '../../src/parsers/json/fast-parse.js';
import { parseJsonWithJsonc, type JsonParseResult } from '../../src/parsers/json/parse.js';
import { plainValue, toPlainValue } from '../../src/parsers/json/tree.js';

// The one-pass strict JSON reader must give exactly what the jsonc-parser path gives whenever
// it accepts a text, and leave everything else (comments, trailing commas, errors) to it.
const root = path.resolve(__dirname, '../..');

function plain(r: JsonParseResult): string {
  return JSON.stringify(r, (key, value) => {
    if ((key === 'parent' || key === 'property') && value && typeof value === 'object') return { link: value.type, path: value.path };
    return value;
  });
}

function check(text: string, templates = false): boolean {
  const fast = fastParseJson(text, templates);
  if (!fast) return false;
  expect(plain(fast), text.slice(0, 200)).toBe(plain(parseJsonWithJsonc(text, { placeholders: true, templateStrings: templates })));
  // Schema validation takes the plain value of a strict root from JSON.parse: the same value, keys in the same order.
  const native = plainValue(fast.root!);
  expect(native).not.toBe(fast.root);
  expect(JSON.stringify(native), text.slice(0, 200)).toBe(JSON.stringify(toPlainValue(fast.root!)));
  expect(Object.getPrototypeOf(native ?? 0)).toBe(Object.getPrototypeOf(toPlainValue(fast.root!) ?? 0));
  return true;
}

describe('fast JSON reader', () => {
  it('reads strict JSON exactly as the tolerant parse does', () => {
    const accepted = [
      '{"a":1}',
      ' \n{ "cniVersion": "1.0.0", "plugins": [ { "type": "bridge", "ipMasq": true, "mtu": 1500 }, {} ], "x": null }\n',
      '[1, -0, 2.5e3, -1E-2, 0.5, "s\\"q\\\\\\u00e9\\n", true, false, null, [], {}]',
      '{"a":1,"a":2}',
      '"just a string"',
      '{"mtu": "__CNI_MTU__", "k": ["__X__"]}',
      '{"deep":{"er":{"est":[[[1]]]}}}',
      '{"__proto__":{"x":1},"a":1,"b":2,"a":[2],"__proto__":null}',
    ];
    for (const t of accepted) {
      expect(check(t), t).toBe(true);
      expect(check(t, true), t).toBe(true);
    }
  });

  it('leaves the rest to the tolerant parse', () => {
    const rejected = ['', '  ', '{"a":1,}', '{"a":1} // c', '/* c */ {}', '\uFEFF{}', '{"a":__CNI_MTU__}', '{"a":01}', '{"a":1 "b":2}', '{"a":tru}', '{"a":"x\ty"}', '[1,]', '{"a":1}}', "{'a':1}", '{"a":1e}', '{"a":-}', '{"a":"\\x"}', '{"a":1}\u00a0'];
    for (const t of rejected) expect(fastParseJson(t, false), JSON.stringify(t)).toBeUndefined();
  });

  it('agrees on every JSON fixture and corpus file it accepts', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name === '.git' || name === 'dist') continue;
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(?:json|conf|conflist)(?:\.template)?$/.test(name) && !name.endsWith('.findings.json')) files.push(p);
      }
    };
    for (const d of ['test/fixtures', 'rules', 'examples', 'schemas', '../shared/corpus']) {
      try {
        walk(path.join(root, d));
      } catch {
        // The shared corpus is optional.
      }
    }
    let accepted = 0;
    for (const f of files) if (check(readFileSync(f, 'utf8'), f.endsWith('.template'))) accepted++;
    expect(accepted).toBeGreaterThan(10);
  });

  it('agrees on generated JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(check(text)).toBe(true);
      }),
      { numRuns: 300, seed: 20261123 },
    );
  });
});
