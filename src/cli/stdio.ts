import { fstatSync, writeSync } from 'node:fs';

/** What the CLI writes its output and messages to: `process.stdout`, a test double, or {@link fdOutput}. */
export interface CliOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * Standard output or error as the CLI writes them. When the descriptor is a file, a pipe or a
 * socket (CI, pre-commit, editors, `netlint ... | jq`), text is written to it directly with
 * `writeSync`: `process.stdout` is a stream that Node builds on first use, loading its stream and
 * socket modules, which cost several milliseconds of every run for output Node writes
 * synchronously to files and pipes anyway. Terminals and other devices (and every descriptor on
 * Windows, where pipes are not files) get the process's own stream, built when first written to.
 * (`fstat` tells which: `tty.isatty` would load the socket modules itself.)
 *
 * A descriptor opened non-blocking by another program (`EAGAIN`) is handed to the stream, which
 * waits for it, from that write on. A reader that went away (`EPIPE`) ends the run as the stream's
 * error handler in main.ts does.
 */
export function fdOutput(
  fd: number,
  stream: () => { write(chunk: string | Uint8Array): unknown; isTTY?: boolean },
  write: (fd: number, bytes: Uint8Array, offset: number, length: number) => number = writeSync,
): CliOutput {
  if (process.platform === 'win32' || !fileOrPipe(fd)) {
    return {
      write: (chunk) => stream().write(chunk),
      get isTTY() {
        return stream().isTTY === true;
      },
    };
  }
  let direct = true;
  return {
    isTTY: false,
    write(chunk: string) {
      if (!direct) return stream().write(chunk);
      const bytes = Buffer.from(chunk, 'utf8');
      let offset = 0;
      try {
        while (offset < bytes.length) offset += write(fd, bytes, offset, bytes.length - offset);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') process.exit(141);
        if (code !== 'EAGAIN') throw err;
        direct = false;
        return stream().write(bytes.subarray(offset));
      }
      return true;
    },
  };
}

/** True if `fd` is open on a regular file, a pipe or a socket. */
function fileOrPipe(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}
