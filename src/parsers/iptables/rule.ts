import {
  IptablesTarget,
  type Counters,
  type Criterion,
  type IptablesChain,
  type IptablesMatch,
  type IptablesOption,
  type IptablesRule,
  type IptablesTargetParts,
  type IptablesTargetSource,
} from '../../model/iptables.js';
import type { Range } from '../../model/source.js';
import { BASIC_FLAGS, COMMANDS, VALUELESS_OPTIONS } from './options.js';
import type { RuleTable } from './select.js';
import { LineToken, LineTokens, RangeInterner } from './tokenize.js';

export const COUNTERS = /^\[(\d+):(\d+)\]$/;

/** A line-level problem: one `parse-error` at `range`. */
export class LineError {
  constructor(
    public message: string,
    public range: Range,
  ) {}
}

export function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One shared string per distinct value (names that repeat on every rule). */
export function interned(intern: Map<string, string>, value: string): string {
  const known = intern.get(value);
  if (known !== undefined) return known;
  intern.set(value, value);
  return value;
}

/** What the rules of one document share. */
export interface RuleSource {
  text: string;
  /** One string per option flag, module, target, protocol and interface name. */
  intern: Map<string, string>;
  /** The same, looked up by offsets (unquoted names). */
  names: RangeInterner;
}

/**
 * What the first pass learns about a rule line while it checks the grammar (one instance,
 * reset per line; nothing is allocated per rule).
 */
export class RuleScan {
  /** Token index of the target's name, or -1. */
  targetTok = -1;
  targetKind: 'jump' | 'goto' = 'jump';
  hasCriteria = false;
  /** Basic options, then matches, then the target: the text reads as the signature. */
  canonical = true;
  /** `-c PACKETS BYTES` inside the rule. */
  counterOption = false;
  /** Token index of the value of the last `-s`, `-d` and `-p`, or -1. */
  sourceTok = -1;
  destinationTok = -1;
  protocolTok = -1;

  reset(): void {
    this.targetTok = -1;
    this.targetKind = 'jump';
    this.hasCriteria = false;
    this.canonical = true;
    this.counterOption = false;
    this.sourceTok = -1;
    this.destinationTok = -1;
    this.protocolTok = -1;
  }
}

/** The parts of a rule built on first use. */
interface RuleDetails {
  counters: Counters | undefined;
  options: IptablesOption[];
  matches: IptablesMatch[];
  target: IptablesTargetParts | undefined;
  source: Criterion | undefined;
  destination: Criterion | undefined;
  protocol: Criterion | undefined;
  inInterface: Criterion | undefined;
  outInterface: Criterion | undefined;
  comment: string | undefined;
}

/** Builds the full model of a rule line: tokens, options, matches, criteria. */
class RuleBuilder {
  readonly tokens: (LineToken | undefined)[] = [];
  readonly details: RuleDetails;

  constructor(
    readonly lt: LineTokens,
    readonly intern: Map<string, string>,
    counters: Counters | undefined,
  ) {
    // Every property present from the start: one hidden class for all details.
    this.details = {
      counters,
      options: [],
      matches: [],
      target: undefined,
      source: undefined,
      destination: undefined,
      protocol: undefined,
      inInterface: undefined,
      outInterface: undefined,
      comment: undefined,
    };
  }

  /** Token `k` as an object (one per index; option flags share one string per spelling). */
  token(k: number): LineToken {
    let t = this.tokens[k];
    if (!t) {
      const lt = this.lt;
      let value = lt.value(k);
      if (!lt.quoted[k] && value.charCodeAt(0) === 45 /* - */) value = interned(this.intern, value);
      t = new LineToken(value, lt.start[k], lt.end[k], lt.quoted[k] === 1);
      this.tokens[k] = t;
    }
    return t;
  }
}

/** Long spellings of the basic options by length, for lookups without a string per token. */
const BASIC_LONG: [string, string][][] = [];
for (const [spelling, name] of [
  ['--source', 'source'],
  ['--src', 'source'],
  ['--destination', 'destination'],
  ['--dst', 'destination'],
  ['--protocol', 'protocol'],
  ['--in-interface', 'in-interface'],
  ['--out-interface', 'out-interface'],
  ['--fragment', 'fragment'],
  ['--ipv4', 'ipv4'],
  ['--ipv6', 'ipv6'],
] as const) {
  (BASIC_LONG[spelling.length] ??= []).push([spelling, name]);
}

/** Target and match options without a value, by length of their name. */
const VALUELESS_BY_LENGTH: string[][] = [];
for (const name of VALUELESS_OPTIONS) (VALUELESS_BY_LENGTH[name.length] ??= []).push(name);

/** True if the option `--name` written at `text[s, e)` takes no value (no string per token). */
function isValueless(text: string, s: number, e: number): boolean {
  const candidates = VALUELESS_BY_LENGTH[e - s - 2];
  if (!candidates) return false;
  const c = text.charCodeAt(s + 2);
  for (const name of candidates) if (name.charCodeAt(0) === c && text.startsWith(name, s + 2)) return true;
  return false;
}

/** The canonical name of a basic option (`-s`, `--src`...) written at `text[s, e)`. */
function basicOption(text: string, s: number, e: number): string | undefined {
  if (e - s === 2) {
    switch (text.charCodeAt(s + 1)) {
      case 115 /* s */:
        return 'source';
      case 100 /* d */:
        return 'destination';
      case 112 /* p */:
        return 'protocol';
      case 105 /* i */:
        return 'in-interface';
      case 111 /* o */:
        return 'out-interface';
      case 102 /* f */:
        return 'fragment';
      case 52 /* 4 */:
        return 'ipv4';
      case 54 /* 6 */:
        return 'ipv6';
    }
    return undefined;
  }
  const candidates = BASIC_LONG[e - s];
  if (candidates) for (const [spelling, name] of candidates) if (text.startsWith(spelling, s)) return name;
  return undefined;
}

