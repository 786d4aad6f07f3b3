import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, root } from '../helpers/bin.js';

// The built bin, as users run it (`npm test` builds first).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, input: '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Files linted in a --cache run, from the NETLINT_DEBUG report. */
function lintedFiles(stderr: string): string[] {
  return [...stderr.matchAll(/^netlint: cache: linted (.+)$/gm)].map((m) => m[1].split(path.sep).join('/')).sort();
}

const MASQ = (flag = '') => `*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE${flag}\nCOMMIT\n`;
const ETHTOOL = `Features for veth1a2b:\nrx-checksumming: on\ntx-checksumming: on\n`;

/** Two scopes (node-a with an iptables dump, ethtool and uname; node-b with a dump), and the examples. */
function project(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'node-a'), { recursive: true });
  mkdirSync(path.join(dir, 'node-b'), { recursive: true });
  writeFileSync(path.join(dir, 'node-a', 'iptables-save.txt'), MASQ());
  writeFileSync(path.join(dir, 'node-a', 'ethtool-k.txt'), ETHTOOL);
  writeFileSync(path.join(dir, 'node-a', 'uname-r.txt'), '4.1.12-124.el7\n');
  writeFileSync(path.join(dir, 'node-b', 'iptables-save.txt'), MASQ());
  cpSync(path.join(root, 'examples'), path.join(dir, 'examples'), { recursive: true });
  return dir;
}

