import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { builtinRegistry } from '../engine/builtin.js';
import { ConfigError } from '../engine/errors.js';
import { recommendedConfig } from '../engine/presets.js';
import { RuleRegistry } from '../engine/registry.js';
import { resolvePath } from '../engine/resolve-path.js';
import type { RuleModule } from '../engine/types.js';
import type { ResolvedConfig, RuleEntry, Settings } from '../engine/types.js';
import type { InputKind } from '../model/document.js';
import type { SeverityName } from '../model/finding.js';
import type { checkRules as CheckRules } from './check.js';
import type { ConfigElement, LoadedConfig } from './load.js';
import type { LoadedPlugin, PluginLoader } from './plugins.js';
import { CONFIG_FILE_NAMES } from './source.js';

export interface ConfigResolverOptions {
  cwd: string;
  /** `--config FILE`: use only this config (no lookup). Relative to `cwd`. */
  configFile?: string;
  /** `false` (`--no-config-lookup`): no config file lookup; `netlint:recommended` unless `configFile`. */
  lookup?: boolean;
  /** `--rule` entries: applied after everything else. */
  cliRules?: Record<string, RuleEntry>;
  /** `--report-unused-disable-directives(-severity)`: overrides `linterOptions`. */
  reportUnusedDisableDirectives?: SeverityName;
  /** The built-in rules; default netlint's own. */
  builtin?: RuleRegistry;
}

/**
 * Finds and resolves configs for one run. Each linted file uses the nearest
 * `netlint.config.{yaml,yml,json,mjs}` found walking up from its folder (cached per folder), or
 * only `--config`'s file. Loading is asynchronous (`prepare`); resolving a file's config is then
 * synchronous and cached per file and input kind. Plugins' rules are registered into
 * {@link registry}, a registry of this run only.
 */
export class ConfigResolver {
  /** The run's rules: built-in rules and those of every plugin loaded so far. */
  readonly registry: RuleRegistry;
  private readonly builtin: RuleRegistry;
  /** Created with the first config file (the config modules load only when there is one). */
  private loader?: PluginLoader;
  /** `checkRules`, loaded when there are `--rule` entries. */
  private checkRules?: typeof CheckRules;
  private readonly dirConfig = new Map<string, string | undefined>();
  private readonly loaded = new Map<string, Promise<LoadedConfig>>();
  private readonly ready = new Map<string, LoadedConfig | null>();
  /** Configs of files under a config with `files` overrides, by file and kind. */
  private readonly resolved = new Map<string, ResolvedConfig>();
  /** Configs of the other files, by their config file's config (null: none) and kind. */
  private readonly shared = new Map<LoadedConfig | null, Map<InputKind | undefined, ResolvedConfig>>();
  private explicit?: LoadedConfig;
  /** Rules compiled from policy files, by file. */
  private readonly policyRules = new Map<string, RuleModule<any>[]>();
  /**
   * Absolute path and folder of each file asked about: every file is asked about several times
   * (prepare, isIgnored, configFor per kind), and resolving a path each time cost more than the
   * lookups it served on runs over thousands of files.
   */
  private readonly paths = new Map<string, { abs: string; dir: string }>();

  private constructor(private readonly options: ConfigResolverOptions) {
    this.builtin = options.builtin ?? builtinRegistry();
    this.registry = new RuleRegistry(this.builtin.all());
  }

  /** Creates a resolver; loads `--config`'s file right away (so its errors come first). */
  static async create(options: ConfigResolverOptions): Promise<ConfigResolver> {
    const resolver = new ConfigResolver(options);
    if (options.cliRules) resolver.checkRules = (await import('./check.js')).checkRules;
    if (options.configFile !== undefined) {
      const file = path.resolve(options.cwd, options.configFile);
      try {
        await fs.access(file);
      } catch {
        throw new ConfigError(`Cannot read the config file "${options.configFile}".`, undefined);
      }
      resolver.explicit = await resolver.load(file);
    }
    resolver.checkCliRules((id) => !id.includes('/'), new Set());
    return resolver;
  }

  /** The config file in force for a file (nearest, or `--config`), loading it if needed. */
  async prepare(filePath: string): Promise<LoadedConfig | undefined> {
    const { dir } = this.pathsOf(filePath);
    if (this.explicit || this.options.configFile !== undefined) return this.explicit;
    if (this.options.lookup === false) return undefined;
    if (this.ready.has(dir)) return this.ready.get(dir) ?? undefined;
    const configFile = this.findConfigFile(dir);
    const loaded = configFile ? await this.load(configFile) : undefined;
    this.ready.set(dir, loaded ?? null);
    return loaded;
  }