/** Where `--long` options go: nowhere yet, the last match, or the target. */
const NO_CONTEXT = 0;
const MATCH_CONTEXT = 1;
const TARGET_CONTEXT = 2;

/**
 * Reads the options of `-A CHAIN ...` from token `i` on, checking the grammar as iptables-restore
 * does, and throws a `LineError` at the first problem. Without `b` it only fills `s` (the first
 * pass); with `b` it also builds the model (a rule's details, on first use).
 */
export function readRule(lt: LineTokens, i: number, s: RuleScan, b: RuleBuilder | undefined): void {
  const text = lt.text;
  const n = lt.count;
  const start = lt.start;
  const end = lt.end;
  let context: number = NO_CONTEXT;
  /** 0: basic options, 1: matches, 2: target (for `canonical`). */
  let phase = 0;
  let negation = -1;
  // The builder's current match or target.
  let ctxOptions: IptablesOption[] | undefined;
  let ctxRange: Range | undefined;
  let ctxComment = false;

  while (i < n) {
    if (lt.isBang(i)) {
      if (negation >= 0) throw new LineError('Double negation "! !".', [start[i], end[i]]);
      negation = i;
      i++;
      continue;
    }
    if (!lt.isFlag(i)) {
      throw new LineError(`Unexpected "${truncate(lt.value(i))}": expected an option.`, [start[i], end[i]]);
    }
    const fs = start[i];
    const fe = end[i];
    const len = fe - fs;
    const c1 = text.charCodeAt(fs + 1);
    const long = c1 === 45; /* -- */

    if ((len === 2 && c1 === 109) /* -m */ || (len === 7 && text.startsWith('--match', fs))) {
      if (negation >= 0) throw new LineError('"!" cannot negate -m; put it before a match option.', [start[negation], end[negation]]);
      const k = i + 1;
      if (k >= n || lt.isFlag(k)) throw new LineError(`Missing module name after ${lt.value(i)}.`, [fs, fe]);
      if (phase === 2) s.canonical = false;
      phase = 1;
      if (!s.hasCriteria && !lt.valueIs(k, 'comment')) s.hasCriteria = true;
      context = MATCH_CONTEXT;
      if (b) {
        const nameTok = b.token(k);
        nameTok.value = interned(b.intern, nameTok.value);
        const match: IptablesMatch = { type: 'IptablesMatch', name: nameTok.value, nameToken: nameTok, options: [], range: [fs, nameTok.end] };
        b.details.matches.push(match);
        ctxOptions = match.options;
        ctxRange = match.range;
        ctxComment = match.name === 'comment';
      }
      i += 2;
      continue;
    }

    const jump = (len === 2 && c1 === 106) /* -j */ || (len === 6 && text.startsWith('--jump', fs));
    if (jump || (len === 2 && c1 === 103) /* -g */ || (len === 6 && text.startsWith('--goto', fs))) {
      if (negation >= 0) throw new LineError(`"!" cannot negate ${lt.value(i)}.`, [start[negation], end[negation]]);
      if (s.targetTok >= 0) throw new LineError(`A rule has one target; found a second ${lt.value(i)}.`, [fs, fe]);
      const k = i + 1;
      if (k >= n || lt.isFlag(k)) throw new LineError(`Missing target after ${lt.value(i)}.`, [fs, fe]);
      s.targetTok = k;
      s.targetKind = jump ? 'jump' : 'goto';
      phase = 2;
      context = TARGET_CONTEXT;
      if (b) {
        const nameTok = b.token(k);
        nameTok.value = interned(b.intern, nameTok.value);
        const parts: IptablesTargetParts = { nameToken: nameTok, options: [], range: [fs, nameTok.end] };
        b.details.target = parts;
        ctxOptions = parts.options;
        ctxRange = parts.range;
        ctxComment = false;
      }
      i += 2;
      continue;
    }

    if ((len === 2 && c1 === 99) /* -c */ || (len === 14 && text.startsWith('--set-counters', fs))) {
      const p = i + 1;
      const q = i + 2;
      if (q >= n || !lt.isDigits(p) || !lt.isDigits(q)) throw new LineError(`Expected "${lt.value(i)} PACKETS BYTES".`, [fs, fe]);
      s.counterOption = true;
      if (b) b.details.counters = { packets: lt.value(p), bytes: lt.value(q), range: [fs, end[q]] };
      i += 3;
      continue;
    }

    const basic = basicOption(text, fs, fe);
    if (!basic && !long) throw new LineError(`Unknown option "${lt.value(i)}".`, [fs, fe]);
    const valueless = basic ? BASIC_FLAGS.has(basic) : isValueless(text, fs, fe);
    let j = i + 1;
    const firstValue = j;
    if (!valueless) {
      if (j < n && lt.isBang(j)) {
        const flag = lt.value(i);
        const v = j + 1 < n ? lt.value(j + 1) : undefined;
        const example = v !== undefined ? `! ${flag} ${v}` : `! ${flag} VALUE`;
        throw new LineError(
          `Legacy negation "${flag} ! ${v ?? ''}": iptables 1.8 rejects "!" after the option; write "${example}".`,
          [fs, end[v !== undefined ? j + 1 : j]],
        );
      }
      // Basic options take exactly one argument (getopt in iptables' xshared.c), so a stray word
      // after one is an error, as in iptables-restore ("Bad argument"). Module and target
      // options keep every following word: a few take two (--tcp-flags, --match-set).
      const last = basic ? Math.min(j + 1, n) : n;
      while (j < last && !lt.isFlag(j) && !lt.isBang(j)) j++;
      if (j === firstValue) throw new LineError(`Missing value after ${lt.value(i)}.`, [fs, fe]);
    }
    const negated = negation >= 0;
    const optionStart = negated ? start[negation] : fs;
    const optionEnd = j > firstValue ? end[j - 1] : fe;

    if (basic) {
      if (phase > 0) s.canonical = false;
      s.hasCriteria = true;
      if (basic === 'source') s.sourceTok = firstValue;
      else if (basic === 'destination') s.destinationTok = firstValue;
      else if (basic === 'protocol') s.protocolTok = firstValue;
      if (b) {
        const option = makeOption(b, i, basic, negation, firstValue, j, optionStart, optionEnd);
        const values = option.values;
        // Protocols and interface names repeat on every rule; addresses mostly do not.
        if (basic === 'protocol' || basic === 'in-interface' || basic === 'out-interface') values[0].value = interned(b.intern, values[0].value);
        b.details.options.push(option);
        const criterion: Criterion = { value: values[0]?.value ?? '', negated, range: option.range };
        const d = b.details;
        if (basic === 'source') d.source = criterion;
        else if (basic === 'destination') d.destination = criterion;
        else if (basic === 'protocol') d.protocol = criterion;
        else if (basic === 'in-interface') d.inInterface = criterion;
        else if (basic === 'out-interface') d.outInterface = criterion;
      }
      negation = -1;
      i = j;
      continue;
    }

    if (context === NO_CONTEXT) {
      // `-p tcp --dport 80` loads the protocol's match implicitly (iptables' "proto match").
      if (s.protocolTok < 0 || lt.value(s.protocolTok).length === 0) {
        throw new LineError(`Option "${lt.value(i)}" belongs to no match or target: add "-m MODULE" or "-j TARGET" before it.`, [fs, fe]);
      }
      context = MATCH_CONTEXT;
      phase = 1;
      if (b) {
        const protocol = b.details.protocol!;
        const proto = protocol.value.toLowerCase();
        const implicit: IptablesMatch = {
          type: 'IptablesMatch',
          name: proto,
          nameToken: { value: proto, range: protocol.range },
          options: [],
          // The match's range grows with its options below.
          range: [optionStart, optionEnd],
        };
        b.details.matches.push(implicit);
        ctxOptions = implicit.options;
        ctxRange = implicit.range;
        ctxComment = proto === 'comment';
      }
    }
    if (b) {
      const option = makeOption(b, i, undefined, negation, firstValue, j, optionStart, optionEnd);
      ctxOptions!.push(option);
      if (optionEnd > ctxRange![1]) ctxRange![1] = optionEnd;
      if (ctxComment && option.name === 'comment') {
        const d = b.details;
        const value = option.values[0]?.value;
        d.comment = d.comment === undefined ? value : `${d.comment} ${value ?? ''}`;
      }
    }
    negation = -1;
    i = j;
  }
  if (negation >= 0) throw new LineError('"!" at the end of the rule negates nothing.', [start[negation], end[negation]]);
  if (b) {
    // Arrays grown by push keep spare capacity; keep exact-size copies.
    const d = b.details;
    d.options = exact(d.options);
    d.matches = exact(d.matches);
    for (const m of d.matches) m.options = exact(m.options);
    if (d.target) d.target.options = exact(d.target.options);
  }
}

