import type { ErrorObject } from 'ajv';
import type { Range } from '../../model/source.js';
import { getProperty, nodeAtPath, type JsonNode, type JsonPath, type JsonValue } from './tree.js';

/** Splits an ajv `instancePath` (a JSON Pointer, `/plugins/0/type`) into segments. */
export function parseInstancePath(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Where a schema error should be shown. */
export interface JsonErrorLocation {
  /** The most precise real node: the offending key's property, or the failing value. */
  node: JsonNode;
  /**
   * The range to report: the key for unknown keys, the value otherwise; for a missing key, the
   * key of the property holding the object, or the object's `{` when it has none.
   */
  range: Range;
  /** JSON path of the offending value (or key). */
  path: JsonPath;
}

/**
 * The most precise node for an ajv error: the offending key for `additionalProperties`,
 * `unevaluatedProperties` and `propertyNames`; the object (shown at its key or `{`) for
 * `required` and `dependentRequired`; the value at `instancePath` otherwise. Falls back to the
 * closest existing ancestor, then the root; undefined only without a root.
 */
export function locateSchemaError(
  root: JsonValue | undefined,
  error: Pick<ErrorObject, 'instancePath' | 'keyword' | 'params'>,
): JsonErrorLocation | undefined {
  if (!root) return undefined;
  const segments = parseInstancePath(error.instancePath);
  let node: JsonValue | undefined;
  let depth = segments.length;
  for (; depth >= 0; depth--) {
    node = nodeAtPath(root, segments.slice(0, depth));
    if (node) break;
  }
  if (!node) return undefined;
  const params = error.params as Record<string, unknown>;
  const offendingKey =
    error.keyword === 'additionalProperties'
      ? params.additionalProperty
      : error.keyword === 'unevaluatedProperties'
        ? params.unevaluatedProperty
        : error.keyword === 'propertyNames'
          ? params.propertyName
          : undefined;
  if (typeof offendingKey === 'string' && node.type === 'JsonObject' && depth === segments.length) {
    const prop = getProperty(node, offendingKey);
    if (prop) return { node: prop, range: prop.keyRange, path: prop.path };
  }
  if ((error.keyword === 'required' || error.keyword === 'dependentRequired') && node.type === 'JsonObject') {
    const range: Range = node.property ? node.property.keyRange : [node.range[0], node.range[0] + 1];
    return { node, range, path: node.path };
  }
  return { node, range: node.range, path: node.path };
}
