import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Document, Node as YamlNode } from 'yaml';
import { yamlLib } from '../engine/lazy-require.js';
import { ConfigError } from '../engine/errors.js';
import { SourceText } from '../model/source.js';
import { getProperty, nodeAtPath, parseJson, toPlainValue, type JsonValue } from '../parsers/json/index.js';
import type { ConfigSource } from './types.js';
import { importModule } from '../engine/import-module.js';

/** A config value as read from its file, before validation. */
export interface ReadConfig {
  value: unknown;
  source: ConfigSource;
}

/** Config file names netlint looks for, in order of precedence within one folder. */
export const CONFIG_FILE_NAMES = ['netlint.config.yaml', 'netlint.config.yml', 'netlint.config.json', 'netlint.config.mjs'] as const;

/**
 * Reads a config file: YAML (`.yaml`, `.yml`), JSON (`.json`, comments and trailing commas
 * allowed) or a JavaScript module (`.mjs`, `.js`, `.cjs`: its default export). Unreadable or
 * unparsable files raise a located `ConfigError`.
 */
export async function readConfigFile(filePath: string): Promise<ReadConfig> {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.mjs' || ext === '.js' || ext === '.cjs') return { value: await importDefault(filePath, 'config'), source: moduleSource(filePath) };
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, filePath);
  }
  return ext === '.json' ? readJsonConfig(text, filePath) : readYamlConfig(text, filePath);
}

/** Parses YAML config text. */
export function readYamlConfig(text: string, filePath: string): ReadConfig {
  const sourceText = new SourceText(text);
  const doc = yamlLib().parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const { line, column } = sourceText.positionAt(error.pos[0]);
    throw new ConfigError(`Invalid YAML: ${error.message.replace(/\s+$/, '')}.`.replace(/\.\.$/, '.'), filePath, line, column);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigError(`Invalid YAML: ${(err as Error).message}.`, filePath, 1, 1);
  }
  return {
    value: value ?? {},
    source: {
      filePath,
      locate: (p, target) => {
        const offset = yamlOffset(doc, p, target ?? 'value');
        return offset === undefined ? { line: 1, column: 1 } : sourceText.positionAt(offset);
      },
    },
  };
}

/** Parses JSON (JSONC) config text. */
export function readJsonConfig(text: string, filePath: string): ReadConfig {
  const sourceText = new SourceText(text);
  const parsed = parseJson(text, { allowComments: true, allowTrailingCommas: true });
  const fatal = parsed.problems.find((p) => !p.recoverable);
  if (fatal || !parsed.root) {
    const range = fatal?.range ?? [0, 0];
    const { line, column } = sourceText.positionAt(range[0]);
    throw new ConfigError(`${fatal?.message ?? 'Invalid JSON: the file has no JSON value'}.`, filePath, line, column);
  }
  const root = parsed.root;
  return {
    value: toPlainValue(root),
    source: {
      filePath,
      locate: (p, target) => sourceText.positionAt(jsonOffset(root, p, target ?? 'value')),
    },
  };
}

/** A source without positions: a JavaScript module, or an object from one. */
export function moduleSource(filePath: string, label?: string): ConfigSource {
  return { filePath, ...(label ? { label } : {}), locate: () => undefined };
}

/** A `ConfigError` at the value (or key) at `p` of a config. */
export function configError(source: ConfigSource, p: readonly (string | number)[], message: string, target: 'key' | 'value' = 'value'): ConfigError {
  const at = source.locate(p, target);
  const text = source.label ? `${source.label}: ${message}` : message;
  return new ConfigError(text, source.filePath, at?.line, at?.column);
}

/** Imports a module and returns its default export (or the module namespace without one). */
export async function importDefault(filePath: string, what: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(pathToFileURL(filePath).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`Cannot load the ${what} module: ${firstLine(err)}`, filePath);
  }
  if ('default' in mod) return mod.default;
  return { ...mod };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split('\n', 1)[0].trim();
  return /[.!?]$/.test(line) ? line : `${line}.`;
}

function yamlOffset(doc: Document, p: readonly (string | number)[], target: 'key' | 'value'): number | undefined {
  const { isAlias, isMap, isPair, isSeq } = yamlLib();
  let node: unknown = doc.contents;
  let keyNode: YamlNode | undefined;
  let best: number | undefined = rangeStart(node);
  for (let i = 0; i < p.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = p[i];
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(seg));
      if (!pair) return best;
      keyNode = pair.key as YamlNode;
      node = pair.value;
      // `key:` without a value: point at the key.
      best = rangeStart(node) ?? rangeStart(keyNode) ?? best;
      if (i === p.length - 1 && target === 'key') return rangeStart(keyNode) ?? best;
    } else if (isSeq(node)) {
      const index = typeof seg === 'number' ? seg : Number(seg);
      node = node.items[index];
      if (node === undefined) return best;
      best = rangeStart(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function keyText(key: unknown): string | undefined {
  if (yamlLib().isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function jsonOffset(root: JsonValue, p: readonly (string | number)[], target: 'key' | 'value'): number {
  for (let depth = p.length; depth >= 0; depth--) {
    const node = nodeAtPath(root, p.slice(0, depth));
    if (!node) {
      // An unknown key's value may be absent from the plain value path; try the key itself.
      if (depth === p.length && depth > 0) {
        const parent = nodeAtPath(root, p.slice(0, depth - 1));
        const prop = parent?.type === 'JsonObject' ? getProperty(parent, String(p[depth - 1])) : undefined;
        if (prop) return prop.keyRange[0];
      }
      continue;
    }
    if (depth === p.length && target === 'key' && node.property) return node.property.keyRange[0];
    return node.range[0];
  }
  return 0;
}