/** `--match`, `--jump`, `--goto` or `--set-counters` at `text[s, s + len)`. */
function isCommandLong(text: string, s: number, len: number): boolean {
  if (len === 6) return text.startsWith('--jump', s) || text.startsWith('--goto', s);
  return (len === 7 && text.startsWith('--match', s)) || (len === 14 && text.startsWith('--set-counters', s));
}

/** What `longOptionKind` tells of a `--name` token. */
const LONG_OTHER = 0;
const LONG_VALUED = 1;
const LONG_VALUELESS = 2;

/**
 * The `--name` tokens `longOptionKind` read last, by a hash of their length and two of their
 * characters, with what it found: a dump repeats a few (`--comment`, `--mode`, `--dport`) on
 * every line, and one comparison then replaces three searches of the option tables.
 */
const LONG_SEEN: (string | undefined)[] = new Array(256).fill(undefined);
const LONG_SEEN_KIND = new Uint8Array(256);

/**
 * Whether the `--name` token at `text[fs, fs + len)` is a basic option or a command in its long
 * spelling (`--source`, `--jump`: LONG_OTHER, for readRule), or a module or target option with a
 * value or without.
 */
function longOptionKind(text: string, fs: number, len: number): number {
  const slot = ((len << 3) ^ text.charCodeAt(fs + len - 1) ^ (text.charCodeAt(fs + 2) << 1)) & 255;
  const seen = LONG_SEEN[slot];
  if (seen !== undefined && seen.length === len && text.startsWith(seen, fs)) return LONG_SEEN_KIND[slot];
  const kind =
    basicOption(text, fs, fs + len) !== undefined || isCommandLong(text, fs, len) ? LONG_OTHER : isValueless(text, fs, fs + len) ? LONG_VALUELESS : LONG_VALUED;
  // A copy: a slice of 13 characters or more would keep the whole text alive in this table.
  LONG_SEEN[slot] = (' ' + text.slice(fs, fs + len)).slice(1);
  LONG_SEEN_KIND[slot] = kind;
  return kind;
}

/**
 * The first pass of {@link readRule} for the options most rule lines are made of, one look at
 * each token: `!`, `-m`, `-j`, `-g`, `-s`, `-d`, `-p`, `-i`, `-o`, `-f` and module or target
 * options `--name`. Returns false as soon as the line has anything else (another spelling,
 * `-c`, an error): `readRule` then reads it, and reports what is wrong. When it returns true, `s`
 * holds what `readRule(lt, i, s, undefined)` would have put there.
 */
