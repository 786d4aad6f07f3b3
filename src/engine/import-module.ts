/**
 * The key of the function that the installed bin (src/cli/bin.ts) lends to the bundled CLI for
 * `import()`: the bundle runs as a script compiled from V8's code cache, and on Node.js 20 such a
 * script cannot import modules itself.
 */
export const IMPORT_HOOK = Symbol.for('netlint.importModule');

type Importer = (url: string) => Promise<unknown>;

/** Imports an ES module or CommonJS file by its `file:` URL (configs, plugins, formatters). */
export function importModule(url: string): Promise<unknown> {
  const hook = (globalThis as { [IMPORT_HOOK]?: Importer })[IMPORT_HOOK];
  return hook ? hook(url) : import(url);
}
