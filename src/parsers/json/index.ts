/**
 * A generic JSON/JSONC value tree with exact ranges, built from jsonc-parser, shared by the CNI,
 * Docker, Kubernetes (JSON manifests) and Mesos parsers.
 */
export {
  JSON_NODE_TYPES,
  asBoolean,
  asObject,
  asNumber,
  asString,
  formatPath,
  getArray,
  getObject,
  getProperty,
  getValue,
  nodeAtPath,
  toPlainValue,
  walkJson,
} from './tree.js';
export type {
  JsonArray,
  JsonLiteral,
  JsonLiteralType,
  JsonNode,
  JsonObject,
  JsonPath,
  JsonProperty,
  JsonValue,
} from './tree.js';
export { jsonParseErrorFinding, parseJson } from './parse.js';
export type {
  JsonParseOptions,
  JsonParseResult,
  JsonPlaceholder,
  JsonProblem,
  JsonProblemCode,
  JsonReaderInfo,
} from './parse.js';
export { locateSchemaError, parseInstancePath } from './locate.js';
export type { JsonErrorLocation } from './locate.js';
export { readSetting, settingOf } from './tree.js';
export type { JsonSetting, SettingKind } from './tree.js';
export {
  SCHEMA_ANNOTATIONS,
  SCHEMA_IDS,
  expectedOf,
  schemaDocument,
  schemaErrors,
  schemaValidator,
  suggestKey,
  validateWithSchema,
} from './schema.js';
export type { SchemaError, SchemaId, SchemaIssue } from './schema.js';