export function readRuleFast(lt: LineTokens, i: number, s: RuleScan): boolean {
  const text = lt.text;
  const n = lt.count;
  const start = lt.start;
  const end = lt.end;
  let context: number = NO_CONTEXT;
  let phase = 0;
  let negated = false;
  while (i < n) {
    const fs = start[i];
    const len = end[i] - fs;
    if (lt.quoted[i] === 1) return false;
    const c0 = text.charCodeAt(fs);
    if (len === 1 && c0 === 33 /* ! */) {
      if (negated) return false;
      negated = true;
      i++;
      continue;
    }
    if (c0 !== 45 /* - */ || len < 2) return false;
    const c1 = text.charCodeAt(fs + 1);
    // `-1` is a value, not an option.
    if (c1 >= 48 && c1 <= 57) return false;
    if (c1 === 45 /* -- */) {
      // A module or target option (the long spellings of -m, -j, -s... are read by readRule).
      const kind = longOptionKind(text, fs, len);
      if (kind === LONG_OTHER) return false;
      if (context === NO_CONTEXT) {
        // `-p tcp --dport 80`: the protocol's match, loaded implicitly.
        if (s.protocolTok < 0) return false;
        context = MATCH_CONTEXT;
        phase = 1;
      }
      let j = i + 1;
      if (kind === LONG_VALUELESS) {
        // A valueless option takes no value: a word after it is an error.
        if (j < n && !lt.isFlag(j) && !lt.isBang(j)) return false;
      } else {
        while (j < n && !lt.isFlag(j) && !lt.isBang(j)) j++;
        if (j === i + 1) return false;
      }
      negated = false;
      i = j;
      continue;
    }
    if (len !== 2) return false;
    switch (c1) {
      case 109 /* m */: {
        const k = i + 1;
        if (negated || k >= n || lt.isFlag(k) || lt.quoted[k] === 1) return false;
        if (phase === 2) s.canonical = false;
        phase = 1;
        if (!s.hasCriteria && !(end[k] - start[k] === 7 && text.startsWith('comment', start[k]))) s.hasCriteria = true;
        context = MATCH_CONTEXT;
        i += 2;
        continue;
      }
      case 106 /* j */:
      case 103 /* g */: {
        const k = i + 1;
        if (negated || s.targetTok >= 0 || k >= n || lt.isFlag(k)) return false;
        s.targetTok = k;
        s.targetKind = c1 === 106 ? 'jump' : 'goto';
        phase = 2;
        context = TARGET_CONTEXT;
        i += 2;
        continue;
      }
      case 115 /* s */:
      case 100 /* d */:
      case 112 /* p */:
      case 105 /* i */:
      case 111 /* o */: {
        // Exactly one value.
        const k = i + 1;
        if (k >= n || lt.isFlag(k) || lt.isBang(k)) return false;
        if (phase > 0) s.canonical = false;
        s.hasCriteria = true;
        if (c1 === 115) s.sourceTok = k;
        else if (c1 === 100) s.destinationTok = k;
        else if (c1 === 112) {
          if (lt.quoted[k] === 1) return false;
          s.protocolTok = k;
        }
        negated = false;
        i += 2;
        continue;
      }
      case 102 /* f */:
        if (phase > 0) s.canonical = false;
        s.hasCriteria = true;
        negated = false;
        i++;
        continue;
    }
    return false;
  }
  return !negated;
}

function makeOption(
  b: RuleBuilder,
  i: number,
  basic: string | undefined,
  negation: number,
  firstValue: number,
  j: number,
  optionStart: number,
  optionEnd: number,
): IptablesOption {
  const flag = b.token(i);
  const values: LineToken[] = [];
  for (let k = firstValue; k < j; k++) values.push(b.token(k));
  return {
    type: 'IptablesOption',
    flag,
    name: basic ?? flag.value.slice(2),
    negated: negation >= 0,
    values,
    range: [optionStart, optionEnd],
    // Always present, for one hidden class.
    negationRange: negation >= 0 ? b.token(negation).range : undefined,
  };
}

/** The array without spare capacity. */
export function exact<T>(a: T[]): T[] {
  return a.length === 0 ? a : a.slice();
}

/** Rules whose signature an earlier rule has, each with the first rule of that signature, in file order. */
export function duplicatesBySignature(rules: readonly IptablesRule[]): [IptablesRule, IptablesRule][] {
  const firsts = new Map<string, IptablesRule>();
  const found: [IptablesRule, IptablesRule][] = [];
  for (const r of rules) {
    const key = r.signature;
    const first = firsts.get(key);
    if (first) found.push([r, first]);
    else firsts.set(key, r);
  }
  return found;
}

/**
 * True if `text` reads the same `length` characters at `a` and at `b`, compared from the end:
 * rules of one chain differ in their values and target more often than in their first options.
 */
function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = length - 1; k >= 0; k--) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** Chains with more rules than this have their rules looked up by signature instead of compared in pairs. */
const SMALL_CHAIN = 8;

/** Tokens for building details on first use (never used by the first pass, which has its own). */
const detailTokens = new LineTokens();
const detailScan = new RuleScan();

const INSERT = 1;
const HAS_CRITERIA = 2;
/** The text from the chain to the end of the line is the signature. */
const PLAIN_SIGNATURE = 4;
const GOTO = 8;
/** The rule's `chain` was set to another name (its text then no longer reads as the signature). */
const RENAMED = 16;
/** The rule's object has its target (built or set): its name is read there. */
const OWN_TARGET = 32;
/** The rule's `chain` was set: it is read from the rule's object. */
const OWN_CHAIN = 64;

