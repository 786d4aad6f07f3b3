import { builtinRules } from '../../rules/index.js';
import { RuleRegistry } from './registry.js';

let registry: RuleRegistry | undefined;

/** The registry of netlint's own rules (created once). */
export function builtinRegistry(): RuleRegistry {
  registry ??= new RuleRegistry(builtinRules);
  return registry;
}
