import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { UsageError } from './errors.js';

/** Folders a directory walk never enters. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

/** A file to lint, and whether the user named it (then an unknown kind is a finding). */
export interface DiscoveredFile {
  filePath: string;
  explicit: boolean;
}

export interface DiscoverOptions {
  cwd: string;
  /** Globs (relative to cwd) of files and folders not to lint. */
  ignores?: string[];
}

const isGlob = (p: string) => /[*?[\]{}]/.test(p);

/**
 * Expands files, directories and globs into files, sorted, without duplicates. Directories are
 * walked recursively, skipping `node_modules` and VCS folders. A path that matches nothing is a
 * usage error, as in ESLint.
 */
export async function discoverFiles(patterns: string[], options: DiscoverOptions): Promise<DiscoveredFile[]> {
  const { cwd } = options;
  const ignored = options.ignores?.length ? picomatch(options.ignores, { dot: true }) : undefined;
  const isIgnored = (abs: string) => {
    if (!ignored) return false;
    const rel = path.relative(cwd, abs).split(path.sep).join('/');
    return rel !== '' && (ignored(rel) || ignored(`${rel}/`));
  };
  const found = new Map<string, DiscoveredFile>();
  const add = (filePath: string, explicit: boolean) => {
    const prev = found.get(filePath);
    if (!prev || (explicit && !prev.explicit)) found.set(filePath, { filePath, explicit });
  };

  for (const pattern of patterns) {
    if (isGlob(pattern)) {
      const { base, glob } = picomatch.scan(pattern.split(path.sep).join('/'));
      const root = path.resolve(cwd, base || '.');
      const matcher = picomatch(glob, { dot: false });
      let matched = 0;
      for (const file of walk(root, isIgnored)) {
        const rel = path.relative(root, file).split(path.sep).join('/');
        if (matcher(rel)) {
          add(file, true);
          matched++;
        }
      }
      if (matched === 0) throw new UsageError(`No files matching the pattern "${pattern}" were found.`);
      continue;
    }
    const abs = path.resolve(cwd, pattern);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      throw new UsageError(`No such file or directory: "${pattern}".`);
    }
    if (stat.isDirectory()) {
      for (const file of walk(abs, isIgnored)) add(file, false);
    } else if (!isIgnored(abs)) {
      add(abs, true);
    }
  }
  return [...found.values()].sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
}

/** Files under `dir`, in name order. Synchronous: nothing else runs meanwhile, and a promise per entry cost more than the walk. */
function* walk(dir: string, isIgnored: (abs: string) => boolean): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  // `dir` is normalized and an entry's name is one segment: path.join would normalize the whole
  // path again for every file.
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const e of entries) {
    const abs = prefix + e.name;
    if (isIgnored(abs)) continue;
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) yield* walk(abs, isIgnored);
    } else if (e.isFile()) {
      yield abs;
    }
  }
}