/**
 * The rules of one table as columns of numbers: what the first pass learns about each rule line,
 * kept outside the JavaScript heap. A rule's object ({@link ParsedRule}) is made when someone
 * first asks for it (`table.rules`, `chain.rules`), and its details when someone reads them, so
 * a 100,000-rule dump leaves the garbage collector little to copy while it is parsed.
 */
export class RuleColumns implements RuleTable {
  count = 0;
  start = new Int32Array(256);
  end = new Int32Array(256);
  chainStart = new Int32Array(256);
  chainEnd = new Int32Array(256);
  line = new Int32Array(256);
  /** INSERT, HAS_CRITERIA, PLAIN_SIGNATURE, GOTO, RENAMED, OWN_TARGET, OWN_CHAIN. */
  bits = new Int32Array(256);
  /** The next rule of the same chain, or -1 (chains keep their rules as a list until asked). */
  next = new Int32Array(256);
  /** Each rule's chain's `index` (duplicates are looked for by chain). */
  chainIndex = new Int32Array(256);
  /** The rule before each rule in its chain, in file order, or -1. */
  previousInChain = new Int32Array(256);
  /** Each rule's chain and target name (shared strings). */
  chainOf: RuleChain[] = [];
  targetName: (string | undefined)[] = [];
  /** `-I CHAIN N` positions by rule. */
  positions: Map<number, number> | undefined = undefined;
  /** Rules whose `chain` was set (OWN_CHAIN). */
  chainsSet = 0;
  /** Rules whose object has its target (OWN_TARGET). */
  targetsOwned = 0;
  /** Chains numbered by `addChain`. */
  chainCount = 0;
  /** By chain index: its last rule so far (or -1) and its number of rules. */
  lastInChain = new Int32Array(64);
  chainSize = new Int32Array(64);
  #objects: (ParsedRule | undefined)[] = [];
  #all: ParsedRule[] | undefined = undefined;
  /** The rules without criteria, in file order (few: a chain's last rule, a jump to a chain). */
  #unconditional: number[] = [];
  /** Chains with more than SMALL_CHAIN rules, by index, in the order they grew past it. */
  #largeChains: number[] = [];
  /**
   * By large chain: the keys (`#signatureKey`) of its rules' plain signatures, or null once two
   * rules share one or a rule's signature is not its text (`duplicates()` then compares its rules'
   * signatures). Noted as rules are added, where the parser's code is hot: a chain of rules that
   * each jump elsewhere (KUBE-SERVICES) then needs no signature at all.
   */
  #largeKeys = new Map<number, Set<number> | null>();
  /**
   * The target names the parser did not find among the table's chains when it read them (built-in
   * targets, chains declared after the rule, undefined chains): every other rule's target was a
   * chain of the table then.
   */
  readonly #unresolved = new Set<string>();
  /** Signatures that are not their line's text, made once each per `duplicates()`. */
  #strings: Map<number, string> | undefined = undefined;

  constructor(
    readonly source: RuleSource,
    readonly table: string,
  ) {}

  /** The index of a new chain of the table (`RuleChain.index`). */
  addChain(): number {
    const c = this.chainCount++;
    if (c === this.lastInChain.length) {
      const last = new Int32Array(c * 2);
      last.set(this.lastInChain);
      this.lastInChain = last;
      const size = new Int32Array(c * 2);
      size.set(this.chainSize);
      this.chainSize = size;
    }
    this.lastInChain[c] = -1;
    return c;
  }

  /** Adds a rule that passed the first pass; returns its index. */
  add(
    chain: RuleChain,
    command: 'append' | 'insert',
    position: number | undefined,
    start: number,
    end: number,
    line: number,
    chainStart: number,
    chainEnd: number,
    scan: RuleScan,
    targetName: string | undefined,
    plainSignature: boolean,
  ): number {
    const i = this.count;
    if (i === this.start.length) this.#grow();
    this.start[i] = start;
    this.end[i] = end;
    this.chainStart[i] = chainStart;
    this.chainEnd[i] = chainEnd;
    this.line[i] = line;
    this.bits[i] =
      (command === 'insert' ? INSERT : 0) |
      (scan.hasCriteria ? HAS_CRITERIA : 0) |
      (plainSignature ? PLAIN_SIGNATURE : 0) |
      (scan.targetKind === 'goto' ? GOTO : 0);
    this.next[i] = -1;
    const c = chain.index;
    this.chainIndex[i] = c;
    this.previousInChain[i] = this.lastInChain[c];
    this.lastInChain[c] = i;
    const size = ++this.chainSize[c];
    if (size > SMALL_CHAIN) this.#addToLarge(c, i, size);
    this.chainOf.push(chain);
    this.targetName.push(targetName);
    if (position !== undefined) (this.positions ??= new Map()).set(i, position);
    if (!scan.hasCriteria) this.#unconditional.push(i);
    this.count = i + 1;
    this.#all = undefined;
    return i;
  }

  /** Notes rule `i`, the `size`th of chain `c`, a chain with more than SMALL_CHAIN rules. */
  #addToLarge(c: number, i: number, size: number): void {
    let keys = this.#largeKeys.get(c);
    if (size === SMALL_CHAIN + 1) {
      this.#largeChains.push(c);
      // The chain's earlier rules, now that it is large.
      keys = new Set();
      for (let j = this.previousInChain[i]; j >= 0; j = this.previousInChain[j]) {
        if (!this.#noteKey(keys, j)) {
          keys = null;
          break;
        }
      }
      this.#largeKeys.set(c, keys);
    }
    if (keys && !this.#noteKey(keys, i)) this.#largeKeys.set(c, null);
  }