describe('netlint lint --cache', () => {
  it('a warm run gives the cold run output byte for byte, and lints nothing', () => {
    const dir = project('warm');
    const cold = run(['lint', '.', '--format', 'json'], dir);
    expect(cold.code).toBe(1);
    expect(existsSync(path.join(dir, '.netlintcache'))).toBe(false);
    const first = run(['lint', '.', '--format', 'json', '--cache'], dir, { NETLINT_DEBUG: '1' });
    expect(first.code).toBe(1);
    expect(first.stdout).toBe(cold.stdout);
    expect(lintedFiles(first.stderr).length).toBeGreaterThan(4);
    expect(existsSync(path.join(dir, '.netlintcache'))).toBe(true);
    const warm = run(['lint', '.', '--format', 'json', '--cache'], dir, { NETLINT_DEBUG: '1' });
    expect(warm.code).toBe(1);
    expect(warm.stdout).toBe(cold.stdout);
    expect(lintedFiles(warm.stderr)).toEqual([]);
    // Stylish output too (it reads the same results).
    expect(run(['lint', '.', '--cache'], dir).stdout).toBe(run(['lint', '.'], dir).stdout);
  });

  it('changing one file re-lints only its scope (its directory), and the result is the cold one', () => {
    const dir = project('change');
    run(['lint', '.', '--cache'], dir);
    writeFileSync(path.join(dir, 'node-a', 'iptables-save.txt'), MASQ(' --random-fully'));
    const warm = run(['lint', '.', '--format', 'json', '--cache'], dir, { NETLINT_DEBUG: '1' });
    expect(lintedFiles(warm.stderr)).toEqual(['node-a/ethtool-k.txt', 'node-a/iptables-save.txt', 'node-a/uname-r.txt']);
    expect(warm.stdout).toBe(run(['lint', '.', '--format', 'json'], dir).stdout);
    // A sibling's change changes the findings of the others: the kernel decides the veth finding.
    writeFileSync(path.join(dir, 'node-a', 'uname-r.txt'), '6.1.0-18-amd64\n');
    const again = run(['lint', '.', '--format', 'json', '--cache'], dir, { NETLINT_DEBUG: '1' });
    expect(lintedFiles(again.stderr)).toEqual(['node-a/ethtool-k.txt', 'node-a/iptables-save.txt', 'node-a/uname-r.txt']);
    expect(again.stdout).toBe(run(['lint', '.', '--format', 'json'], dir).stdout);
  });

  it('a config change, --rule or a policy change invalidates the files it applies to', () => {
    const dir = project('config');
    run(['lint', 'node-a', 'node-b', '--cache'], dir);
    writeFileSync(path.join(dir, 'node-b', 'netlint.config.yaml'), 'extends: [netlint:recommended]\nrules:\n  masquerade-without-random-fully: warn\n');
    const warm = run(['lint', 'node-a', 'node-b', '--format', 'json', '--cache'], dir, { NETLINT_DEBUG: '1' });
    expect(lintedFiles(warm.stderr)).toEqual(['node-b/iptables-save.txt']);
    expect(warm.stdout).toBe(run(['lint', 'node-a', 'node-b', '--format', 'json'], dir).stdout);
    const withRule = run(['lint', 'node-a', 'node-b', '--format', 'json', '--cache', '--rule', 'masquerade-without-random-fully:off'], dir, { NETLINT_DEBUG: '1' });
    expect(lintedFiles(withRule.stderr)).toHaveLength(4);
    expect(JSON.parse(withRule.stdout).flatMap((r: { messages: { ruleId: string }[] }) => r.messages.map((m) => m.ruleId))).not.toContain('masquerade-without-random-fully');

    // A policy file's content is part of the key of the files whose config lists it.
    const policy = path.join(dir, 'examples', 'policies', 'masquerade-excludes-10-8', 'policy.yaml');
    mkdirSync(path.join(dir, 'pol'));
    writeFileSync(path.join(dir, 'pol', 'netlint.config.yaml'), 'extends: [netlint:recommended]\npolicies: [../examples/policies/masquerade-excludes-10-8/policy.yaml]\n');
    writeFileSync(path.join(dir, 'pol', 'iptables-save.txt'), MASQ(' --random-fully'));
    const before = run(['lint', 'pol', '--format', 'json', '--cache'], dir);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/masquerade-excludes-10-8/);
    writeFileSync(policy, readFileSync(policy, 'utf8').replace(/^severity: warn$/m, 'severity: error'));
    const after = run(['lint', 'pol', '--format', 'json', '--cache'], dir, { NETLINT_DEBUG: '1' });
    expect(lintedFiles(after.stderr)).toEqual(['pol/iptables-save.txt']);
    expect(after.code).toBe(1);
    expect(after.stdout).toBe(run(['lint', 'pol', '--format', 'json'], dir).stdout);
  });

  it('the cache file is never an input, even when it looks like one', () => {
    const dir = project('self');
    const cold = run(['lint', '.', '--format', 'json'], dir);
    // A cache file whose text a kind detector would take for a CNI config.
    writeFileSync(path.join(dir, '.netlintcache'), JSON.stringify({ cniVersion: '1.0.0', name: 'x', plugins: [{ type: 'bridge' }] }));
    const r = run(['lint', '.', '--format', 'json', '--cache'], dir);
    expect(r.stdout).toBe(cold.stdout);
    expect(run(['lint', '.', '--format', 'json', '--cache'], dir).stdout).toBe(cold.stdout);
    mkdirSync(path.join(dir, 'c'));
    expect(run(['lint', '.', '--format', 'json', '--cache', '--cache-location', 'c/'], dir).stdout).toBe(cold.stdout);
    expect(run(['lint', '.', '--format', 'json', '--cache', '--cache-location', 'c/'], dir).stdout).toBe(cold.stdout);
  });

  it('a corrupt or foreign cache file is ignored (no crash) and replaced', () => {
    const dir = project('corrupt');
    const cold = run(['lint', '.', '--format', 'json'], dir);
    for (const junk of ['{"format":1,"netlint":', 'null', '[]', '{"format":1,"netlint":"0.0.0-other","entries":{}}', '\u0000\u0001binary']) {
      writeFileSync(path.join(dir, '.netlintcache'), junk);
      const r = run(['lint', '.', '--format', 'json', '--cache'], dir);
      expect(r.code, junk).toBe(1);
      expect(r.stderr, junk).toBe('');
      expect(r.stdout, junk).toBe(cold.stdout);
      expect(() => JSON.parse(readFileSync(path.join(dir, '.netlintcache'), 'utf8'))).not.toThrow();
    }
    // Entries of the right shape with findings of the wrong shape are dropped, not trusted blindly.
    writeFileSync(path.join(dir, '.netlintcache'), JSON.stringify({ format: 1, netlint: 'x', entries: { a: 1 } }));
    expect(run(['lint', '.', '--format', 'json', '--cache'], dir).stdout).toBe(cold.stdout);
  });

  it('--cache-location names the file, or a folder to put it in; the write is atomic (no temp files left)', () => {
    const dir = project('location');
    run(['lint', 'node-b', '--cache', '--cache-location', 'build/lint.cache'], dir);
    expect(existsSync(path.join(dir, 'build', 'lint.cache'))).toBe(true);
    mkdirSync(path.join(dir, 'caches'));
    run(['lint', 'node-b', '--cache', '--cache-location', 'caches'], dir);
    const inFolder = readdirNames(path.join(dir, 'caches'));
    expect(inFolder).toHaveLength(1);
    expect(inFolder[0]).toMatch(/^\.netlintcache_[0-9a-f]+$/);
    expect(readdirNames(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(path.join(dir, '.netlintcache'))).toBe(false);
  });

  it('--fix bypasses the cache: it lints and writes, and the next cached run sees the fixed file', () => {
    const dir = project('fix');
    run(['lint', 'node-b', '--cache'], dir);
    const fixed = run(['lint', 'node-b', '--fix', '--cache', '--format', 'json'], dir, { NETLINT_DEBUG: '1' });
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).not.toMatch(/cache/);
    expect(readFileSync(path.join(dir, 'node-b', 'iptables-save.txt'), 'utf8')).toContain('--random-fully');
    const after = run(['lint', 'node-b', '--cache', '--format', 'json'], dir, { NETLINT_DEBUG: '1' });
    expect(after.code).toBe(0);
    expect(lintedFiles(after.stderr)).toEqual(['node-b/iptables-save.txt']);
  });
});

function readdirNames(dir: string): string[] {
  return readdirSync(dir);
}
