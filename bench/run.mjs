#!/usr/bin/env node
// Times `netlint lint` on a 10,000-service kube-proxy dump side by side with netfilter's own
// parser (`iptables-restore --test`, in a throwaway network namespace), and checks the targets:
// netlint's wall time <= 1/3 of iptables-restore's, netlint's peak RSS <= 300 MiB.
//
// Usage: node bench/run.mjs [--check] [--runs N] [--services N] [--keep-env]
//   --check     exit 1 if a target is missed (2 if one could not be measured)
//   --runs N    timed runs per side after one warm-up (default 5); medians are reported
//   --services  services in the generated dump (default 10000)
//   --keep-env  keep NODE_EXTRA_CA_CERTS and NODE_OPTIONS in netlint's environment (by default
//               both are removed, as bench/configs.mjs does: a CA bundle named there is parsed by
//               every node process at start, 0.1 s on the machines here, which says nothing about
//               netlint and which iptables-restore does not pay)
// `npm run bench` builds first; this script expects dist/ to be current.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, fmtS, median } from './common.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work');
const GENERATOR = resolve(ROOT, '..', 'shared', 'bench', 'gen-kube-proxy-dump.mjs');
// The command as npm installs it (package.json `bin`: the bundled CLI).
const CLI = join(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin.netlint);
const TIME = '/usr/bin/time';
const TARGET_RATIO = 1 / 3;
const TARGET_RSS_MIB = 300;