  /** Adds rule `i`'s key to `keys`; false when `keys` has it already or `i`'s signature is not its text. */
  #noteKey(keys: Set<number>, i: number): boolean {
    if (!this.#plain(i)) return false;
    const key = this.#signatureKey(i);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  /** A number from the length and the last (up to 16) characters of rule `i`'s plain signature. */
  #signatureKey(i: number): number {
    const text = this.source.text;
    const end = this.end[i];
    const length = end - this.chainStart[i];
    let h = length;
    for (let k = end - Math.min(16, length); k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
    // A small integer: a set keeps it without a heap number.
    return h & 0x3fffffff;
  }

  #grow(): void {
    const size = this.start.length * 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.start = grow(this.start);
    this.end = grow(this.end);
    this.chainStart = grow(this.chainStart);
    this.chainEnd = grow(this.chainEnd);
    this.line = grow(this.line);
    this.bits = grow(this.bits);
    this.next = grow(this.next);
    this.chainIndex = grow(this.chainIndex);
    this.previousInChain = grow(this.previousInChain);
  }

  /** The object of rule `i` (one per rule). */
  rule(i: number): ParsedRule {
    return (this.#objects[i] ??= new ParsedRule(this, i));
  }

  /** Rule `i`'s object has its target (built or set), whose name is read there from now on. */
  ownTarget(i: number): void {
    if (!(this.bits[i] & OWN_TARGET)) this.targetsOwned++;
    this.bits[i] |= OWN_TARGET;
  }

  /** What rules read of every rule, without its object (unless one was set on it). */
  targetNameAt(i: number): string | undefined {
    return this.bits[i] & OWN_TARGET ? this.rule(i).targetName : this.targetName[i];
  }

  targetKindAt(i: number): 'jump' | 'goto' | undefined {
    if (this.bits[i] & OWN_TARGET) return this.rule(i).target?.kind;
    return this.targetName[i] === undefined ? undefined : this.bits[i] & GOTO ? 'goto' : 'jump';
  }

  hasCriteriaAt(i: number): boolean {
    return (this.bits[i] & HAS_CRITERIA) !== 0;
  }

  chainAt(i: number): string {
    return this.bits[i] & OWN_CHAIN ? this.rule(i).chain : this.chainOf[i].name;
  }

  chainObjectAt(i: number): IptablesChain | undefined {
    return this.bits[i] & OWN_CHAIN ? undefined : this.chainOf[i];
  }

  targetNames(): readonly (string | undefined)[] {
    if (this.targetsOwned === 0) return this.targetName;
    const names = this.targetName.slice();
    for (let i = 0; i < this.count; i++) if (this.bits[i] & OWN_TARGET) names[i] = this.rule(i).targetName;
    return names;
  }

  withTarget(names: readonly string[]): number[] {
    const { bits, targetName } = this;
    const found: number[] = [];
    if (this.targetsOwned === 0) {
      // The column searched natively, name by name: this runs once per table and rule, too few
      // times for the JIT to optimise a loop over 100,000 rules before it ends.
      const distinct = new Set(names);
      for (const name of distinct) for (let i = targetName.indexOf(name); i >= 0; i = targetName.indexOf(name, i + 1)) found.push(i);
      return distinct.size > 1 ? found.sort((a, b) => a - b) : found;
    }
    for (let i = 0; i < this.count; i++) {
      const name = bits[i] & OWN_TARGET ? this.rule(i).targetName : targetName[i];
      if (name !== undefined && names.includes(name)) found.push(i);
    }
    return found;
  }

  unconditional(): number[] {
    return this.#unconditional.slice();
  }

  /** Notes a target name the parser did not find among the table's chains (see `unresolvedTargets`). */
  noteUnresolved(name: string): void {
    this.#unresolved.add(name);
  }

  unresolvedTargets(): ReadonlySet<string> | undefined {
    // A target set on a rule's object may name anything.
    return this.targetsOwned === 0 ? this.#unresolved : undefined;
  }

  /** Every rule in file order. */
  all(): ParsedRule[] {
    if (!this.#all) {
      const all = new Array<ParsedRule>(this.count);
      for (let i = 0; i < this.count; i++) all[i] = this.rule(i);
      this.#all = all;
    }
    return this.#all;
  }

  /**
   * Each rule whose signature an earlier rule has, with the first rule of that signature, as
   * pairs of indices in file order. A signature starts with its chain, so only rules of one
   * chain are compared, and most chains have a few rules: each rule is compared with the
   * earlier ones of its chain (a list kept as rules are added) by the length of their
   * signatures, then their text, without hashing. A plain signature (most lines) is read where
   * it stands in the text, without a string per rule. The rules of a chain with many rules
   * (KUBE-SERVICES) are looked up by their signatures instead (see `#bySignature`).
   */
  duplicates(): [number, number][] {
    const n = this.count;
    const { bits, chainStart, end } = this;
    const text = this.source.text;
    const found: [number, number][] = [];
    this.#strings = undefined;
    // A rule whose chain was set belongs to another chain than its column says: compare all.
    if (this.chainsSet > 0) {
      const all = new Int32Array(n);
      for (let k = 0; k < n; k++) all[k] = k;
      this.#bySignature(all, found);
      return found;
    }
    // Each rule against the earlier rules of its chain, by the length of their signatures first,
    // through the chain's list (dumps written as kube-proxy writes them interleave chains).
    const { chainIndex, chainSize, previousInChain } = this;
    const firstOf = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const previous = previousInChain[i];
      // Rules of large chains are looked at below.
      if (previous < 0 || chainSize[chainIndex[i]] > SMALL_CHAIN) continue;
      const plain = (bits[i] & (PLAIN_SIGNATURE | RENAMED)) === PLAIN_SIGNATURE;
      const length = plain ? end[i] - chainStart[i] : this.#own(i).length;
      for (let j = previous; j >= 0; j = previousInChain[j]) {
        const same =
          plain && (bits[j] & (PLAIN_SIGNATURE | RENAMED)) === PLAIN_SIGNATURE
            ? end[j] - chainStart[j] === length && sameText(text, chainStart[i], chainStart[j], length)
            : this.#signatureLength(j) === length && this.#same(i, j);
        if (same) {
          // The nearest earlier rule with this signature, and the first one.
          const first = firstOf[j] < 0 ? j : firstOf[j];
          firstOf[i] = first;
          found.push([i, first]);
          break;
        }
      }
    }
    // Chains with many rules (KUBE-SERVICES) by their signatures, each chain's rules in file order.
    for (const c of this.#largeChains) {
      // Every rule with a plain signature, and none of the same length and end: no duplicates.
      if (this.#largeKeys.get(c)) continue;
      const size = chainSize[c];
      const list = new Int32Array(size);
      for (let k = size - 1, i = this.lastInChain[c]; k >= 0; k--, i = previousInChain[i]) list[k] = i;
      this.#bySignature(list, found);
    }
    return found.length > 1 ? found.sort((x, y) => x[0] - y[0]) : found;
  }

  /** True if the text from the chain to the end of the line reads as rule `i`'s signature. */
  #plain(i: number): boolean {
    return (this.bits[i] & (PLAIN_SIGNATURE | RENAMED)) === PLAIN_SIGNATURE;
  }

