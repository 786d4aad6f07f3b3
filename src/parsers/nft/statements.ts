import type { Token } from '../../model/node.js';
import type {
  NftExpr,
  NftNat,
  NftNatFlag,
  NftNatFlagName,
  NftNatKind,
  NftNatTarget,
  NftOperator,
  NftSelectorExpr,
  NftSetElement,
  NftSetExpr,
  NftStatement,
  NftToken,
  NftValueExpr,
  NftVerdictName,
} from '../../model/nft.js';
import type { Range } from '../../model/source.js';
import { EOF, NEWLINE, OPEN_STRING, PUNCT, STRING, WORD, type LexToken, type TokenTable } from './lexer.js';

/** Payload protocols and extension headers: `<proto> <field>` (`ip saddr`, `th dport`, `hbh nexthdr`). */
const PAYLOAD = new Set([
  'ether', 'vlan', 'arp', 'ip', 'icmp', 'igmp', 'ip6', 'icmpv6', 'ah', 'esp', 'comp', 'udp', 'udplite',
  'tcp', 'dccp', 'sctp', 'th', 'gre', 'gretap', 'geneve', 'vxlan', 'hbh', 'frag', 'dst', 'mh', 'srh',
  'rt0', 'rt2', 'rt4', 'exthdr', 'auth',
]);
/** Meta keys nft prints without `meta` (`meta_key_is_unqualified` in nftables' src/meta.c). */
const META_UNQUALIFIED = new Set(['iif', 'oif', 'iifname', 'oifname', 'iifgroup', 'oifgroup']);
/** Meta keys accepted without `meta` (nftables parser_bison.y `meta_key_unqualified`). */
const META_BARE = new Set([
  ...META_UNQUALIFIED, 'mark', 'iiftype', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid', 'ibrname',
  'obrname', 'ibriport', 'obriport', 'ibrpvid', 'ibrvproto', 'pkttype', 'cpu', 'cgroup', 'time',
  'day', 'hour',
]);
/** Expressions that take a key word: `meta l4proto`, `ct state`, `fib ...`, `numgen random mod 2`. */
const KEYED = new Set(['meta', 'ct', 'fib', 'rt', 'socket', 'osf', 'numgen', 'jhash', 'symhash', 'ipsec']);
const RAW_PAYLOAD = new Set(['@ll', '@nh', '@th', '@ih']);
const TCP_OPTION_FIELDS = new Set([
  'kind', 'length', 'size', 'value', 'type', 'count', 'left', 'right', 'tsval', 'tsecr', 'subtype', 'addr', 'ptr',
]);

