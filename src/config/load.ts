import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { isPresetName, PRESET_NAMES, presetRules } from '../engine/presets.js';
import type { RuleRegistry } from '../engine/registry.js';
import type { RuleEntry, Settings } from '../engine/types.js';
import type { InputKind } from '../model/document.js';
import { checkRules, checkSettings } from './check.js';
import { expandGlob, globMatcher } from './glob.js';
import { pluginName, type LoadedPlugin, type PluginLoader } from './plugins.js';
import { isPathSpecifier, resolveModule, splitPackage } from './resolve-module.js';
import { configError, importDefault, moduleSource, readConfigFile } from './source.js';
import { closestId } from './suggest.js';
import type { Config, ConfigSource, LinterOptions } from './types.js';
import { configShapeProblems, type ConfigPath } from './validate.js';

/** One layer of a config: the base of a config object, or one of its overrides. */
export interface ConfigElement {
  /** For overrides: does the file match `files` (minus `excludedFiles`)? Absent: any file. */
  files?: (filePath: string) => boolean;
  /** For overrides: the input kinds it applies to. Absent: any kind. */
  kinds?: readonly InputKind[];
  rules?: Record<string, RuleEntry>;
  settings?: Settings;
  linterOptions?: LinterOptions;
}

/** A config file with everything it extends, flattened into layers applied in order. */
export interface LoadedConfig {
  /** The config file (the nearest one, or `--config`). */
  filePath: string;
  /** The config files read: this one, then those it extends, in load order. */
  configFiles: string[];
  elements: ConfigElement[];
  /** True for files (and files below folders) that `ignores` excludes. */
  isIgnored(filePath: string): boolean;
  plugins: LoadedPlugin[];
  /** Policy files from `policies` and plugins: absolute, sorted, unique. */
  policies: string[];
}

/** What loading needs: the built-in rules (for presets) and the run's plugin loader. */
export interface LoadContext {
  builtin: RuleRegistry;
  plugins: PluginLoader;
}

interface Collected {
  elements: (ConfigElement & { source: ConfigSource; at: ConfigPath })[];
  ignores: ((filePath: string) => boolean)[];
  plugins: Map<string, LoadedPlugin>;
  policies: string[];
  configFiles: string[];
}

/** Loads a config file and everything it extends; validates it all. Throws a located `ConfigError`. */
export async function loadConfigFile(filePath: string, ctx: LoadContext): Promise<LoadedConfig> {
  const { value, source } = await readConfigFile(filePath);
  return loadConfigValue(value, source, path.dirname(filePath), ctx);
}

/**
 * Loads a config object (as read from `source`) whose globs are relative to `baseDir`, with
 * everything it extends.
 */
export async function loadConfigValue(value: unknown, source: ConfigSource, baseDir: string, ctx: LoadContext): Promise<LoadedConfig> {
  const out: Collected = { elements: [], ignores: [], plugins: new Map(), policies: [], configFiles: [source.filePath] };
  await collect(value, source, baseDir, path.dirname(source.filePath), ctx, out, [source.filePath]);

  const pluginNames = new Set(out.plugins.keys());
  const registry = ctx.plugins.registry;
  for (const el of out.elements) {
    checkRules(el.rules, registry, pluginNames, el.source, el.at);
    checkSettings(el.settings, el.source, el.at);
  }
  const ignores = out.ignores;
  return {
    filePath: source.filePath,
    configFiles: [...new Set(out.configFiles)],
    elements: out.elements.map(({ source: _s, at: _a, ...el }) => el),
    isIgnored: (file) => ignores.some((m) => m(file)),
    plugins: [...out.plugins.values()],
    policies: [...new Set(out.policies)].sort(),
  };
}

async function collect(
  value: unknown,
  source: ConfigSource,
  baseDir: string,
  resolveDir: string,
  ctx: LoadContext,
  out: Collected,
  stack: string[],
): Promise<void> {
  const problems = configShapeProblems(value);
  if (problems.length) throw firstError(problems.map((p) => configError(source, p.path, p.message, p.target)));
  const config = value as Config;

  // Plugins first, so `plugin:<name>/...` in extends finds them.
  for (const [i, spec] of (config.plugins ?? []).entries()) {
    const plugin = await ctx.plugins.load(spec, resolveDir, { source, path: ['plugins', i] });
    out.plugins.set(plugin.name, plugin);
    out.policies.push(...plugin.policies);
  }

  const extendsList = config.extends === undefined ? [] : Array.isArray(config.extends) ? config.extends : [config.extends];
  for (const [i, name] of extendsList.entries()) {
    const at: ConfigPath = Array.isArray(config.extends) ? ['extends', i] : ['extends'];
    await extend(name, at, source, baseDir, resolveDir, ctx, out, stack);
  }

  out.elements.push({ rules: normalizeRules(config.rules), settings: config.settings, linterOptions: config.linterOptions, source, at: [] });
  for (const [i, o] of (config.overrides ?? []).entries()) {
    const files = o.files === undefined ? undefined : Array.isArray(o.files) ? o.files : [o.files];
    const excluded = o.excludedFiles === undefined ? [] : Array.isArray(o.excludedFiles) ? o.excludedFiles : [o.excludedFiles];
    const include = files ? globMatcher(files, baseDir) : undefined;
    const exclude = globMatcher(excluded, baseDir);
    out.elements.push({
      ...(include ? { files: (f: string) => include(f) && !exclude(f) } : excluded.length ? { files: (f: string) => !exclude(f) } : {}),
      ...(o.kinds ? { kinds: o.kinds } : {}),
      rules: normalizeRules(o.rules),
      settings: o.settings,
      linterOptions: o.linterOptions,
      source,
      at: ['overrides', i],
    });
  }
  if (config.ignores?.length) out.ignores.push(globMatcher(config.ignores, baseDir, { directories: true }));
  for (const [i, pattern] of (config.policies ?? []).entries()) {
    const files = await expandGlob(pattern, baseDir);
    if (files.length === 0) throw configError(source, ['policies', i], `No policy files match "${pattern}" (relative to ${baseDir}).`);
    out.policies.push(...files);
  }
}