  #own(i: number): string {
    const strings = (this.#strings ??= new Map());
    let s = strings.get(i);
    if (s === undefined) strings.set(i, (s = this.rule(i).signature));
    return s;
  }

  #signatureLength(i: number): number {
    return this.#plain(i) ? this.end[i] - this.chainStart[i] : this.#own(i).length;
  }

  /** True if rules `i` and `j` have one signature. */
  #same(i: number, j: number): boolean {
    const text = this.source.text;
    const { chainStart, end } = this;
    if (!this.#plain(i) || !this.#plain(j)) {
      return (this.#plain(i) ? text.slice(chainStart[i], end[i]) : this.#own(i)) === (this.#plain(j) ? text.slice(chainStart[j], end[j]) : this.#own(j));
    }
    const length = end[i] - chainStart[i];
    return length === end[j] - chainStart[j] && sameText(text, chainStart[i], chainStart[j], length);
  }

  /**
   * Duplicates among the rules `list` (in file order), added to `found`: by their signatures
   * in a Map, a plain one as a slice of the text. V8 hashes and compares the slices natively,
   * at the same speed however cold the code that asks (this runs once per table).
   */
  #bySignature(list: Int32Array, found: [number, number][]): void {
    const text = this.source.text;
    const { bits, chainStart, end } = this;
    const firsts = new Map<string, number>();
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const signature = (bits[i] & (PLAIN_SIGNATURE | RENAMED)) === PLAIN_SIGNATURE ? text.slice(chainStart[i], end[i]) : this.#own(i);
      const first = firsts.get(signature);
      if (first === undefined) firsts.set(signature, i);
      else found.push([i, first]);
    }
  }

  /** The rules of a chain's list from rule `head` on. */
  list(head: number): ParsedRule[] {
    let n = 0;
    for (let i = head; i >= 0; i = this.next[i]) n++;
    const rules = new Array<ParsedRule>(n);
    n = 0;
    for (let i = head; i >= 0; i = this.next[i]) rules[n++] = this.rule(i);
    return rules;
  }
}

/** What a rule needs of its chain. */
export interface RuleChain extends IptablesChain {
  /** The chain's place among its table's chains, from `RuleColumns.addChain`. */
  readonly index: number;
}

/** What a rule builds or is given after the first pass. */
interface RuleExtras {
  range?: Range;
  chainRange?: Range;
  details?: RuleDetails;
  table?: string;
  chain?: string;
  line?: number;
  command?: 'append' | 'insert';
  position?: number;
}

/**
 * One `-A`/`-I` line: its table's columns and its index there. The first pass checked the whole
 * line and kept what rules read of every rule (chain, target name and kind, whether there are
 * criteria, the line's place); options, matches, criteria, the target's options and every token
 * are built from the line's text the first time one of them is read.
 */
export class ParsedRule implements IptablesRule, IptablesTargetSource {
  #cols: RuleColumns;
  #i: number;
  /** The target once asked for; null: none. */
  #target: IptablesTarget | null | undefined;
  #extras: RuleExtras | undefined;

  constructor(cols: RuleColumns, i: number) {
    this.#cols = cols;
    this.#i = i;
    this.#target = undefined;
    this.#extras = undefined;
  }

  get type(): 'IptablesRule' {
    return 'IptablesRule';
  }

  get table(): string {
    return this.#extras?.table ?? this.#cols.table;
  }

