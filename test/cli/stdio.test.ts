import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fdOutput } from '../../src/cli/stdio.js';

describe('fdOutput', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  /** A descriptor open for writing on a new file, and the file. */
  const tempFd = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netlint-stdio-'));
    const file = path.join(dir, 'out.txt');
    const fd = openSync(file, 'w');
    cleanups.push(() => {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    });
    return { fd, file };
  };

  it('writes a file descriptor directly, in order, as UTF-8, without building the stream', () => {
    const { fd, file } = tempFd();
    let built = 0;
    const out = fdOutput(fd, () => {
      built++;
      return { write: () => true };
    });
    expect(out.isTTY).toBe(false);
    out.write('first line\n');
    out.write('ünïcødé ✓\n');
    out.write('x'.repeat(200_000));
    expect(readFileSync(file, 'utf8')).toBe(`first line\nünïcødé ✓\n${'x'.repeat(200_000)}`);
    expect(built).toBe(0);
  });

  it('writes large text in pieces without splitting a character, a surrogate pair included', () => {
    const { fd, file } = tempFd();
    const out = fdOutput(fd, () => ({ write: () => true }));
    // 64 Ki code units go per write: the emoji's halves straddle the first boundary.
    const text = `${'a'.repeat(64 * 1024 - 1)}😀${'é'.repeat(100_000)}${'😀'.repeat(70_000)}✓`;
    out.write(text);
    out.write('😀');
    expect(readFileSync(file, 'utf8')).toBe(`${text}😀`);
  });

  it('goes on through the stream from the first write the descriptor refuses (EAGAIN), keeping the order', () => {
    const { fd } = tempFd();
    const direct: string[] = [];
    const streamed: string[] = [];
    let calls = 0;
    // Takes 3 bytes at a time; the third call finds the (non-blocking) pipe full.
    const write = (_fd: number, bytes: Uint8Array, offset: number, length: number) => {
      if (++calls === 3) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
      const n = Math.min(3, length);
      direct.push(Buffer.from(bytes.subarray(offset, offset + n)).toString());
      return n;
    };
    const stream = { write: (chunk: string | Uint8Array) => streamed.push(Buffer.from(chunk).toString()) };
    const out = fdOutput(fd, () => stream, write);
    out.write('abcdefghij');
    out.write('next');
    expect(direct).toEqual(['abc', 'def']);
    expect(streamed).toEqual(['ghij', 'next']);
    expect(calls).toBe(3);
  });

  it('ends the run as SIGPIPE would when the reader went away (EPIPE, or ECONNRESET from a socket)', () => {
    const { fd } = tempFd();
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    try {
      for (const code of ['EPIPE', 'ECONNRESET']) {
        const write = () => {
          throw Object.assign(new Error(`${code}: write`), { code });
        };
        expect(() => fdOutput(fd, () => ({ write: () => true }), write).write('x')).toThrow('exit 141');
      }
    } finally {
      exit.mockRestore();
    }
  });

  it('passes other write errors on', () => {
    const { fd } = tempFd();
    const write = () => {
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    };
    const out = fdOutput(fd, () => ({ write: () => true }), write);
    expect(() => out.write('x')).toThrow(/EIO/);
  });

  it('leaves devices (terminals, /dev/null) and closed descriptors to the stream', () => {
    const fd = openSync(os.devNull, 'w');
    cleanups.push(() => closeSync(fd));
    for (const target of [fd, 1_000_000]) {
      const streamed: string[] = [];
      const out = fdOutput(target, () => ({ write: (chunk: string | Uint8Array) => streamed.push(String(chunk)), isTTY: true }));
      out.write('a');
      expect(streamed).toEqual(['a']);
      expect(out.isTTY).toBe(true);
    }
  });
});
