#!/usr/bin/env node
/**
 * The `netlint` command as installed (package.json `bin`, bundled into dist/cli/main.cjs by
 * scripts/bundle.mjs). It runs the bundled command line, dist/cli/netlint.cjs, with V8's code
 * cache: Node 20 compiles a script from its source on every start (it has no compile cache;
 * Node 22's `module.enableCompileCache()` is the same idea), and compiling the 1.5 MB bundle was
 * most of a one-file run, which pre-commit pays on every commit. The first run writes the
 * compiled code to a cache file; later runs load it instead of compiling, as v8-compile-cache did
 * for ESLint and yarn.
 *
 * V8 caches the functions that have been compiled when the cache is made: the ones the run that
 * wrote it used. The file starts with a line naming what that run (and those before it) used: the
 * input kinds and output formats of `lint` (`noteCodeCacheUses`, src/cli/code-cache-uses.ts). A
 * lint run that used something else writes the cache again at exit, with its own functions and
 * those it read from the cache; otherwise a cache first written by `netlint lint daemon.json`
 * would leave every later iptables or manifest run compiling its parser again.
 *
 * The cache lives in `$NETLINT_COMPILE_CACHE` (a folder; `0` or `false` turns it off), else in
 * `$XDG_CACHE_HOME/netlint` or `~/.cache/netlint`. Cached code is code: a folder that another
 * user could write is never read. The file name has the bundle's hash, the Node.js version and
 * the architecture, and V8 rejects data that does not match the source anyway (the file is
 * written again then). A cache that cannot be read or written only costs the compile. Writing one
 * removes the caches of older builds beyond the few most recently written (`pruneCaches`).
 *
 * Without the bundle beside it (dist/src/cli/bin.js, as tsc wrote it) it imports ./main.js.
 */
import { isAscii } from 'node:buffer';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

declare const __NETLINT_BUNDLE_HASH__: string | undefined;

/** The first line of a cache file; then what the runs that wrote it used, as a JSON array. */
const CACHE_HEADER = 'netlint-code-cache 1 ';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, 'netlint.cjs');

/** How much lower (in `nice` steps) V8's background threads run than the main thread. */
const BACKGROUND_NICE = 10;

lowerBackgroundThreads();
if (existsSync(bundle)) runBundle(bundle);
else void import('./main.js');

/**
 * Gives the threads Node.js started before this module ran (V8's workers: the optimising
 * compiler, the garbage collector's helpers) a lower scheduling priority than the main thread,
 * on Linux, where a thread's priority is its own (`setpriority` on its id). The lint runs on the
 * main thread; V8 starts four workers, and on a CI runner with two CPUs its compiler jobs took
 * turns on the CPUs with the main thread: a run over 2,000 conflists spent 50 to 100 ms of its
 * main thread waiting to run, 15 to 20 ms after this. The workers still have the CPUs the main
 * thread leaves. `NETLINT_BACKGROUND_NICE=0` leaves the priorities alone.
 */
function lowerBackgroundThreads(): void {
  if (process.platform !== 'linux') return;
  const setting = process.env.NETLINT_BACKGROUND_NICE;
  const step = setting === undefined || setting === '' ? BACKGROUND_NICE : Number(setting);
  if (!Number.isInteger(step) || step <= 0) return;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const task of tasks) {
    const tid = Number(task);
    if (tid === process.pid || !Number.isInteger(tid)) continue;
    try {
      os.setPriority(tid, Math.min(19, os.getPriority(tid) + step));
    } catch {
      // A thread that has ended meanwhile: nothing to do.
    }
  }
}

function runBundle(file: string): void {
  const require = createRequire(file);
  // A script compiled by `vm` cannot `import()` on Node.js 20 (and loses the option that would
  // let it when it comes from the cache): the bundle imports configs, plugins and formatters
  // through this module's import (src/engine/import-module.ts). URLs are absolute `file:` URLs.
  (globalThis as Record<symbol, unknown>)[Symbol.for('netlint.importModule')] = (url: string) => import(url);
  const cacheFile = cachePath();
  // What this run uses, noted by the bundle (see the top of this file).
  const uses = new Set<string>();
  (globalThis as Record<symbol, unknown>)[Symbol.for('netlint.codeCacheUses')] = uses;
  // The bundle is ASCII (scripts/bundle.mjs checks): copying bytes is faster than decoding UTF-8.
  // It is Node's CommonJS wrapper around the code, as scripts/bundle.mjs writes it: the source is
  // the file's text as it is, which V8 looks up and compiles without copying it again.
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile);
  const script = new vm.Script(source, { filename: file, cachedData: cached?.data });
  const covered = cached === undefined || script.cachedDataRejected ? undefined : cached.uses;
  // At exit, so that the functions this run compiled are in the cache too.
  if (cacheFile !== undefined) {
    process.once('exit', () => {
      if (covered !== undefined && [...uses].every((u) => covered.has(u))) return;
      writeCache(cacheFile, script, new Set([...(covered ?? []), ...uses]));
    });
  }
  const module = { exports: {}, filename: file, id: file, loaded: false };
  const wrapper = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
  wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file));
}

