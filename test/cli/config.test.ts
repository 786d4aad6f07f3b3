import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyPlugin, DOCKER_DUMP, ACCEPT_ALL_DUMP, tempTree } from '../config/helpers.js';
import { bin, root } from '../helpers/bin.js';

// The CLI is run as a user runs it: the built bin, in a child process (`npm test` builds first).
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function tree(files: Record<string, string>): string {
  const t = tempTree(files, 'netlint-cli-config-');
  cleanups.push(t.cleanup);
  return t.root;
}

function run(args: string[], opts: { cwd: string; input?: string }) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd, input: opts.input ?? '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MASQ = 'masquerade-without-random-fully';
const json = (stdout: string) => JSON.parse(stdout) as { filePath: string; messages: { ruleId: string; line: number; severity: number }[]; suppressedMessages: { ruleId: string; line: number; suppressions: unknown[] }[] }[];

describe('config files', () => {
  it('the nearest config applies to each file', () => {
    const cwd = tree({
      'netlint.config.yaml': `rules:\n  ${MASQ}: error\n`,
      'legacy/netlint.config.yaml': `rules:\n  ${MASQ}: warn\n`,
      'legacy/node/iptables.rules': DOCKER_DUMP,
      'new/iptables.rules': DOCKER_DUMP,
    });
    const r = run(['lint', '.', '--format', 'json'], { cwd });
    expect(r.code).toBe(1);
    const bySeverity = json(r.stdout).map((x) => [path.relative(cwd, x.filePath), x.messages.map((m) => m.severity)]);
    expect(bySeverity).toEqual([
      [path.join('legacy', 'node', 'iptables.rules'), [1]],
      [path.join('new', 'iptables.rules'), [2]],
    ]);
  });

  it('an invalid YAML config exits 2 with file:line:col and what is wrong', () => {
    const cwd = tree({ 'netlint.config.yaml': `rules:\n  ${MASQ}: warning\n`, 'a.rules': DOCKER_DUMP });
    const r = run(['lint', '.'], { cwd });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`netlint: netlint.config.yaml:2:36: Expected "rules.${MASQ}" to be "off", "warn", "error", 0, 1 or 2, or [severity, { options }] (got "warning").\n`);
  });

  it('an invalid JSON config exits 2 with file:line:col', () => {
    const cwd = tree({ 'sub/netlint.config.json': '{\n  "settings": { "internalNetworks": ["10.0.0.0/8", "10.0.0.0/40"] }\n}\n', 'sub/a.rules': DOCKER_DUMP });
    const r = run(['lint', 'sub'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`netlint: ${path.join('sub', 'netlint.config.json')}:2:52: Invalid CIDR "10.0.0.0/40" in settings.internalNetworks: the prefix length "40" is not a number from 0 to 32.\n`);
  });

  it('an unknown rule id exits 2 naming it and the closest id', () => {
    const cwd = tree({ 'netlint.config.yaml': 'rules:\n  masquerade-random-fully: off\n', 'a.rules': DOCKER_DUMP });
    const r = run(['lint', '.'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`netlint: netlint.config.yaml:2:3: Unknown rule "masquerade-random-fully" (did you mean "${MASQ}"?).\n`);
  });

  it('invalid rule options exit 2 at the option', () => {
    const cwd = tree({ 'netlint.config.yaml': `rules:\n  ${MASQ}: [error, { allowRandom: "yes" }]\n`, 'a.rules': DOCKER_DUMP });
    const r = run(['lint', '.'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`netlint: netlint.config.yaml:2:59: Invalid options for rule "${MASQ}": expected "allowRandom" to be true or false.\n`);
  });

  it('--config uses only that file; --no-config-lookup ignores config files', () => {
    const cwd = tree({ 'netlint.config.yaml': `rules: { ${MASQ}: off }\n`, 'ci/netlint.strict.yaml': 'extends: netlint:strict\n', 'a.rules': DOCKER_DUMP });
    expect(run(['lint', '.'], { cwd }).code).toBe(0);
    expect(run(['lint', '.', '--config', 'ci/netlint.strict.yaml'], { cwd }).code).toBe(1);
    expect(run(['lint', '.', '--no-config-lookup'], { cwd }).code).toBe(1);
    const missing = run(['lint', '.', '-c', 'nope.yaml'], { cwd });
    expect(missing).toMatchObject({ code: 2, stderr: 'netlint: Cannot read the config file "nope.yaml".\n' });
  });

  it('ignores in the config keep files out of the directory walk', () => {
    const cwd = tree({ 'netlint.config.yaml': 'ignores: ["vendor/**"]\n', 'vendor/a.rules': DOCKER_DUMP, 'b.rules': DOCKER_DUMP });
    const r = run(['lint', '.', '--format', 'json'], { cwd });
    expect(json(r.stdout).map((x) => path.basename(x.filePath))).toEqual(['b.rules']);
  });

  it('--stdin-filename picks the config of that path', () => {
    const cwd = tree({ 'quiet/netlint.config.yaml': `rules: { ${MASQ}: off }\n` });
    expect(run(['lint', '--stdin', '--stdin-filename', 'quiet/x.rules'], { cwd, input: DOCKER_DUMP }).code).toBe(0);
    expect(run(['lint', '--stdin', '--stdin-filename', 'loud/x.rules'], { cwd, input: DOCKER_DUMP }).code).toBe(1);
  });
});

describe('--rule', () => {
  const cwd = () => tree({ 'a.rules': DOCKER_DUMP });

  it('overrides severities and options from the command line', () => {
    const dir = cwd();
    expect(run(['lint', '.', '--rule', `${MASQ}:off`], { cwd: dir }).code).toBe(0);
    const warn = run(['lint', '.', '--rule', `${MASQ}:warn`, '--format', 'json'], { cwd: dir });
    expect(warn.code).toBe(0);
    expect(json(warn.stdout)[0].messages.map((m) => m.severity)).toEqual([1]);
    const opts = run(['lint', '.', '--rule', `${MASQ}:["error",{"ignoreChains":["POSTROUTING"]}]`], { cwd: dir });
    expect(opts.code).toBe(0);
  });

  it('an unknown rule or bad syntax exits 2', () => {
    const dir = cwd();
    const unknown = run(['lint', '.', '--rule', 'masquerade:off'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`netlint: Invalid --rule: Unknown rule "masquerade" (did you mean "${MASQ}"?).\n`);
    const syntax = run(['lint', '.', '--rule', `${MASQ}`], { cwd: dir });
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/^netlint: Invalid --rule "masquerade-without-random-fully": expected RULE-ID:SEVERITY/);
  });
});

describe('print-config', () => {
  it('prints the resolved config for a file as JSON, overrides by glob and kind included', () => {
    const cwd = tree({
      'netlint.config.yaml': `extends: netlint:recommended\nsettings:\n  internalNetworks: [10.0.0.0/8]\noverrides:\n  - files: ["legacy/**"]\n    kinds: [iptables]\n    rules: { ${MASQ}: [warn, { allowRandom: true }] }\n`,
      'legacy/iptables.rules': DOCKER_DUMP,
    });
    const r = run(['print-config', 'legacy/iptables.rules'], { cwd });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      kind: 'iptables',
      ignored: false,
      settings: { internalNetworks: ['10.0.0.0/8'] },
      linterOptions: { reportUnusedDisableDirectives: 'warn' },
      plugins: [],
      policies: [],
      configFiles: [path.join(cwd, 'netlint.config.yaml')],
    });
    expect(out.rules[MASQ]).toEqual(['warn', { allowRandom: true }]);
    expect(out.rules['iptables-duplicate-rule']).toBe('warn');
    // Another kind: the override does not apply.
    expect(JSON.parse(run(['print-config', 'legacy/iptables.rules', '--kind', 'nft'], { cwd }).stdout).rules[MASQ]).toBe('error');
    // --rule is part of it; --print-config is the ESLint spelling.
    expect(JSON.parse(run(['--print-config', 'legacy/x.rules', '--rule', `${MASQ}:off`], { cwd }).stdout).rules[MASQ]).toBe('off');
  });
});

