#!/usr/bin/env node
// Bundles the command line for start-up speed (run by `npm run build`, after tsc):
//
//   dist/cli/netlint.cjs  dist/src/cli/main.js and everything it imports, as one CommonJS script,
//                         written inside Node's module wrapper (a function expression)
//   dist/cli/main.cjs     the `netlint` bin (src/cli/bin.ts): runs netlint.cjs with V8's code cache.
//                         CommonJS too: Node starts a CommonJS entry without its ES module loader
//                         (which resolves, links and wraps every built-in the entry imports).
//
// Node resolves, reads and compiles each ES module on its own, and Node 20 has no compile cache:
// about 140 modules were half of a one-file run (pre-commit runs netlint on every commit). One
// script compiled once and then loaded from V8's code cache starts in a fraction of that.
// What used to load on demand (formatters, --fix, policies, init...) is in the same script but
// stays uncompiled until it runs: V8 compiles functions lazily.
//
// `jsonc-parser` (its ES module build) and `picomatch`, which every run uses, are bundled. `yaml`
// and `ajv` stay outside: they are loaded only when a run needs them
// (src/engine/lazy-require.ts), and ajv's standalone validators require its runtime by name.
// The library (`netlint`, `netlint/testing`) is not bundled: it is dist/src/, as tsc wrote it.
//
// Usage: node scripts/bundle.mjs

import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'cli');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Minified code is slower to start here (V8 compiles it eagerly).
  minify: false,
  sourcemap: false,
  logLevel: 'warning',
};

rmSync(OUT, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(ROOT, 'dist', 'src', 'cli', 'main.js')],
  outfile: join(OUT, 'netlint.cjs'),
  format: 'cjs',
  external: ['yaml', 'ajv', 'ajv/*'],
  mainFields: ['module', 'main'],
  // The modules find files beside themselves (package.json, rules' READMEs) and create `require`s
  // from import.meta.url: in the script it is the script's own URL.
  define: { 'import.meta.url': '__netlint_import_meta_url' },
  // "use strict" first: the modules are ES modules, strict code, and a directive after the
  // banner's statement would be none.
  banner: { js: '"use strict";\nconst __netlint_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
});
// The script as main.cjs compiles it (with V8's code cache): Node's CommonJS wrapper around the
// code, in the file itself. A wrapper added at run time made the 1.6 MB source a concatenation that
// V8 copied into one string before it could look the script up (a few milliseconds of every
// start). The wrapper takes the shebang's place, so line numbers stay those of the code. ASCII only
// (esbuild escapes strings, not comments): main.cjs reads it without decoding UTF-8 and V8 keeps
// it one byte per character.
const out = join(OUT, 'netlint.cjs');
const code = readFileSync(out, 'latin1');
const nonAscii = code.search(/[^\x00-\x7f]/);
if (nonAscii >= 0) {
  const line = code.slice(0, nonAscii).split('\n').length;
  throw new Error(`dist/cli/netlint.cjs line ${line} has a non-ASCII character (in a comment?): write the source's text in ASCII.`);
}
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
writeFileSync(out, `${code.startsWith('#!') ? code.replace(/^#!.*/, WRAPPER) : WRAPPER + code}\n})\n`, 'latin1');
const bundled = readFileSync(out);
const hash = createHash('sha256').update(bundled).digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: [join(ROOT, 'dist', 'src', 'cli', 'bin.js')],
  outfile: join(OUT, 'main.cjs'),
  format: 'cjs',
  // import() stays import(): plugins, formatters and config files are ES modules.
  supported: { 'dynamic-import': true },
  // Names the cache file: a new build never reads an old build's cache.
  define: { __NETLINT_BUNDLE_HASH__: JSON.stringify(hash), 'import.meta.url': '__netlint_import_meta_url' },
  // "use strict" first: the modules are ES modules, strict code, and a directive after the
  // banner's statement would be none.
  banner: { js: '"use strict";\nconst __netlint_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  // ./main.js (the unbundled fallback) is never imported here: netlint.cjs is beside it.
  external: ['./main.js'],
});
console.log(`bundled the CLI into dist/cli/ (netlint.cjs ${(bundled.length / 1024).toFixed(0)} KiB, ${hash})`);
