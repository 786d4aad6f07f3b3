import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker as WorkerType } from 'node:worker_threads';
import { workerThreads } from '../../engine/lazy-require.js';
import { RECORD } from './prescan.js';
import { isAscii } from './tokenize.js';

/**
 * A worker thread that reads the simple rule lines of a big dump (`prescanRule`) while the
 * parser reads the lines before them, so the parser only records those rules (chain, target)
 * when it gets there.
 *
 * The lines are cut into chunks. Each chunk belongs to whoever claims it first (an atomic
 * compare-and-exchange on its state): the worker starts in the middle of the text and works
 * forward to the end, then backward from the middle; the parser works forward from the start.
 * When the parser reaches a chunk the worker finished, it reads the records; a chunk the worker
 * is still reading, it waits for; a free chunk, it claims and reads itself. So the parser never
 * depends on the worker: if the worker starts late, is slow, or fails, the parser reads more
 * lines itself, and the result is the same in every case.
 */

/** Texts from this size on are worth a worker (below it, starting one costs more than it saves). */
export const PARALLEL_MIN_CHARS = 4 * 1024 * 1024;
/** Lines per chunk. */
export const CHUNK_LINES = 2048;
/** How long the parser waits for a chunk the worker is reading before it gives up on the worker. */
const WAIT_MS = 2000;

/** Chunk states. */
const FREE = 0;
const WORKER = 1;
const DONE = 2;
const PARSER = 3;

/** Control words after the chunk states. */
const STOP = 0;

/** What the worker is given (all memory shared). */
export interface PrescanTask {
  /** The text as Latin-1 bytes (one byte per UTF-16 unit: offsets are the text's). */
  bytes: SharedArrayBuffer;
  /** Int32 start offset of each line. */
  lineStarts: SharedArrayBuffer;
  lineCount: number;
  /** Int32 records, `RECORD` per line. */
  records: SharedArrayBuffer;
  /** Int32 state of each chunk, then the control words. */
  states: SharedArrayBuffer;
  chunkLines: number;
  /** The chunk the worker starts with. */
  firstChunk: number;
}

/** `NETLINT_PARSE_WORKERS=0` parses on one thread only. */
function enabled(): boolean {
  const v = process.env.NETLINT_PARSE_WORKERS;
  return v !== '0' && v !== 'false';
}

let workerFile: string | null | undefined;

/** The worker's script beside this module (dist/src, or the bundled CLI's folder), or null. */
function workerScript(): string | null {
  if (workerFile === undefined) {
    const file = fileURLToPath(new URL('./scan-worker.js', import.meta.url));
    workerFile = existsSync(file) ? file : null;
  }
  return workerFile;
}

export class ParallelPrescan {
  readonly records: Int32Array;
  readonly chunkLines = CHUNK_LINES;
  #states: Int32Array;
  #chunks: number;
  #worker: WorkerType;
  /** False once the worker kept the parser waiting too long: the parser reads every chunk left. */
  #trusted = true;

  private constructor(records: Int32Array, states: Int32Array, chunks: number, worker: WorkerType) {
    this.records = records;
    this.#states = states;
    this.#chunks = chunks;
    this.#worker = worker;
  }

  /**
   * Starts a worker for `text` if it is big enough, workers are available, and the machine has
   * more than one core; undefined otherwise (or if the worker cannot start).
   */
  static start(text: string, lineStarts: readonly number[]): ParallelPrescan | undefined {
    // ASCII only: the worker reads the text as one byte per character.
    if (text.length < PARALLEL_MIN_CHARS || !enabled() || availableParallelism() < 2 || !isAscii(text)) return undefined;
    const script = workerScript();
    if (script === null) return undefined;
    const lineCount = lineStarts.length;
    const chunks = Math.ceil(lineCount / CHUNK_LINES);
    const bytes = new SharedArrayBuffer(text.length);
    Buffer.from(bytes).write(text, 0, text.length, 'latin1');
    const starts = new SharedArrayBuffer(lineCount * 4);
    new Int32Array(starts).set(lineStarts);
    const records = new SharedArrayBuffer(lineCount * RECORD * 4);
    const states = new SharedArrayBuffer((chunks + 1) * 4);
    // The worker starts a little before the middle: it starts later than the parser, and the
    // parser also records every rule the worker read.
    const task: PrescanTask = { bytes, lineStarts: starts, lineCount, records, states, chunkLines: CHUNK_LINES, firstChunk: Math.floor(chunks * 0.45) };
    let worker: WorkerType;
    try {
      // Not the process's own flags (--cpu-prof, -e...): the worker runs one script.
      worker = new (workerThreads().Worker)(script, { workerData: task, execArgv: [], stdout: false, stderr: false });
    } catch {
      return undefined;
    }
    // Nothing it reports can change the parse (see the class comment); it must not keep the
    // process alive either.
    worker.on('error', () => {});
    worker.unref();
    return new ParallelPrescan(new Int32Array(records), new Int32Array(states), chunks, worker);
  }

  /**
   * Called by the parser at the first line of chunk `k`: true if the worker read the chunk (its
   * records hold), false if the parser reads it itself.
   */
  claim(k: number): boolean {
    const states = this.#states;
    if (!this.#trusted) {
      Atomics.store(states, k, PARSER);
      return false;
    }
    const was = Atomics.compareExchange(states, k, FREE, PARSER);
    if (was === FREE) return false;
    if (was === DONE) return true;
    // The worker is reading it now.
    if (Atomics.wait(states, k, WORKER, WAIT_MS) === 'timed-out' && Atomics.load(states, k) !== DONE) {
      this.#trusted = false;
      return false;
    }
    return Atomics.load(states, k) === DONE;
  }

  /** How many chunks the text has. */
  get chunks(): number {
    return this.#chunks;
  }

  /** How many chunks the worker read (so far). */
  workerChunks(): number {
    let n = 0;
    for (let k = 0; k < this.#chunks; k++) if (Atomics.load(this.#states, k) === DONE) n++;
    return n;
  }

  /** Tells the worker to stop (the parse is over) and lets it go. */
  finish(): void {
    Atomics.store(this.#states, this.#chunks + STOP, 1);
    void this.#worker.terminate();
  }
}

/**
 * The worker's side: claims and reads chunks as described above, until every chunk is claimed
 * or the parser says stop. `read(k)` reads the lines of chunk `k` into the records.
 */
export function workChunks(task: PrescanTask, read: (chunk: number) => void): void {
  const states = new Int32Array(task.states);
  const chunks = Math.ceil(task.lineCount / task.chunkLines);
  const stop = chunks + STOP;
  const take = (k: number) => {
    if (Atomics.load(states, stop) !== 0 || Atomics.compareExchange(states, k, FREE, WORKER) !== FREE) return false;
    try {
      read(k);
    } finally {
      Atomics.store(states, k, DONE);
      Atomics.notify(states, k);
    }
    return true;
  };
  for (let k = task.firstChunk; k < chunks; k++) if (!take(k) && Atomics.load(states, stop) !== 0) return;
  // Backward from the middle until the parser's chunks.
  for (let k = task.firstChunk - 1; k >= 0; k--) if (!take(k)) return;
}
