import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder of netlint's package.json, from source (`src/`) or build (`dist/src/`). */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'netlint') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('netlint: cannot find its package.json');
    dir = up;
  }
}

/** netlint's version, from package.json. */
export function netlintVersion(): string {
  return JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}

/** The README of a built-in rule, or `undefined`. */
export function ruleReadme(ruleId: string): string | undefined {
  const file = path.join(packageRoot(), 'rules', ruleId, 'README.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
