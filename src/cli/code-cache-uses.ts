/**
 * What a `netlint lint` run used (the kinds of input it read, its output formats), for the compile
 * cache of the bin (src/cli/bin.ts): a run that used something the cache was not made with writes
 * the cache again, so that the code it needed is in it next time. Other commands (`--version`,
 * `explain`, `init`...) note nothing: they run once in a while, and each use the cache covers makes
 * it larger, and every start that reads it slower. Outside the bin (the library, tests) nobody
 * listens and this does nothing.
 */
export function noteCodeCacheUses(kind: 'input' | 'format', names: Iterable<string | undefined>): void {
  const uses = (globalThis as Record<symbol, unknown>)[Symbol.for('netlint.codeCacheUses')];
  if (!(uses instanceof Set)) return;
  for (const name of names) if (name !== undefined) uses.add(`${kind}:${name}`);
}
