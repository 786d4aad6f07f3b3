#!/usr/bin/env node
// Times `netlint lint` side by side with ESLint (and, with --spectral, Spectral) configured with the
// same checks (../shared/bench/anchors), on the corpora of ../shared/bench/gen-config-corpus.mjs:
// 2,000 CNI conflists, 2,000 five-document manifest files, and one small file of each (start-up).
// Targets: each corpus in at most 1/4 of ESLint's cold time; one small file in at most 0.3x.
//
// Usage: node bench/configs.mjs [--check] [--runs N] [--files N] [--spectral] [--keep-env]
//   --check     exit 1 if a target is missed (2 if something could not be measured)
//   --runs N    timed runs per case and tool after one warm-up (default 5); medians are reported
//   --files N   files per corpus (default 2000)
//   --spectral  time Spectral too (for reference; no target)
//   --keep-env  keep NODE_EXTRA_CA_CERTS and NODE_OPTIONS in the children's environment (by default
//               both are removed: a CA bundle named there is parsed by every node process at start,
//               which adds the same fixed cost to every tool and hides start-up differences)
//
// Everything lives in bench/.work/ (gitignored): the anchors' packages are installed into
// bench/.work/anchors/ (npm install --no-save, from ../shared/bench/anchors/package.json) and the
// corpus is generated inside it (ESLint lints only files below its config's folder).
// Tools run one after the other, alternating, in the same run: compare ratios, not seconds.
// `npm run build` first: this script runs dist/.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, fmtS, median } from './common.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work');
const ANCHORS_SRC = resolve(ROOT, '..', 'shared', 'bench', 'anchors');
const GENERATOR = resolve(ROOT, '..', 'shared', 'bench', 'gen-config-corpus.mjs');
const ANCHORS = join(WORK, 'anchors');
// The command as npm installs it (package.json `bin`: the bundled CLI).
const CLI = join(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin.netlint);
const CORPUS_RATIO = 1 / 4;
const FILE_RATIO = 0.3;

