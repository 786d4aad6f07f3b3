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