/** Words that start a statement other than a match. */
export const STATEMENT_KEYWORDS = new Set([
  'accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue', 'reject', 'counter', 'comment',
  'masquerade', 'snat', 'dnat', 'redirect', 'log', 'limit', 'quota', 'notrack', 'dup', 'fwd', 'tproxy',
  'flow', 'synproxy', 'xt', 'last', 'update',
]);
const SIMPLE_VERDICTS = new Set(['accept', 'drop', 'continue', 'return']);
const NAT_KINDS = new Set<string>(['masquerade', 'snat', 'dnat', 'redirect']);
const NAT_FLAGS: Readonly<Record<string, NftNatFlagName>> = {
  random: 'random',
  'fully-random': 'fully-random',
  // ip6tables-nft up to 1.8.7 printed this spelling; nft -f rejects it, but dumps carry it (DOMAIN.md section 2.2).
  'random-fully': 'fully-random',
  persistent: 'persistent',
};
const REL_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);
const REL_WORDS: Readonly<Record<string, NftOperator>> = { eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=' };
const BIN_PUNCT = new Set(['&', '|', '^', '<<', '>>', '/']);
const BIN_WORDS = new Set(['and', 'or', 'xor', 'lshift', 'rshift']);
const ELEMENT_OPTIONS = new Set(['timeout', 'expires', 'comment', 'counter']);
/** `a-b` where both sides are numbers or addresses (names like `echo-request` stay values). */
const RANGE_WORD = /^([0-9a-fA-F.:]*[0-9][0-9a-fA-F.:]*)-([0-9a-fA-F.:]*[0-9][0-9a-fA-F.:]*)$/;
const NUMERIC_OR_ADDRESS = /^(?:\d+|.*[.:].*)$/;
const MAX_DEPTH = 200;
const CACHE_SIZE = 256;

export type Reporter = (message: string, range: Range) => void;

interface ExprOptions {
  /** Selectors may appear (assignments, NAT targets, set members of `update @s { ip saddr }`). */
  selector: boolean;
  /** `a,b` is a list (relational right-hand sides), not a separator. */
  list: boolean;
}

const RHS: ExprOptions = { selector: false, list: true };
const MEMBER: ExprOptions = { selector: true, list: false };
const VALUE: ExprOptions = { selector: true, list: true };

/** Token cursor with the expression and statement grammar of nft rules. */
export class StatementParser {
  protected p = 0;
  private depth = 0;
  /** `define`d values, for `$name`. */
  protected readonly defines = new Map<string, NftExpr | undefined>();
  /** Selector keys, interned: a big ruleset repeats `ip saddr` many thousand times. */
  private readonly keys = new Map<string, string>();
  /** Token objects by index, direct-mapped: lookahead is short, so a small cache suffices. */
  private readonly cacheIndex = new Int32Array(CACHE_SIZE).fill(-1);
  private readonly cacheToken: LexToken[] = new Array<LexToken>(CACHE_SIZE);
  protected readonly last: number;
  private unclosedAt = -1;

  constructor(
    protected readonly text: string,
    protected readonly toks: TokenTable,
    protected readonly report: Reporter,
  ) {
    this.last = toks.count - 1;
  }

  /* ------------------------------------------------------------ cursor */

  /** The token at index `i` (clamped to the end-of-file token). */
  protected tok(i: number): LexToken {
    const j = i < this.last ? i : this.last;
    const slot = j & (CACHE_SIZE - 1);
    if (this.cacheIndex[slot] === j) return this.cacheToken[slot];
    const t = this.toks.token(j);
    this.cacheIndex[slot] = j;
    this.cacheToken[slot] = t;
    return t;
  }

  protected kindAt(o: number): number {
    const i = this.p + o;
    return this.toks.kinds[i < this.last ? i : this.last];
  }

  protected peek(o = 0): LexToken {
    return this.tok(this.p + o);
  }

  protected next(): LexToken {
    const t = this.tok(this.p);
    if (this.p < this.last) this.p++;
    return t;
  }

  protected isWord(o: number, value?: string): boolean {
    if (this.kindAt(o) !== WORD) return false;
    return value === undefined || this.toks.is(this.p + o, value);
  }

  protected isPunct(o: number, value: string): boolean {
    return this.kindAt(o) === PUNCT && this.toks.is(this.p + o, value);
  }

  /** Newline, `;` or end of file. */
  protected atSep(o = 0): boolean {
    const k = this.kindAt(o);
    return k === NEWLINE || k === EOF || (k === PUNCT && this.toks.is(this.p + o, ';'));
  }

  /** A rule ends at a separator or at the `}` of its chain block. */
  protected atRuleEnd(o = 0): boolean {
    const k = this.kindAt(o);
    if (k === NEWLINE || k === EOF) return true;
    if (k !== PUNCT) return false;
    const i = this.p + o;
    return this.toks.is(i, ';') || this.toks.is(i, '}');
  }

  /** End offset of the last consumed token. */
  protected prevEnd(): number {
    return this.p > 0 ? this.toks.ends[this.p - 1] : 0;
  }

  protected startOf(i: number): number {
    return this.toks.starts[i];
  }

  protected skipNewlines(): void {
    while (this.toks.kinds[this.p] === NEWLINE) this.p++;
  }

  protected nameToken(): LexToken | undefined {
    const k = this.kindAt(0);
    if (k === WORD || k === STRING || k === OPEN_STRING) return this.next();
    return undefined;
  }

  /** Tokens `[from, p)` without newlines, as model tokens. */
  protected tokensFrom(from: number): NftToken[] {
    return this.toks.slice(from, this.p);
  }

  /**
   * Reports a missing `}` unless one was already reported where parsing stopped: nested sets or
   * blocks that all end at the same place are one malformed shape, so one finding.
   */
  protected reportUnclosed(message: string, range: Range): void {
    if (this.p === this.unclosedAt) return;
    this.unclosedAt = this.p;
    this.report(message, range);
  }

  protected intern(key: string): string {
    const k = this.keys.get(key);
    if (k !== undefined) return k;
    this.keys.set(key, key);
    return key;
  }

  /* ------------------------------------------------------------ expressions */

  /** True if the token at `o` starts a selector (`ip saddr`, `iifname`, `meta mark`, `ct state`...). */
  protected isSelectorStart(o = 0): boolean {
    const t = this.peek(o);
    if (t.kind !== 'word') return false;
    const w = t.value;
    if (META_BARE.has(w)) return true;
    if (PAYLOAD.has(w) || KEYED.has(w) || w === 'rt') return this.isWord(o + 1);
    return RAW_PAYLOAD.has(w) && this.isPunct(o + 1, ',');
  }

  /** True if the token at `o` starts a statement. */
  protected isStatementStart(o = 0): boolean {
    const t = this.peek(o);
    if (t.kind !== 'word') return false;
    if (STATEMENT_KEYWORDS.has(t.value) || this.isSelectorStart(o)) return true;
    return (t.value === 'add' || t.value === 'delete') && this.peek(o + 1).value.startsWith('@');
  }

  protected parseSelector(): NftSelectorExpr {
    const from = this.p;
    const first = this.next();
    const w = first.value;
    const word = (): void => {
      if (this.isWord(0)) this.p++;
    };
    const pairs = (names: readonly string[]): void => {
      while (this.isWord(0) && names.includes(this.peek().value) && !this.atRuleEnd(1)) this.p += 2;
    };
    let key: string | undefined;
    if (META_BARE.has(w)) {
      key = META_UNQUALIFIED.has(w) ? w : `meta ${w}`;
    } else if (w === 'meta') {
      const k = this.next().value;
      key = META_UNQUALIFIED.has(k) ? k : `meta ${k}`;
    } else if (w === 'ct') {
      if (this.isWord(0, 'original') || this.isWord(0, 'reply')) this.p++;
      if ((this.isWord(0, 'ip') || this.isWord(0, 'ip6')) && this.isWord(1)) this.p++;
      word();
    } else if (w === 'fib') {
      word();
      while (this.isPunct(0, '.') && this.isWord(1)) this.p += 2;
      word();
    } else if (w === 'rt') {
      if ((this.isWord(0, 'ip') || this.isWord(0, 'ip6')) && this.isWord(1)) this.p++;
      word();
    } else if (w === 'socket') {
      const k = this.next().value;
      if (k === 'cgroupv2') pairs(['level']);
    } else if (w === 'osf') {
      pairs(['ttl']);
      word();
    } else if (w === 'numgen') {
      word();
      pairs(['mod', 'offset']);
    } else if (w === 'jhash') {
      while (this.isSelectorStart(0)) {
        this.parseSelector();
        if (this.isPunct(0, '.')) this.p++;
        else break;
      }
      pairs(['mod', 'seed', 'offset']);
    } else if (w === 'symhash') {
      pairs(['mod', 'offset']);
    } else if (w === 'ipsec') {
      word();
      pairs(['spnum']);
      if ((this.isWord(0, 'ip') || this.isWord(0, 'ip6')) && this.isWord(1)) this.p++;
      word();
    } else if (RAW_PAYLOAD.has(w)) {
      for (let i = 0; i < 4 && (this.isPunct(0, ',') || this.isWord(0)); i++) this.p++;
    } else if (this.isWord(0, 'option') && (w === 'tcp' || w === 'ip')) {
      this.p++;
      word();
      if (this.isWord(0) && TCP_OPTION_FIELDS.has(this.peek().value)) this.p++;
    } else {
      word();
    }
    if (key === undefined) {
      key = this.toks.value(from);
      for (let i = from + 1; i < this.p; i++) key += ' ' + this.toks.value(i);
    }
    return { kind: 'selector', key: this.intern(key), range: [first.range[0], this.prevEnd()] };
  }

  protected valueOf(t: LexToken): NftExpr {
    const v = t.value;
    if (t.kind === 'word' && v.length > 1) {
      if (v[0] === '@') return { kind: 'setref', name: v.slice(1), range: t.range };
      if (v[0] === '$') {
        const name = v.slice(1);
        const e: NftExpr = { kind: 'variable', name, range: t.range };
        const resolved = this.defines.get(name);
        if (resolved) e.resolved = resolved;
        return e;
      }
      const m = RANGE_WORD.exec(v);
      if (m && NUMERIC_OR_ADDRESS.test(m[1]) && NUMERIC_OR_ADDRESS.test(m[2])) {
        const s = t.range[0];
        const split = s + m[1].length;
        return {
          kind: 'range',
          low: { kind: 'value', value: m[1], range: [s, split] },
          high: { kind: 'value', value: m[2], range: [split + 1, t.range[1]] },
          range: t.range,
        };
      }
    }
    const e: NftValueExpr = { kind: 'value', value: v, range: t.range };
    if (t.quoted) e.quoted = true;
    return e;
  }

  protected parsePrimary(opts: ExprOptions): NftExpr | undefined {
    const t = this.peek();
    if (t.kind === 'word') {
      if (opts.selector && this.isSelectorStart(0)) return this.parseSelector();
      this.p++;
      return this.valueOf(t);
    }
    if (t.kind === 'string') {
      this.p++;
      return this.valueOf(t);
    }
    if (t.kind === 'punct' && t.value === '{') return this.parseSetExpr();
    if (t.kind === 'punct' && t.value === '(') return this.parseParen();
    return undefined;
  }

  protected parseParen(): NftExpr {
    const open = this.next();
    if (this.depth > MAX_DEPTH) return this.tooDeep(open);
    this.depth++;
    const inner = this.parseExpr(VALUE);
    this.depth--;
    if (this.isPunct(0, ')')) this.p++;
    else this.report('Missing ")": the "(" opened here is not closed.', open.range);
    const range: Range = [open.range[0], this.prevEnd()];
    return inner ? { ...inner, range } : { kind: 'raw', tokens: [], range };
  }

  private tooDeep(open: LexToken): NftExpr {
    this.report('Expression nested too deeply.', open.range);
    // Skip to the end of the line; the sets around it end there without more findings.
    while (!this.atSep()) this.p++;
    this.unclosedAt = this.p;
    return { kind: 'raw', tokens: [], range: [open.range[0], this.prevEnd()] };
  }

  /** A primary followed by `.`, `-`, bitwise operators, `,` lists (when allowed) and `map`. */
  protected parseExpr(opts: ExprOptions): NftExpr | undefined {
    let left = this.parsePrimary(opts);
    if (!left) return undefined;
    for (;;) {
      const t = this.peek();
      const start: number = left.range[0];
      if (t.kind === 'punct' && t.value === '.') {
        this.p++;
        const right = this.parsePrimary(opts);
        if (!right) {
          this.report('Missing expression after ".".', t.range);
          break;
        }
        const parts: NftExpr[] = left.kind === 'concat' ? [...left.parts, right] : [left, right];
        left = { kind: 'concat', parts, range: [start, right.range[1]] };
      } else if (t.kind === 'punct' && t.value === '-') {
        this.p++;
        const right = this.parsePrimary(opts);
        if (!right) {
          this.report('Missing upper bound after "-".', t.range);
          break;
        }
        left =
          left.kind === 'value' && right.kind === 'value'
            ? { kind: 'range', low: left, high: right, range: [start, right.range[1]] }
            : { kind: 'binary', op: '-', left, right, range: [start, right.range[1]] };
      } else if ((t.kind === 'punct' && BIN_PUNCT.has(t.value)) || (t.kind === 'word' && BIN_WORDS.has(t.value))) {
        this.p++;
        const right = this.parsePrimary(opts);
        if (!right) {
          this.report(`Missing operand after "${t.value}".`, t.range);
          break;
        }
        left = { kind: 'binary', op: t.value, left, right, range: [start, right.range[1]] };
      } else if (opts.list && t.kind === 'punct' && t.value === ',') {
        this.p++;
        const right = this.parsePrimary(opts);
        if (!right) {
          this.report('Missing list item after ",".', t.range);
          break;
        }
        const items: NftExpr[] = left.kind === 'list' ? [...left.items, right] : [left, right];
        left = { kind: 'list', items, range: [start, right.range[1]] };
      } else if (t.kind === 'word' && t.value === 'map' && !this.atRuleEnd(1)) {
        this.p++;
        const map = this.parsePrimary({ selector: false, list: false });
        if (!map) {
          this.report('Missing map after "map".', t.range);
          break;
        }
        left = { kind: 'map', key: left, map, range: [start, map.range[1]] };
      } else break;
    }
    return left;
  }

  /**
   * `{ a, b }`, `{ key : value, ... }`, nested sets. Newlines are allowed after `{` and `,` and
   * before `,` and `}` (nft's `opt_newline`); anything else after a member means the `}` is
   * missing: one `parse-error` at the `{`, and the set ends there so the rule goes on.
   */
  protected parseSetExpr(): NftSetExpr {
    const open = this.next();
    const elements: NftSetElement[] = [];
    let closed = false;
    if (this.depth > MAX_DEPTH) {
      this.tooDeep(open);
      return { kind: 'set', elements, closed, range: [open.range[0], this.prevEnd()] };
    }
    this.depth++;
    const unclosed = () => this.reportUnclosed('Missing "}": the "{" opened here is not closed.', open.range);
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'punct' && t.value === '}') {
        this.p++;
        closed = true;
        break;
      }
      if (t.kind === 'punct' && t.value === ',') {
        this.p++;
        continue;
      }
      const element = t.kind === 'eof' || (t.kind === 'punct' && t.value === ';') ? undefined : this.parseElement();
      if (!element) {
        unclosed();
        break;
      }
      elements.push(element);
      const save = this.p;
      this.skipNewlines();
      if (this.isPunct(0, ',') || this.isPunct(0, '}')) continue;
      this.p = save;
      unclosed();
      break;
    }
    this.depth--;
    return { kind: 'set', elements, closed, range: [open.range[0], closed ? this.prevEnd() : Math.max(open.range[1], this.prevEnd())] };
  }

  protected parseElement(): NftSetElement | undefined {
    const start = this.peek().range[0];
    const key = this.parseExpr(MEMBER);
    if (!key) return undefined;
    const element: NftSetElement = { key, options: [], range: [start, start] };
    this.parseElementOptions(element);
    if (this.isPunct(0, ':')) {
      const colon = this.next();
      const value = this.parseMapData();
      if (value) element.value = value;
      else this.report('Missing map value after ":".', colon.range);
      this.parseElementOptions(element);
    }
    element.range = [start, this.prevEnd()];
    return element;
  }

  private parseElementOptions(element: NftSetElement): void {
    while (this.isWord(0) && ELEMENT_OPTIONS.has(this.peek().value)) {
      const from = this.p;
      const name = this.next().value;
      if (name === 'counter') {
        while ((this.isWord(0, 'packets') || this.isWord(0, 'bytes')) && this.isWord(1)) this.p += 2;
      } else {
        const v = this.nameToken();
        if (v && name === 'comment') element.comment = v.value;
      }
      element.options.push(...this.tokensFrom(from));
    }
  }

  /** Map data: a verdict (`goto chain`, `drop`) or a value expression. */
  private parseMapData(): NftExpr | undefined {
    const t = this.peek();
    if (t.kind === 'word' && (SIMPLE_VERDICTS.has(t.value) || t.value === 'jump' || t.value === 'goto')) {
      this.p++;
      if (t.value === 'jump' || t.value === 'goto') {
        const target = this.nameToken();
        if (!target) {
          this.report(`Missing chain name after "${t.value}".`, t.range);
          return { kind: 'verdict', verdict: t.value, range: t.range };
        }
        return { kind: 'verdict', verdict: t.value, target: plainToken(target), range: [t.range[0], target.range[1]] };
      }
      return { kind: 'verdict', verdict: t.value, range: t.range };
    }
    return this.parseExpr(MEMBER);
  }

  /* ------------------------------------------------------------ statements */

  /** Statements up to the end of the rule (separator or `}`); never consumes the terminator. */
  protected parseStatements(): NftStatement[] {
    const out: NftStatement[] = [];
    while (!this.atRuleEnd()) {
      const before = this.p;
      const s = this.parseStatement();
      if (s) out.push(s);
      if (this.p === before) this.p++; // never loop: a statement always consumes a token
    }
    return out;
  }

  protected parseStatement(): NftStatement | undefined {
    const t = this.peek();
    if (t.kind !== 'word') {
      this.report(`Unexpected "${t.value}": expected a statement.`, t.range);
      this.skipBadStatement();
      return undefined;
    }
    const w = t.value;
    const start = t.range[0];
    const range = (): Range => [start, this.prevEnd()];
    if (SIMPLE_VERDICTS.has(w)) {
      this.p++;
      return { type: 'NftVerdict', verdict: w as NftVerdictName, args: [], range: t.range };
    }
    switch (w) {
      case 'jump':
      case 'goto': {
        this.p++;
        const target = this.nameToken();
        if (!target) this.report(`Missing chain name after "${w}".`, t.range);
        return { type: 'NftVerdict', verdict: w, ...(target ? { target: plainToken(target) } : {}), args: [], range: range() };
      }
      case 'reject':
      case 'queue': {
        this.p++;
        const from = this.p;
        if (w === 'reject') {
          if (this.isWord(0, 'with')) {
            this.p++;
            if (this.isWord(0, 'tcp')) this.p += this.isWord(1, 'reset') ? 2 : 1;
            else {
              if (this.isWord(0)) this.p++;
              if (this.isWord(0, 'type')) this.p++;
              if (this.isWord(0) && !this.isStatementStart(0)) this.p++;
            }
          }
        } else {
          for (;;) {
            if ((this.isWord(0, 'num') || this.isWord(0, 'to')) && !this.atRuleEnd(1)) this.p += 2;
            else if (this.isWord(0, 'flags')) this.skipWordList(1);
            else if (this.isWord(0, 'bypass') || this.isWord(0, 'fanout')) this.p++;
            else break;
          }
        }
        return { type: 'NftVerdict', verdict: w, args: this.tokensFrom(from), range: range() };
      }
      case 'counter': {
        this.p++;
        const counter: NftStatement = { type: 'NftCounter', range: t.range };
        for (;;) {
          if ((this.isWord(0, 'packets') || this.isWord(0, 'bytes')) && this.isWord(1)) {
            const k = this.next().value as 'packets' | 'bytes';
            const n = Number(this.next().value);
            if (Number.isFinite(n)) counter[k] = n;
          } else if (this.isWord(0, 'name') && !this.atRuleEnd(1)) {
            this.p++;
            counter.name = plainToken(this.next());
          } else break;
        }
        counter.range = range();
        return counter;
      }
      case 'comment': {
        this.p++;
        const v = this.nameToken();
        if (!v) {
          this.report('Missing text after "comment".', t.range);
          return { type: 'NftGeneric', keyword: w, tokens: [toNftToken(t)], range: t.range };
        }
        return { type: 'NftRuleComment', text: v.value, range: range() };
      }
      case 'update':
        return this.parseSetStatement();
      case 'add':
      case 'delete':
        if (this.peek(1).value.startsWith('@')) return this.parseSetStatement();
        break;
      case 'ct':
        if (this.isWord(1, 'count')) {
          const from = this.p;
          this.p += 2;
          if (this.isWord(0, 'over')) this.p++;
          if (this.isWord(0)) this.p++;
          return { type: 'NftGeneric', keyword: w, tokens: this.tokensFrom(from), range: range() };
        }
        break;
    }
    if (NAT_KINDS.has(w)) return this.parseNat();
    if (STATEMENT_KEYWORDS.has(w)) return this.parseKeywordStatement();
    if (this.isSelectorStart(0)) return this.parseSelectorStatement();
    return this.parseGeneric();
  }

  /** Skips a statement that cannot start: to the next statement or the rule's end. */
  private skipBadStatement(): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || (depth === 0 && (t.kind === 'newline' || (t.kind === 'punct' && t.value === ';')))) return;
      if (t.kind === 'punct' && t.value === '}') {
        if (depth === 0) return;
        depth--;
      } else if (t.kind === 'punct' && t.value === '{') depth++;
      else if (t.kind === 'newline') return;
      else if (depth === 0 && this.isStatementStart(0)) return;
      this.p++;
    }
  }

  private skipWordList(skipFirst: number): void {
    this.p += skipFirst;
    if (!this.isWord(0)) return;
    this.p++;
    while (this.isPunct(0, ',') && this.isWord(1)) this.p += 2;
  }

  /** `update @set { ip saddr timeout 10s }`, `add @set { ... }`, `delete @set { ... }`. */
  private parseSetStatement(): NftStatement {
    const from = this.p;
    const keyword = this.next().value;
    if (this.peek().value.startsWith('@')) this.p++;
    if (this.isPunct(0, '{')) this.parseSetExpr();
    return { type: 'NftGeneric', keyword, tokens: this.tokensFrom(from), range: [this.startOf(from), this.prevEnd()] };
  }

  /** `log ...`, `limit ...`, `quota ...`, `dup`, `fwd`, `tproxy`, `flow`, `synproxy`, `notrack`, `xt`, `last`. */
  private parseKeywordStatement(): NftStatement {
    const from = this.p;
    const keyword = this.next().value;
    const one = (names: readonly string[]) => {
      while (this.isWord(0) && names.includes(this.peek().value) && !this.atRuleEnd(1)) this.p += 2;
    };
    switch (keyword) {
      case 'log':
        for (;;) {
          const before = this.p;
          one(['prefix', 'level', 'group', 'snaplen', 'queue-threshold']);
          if (this.isWord(0, 'flags')) this.skipWordList(1);
          if (this.p === before) break;
        }
        break;
      case 'limit':
        if (this.isWord(0, 'name')) one(['name']);
        else if (this.isWord(0, 'rate')) {
          this.p++;
          if (this.isWord(0, 'over') || this.isWord(0, 'until')) this.p++;
          if (this.isWord(0)) {
            const v = this.next().value;
            if (!v.includes('/') && this.isWord(0) && this.peek().value.includes('/')) this.p++;
          }
          if (this.isWord(0, 'burst') && this.isWord(1)) {
            this.p += 2;
            if (this.isWord(0) && /^(?:packets|bytes|kbytes|mbytes)$/.test(this.peek().value)) this.p++;
          }
        }
        break;
      case 'quota':
        if (this.isWord(0, 'name')) one(['name']);
        else {
          if (this.isWord(0, 'over') || this.isWord(0, 'until')) this.p++;
          if (this.isWord(0)) this.p++;
          if (this.isWord(0) && /bytes$/.test(this.peek().value)) this.p++;
          if (this.isWord(0, 'used') && this.isWord(1)) {
            this.p += 2;
            if (this.isWord(0) && /bytes$/.test(this.peek().value)) this.p++;
          }
        }
        break;
      case 'dup':
      case 'fwd':
      case 'tproxy':
        if ((this.isWord(0, 'ip') || this.isWord(0, 'ip6')) && this.isWord(1, 'to')) this.p++;
        if (this.isWord(0, 'to')) {
          this.p++;
          this.parseExpr({ selector: true, list: false });
          if (this.isPunct(0, ':') && this.isWord(1)) this.p += 2;
        }
        if (this.isWord(0, 'device')) {
          this.p++;
          this.parseExpr({ selector: true, list: false });
        }
        break;
      case 'flow':
        if (this.isWord(0, 'add') || this.isWord(0, 'offload')) this.p++;
        if (this.isWord(0, 'table') && !this.atRuleEnd(1)) this.p += 2;
        if (this.isWord(0) && this.peek().value.startsWith('@')) this.p++;
        if (this.isPunct(0, '{')) this.parseSetExpr();
        break;
      case 'synproxy':
        for (;;) {
          if ((this.isWord(0, 'mss') || this.isWord(0, 'wscale')) && this.isWord(1)) this.p += 2;
          else if (this.isWord(0, 'timestamp') || this.isWord(0, 'sack-perm')) this.p++;
          else break;
        }
        break;
      case 'xt':
        if (this.isWord(0)) this.p++;
        if (this.nameToken() === undefined) break;
        break;
      case 'last':
        if (this.isWord(0, 'used') && !this.atRuleEnd(1)) {
          this.p += 2;
          while (this.isWord(0) && !this.isStatementStart(0)) this.p++;
        }
        break;
      default:
        // notrack and friends take no arguments.
        break;
    }
    return { type: 'NftGeneric', keyword, tokens: this.tokensFrom(from), range: [this.startOf(from), this.prevEnd()] };
  }

  /** An unknown statement: its keyword and the tokens up to the next known statement. */
  private parseGeneric(): NftStatement {
    const from = this.p;
    const keyword = this.next().value;
    while (!this.atRuleEnd() && !this.isStatementStart(0)) {
      if (this.isPunct(0, '{')) this.parseSetExpr();
      else this.p++;
    }
    return { type: 'NftGeneric', keyword, tokens: this.tokensFrom(from), range: [this.startOf(from), this.prevEnd()] };
  }

  /** `<selector> [op] <value>`, `<selector> set <value>`, `<selector> vmap <map>`. */
  private parseSelectorStatement(): NftStatement {
    const start = this.peek().range[0];
    let left: NftExpr = this.parseSelector();
    // Left-hand continuations: concatenations and bitwise operations (`meta mark & 0xff`).
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && t.value === '.') {
        this.p++;
        const right = this.parsePrimary(MEMBER);
        if (!right) {
          this.report('Missing expression after ".".', t.range);
          break;
        }
        const parts: NftExpr[] = left.kind === 'concat' ? [...left.parts, right] : [left, right];
        left = { kind: 'concat', parts, range: [start, right.range[1]] };
      } else if ((t.kind === 'punct' && BIN_PUNCT.has(t.value)) || (t.kind === 'word' && BIN_WORDS.has(t.value))) {
        this.p++;
        const right = this.parsePrimary({ selector: false, list: false });
        if (!right) {
          this.report(`Missing operand after "${t.value}".`, t.range);
          break;
        }
        left = { kind: 'binary', op: t.value, left, right, range: [start, right.range[1]] };
      } else break;
    }
    const key = keyOf(left);
    const t = this.peek();
    if (t.kind === 'word' && t.value === 'set') {
      this.p++;
      const value = this.parseExpr(VALUE);
      if (!value) {
        this.report(`Missing value after "${key} set".`, t.range);
        return { type: 'NftGeneric', keyword: 'set', tokens: [], range: [start, this.prevEnd()] };
      }
      return { type: 'NftAssign', key, left, value, range: [start, this.prevEnd()] };
    }
    if (t.kind === 'word' && t.value === 'vmap') {
      this.p++;
      const map = this.parsePrimary({ selector: false, list: false });
      if (!map) {
        this.report('Missing verdict map after "vmap".', t.range);
        return { type: 'NftGeneric', keyword: 'vmap', tokens: [], range: [start, this.prevEnd()] };
      }
      return { type: 'NftVerdictMap', key, left, map, range: [start, this.prevEnd()] };
    }
    let op: NftOperator = '';
    let opRange: Range | undefined;
    if (t.kind === 'punct' && REL_OPS.has(t.value)) op = t.value as NftOperator;
    else if (t.kind === 'word' && REL_WORDS[t.value] && !this.atRuleEnd(1)) op = REL_WORDS[t.value];
    if (op) {
      opRange = t.range;
      this.p++;
    }
    const right = this.parseExpr(RHS);
    if (!right) {
      const bad = this.peek();
      this.report(`Missing value to compare ${key} with.`, [start, this.prevEnd()]);
      if (!this.atRuleEnd() && bad.kind === 'punct') this.skipBadStatement();
      return { type: 'NftGeneric', keyword: key, tokens: [], range: [start, this.prevEnd()] };
    }
    const match: NftStatement = { type: 'NftMatch', key, left, op, negated: op === '!=', right, range: [start, this.prevEnd()] };
    if (opRange) match.opRange = opRange;
    return match;
  }

  /**
   * `masquerade [to :port] [flags]`, `snat [ip|ip6] [prefix|interval|addr . port] [to] expr [flags]`,
   * `dnat ...`, `redirect [to [:]port] [flags]`. Flags are comma-separated
   * (`random,fully-random,persistent`; nft rejects them separated by blanks only).
   */
  private parseNat(): NftNat {
    const kw = this.next();
    const kind = kw.value as NftNatKind;
    const nat: NftNat = { type: 'NftNat', kind, keyword: plainToken(kw), flags: [], range: kw.range };
    const addressing = kind === 'snat' || kind === 'dnat';
    if (addressing && (this.isWord(0, 'ip') || this.isWord(0, 'ip6')) && /^(?:to|prefix|interval|addr)$/.test(this.peek(1).value)) {
      nat.family = plainToken(this.next());
    }
    if (addressing) {
      if (this.isWord(0, 'prefix') || this.isWord(0, 'interval')) nat.mapping = this.next().value;
      else if (this.isWord(0, 'addr') && this.isPunct(1, '.') && this.isWord(2, 'port')) {
        this.p += 3;
        nat.mapping = 'addr . port';
      }
    }
    if (this.isWord(0, 'to')) {
      const to = this.next();
      const target = this.parseNatTarget(kind);
      if (target) nat.to = target;
      else this.report(`Missing ${kind === 'masquerade' || kind === 'redirect' ? 'port' : 'address'} after "to".`, to.range);
    } else if (addressing && this.looksLikeAddress(0)) {
      // Old syntax without `to` (`snat 1.2.3.4`), still accepted by nft.
      const target = this.parseNatTarget(kind);
      if (target) nat.to = target;
    }
    this.parseNatFlags(nat);
    nat.range = [kw.range[0], this.prevEnd()];
    return nat;
  }

  private looksLikeAddress(o: number): boolean {
    const t = this.peek(o);
    return t.kind === 'word' && !(t.value in NAT_FLAGS) && /^[\d[$:]|:/.test(t.value);
  }

  private parseNatTarget(kind: NftNatKind): NftNatTarget | undefined {
    const t = this.peek();
    if (t.kind === 'word' && !this.isSelectorStart(0) && !t.value.startsWith('@') && !(t.value in NAT_FLAGS)) {
      this.p++;
      const target: NftNatTarget = { expr: this.valueOf(t), range: t.range };
      if (target.expr.kind === 'range') target.expr = { kind: 'value', value: t.value, range: t.range };
      splitAddressPort(t, kind, target);
      // `1.2.3.4 : 1024` written with blanks.
      if (!target.port && this.isPunct(0, ':') && this.isWord(1)) {
        this.p++;
        const port = this.next();
        target.port = plainToken(port);
        target.range = [t.range[0], port.range[1]];
      }
      return target;
    }
    const expr = this.parseExpr({ selector: true, list: false });
    if (!expr) return undefined;
    return { expr, range: expr.range };
  }

  private parseNatFlags(nat: NftNat): void {
    const take = (t: LexToken): NftNatFlag => {
      const flag: NftNatFlag = { name: t.value, canonical: NAT_FLAGS[t.value], range: t.range };
      nat.flags.push(flag);
      return flag;
    };
    let expectMore = false;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'word' && t.value in NAT_FLAGS) {
        if (nat.flags.length > 0 && !expectMore) {
          this.report(`Missing "," before NAT flag "${t.value}": nft flags are comma-separated.`, t.range);
        }
        this.p++;
        take(t);
        expectMore = false;
        if (this.isPunct(0, ',')) {
          const comma = this.next();
          expectMore = true;
          const u = this.peek();
          if (!(u.kind === 'word' && u.value in NAT_FLAGS)) {
            this.report(
              u.kind === 'word'
                ? `Unknown NAT flag "${u.value}": expected random, fully-random or persistent.`
                : 'Missing NAT flag after ",".',
              u.kind === 'word' ? u.range : comma.range,
            );
            if (u.kind === 'word') this.p++;
            return;
          }
        }
        continue;
      }
      return;
    }
  }
}

