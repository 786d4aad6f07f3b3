import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository's root folder. */
export const root = path.resolve(__dirname, '../..');

/**
 * The `netlint` command as npm installs it: package.json's `bin` (the bundled CLI that
 * `npm run build` writes; `npm test` builds first).
 */
export const bin = path.join(root, (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: { netlint: string } }).bin.netlint);
