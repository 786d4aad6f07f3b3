/** Finds, loads, validates and resolves `netlint.config.*` files for each linted file. */
export { ConfigResolver, mergeRules, mergeSettings } from './resolver.js';
export type { ConfigResolverOptions } from './resolver.js';
/** Loads one config file (and what it extends) into layers; used by {@link ConfigResolver}. */
export { loadConfigFile, loadConfigValue } from './load.js';
export type { ConfigElement, LoadContext, LoadedConfig } from './load.js';
/** Plugin loading: `PluginLoader` for a run, `loadPlugins` for a plain list. */
export { loadPlugins, pluginName, PluginLoader } from './plugins.js';
export type { LoadedPlugin, PluginReference } from './plugins.js';
/** Config file names looked for, and readers with positions for error messages. */
export { CONFIG_FILE_NAMES, readConfigFile } from './source.js';
/** Checks a config value against `schemas/netlint-config.schema.json`. */
export { configShapeProblems } from './validate.js';
export type { ConfigProblem } from './validate.js';
export type { Config, ConfigOverride, ConfigSource, LinterOptions, NetlintPlugin, SeverityValue } from './types.js';