  set table(table: string) {
    (this.#extras ??= {}).table = table;
  }

  get chain(): string {
    return this.#extras?.chain ?? this.#cols.chainOf[this.#i].name;
  }

  set chain(chain: string) {
    (this.#extras ??= {}).chain = chain;
    const bits = this.#cols.bits;
    if (!(bits[this.#i] & OWN_CHAIN)) this.#cols.chainsSet++;
    bits[this.#i] = (chain ? bits[this.#i] | RENAMED : bits[this.#i] & ~RENAMED) | OWN_CHAIN;
  }

  get line(): number {
    return this.#extras?.line ?? this.#cols.line[this.#i];
  }

  set line(line: number) {
    (this.#extras ??= {}).line = line;
  }

  get command(): 'append' | 'insert' {
    return this.#extras?.command ?? (this.#cols.bits[this.#i] & INSERT ? 'insert' : 'append');
  }

  set command(command: 'append' | 'insert') {
    (this.#extras ??= {}).command = command;
  }

  get position(): number | undefined {
    const x = this.#extras;
    return x && 'position' in x ? x.position : this.#cols.positions?.get(this.#i);
  }

  set position(position: number | undefined) {
    (this.#extras ??= {}).position = position;
  }

  get hasCriteria(): boolean {
    return (this.#cols.bits[this.#i] & HAS_CRITERIA) !== 0;
  }

  get targetName(): string | undefined {
    const t = this.#target;
    return t === undefined ? this.#cols.targetName[this.#i] : (t ?? undefined)?.name;
  }

  get target(): IptablesTarget | undefined {
    let t = this.#target;
    if (t === undefined) {
      const name = this.#cols.targetName[this.#i];
      t = name === undefined ? null : IptablesTarget.lazy(name, this.#cols.bits[this.#i] & GOTO ? 'goto' : 'jump', this);
      this.#target = t;
      this.#cols.ownTarget(this.#i);
    }
    return t ?? undefined;
  }

  set target(target: IptablesTarget | undefined) {
    this.#target = target ?? null;
    this.#cols.ownTarget(this.#i);
  }

  get range(): Range {
    const x = (this.#extras ??= {});
    return (x.range ??= [this.#cols.start[this.#i], this.#cols.end[this.#i]]);
  }

  set range(range: Range) {
    (this.#extras ??= {}).range = range;
  }

  get chainRange(): Range {
    const x = (this.#extras ??= {});
    return (x.chainRange ??= [this.#cols.chainStart[this.#i], this.#cols.chainEnd[this.#i]]);
  }

  set chainRange(range: Range) {
    (this.#extras ??= {}).chainRange = range;
  }

  /** The line read again, this time building every part (it passed the first pass). */
  private details(): RuleDetails {
    const x = (this.#extras ??= {});
    const cols = this.#cols;
    return (x.details ??= buildDetails(cols.source, cols.start[this.#i], cols.end[this.#i], cols.targetName[this.#i]));
  }

  targetParts(): IptablesTargetParts {
    return this.details().target!;
  }

  get counters(): Counters | undefined {
    return this.details().counters;
  }
  set counters(v: Counters | undefined) {
    this.details().counters = v;
  }
  get options(): IptablesOption[] {
    return this.details().options;
  }
  set options(v: IptablesOption[]) {
    this.details().options = v;
  }
  get matches(): IptablesMatch[] {
    return this.details().matches;
  }
  set matches(v: IptablesMatch[]) {
    this.details().matches = v;
  }
  get source(): Criterion | undefined {
    return this.details().source;
  }
  set source(v: Criterion | undefined) {
    this.details().source = v;
  }
  get destination(): Criterion | undefined {
    return this.details().destination;
  }
  set destination(v: Criterion | undefined) {
    this.details().destination = v;
  }
  get protocol(): Criterion | undefined {
    return this.details().protocol;
  }
  set protocol(v: Criterion | undefined) {
    this.details().protocol = v;
  }
  get inInterface(): Criterion | undefined {
    return this.details().inInterface;
  }
  set inInterface(v: Criterion | undefined) {
    this.details().inInterface = v;
  }
  get outInterface(): Criterion | undefined {
    return this.details().outInterface;
  }
  set outInterface(v: Criterion | undefined) {
    this.details().outInterface = v;
  }
  get comment(): string | undefined {
    return this.details().comment;
  }
  set comment(v: string | undefined) {
    this.details().comment = v;
  }

  get signature(): string {
    const cols = this.#cols;
    const i = this.#i;
    const text = cols.source.text;
    if ((cols.bits[i] & (PLAIN_SIGNATURE | RENAMED)) === PLAIN_SIGNATURE) return text.slice(cols.chainStart[i], cols.end[i]);
    const parts: string[] = [];
    for (const o of this.options) parts.push(text.slice(o.range[0], o.range[1]));
    for (const m of this.matches) parts.push(text.slice(m.range[0], m.range[1]));
    const target = this.target;
    if (target) parts.push(text.slice(target.range[0], target.range[1]));
    const chain = this.chain;
    // A chain name with white space (quoted) is kept apart from the criteria by a NUL instead.
    return `${chain}${/\s/.test(chain) ? '\u0000' : ' '}${parts.join(' ').replace(/\s+/g, ' ')}`;
  }

  /** The plain shape, every part built (`netlint parse` prints the model as JSON). */
  toJSON(): object {
    return {
      type: this.type,
      table: this.table,
      chain: this.chain,
      chainRange: this.chainRange,
      command: this.command,
      position: this.position,
      counters: this.counters,
      options: this.options,
      matches: this.matches,
      target: this.target,
      source: this.source,
      destination: this.destination,
      protocol: this.protocol,
      inInterface: this.inInterface,
      outInterface: this.outInterface,
      comment: this.comment,
      range: this.range,
      line: this.line,
    };
  }
}

/** Reads a rule line again (it passed the first pass), this time building every part. */
function buildDetails(source: RuleSource, start: number, end: number, targetName: string | undefined): RuleDetails {
  const { text, intern } = source;
  const lt = detailTokens;
  // A simple line is split in place; any other as a string of its own (see scanCopy).
  if (!lt.scanSimpleLine(text, start, end)) lt.scanCopy(text, start, end);
  let i = 0;
  let counters: Counters | undefined;
  if (text.charCodeAt(start) === 91 /* [ */) {
    const m = COUNTERS.exec(lt.value(0));
    if (m) {
      counters = { packets: m[1], bytes: m[2], range: [lt.start[0], lt.end[0]] };
      i = 1;
    }
  }
  const command = COMMANDS.get(lt.value(i));
  let j = i + 2;
  if (command === 'insert' && j < lt.count && lt.isDigits(j)) j++;
  const b = new RuleBuilder(lt, intern, counters);
  detailScan.reset();
  readRule(lt, j, detailScan, b);
  const d = b.details;
  if (d.target && targetName !== undefined) d.target.nameToken.value = targetName;
  return d;
}
