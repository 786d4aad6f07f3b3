import type { IptablesChain, IptablesRule, IptablesTable } from '../../model/iptables.js';
import { ParsedChain } from './chain.js';
import { chainByName } from './parser.js';
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
  /** The chain object rule `i` was added to, when the table keeps one (a parsed table does). */
  chainObjectAt(i: number): IptablesChain | undefined;
  /** Each rule's `targetName`, by index (read only; a parsed table gives its column). */
  targetNames(): readonly (string | undefined)[];
  /** The indices of the rules whose target is one of `names`, in file order. */
  withTarget(names: readonly string[]): number[];
  /** The indices of the rules without criteria (`hasCriteria` false), in file order. */
  unconditional(): number[];
  /**
   * Every target name that may not be a chain of the table: a parsed table gives the names it did
   * not find among the table's chains when it read the rules (every other target was a chain of
   * the table by then, and a chain stays); undefined when not known (every name may be one).
   */
  unresolvedTargets(): ReadonlySet<string> | undefined;
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
  return rules.withTarget(names).map((i) => rules.rule(i));
}

/**
 * `chainByName(table, name)` for the name of rule `i`'s target. The next rule is looked at first:
 * when it was added to a chain of that name, that is the chain (a parsed table keeps one object
 * per name), found without a lookup among a large dump's chains. kube-proxy writes each chain's
 * rules right after the jump to it.
 */
export function targetChain(table: IptablesTable, rules: RuleTable, i: number, name: string): IptablesChain | undefined {
  const next = i + 1 < rules.count ? rules.chainObjectAt(i + 1) : undefined;
  return next !== undefined && next.name === name ? next : chainByName(table, name);
}

/**
 * The chains of a table named in `names`, in declaration order. A parsed table looks each name
 * up, instead of reading every chain's name (a kube-proxy dump declares 40,000 chains).
 */
export function chainsNamed(table: IptablesTable, names: ReadonlySet<string>): IptablesChain[] {
  const all = () => table.chains.filter((c) => names.has(c.name));
  // The parser's chains are the table's `chains` by index, unless someone changed the list.
  if (!(table instanceof ParsedTable) || table.chains.length !== table.columns.chainCount || names.size * 16 > table.chains.length) return all();
  const found: ParsedChain[] = [];
  for (const name of names) {
    const chain = chainByName(table, name);
    if (!(chain instanceof ParsedChain) || table.chains[chain.index] !== chain) return all();
    found.push(chain);
  }
  return found.sort((a, b) => a.index - b.index);
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

  chainObjectAt(): IptablesChain | undefined {
    return undefined;
  }

  targetNames(): readonly (string | undefined)[] {
    return this.rules.map((r) => r.targetName);
  }

  withTarget(names: readonly string[]): number[] {
    const found: number[] = [];
    this.rules.forEach((r, i) => {
      if (r.targetName !== undefined && names.includes(r.targetName)) found.push(i);
    });
    return found;
  }

  unconditional(): number[] {
    const found: number[] = [];
    this.rules.forEach((r, i) => {
      if (!r.hasCriteria) found.push(i);
    });
    return found;
  }

  unresolvedTargets(): undefined {
    return undefined;
  }

  rule(i: number): IptablesRule {
    return this.rules[i];
  }
}