/**
 * A lexer token as a model token. Word, string and punctuation tokens already have the model's
 * shape, so they are shared, not copied: a 100k-line ruleset has millions of them.
 */
export function plainToken(t: LexToken): Token {
  return t;
}

export function toNftToken(t: LexToken): NftToken {
  return t as NftToken;
}

/** The canonical key of a left-hand side: `ip saddr`, `meta mark`, `ip daddr . meta l4proto . th dport`. */
export function keyOf(e: NftExpr): string {
  switch (e.kind) {
    case 'selector':
      return e.key;
    case 'concat':
      return e.parts.map(keyOf).join(' . ');
    case 'binary':
      return keyOf(e.left);
    case 'value':
      return e.value;
    default:
      return e.kind;
  }
}

/**
 * Splits a NAT target word into address and port with their own ranges: `10.180.0.1:80`,
 * `[fec0::1]:80-90`, `:1024-65535`, `fec0::1` (a bare IPv6 address has no port), `$ADDR`.
 */
function splitAddressPort(t: LexToken, kind: NftNatKind, target: NftNatTarget): void {
  const v = t.value;
  const s = t.range[0];
  const tok = (from: number, to: number): Token => ({ value: v.slice(from, to), range: [s + from, s + to] });
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    if (close === -1) {
      target.address = tok(0, v.length);
      return;
    }
    target.address = tok(1, close);
    if (v[close + 1] === ':' && close + 2 < v.length) target.port = tok(close + 2, v.length);
    return;
  }
  if (v.startsWith(':')) {
    if (v.length > 1) target.port = tok(1, v.length);
    return;
  }
  const colons = v.split(':').length - 1;
  if (colons === 0) {
    if (kind === 'redirect' || kind === 'masquerade') target.port = tok(0, v.length);
    else target.address = tok(0, v.length);
  } else if (colons === 1) {
    const c = v.indexOf(':');
    target.address = tok(0, c);
    if (c + 1 < v.length) target.port = tok(c + 1, v.length);
  } else {
    target.address = tok(0, v.length);
  }
}
