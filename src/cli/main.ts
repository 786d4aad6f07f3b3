#!/usr/bin/env node
import { runCli } from './run.js';

// A reader that stops early (`netlint parse big.json | head`) closes the pipe: the rest of the
// output has nowhere to go, which is no error of netlint's. Stop as a program killed by SIGPIPE
// would, without a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(141);
});

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  // process.stdin opens a stream on first access (a few milliseconds): only --stdin reads it.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`netlint: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