  /** Whether `ignores` of the file's config excludes it (after {@link prepare}). */
  isIgnored(filePath: string): boolean {
    const loaded = this.loadedFor(filePath);
    return loaded ? loaded.isIgnored(this.pathsOf(filePath).abs) : false;
  }

  /**
   * The config in force for a file's document of `kind` (after {@link prepare}): the file's
   * config layers that match it, in order, then `--rule`.
   */
  configFor(filePath: string, kind?: InputKind): ResolvedConfig {
    const { abs } = this.pathsOf(filePath);
    const loaded = this.loadedFor(filePath);
    // Without `files` overrides, every file under one config gets the same config (per kind),
    // found by the config's object: no key string is made and hashed per file.
    if (!loaded || !hasFileOverrides(loaded)) {
      let byKind = this.shared.get(loaded ?? null);
      if (!byKind) this.shared.set(loaded ?? null, (byKind = new Map()));
      let config = byKind.get(kind);
      if (!config) byKind.set(kind, (config = this.compute(abs, kind, loaded)));
      return config;
    }
    const key = `${abs}\0${kind ?? ''}`;
    let config = this.resolved.get(key);
    if (!config) {
      config = this.compute(abs, kind, loaded);
      this.resolved.set(key, config);
    }
    return config;
  }

  /** The plugins loaded so far, with their module files (for cache keys). */
  loadedPlugins(): readonly LoadedPlugin[] {
    return this.loader?.loaded() ?? [];
  }

  /** {@link prepare} then {@link configFor}. */
  async resolve(filePath: string, kind?: InputKind): Promise<ResolvedConfig> {
    await this.prepare(filePath);
    return this.configFor(filePath, kind);
  }

  private pathsOf(filePath: string): { abs: string; dir: string } {
    let paths = this.paths.get(filePath);
    if (!paths) {
      const abs = resolvePath(this.options.cwd, filePath);
      this.paths.set(filePath, (paths = { abs, dir: path.dirname(abs) }));
    }
    return paths;
  }

  private loadedFor(filePath: string): LoadedConfig | undefined {
    if (this.explicit) return this.explicit;
    const { dir } = this.pathsOf(filePath);
    if (!this.ready.has(dir) && this.options.lookup !== false && this.options.configFile === undefined) {
      throw new TypeError(`ConfigResolver.prepare() was not awaited for ${filePath}.`);
    }
    return this.ready.get(dir) ?? undefined;
  }

  private compute(filePath: string, kind: InputKind | undefined, loaded: LoadedConfig | undefined): ResolvedConfig {
    const base = recommendedConfig(this.builtin);
    const elements: ConfigElement[] = loaded ? loaded.elements : [{ rules: base.rules }];
    // A config's policies are on at their own severity unless its `rules` say otherwise.
    let rules: Record<string, RuleEntry> = {};
    for (const file of loaded?.policies ?? []) {
      for (const rule of this.policyRules.get(file) ?? []) rules[rule.meta.id] = rule.meta.recommended ?? 'error';
    }
    let settings: Settings = {};
    let unused: SeverityName | undefined;
    for (const el of elements) {
      if (el.files && !el.files(filePath)) continue;
      if (el.kinds && (!kind || !el.kinds.includes(kind))) continue;
      if (el.rules) rules = mergeRules(rules, el.rules);
      if (el.settings) settings = mergeSettings(settings, el.settings);
      const u = el.linterOptions?.reportUnusedDisableDirectives;
      if (u !== undefined) unused = typeof u === 'boolean' ? (u ? 'warn' : 'off') : severityName(u);
    }
    if (this.options.cliRules) {
      this.checkCliRules((id) => id.includes('/'), new Set(loaded?.plugins.map((p) => p.name)));
      rules = mergeRules(rules, this.options.cliRules);
    }
    unused = this.options.reportUnusedDisableDirectives ?? unused;
    const config: ResolvedConfig = { rules, settings };
    if (unused !== undefined) config.linterOptions = { reportUnusedDisableDirectives: unused };
    if (loaded) {
      config.policies = loaded.policies;
      config.plugins = loaded.plugins.map((p) => p.name).sort();
      config.configFiles = loaded.configFiles;
    }
    return config;
  }

  private load(file: string): Promise<LoadedConfig> {
    let pending = this.loaded.get(file);
    if (!pending) {
      pending = (async () => {
        const [{ loadConfigFile }, { PluginLoader }] = await Promise.all([import('./load.js'), import('./plugins.js')]);
        this.loader ??= new PluginLoader(this.registry);
        const loaded = await loadConfigFile(file, { builtin: this.builtin, plugins: this.loader });
        await this.registerPolicies(loaded);
        return loaded;
      })();
      this.loaded.set(file, pending);
    }
    return pending;
  }

