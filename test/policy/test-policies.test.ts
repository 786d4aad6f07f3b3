import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigResolver } from '../../src/config/resolver.js';
import { lintFiles } from '../../src/engine/lint-files.js';
import { formatPolicyTestReport, loadPolicies, testPolicies } from '../../src/policy/index.js';

const EXAMPLES = path.resolve(__dirname, '../../examples/policies');
const tmp: string[] = [];
afterAll(() => {
  for (const dir of tmp) rmSync(dir, { recursive: true, force: true });
});

function copyExamples(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netlint-test-policies-'));
  tmp.push(dir);
  cpSync(EXAMPLES, dir, { recursive: true });
  return dir;
}

describe('testPolicies', () => {
  it('passes every fixture of the example policies', async () => {
    const result = await testPolicies(EXAMPLES);
    expect(result.failed).toEqual([]);
    expect(result.passed).toBe(12);
    expect(formatPolicyTestReport(result)).toBe('12 fixtures, 12 passed, 0 failed\n');
  });

  it('ships the three example policies, each loadable', () => {
    const ids = ['aws-node-randomizesnat-prng', 'docker-ipv6-requires-ip6tables', 'masquerade-excludes-10-8'];
    const { rules } = loadPolicies(ids.map((id) => path.join(EXAMPLES, id, 'policy.yaml')));
    expect(rules.map((r) => [r.meta.id, r.meta.inputs, r.meta.fix])).toEqual([
      ['aws-node-randomizesnat-prng', ['kubernetes'], 'safe'],
      ['docker-ipv6-requires-ip6tables', ['docker-daemon'], 'safe'],
      ['masquerade-excludes-10-8', ['iptables'], undefined],
    ]);
  });

  it('keeps the example policies and their fixtures out of `netlint lint examples`', async () => {
    const cwd = path.resolve(EXAMPLES, '../..');
    const configs = await ConfigResolver.create({ cwd });
    const { results } = await lintFiles(['examples'], { cwd, configs });
    expect(results.map((r) => path.relative(cwd, r.filePath).split(path.sep).join('/')).filter((f) => f.startsWith('examples/policies/'))).toEqual([]);
  });

  it('tests a single policy folder', async () => {
    const result = await testPolicies(path.join(EXAMPLES, 'masquerade-excludes-10-8'));
    expect(result).toEqual({ passed: 3, failed: [] });
  });

  it('reports broken fixtures, each with the reason', async () => {
    const dir = copyExamples();
    const masq = path.join(dir, 'masquerade-excludes-10-8', 'fixtures');
    // Expected findings that no longer match.
    const expectedFile = path.join(masq, 'fail', 'docker-and-pods.findings.json');
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
    expected[0].line = 10;
    writeFileSync(expectedFile, JSON.stringify(expected));
    // A pass fixture that fails the policy.
    writeFileSync(path.join(masq, 'pass', 'bad.rules'), '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n');
    // A fail fixture without its findings file, and one that does not parse.
    writeFileSync(path.join(masq, 'fail', 'orphan.rules'), '*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n');
    writeFileSync(path.join(masq, 'fail', 'broken.rules'), '*nat\n-A POSTROUTING -j\nCOMMIT\n');
    writeFileSync(path.join(masq, 'fail', 'broken.findings.json'), '[]');
    // A fixed file that differs from what --fix makes.
    const fixed = path.join(dir, 'docker-ipv6-requires-ip6tables', 'fixtures', 'fail', 'no-ip6tables.fixed.daemon.json');
    writeFileSync(fixed, '{ "ipv6": true, "ip6tables": true }\n');
    // An invalid policy, and one without fixtures.
    mkdirSync(path.join(dir, 'nested', 'bad-policy'), { recursive: true });
    writeFileSync(path.join(dir, 'nested', 'bad-policy', 'policy.yaml'), 'id: bad-policy\ndescription: x\nseverity: fatal\nsubject: { iptables: rule }\nrequire: true\nmessage: x\n');
    mkdirSync(path.join(dir, 'lonely'));
    writeFileSync(
      path.join(dir, 'lonely', 'policy.yaml'),
      'id: lonely\ndescription: x\nseverity: warn\nsubject: { iptables: rule }\nrequire: true\nmessage: x\n',
    );

    const result = await testPolicies(dir);
    const failures = result.failed.map((f) => [f.policy, f.fixture, f.reason.split('\n')[0]]);
    expect(failures).toEqual([
      ['docker-ipv6-requires-ip6tables', 'docker-ipv6-requires-ip6tables/fixtures/fail/no-ip6tables.daemon.json', 'the fixed text differs from no-ip6tables.fixed.daemon.json:'],
      ['lonely', 'lonely/fixtures/pass', 'no pass fixtures'],
      ['lonely', 'lonely/fixtures/fail', 'no fail fixtures'],
      ['masquerade-excludes-10-8', 'masquerade-excludes-10-8/fixtures/pass/bad.rules', expect.stringMatching(/^expected no finding, got 1: 3:1 masquerade-excludes-10-8 "Expected MASQUERADE/)],
      ['masquerade-excludes-10-8', 'masquerade-excludes-10-8/fixtures/fail/broken.rules', expect.stringMatching(/^the file did not lint cleanly: 2:\d+ parse-error /)],
      ['masquerade-excludes-10-8', 'masquerade-excludes-10-8/fixtures/fail/docker-and-pods.rules', expect.stringMatching(/^expected 3 finding\(s\), got 3; missing 10:1 ".*"; unexpected 9:1 masquerade-excludes-10-8/)],
      ['masquerade-excludes-10-8', 'masquerade-excludes-10-8/fixtures/fail/orphan.rules', 'missing orphan.findings.json'],
      ['bad-policy', expect.stringMatching(/nested\/bad-policy\/policy\.yaml:3:11$/), 'Invalid policy "bad-policy": Expected severity to be one of "warn" or "error", found "fatal".'],
    ]);
    expect(result.passed).toBe(10);

    const report = formatPolicyTestReport(result);
    expect(report).toContain('FAIL masquerade-excludes-10-8 masquerade-excludes-10-8/fixtures/fail/orphan.rules\n  missing orphan.findings.json\n');
    expect(report.trimEnd().split('\n').pop()).toBe('18 fixtures, 10 passed, 8 failed');
  });

  it('reports a folder with no policies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netlint-no-policies-'));
    tmp.push(dir);
    const result = await testPolicies(dir);
    expect(result.passed).toBe(0);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].reason).toMatch(/^no policy folders/);
  });
});
