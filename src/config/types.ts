import type { RuleEntry, RuleModule, Settings } from '../engine/types.js';
import type { InputKind } from '../model/document.js';
import type { SeverityName } from '../model/finding.js';

/** A severity as the config may write it. */
export type SeverityValue = SeverityName | 0 | 1 | 2;

/** `linterOptions`: how the linter itself behaves. */
export interface LinterOptions {
  /** Severity of directives that suppress nothing; `true` is `warn`, `false` is `off`. */
  reportUnusedDisableDirectives?: SeverityValue | boolean;
}

/** An entry of `overrides`: applies to files matching `files` (minus `excludedFiles`) and/or `kinds`. */
export interface ConfigOverride {
  files?: string | string[];
  excludedFiles?: string | string[];
  kinds?: InputKind[];
  rules?: Record<string, RuleEntry>;
  settings?: Settings;
  linterOptions?: LinterOptions;
}

/** A config as written in `netlint.config.{yaml,yml,json,mjs}`, a shareable config or a plugin's config. */
export interface Config {
  $schema?: string;
  extends?: string | string[];
  rules?: Record<string, RuleEntry>;
  settings?: Settings;
  linterOptions?: LinterOptions;
  overrides?: ConfigOverride[];
  ignores?: string[];
  plugins?: string[];
  policies?: string[];
}

/** What a plugin module exports (its default export, or the module itself). */
export interface NetlintPlugin {
  /** Rules, as an array (ids from `meta.id`) or keyed by id; ids get the `<plugin>/` prefix. */
  rules?: RuleModule<any>[] | Record<string, RuleModule<any>>;
  /** Configs that `extends: ["plugin:<plugin>/<name>"]` loads. */
  configs?: Record<string, Config>;
  /** Policy files (paths relative to the plugin's module, or globs). */
  policies?: string[];
}

/** Where a config value is written, for error messages. */
export interface ConfigSource {
  /** The file the config was read from (a config file, a shareable config or plugin module). */
  filePath: string;
  /** A description for messages when the config is not a file of its own (`plugin "acme" config "recommended"`). */
  label?: string;
  /**
   * 1-based position of the value at `path` (of its key with `target: 'key'`), or of its closest
   * written ancestor; undefined when the source has no positions (a JavaScript module).
   */
  locate(path: readonly (string | number)[], target?: 'key' | 'value'): { line: number; column: number } | undefined;
}
