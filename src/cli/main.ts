#!/usr/bin/env node
import { runCli } from './run.js';
import { fdOutput } from './stdio.js';

// A reader that stops early (`netlint parse big.json | head`) closes the pipe: the rest of the
// output has nowhere to go, which is no error of netlint's. Stop as a program killed by SIGPIPE
// would, without a stack trace (a socket, as Node's child-process pipes are, may say ECONNRESET).
// Direct writes (src/cli/stdio.ts) do the same.
const stream = (s: NodeJS.WriteStream) => {
  if (s.listenerCount('error') === 0) {
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') throw err;
      process.exit(141);
    });
  }
  return s;
};
const stderr = fdOutput(2, () => stream(process.stderr));

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  // Files and pipes are written directly, terminals through the process's streams, built on
  // first use (each costs a few milliseconds to build).
  stdout: fdOutput(1, () => stream(process.stdout)),
  stderr,
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
    stderr.write(`netlint: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