function parseArgs(argv) {
  const opts = { check: false, runs: 5, services: 10000, keepEnv: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--services') opts.services = Number(argv[++i]);
    else if (a === '--keep-env') opts.keepEnv = true;
    else if (a === '--help' || a === '-h') {
      console.log('Usage: node bench/run.mjs [--check] [--runs N] [--services N] [--keep-env]');
      process.exit(0);
    } else {
      console.error(`Unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (!(opts.runs >= 1) || !(opts.services >= 1)) {
    console.error('--runs and --services need positive numbers');
    process.exit(2);
  }
  return opts;
}

const mib = (kib) => kib / 1024;
const fmtMiB = (kib) => (kib === undefined ? 'n/a' : `${mib(kib).toFixed(0)} MiB`);

const hasTime = existsSync(TIME);
const RSS_PRELOAD = join(WORK, 'max-rss-preload.cjs');

/**
 * Runs a command once: wall time from spawn to exit; peak RSS (KiB) and CPU time (user + system,
 * ms) from /usr/bin/time, or, without it, from the child's own process.resourceUsage() (node
 * children only). CPU time is less disturbed than wall time by other work on the machine.
 */
/** The children's environment (see --keep-env). */
let CHILD_ENV = childEnv(false);

function measure(command, args, { stdinFile, node = false } = {}) {
  const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  const rssFile = join(WORK, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  let cmd = command;
  let argv = args;
  if (hasTime) {
    cmd = TIME;
    argv = ['-f', '%M %U %S', '-o', rssFile, command, ...args];
  } else if (node) {
    argv = ['-r', RSS_PRELOAD, ...args];
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, {
    stdio: [stdin, 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...CHILD_ENV, NETLINT_MAX_RSS_FILE: rssFile },
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (typeof stdin === 'number') closeSync(stdin);
  let rssKiB;
  let cpuMs;
  if (existsSync(rssFile)) {
    // /usr/bin/time may add "Command exited with non-zero status N" before its own line.
    const [rss, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    rssKiB = rss || undefined;
    cpuMs = Number.isFinite(user + sys) ? (user + sys) * 1000 : undefined;
    rmSync(rssFile, { force: true });
  }
  return { wallMs, rssKiB, cpuMs, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr?.toString() ?? '', error: r.error };
}

/**
 * Times the sides one run each in turn (a warm-up of each first), so that the machine getting
 * slower or faster during the benchmark (other work, a virtual machine's neighbours) weighs on
 * every side alike instead of on whichever ran its runs then.
 */
function alternate(sides, runs) {
  const samples = sides.map(() => []);
  process.stdout.write('runs: warm-up');
  for (const side of sides) side.once();
  for (let i = 0; i < runs; i++) {
    process.stdout.write(` ${i + 1}`);
    sides.forEach((side, k) => samples[k].push(side.once()));
  }
  process.stdout.write('\n');
  return sides.map((side, k) => summary(side.label, samples[k]));
}

function summary(label, samples) {
  const walls = samples.map((s) => s.wallMs);
  const rss = samples.map((s) => s.rssKiB).filter((x) => x !== undefined);
  const cpu = samples.map((s) => s.cpuMs).filter((x) => x !== undefined);
  return {
    label,
    walls,
    wallMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    cpuMs: cpu.length ? median(cpu) : undefined,
    rssKiB: rss.length ? median(rss) : undefined,
    peakRssKiB: rss.length ? Math.max(...rss) : undefined,
  };
}

/** Why iptables-restore cannot be timed here, or undefined. */
function netnsUnavailable() {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: creating a network namespace needs root';
  for (const c of ['ip', 'iptables-restore']) {
    if (spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0) return `${c} is not installed (Debian packages iproute2, iptables)`;
  }
  return undefined;
}

/** A network namespace owned by this process, deleted on exit, SIGINT and SIGTERM. */
function createNetns() {
  const name = `nl-bench-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip netns add ${name}: ${r.stderr.trim()}`);
  let deleted = false;
  const cleanup = () => {
    if (deleted) return;
    deleted = true;
    spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  return { name, cleanup };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  CHILD_ENV = childEnv(opts.keepEnv);
  mkdirSync(WORK, { recursive: true });
  writeFileSync(
    RSS_PRELOAD,
    "process.on('exit', () => { const f = process.env.NETLINT_MAX_RSS_FILE; if (!f) return; const u = process.resourceUsage(); require('node:fs').writeFileSync(f, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}`); });\n",
  );
  if (!existsSync(CLI)) {
    console.error(`${relative(process.cwd(), CLI)} is missing: run "npm run build" (or "npm run bench").`);
    process.exit(2);
  }
  if (!existsSync(GENERATOR)) {
    console.error(`${GENERATOR} is missing: the shared folder must be checked out beside the repo.`);
    process.exit(2);
  }

  const dump = join(WORK, `kube-proxy-${opts.services}.iptables-save.txt`);
  const gen = spawnSync(process.execPath, [GENERATOR, String(opts.services)], { maxBuffer: 1024 * 1024 * 1024 });
  if (gen.status !== 0) {
    console.error(`Generating the dump failed: ${gen.stderr}`);
    process.exit(2);
  }
  writeFileSync(dump, gen.stdout);
  const lines = gen.stdout.toString().split('\n').filter((l) => l.startsWith('-A ')).length;
  console.log(`Dump: ${relative(process.cwd(), dump)} (${opts.services} services, ${lines} rules, ${(statSync(dump).size / 1048576).toFixed(1)} MiB)`);
  console.log(`Peak RSS from ${hasTime ? TIME : 'process.resourceUsage() of the child (no /usr/bin/time)'}; ${opts.runs} runs per side after a warm-up, the sides in turn.`);
  console.log(`Children's environment: ${opts.keepEnv ? 'as is' : 'without NODE_EXTRA_CA_CERTS and NODE_OPTIONS'}.\n`);

  const netlintSide = {
    label: 'netlint lint --format json',
    once: () => {
      const r = measure(process.execPath, [CLI, 'lint', dump, '--format', 'json'], { node: true });
      if (r.error || (r.status !== 0 && r.status !== 1)) {
        throw new Error(`netlint exited ${r.status ?? r.signal}: ${r.error?.message ?? r.stderr.slice(0, 2000)}`);
      }
      // A dump netlint could not parse would make the timing meaningless.
      const results = JSON.parse(r.stdout.toString());
      const fatal = results.flatMap((f) => f.messages).filter((m) => m.fatal || m.ruleId === 'parse-error' || m.ruleId === 'internal-error');
      if (fatal.length) throw new Error(`netlint reported ${fatal.length} parse/internal errors, e.g. ${JSON.stringify(fatal[0])}`);
      return r;
    },
  };

  let netlint;
  let restore;
  const why = netnsUnavailable();
  if (why) {
    console.log(`iptables-restore --test: skipped (${why})`);
    [netlint] = alternate([netlintSide], opts.runs);
  } else {
    const ns = createNetns();
    try {
      const restoreSide = {
        label: 'iptables-restore --test (netns)',
        once: () => {
          const r = measure('ip', ['netns', 'exec', ns.name, 'iptables-restore', '--test'], { stdinFile: dump });
          if (r.error || r.status !== 0) throw new Error(`iptables-restore --test exited ${r.status ?? r.signal}: ${r.error?.message ?? r.stderr}`);
          return r;
        },
      };
      [netlint, restore] = alternate([netlintSide, restoreSide], opts.runs);
    } finally {
      ns.cleanup();
    }
  }

  const rows = [netlint, restore].filter(Boolean);
  console.log('');
  console.log(['', 'median wall', 'min', 'max', 'median CPU', 'median peak RSS', 'max peak RSS'].map((h, i) => (i ? h.padStart(16) : h.padEnd(34))).join(''));
  for (const r of rows) {
    console.log(
      [
        r.label.padEnd(34),
        fmtS(r.wallMs).padStart(16),
        fmtS(r.minMs).padStart(16),
        fmtS(r.maxMs).padStart(16),
        (r.cpuMs === undefined ? 'n/a' : fmtS(r.cpuMs)).padStart(16),
        fmtMiB(r.rssKiB).padStart(16),
        fmtMiB(r.peakRssKiB).padStart(16),
      ].join(''),
    );
  }
  console.log('');

  let missed = false;
  let unmeasured = false;
  if (restore) {
    if (netlint.cpuMs !== undefined && restore.cpuMs !== undefined) {
      console.log(`CPU:    netlint / iptables-restore = ${(netlint.cpuMs / restore.cpuMs).toFixed(2)} (for reference; the target is on wall time)`);
    }
    const ratio = netlint.wallMs / restore.wallMs;
    const ok = ratio <= TARGET_RATIO;
    missed ||= !ok;
    console.log(
      `Time:   netlint / iptables-restore = ${ratio.toFixed(2)} (target <= ${TARGET_RATIO.toFixed(2)}): ${ok ? 'met' : 'MISSED'}` +
        (ok ? '' : ` (needs <= ${fmtS(restore.wallMs * TARGET_RATIO)})`),
    );
    // Runs i of both sides ran back to back: how far apart their ratios are shows the noise.
    const paired = netlint.walls.map((w, i) => w / restore.walls[i]).sort((a, b) => a - b);
    console.log(`        ratio of each pair of runs: median ${median(paired).toFixed(2)}, ${paired[0].toFixed(2)} to ${paired[paired.length - 1].toFixed(2)} (for reference)`);
  } else {
    unmeasured = true;
    console.log('Time:   not evaluated (iptables-restore was not run)');
  }
  if (netlint.peakRssKiB !== undefined) {
    const ok = mib(netlint.peakRssKiB) <= TARGET_RSS_MIB;
    missed ||= !ok;
    console.log(`Memory: netlint peak RSS ${fmtMiB(netlint.peakRssKiB)} (target <= ${TARGET_RSS_MIB} MiB): ${ok ? 'met' : 'MISSED'}`);
  } else {
    unmeasured = true;
    console.log('Memory: not evaluated (no peak RSS measurement)');
  }
  if (opts.check && missed) process.exit(1);
  if (opts.check && unmeasured) process.exit(2);
}

try {
  main();
} catch (err) {
  console.error(`\n${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
