import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, root } from '../helpers/bin.js';

// The CLI is run as a user runs it: the built bin, in a child process (`npm test` builds first).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? root,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DOCKER_DUMP = `*nat
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
COMMIT
`;

describe('netlint lint', () => {
  it('lints the bundled examples, stylish like ESLint, exit 1', () => {
    const r = run(['lint', 'examples']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\n\S*examples\/docker-host\/iptables-save\.txt\n {2}43:54 {2}error {2}Missing --random-fully on MASQUERADE/m);
    expect(r.stdout).toMatch(/✖ 3 problems \(3 errors, 0 warnings\)/);
  });

  it('prints ESLint-shaped JSON', () => {
    const r = run(['lint', 'examples', '--format', 'json']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout);
    expect(results).toHaveLength(2);
    for (const res of results) {
      expect(Object.keys(res).sort()).toEqual(
        ['errorCount', 'fatalErrorCount', 'filePath', 'fixableErrorCount', 'fixableWarningCount', 'messages', 'source', 'suppressedMessages', 'usedDeprecatedRules', 'warningCount'].sort(),
      );
      expect(path.isAbsolute(res.filePath)).toBe(true);
      for (const m of res.messages) {
        expect(m).toMatchObject({ ruleId: expect.any(String), severity: 2, line: expect.any(Number), column: expect.any(Number), endLine: expect.any(Number), endColumn: expect.any(Number) });
        expect(m.fix).toEqual({ range: [expect.any(Number), expect.any(Number)], text: ' --random-fully' });
      }
    }
  });

  it('exits 0 on clean input', () => {
    const r = run(['lint', '--stdin', '--kind', 'iptables'], { input: DOCKER_DUMP.replace('MASQUERADE', 'MASQUERADE --random-fully') });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('reads stdin with --stdin-filename for kind detection', () => {
    const r = run(['lint', '--stdin', '--stdin-filename', 'node/iptables.rules', '--format', 'json'], { input: DOCKER_DUMP });
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.stdout);
    expect(res.filePath).toBe(path.join(root, 'node/iptables.rules'));
    expect(res.messages[0]).toMatchObject({ line: 3, column: 46, ruleId: 'masquerade-without-random-fully' });
  });

  it('stdin without --kind or --stdin-filename is a usage error', () => {
    const r = run(['lint', '--stdin'], { input: DOCKER_DUMP });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('netlint: --stdin needs --kind or --stdin-filename.\n');
  });

  it('unknown options and missing paths exit 2 with one line, no stack', () => {
    for (const args of [['--bogus'], ['lint', 'does-not-exist'], ['lint', '--max-warnings', 'x'], ['lint', '--kind', 'nope', 'examples']]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^netlint: /);
      expect(r.stderr).not.toMatch(/\bat \S+:\d+:\d+/);
    }
  });

  it('--quiet drops warnings, --max-warnings turns them into exit 1', () => {
    const warnOnly = DOCKER_DUMP.replace('MASQUERADE', 'MASQUERADE --random');
    const normal = run(['lint', '--stdin', '--kind', 'iptables'], { input: warnOnly });
    expect(normal.code).toBe(0);
    expect(normal.stdout).toMatch(/1 problem \(0 errors, 1 warning\)/);
    const quiet = run(['lint', '--stdin', '--kind', 'iptables', '--quiet'], { input: warnOnly });
    expect(quiet).toMatchObject({ code: 0, stdout: '' });
    const max = run(['lint', '--stdin', '--kind', 'iptables', '--max-warnings', '0'], { input: warnOnly });
    expect(max.code).toBe(1);
    expect(max.stderr).toMatch(/too many warnings \(maximum: 0\)/);
  });

  it('an explicitly named file of unknown kind is an unknown-input finding', () => {
    const file = path.join(tmp, 'notes.txt');
    writeFileSync(file, 'just some notes\n');
    const r = run(['lint', file, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)[0].messages[0]).toMatchObject({ ruleId: 'unknown-input', line: 1, column: 1 });
  });

  it('a directory walk skips files it cannot recognise', () => {
    const dir = path.join(tmp, 'walk');
    cpSync(path.join(root, 'examples/docker-host'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'README.md'), '# notes\n');
    // Binary: a NUL byte in the first 8 KiB, even after text that reads as a dump.
    writeFileSync(path.join(dir, 'rules.v4'), Buffer.concat([Buffer.from(DOCKER_DUMP), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0])]));
    const r = run(['lint', dir, '--format', 'json']);
    expect(JSON.parse(r.stdout).map((x: { filePath: string }) => path.basename(x.filePath))).toEqual(['iptables-save.txt']);
  });

  it('reads UTF-8 files as UTF-8 (columns count characters) and ASCII files alike', () => {
    const line = '-A POSTROUTING -m comment --comment "naïve ☕ café" -j MASQUERADE';
    const text = `*nat\n# über\n:POSTROUTING ACCEPT [0:0]\n${line}\nCOMMIT\n`;
    const file = path.join(tmp, 'utf8.rules');
    writeFileSync(file, text);
    const r = run(['lint', file, '--format', 'json']);
    const [m] = JSON.parse(r.stdout)[0].messages;
    expect(m).toMatchObject({ ruleId: 'masquerade-without-random-fully', line: 4, column: line.indexOf('-j MASQUERADE') + 1, endColumn: line.length + 1 });
    expect(m.message).toContain('POSTROUTING');
  });

  it('documents and code that quote a dump are not linted as dumps; --kind still lints them', () => {
    const dir = path.join(tmp, 'quoting');
    cpSync(path.join(root, 'examples/docker-host'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'README.md'), `# Docker host\n\nThe dump:\n\n\`\`\`\n${DOCKER_DUMP}\`\`\`\n`);
    writeFileSync(path.join(dir, 'dump.test.ts'), `const dump = \`\n${DOCKER_DUMP}\`;\n`);
    writeFileSync(path.join(dir, 'notes.txt'), `What we saw on node-3:\n${DOCKER_DUMP}`);
    const r = run(['lint', dir, '--format', 'json']);
    expect(JSON.parse(r.stdout).map((x: { filePath: string }) => path.basename(x.filePath))).toEqual(['iptables-save.txt']);
    const named = run(['lint', path.join(dir, 'README.md'), '--format', 'json']);
    expect(JSON.parse(named.stdout)[0].messages.map((m: { ruleId: string }) => m.ruleId)).toEqual(['unknown-input']);
    const forced = run(['lint', path.join(dir, 'notes.txt'), '--kind', 'iptables', '--format', 'json']);
    expect(JSON.parse(forced.stdout)[0].messages.map((m: { ruleId: string }) => m.ruleId)).toContain('masquerade-without-random-fully');
  });

  it('a broken line is a parse-error and later lines are still linted', () => {
    const text = `*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s ! 10.0.0.0/8 -j MASQUERADE\n-A POSTROUTING -s 10.1.0.0/16 -j MASQUERADE\nCOMMIT\n`;
    const r = run(['lint', '--stdin', '--kind', 'iptables', '--format', 'json'], { input: text });
    const msgs = JSON.parse(r.stdout)[0].messages;
    expect(msgs.map((m: { ruleId: string; line: number }) => [m.ruleId, m.line])).toEqual([
      ['parse-error', 3],
      ['masquerade-without-random-fully', 4],
    ]);
    expect(msgs[0].message).toContain('! -s 10.0.0.0/8');
    expect(msgs[0].fatal).toBe(true);
  });
});

