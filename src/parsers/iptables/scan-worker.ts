import { workerData } from 'node:worker_threads';
import { workChunks, type PrescanTask } from './parallel.js';
import { lineBounds, prescanRule, RECORD } from './prescan.js';
import { RuleScan } from './rule.js';
import { LineTokens } from './tokenize.js';

// The worker of parallel.ts: reads the simple rule lines of the chunks it claims into records.
const task = workerData as PrescanTask;
const text = Buffer.from(task.bytes).toString('latin1');
const lineStarts = new Int32Array(task.lineStarts);
const records = new Int32Array(task.records);
const lt = new LineTokens();
const scan = new RuleScan();
const bounds = new Int32Array(1);

workChunks(task, (chunk) => {
  const first = chunk * task.chunkLines + 1;
  const last = Math.min(first + task.chunkLines - 1, task.lineCount);
  for (let ln = first; ln <= last; ln++) {
    const start = lineBounds(text, lineStarts, task.lineCount, ln, bounds);
    prescanRule(text, start, bounds[0], lt, scan, records, (ln - 1) * RECORD);
  }
});
