import type { RuleRegistry } from './registry.js';
import type { ResolvedConfig, RuleEntry } from './types.js';

const cache = new WeakMap<RuleRegistry, ResolvedConfig>();

/** `netlint:recommended`: every rule at its `meta.recommended` severity (default `error`). */
export function recommendedConfig(registry: RuleRegistry): ResolvedConfig {
  let config = cache.get(registry);
  if (!config) {
    const rules: Record<string, RuleEntry> = {};
    for (const rule of registry.all()) rules[rule.meta.id] = rule.meta.recommended ?? 'error';
    config = { rules, settings: {} };
    cache.set(registry, config);
  }
  return config;
}

/** Names of the built-in presets, for `extends`. */
export const PRESET_NAMES = ['netlint:recommended', 'netlint:strict', 'netlint:all'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/**
 * The rules of a built-in preset: `netlint:recommended` (see {@link recommendedConfig}),
 * `netlint:strict` (every rule but the `nursery` ones at `error`, including those recommended
 * leaves off or at warn) or `netlint:all` (every rule at `error`, nursery included).
 */
export function presetRules(name: PresetName, registry: RuleRegistry): Record<string, RuleEntry> {
  if (name === 'netlint:recommended') return { ...recommendedConfig(registry).rules };
  const rules: Record<string, RuleEntry> = {};
  for (const rule of registry.all()) {
    if (name === 'netlint:strict' && rule.meta.category === 'nursery') continue;
    rules[rule.meta.id] = 'error';
  }
  return rules;
}
