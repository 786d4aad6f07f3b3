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
 * waits for it, from that write on. A reader that went away (`EPIPE`; `ECONNRESET` from a socket
 * closed with data unread, as Node's child-process pipes are) ends the run as the stream's error
 * handler in main.ts does.
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
  let pool: Buffer | undefined;
  return {
    isTTY: false,
    write(chunk: string) {
      if (!direct) return stream().write(chunk);
      // Encoded piece by piece into one reused buffer: a new Buffer of a whole large output
      // (megabytes of JSON) cost more than the stream's write.
      pool ??= Buffer.allocUnsafe(CHUNK * 3);
      for (let start = 0; start < chunk.length; ) {
        let end = Math.min(start + CHUNK, chunk.length);
        // Never between the halves of a surrogate pair: each would be written as U+FFFD.
        const last = chunk.charCodeAt(end - 1);
        if (end < chunk.length && last >= 0xd800 && last <= 0xdbff) end--;
        const length = pool.write(start === 0 && end === chunk.length ? chunk : chunk.slice(start, end), 0, 'utf8');
        let offset = 0;
        try {
          while (offset < length) offset += write(fd, pool, offset, length - offset);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EPIPE' || code === 'ECONNRESET') process.exit(141);
          if (code !== 'EAGAIN') throw err;
          direct = false;
          // A copy: the stream may write it later, and the pool is not ours to lend.
          stream().write(Buffer.from(pool.subarray(offset, length)));
          return end < chunk.length ? stream().write(chunk.slice(end)) : false;
        }
        start = end;
      }
      return true;
    },
  };
}

/** UTF-16 code units encoded per write: at most 3 bytes each in UTF-8 (a surrogate pair, 2 units, takes 4). */
const CHUNK = 64 * 1024;

/** True if `fd` is open on a regular file, a pipe or a socket. */
function fileOrPipe(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}
