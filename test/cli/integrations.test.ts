import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root } from '../helpers/bin.js';

// The GitHub Action, the pre-commit hook and the CI recipes run the built bin with the flags
// they name; these tests check the files parse, and run their commands against the bin.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-integrations-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let helpText = '';
beforeAll(() => {
  helpText = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout;
});

/** Options `netlint lint --help` documents. */
function knownFlags(): Set<string> {
  return new Set([...helpText.matchAll(/(?:^|[\s,])(--[a-z][a-z-]*)/gm)].map((m) => m[1]));
}

/** `--flags` in a command line of netlint (not iptables' `--random-fully` in prose). */
function flagsOf(command: string): string[] {
  return [...command.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1]).filter((f) => f !== '--yes' && f !== '--no-save');
}

interface ActionStep {
  id?: string;
  uses?: string;
  if?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

const action = parseYaml(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  name: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
};

describe('action.yml (composite GitHub Action)', () => {
  it('parses, declares the inputs, sets up node, uploads SARIF only when asked', () => {
    expect(action.runs.using).toBe('composite');
    for (const input of ['paths', 'format', 'sarif-file', 'upload-sarif']) expect(action.inputs[input]?.description, input).toBeTruthy();
    expect(action.inputs.paths.default).toBe('.');
    expect(action.inputs['upload-sarif'].default).toBe('false');
    const steps = action.runs.steps;
    expect(steps[0].uses).toMatch(/^actions\/setup-node@v\d+$/);
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.if).toMatch(/inputs\.upload-sarif == 'true'/);
    expect(upload?.with?.sarif_file).toMatch(/inputs\.sarif-file/);
    for (const step of steps.filter((s) => s.run)) expect(step.shell).toBe('bash');
    expect(action.outputs['exit-code'].value).toMatch(/steps\.lint\.outputs\.exit-code/);
  });

  it('its script runs `npx netlint lint` with flags the CLI has, records the exit code, and writes SARIF', () => {
    const lint = action.runs.steps.find((s) => s.id === 'lint')!;
    expect(lint.run).toMatch(/npx --yes "\$package" /);
    for (const flag of flagsOf(lint.run!)) expect(knownFlags(), flag).toContain(flag);
    // A stand-in for npx that runs the built bin: `npx --yes netlint[@v] ARGS`.
    const fakeBin = path.join(tmp, 'fake-bin');
    mkdirSync(fakeBin, { recursive: true });
    writeFileSync(path.join(fakeBin, 'npx'), `#!/usr/bin/env bash\n[ "$1" = --yes ] && shift\ncase "$1" in netlint|netlint@*) shift ;; *) echo "unexpected package $1" >&2; exit 99 ;; esac\nexec "${process.execPath}" "${bin}" "$@"\n`);
    chmodSync(path.join(fakeBin, 'npx'), 0o755);
    const work = path.join(tmp, 'action');
    mkdirSync(work, { recursive: true });
    const outputFile = path.join(work, 'github-output');
    writeFileSync(outputFile, '');
    const run = (env: Record<string, string>) =>
      spawnSync('bash', ['-e', '-c', lint.run!], {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${fakeBin}${path.delimiter}${process.env.PATH}`,
          GITHUB_OUTPUT: outputFile,
          NETLINT_PATHS: 'examples/docker-host\nexamples/kube-node',
          NETLINT_FORMAT: 'github',
          NETLINT_SARIF_FILE: path.join(work, 'netlint.sarif'),
          NETLINT_ARGS: '',
          NETLINT_VERSION: '',
          NO_COLOR: '1',
          ...env,
        },
      });
    const r = run({});
    // The step itself succeeds; the exit code goes to the last step.
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^::error file=examples\/docker-host\/iptables-save\.txt,line=43,col=54,/m);
    expect(readFileSync(outputFile, 'utf8')).toBe('exit-code=1\n');
    const sarif = JSON.parse(readFileSync(path.join(work, 'netlint.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBe(3);

    writeFileSync(outputFile, '');
    const clean = run({ NETLINT_PATHS: 'examples/docker-host', NETLINT_ARGS: '--rule masquerade-without-random-fully:off', NETLINT_SARIF_FILE: '', NETLINT_VERSION: '0.1.0' });
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('');
    expect(readFileSync(outputFile, 'utf8')).toBe('exit-code=0\n');

    const last = action.runs.steps[action.runs.steps.length - 1];
    for (const [code, expected] of [['1', 1], ['0', 0], ['', 2]] as const) {
      expect(spawnSync('bash', ['-c', last.run!], { env: { ...process.env, NETLINT_EXIT_CODE: code } }).status).toBe(expected);
    }
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parseYaml(readFileSync(path.join(root, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    language: string;
    args?: string[];
    files: string;
    exclude?: string;
    types_or?: string[];
    pass_filenames: boolean;
    require_serial?: boolean;
  }[];
  const hook = hooks.find((h) => h.id === 'netlint')!;
  // pre-commit's patterns are Python regexes; this one uses verbose mode, which JS lacks.
  const files = new RegExp(hook.files.replace(/^\(\?x\)/, '').replace(/\s+/g, ''));

  it('defines the netlint hook: node, `netlint lint`, file names, filenames passed', () => {
    expect(hook).toMatchObject({ language: 'node', entry: 'netlint lint', pass_filenames: true, require_serial: true });
    expect(hook.types_or).toEqual(expect.arrayContaining(['json', 'yaml', 'text']));
    for (const flag of [...flagsOf(hook.entry), ...(hook.args ?? []).filter((a) => a.startsWith('--'))]) expect(knownFlags(), flag).toContain(flag);
    const inputs = ['node/iptables-save.txt', 'iptables.rules', 'etc/cni/net.d/10-bridge.conflist', 'etc/docker/daemon.json', 'k8s/kube-proxy.yaml', 'ruleset.nft', 'n1/ethtool-k-eth0.txt', 'n1/uname-r', 'n1/conntrack-S.txt', '99-sysctl.conf', 'net.conflist.template'];
    for (const f of inputs) expect(files.test(f), f).toBe(true);
    for (const f of ['README.md', 'src/index.ts', 'Makefile', 'image.png']) expect(files.test(f), f).toBe(false);
  });

  it('what the hook runs skips files it does not recognise and lints the rest', () => {
    const dir = path.join(tmp, 'hook');
    mkdirSync(path.join(dir, 'node'), { recursive: true });
    mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(path.join(dir, 'node/iptables-save.txt'), readFileSync(path.join(root, 'examples/docker-host/iptables-save.txt')));
    writeFileSync(path.join(dir, '.github/workflows/ci.yaml'), 'on: push\njobs: {}\n');
    writeFileSync(path.join(dir, 'package.json'), '{ "name": "repo", "type": "module" }\n');
    writeFileSync(path.join(dir, 'notes.conf'), 'listen 80;\n');
    const staged = ['node/iptables-save.txt', '.github/workflows/ci.yaml', 'package.json', 'notes.conf'].filter((f) => files.test(f));
    expect(staged).toHaveLength(4);
    const [cmd, ...entryArgs] = hook.entry.split(' ');
    expect(cmd).toBe('netlint');
    const r = spawnSync(process.execPath, [bin, ...entryArgs, ...(hook.args ?? []), '--format', 'json', ...staged], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string }[] }[];
    expect(results.map((x) => path.relative(dir, x.filePath))).toEqual([path.join('node', 'iptables-save.txt')]);
    expect(results[0].messages.map((m) => m.ruleId)).toContain('masquerade-without-random-fully');
    // Without --ignore-unknown, named files of no known kind are findings.
    const strict = spawnSync(process.execPath, [bin, 'lint', '--format', 'json', 'notes.conf'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(strict.stdout)[0].messages[0].ruleId).toBe('unknown-input');
  });
});

describe('docs/ci.md recipes', () => {
  const ci = readFileSync(path.join(root, 'docs/ci.md'), 'utf8');
  const blocks = [...ci.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);

  it('every YAML recipe parses; GitLab uses the ESLint GitLab formatter for the code quality report', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const b of blocks) expect(() => parseYaml(b), b.slice(0, 60)).not.toThrow();
    const gitlab = blocks.map((b) => parseYaml(b)).find((y) => y && typeof y === 'object' && 'netlint' in y && y.netlint.script);
    expect(gitlab.netlint.artifacts.reports.codequality).toBe('gl-codequality.json');
    expect(gitlab.netlint.script.join('\n')).toMatch(/eslint-formatter-gitlab[\s\S]*netlint lint --format gitlab/);
  });

  it('netlint command lines in the docs use options the CLI has', () => {
    const docs = ['ci.md', 'getting-started.md', 'configuration.md', 'formatters.md'].map((f) => readFileSync(path.join(root, 'docs', f), 'utf8')).join('\n');
    const commands = [...docs.matchAll(/(?:npx (?:--yes )?)?netlint (?:lint|init|rules|explain|print-config|parse|facts|test-policies)\b[^\n`|]*/g)].map((m) => m[0]);
    expect(commands.length).toBeGreaterThan(10);
    const known = knownFlags();
    for (const c of commands) for (const flag of flagsOf(c)) expect(known, `${flag} in: ${c}`).toContain(flag);
  });
});
