import type { IptablesRule, IptablesTable } from '../../model/iptables.js';
import { ParsedTable } from './table.js';

/**
 * A table's rules by index, with what rules look for in every rule (the target's name and kind,
 * whether there are criteria, the chain) read without the rule's object: a parsed table reads
 * them from its columns, and makes the objects of the few rules asked for with `rule(i)`.
 */
export interface RuleTable {
  readonly count: number;
  /** `targetName` of rule `i`. */
  targetNameAt(i: number): string | undefined;
  /** `target?.kind` of rule `i`. */
  targetKindAt(i: number): 'jump' | 'goto' | undefined;
  /** `hasCriteria` of rule `i`. */
  hasCriteriaAt(i: number): boolean;
  /** `chain` of rule `i`. */
  chainAt(i: number): string;
  /** Rule `i` in file order. */
  rule(i: number): IptablesRule;
}

/** The rules of a table by index: a parsed table's columns, or any table's `rules`. */
export function ruleTable(table: IptablesTable): RuleTable {
  return (table instanceof ParsedTable && table.liveColumns) || new RuleArray(table.rules);
}

/** The rules of a table whose target is one of `names`, in file order. */
export function rulesWithTarget(table: IptablesTable, names: readonly string[]): IptablesRule[] {
  const rules = ruleTable(table);
  const found: IptablesRule[] = [];
  for (let i = 0; i < rules.count; i++) {
    const name = rules.targetNameAt(i);
    if (name !== undefined && names.includes(name)) found.push(rules.rule(i));
  }
  return found;
}

/** A table's `rules` array as a `RuleTable`. */
class RuleArray implements RuleTable {
  readonly count: number;

  constructor(readonly rules: readonly IptablesRule[]) {
    this.count = rules.length;
  }

  targetNameAt(i: number): string | undefined {
    return this.rules[i].targetName;
  }

  targetKindAt(i: number): 'jump' | 'goto' | undefined {
    return this.rules[i].target?.kind;
  }

  hasCriteriaAt(i: number): boolean {
    return this.rules[i].hasCriteria;
  }

  chainAt(i: number): string {
    return this.rules[i].chain;
  }

  rule(i: number): IptablesRule {
    return this.rules[i];
  }
}