function parseArgs(argv) {
  const opts = { check: false, runs: 5, files: 2000, spectral: false, keepEnv: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--files') opts.files = Number(argv[++i]);
    else if (a === '--spectral') opts.spectral = true;
    else if (a === '--keep-env') opts.keepEnv = true;
    else if (a === '--help' || a === '-h') {
      console.log('Usage: node bench/configs.mjs [--check] [--runs N] [--files N] [--spectral] [--keep-env]');
      process.exit(0);
    } else {
      console.error(`Unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (!(opts.runs >= 1) || !(opts.files >= 1)) {
    console.error('--runs and --files need positive numbers');
    process.exit(2);
  }
  return opts;
}


/** Copies the anchors' package.json and configs, and installs their packages when needed. */
function installAnchors() {
  mkdirSync(ANCHORS, { recursive: true });
  let changed = false;
  for (const f of readdirSync(ANCHORS_SRC)) {
    if (f === 'README.md') continue;
    const dst = join(ANCHORS, f);
    const text = readFileSync(join(ANCHORS_SRC, f), 'utf8');
    if (!existsSync(dst) || readFileSync(dst, 'utf8') !== text) {
      copyFileSync(join(ANCHORS_SRC, f), dst);
      changed = true;
    }
  }
  const bins = ['eslint', 'spectral'].map((b) => join(ANCHORS, 'node_modules', '.bin', b));
  if (!changed && bins.every((b) => existsSync(b))) return;
  console.log(`Installing the anchor linters into ${relative(process.cwd(), ANCHORS)} (npm install --no-save)...`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ANCHORS, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !bins.every((b) => existsSync(b))) throw new Error(`npm install in ${ANCHORS} failed (exit ${r.status})`);
}

/** Generates the corpus inside the anchors' folder unless it is there with the right size. */
function ensureCorpus(n) {
  const dir = join(ANCHORS, 'corpus');
  const count = (d) => (existsSync(join(dir, d)) ? readdirSync(join(dir, d)).length : -1);
  if (count('json') === n && count('yaml') === n && count('yaml1') === n) return dir;
  rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [GENERATOR, dir, String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Generating the corpus failed: ${r.stderr}`);
  return dir;
}

/** Runs a command once; wall time from spawn to exit. */
function measure(command, args, env, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, env, maxBuffer: 1024 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wallMs, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr?.toString() ?? '', error: r.error };
}

/** Checks a tool's JSON output: it ran, it saw every file, and netlint had no parse or internal errors. */
function checkOutput(tool, r, expectFiles, okStatus) {
  if (r.error || !okStatus.includes(r.status)) {
    throw new Error(`${tool} exited ${r.status ?? r.signal}: ${r.error?.message ?? r.stderr.slice(0, 2000)}`);
  }
  const results = JSON.parse(r.stdout.toString());
  if (tool === 'spectral') return results.length;
  if (results.length !== expectFiles) throw new Error(`${tool} reported ${results.length} files, expected ${expectFiles}`);
  const messages = results.flatMap((f) => f.messages);
  const bad = messages.filter((m) => m.fatal || m.ruleId === 'parse-error' || m.ruleId === 'internal-error' || m.ruleId === null);
  if (bad.length) throw new Error(`${tool} reported ${bad.length} parse/internal errors, e.g. ${JSON.stringify(bad[0])}`);
  return messages.length;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(CLI)) {
    console.error(`${relative(process.cwd(), CLI)} is missing: run "npm run build" first.`);
    process.exit(2);
  }
  if (!existsSync(GENERATOR) || !existsSync(ANCHORS_SRC)) {
    console.error(`${relative(process.cwd(), resolve(ROOT, '..', 'shared', 'bench'))} is missing: the shared folder must be checked out beside the repo.`);
    process.exit(2);
  }
  installAnchors();
  const corpus = ensureCorpus(opts.files);
  const env = childEnv(opts.keepEnv, { NO_COLOR: '1' });
  const rel = (p) => relative(ANCHORS, p);
  const eslintBin = join(ANCHORS, 'node_modules', '.bin', 'eslint');
  const spectralBin = join(ANCHORS, 'node_modules', '.bin', 'spectral');
  const oneJson = join(corpus, 'json', readdirSync(join(corpus, 'json')).sort()[0]);
  const oneYaml = join(corpus, 'yaml1', readdirSync(join(corpus, 'yaml1')).sort()[0]);

  const cases = [
    { name: `${opts.files} conflists`, target: CORPUS_RATIO, path: join(corpus, 'json'), files: opts.files, spectralGlob: 'corpus/json/*.json' },
    { name: `${opts.files} five-document manifests`, target: CORPUS_RATIO, path: join(corpus, 'yaml'), files: opts.files, spectralGlob: 'corpus/yaml/*.yaml' },
    { name: 'one conflist (start-up)', target: FILE_RATIO, path: oneJson, files: 1, spectralGlob: rel(oneJson) },
    { name: 'one manifest (start-up)', target: FILE_RATIO, path: oneYaml, files: 1, spectralGlob: rel(oneYaml) },
  ];
  const tools = [
    { id: 'netlint', run: (c) => measure(process.execPath, [CLI, 'lint', rel(c.path), '--format', 'json'], env, ANCHORS), ok: [0, 1] },
    { id: 'eslint', run: (c) => measure(eslintBin, ['-c', 'eslint.config.mjs', rel(c.path), '-f', 'json'], env, ANCHORS), ok: [0, 1] },
  ];
  if (opts.spectral) {
    tools.push({ id: 'spectral', run: (c) => measure(spectralBin, ['lint', c.spectralGlob, '-r', 'spectral.yaml', '-f', 'json', '-q'], env, ANCHORS), ok: [0, 1] });
  }
  console.log(`Corpus: ${relative(process.cwd(), corpus)}; node ${process.version}; ${opts.runs} runs per tool and case after a warm-up, tools alternating.`);
  console.log(`Children's environment: ${opts.keepEnv ? 'as is' : 'without NODE_EXTRA_CA_CERTS and NODE_OPTIONS'}; netlint without --cache, ESLint without --cache.\n`);

  const rows = [];
  for (const c of cases) {
    const samples = Object.fromEntries(tools.map((t) => [t.id, []]));
    const found = {};
    process.stdout.write(`${c.name}: warm-up`);
    for (const t of tools) found[t.id] = checkOutput(t.id, t.run(c), c.files, t.ok);
    for (let i = 0; i < opts.runs; i++) {
      process.stdout.write(` ${i + 1}`);
      // Alternate the order so neither tool always runs right after the other.
      const order = i % 2 ? [...tools].reverse() : tools;
      for (const t of order) {
        const r = t.run(c);
        checkOutput(t.id, r, c.files, t.ok);
        samples[t.id].push(r.wallMs);
      }
    }
    process.stdout.write('\n');
    rows.push({ ...c, found, medians: Object.fromEntries(tools.map((t) => [t.id, median(samples[t.id])])), spread: Object.fromEntries(tools.map((t) => [t.id, [Math.min(...samples[t.id]), Math.max(...samples[t.id])]])) });
  }

  console.log('');
  const head = ['case', ...tools.map((t) => `${t.id} (median)`), 'netlint/eslint', 'target', ''];
  const widths = [34, ...tools.map(() => 18), 16, 10, 8];
  const line = (cells) => cells.map((s, i) => (i ? String(s).padStart(widths[i]) : String(s).padEnd(widths[i]))).join('');
  console.log(line(head));
  let missed = false;
  for (const r of rows) {
    const ratio = r.medians.netlint / r.medians.eslint;
    const ok = ratio <= r.target;
    missed ||= !ok;
    r.ratio = ratio;
    r.ok = ok;
    console.log(line([r.name, ...tools.map((t) => fmtS(r.medians[t.id])), ratio.toFixed(2), `<= ${r.target.toFixed(2)}`, ok ? 'met' : 'MISSED']));
  }
  console.log('');
  for (const r of rows) {
    const spread = tools.map((t) => `${t.id} ${fmtS(r.spread[t.id][0])}..${fmtS(r.spread[t.id][1])}`).join(', ');
    const found = tools.map((t) => `${t.id} ${r.found[t.id]}`).join(', ');
    console.log(`${r.name}: range ${spread}; findings ${found}`);
    if (!r.ok) console.log(`  netlint needs <= ${fmtS(r.medians.eslint * r.target)} to meet the target`);
  }
  if (opts.check && missed) process.exit(1);
}

try {
  main();
} catch (err) {
  console.error(`\n${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
