import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintFiles } from '../../src/engine/lint-files.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lintFiles reads files of any size as UTF-8 text', () => {
  const line = (i: number) => `net.ipv4.conf.eth${i}.rp_filter = 1\n`;
  const ascii = (bytes: number) => {
    let text = '';
    for (let i = 0; text.length < bytes; i++) text += line(i);
    return text.slice(0, bytes - 1) + '\n';
  };
  const cases: Record<string, string> = {
    'empty.conf': '',
    'small.conf': ascii(100),
    // Around the 64 KiB read buffer: one byte less, exactly, one more, and far more.
    'below.conf': ascii(64 * 1024 - 1),
    'exact.conf': ascii(64 * 1024),
    'above.conf': ascii(64 * 1024 + 1),
    'large.conf': ascii(1024 * 1024 + 17),
    // Multi-byte characters across the buffer's end.
    'utf8.conf': ascii(64 * 1024 - 3) + '# é€😀 done\n' + ascii(5000),
  };

  it('gives each file its whole text', async () => {
    for (const [name, text] of Object.entries(cases)) writeFileSync(path.join(tmp, name), text);
    const { results } = await lintFiles([tmp], { kind: 'sysctl' });
    expect(results.map((r) => path.basename(r.filePath)).sort()).toEqual(Object.keys(cases).sort());
    for (const r of results) {
      expect(r.text.length, r.filePath).toBe(cases[path.basename(r.filePath)].length);
      expect(r.text === readFileSync(r.filePath, 'utf8'), r.filePath).toBe(true);
    }
  });
});
