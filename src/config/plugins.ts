import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { RuleRegistry } from '../engine/registry.js';
import type { RuleModule } from '../engine/types.js';
import { isInputKind } from '../model/document.js';
import { expandGlob } from './glob.js';
import { isPathSpecifier, resolveModule, splitPackage } from './resolve-module.js';
import { configError, importDefault } from './source.js';
import type { Config, ConfigSource } from './types.js';

/** A plugin, loaded and checked. */
export interface LoadedPlugin {
  /** The prefix of its rule ids: `acme` for `netlint-plugin-acme` or `./acme`. */
  name: string;
  /** As written in `plugins` (or derived from `plugin:<name>/...`). */
  specifier: string;
  /** The module file. */
  filePath: string;
  /** Its rules, ids prefixed with `<name>/`. */
  rules: RuleModule<any>[];
  configs: Record<string, Config>;
  /** Its policy files, absolute. */
  policies: string[];
}

/** Where a plugin is named, for error messages. */
export interface PluginReference {
  source: ConfigSource;
  path: (string | number)[];
}

const RULE_LOCAL_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The plugin name of a specifier: an npm package name without `netlint-plugin-`
 * (`@acme/netlint-plugin-net` is `@acme/net`, `@acme/netlint-plugin` is `@acme`), or a local
 * module's folder or file name without extension (and without `netlint-plugin-`).
 */
export function pluginName(specifier: string): string {
  if (!isPathSpecifier(specifier)) {
    const { name } = splitPackage(specifier);
    if (name.startsWith('@')) {
      const [scope, pkg] = name.split('/');
      const rest = (pkg ?? '').replace(/^netlint-plugin(?:-|$)/, '');
      return rest ? `${scope}/${rest}` : scope;
    }
    return name.replace(/^netlint-plugin-/, '');
  }
  const base = path.basename(specifier.replace(/[\\/]+$/, '')).replace(/\.(?:mjs|cjs|js)$/, '');
  return base.replace(/^netlint-plugin-/, '');
}

/** npm names tried for a plugin specifier: `acme` is `netlint-plugin-acme` first, then `acme`. */
function packageCandidates(specifier: string): string[] {
  if (isPathSpecifier(specifier)) return [specifier];
  const { name, subpath } = splitPackage(specifier);
  if (/(?:^|\/)netlint-plugin(?:-|$)/.test(name)) return [specifier];
  const prefixed = name.startsWith('@')
    ? name.includes('/')
      ? name.replace(/^(@[^/]+)\/(.+)$/, '$1/netlint-plugin-$2')
      : `${name}/netlint-plugin`
    : `netlint-plugin-${name}`;
  return [subpath ? `${prefixed}/${subpath}` : prefixed, specifier];
}

/**
 * Loads plugins for one run: each module once, its rules registered (prefixed) into the run's
 * registry. Two different modules may not claim the same plugin name.
 */
export class PluginLoader {
  private readonly byFile = new Map<string, Promise<LoadedPlugin>>();
  private readonly byName = new Map<string, LoadedPlugin>();

  constructor(readonly registry: RuleRegistry) {}

  /** Loads the plugin `specifier` as seen from `fromDir`; errors point at `ref`. */
  async load(specifier: string, fromDir: string, ref: PluginReference): Promise<LoadedPlugin> {
    let filePath: string | undefined;
    for (const candidate of packageCandidates(specifier)) {
      filePath = resolveModule(candidate, fromDir);
      if (filePath) break;
    }
    if (!filePath) {
      const how = isPathSpecifier(specifier) ? `no module at ${specifier} (from ${fromDir})` : `it is not installed where ${ref.source.filePath} can see it (npm install it next to the config)`;
      throw configError(ref.source, ref.path, `Cannot find plugin "${specifier}": ${how}.`);
    }
    let pending = this.byFile.get(filePath);
    if (!pending) {
      pending = this.loadFile(specifier, filePath, ref);
      this.byFile.set(filePath, pending);
    }
    return pending;
  }

  /** Every plugin loaded so far. */
  loaded(): LoadedPlugin[] {
    return [...this.byName.values()];
  }

