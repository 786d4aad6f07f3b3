import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseJson } from '../../src/parsers/json/parse.js';

// The built-in schemas are compiled ahead of time (scripts/gen-validators.mjs); a run checks their
// fingerprint and compiles with ajv when a schema changed since. Both paths must agree.
const text = JSON.stringify({
  cniVersion: '1.0.0',
  name: 'n',
  plugins: [
    { type: 'bridge', ipMasq: 'yes', mtu: 70000, bridg: 'cni0', ipam: { type: 'host-local', ranges: [[{ subnet: '10.0.0.0/33' }]] } },
    { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    { type: 'tuning', sysctl: { 'net.core.somaxconn': '500' } },
  ],
});

afterEach(() => {
  vi.doUnmock('../../src/parsers/json/validators.generated.js');
  vi.resetModules();
});

describe('schema validators', () => {
  it('use the generated validators when the schemas are unchanged', async () => {
    const generated = await import('../../src/parsers/json/validators.generated.js');
    const { schemaValidator } = await import('../../src/parsers/json/schema.js');
    expect(schemaValidator('cni-conflist')).toBe(generated.cniConflist);
  });

  it('count string lengths in code points, as ajv does', async () => {
    const { validateWithSchema } = await import('../../src/parsers/json/schema.js');
    const bridge = (name: string) =>
      validateWithSchema('cni-conflist', parseJson(JSON.stringify({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'bridge', bridge: name }] })).root).map((i) => i.message);
    expect(bridge('\u{1F600}'.repeat(15))).toEqual([]);
    expect(bridge('\uD83D'.repeat(15))).toEqual([]);
    expect(bridge('\u{1F600}'.repeat(16))).toHaveLength(1);
    expect(bridge('b'.repeat(16))).toHaveLength(1);
  });

  it('compile the schemas with ajv when the generated ones are stale, with the same results', async () => {
    const { validateWithSchema } = await import('../../src/parsers/json/schema.js');
    const root = parseJson(text).root;
    const strip = (issues: ReturnType<typeof validateWithSchema>) => issues.map(({ node, schema, ...rest }) => ({ ...rest, node: node.range }));
    const expected = strip(validateWithSchema('cni-conflist', root));
    expect(expected.length).toBeGreaterThan(3);

    vi.resetModules();
    vi.doMock('../../src/parsers/json/validators.generated.js', async (original) => ({
      ...(await original<object>()),
      fingerprint: 'stale',
    }));
    const stale = await import('../../src/parsers/json/schema.js');
    const generated = await import('../../src/parsers/json/validators.generated.js');
    expect(stale.schemaValidator('cni-conflist')).not.toBe(generated.cniConflist);
    expect(strip(stale.validateWithSchema('cni-conflist', parseJson(text).root))).toEqual(expected);
  });
});
