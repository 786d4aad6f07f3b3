import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNetns } from '../helpers/netns.js';
import { bin, root } from '../helpers/bin.js';

/**
 * `netlint lint --fix` on the Docker host example, checked by real netfilter in a throwaway
 * namespace: iptables-restore accepts the fixed dump, and loading it gives MASQUERADE rules
 * with --random-fully.
 */

const example = path.join(root, 'examples/docker-host/iptables-save.txt');

function netlint(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeNetns(
  'netlint lint --fix output accepted by iptables-restore',
  (ns) => {
    let tmp: string;
    let file: string;
    let original: string;
    let fixed: string;
    let firstRun: ReturnType<typeof netlint>;

    beforeAll(() => {
      if (!existsSync(bin)) throw new Error(`The CLI is not built (${bin}): run npm run build (npm test does).`);
      // The same folder layout as the example, away from the repository's configs.
      tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-fix-restore-'));
      file = path.join(tmp, 'iptables-save.txt');
      copyFileSync(example, file);
      original = readFileSync(file, 'utf8');
      firstRun = netlint(['lint', '--fix', '--format', 'json', file], tmp);
      fixed = readFileSync(file, 'utf8');
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('--fix fixes both MASQUERADE rules and leaves nothing to report', () => {
      expect(firstRun.stderr).toBe('');
      expect(firstRun.code).toBe(0);
      const [result] = JSON.parse(firstRun.stdout);
      expect(result.messages).toEqual([]);
      expect(fixed).not.toBe(original);
    });

    it('only the MASQUERADE lines changed, each by " --random-fully" at the end', () => {
      const before = original.split('\n');
      const after = fixed.split('\n');
      expect(after).toHaveLength(before.length);
      const changed = before.flatMap((line, i) => (line === after[i] ? [] : [{ before: line, after: after[i] }]));
      expect(changed).toEqual([
        { before: '-A POSTROUTING -s 172.18.0.0/16 ! -o br-4f0a7c3e9b21 -j MASQUERADE', after: '-A POSTROUTING -s 172.18.0.0/16 ! -o br-4f0a7c3e9b21 -j MASQUERADE --random-fully' },
        { before: '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE', after: '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE --random-fully' },
      ]);
    });

    it('iptables-restore --test accepts the fixed file', () => {
      const r = ns.exec('iptables-restore', ['--test'], { input: fixed });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('a second --fix changes no byte and does not rewrite the file', () => {
      const before = statSync(file);
      const again = netlint(['lint', '--fix', file], tmp);
      expect(again).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(readFileSync(file, 'utf8')).toBe(fixed);
      const after = statSync(file);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    });

    it('loaded for real, iptables-save -t nat shows --random-fully on both MASQUERADE rules', () => {
      ns.run('iptables-restore', [], { input: fixed });
      const masquerades = ns
        .run('iptables-save', ['-t', 'nat'])
        .split('\n')
        .filter((l) => /-j MASQUERADE\b/.test(l));
      expect(masquerades).toEqual([
        '-A POSTROUTING -s 172.18.0.0/16 ! -o br-4f0a7c3e9b21 -j MASQUERADE --random-fully',
        '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE --random-fully',
      ]);
    });
  },
);
