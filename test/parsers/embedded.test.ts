import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument } from 'yaml';
import { embeddedString } from '../../src/parsers/embedded.js';

/** The value of the first top-level key's scalar and where it starts. */
function scalarOf(text: string): { value: string; start: number } {
  const doc = parseDocument(text);
  expect(doc.errors).toEqual([]);
  const contents = doc.contents;
  if (!isMap(contents)) throw new Error('expected a map');
  const node = contents.items[0].value;
  if (!isScalar(node) || typeof node.value !== 'string') throw new Error('expected a string scalar');
  return { value: node.value, start: node.range![0] };
}

/** Every character of the value that is not a folded or escaped one maps to the same character. */
function expectExactMapping(outer: string, value: string, toOuter: (o: number) => number) {
  for (let i = 0; i < value.length; i++) {
    const at = toOuter(i);
    const c = value[i];
    if (outer[at] === '\\') continue;
    if (c === '\n') expect(['\n', '\r']).toContain(outer[at]);
    else if (!(c === ' ' && /[\r\n]/.test(outer[at]))) expect(outer[at]).toBe(c);
  }
}

describe('embeddedString', () => {
  it('maps a literal block scalar line by line (indentation removed), CRLF too', () => {
    for (const eol of ['\n', '\r\n']) {
      const outer = ['data:', '  conf: |', '    {', '      "a": 1,', '', '      "b": [true]', '    }', 'x: 1', ''].join(eol);
      const start = outer.indexOf('|');
      const value = '{\n  "a": 1,\n\n  "b": [true]\n}\n';
      const e = embeddedString(outer, start, value);
      expect(e.exact).toBe(true);
      expectExactMapping(outer, value, e.toOuter);
      const b = value.indexOf('"b"');
      expect(outer.slice(e.toOuter(b), e.toOuter(b + 3))).toBe('"b"');
      // The end of the value maps after its last character (the line break of "}").
      expect(outer.slice(e.toOuter(value.length - 2), e.toOuter(value.length))).toBe(`}${eol}`);
    }
  });

  it('handles chomping, explicit indentation and folding', () => {
    const cases = [
      'k: |-\n  a\n   b\n\n',
      'k: |+\n  a\n\n\n',
      'k: >\n  one\n  two\n\n  three\n    more\n  four\n',
      'k: >-\n  folded\n  text\n',
      'k: |2\n    indented\n  base\n',
      '- |1\n  x\n',
    ];
    for (const text of cases) {
      const source = text.startsWith('-') ? `k:\n${text.replace(/^/gm, '  ')}` : text;
      const doc = parseDocument(source);
      const contents = doc.contents;
      if (!isMap(contents)) throw new Error('map');
      let node = contents.items[0].value as unknown as { value: unknown; range: [number, number]; items?: unknown[] };
      if (node.items) node = node.items[0] as typeof node;
      const value = String(node.value);
      const e = embeddedString(source, node.range[0], value);
      expect(e.exact, JSON.stringify(source)).toBe(true);
      expectExactMapping(source, value, e.toOuter);
    }
  });

  it('decodes double-quoted escapes, single-quoted quotes and multi-line plain scalars', () => {
    const cases = [
      'k: "{\\"cniVersion\\": \\"1.0.0\\",\\n \\"x\\": \\u00e9\\t\\U0001F600}"\n',
      "k: 'it''s ''quoted'''\n",
      'k: plain text\n  continued\n\n  after empty\n',
      'k: "folded\n  line \\\n  joined"\n',
      'k: !!str &anchor "tagged"\n',
    ];
    for (const text of cases) {
      const { value, start } = scalarOf(text);
      const e = embeddedString(text, start, value);
      expect(e.exact, JSON.stringify(text)).toBe(true);
      expectExactMapping(text, value, e.toOuter);
    }
    const text = 'k: "a\\"b\\nc"\n';
    const { value, start } = scalarOf(text);
    const e = embeddedString(text, start, value);
    expect(value).toBe('a"b\nc');
    expect(text.slice(e.toOuter(1), e.toOuter(2))).toBe('\\"');
    expect(text.slice(e.toOuter(4), e.toOuter(5))).toBe('c');
    expect(e.toOuter(value.length)).toBe(text.lastIndexOf('"'));
  });

  it('falls back to a line-by-line mapping when the value does not match the text', () => {
    const outer = 'k: |\n  abc\n  def\n';
    const e = embeddedString(outer, 3, 'something else\nzz');
    expect(e.exact).toBe(false);
    expect(e.toOuter(0)).toBe(outer.indexOf('abc'));
    expect(e.toOuter(16)).toBe(outer.indexOf('def') + 1);
  });

  it('reproduces the YAML reader on random block and quoted scalars', () => {
    let checked = 0;
    const line = fc.stringMatching(/^[a-z{}":,\[\] #\\]{0,12}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), line), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('|', '|-', '|+', '>', '>-', '>+'),
        fc.constantFrom('\n', '\r\n'),
        (lines, header, eol) => {
          const body = lines.map(([extra, t]) => (t.trim() === '' ? '' : `  ${' '.repeat(extra)}${t.trimEnd()}`));
          if (!body.some((l) => l !== '' && l.startsWith('  ') && l[2] !== ' ')) return;
          const firstContent = body.find((l) => l !== '')!;
          if (firstContent[2] === ' ') return;
          const text = `k: ${header}${eol}${body.join(eol)}${eol}z: 1${eol}`;
          const doc = parseDocument(text);
          if (doc.errors.length) return;
          const { value, start } = scalarOf(text);
          const e = embeddedString(text, start, value);
          expect(e.exact, JSON.stringify(text)).toBe(true);
          expectExactMapping(text, value, e.toOuter);
          checked++;
        },
      ),
      { numRuns: 400 },
    );
    expect(checked).toBeGreaterThan(50);
  });
});
