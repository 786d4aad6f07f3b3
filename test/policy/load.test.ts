import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import policySchema from '../../schemas/netlint-policy.schema.json' with { type: 'json' };
import { ConfigError } from '../../src/engine/errors.js';
import { compilePolicy, loadPolicies, parsePolicies } from '../../src/policy/index.js';

const BASE = `id: sample-policy
description: Require something.
severity: warn
subject:
  kind: docker-daemon
require:
  required: [iptables]
message: "Missing: {{error}}."
`;

/** The ConfigError `parsePolicies` throws for `text`. */
function errorOf(text: string, filePath = 'policies/bad.yaml'): ConfigError {
  try {
    parsePolicies(text, filePath);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('policy schema', () => {
  it('is a valid draft-07 schema with a description on every property', () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(policySchema)).toBe(true);
    const props = policySchema.properties as Record<string, { description?: string }>;
    for (const [key, prop] of Object.entries(props)) expect(prop.description, key).toBeTruthy();
    const subject = props.subject as unknown as { properties: Record<string, { description?: string }> };
    for (const [key, prop] of Object.entries(subject.properties)) expect(prop.description, `subject.${key}`).toBeTruthy();
  });
});

describe('loading policies', () => {
  it('compiles a valid policy into a rule module', () => {
    const [{ rule, line, column }] = parsePolicies(BASE, 'p.yaml');
    expect(rule.meta).toMatchObject({
      id: 'sample-policy',
      inputs: ['docker-daemon'],
      category: 'correctness',
      description: 'Require something.',
      recommended: 'warn',
      messages: { violation: 'Missing: {{error}}.' },
      defaultOptions: {},
    });
    expect(rule.meta.fix).toBeUndefined();
    expect({ line, column }).toEqual({ line: 1, column: 1 });
  });

  it('reads several policies from one multi-document file and skips empty documents', () => {
    const text = `${BASE}---\n---\n# nothing\n---\n${BASE.replace('sample-policy', 'other-policy')}`;
    const parsed = parsePolicies(text, 'p.yaml');
    expect(parsed.map((p) => [p.rule.meta.id, p.line])).toEqual([
      ['sample-policy', 1],
      ['other-policy', 13],
    ]);
  });

  it('marks policies with a fix as safe-fixable and words the fix', () => {
    const [{ rule }] = parsePolicies(`${BASE}fix:\n  path: /iptables\n  value: true\n`, 'p.yaml');
    expect(rule.meta.fix).toBe('safe');
    expect(rule.meta.messages.fix).toBe('Set iptables to true.');
  });

  it.each([
    ['an unknown key, at the key', BASE + 'requires: {}\n', 'Unknown key "requires"', 9, 1],
    ['a missing key, at the document', BASE.replace('description: Require something.\n', ''), 'Missing key "description"', 1, 1],
    ['a wrong severity, at the value', BASE.replace('severity: warn', 'severity: fatal'), 'Expected severity to be one of "warn" or "error", found "fatal"', 3, 11],
    ['a bad id, at the value', BASE.replace('id: sample-policy', 'id: Sample_Policy'), 'Expected id to match', 1, 5],
    ['both require and forbid', BASE + 'forbid: {}\n', 'exactly one of "require" or "forbid"', 1, 1],
    ['two subjects', BASE.replace('  kind: docker-daemon', '  kind: docker-daemon\n  iptables: rule'), 'Expected subject to have exactly one of', 5, 3],
    ['an unknown subject kind', BASE.replace('kind: docker-daemon', 'kind: nginx'), 'Expected subject.kind to be one of', 5, 9],
    ['an unknown subject field', BASE.replace('kind: docker-daemon', 'kubernetes: { kind: DaemonSet, label: x }'), 'Unknown key "label" in subject.kubernetes', 5, 34],
    ['a bad fix path', BASE + 'fix:\n  path: ip6tables\n  value: true\n', 'Expected fix.path to be a JSON Pointer', 10, 9],
    ['a schema that is not one', BASE.replace('require:\n  required: [iptables]', 'require: [iptables]'), 'Expected a JSON Schema', 6, 10],
  ])('reports %s with file, line and column', (_what, text, message, line, column) => {
    const err = errorOf(text);
    expect(err.message).toContain(message);
    expect(err.message).toMatch(/^Invalid policy( "(sample-policy|Sample_Policy)")?: /);
    expect({ filePath: err.filePath, line: err.line, column: err.column }).toEqual({ filePath: 'policies/bad.yaml', line, column });
  });

  it('locates a misspelt JSON Schema keyword at the keyword', () => {
    const err = errorOf(BASE.replace('  required: [iptables]', '  properties:\n    iptables:\n      tpye: boolean'));
    expect(err.message).toContain('invalid JSON Schema in "require": strict mode: unknown keyword: "tpye"');
    expect([err.line, err.column]).toEqual([9, 7]);
  });

  it('locates an unknown format and an invalid pattern', () => {
    const format = errorOf(BASE.replace('  required: [iptables]', '  properties:\n    bip: { format: ipv5 }'));
    expect(format.message).toContain('unknown format "ipv5"');
    expect(format.line).toBe(8);
    const pattern = errorOf(BASE.replace('  required: [iptables]', '  properties:\n    bip: { pattern: "(" }'));
    expect(pattern.message).toContain('Invalid regular expression');
    expect(pattern.line).toBe(7);
  });

  it('accepts the formats it adds', () => {
    expect(() => parsePolicies(BASE.replace('  required: [iptables]', '  properties:\n    bip: { format: cidr }\n    dns: { items: { format: ip } }'), 'p.yaml')).not.toThrow();
  });

  it('locates an invalid selector regex', () => {
    const err = errorOf(BASE.replace('kind: docker-daemon', 'kubernetes:\n    name: [aws-node, "/(/"]'));
    expect(err.message).toContain('invalid regular expression /(/');
    expect([err.line, err.column]).toEqual([6, 22]);
  });

  it('refuses a fix on subjects that are not JSON or YAML text', () => {
    const err = errorOf(BASE.replace('kind: docker-daemon', 'iptables: rule') + 'fix: { path: /x, value: 1 }\n');
    expect(err.message).toContain('a fix can only edit JSON or YAML subjects');
    expect([err.line, err.column]).toEqual([9, 1]);
  });

  it('reports YAML syntax errors at their position', () => {
    const err = errorOf('id: a\ndescription: Require "x": true\n');
    expect(err.message).toMatch(/^Invalid YAML: /);
    expect([err.line, err.column]).toEqual([2, 14]);
    const dup = errorOf('id: a\nid: b\n');
    expect(dup.message).toContain('Map keys must be unique');
    expect(dup.line).toBe(2);
  });

  it('validates objects given directly, without positions', () => {
    expect(() => compilePolicy({ id: 'x' })).toThrow(/Invalid policy "x": Missing key "description"/);
    expect(() => compilePolicy(null)).toThrow(ConfigError);
    const rule = compilePolicy({
      id: 'plugin-policy',
      description: 'Require x.',
      severity: 'error',
      subject: { fact: 'Sysctl' },
      forbid: { properties: { key: { const: 'net.ipv4.ip_forward' }, value: { const: '0' } }, required: ['key', 'value'] },
      message: 'Disallowed: {{error}}.',
    });
    expect(rule.meta.inputs.length).toBeGreaterThan(5);
  });

  it('loads files, naming unreadable ones and duplicate ids', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netlint-policies-'));
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    writeFileSync(a, BASE);
    writeFileSync(b, `# again\n${BASE}`);
    expect(loadPolicies([a]).rules.map((r) => r.meta.id)).toEqual(['sample-policy']);
    let err: ConfigError | undefined;
    try {
      loadPolicies([a, b]);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.message).toBe(`Duplicate policy id "sample-policy" (first defined in ${a}:1).`);
    expect([err?.filePath, err?.line, err?.column]).toEqual([b, 2, 1]);
    expect(() => loadPolicies([path.join(dir, 'missing.yaml')])).toThrow(/Cannot read the policy file: ENOENT/);
  });
});