/** The cache file for this bundle and Node.js, or `undefined` when caching is off or unsafe. */
function cachePath(): string | undefined {
  const setting = process.env.NETLINT_COMPILE_CACHE;
  if (setting === '0' || setting === 'false') return undefined;
  let dir = setting;
  if (!dir) {
    const home = os.homedir();
    const base = process.env.XDG_CACHE_HOME || (home ? path.join(home, '.cache') : undefined);
    if (!base) return undefined;
    dir = path.join(base, 'netlint');
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!private_(dir)) return undefined;
  } catch {
    return undefined;
  }
  const hash = typeof __NETLINT_BUNDLE_HASH__ === 'string' ? __NETLINT_BUNDLE_HASH__ : 'dev';
  return path.join(dir, `cli-${hash}-${process.version}-${process.arch}.v8cache`);
}

/** True if only the current user can write the folder (always true where there are no uids). */
function private_(dir: string): boolean {
  if (typeof process.getuid !== 'function') return true;
  const st = statSync(dir);
  return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/** The cache's V8 data and what it covers, or `undefined` if it is missing or not ours. */
function readCache(cacheFile: string): { data: Buffer; uses: Set<string> } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0 || !bytes.subarray(0, CACHE_HEADER.length).equals(Buffer.from(CACHE_HEADER))) return undefined;
  try {
    const uses: unknown = JSON.parse(bytes.toString('utf8', CACHE_HEADER.length, newline));
    if (!Array.isArray(uses) || !uses.every((u) => typeof u === 'string')) return undefined;
    return { data: bytes.subarray(newline + 1), uses: new Set(uses) };
  } catch {
    return undefined;
  }
}

/** Writes the cache in one piece (a new file renamed over the old): a reader sees one or the other. */
function writeCache(cacheFile: string, script: vm.Script, uses: ReadonlySet<string>): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    const header = Buffer.from(`${CACHE_HEADER}${JSON.stringify([...uses].sort())}\n`);
    writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]), { mode: 0o600 });
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only or full disk: the next run compiles again.
    rmSync(tmp, { force: true });
    return;
  }
  pruneCaches(cacheFile);
}

/** The names `cachePath` and `writeCache` give (group 1: a temporary file's suffix); nothing else is touched. */
const CACHE_NAME = /^cli-(?:[0-9a-f]{16}|dev)-v\d+\.\d+\.\d+-\w+\.v8cache(\.\d+\.tmp)?$/;

/** Caches of other builds and Node.js versions kept beside a new one: the most recently written. */
const KEEP_OTHER_CACHES = 4;

/**
 * Every build (each release, each `npm run build`) and Node.js version has its own cache file,
 * of the better part of a megabyte: when one is written, all but the `KEEP_OTHER_CACHES` most
 * recently written others go, so that the folder does not grow with every upgrade, while a few
 * netlint installations used side by side (a global one and a project's) keep theirs. Left-over
 * temporary files of runs that died while writing go after an hour. Errors are ignored.
 */
function pruneCaches(cacheFile: string): void {
  const dir = path.dirname(cacheFile);
  const now = Date.now();
  try {
    const others: { file: string; mtime: number }[] = [];
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      const m = CACHE_NAME.exec(name);
      if (!m || file === cacheFile) continue;
      const mtime = statSync(file).mtimeMs;
      if (!m[1]) others.push({ file, mtime });
      else if (now - mtime > 60 * 60 * 1000) rmSync(file, { force: true });
    }
    others.sort((a, b) => b.mtime - a.mtime);
    for (const { file } of others.slice(KEEP_OTHER_CACHES)) rmSync(file, { force: true });
  } catch {
    // Another run pruning at the same time, or a file that went away meanwhile.
  }
}
