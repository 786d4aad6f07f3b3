import type { ParseResult, SourceDocument } from '../../model/document.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import {
  NFT_BRIDGE_PRIORITIES,
  NFT_FAMILIES,
  NFT_PRIORITIES,
  leafValues,
  type NftChain,
  type NftCommand,
  type NftDeclaration,
  type NftDocument,
  type NftFamily,
  type NftMap,
  type NftPriority,
  type NftRule,
  type NftSet,
  type NftStatement,
  type NftTable,
  type NftTypeSpec,
} from '../../model/nft.js';
import type { BaseNode, Token } from '../../model/node.js';
import type { Range, SourceText } from '../../model/source.js';
import { NEWLINE, PUNCT, lex, type LexToken, type TokenTable } from './lexer.js';
import { StatementParser, plainToken, type Reporter } from './statements.js';

type BlockEnd = 'closed' | 'intruded' | 'eof';
type Verb = string;

const VERBS = new Set([
  'add', 'create', 'insert', 'replace', 'delete', 'destroy', 'flush', 'list', 'reset', 'rename', 'get',
  'describe', 'monitor', 'export', 'import',
]);
/** Verbs that change nothing in the ruleset. */
const READ_VERBS = new Set(['list', 'reset', 'get', 'describe', 'monitor', 'export', 'import']);
const OBJECT_WORDS = new Set([
  'table', 'chain', 'rule', 'set', 'map', 'element', 'ruleset', 'flowtable', 'counter', 'quota', 'limit',
  'secmark', 'synproxy', 'ct', 'tables', 'chains', 'sets', 'maps', 'flowtables', 'counters', 'quotas',
  'limits', 'secmarks', 'synproxys', 'meter', 'meters', 'hooks',
]);
/** Stateful objects declared by name in a table (`counter name { }`, `ct helper name { }`...). */
const NAMED_OBJECTS = new Set(['flowtable', 'counter', 'quota', 'limit', 'secmark', 'synproxy', 'ct']);
const FAMILIES = new Set<string>(NFT_FAMILIES);
const NUMBER = /^\d+$/;

interface TableEntry {
  table: NftTable;
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet | NftMap>;
}

interface TableSpec {
  family: NftFamily;
  familyRange?: Range;
  name: LexToken;
}

/**
 * Parses `nft list ruleset` output and `nft -f` files (transactions) in one pass over the
 * tokens. The model is the ruleset the file builds: `table` blocks and `add`/`insert` commands
 * fill the same tables and chains, `flush`/`delete` commands remove what they name. Never throws
 * on user input: each malformed shape gives one `parse-error` and parsing resumes at the next
 * statement or line.
 */
export class NftParser extends StatementParser {
  private readonly doc: NftDocument;
  private readonly tables = new Map<string, TableEntry>();
  private sawBlock = false;
  private sawCommand = false;
  private braces: Int32Array | undefined;

  constructor(
    private readonly source: SourceText,
    toks: TokenTable,
    report: Reporter,
  ) {
    super(source.text, toks, report);
    this.doc = {
      type: 'NftDocument',
      form: 'empty',
      tables: [],
      commands: [],
      defines: [],
      includes: [],
      comments: [],
      range: [0, source.text.length],
    };
  }

