import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, root } from '../helpers/bin.js';

// The installed command (dist/cli/main.cjs) runs the bundled CLI with V8's code cache; the
// unbundled build (dist/src/cli/main.js) is what the library exports. Both must behave alike.
const unbundled = path.join(root, 'dist/src/cli/main.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-bin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cli: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const LINT = ['lint', 'examples', '--format', 'json'];

describe('the netlint bin', () => {
  it('runs a bundle that is ASCII and carries Node\'s module wrapper (compiled as read, one byte per character)', () => {
    const bytes = readFileSync(path.join(root, 'dist/cli/netlint.cjs'));
    expect(isAscii(bytes)).toBe(true);
    const text = bytes.toString('latin1');
    expect(text.startsWith('(function (exports, require, module, __filename, __dirname) {\n"use strict";\n')).toBe(true);
    expect(text.trimEnd().endsWith('})')).toBe(true);
    // With caching off too (the script is compiled the same way, without cached data).
    const r = run(bin, ['--version'], { NETLINT_COMPILE_CACHE: '0' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('gives the same results as the unbundled build, and writes a private code cache', () => {
    const cache = path.join(tmp, 'cache');
    const expected = run(unbundled, LINT);
    expect(expected.code).toBe(1);
    const first = run(bin, LINT, { NETLINT_COMPILE_CACHE: cache });
    expect(first).toEqual(expected);
    const files = readdirSync(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^cli-[0-9a-f]{16}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8cache$`));
    const file = path.join(cache, files[0]);
    if (process.platform !== 'win32') {
      expect(statSync(cache).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    // A second run reads the cache and leaves it as it is.
    const before = readFileSync(file);
    expect(run(bin, LINT, { NETLINT_COMPILE_CACHE: cache })).toEqual(expected);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a damaged cache costs only the compile: the run is the same and the cache is written again', () => {
    const cache = path.join(tmp, 'damaged');
    const expected = run(bin, LINT, { NETLINT_COMPILE_CACHE: cache });
    const file = path.join(cache, readdirSync(cache)[0]);
    writeFileSync(file, 'not V8 code cache data');
    expect(run(bin, LINT, { NETLINT_COMPILE_CACHE: cache })).toEqual(expected);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  it('a run that reads another kind of input writes the cache again, with the code of both runs', () => {
    const cache = path.join(tmp, 'kinds');
    const header = (file: string) => readFileSync(file).subarray(0, readFileSync(file).indexOf(10)).toString();
    const iptables = ['lint', 'examples/docker-host/iptables-save.txt', '--format', 'json'];
    mkdirSync(path.join(tmp, 'docker'));
    writeFileSync(path.join(tmp, 'docker', 'daemon.json'), '{ "iptables": true }\n');
    const daemon = ['lint', path.join(tmp, 'docker', 'daemon.json'), '--format', 'json'];
    const expected = run(unbundled, daemon);
    run(bin, iptables, { NETLINT_COMPILE_CACHE: cache });
    const file = path.join(cache, readdirSync(cache)[0]);
    expect(header(file)).toBe('netlint-code-cache 1 ["format:json","input:iptables"]');
    const first = readFileSync(file);

    expect(run(bin, daemon, { NETLINT_COMPILE_CACHE: cache })).toEqual(expected);
    expect(header(file)).toBe('netlint-code-cache 1 ["format:json","input:docker-daemon","input:iptables"]');
    const second = readFileSync(file);
    // The functions read from the cache stay in it.
    expect(second.length).toBeGreaterThan(first.length);

    // Runs of what the cache covers leave it as it is, and so do other commands.
    run(bin, iptables, { NETLINT_COMPILE_CACHE: cache });
    run(bin, daemon, { NETLINT_COMPILE_CACHE: cache });
    run(bin, ['--version'], { NETLINT_COMPILE_CACHE: cache });
    run(bin, ['explain', 'masquerade-without-random-fully'], { NETLINT_COMPILE_CACHE: cache });
    expect(readFileSync(file).equals(second)).toBe(true);
    expect(readdirSync(cache)).toHaveLength(1);
  });

  it('a cache whose first line is ours but whose code V8 rejects is written again', () => {
    const cache = path.join(tmp, 'rejected');
    const expected = run(bin, LINT, { NETLINT_COMPILE_CACHE: cache });
    const file = path.join(cache, readdirSync(cache)[0]);
    const bytes = readFileSync(file);
    const newline = bytes.indexOf(10);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, newline + 1), Buffer.from('not V8 code cache data')]));
    expect(run(bin, LINT, { NETLINT_COMPILE_CACHE: cache })).toEqual(expected);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
    expect(readFileSync(file).subarray(0, newline + 1).equals(bytes.subarray(0, newline + 1))).toBe(true);
  });

  it("writing a cache removes other builds' caches beyond the four most recent, and stale temporary files", () => {
    const cache = path.join(tmp, 'prune');
    mkdirSync(cache, { mode: 0o700 });
    const hour = 60 * 60;
    const now = Date.now() / 1000;
    // Other builds' caches written 1..6 hours ago, a temporary file of a run that died, a fresh one, and a stranger.
    const old = (i: number) => `cli-${String(i).repeat(16)}-v20.0.0-x64.v8cache`;
    const files = [1, 2, 3, 4, 5, 6].map((i) => [old(i), now - i * hour] as const);
    files.push([`${old(1)}.1234.tmp`, now - 2 * hour], [`${old(2)}.5678.tmp`, now], ['cli-notes.txt', now - 10 * hour]);
    for (const [name, time] of files) {
      writeFileSync(path.join(cache, name), 'x');
      utimesSync(path.join(cache, name), time, time);
    }
    expect(run(bin, LINT, { NETLINT_COMPILE_CACHE: cache }).code).toBe(1);
    const left = readdirSync(cache).sort();
    const own = left.filter((f) => !files.some(([name]) => name === f));
    expect(own).toHaveLength(1);
    expect(left).toEqual([old(1), old(2), old(3), old(4), `${old(2)}.5678.tmp`, 'cli-notes.txt', own[0]].sort());
  });

  it('NETLINT_COMPILE_CACHE=0 turns the cache off', () => {
    const home = path.join(tmp, 'home-off');
    mkdirSync(home);
    const r = run(bin, LINT, { NETLINT_COMPILE_CACHE: '0', HOME: home, XDG_CACHE_HOME: path.join(home, '.cache') });
    expect(r.code).toBe(1);
    expect(readdirSync(home)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === undefined)('never reads a cache folder that other users can write', () => {
    const cache = path.join(tmp, 'shared');
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    const r = run(bin, LINT, { NETLINT_COMPILE_CACHE: cache });
    expect(r.code).toBe(1);
    expect(readdirSync(cache)).toEqual([]);
  });

  it.skipIf(process.platform !== 'linux')("runs V8's background threads at a lower priority than the main thread (Linux only)", () => {
    // A formatter runs in the netlint process: it reports each thread's nice value.
    const formatter = path.join(tmp, 'threads.mjs');
    writeFileSync(
      formatter,
      [
        "import { readdirSync, readFileSync } from 'node:fs';",
        'const nice = (t) => { const stat = readFileSync(`/proc/self/task/${t}/stat`, "utf8"); return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]); };',
        'export default () => JSON.stringify({ pid: process.pid, threads: readdirSync("/proc/self/task").map((t) => ({ tid: Number(t), nice: nice(t) })) });',
        '',
      ].join('\n'),
    );
    const threads = (env: Record<string, string>) => {
      const r = run(bin, ['lint', 'examples', '--format', formatter], env);
      expect(r.stderr).toBe('');
      const { pid, threads } = JSON.parse(r.stdout) as { pid: number; threads: { tid: number; nice: number }[] };
      return { main: threads.find((t) => t.tid === pid)!.nice, others: threads.filter((t) => t.tid !== pid).map((t) => t.nice) };
    };
    // Relative to the main thread's (the tests may run niced).
    const lowered = threads({ NETLINT_BACKGROUND_NICE: '' });
    const background = Math.min(19, lowered.main + 10);
    // V8's workers, started with the process; threads started later (libuv's) get the main thread's.
    expect(lowered.others.filter((n) => n === background).length).toBeGreaterThanOrEqual(1);
    expect(lowered.others.every((n) => n === lowered.main || n === background)).toBe(true);
    const left = threads({ NETLINT_BACKGROUND_NICE: '0' });
    expect(left.others.every((n) => n === left.main)).toBe(true);
  });

  it('scripts compiled from the cache can still import modules (plugins, formatters, config files)', () => {
    const cache = path.join(tmp, 'imports');
    const dir = path.join(tmp, 'plugin-run');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'netlint.config.mjs'), 'export default { rules: { "masquerade-without-random-fully": "warn" } };\n');
    writeFileSync(path.join(dir, 'iptables-save.txt'), '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n');
    writeFileSync(path.join(tmp, 'count.mjs'), 'export default (results) => `${results.length} file(s)\\n`;\n');
    // The first run compiles and writes the cache, the second runs from it.
    for (let i = 0; i < 2; i++) {
      const r = run(bin, ['lint', dir, '--format', 'json', '--format', `${path.join(tmp, 'count.mjs')}:${path.join(tmp, 'count.txt')}`], { NETLINT_COMPILE_CACHE: cache });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)[0].messages.map((m: { severity: number }) => m.severity)).toEqual([1]);
      expect(readFileSync(path.join(tmp, 'count.txt'), 'utf8')).toBe('1 file(s)\n');
      rmSync(path.join(tmp, 'count.txt'));
    }
    expect(readdirSync(cache)).toHaveLength(1);
  });
});
