import type { IptablesChain, IptablesRule, IptablesTable } from '../../model/iptables.js';
import type { Range } from '../../model/source.js';
import { duplicatesBySignature, type RuleColumns } from './rule.js';

/** `*nat` ... `COMMIT`, whose rules are made from the columns when first asked for. */
export class ParsedTable implements IptablesTable {
  name: string;
  nameRange: Range;
  chains: IptablesChain[];
  range: Range;
  commitRange: Range | undefined;
  readonly columns: RuleColumns;
  #rules: IptablesRule[] | undefined;

  constructor(columns: RuleColumns, name: string, nameRange: Range, range: Range) {
    this.name = name;
    this.nameRange = nameRange;
    this.chains = [];
    this.range = range;
    this.commitRange = undefined;
    this.columns = columns;
    this.#rules = undefined;
  }

  get type(): 'IptablesTable' {
    return 'IptablesTable';
  }

  /** Rules in file order. */
  get rules(): IptablesRule[] {
    return this.#rules ?? this.columns.all();
  }

  set rules(rules: IptablesRule[]) {
    this.#rules = rules;
  }

  /** The columns while they hold the table's rules (until `rules` is set). */
  get liveColumns(): RuleColumns | undefined {
    return this.#rules === undefined ? this.columns : undefined;
  }

  /** Rules whose signature an earlier rule has, each with the first rule of that signature, in file order. */
  duplicates(): [IptablesRule, IptablesRule][] {
    if (this.#rules) return duplicatesBySignature(this.#rules);
    const cols = this.columns;
    return cols.duplicates().map(([i, first]) => [cols.rule(i), cols.rule(first)]);
  }

  /** The plain shape (`netlint parse` prints the model as JSON). */
  toJSON(): object {
    return {
      type: this.type,
      name: this.name,
      nameRange: this.nameRange,
      chains: this.chains,
      rules: this.rules,
      range: this.range,
      commitRange: this.commitRange,
    };
  }
}
