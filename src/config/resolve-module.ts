import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** True for `./x`, `../x` and absolute paths: local modules, not package names. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || path.isAbsolute(specifier);
}

/**
 * The file a module specifier names, seen from `fromDir`: a local path (file, or folder with a
 * package.json or an index file) or an npm package, found with Node's resolution from that
 * folder (`createRequire`); ESM-only packages whose `exports` only have an `import` condition
 * are resolved through their package.json. Undefined when nothing is found.
 */
export function resolveModule(specifier: string, fromDir: string): string | undefined {
  if (isPathSpecifier(specifier)) return resolveLocal(path.resolve(fromDir, specifier));
  const require = createRequire(path.join(fromDir, 'noop.js'));
  try {
    return require.resolve(specifier);
  } catch {
    // Fall through: ESM-only exports, or not installed.
  }
  const { name, subpath } = splitPackage(specifier);
  for (const dir of require.resolve.paths(specifier) ?? []) {
    const pkgDir = path.join(dir, name);
    if (!existsSync(path.join(pkgDir, 'package.json'))) continue;
    if (subpath) return resolveLocal(path.join(pkgDir, subpath));
    return resolveLocal(pkgDir);
  }
  return undefined;
}

/** The package name part of a specifier: `@scope/pkg` or `pkg`. */
export function splitPackage(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  return { name: parts.slice(0, n).join('/'), subpath: parts.slice(n).join('/') };
}

function resolveLocal(p: string): string | undefined {
  if (isFile(p)) return p;
  for (const ext of ['.mjs', '.js', '.cjs', '.json', '.yaml', '.yml']) if (isFile(p + ext)) return p + ext;
  if (!isDirectory(p)) return undefined;
  const pkgFile = path.join(p, 'package.json');
  if (isFile(pkgFile)) {
    let pkg: { exports?: unknown; main?: unknown; module?: unknown };
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    } catch {
      pkg = {};
    }
    const entry = exportTarget(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : undefined);
    if (entry) {
      const resolved = resolveLocal(path.resolve(p, entry));
      if (resolved) return resolved;
    }
  }
  for (const index of ['index.mjs', 'index.js', 'index.cjs', 'index.json']) if (isFile(path.join(p, index))) return path.join(p, index);
  return undefined;
}

/** The `.` entry of a package's `exports`, preferring `import`, then `node`, then `default`. */
function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (Array.isArray(exports)) {
    for (const e of exports) {
      const t = exportTarget(e);
      if (t) return t;
    }
    return undefined;
  }
  if (!exports || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return exportTarget(map['.']);
  for (const condition of ['import', 'node', 'default', 'require']) {
    if (condition in map) {
      const t = exportTarget(map[condition]);
      if (t) return t;
    }
  }
  return undefined;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
