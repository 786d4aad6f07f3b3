import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, root } from '../helpers/bin.js';

// The built bin, as users run it (`npm test` builds first).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, input: '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

const MASQ = '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n';
const CONFLIST = JSON.stringify({ cniVersion: '1.0.0', name: 'pods', plugins: [{ type: 'bridge', bridge: 'cni0', ipMasq: true, ipam: { type: 'host-local', subnet: '10.22.0.0/16' } }] }, null, 2);

describe('netlint init', () => {
  it('in an empty folder: writes a config that validates and lints clean', () => {
    const dir = path.join(tmp, 'empty');
    mkdirSync(dir);
    const r = run(['init'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/found no files netlint reads here/);
    expect(r.stdout).toMatch(/wrote netlint\.config\.yaml/);
    const text = readFileSync(path.join(dir, 'netlint.config.yaml'), 'utf8');
    expect(parseYaml(text)).toEqual({ extends: ['netlint:recommended'] });
    // internalNetworks is there, commented, to be filled in.
    expect(text).toMatch(/^# settings:\n#   internalNetworks: \[/m);
    expect(run(['lint'], dir)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const printed = JSON.parse(run(['print-config', 'x.rules'], dir).stdout);
    expect(printed.configFiles).toEqual([path.join(dir, 'netlint.config.yaml')]);
    expect(printed.rules['masquerade-without-random-fully']).toBe('error');
  });

  it('does not replace a config without --force', () => {
    const dir = path.join(tmp, 'existing');
    write(dir, { 'netlint.config.json': '{"rules":{}}\n' });
    const r = run(['init'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^netlint: netlint\.config\.json already exists: .*--force/);
    expect(existsSync(path.join(dir, 'netlint.config.yaml'))).toBe(false);
    const forced = run(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/netlint\.config\.json is still there; netlint\.config\.yaml takes precedence/);
    expect(existsSync(path.join(dir, 'netlint.config.yaml'))).toBe(true);
    expect(run(['init'], dir).code).toBe(2);
    expect(run(['init', 'somewhere'], dir).code).toBe(2);
  });

  it('in a copy of examples/: reports what it found, and lint with its config finds the expected issues', () => {
    const dir = path.join(tmp, 'examples');
    cpSync(path.join(root, 'examples'), dir, { recursive: true });
    const expected = run(['lint', '.', '--format', 'json'], dir);
    const r = run(['init'], dir);
    expect(r.code).toBe(0);
    // The policy fixtures are left to examples/policies' own config, which ignores them.
    expect(r.stdout).toMatch(/^netlint init: found 2 iptables dumps\.\n/);
    const config = parseYaml(readFileSync(path.join(dir, 'netlint.config.yaml'), 'utf8'));
    expect(config).toEqual({ extends: ['netlint:recommended'] });

    const lint = run(['lint'], dir);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toMatch(/docker-host\/iptables-save\.txt\n {2}43:54 {2}error {2}Missing --random-fully on MASQUERADE/);
    expect(lint.stdout).toMatch(/✖ 3 problems \(3 errors, 0 warnings\)/);
    // The same findings as before init (with the folder's recommended defaults).
    const withConfig = JSON.parse(run(['lint', '.', '--format', 'json'], dir).stdout);
    const ids = (rs: { filePath: string; messages: { ruleId: string; line: number }[] }[]) =>
      rs.flatMap((x) => x.messages.map((m) => `${path.relative(dir, x.filePath)}:${m.line}:${m.ruleId}`)).sort();
    expect(ids(withConfig)).toEqual(ids(JSON.parse(expected.stdout)));
  });

  it('ignores vendored code, test fixtures and Helm templates it finds; example folders get warnings', () => {
    const dir = path.join(tmp, 'repo');
    write(dir, {
      'nodes/node-1/iptables-save.txt': MASQ,
      'cni/10-bridge.conflist': CONFLIST,
      'vendor/github.com/x/iptables.rules': MASQ,
      'test/e2e/fixtures/broken.conflist': '{ "cniVersion": ',
      'charts/net/Chart.yaml': 'apiVersion: v2\nname: net\nversion: 1.0.0\n',
      'charts/net/templates/ds.yaml': 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: {{ .Release.Name }}\n',
      'examples/docker/iptables-save.txt': MASQ,
      'package.json': '{ "name": "x", "type": "module" }\n',
      'README.md': '# repo\n',
    });
    const r = run(['init'], dir);
    expect(r.code).toBe(0);
    const config = parseYaml(readFileSync(path.join(dir, 'netlint.config.yaml'), 'utf8'));
    expect(config.ignores).toEqual(['vendor/**', '**/fixtures/**', 'charts/net/templates/**']);
    expect(config.overrides).toHaveLength(1);
    expect(config.overrides[0].files).toEqual(['examples/**']);
    expect(config.overrides[0].rules['masquerade-without-random-fully']).toBe('warn');
    expect(r.stdout).toMatch(/found 2 iptables dumps and 1 CNI config\./);

    const results = JSON.parse(run(['lint', '--format', 'json'], dir).stdout) as { filePath: string; errorCount: number; warningCount: number }[];
    const byFile = Object.fromEntries(results.map((x) => [path.relative(dir, x.filePath).split(path.sep).join('/'), x]));
    expect(Object.keys(byFile).sort()).toEqual(['cni/10-bridge.conflist', 'examples/docker/iptables-save.txt', 'nodes/node-1/iptables-save.txt']);
    expect(byFile['nodes/node-1/iptables-save.txt'].errorCount).toBeGreaterThan(0);
    expect(byFile['examples/docker/iptables-save.txt']).toMatchObject({ errorCount: 0, warningCount: 1 });
  });
});
