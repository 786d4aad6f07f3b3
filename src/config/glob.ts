import { promises as fs } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

/** Folders a glob expansion never enters. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

/** A path as globs see it: relative, with `/` separators. */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Expands one glob (or plain path) relative to `baseDir` into absolute file paths, sorted.
 * Returns an empty list when nothing matches.
 */
export async function expandGlob(pattern: string, baseDir: string): Promise<string[]> {
  const posix = toPosix(pattern);
  const scan = picomatch.scan(posix);
  if (!scan.isGlob) {
    const abs = path.resolve(baseDir, pattern);
    try {
      const stat = await fs.stat(abs);
      if (stat.isFile()) return [abs];
      if (stat.isDirectory()) return (await collect(abs)).sort();
    } catch {
      // Not found.
    }
    return [];
  }
  const root = path.resolve(baseDir, scan.base || '.');
  const matcher = picomatch(scan.glob, { dot: false });
  const out: string[] = [];
  for (const file of await collect(root)) if (matcher(toPosix(path.relative(root, file)))) out.push(file);
  return out.sort();
}

async function collect(dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) await collect(abs, out);
    } else if (e.isFile()) {
      out.push(abs);
    }
  }
  return out;
}

/**
 * A matcher of paths against globs written relative to `baseDir`. A path outside `baseDir`
 * never matches. With `directories`, a glob naming a folder (`vendor`, `vendor/`) also matches
 * everything below it, as in .gitignore.
 */
export function globMatcher(patterns: readonly string[], baseDir: string, options: { directories?: boolean } = {}): (filePath: string) => boolean {
  if (patterns.length === 0) return () => false;
  const normalized = patterns.map((p) => toPosix(p).replace(/^\.\//, ''));
  const match = picomatch(
    normalized.map((p) => p.replace(/\/+$/, '')),
    { dot: true },
  );
  return (filePath: string) => {
    const rel = toPosix(path.relative(baseDir, filePath));
    if (rel === '' || rel.startsWith('../') || rel === '..' || path.isAbsolute(rel)) return false;
    if (match(rel)) return true;
    if (!options.directories) return false;
    // Any folder on the way down: `vendor` ignores `vendor/a/b.rules`.
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) if (match(parts.slice(0, i).join('/'))) return true;
    return false;
  };
}