  private async loadFile(specifier: string, filePath: string, ref: PluginReference): Promise<LoadedPlugin> {
    const name = pluginName(specifier);
    const fail = (what: string) => configError(ref.source, ref.path, `Invalid plugin "${specifier}" (${filePath}): ${what}.`);
    let exported: unknown;
    try {
      exported = await importDefault(filePath, 'plugin');
    } catch (err) {
      if (err instanceof ConfigError) throw fail(err.message.replace(/^Cannot load the plugin module: /, 'cannot load it: ').replace(/\.$/, ''));
      throw err;
    }
    if (!exported || typeof exported !== 'object' || Array.isArray(exported)) throw fail('expected it to export an object with rules, configs or policies');
    const plugin = exported as Record<string, unknown>;
    if (!('rules' in plugin) && !('configs' in plugin) && !('policies' in plugin)) throw fail('expected it to export rules, configs or policies');

    const rules: RuleModule<any>[] = [];
    const rawRules = plugin.rules;
    const entries: [string | undefined, unknown][] = Array.isArray(rawRules)
      ? rawRules.map((r) => [undefined, r])
      : rawRules && typeof rawRules === 'object'
        ? Object.entries(rawRules)
        : rawRules === undefined
          ? []
          : (() => {
              throw fail('expected "rules" to be an array of rules or an object of rules by id');
            })();
    for (const [key, raw] of entries) rules.push(checkRule(name, key, raw, fail));

    const configs = plugin.configs ?? {};
    if (!configs || typeof configs !== 'object' || Array.isArray(configs)) throw fail('expected "configs" to be an object of configs by name');
    for (const [k, c] of Object.entries(configs)) {
      if (!c || typeof c !== 'object' || Array.isArray(c)) throw fail(`expected config "${k}" to be an object`);
    }

    const policies: string[] = [];
    const rawPolicies = plugin.policies ?? [];
    if (!Array.isArray(rawPolicies) || rawPolicies.some((p) => typeof p !== 'string' || p === '')) throw fail('expected "policies" to be an array of paths');
    for (const p of rawPolicies as string[]) {
      const files = await expandGlob(p, path.dirname(filePath));
      if (files.length === 0) throw fail(`no policy files match "${p}"`);
      policies.push(...files);
    }

    const loaded: LoadedPlugin = { name, specifier, filePath, rules, configs: configs as Record<string, Config>, policies: [...new Set(policies)].sort() };
    const other = this.byName.get(name);
    if (other) {
      throw configError(ref.source, ref.path, `Plugin name "${name}" is used by two modules: ${other.filePath} and ${filePath}.`);
    }
    for (const rule of rules) {
      if (this.registry.has(rule.meta.id)) throw fail(`rule "${rule.meta.id}" is already registered`);
    }
    for (const rule of rules) this.registry.add(rule);
    this.byName.set(name, loaded);
    return loaded;
  }
}

function checkRule(plugin: string, key: string | undefined, raw: unknown, fail: (what: string) => ConfigError): RuleModule<any> {
  const where = key !== undefined ? `rule "${key}"` : 'a rule';
  if (!raw || typeof raw !== 'object') throw fail(`expected ${where} to be a rule object with meta and create`);
  const rule = raw as Partial<RuleModule<any>>;
  const meta = rule.meta as Partial<RuleModule<any>['meta']> | undefined;
  if (!meta || typeof meta !== 'object') throw fail(`${where} has no meta`);
  if (typeof rule.create !== 'function') throw fail(`${where} has no create function`);
  let localId = key ?? meta.id;
  if (typeof localId !== 'string') throw fail(`${where} has no meta.id`);
  if (localId.startsWith(`${plugin}/`)) localId = localId.slice(plugin.length + 1);
  if (!RULE_LOCAL_ID.test(localId)) throw fail(`rule id "${localId}" is not kebab-case`);
  if (!Array.isArray(meta.inputs) || meta.inputs.length === 0 || !meta.inputs.every((k) => typeof k === 'string' && isInputKind(k))) {
    throw fail(`rule "${localId}" needs meta.inputs, a non-empty array of input kinds`);
  }
  if (!meta.messages || typeof meta.messages !== 'object') throw fail(`rule "${localId}" needs meta.messages`);
  return {
    ...(rule as RuleModule<any>),
    meta: {
      ...(meta as RuleModule<any>['meta']),
      id: `${plugin}/${localId}`,
      category: meta.category ?? 'correctness',
      description: meta.description ?? '',
      defaultOptions: meta.defaultOptions ?? {},
    },
  };
}

/**
 * Loads the plugins of a `plugins` list into a fresh registry of `base`'s rules plus theirs.
 * A missing or invalid plugin is a `ConfigError` naming it and the config file.
 */
export async function loadPlugins(
  list: readonly string[],
  fromDir: string,
  declaredIn: ConfigSource,
  base: Iterable<RuleModule<any>> = [],
): Promise<{ registry: RuleRegistry; plugins: LoadedPlugin[] }> {
  const registry = new RuleRegistry(base);
  const loader = new PluginLoader(registry);
  const plugins: LoadedPlugin[] = [];
  for (let i = 0; i < list.length; i++) plugins.push(await loader.load(list[i], fromDir, { source: declaredIn, path: ['plugins', i] }));
  return { registry, plugins };
}
