import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Replaces a file's content atomically: writes a temporary file in the same directory (so the
 * rename cannot cross file systems), fsyncs it, gives it the original's mode, and renames it
 * over the original. A crash leaves either the old or the new file, never half of one.
 */
export async function writeFileAtomic(filePath: string, text: string): Promise<void> {
  const dir = path.dirname(filePath);
  const tmp = path.join(dir, `.${path.basename(filePath)}.netlint-${process.pid}-${Date.now()}.tmp`);
  let mode: number | undefined;
  try {
    mode = (await fs.stat(filePath)).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const handle = await fs.open(tmp, 'wx', mode ?? 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (mode !== undefined) await fs.chmod(tmp, mode);
    await fs.rename(tmp, filePath);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  // Persist the rename itself.
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some file systems do not allow fsync on a directory; the rename is still atomic.
  }
}
