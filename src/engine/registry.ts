import type { RuleModule } from './types.js';

/** Rules by id. Built-in rules, then plugins' (prefixed `plugin/`). */
export class RuleRegistry {
  private readonly rules = new Map<string, RuleModule<any>>();

  constructor(rules: Iterable<RuleModule<any>> = []) {
    for (const rule of rules) this.add(rule);
  }

  add(rule: RuleModule<any>): void {
    if (this.rules.has(rule.meta.id)) throw new TypeError(`Rule "${rule.meta.id}" is registered twice.`);
    this.rules.set(rule.meta.id, rule);
  }

  get(id: string): RuleModule<any> | undefined {
    return this.rules.get(id);
  }

  /** How many rules are registered (grows as plugins are loaded). */
  get size(): number {
    return this.rules.size;
  }

  has(id: string): boolean {
    return this.rules.has(id);
  }

  all(): RuleModule<any>[] {
    return [...this.rules.values()].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
  }
}