  parseDocument(): NftDocument {
    for (;;) {
      this.skipSeps();
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'punct' && t.value === '}') {
        this.report('Unexpected "}": no block is open here.', t.range);
        this.p++;
        continue;
      }
      this.parseTop();
      this.endStatement(true);
    }
    this.doc.form = this.sawBlock ? (this.sawCommand ? 'mixed' : 'ruleset') : this.sawCommand ? 'transaction' : 'empty';
    return this.doc;
  }

  /* ------------------------------------------------------------ plumbing */

  private skipSeps(): void {
    while (this.kindAt(0) === NEWLINE || this.isPunct(0, ';')) this.p++;
  }

  /**
   * After a command or block statement: a separator or a `}` must follow. Anything else is one
   * `parse-error`, and the rest of the statement is skipped.
   */
  private endStatement(topLevel: boolean): void {
    if (this.atSep() || this.isPunct(0, '}')) return;
    // A block that ended early (its `}` was missing) already stands before the next line.
    if (this.p > 0 && (this.toks.kinds[this.p - 1] === NEWLINE || (this.toks.kinds[this.p - 1] === PUNCT && this.toks.is(this.p - 1, ';')))) {
      return;
    }
    const t = this.peek();
    this.report(`Unexpected "${t.value}": expected the end of the ${topLevel ? 'command' : 'statement'}.`, t.range);
    this.recover(topLevel);
  }

  /**
   * Skips to the end of the statement: a separator (or, inside a block, its `}`) outside any
   * `{ }` group. If a `{` is never closed, only the current line is skipped, so one stray brace
   * does not swallow the rest of the file.
   */
  private recover(topLevel: boolean): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === 'newline' || (t.kind === 'punct' && t.value === ';')) return;
      if (t.kind === 'punct' && t.value === '{') {
        const close = this.closingBrace(this.p);
        if (close === -1) {
          // Never closed: skip the line only.
          while (this.peek().kind !== 'newline' && this.peek().kind !== 'eof') this.p++;
          return;
        }
        this.p = close;
      } else if (t.kind === 'punct' && t.value === '}' && !topLevel) return;
      this.p++;
    }
  }

  /** Index of the `}` that closes the `{` at `i`, or -1 (brace pairs computed once, O(n)). */
  private closingBrace(i: number): number {
    if (!this.braces) {
      const { kinds, count } = this.toks;
      const match = new Int32Array(count).fill(-1);
      const stack: number[] = [];
      for (let j = 0; j < count; j++) {
        if (kinds[j] !== PUNCT) continue;
        if (this.toks.is(j, '{')) stack.push(j);
        else if (this.toks.is(j, '}') && stack.length > 0) match[stack.pop()!] = j;
      }
      this.braces = match;
    }
    return this.braces[i];
  }

  private unclosed(open: LexToken, what: string): void {
    this.reportUnclosed(`Missing "}" for ${what}: the "{" opened here is not closed.`, open.range);
  }

  /** The `# handle N` of the line a `{` ends (`nft -a list ruleset`). */
  private handleAfterOpen(): number | undefined {
    const t = this.peek();
    return t.kind === 'newline' ? t.handle : undefined;
  }

  private command(verb: Verb, object: string, start: number, spec?: TableSpec, name?: LexToken): void {
    const c: NftCommand = { type: 'NftCommand', verb, object, range: [start, this.prevEnd()] };
    if (spec) {
      c.family = spec.family;
      c.table = spec.name.value;
    }
    if (name) c.name = name.value;
    this.doc.commands.push(c);
  }

  /**
   * Inside a block, a line that can only begin a new top-level object or command means the
   * block's `}` is missing.
   */
  private isIntruder(ctx: 'table' | 'chain' | 'set'): boolean {
    const t = this.peek();
    if (t.kind !== 'word') return false;
    const w = t.value;
    if (w === 'table') return true;
    if (VERBS.has(w)) {
      const o = this.peek(1);
      return o.kind === 'word' && OBJECT_WORDS.has(o.value);
    }
    if (ctx === 'table') return false;
    if (w === 'chain' || w === 'map' || w === 'flowtable') return true;
    const named = this.peek(1).kind === 'word' || this.peek(1).kind === 'string';
    if (w === 'set') return named && this.isPunct(2, '{');
    if (w === 'counter' || w === 'quota') {
      return named && this.isPunct(2, '{') && !/^(?:packets|bytes|name|over|until)$/.test(this.peek(1).value);
    }
    return false;
  }

  /* ------------------------------------------------------------ model objects */

  private tableEntry(spec: TableSpec, declaredBy: NftDeclaration, range: Range): TableEntry {
    const key = `${spec.family} ${spec.name.value}`;
    let e = this.tables.get(key);
    if (!e) {
      const table: NftTable = {
        type: 'NftTable',
        family: spec.family,
        name: spec.name.value,
        nameRange: spec.name.range,
        declaredBy,
        chains: [],
        sets: [],
        maps: [],
        objects: [],
        flags: [],
        range,
      };
      if (spec.familyRange) table.familyRange = spec.familyRange;
      e = { table, chains: new Map(), sets: new Map() };
      this.tables.set(key, e);
      this.doc.tables.push(table);
    } else if (e.table.declaredBy === 'implicit' && declaredBy !== 'implicit') {
      const t = e.table;
      t.declaredBy = declaredBy;
      t.range = range;
      t.nameRange = spec.name.range;
      if (spec.familyRange) t.familyRange = spec.familyRange;
    }
    return e;
  }

  private lookupTable(spec: TableSpec): TableEntry | undefined {
    return this.tables.get(`${spec.family} ${spec.name.value}`);
  }

  private removeTable(entry: TableEntry): void {
    const t = entry.table;
    this.tables.delete(`${t.family} ${t.name}`);
    const i = this.doc.tables.indexOf(t);
    if (i !== -1) this.doc.tables.splice(i, 1);
  }

  private chainOf(entry: TableEntry, name: LexToken, declaredBy: NftDeclaration, range: Range): NftChain {
    let c = entry.chains.get(name.value);
    if (!c) {
      c = {
        type: 'NftChain',
        family: entry.table.family,
        table: entry.table.name,
        name: name.value,
        nameRange: name.range,
        declaredBy,
        base: false,
        rules: [],
        range,
      };
      entry.chains.set(name.value, c);
      entry.table.chains.push(c);
    } else if (c.declaredBy === 'implicit' && declaredBy !== 'implicit') {
      c.declaredBy = declaredBy;
      c.range = range;
      c.nameRange = name.range;
    }
    return c;
  }

  private setOf(entry: TableEntry, name: LexToken, kind: 'set' | 'map', declaredBy: NftDeclaration, range: Range): NftSet | NftMap {
    let s = entry.sets.get(name.value);
    if (s && s.declaredBy === 'implicit' && declaredBy !== 'implicit') {
      s.declaredBy = declaredBy;
      s.range = range;
      s.nameRange = name.range;
      const want = kind === 'map' ? 'NftMap' : 'NftSet';
      if (s.type !== want) {
        remove(s.type === 'NftMap' ? entry.table.maps : entry.table.sets, s);
        s.type = want;
        (s.type === 'NftMap' ? entry.table.maps : entry.table.sets).push(s as never);
      }
    }
    if (!s) {
      const base = {
        family: entry.table.family,
        table: entry.table.name,
        name: name.value,
        nameRange: name.range,
        declaredBy,
        flags: [],
        properties: [],
        elements: [],
        range,
      };
      if (kind === 'map') {
        const m: NftMap = { type: 'NftMap', ...base };
        entry.table.maps.push(m);
        s = m;
      } else {
        const set: NftSet = { type: 'NftSet', ...base };
        entry.table.sets.push(set);
        s = set;
      }
      entry.sets.set(name.value, s);
    }
    return s;
  }

  private removeSet(entry: TableEntry, s: NftSet | NftMap): void {
    entry.sets.delete(s.name);
    remove(s.type === 'NftMap' ? entry.table.maps : entry.table.sets, s);
  }

  /* ------------------------------------------------------------ top level */

  private parseTop(): void {
    const t = this.peek();
    if (t.kind !== 'word') {
      this.report(`Unexpected "${t.value}": expected a command such as table, add, flush, define or include.`, t.range);
      this.recover(true);
      return;
    }
    switch (t.value) {
      case 'define':
      case 'redefine':
        this.parseDefine();
        return;
      case 'undefine': {
        this.p++;
        const name = this.nameToken();
        if (name) this.defines.delete(name.value);
        else this.report('Missing name after "undefine".', t.range);
        return;
      }
      case 'include':
        this.parseInclude();
        return;
    }
    if (VERBS.has(t.value)) {
      this.p++;
      this.parseCommand(t, t.value);
      return;
    }
    if (OBJECT_WORDS.has(t.value)) {
      this.parseCommand(t, undefined);
      return;
    }
    this.report(`Unknown command "${t.value}": expected table, add, insert, flush, delete, define or include.`, t.range);
    this.recover(true);
  }

  private parseDefine(): void {
    const kw = this.next();
    const name = this.nameToken();
    if (!name) {
      this.report(`Missing name after "${kw.value}".`, kw.range);
      this.recover(false);
      return;
    }
    if (!this.isPunct(0, '=')) {
      this.report(`Missing "=" after "${kw.value} ${name.value}".`, [kw.range[0], name.range[1]]);
      this.recover(false);
      return;
    }
    this.p++;
    const value = this.parseExpr({ selector: false, list: true });
    if (!value) this.report(`Missing value for "${name.value}".`, [kw.range[0], this.prevEnd()]);
    this.defines.set(name.value, value);
    this.doc.defines.push({
      type: 'NftDefine',
      name: name.value,
      nameRange: name.range,
      ...(value ? { value } : {}),
      range: [kw.range[0], this.prevEnd()],
    });
  }

  private parseInclude(): void {
    const kw = this.next();
    const path = this.nameToken();
    if (!path) {
      this.report('Missing file name after "include".', kw.range);
      return;
    }
    this.doc.includes.push({ type: 'NftInclude', path: path.value, pathRange: path.range, range: [kw.range[0], path.range[1]] });
  }

  /** `[family] name`. */
  private tableSpec(start: number): TableSpec | undefined {
    let family: NftFamily = 'ip';
    let familyRange: Range | undefined;
    const t = this.peek();
    const after = this.peek(1).kind;
    if (t.kind === 'word' && FAMILIES.has(t.value) && (after === 'word' || after === 'string')) {
      family = t.value as NftFamily;
      familyRange = t.range;
      this.p++;
    }
    const name = this.nameToken();
    if (!name) {
      this.report('Missing table name.', [start, Math.max(start, this.prevEnd())]);
      this.recover(true);
      return undefined;
    }
    return familyRange ? { family, familyRange, name } : { family, name };
  }

  private requireName(what: string, start: number): LexToken | undefined {
    const name = this.nameToken();
    if (!name) {
      this.report(`Missing ${what} name.`, [start, this.prevEnd()]);
      this.recover(true);
    }
    return name;
  }

  private parseCommand(startTok: LexToken, verb: Verb | undefined): void {
    const start = startTok.range[0];
    const objTok = this.peek();
    if (objTok.kind !== 'word') {
      this.report(`Missing object after "${verb}": expected table, chain, rule, set, map or element.`, startTok.range);
      this.recover(true);
      return;
    }
    const obj = objTok.value;
    if (verb) this.sawCommand = true;
    if (verb && READ_VERBS.has(verb)) {
      this.p++;
      this.recover(true);
      this.command(verb, obj, start);
      return;
    }
    const v = verb ?? 'add';
    switch (obj) {
      case 'table':
        this.p++;
        this.tableCommand(v, start, verb === undefined);
        return;
      case 'chain':
        this.p++;
        this.chainCommand(v, start);
        return;
      case 'rule':
        this.p++;
        this.ruleCommand(v, start);
        return;
      case 'set':
      case 'map':
        this.p++;
        this.setCommand(v, obj, start);
        return;
      case 'element':
        this.p++;
        this.elementCommand(v, start);
        return;
      case 'ruleset': {
        this.p++;
        let family: NftFamily | undefined;
        if (this.isWord(0) && FAMILIES.has(this.peek().value)) family = this.next().value as NftFamily;
        if (v === 'flush') {
          for (const e of [...this.tables.values()]) if (!family || e.table.family === family) this.removeTable(e);
        }
        this.command(v, obj, start);
        return;
      }
    }
    if (NAMED_OBJECTS.has(obj)) {
      this.p++;
      this.objectCommand(v, obj, start);
      return;
    }
    if (verb && (v === 'add' || v === 'insert' || v === 'replace' || v === 'create')) {
      // `add ip filter input counter`: the `rule` keyword may be left out.
      this.ruleCommand(v, start);
      return;
    }
    this.report(`Unknown object "${obj}"${verb ? ` after "${verb}"` : ''}: expected table, chain, rule, set, map or element.`, objTok.range);
    this.recover(true);
  }

  private tableCommand(verb: Verb, start: number, bare: boolean): void {
    const spec = this.tableSpec(start);
    if (!spec) return;
    if (verb === 'add' || verb === 'create') {
      const hasBlock = this.isPunct(0, '{');
      if (bare) {
        if (hasBlock) this.sawBlock = true;
        else this.sawCommand = true;
      }
      const entry = this.tableEntry(spec, bare && hasBlock ? 'block' : 'command', [start, spec.name.range[1]]);
      if (hasBlock) {
        const open = this.next();
        const h = this.handleAfterOpen();
        if (h !== undefined) entry.table.handle = h;
        this.tableBlock(entry, open);
        if (entry.table.range[0] === start) entry.table.range = [start, this.prevEnd()];
      }
      if (!bare) this.command(verb, 'table', start, spec);
      return;
    }
    const entry = this.lookupTable(spec);
    if (entry && (verb === 'delete' || verb === 'destroy')) this.removeTable(entry);
    else if (entry && verb === 'flush') for (const c of entry.table.chains) c.rules = [];
    this.command(verb, 'table', start, spec);
  }

  private chainCommand(verb: Verb, start: number): void {
    const spec = this.tableSpec(start);
    if (!spec) return;
    const name = this.requireName('chain', start);
    if (!name) return;
    if (verb === 'add' || verb === 'create') {
      const entry = this.tableEntry(spec, 'implicit', [start, this.prevEnd()]);
      const chain = this.chainOf(entry, name, 'command', [start, name.range[1]]);
      if (this.isPunct(0, '{')) {
        const open = this.next();
        this.chainBlock(chain, open);
        if (chain.range[0] === start) chain.range = [start, this.prevEnd()];
      }
    } else {
      const entry = this.lookupTable(spec);
      let chain = entry?.chains.get(name.value);
      if (name.value === 'handle' && this.isWord(0) && NUMBER.test(this.peek().value)) {
        const h = Number(this.next().value);
        chain = entry?.table.chains.find((c) => c.handle === h);
      }
      if (entry && chain) {
        if (verb === 'delete' || verb === 'destroy') {
          entry.chains.delete(chain.name);
          remove(entry.table.chains, chain);
        } else if (verb === 'flush') chain.rules = [];
        else if (verb === 'rename' && this.isWord(0)) {
          const to = this.next();
          entry.chains.delete(chain.name);
          chain.name = to.value;
          for (const r of chain.rules) r.chain = to.value;
          entry.chains.set(to.value, chain);
        }
      }
    }
    this.command(verb, 'chain', start, spec, name);
  }

  private ruleCommand(verb: Verb, start: number): void {
    const spec = this.tableSpec(start);
    if (!spec) return;
    const name = this.requireName('chain', start);
    if (!name) return;
    let position: NftRule['position'];
    const pk = this.peek();
    if (pk.kind === 'word' && /^(?:position|handle|index)$/.test(pk.value) && this.isWord(1) && NUMBER.test(this.peek(1).value)) {
      this.p++;
      const n = this.next();
      position = { kind: pk.value as 'position' | 'handle' | 'index', value: Number(n.value), range: [pk.range[0], n.range[1]] };
    }
    if (verb === 'delete' || verb === 'destroy') {
      const chain = this.lookupTable(spec)?.chains.get(name.value);
      if (chain && position) {
        const i = chain.rules.findIndex((r) => r.handle === position.value);
        if (i !== -1) chain.rules.splice(i, 1);
      }
      this.command(verb, 'rule', start, spec, name);
      return;
    }
    const bodyFrom = this.p;
    const bodyStart = this.peek().range[0];
    const statements = this.parseStatements();
    if (statements.length === 0) {
      if (this.p === bodyFrom) this.report('Missing statements: the rule is empty.', [start, this.prevEnd()]);
      return;
    }
    const entry = this.tableEntry(spec, 'implicit', [start, this.prevEnd()]);
    const chain = this.chainOf(entry, name, 'implicit', [start, this.prevEnd()]);
    const rule = this.makeRule(chain, statements, bodyFrom, bodyStart, start);
    rule.command = verb as NonNullable<NftRule['command']>;
    if (position) rule.position = position;
    placeRule(chain, rule, verb, position);
  }

  private setCommand(verb: Verb, kind: 'set' | 'map', start: number): void {
    const spec = this.tableSpec(start);
    if (!spec) return;
    const name = this.requireName(kind, start);
    if (!name) return;
    if (verb === 'add' || verb === 'create') {
      const entry = this.tableEntry(spec, 'implicit', [start, this.prevEnd()]);
      const set = this.setOf(entry, name, kind, 'command', [start, name.range[1]]);
      if (this.isPunct(0, '{')) {
        const open = this.next();
        this.setBlock(set, open);
        if (set.range[0] === start) set.range = [start, this.prevEnd()];
      }
    } else {
      const entry = this.lookupTable(spec);
      const set = entry?.sets.get(name.value);
      if (entry && set) {
        if (verb === 'delete' || verb === 'destroy') this.removeSet(entry, set);
        else if (verb === 'flush') set.elements = [];
      }
    }
    this.command(verb, kind, start, spec, name);
  }

  private elementCommand(verb: Verb, start: number): void {
    const spec = this.tableSpec(start);
    if (!spec) return;
    const name = this.requireName('set', start);
    if (!name) return;
    if (!this.isPunct(0, '{')) {
      this.report(`Missing "{ ... }" with the elements of "${name.value}".`, [start, this.prevEnd()]);
      this.recover(true);
      return;
    }
    const elements = this.parseSetExpr().elements;
    if (verb === 'add' || verb === 'create') {
      const entry = this.tableEntry(spec, 'implicit', [start, name.range[1]]);
      const set = this.setOf(entry, name, 'set', 'implicit', [start, name.range[1]]);
      set.elements.push(...elements);
    } else if (verb === 'delete' || verb === 'destroy') {
      const set = this.lookupTable(spec)?.sets.get(name.value);
      if (set) {
        const gone = new Set(elements.map((e) => this.exprText(e.key.range)));
        set.elements = set.elements.filter((e) => !gone.has(this.exprText(e.key.range)));
      }
    }
    this.command(verb, 'element', start, spec, name);
  }

  private exprText(range: Range): string {
    return this.text.slice(range[0], range[1]).replace(/\s+/g, ' ');
  }

  /** `add counter ip t name { ... }`, `add ct helper ip t name { ... }`, `add flowtable ...`. */
  private objectCommand(verb: Verb, kind: string, start: number): void {
    let k = kind;
    if (kind === 'ct' && this.isWord(0)) k = `ct ${this.next().value}`;
    const spec = this.tableSpec(start);
    if (!spec) return;
    const name = this.requireName(k, start);
    if (!name) return;
    const from = this.p;
    if (this.isPunct(0, '{')) this.skipBlock(this.next(), k);
    if (verb === 'add' || verb === 'create') {
      const entry = this.tableEntry(spec, 'implicit', [start, name.range[1]]);
      entry.table.objects.push({
        type: 'NftObject',
        kind: k,
        family: spec.family,
        table: spec.name.value,
        name: name.value,
        nameRange: name.range,
        tokens: this.tokensFrom(from),
        range: [start, this.prevEnd()],
      });
    }
    this.command(verb, k, start, spec, name);
  }

  /** Skips a `{ ... }` block we keep only as tokens (flowtables, ct helpers...). */
  private skipBlock(open: LexToken, what: string): void {
    const close = this.closingBrace(this.p - 1);
    if (close === -1) {
      this.unclosed(open, what);
      while (this.peek().kind !== 'newline' && this.peek().kind !== 'eof') this.p++;
      return;
    }
    this.p = close + 1;
  }

  /* ------------------------------------------------------------ blocks */

  /**
   * At the next item of a `{ ... }` block (separators skipped): how the block ends here, if it
   * does. Its `}` closes it; the end of the text or a statement that cannot be inside it (`table`
   * in a table, `add rule` in a chain...) leaves it unclosed, which is reported at `open`.
   */
  private blockEnd(open: LexToken, what: string, ctx: 'table' | 'chain' | 'set'): BlockEnd | undefined {
    this.skipSeps();
    const t = this.peek();
    if (t.kind === 'eof') {
      this.unclosed(open, what);
      return 'eof';
    }
    if (t.kind === 'punct' && t.value === '}') {
      this.p++;
      return 'closed';
    }
    if (this.isIntruder(ctx)) {
      this.unclosed(open, what);
      return 'intruded';
    }
    return undefined;
  }

  private tableBlock(entry: TableEntry, open: LexToken): BlockEnd {
    const table = entry.table;
    const what = `table ${table.family} ${table.name}`;
    for (;;) {
      const end = this.blockEnd(open, what, 'table');
      if (end) return end;
      const t = this.peek();
      if (t.kind !== 'word') {
        this.report(`Unexpected "${t.value}" in ${what}: expected chain, set, map or another table object.`, t.range);
        this.recover(false);
        continue;
      }
      const start = t.range[0];
      switch (t.value) {
        case 'chain':
        case 'set':
        case 'map': {
          this.p++;
          const name = this.nameToken();
          if (!name || !this.isPunct(0, '{')) {
            this.report(`Expected "${t.value} NAME {" in ${what}.`, [start, this.prevEnd()]);
            this.recover(false);
            continue;
          }
          const brace = this.next();
          let end: BlockEnd;
          if (t.value === 'chain') {
            const chain = this.chainOf(entry, name, 'block', [start, brace.range[1]]);
            end = this.chainBlock(chain, brace);
            if (chain.range[0] === start) chain.range = [start, this.prevEnd()];
          } else {
            const set = this.setOf(entry, name, t.value, 'block', [start, brace.range[1]]);
            end = this.setBlock(set, brace);
            if (set.range[0] === start) set.range = [start, this.prevEnd()];
          }
          // The inner block already reported its missing `}`; close this one quietly with it.
          if (end === 'eof') return 'eof';
          if (end === 'intruded' && this.isIntruder('table')) return 'intruded';
          continue;
        }
        case 'flags':
          this.p++;
          while (this.isWord(0)) {
            table.flags.push(plainToken(this.next()));
            if (this.isPunct(0, ',')) this.p++;
            else break;
          }
          break;
        case 'comment': {
          this.p++;
          const c = this.nameToken();
          if (c) table.comment = plainToken(c);
          else this.report('Missing text after "comment".', t.range);
          break;
        }
        case 'define':
        case 'redefine':
          this.parseDefine();
          break;
        case 'include':
          this.parseInclude();
          break;
        default:
          if (NAMED_OBJECTS.has(t.value)) {
            this.p++;
            let kind = t.value;
            if (kind === 'ct' && this.isWord(0)) kind = `ct ${this.next().value}`;
            const name = this.nameToken();
            if (!name) {
              this.report(`Missing ${kind} name.`, [start, this.prevEnd()]);
              this.recover(false);
              continue;
            }
            const from = this.p;
            if (this.isPunct(0, '{')) this.skipBlock(this.next(), `${kind} ${name.value}`);
            table.objects.push({
              type: 'NftObject',
              kind,
              family: table.family,
              table: table.name,
              name: name.value,
              nameRange: name.range,
              tokens: this.tokensFrom(from),
              range: [start, this.prevEnd()],
            });
            break;
          }
          this.report(`Unexpected "${t.value}" in ${what}: expected chain, set, map or another table object.`, t.range);
          this.recover(false);
          continue;
      }
      this.endStatement(false);
    }
  }

  private chainBlock(chain: NftChain, open: LexToken): BlockEnd {
    const what = `chain ${chain.name}`;
    const h = this.handleAfterOpen();
    if (h !== undefined) chain.handle = h;
    for (;;) {
      const end = this.blockEnd(open, what, 'chain');
      if (end) return end;
      const t = this.peek();
      if (t.kind === 'word') {
        let handled = true;
        switch (t.value) {
          case 'type':
            this.chainHeader(chain);
            break;
          case 'policy':
            if (this.isWord(1) && this.atRuleEnd(2)) {
              this.p++;
              chain.policy = plainToken(this.next());
            } else handled = false;
            break;
          case 'comment':
            if (this.peek(1).kind === 'string' && this.atRuleEnd(2)) {
              this.p++;
              chain.comment = plainToken(this.next());
            } else handled = false;
            break;
          case 'devices':
            if (this.isPunct(1, '=')) {
              this.p += 2;
              chain.devices = this.deviceList();
            } else handled = false;
            break;
          case 'define':
          case 'redefine':
            this.parseDefine();
            break;
          case 'include':
            this.parseInclude();
            break;
          default:
            handled = false;
        }
        if (handled) {
          this.endStatement(false);
          continue;
        }
      }
      const from = this.p;
      const bodyStart = t.range[0];
      const statements = this.parseStatements();
      if (statements.length > 0) chain.rules.push(this.makeRule(chain, statements, from, bodyStart, bodyStart));
    }
  }

  /** `type filter hook input [device eth0] priority 0` (its `;` ends it; `policy` follows). */
  private chainHeader(chain: NftChain): void {
    const kw = this.next();
    const type = this.nameToken();
    if (!type) {
      this.report('Missing chain type after "type": expected filter, nat or route.', kw.range);
      this.recover(false);
      return;
    }
    chain.chainType = plainToken(type);
    if (!this.isWord(0, 'hook')) {
      this.report(`Missing "hook" after "type ${type.value}".`, [kw.range[0], type.range[1]]);
      this.recover(false);
      return;
    }
    const hookKw = this.next();
    const hook = this.nameToken();
    if (!hook) {
      this.report('Missing hook name after "hook".', hookKw.range);
      this.recover(false);
      return;
    }
    chain.hook = plainToken(hook);
    chain.base = true;
    for (;;) {
      if (this.isWord(0, 'device')) {
        this.p++;
        const d = this.nameToken();
        if (d) chain.device = plainToken(d);
      } else if (this.isWord(0, 'devices') && this.isPunct(1, '=')) {
        this.p += 2;
        chain.devices = this.deviceList();
      } else if (this.isWord(0, 'priority')) {
        const pk = this.next();
        const prio = this.parsePriority(chain.family);
        if (prio) chain.priority = prio;
        else this.report('Missing value after "priority".', pk.range);
      } else return;
    }
  }

  private deviceList(): Token[] {
    const e = this.parseExpr({ selector: false, list: true });
    if (!e) return [];
    return leafValues(e).map((v) => ({ value: v.kind === 'value' ? v.value : this.text.slice(v.range[0], v.range[1]), range: v.range }));
  }

  /** `priority srcnat + 10`, `priority -100`, `priority filter`. */
  private parsePriority(family: NftFamily): NftPriority | undefined {
    const parts: LexToken[] = [];
    while (!this.atRuleEnd() && !(parts.length > 0 && (this.isWord(0, 'policy') || this.isWord(0, 'device')))) {
      parts.push(this.next());
    }
    if (parts.length === 0) return undefined;
    const range: Range = [parts[0].range[0], parts[parts.length - 1].range[1]];
    const prio: NftPriority = { text: this.text.slice(range[0], range[1]), range };
    const named = family === 'bridge' ? NFT_BRIDGE_PRIORITIES : NFT_PRIORITIES;
    const num = (v: string): number | undefined => (/^[+-]?\d+$/.test(v) ? Number(v) : undefined);
    let value = num(parts[0].value) ?? (Object.hasOwn(named, parts[0].value) ? named[parts[0].value] : undefined);
    if (value !== undefined && parts.length === 3 && (parts[1].value === '+' || parts[1].value === '-')) {
      const n = num(parts[2].value);
      value = n === undefined ? undefined : parts[1].value === '+' ? value + n : value - n;
    } else if (value !== undefined && parts.length === 2) {
      const n = /^[+-]\d+$/.test(parts[1].value) ? Number(parts[1].value) : undefined;
      value = n === undefined ? undefined : value + n;
    } else if (parts.length !== 1) value = undefined;
    if (value !== undefined) prio.value = value;
    return prio;
  }

  private setBlock(set: NftSet | NftMap, open: LexToken): BlockEnd {
    const what = `${set.type === 'NftMap' ? 'map' : 'set'} ${set.name}`;
    const h = this.handleAfterOpen();
    if (h !== undefined) set.handle = h;
    for (;;) {
      const end = this.blockEnd(open, what, 'set');
      if (end) return end;
      const t = this.peek();
      if (t.kind !== 'word') {
        this.report(`Unexpected "${t.value}" in ${what}.`, t.range);
        this.recover(false);
        continue;
      }
      switch (t.value) {
        case 'type':
        case 'typeof':
          this.p++;
          this.typeSpec(set, t.value === 'typeof', t);
          break;
        case 'flags':
          this.p++;
          while (this.isWord(0)) {
            set.flags.push(plainToken(this.next()));
            if (this.isPunct(0, ',')) this.p++;
            else break;
          }
          break;
        case 'elements':
          this.p++;
          if (!this.isPunct(0, '=') || !this.isPunct(1, '{')) {
            this.report('Expected "elements = { ... }".', [t.range[0], this.peek().range[1]]);
            this.recover(false);
            continue;
          }
          this.p++;
          set.elements.push(...this.parseSetExpr().elements);
          break;
        case 'comment': {
          this.p++;
          const c = this.nameToken();
          if (c) set.comment = plainToken(c);
          else this.report('Missing text after "comment".', t.range);
          break;
        }
        case 'define':
        case 'redefine':
          this.parseDefine();
          break;
        case 'include':
          this.parseInclude();
          break;
        default: {
          const from = this.p;
          this.p++;
          while (!this.atRuleEnd()) {
            if (this.isPunct(0, '{')) this.parseSetExpr();
            else this.p++;
          }
          set.properties.push({ name: t.value, tokens: this.tokensFrom(from), range: [t.range[0], this.prevEnd()] });
        }
      }
      this.endStatement(false);
    }
  }

  /** `type ipv4_addr . inet_service : verdict`, `typeof ip saddr`. */
  private typeSpec(set: NftSet | NftMap, isTypeof: boolean, kw: LexToken): void {
    const key: LexToken[] = [];
    const data: LexToken[] = [];
    let target = key;
    while (!this.atRuleEnd()) {
      const t = this.next();
      if (t.kind === 'punct' && t.value === ':' && target === key) target = data;
      else target.push(t);
    }
    const spec = (toks: LexToken[]): NftTypeSpec => ({
      text: toks.map((t) => t.value).join(' '),
      typeof: isTypeof,
      range: [toks[0].range[0], toks[toks.length - 1].range[1]],
    });
    if (key.length === 0) {
      this.report(`Missing data type after "${kw.value}".`, kw.range);
      return;
    }
    set.keyType = spec(key);
    if (data.length > 0) set.dataType = spec(data);
  }

  /* ------------------------------------------------------------ rules */

  private makeRule(chain: NftChain, statements: NftStatement[], from: number, bodyStart: number, start: number): NftRule {
    const end = this.prevEnd();
    const rule: NftRule = {
      type: 'NftRule',
      family: chain.family,
      table: chain.table,
      chain: chain.name,
      tokens: [],
      statements,
      bodyRange: [bodyStart, end],
      line: this.source.positionAt(start).line,
      range: [start, end],
    };
    lazyTokens(rule, this.toks, from, this.p);
    for (const s of statements) if (s.type === 'NftRuleComment') rule.comment = s.text;
    const after = this.peek();
    if (after.kind === 'newline' && after.handle !== undefined) rule.handle = after.handle;
    return rule;
  }
}

