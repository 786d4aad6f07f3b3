/**
 * A value derived from an object, worked out once and kept on the object itself, under `slot` (a
 * non-enumerable symbol-keyed property: invisible to `Object.keys`, spreads and JSON).
 *
 * For caches of short-lived objects (documents, trees, texts) whose values reference young
 * objects, in place of a `WeakMap`: Node 20's V8 holds the values of a WeakMap (which lives in
 * the old generation) strongly in young-generation collections (keys stay weak), so every cached
 * value, with everything it references, survives into the old generation and waits for a full
 * collection. Facts cached by document that way kept the tree of every file of a run alive: a
 * fifth of what the lint loop allocated survived its young collections instead of 1%. A property
 * dies with its object. (A WeakMap whose values are old already, such as file texts, is fine.)
 *
 * Objects that cannot take a property (frozen, sealed, non-extensible) fall back to a WeakMap.
 */
export function memo<T>(object: object, slot: symbol, compute: () => T): T {
  if (Object.hasOwn(object, slot)) return (object as Record<symbol, T>)[slot];
  const fallback = fallbacks.get(slot);
  if (fallback?.has(object)) return fallback.get(object) as T;
  const value = compute();
  if (Object.isExtensible(object)) {
    Object.defineProperty(object, slot, { value, writable: true, configurable: true });
  } else if (fallback) {
    fallback.set(object, value);
  } else {
    fallbacks.set(slot, new WeakMap([[object, value]]));
  }
  return value;
}

/** Memos of objects that cannot take a property, by slot. */
const fallbacks = new Map<symbol, WeakMap<object, unknown>>();
