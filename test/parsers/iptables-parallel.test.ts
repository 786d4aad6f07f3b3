import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * A big dump is parsed with a worker thread that reads the simple rule lines of some chunks
 * (src/parsers/iptables/parallel.ts). The worker is a separate script, so these tests run the
 * built parser (dist/, which `npm test` builds first) in a child process: the document and the
 * findings must be the same with and without the worker, whoever reads which chunk.
 */

const DIST = 'dist/src/parsers/iptables';
const GENERATOR = '../shared/bench/gen-kube-proxy-dump.mjs';
const ready = existsSync(`${DIST}/scan-worker.js`) && existsSync(GENERATOR);
if (!ready) console.warn(`skipped "parallel parse": needs ${DIST}/scan-worker.js (npm run build) and ${GENERATOR}`);

/**
 * Parses a generated dump (`services` services, every `breakEvery`-th rule line edited into
 * something the fast path does not read, or an error) and prints a hash of the findings, the
 * whole document and its duplicate rules, and the share of chunks the worker read.
 */
const CHILD = `
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { SourceText } from './dist/src/model/source.js';
import { duplicateRules, parseIptables, readIptables } from './dist/src/parsers/iptables/parser.js';
import { ParallelPrescan } from './dist/src/parsers/iptables/parallel.js';
const [services, breakEvery, waitForWorker] = process.argv.slice(1).map(Number);
let text = execFileSync(process.execPath, [${JSON.stringify(GENERATOR)}, String(services)], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (breakEvery > 0) {
  const edits = [
    (l) => l.replace(' -j ', '  -j '),
    (l) => l.replace(' -m comment', ' ! -m comment'),
    (l) => l.replace(/^-A (\\S+)/, '-A "$1"'),
    (l) => l.replace(/^-A (\\S+)/, '-I $1 1'),
    (l) => l + ' --bogus',
    (l) => l.replace('"', ''),
    (l) => '[0:0] ' + l,
    (l) => l.replace(' -j ', ' -j "') + '"',
    (l) => l.replace(' -j KUBE-', ' -g KUBE-'),
    // Duplicate rules, written alike and written with other spacing.
    (l) => l + '\\n' + l,
    (l) => l + '\\n' + l.replace(' -j ', '  -j '),
  ];
  let n = 0;
  text = text.split('\\n').map((l) => (l.startsWith('-A ') && ++n % breakEvery === 0 ? edits[(n / breakEvery) % edits.length](l) : l)).join('\\n');
}
const source = new SourceText(text);
let read = -1;
let r;
if (waitForWorker) {
  // The worker reads every chunk before the parser starts: the parser then reads every rule
  // line from the records.
  const prescan = ParallelPrescan.start(text, source.lineStarts);
  if (prescan) {
    const until = Date.now() + 60000;
    while (Date.now() < until && prescan.workerChunks() < prescan.chunks) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    read = prescan.workerChunks() / prescan.chunks;
  }
  r = readIptables(source, 'dump', prescan);
} else r = parseIptables(source, 'dump');
const h = createHash('sha256');
h.update(JSON.stringify(r.findings));
h.update(JSON.stringify(r.documents[0].root));
// Duplicates are found from what the first pass kept (not part of the document's JSON).
h.update(JSON.stringify(r.documents[0].root.tables.map((t) => duplicateRules(t).map(([a, b]) => [a.line, b.line]))));
const duplicates = r.documents[0].root.tables.reduce((n, t) => n + duplicateRules(t).length, 0);
console.log(JSON.stringify({ hash: h.digest('hex'), findings: r.findings.length, duplicates, workerRead: read }));
`;

/** `workers`: 'off', 'on' (as a parse runs), or 'first' (the worker reads every chunk, then the parser runs). */
function parse(services: number, breakEvery: number, workers: 'off' | 'on' | 'first'): { hash: string; findings: number; duplicates: number; workerRead: number } {
  const env = { ...process.env, NETLINT_PARSE_WORKERS: workers === 'off' ? '0' : '1' };
  const args = ['--input-type=module', '-e', CHILD, String(services), String(breakEvery), workers === 'first' ? '1' : '0'];
  const out = execFileSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out) as { hash: string; findings: number; duplicates: number; workerRead: number };
}

describe.runIf(ready)('parallel parse', () => {
  it('gives the same document and findings as one thread on a big generated dump', { timeout: 120_000 }, () => {
    const one = parse(3000, 0, 'off');
    const first = parse(3000, 0, 'first');
    // The worker started and read every chunk; the parser read every rule line from records.
    expect(first.workerRead).toBe(1);
    expect(first.hash).toBe(one.hash);
    expect(parse(3000, 0, 'on').hash).toBe(one.hash);
  });

  it('gives the same document and findings when lines in every chunk need the careful path or are wrong', { timeout: 120_000 }, () => {
    const one = parse(3000, 97, 'off');
    const first = parse(3000, 97, 'first');
    expect(one.findings).toBeGreaterThan(0);
    expect(one.duplicates).toBeGreaterThan(0);
    expect(first.workerRead).toBe(1);
    expect(first.hash).toBe(one.hash);
    expect(parse(3000, 97, 'on').hash).toBe(one.hash);
  });
});