  /**
   * Compiles the config's policy files (once per file) into rules of this run's registry; a
   * policy whose id is taken by a rule is a ConfigError naming the policy file.
   */
  private async registerPolicies(loaded: LoadedConfig): Promise<void> {
    if (loaded.policies.length === 0) return;
    // The policy engine (ajv, YAML) is loaded only by configs that use policies.
    const { loadPolicies } = await import('../policy/index.js');
    for (const file of loaded.policies) {
      if (this.policyRules.has(file)) continue;
      const { rules } = loadPolicies([file]);
      for (const rule of rules) {
        if (this.registry.has(rule.meta.id)) {
          throw new ConfigError(`Policy id "${rule.meta.id}" is already the id of a rule or another policy.`, file);
        }
        this.registry.add(rule);
      }
      this.policyRules.set(file, rules);
    }
  }

  /**
   * The nearest config file at or above `dir` (cached per folder). Synchronous stats that return
   * nothing for a missing file: a lookup from a folder asks for every config name in every
   * folder up to the root, and a failing asynchronous stat cost a thread-pool round trip and an
   * Error each (15 ms for the first folder of a run here).
   */
  private findConfigFile(dir: string): string | undefined {
    if (this.dirConfig.has(dir)) return this.dirConfig.get(dir);
    let found: string | undefined;
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      let stat;
      try {
        stat = statSync(candidate, { throwIfNoEntry: false });
      } catch {
        // Not readable here (EACCES, ENOTDIR...): not here.
      }
      if (stat?.isFile()) {
        found = candidate;
        break;
      }
    }
    if (found === undefined) {
      const parent = path.dirname(dir);
      found = parent === dir ? undefined : this.findConfigFile(parent);
    }
    this.dirConfig.set(dir, found);
    return found;
  }

  /**
   * `--rule` ids and options must be known. Built-in rules are checked when the resolver is
   * created; plugin rules (`acme/x`) when a file's config is resolved, against the plugins that
   * config loads.
   */
  private checkCliRules(filter: (id: string) => boolean, pluginNames: ReadonlySet<string>): void {
    const rules = this.options.cliRules;
    if (!rules || !this.checkRules) return;
    const subset = Object.fromEntries(Object.entries(rules).filter(([id]) => filter(id)));
    try {
      this.checkRules(subset, this.registry, pluginNames, { filePath: '--rule', locate: () => undefined }, []);
    } catch (err) {
      if (err instanceof ConfigError && err.filePath === '--rule') throw new ConfigError(`Invalid --rule: ${err.message}`);
      throw err;
    }
  }
}

/**
 * Merges rule entries: a later entry replaces an earlier one, except that a bare severity keeps
 * the options set before it (as ESLint does).
 */
export function mergeRules(base: Record<string, RuleEntry>, next: Record<string, RuleEntry>): Record<string, RuleEntry> {
  const out = { ...base };
  for (const [id, entry] of Object.entries(next)) {
    const prev = out[id];
    const prevOptions = Array.isArray(prev) && prev.length > 1 ? prev[1] : undefined;
    if (Array.isArray(entry)) out[id] = entry.length > 1 && entry[1] !== undefined ? [severityName(entry[0]), entry[1]] : prevOptions ? [severityName(entry[0]), prevOptions] : severityName(entry[0]);
    else out[id] = prevOptions ? [severityName(entry), prevOptions] : severityName(entry);
  }
  return out;
}

/** Merges settings: plain objects key by key (recursively); other values, arrays included, replace. */
export function mergeSettings(base: Settings, next: Settings): Settings {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(next)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeSettings(prev as Settings, value as Settings) : value;
  }
  return out as Settings;
}

function isPlainObject(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** `off`, `warn` or `error` for any severity spelling (as `severityName` of load.ts, which loads lazily). */
function severityName(value: unknown): 'off' | 'warn' | 'error' {
  if (value === 2 || value === 'error') return 'error';
  if (value === 1 || value === 'warn') return 'warn';
  return 'off';
}

const fileOverrides = new WeakMap<LoadedConfig, boolean>();

/** Whether a config has elements with `files` (once per config, not per file asked about). */
function hasFileOverrides(loaded: LoadedConfig): boolean {
  let has = fileOverrides.get(loaded);
  if (has === undefined) fileOverrides.set(loaded, (has = loaded.elements.some((el) => el.files)));
  return has;
}