async function extend(
  name: string,
  at: ConfigPath,
  source: ConfigSource,
  baseDir: string,
  resolveDir: string,
  ctx: LoadContext,
  out: Collected,
  stack: string[],
): Promise<void> {
  if (name.startsWith('netlint:')) {
    if (!isPresetName(name)) throw configError(source, at, `Unknown preset "${name}"${hint(name, PRESET_NAMES)}; the presets are ${PRESET_NAMES.join(', ')}.`);
    out.elements.push({ rules: presetRules(name, ctx.builtin), source, at });
    return;
  }
  const cycle = (key: string) => {
    if (stack.includes(key)) throw configError(source, at, `Circular extends: ${[...stack, key].join(' -> ')}.`);
  };

  if (name.startsWith('plugin:')) {
    const m = /^plugin:(.+)\/([^/]+)$/.exec(name);
    if (!m) throw configError(source, at, `Invalid extends "${name}": expected "plugin:<plugin>/<config>".`);
    const [, pluginRef, configName] = m;
    let plugin = out.plugins.get(pluginRef) ?? [...out.plugins.values()].find((p) => pluginName(p.specifier) === pluginName(pluginRef));
    if (!plugin) {
      plugin = await ctx.plugins.load(pluginRef, resolveDir, { source, path: at });
      out.plugins.set(plugin.name, plugin);
      out.policies.push(...plugin.policies);
    }
    const config = plugin.configs[configName];
    if (!config) {
      const names = Object.keys(plugin.configs);
      throw configError(source, at, `Plugin "${plugin.name}" has no config "${configName}"${names.length ? `; it has ${names.map((n) => `"${n}"`).join(', ')}` : ''}.`);
    }
    const key = `plugin:${plugin.name}/${configName}`;
    cycle(key);
    const inner = moduleSource(plugin.filePath, `config "${key}" of plugin "${plugin.specifier}"`);
    await collect(config, inner, baseDir, path.dirname(plugin.filePath), ctx, out, [...stack, key]);
    return;
  }

  let file: string | undefined;
  if (isPathSpecifier(name)) {
    file = resolveModule(name, resolveDir);
    if (!file) throw configError(source, at, `Cannot find the config "${name}" to extend (relative to ${resolveDir}).`);
  } else {
    for (const candidate of configPackageCandidates(name)) {
      file = resolveModule(candidate, resolveDir);
      if (file) break;
    }
    if (!file) {
      throw configError(source, at, `Cannot find the shareable config "${name}": it is not installed where ${source.filePath} can see it${hint(name, PRESET_NAMES)}.`);
    }
  }
  cycle(file);
  out.configFiles.push(file);
  // Globs of a config file extended by path are relative to its own folder; those of an npm
  // package (which lives in node_modules) to the folder of the config extending it.
  const innerBase = isPathSpecifier(name) ? path.dirname(file) : baseDir;
  const ext = path.extname(file).toLowerCase();
  let value: unknown;
  let inner: ConfigSource;
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    ({ value, source: inner } = await readConfigFile(file));
  } else {
    value = await importDefault(file, 'config');
    inner = moduleSource(file);
  }
  await collect(value, inner, innerBase, path.dirname(file), ctx, out, [...stack, file]);
}

/** npm names tried for a shareable config: `acme` is `acme`, then `netlint-config-acme`. */
function configPackageCandidates(name: string): string[] {
  const { name: pkg, subpath } = splitPackage(name);
  if (/(?:^|\/)netlint-config(?:-|$)/.test(pkg)) return [name];
  const prefixed = pkg.startsWith('@')
    ? pkg.includes('/')
      ? pkg.replace(/^(@[^/]+)\/(.+)$/, '$1/netlint-config-$2')
      : `${pkg}/netlint-config`
    : `netlint-config-${pkg}`;
  return [name, subpath ? `${prefixed}/${subpath}` : prefixed];
}

/** Severities as names; options kept. */
function normalizeRules(rules: Record<string, RuleEntry> | undefined): Record<string, RuleEntry> | undefined {
  if (!rules) return undefined;
  const out: Record<string, RuleEntry> = {};
  for (const [id, entry] of Object.entries(rules)) {
    if (Array.isArray(entry)) out[id] = entry.length > 1 && entry[1] !== undefined ? [severityName(entry[0]), entry[1]] : [severityName(entry[0])];
    else out[id] = severityName(entry);
  }
  return out;
}

/** `off`, `warn` or `error` for any severity spelling (already validated). */
export function severityName(value: unknown): 'off' | 'warn' | 'error' {
  if (value === 2 || value === 'error') return 'error';
  if (value === 1 || value === 'warn') return 'warn';
  return 'off';
}

function hint(name: string, known: readonly string[]): string {
  const s = closestId(name, known);
  return s ? ` (did you mean "${s}"?)` : '';
}

/** The error located first in its file (errors without a position last). */
function firstError(errors: ConfigError[]): ConfigError {
  return [...errors].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? Infinity) - (b.column ?? Infinity))[0];
}