describe('inline directives', () => {
  const text = DOCKER_DUMP.replace('-A POSTROUTING', `# netlint-disable-next-line ${MASQ} -- owned by Docker\n-A POSTROUTING`);

  it('suppressed findings go to suppressedMessages with the reason; exit 0', () => {
    const r = run(['lint', '--stdin', '--kind', 'iptables', '--format', 'json'], { cwd: root, input: text });
    expect(r.code).toBe(0);
    const [res] = json(r.stdout);
    expect(res.messages).toEqual([]);
    expect(res.suppressedMessages).toMatchObject([{ ruleId: MASQ, line: 4, suppressions: [{ kind: 'directive', justification: 'owned by Docker' }] }]);
  });

  it('unused directives: a warning by default, an error or nothing on request, removed by --fix', () => {
    const clean = text.replace('MASQUERADE', 'MASQUERADE --random-fully');
    const warn = run(['lint', '--stdin', '--kind', 'iptables'], { cwd: root, input: clean });
    expect(warn.code).toBe(0);
    expect(warn.stdout).toMatch(/3:1 {2}warning {2}Unused netlint-disable-next-line directive \(no problems were reported from "masquerade-without-random-fully"\) {2}unused-disable-directive/);
    expect(run(['lint', '--stdin', '--kind', 'iptables', '--report-unused-disable-directives'], { cwd: root, input: clean }).code).toBe(1);
    const off = run(['lint', '--stdin', '--kind', 'iptables', '--report-unused-disable-directives-severity', 'off'], { cwd: root, input: clean });
    expect(off).toMatchObject({ code: 0, stdout: '' });
    expect(run(['lint', '--stdin', '--kind', 'iptables', '--report-unused-disable-directives-severity', 'loud'], { cwd: root, input: clean }).code).toBe(2);

    const dir = tree({ 'iptables.rules': clean, 'netlint.config.yaml': 'linterOptions: { reportUnusedDisableDirectives: error }\n' });
    expect(run(['lint', '.'], { cwd: dir }).code).toBe(1);
    expect(run(['lint', '--fix', '.'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(path.join(dir, 'iptables.rules'), 'utf8')).toBe(DOCKER_DUMP.replace('MASQUERADE', 'MASQUERADE --random-fully'));
  });
});

describe('baseline', () => {
  it('write, accept, survive inserted lines, report and prune stale entries', () => {
    const cwd = tree({ 'nodes/n1/iptables.rules': DOCKER_DUMP });
    const file = path.join(cwd, 'nodes/n1/iptables.rules');

    const write = run(['lint', 'nodes', '--baseline-write', 'ci/netlint-baseline.json'], { cwd });
    expect(write).toMatchObject({ code: 0, stdout: '', stderr: 'baseline: wrote 1 entry to ci/netlint-baseline.json\n' });
    const baseline = JSON.parse(readFileSync(path.join(cwd, 'ci/netlint-baseline.json'), 'utf8'));
    expect(baseline).toMatchObject({ version: 1, entries: [{ file: '../nodes/n1/iptables.rules', ruleId: MASQ, occurrence: 0 }] });

    // Lines inserted above the accepted finding: still accepted.
    writeFileSync(file, DOCKER_DUMP.replace(':POSTROUTING ACCEPT [0:0]\n', ':POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n# rack 7\n\n'));
    const moved = run(['lint', 'nodes', '--baseline', 'ci/netlint-baseline.json'], { cwd });
    expect(moved).toMatchObject({ code: 0, stdout: '', stderr: '1 finding accepted by the baseline\n' });

    // A new finding fails; the accepted one stays accepted.
    writeFileSync(file, `${readFileSync(file, 'utf8').replace('COMMIT\n', '')}-A POSTROUTING -s 10.9.0.0/16 -j MASQUERADE\nCOMMIT\n`);
    const added = run(['lint', 'nodes', '--baseline', 'ci/netlint-baseline.json', '--format', 'json'], { cwd });
    expect(added.code).toBe(1);
    const [res] = json(added.stdout);
    expect(res.messages.map((m) => m.line)).toEqual([7]);
    expect(res.suppressedMessages).toMatchObject([{ line: 6, suppressions: [{ kind: 'baseline' }] }]);

    // The accepted finding fixed: its entry no longer matches; --baseline-prune drops it.
    writeFileSync(file, readFileSync(file, 'utf8').replace('docker0 -j MASQUERADE', 'docker0 -j MASQUERADE --random-fully').replace('10.9.0.0/16 -j MASQUERADE', '10.9.0.0/16 -j MASQUERADE --random-fully'));
    const stale = run(['lint', 'nodes', '--baseline', 'ci/netlint-baseline.json'], { cwd });
    expect(stale.code).toBe(0);
    expect(stale.stderr).toBe(
      `baseline: 1 entry no longer matches (run with --baseline-prune)\n  ../nodes/n1/iptables.rules: ${MASQ}: -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n`,
    );
    const prune = run(['lint', 'nodes', '--baseline', 'ci/netlint-baseline.json', '--baseline-prune'], { cwd });
    expect(prune).toMatchObject({ code: 0, stderr: 'baseline: pruned 1 entry that no longer match from ci/netlint-baseline.json\n' });
    expect(JSON.parse(readFileSync(path.join(cwd, 'ci/netlint-baseline.json'), 'utf8'))).toEqual({ version: 1, entries: [] });
  });

  it('usage errors: --baseline-prune alone, a missing baseline file', () => {
    const cwd = tree({ 'a.rules': DOCKER_DUMP });
    expect(run(['lint', '.', '--baseline-prune'], { cwd })).toMatchObject({ code: 2, stderr: 'netlint: --baseline-prune needs --baseline FILE.\n' });
    const missing = run(['lint', '.', '--baseline', 'nope.json'], { cwd });
    expect(missing).toMatchObject({ code: 2, stderr: 'netlint: nope.json: Cannot read the baseline: ENOENT.\n' });
  });
});

describe('plugins', () => {
  it('a local plugin named by path: its prefixed rule reports', () => {
    const cwd = tree({
      'netlint.config.yaml': 'plugins: [./netlint-plugin-acme]\nrules:\n  acme/no-accept-all: error\n',
      'fw/iptables.rules': ACCEPT_ALL_DUMP,
    });
    copyPlugin('netlint-plugin-acme', cwd);
    const r = run(['lint', 'fw', '--format', 'json'], { cwd });
    expect(r.code).toBe(1);
    expect(json(r.stdout)[0].messages).toMatchObject([{ ruleId: 'acme/no-accept-all', line: 5, severity: 2 }]);
    const stylish = run(['lint', 'fw'], { cwd });
    expect(stylish.stdout).toMatch(/5:1 {2}error {2}Disallowed ACCEPT of all traffic in chain INPUT {2}acme\/no-accept-all/);
    // --rule and --fix-rule know plugin rules once the config is loaded.
    expect(run(['lint', 'fw', '--rule', 'acme/no-accept-all:off'], { cwd }).code).toBe(0);
  });

  it('a missing plugin exits 2 naming it and the config file', () => {
    const cwd = tree({ 'netlint.config.yaml': 'plugins: [netlint-plugin-acme]\n', 'a.rules': DOCKER_DUMP });
    const r = run(['lint', '.'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^netlint: netlint\.config\.yaml:1:11: Cannot find plugin "netlint-plugin-acme": it is not installed where .*netlint\.config\.yaml can see it/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('help', () => {
  it('documents every new flag and print-config', () => {
    const help = run(['--help'], { cwd: root }).stdout;
    for (const flag of ['--config', '--no-config-lookup', '--rule', '--report-unused-disable-directives', '--report-unused-disable-directives-severity', '--baseline', '--baseline-write', '--baseline-prune', 'print-config']) {
      expect(help, flag).toContain(flag);
    }
    expect(run(['print-config', '--help'], { cwd: root }).stdout).toMatch(/^Usage: netlint print-config FILE/);
  });
});
