import type { Counters, IptablesChain, IptablesRule } from '../../model/iptables.js';
import type { Range } from '../../model/source.js';
import type { RuleColumns } from './rule.js';

/** `packets:bytes` read from `[packets:bytes]`, when first asked for. */
interface ChainExtras {
  nameRange?: Range;
  range?: Range;
  counters?: Counters;
}

/**
 * A chain as the parser keeps it: offsets instead of range arrays, counters read from the text
 * when first asked for, and its rules as a list of indices into the table's columns until
 * someone asks for `rules` (a 10,000-service kube-proxy dump declares 40,000 chains).
 */
export class ParsedChain implements IptablesChain {
  table: string;
  name: string;
  builtin: boolean;
  declaredBy: IptablesChain['declaredBy'];
  policy: string | undefined;
  /** The chain's place among its table's chains (its rules are grouped by it). */
  readonly index: number;
  #cols: RuleColumns;
  /** The rules once asked for (or set); until then the list `#head`...`#tail`. */
  #rules: IptablesRule[] | undefined;
  #head: number;
  #tail: number;
  #nameStart: number;
  #nameEnd: number;
  #start: number;
  #end: number;
  /** Offsets of an unquoted `[packets:bytes]`, or -1. */
  #countersStart: number;
  #countersEnd: number;
  /** 1: counters were set before the policy (key order of `toJSON`). */
  #order: number;
  #extras: ChainExtras | undefined;

  constructor(
    cols: RuleColumns,
    table: string,
    name: string,
    nameStart: number,
    nameEnd: number,
    builtin: boolean,
    declaredBy: IptablesChain['declaredBy'],
    start: number,
    end: number,
  ) {
    this.table = table;
    this.name = name;
    this.builtin = builtin;
    this.declaredBy = declaredBy;
    this.policy = undefined;
    this.index = cols.addChain();
    this.#cols = cols;
    this.#rules = undefined;
    this.#head = -1;
    this.#tail = -1;
    this.#nameStart = nameStart;
    this.#nameEnd = nameEnd;
    this.#start = start;
    this.#end = end;
    this.#countersStart = -1;
    this.#countersEnd = -1;
    this.#order = 0;
    this.#extras = undefined;
  }

  get type(): 'IptablesChain' {
    return 'IptablesChain';
  }

  /** Rules in evaluation order. */
  get rules(): IptablesRule[] {
    if (this.#rules === undefined) {
      this.#rules = this.#head < 0 ? [] : this.#cols.list(this.#head);
      this.#head = this.#tail = -1;
    }
    return this.#rules;
  }

  set rules(rules: IptablesRule[]) {
    this.#rules = rules;
    this.#head = this.#tail = -1;
  }

  /** Appends rule `i` of the table's columns. */
  append(i: number): void {
    if (this.#rules !== undefined) this.#rules.push(this.#cols.rule(i));
    else if (this.#tail < 0) this.#head = this.#tail = i;
    else {
      this.#cols.next[this.#tail] = i;
      this.#tail = i;
    }
  }

  /** Drops the spare capacity of the rules array, if it was made. */
  trim(): void {
    const rules = this.#rules;
    if (rules !== undefined && rules.length > 0) this.#rules = rules.slice();
  }

  /** Where the chain is declared (a header seen after the chain's first rule moves it there). */
  locate(nameStart: number, nameEnd: number, start: number, end: number): void {
    this.#nameStart = nameStart;
    this.#nameEnd = nameEnd;
    this.#start = start;
    this.#end = end;
    if (this.#extras) this.#extras.nameRange = this.#extras.range = undefined;
  }

  /** `[packets:bytes]` at `text[start, end)`, checked by the caller, read when asked for. */
  setCountersAt(start: number, end: number): void {
    if (this.policy === undefined && this.#countersStart < 0 && this.#extras?.counters === undefined) this.#order = 1;
    this.#countersStart = start;
    this.#countersEnd = end;
    if (this.#extras) this.#extras.counters = undefined;
  }

  get nameRange(): Range {
    const x = (this.#extras ??= {});
    return (x.nameRange ??= [this.#nameStart, this.#nameEnd]);
  }

  set nameRange(range: Range) {
    (this.#extras ??= {}).nameRange = range;
  }

  get range(): Range {
    const x = (this.#extras ??= {});
    return (x.range ??= [this.#start, this.#end]);
  }

  set range(range: Range) {
    (this.#extras ??= {}).range = range;
  }

  get counters(): Counters | undefined {
    const known = this.#extras?.counters;
    if (known !== undefined || this.#countersStart < 0) return known;
    const start = this.#countersStart;
    const end = this.#countersEnd;
    const colon = this.#cols.source.text.indexOf(':', start);
    const counters: Counters = { packets: this.#cols.source.text.slice(start + 1, colon), bytes: this.#cols.source.text.slice(colon + 1, end - 1), range: [start, end] };
    (this.#extras ??= {}).counters = counters;
    return counters;
  }

  set counters(counters: Counters | undefined) {
    if (this.policy === undefined && this.#countersStart < 0 && this.#extras?.counters === undefined) this.#order = 1;
    this.#countersStart = -1;
    (this.#extras ??= {}).counters = counters;
  }

  /** The plain shape (`netlint parse` prints the model as JSON), keys in the order they were set. */
  toJSON(): object {
    const json: Record<string, unknown> = {
      type: this.type,
      table: this.table,
      name: this.name,
      nameRange: this.nameRange,
      builtin: this.builtin,
      declaredBy: this.declaredBy,
      rules: this.rules,
      range: this.range,
    };
    const counters = this.counters;
    if (this.#order === 1 && counters !== undefined) json.counters = counters;
    if (this.policy !== undefined) json.policy = this.policy;
    if (this.#order === 0 && counters !== undefined) json.counters = counters;
    return json;
  }
}