describe('netlint lint --fix', () => {
  it('fixes only the MASQUERADE lines, keeps CRLF, and a second run changes no byte', () => {
    const file = path.join(tmp, 'fix', 'iptables-save.txt');
    cpSync(path.join(root, 'examples/docker-host'), path.dirname(file), { recursive: true });
    const crlf = readFileSync(file, 'utf8').replace(/\n/g, '\r\n');
    writeFileSync(file, crlf);
    const first = run(['lint', '--fix', file]);
    expect(first.code).toBe(0);
    const fixed = readFileSync(file, 'utf8');
    const before = crlf.split('\r\n');
    const after = fixed.split('\r\n');
    expect(after).toHaveLength(before.length);
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual([
      '-A POSTROUTING -s 172.18.0.0/16 ! -o br-4f0a7c3e9b21 -j MASQUERADE --random-fully',
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE --random-fully',
    ]);
    const second = run(['lint', '--fix', file]);
    expect(second.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(fixed);
  });

  it('--fix-dry-run reports output without writing', () => {
    const file = path.join(tmp, 'dry.rules');
    writeFileSync(file, DOCKER_DUMP);
    const r = run(['lint', '--fix-dry-run', '--format', 'json', file]);
    expect(r.code).toBe(0);
    const [res] = JSON.parse(r.stdout);
    expect(res.output).toBe(DOCKER_DUMP.replace('MASQUERADE', 'MASQUERADE --random-fully'));
    expect(readFileSync(file, 'utf8')).toBe(DOCKER_DUMP);
  });

  it('--fix-rule limits fixes to named rules and rejects unknown ids', () => {
    expect(run(['lint', '--fix-dry-run', '--fix-rule', 'nope', 'examples']).code).toBe(2);
  });
});

describe('ESLint formatter packages', () => {
  it('eslint-formatter-gitlab (installed from npm) renders netlint results as a GitLab code quality report', () => {
    const report = path.join(tmp, 'gl-codequality.json');
    const r = run(['lint', 'examples', '--format', 'gitlab'], {
      env: { ESLINT_CODE_QUALITY_REPORT: report, CI_PROJECT_DIR: root, CI_JOB_NAME: 'netlint' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/3 problems/);
    const issues = JSON.parse(readFileSync(report, 'utf8'));
    expect(issues).toHaveLength(3);
    for (const issue of issues) {
      expect(issue.check_name).toBe('masquerade-without-random-fully');
      expect(issue.location.path).toMatch(/^examples\/(docker-host|kube-node)\/iptables-save\.txt$/);
      expect(issue.location.positions.begin.line).toBeGreaterThan(0);
      expect(issue.location.positions.end.column).toBeGreaterThan(issue.location.positions.begin.column);
      expect(issue.severity).toBe('major');
    }
  });
});

describe('policies', () => {
  it('test-policies runs the bundled example policies against their fixtures', () => {
    const r = run(['test-policies', 'examples/policies']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ fixtures, (\d+) passed, 0 failed\n$/m);
  });

  it('a config that lists a policy makes lint report it, and a failing fixture fails test-policies', () => {
    const dir = path.join(tmp, 'policy-run');
    cpSync(path.join(root, 'examples/policies/masquerade-excludes-10-8'), path.join(dir, 'policies/masquerade-excludes-10-8'), { recursive: true });
    writeFileSync(path.join(dir, 'netlint.config.yaml'), 'policies: [policies/*/policy.yaml]\nignores: ["policies/**"]\n');
    writeFileSync(path.join(dir, 'node.rules'), DOCKER_DUMP.replace('MASQUERADE', 'MASQUERADE --random-fully'));
    const r = run(['lint', dir, '--format', 'json']);
    const ids = JSON.parse(r.stdout).flatMap((x: { messages: { ruleId: string }[] }) => x.messages.map((m) => m.ruleId));
    expect(ids).toEqual(['masquerade-excludes-10-8']);
    // The policy's own severity is warn.
    expect(JSON.parse(r.stdout)[0].warningCount).toBe(1);
    expect(r.code).toBe(0);
    const failDir = path.join(dir, 'policies/masquerade-excludes-10-8/fixtures/pass');
    writeFileSync(path.join(failDir, 'broken.rules'), DOCKER_DUMP);
    const t = run(['test-policies', path.join(dir, 'policies')]);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/FAIL/);
  });
});

describe('netlint parse, rules, explain, --version, --help', () => {
  it('parse prints the model as JSON with ranges', () => {
    const r = run(['parse', 'examples/docker-host/iptables-save.txt']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kind).toBe('iptables');
    const nat = out.documents[0].root.tables.find((t: { name: string }) => t.name === 'nat');
    const rule = nat.rules.find((x: { target?: { name: string } }) => x.target?.name === 'MASQUERADE');
    const text = readFileSync(path.join(root, 'examples/docker-host/iptables-save.txt'), 'utf8');
    expect(text.slice(...rule.target.range)).toBe('-j MASQUERADE');
  });

  it('parse prints models whose nodes link back to their parents (JSON, YAML, views) as JSON', () => {
    // Each link up a tree is printed as the node's type and range (the node is printed where it stands).
    for (const file of ['rules/cni-schema/fixtures/valid/bridge-portmap.conflist', 'rules/docker-daemon-schema/fixtures/valid/ipv6-routed.daemon.json', 'test/fixtures/kubernetes/calico-config-template.yaml']) {
      const r = run(['parse', file]);
      expect(r.stderr, file).toBe('');
      expect(r.code, file).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.documents.length, file).toBeGreaterThan(0);
      const links: unknown[] = [];
      JSON.stringify(out, (key, value) => {
        if (key === 'parent' && value && typeof value === 'object') links.push(value);
        return value;
      });
      expect(links.length, file).toBeGreaterThan(0);
      for (const link of links) expect(Object.keys(link as object).sort(), file).toEqual(['range', 'type']);
    }
  });

  it('stops quietly when the reader of its output closes the pipe early', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netlint-epipe-'));
    try {
      // A conflist whose parsed model is megabytes of JSON: more than a pipe holds.
      const plugins = Array.from({ length: 3000 }, (_, i) => ({ type: 'portmap', capabilities: { portMappings: true }, snat: i % 2 === 0 }));
      const file = path.join(dir, 'big.conflist');
      writeFileSync(file, JSON.stringify({ cniVersion: '1.0.0', name: 'big', plugins }));
      const child = spawn(process.execPath, [bin, 'parse', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Read the first chunk, then close the pipe (as `| head` does).
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(stderr).toBe('');
      expect(code).toBe(141);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rules lists every rule; explain prints its README', () => {
    const rules = run(['rules']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/^RULE\s+INPUTS/);
    expect(rules.stdout).toContain('masquerade-without-random-fully');
    const ex = run(['explain', 'masquerade-without-random-fully']);
    expect(ex.stdout).toMatch(/^# masquerade-without-random-fully/);
    expect(run(['explain', 'nope']).code).toBe(2);
  });

  it('--version and --help', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(run(['--version']).stdout.trim()).toBe(pkg.version);
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: netlint/);
  });
});