/** Puts a rule where its command says: `insert` before, `add` after the rule it names, or first/last. */
function placeRule(chain: NftChain, rule: NftRule, verb: Verb, position: NftRule['position']): void {
  let i = -1;
  if (position) {
    i =
      position.kind === 'index'
        ? position.value < chain.rules.length
          ? position.value
          : -1
        : chain.rules.findIndex((r) => r.handle === position.value);
  }
  if (verb === 'replace' && i !== -1) chain.rules[i] = rule;
  else if (verb === 'insert') {
    if (i !== -1) chain.rules.splice(i, 0, rule);
    else chain.rules.unshift(rule);
  } else if (i !== -1) chain.rules.splice(i + 1, 0, rule);
  else chain.rules.push(rule);
}

/**
 * `rule.tokens`, made from the token table on first use: most rules never need them, and a
 * 100k-line ruleset holds millions.
 */
function lazyTokens(rule: NftRule, table: TokenTable, from: number, to: number): void {
  const own = (value: NftRule['tokens']) =>
    Object.defineProperty(rule, 'tokens', { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(rule, 'tokens', {
    enumerable: true,
    configurable: true,
    get() {
      const value = table.slice(from, to);
      own(value);
      return value;
    },
    set(value: NftRule['tokens']) {
      own(value);
    },
  });
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i !== -1) list.splice(i, 1);
}

/** Parses an nft file; never throws on user input. */
export function parseNft(source: SourceText, filePath: string): ParseResult {
  const findings: Finding[] = [];
  const report: Reporter = (message, range) => findings.push(engineFinding(source, filePath, 'parse-error', message, range));
  const { tokens, comments, problems } = lex(source.text);
  for (const problem of problems) report(problem.message, problem.range);
  const root = new NftParser(source, tokens, report).parseDocument();
  root.comments = comments;
  findings.sort((a, b) => a.range[0] - b.range[0]);
  const document: SourceDocument<NftDocument> = { kind: 'nft', filePath, source, root, comments };
  return { documents: [document], findings };
}

/** Visits the document, then per table its sets, maps, chains, and each chain's rules and statements. */
export function walkNft(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as NftDocument;
  visit(root);
  for (const table of root.tables) {
    visit(table);
    for (const s of table.sets) visit(s);
    for (const m of table.maps) visit(m);
    for (const chain of table.chains) {
      visit(chain);
      for (const rule of chain.rules) {
        visit(rule);
        for (const s of rule.statements) visit(s);
      }
    }
  }
}
