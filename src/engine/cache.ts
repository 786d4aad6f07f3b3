import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fixes/write-atomic.js';
import type { InputKind } from '../model/document.js';
import type { Finding } from '../model/finding.js';
import type { ResolvedConfig } from './types.js';
import { cryptoLib } from './lazy-require.js';

/** `.netlintcache` in the working directory, as ESLint's `.eslintcache`. */
export const DEFAULT_CACHE_FILE = '.netlintcache';

const FORMAT = 1;

/** What the cache keeps of a file's result; the text is read again from disk. */
export interface CachedResult {
  kind?: InputKind;
  findings: Finding[];
}

interface CacheEntry extends CachedResult {
  key: string;
}

interface CacheFile {
  format: typeof FORMAT;
  netlint: string;
  entries: Record<string, CacheEntry>;
}

/** A short content hash (SHA-1, hex): cheap, and only compared with itself. */
export function hashText(text: string): string {
  return cryptoLib().createHash('sha1').update(text).digest('hex');
}

/**
 * `--cache-location`: a file, or a folder (an existing directory, or a path ending in a
 * separator) in which the file is named after the working directory, as ESLint does.
 */
export function cacheFilePath(location: string | undefined, cwd: string): string {
  const raw = location ?? DEFAULT_CACHE_FILE;
  const abs = path.resolve(cwd, raw);
  let isDir = /[\\/]$/.test(raw);
  if (!isDir) {
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      isDir = false;
    }
  }
  return isDir ? path.join(abs, `.netlintcache_${hashText(cwd).slice(0, 12)}`) : abs;
}

/**
 * The content cache of `--cache`: per file, the findings of its last lint under a key (see
 * {@link LintCache.key}). A file whose key is unchanged is not linted again. A missing,
 * unreadable, corrupt or foreign cache file is an empty cache; it is written atomically.
 */
export class LintCache {
  private entries: Record<string, CacheEntry> = {};
  private readonly seen = new Set<string>();
  private dirty = false;
  private readonly configHashes = new Map<string, string>();
  private readonly fileHashes = new Map<string, string>();
  /** Files of this run whose findings came from the cache, and those linted (and stored). */
  readonly stats = { reused: [] as string[], linted: [] as string[] };

  private constructor(
    readonly filePath: string,
    private readonly version: string,
  ) {}

  /** Loads the cache file (or starts empty). `version` is netlint's: another version's cache is dropped. */
  static load(filePath: string, version: string): LintCache {
    const cache = new LintCache(filePath, version);
    try {
      const data = JSON.parse(readFileSync(filePath, 'utf8')) as Partial<CacheFile>;
      if (data && data.format === FORMAT && data.netlint === version && data.entries && typeof data.entries === 'object' && !Array.isArray(data.entries)) {
        for (const [file, entry] of Object.entries(data.entries)) {
          if (entry && typeof entry.key === 'string' && Array.isArray(entry.findings)) cache.entries[file] = entry;
        }
      }
    } catch {
      // No cache yet, or not one we can read: start empty, and overwrite it on save.
    }
    return cache;
  }

  /** Number of files with a cached result. */
  get size(): number {
    return Object.keys(this.entries).length;
  }

  /**
   * The cache key of a file: netlint's version, the file's content, the config in force for it
   * (`configs`: one per input kind its documents may have), the run options that change
   * findings, and the contents of the other files of its scope (rules combine evidence across
   * a scope, so a file's findings depend on its siblings).
   */
  key(parts: { contentHash: string; configs: ResolvedConfig[]; scopeHash: string; options: string; externalFiles?: readonly string[] }): string {
    const h = cryptoLib().createHash('sha1');
    h.update(`${this.version}\0${parts.options}\0${parts.contentHash}\0${parts.scopeHash}\0`);
    for (const c of parts.configs) h.update(`${this.configHash(c)}\0`);
    for (const f of parts.externalFiles ?? []) h.update(`${f}\0${this.externalFileHash(f)}\0`);
    return h.digest('hex');
  }

  /** The cached result of a file if its key is `key`. */
  get(filePath: string, key: string): CachedResult | undefined {
    const entry = this.entries[filePath];
    if (!entry || entry.key !== key) return undefined;
    this.seen.add(filePath);
    return { ...(entry.kind ? { kind: entry.kind } : {}), findings: entry.findings };
  }

  set(filePath: string, key: string, result: CachedResult): void {
    this.entries[filePath] = { key, ...(result.kind ? { kind: result.kind } : {}), findings: result.findings };
    this.seen.add(filePath);
    this.stats.linted.push(filePath);
    this.dirty = true;
  }

  /** Writes the cache (atomically) if it changed; entries of files that no longer exist are dropped. */
  async save(): Promise<void> {
    for (const file of Object.keys(this.entries)) {
      if (this.seen.has(file)) continue;
      if (!existsSync(file)) {
        delete this.entries[file];
        this.dirty = true;
      }
    }
    if (!this.dirty && existsSync(this.filePath)) return;
    const data: CacheFile = { format: FORMAT, netlint: this.version, entries: this.entries };
    mkdirSync(path.dirname(this.filePath), { recursive: true });
    await writeFileAtomic(this.filePath, JSON.stringify(data));
    this.dirty = false;
  }

  /** A resolved config as a hash: rules with options, settings, linter options, plugins, policies. */
  private configHash(config: ResolvedConfig): string {
    const text = JSON.stringify([config.rules, config.settings, config.linterOptions ?? null, config.plugins ?? [], config.policies ?? []]);
    let hash = this.configHashes.get(text);
    if (hash === undefined) {
      hash = hashText(text);
      this.configHashes.set(text, hash);
    }
    return hash;
  }

  /** Content hash of a file the findings depend on (a policy, a plugin module); once per run. */
  private externalFileHash(filePath: string): string {
    let hash = this.fileHashes.get(filePath);
    if (hash === undefined) {
      try {
        hash = hashText(readFileSync(filePath, 'utf8'));
      } catch {
        hash = 'missing';
      }
      this.fileHashes.set(filePath, hash);
    }
    return hash;
  }
}
