/**
 * A value derived from an object, worked out once and kept on the object itself, under `slot` (a
 * non-enumerable symbol-keyed property: invisible to `Object.keys`, spreads and JSON).
 *
 * For caches keyed by short-lived objects (documents, trees, texts), in place of a `WeakMap`:
 * Node 20's V8 treats the entries of a WeakMap (which lives in the old generation) as live in
 * young-generation collections, so every cached value, with everything it references, survives
 * into the old generation and waits for a full collection. Facts cached by document that way kept
 * the tree of every file of a run alive: a fifth of what the lint loop allocated survived its
 * young collections instead of 1%. A property dies with its object.
 *
 * Objects that cannot take a property (frozen, sealed, non-extensible) fall back to a WeakMap.
 */
export function memo<T>(object: object, slot: symbol, compute: () => T): T {
  if (Object.hasOwn(object, slot)) return (object as Record<symbol, T>)[slot];
  const fallback = fallbacks.get(slot);
  if (fallback?.has(object)) return fallback.get(object) as T;
  const value = compute();
  remember(object, slot, value);
  return value;
}

/** Stores `value` as `object`'s memo under `slot` (see `memo`). */
export function remember<T>(object: object, slot: symbol, value: T): void {
  if (Object.hasOwn(object, slot)) {
    (object as Record<symbol, T>)[slot] = value;
  } else if (Object.isExtensible(object)) {
    Object.defineProperty(object, slot, { value, writable: true, configurable: true });
  } else {
    let map = fallbacks.get(slot);
    if (!map) fallbacks.set(slot, (map = new WeakMap()));
    map.set(object, value);
  }
}

/** `object`'s memo under `slot`, if it has one. */
export function recall<T>(object: object, slot: symbol): T | undefined {
  if (Object.hasOwn(object, slot)) return (object as Record<symbol, T>)[slot];
  return fallbacks.get(slot)?.get(object) as T | undefined;
}

/** Memos of objects that cannot take a property, by slot. */
const fallbacks = new Map<symbol, WeakMap<object, unknown>>();
