import type { SourceComment } from './document.js';
import type { BaseNode, Token } from './node.js';
import type { Range } from './source.js';

/** nftables address families (`nft(8)`, "ADDRESS FAMILIES"). */
export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';
export const NFT_FAMILIES: readonly NftFamily[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

/** A token of nft text. `punct` covers `{ } ( ) ; , = : . - == != < > & | ^ << >>` and the like. */
export interface NftToken extends Token {
  kind: 'word' | 'string' | 'punct';
}

/**
 * How an object came into the model: a `table ... {` / `chain ... {` block (`nft list ruleset`),
 * an `add`/`create` command (`nft -f` transactions), or only by being referred to (`add rule ip t c`
 * for a chain the file never declares: the live ruleset has it, the file does not say how).
 */
export type NftDeclaration = 'block' | 'command' | 'implicit';

/** Chain priority as written (`srcnat + 10`, `-100`), with its number when it can be resolved. */
export interface NftPriority {
  text: string;
  /** Resolved value: named priorities by family (`nft(8)`, "CHAINS"), `$variables` are not. */
  value?: number;
  range: Range;
}

/** `table ip nat { ... }`, or the table that `add table` / `add chain ip nat ...` commands build. */
export interface NftTable extends BaseNode {
  type: 'NftTable';
  family: NftFamily;
  /** Absent when the family was omitted (nft then uses `ip`). */
  familyRange?: Range;
  name: string;
  nameRange: Range;
  declaredBy: NftDeclaration;
  chains: NftChain[];
  sets: NftSet[];
  maps: NftMap[];
  /** Flowtables, named counters/quotas/limits, ct helpers/timeouts... */
  objects: NftObject[];
  /** `flags dormant`. */
  flags: Token[];
  comment?: Token;
  /** From `# handle N` (`nft -a list ruleset`). */
  handle?: number;
}

/** `chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept; ... }`. */
export interface NftChain extends BaseNode {
  type: 'NftChain';
  family: NftFamily;
  table: string;
  name: string;
  nameRange: Range;
  declaredBy: NftDeclaration;
  /** True for base chains (the ones with a `hook`). */
  base: boolean;
  /** `filter`, `nat` or `route` (named `chainType` because `type` is the node tag). */
  chainType?: Token;
  hook?: Token;
  priority?: NftPriority;
  policy?: Token;
  /** `device eth0` of netdev/ingress chains. */
  device?: Token;
  devices?: Token[];
  comment?: Token;
  handle?: number;
  /** Rules in evaluation order (`insert` rules first, as nft builds them). */
  rules: NftRule[];
}

/** `type ipv4_addr . inet_service` or `typeof ip saddr`, as written. */
export interface NftTypeSpec {
  text: string;
  typeof: boolean;
  range: Range;
}

/** A `key option ... : value` member of a set, map or anonymous `{ ... }`. */
export interface NftSetElement {
  key: NftExpr;
  /** The data of a map element, after `:` (a verdict expression for verdict maps). */
  value?: NftExpr;
  /** `timeout 10s`, `comment "x"`, `counter packets 0 bytes 0`... */
  options: NftToken[];
  comment?: string;
  range: Range;
}

/** A generic `key value...;` line of a block, kept for rules that want it. */
export interface NftProperty {
  name: string;
  tokens: NftToken[];
  range: Range;
}

interface NftSetLike extends BaseNode {
  family: NftFamily;
  table: string;
  name: string;
  nameRange: Range;
  declaredBy: NftDeclaration;
  keyType?: NftTypeSpec;
  /** For maps: the part after `:` (`verdict`, `ipv4_addr`...). */
  dataType?: NftTypeSpec;
  flags: Token[];
  comment?: Token;
  /** Other lines: `timeout 10800s`, `size 65535`, `policy memory`, `auto-merge`... */
  properties: NftProperty[];
  /** From `elements = { ... }` and `add element` commands, in order. */
  elements: NftSetElement[];
  handle?: number;
}

/** A named set (`set name { type ...; elements = { ... } }`). */
export interface NftSet extends NftSetLike {
  type: 'NftSet';
}

/** A named map or verdict map (`map name { type ifname : verdict; ... }`). */
export interface NftMap extends NftSetLike {
  type: 'NftMap';
}

/** Flowtables, named counters/quotas/limits, ct helpers...: kept by kind and name. */
export interface NftObject extends BaseNode {
  type: 'NftObject';
  kind: string;
  family: NftFamily;
  table: string;
  name: string;
  nameRange: Range;
  tokens: NftToken[];
}

/* ---------------------------------------------------------------- expressions */

/** A literal: address, prefix, number, name, port, `fully-random`... */
export interface NftValueExpr {
  kind: 'value';
  value: string;
  quoted?: boolean;
  range: Range;
}

/** Something read from the packet or its metadata: `ip saddr`, `iifname`, `ct state`, `fib daddr type`. */
export interface NftSelectorExpr {
  kind: 'selector';
  /** Canonical spelling as `nft list` prints it: `iifname` (not `meta iifname`), `meta mark` (not `mark`). */
  key: string;
  range: Range;
}

/** `@name`: a named set or map. */
export interface NftSetRefExpr {
  kind: 'setref';
  name: string;
  range: Range;
}

/** `$name`, resolved to the value of an earlier `define` when there is one. */
export interface NftVariableExpr {
  kind: 'variable';
  name: string;
  resolved?: NftExpr;
  range: Range;
}

/** An anonymous set or map `{ a, b }` (also nested, and verdict map bodies). */
export interface NftSetExpr {
  kind: 'set';
  elements: NftSetElement[];
  /** False when the `}` was missing (a `parse-error` was reported). */
  closed: boolean;
  range: Range;
}

/** `established,related`. */
export interface NftListExpr {
  kind: 'list';
  items: NftExpr[];
  range: Range;
}

/** `ip daddr . meta l4proto . th dport`, `172.30.0.41 . tcp . 80`. */
export interface NftConcatExpr {
  kind: 'concat';
  parts: NftExpr[];
  range: Range;
}

/** `10.0.0.1-10.0.0.5`, `1024-65535` (also written with spaces around `-`). */
export interface NftRangeExpr {
  kind: 'range';
  low: NftValueExpr;
  high: NftValueExpr;
  range: Range;
}

/** `meta mark & 0xff`, `mark or 0x4000`, `tcp flags syn / syn,ack`. */
export interface NftBinaryExpr {
  kind: 'binary';
  op: string;
  left: NftExpr;
  right: NftExpr;
  range: Range;
}

/** `ip saddr map { 10.0.0.0/8 : 1.2.3.4 }`. */
export interface NftMapExpr {
  kind: 'map';
  key: NftExpr;
  map: NftExpr;
  range: Range;
}

/** A verdict used as map data: `goto chain`, `drop`. */
export interface NftVerdictExpr {
  kind: 'verdict';
  verdict: string;
  target?: Token;
  range: Range;
}

/** Anything else (parenthesised expressions...), kept as tokens. */
export interface NftRawExpr {
  kind: 'raw';
  tokens: NftToken[];
  range: Range;
}

export type NftExpr =
  | NftValueExpr
  | NftSelectorExpr
  | NftSetRefExpr
  | NftVariableExpr
  | NftSetExpr
  | NftListExpr
  | NftConcatExpr
  | NftRangeExpr
  | NftBinaryExpr
  | NftMapExpr
  | NftVerdictExpr
  | NftRawExpr;

/* ---------------------------------------------------------------- statements */

export type NftOperator = '==' | '!=' | '<' | '>' | '<=' | '>=' | '';

/** `ip saddr != { 10.0.0.0/8 }`, `ct state established,related`, `fib daddr type local`. */
export interface NftMatch extends BaseNode {
  type: 'NftMatch';
  /** Canonical key of the selector (`ip saddr`, `oifname`, `meta mark`); concatenations joined by ` . `. */
  key: string;
  left: NftExpr;
  /** `''` when implicit (equality, or "any bit set" for flags). Mnemonics (`ne`) are normalised. */
  op: NftOperator;
  opRange?: Range;
  /** True for `!=`. */
  negated: boolean;
  right: NftExpr;
}

/** `meta mark set meta mark | 0x4000`, `ct mark set mark`, `ip dscp set cs1`. */
export interface NftAssign extends BaseNode {
  type: 'NftAssign';
  key: string;
  left: NftExpr;
  value: NftExpr;
}

export type NftNatKind = 'masquerade' | 'snat' | 'dnat' | 'redirect';
export type NftNatFlagName = 'random' | 'fully-random' | 'persistent';

/** One NAT flag. `name` is as written; `random-fully` (ip6tables-nft ≤ 1.8.7) canonicalises to `fully-random`. */
export interface NftNatFlag {
  name: string;
  canonical: NftNatFlagName;
  range: Range;
}

/** The `to` part: `192.168.123.0`, `10.180.0.1:80`, `[fec0::1]:80-90`, `:1024-65535`, `ip saddr map {...}`. */
export interface NftNatTarget {
  expr: NftExpr;
  /** Literal address or address range, without brackets. */
  address?: Token;
  /** Literal port or port range. */
  port?: Token;
  range: Range;
}

/** `masquerade`, `snat`, `dnat` or `redirect` with its target and flags. */
export interface NftNat extends BaseNode {
  type: 'NftNat';
  kind: NftNatKind;
  keyword: Token;
  /** `ip` / `ip6` in `snat ip6 to ...` (inet tables). */
  family?: Token;
  /** `prefix`, `interval`, `addr . port` before `to`. */
  mapping?: string;
  to?: NftNatTarget;
  flags: NftNatFlag[];
}

export type NftVerdictName = 'accept' | 'drop' | 'continue' | 'return' | 'jump' | 'goto' | 'queue' | 'reject';

/** `accept`, `jump chain`, `reject with tcp reset`, `queue num 1`. */
export interface NftVerdict extends BaseNode {
  type: 'NftVerdict';
  verdict: NftVerdictName;
  /** The chain of `jump`/`goto`. */
  target?: Token;
  /** Arguments of `reject`/`queue`. */
  args: NftToken[];
}

/** `iifname vmap @map`, `numgen random mod 2 vmap { 0 : goto a, 1 : goto b }`. */
export interface NftVerdictMap extends BaseNode {
  type: 'NftVerdictMap';
  key: string;
  left: NftExpr;
  map: NftExpr;
}

/** `counter`, `counter packets 12 bytes 3456`, `counter name "c"`. */
export interface NftCounter extends BaseNode {
  type: 'NftCounter';
  packets?: number;
  bytes?: number;
  name?: Token;
}

/** `comment "..."` of a rule. */
export interface NftRuleComment extends BaseNode {
  type: 'NftRuleComment';
  text: string;
}

/** Any other statement (`log`, `limit`, `notrack`, `update @set {...}`, unknown syntax), kept as tokens. */
export interface NftGeneric extends BaseNode {
  type: 'NftGeneric';
  keyword: string;
  tokens: NftToken[];
}

export type NftStatement =
  | NftMatch
  | NftAssign
  | NftNat
  | NftVerdict
  | NftVerdictMap
  | NftCounter
  | NftRuleComment
  | NftGeneric;

/** One rule: a list of statements, from a chain block or an `add`/`insert` command. */
export interface NftRule extends BaseNode {
  type: 'NftRule';
  family: NftFamily;
  table: string;
  chain: string;
  /** The command that made it; absent inside a `chain { }` block. */
  command?: 'add' | 'insert' | 'replace' | 'create';
  /** `position N` / `handle N` / `index N` of the command. */
  position?: { kind: 'position' | 'handle' | 'index'; value: number; range: Range };
  /** The statements' tokens (without the command's `add rule ip t c`). */
  tokens: NftToken[];
  statements: NftStatement[];
  /** From the first to the last token of the statements; `range` also covers the command words. */
  bodyRange: Range;
  /** Text of the `comment "..."` statement. */
  comment?: string;
  /** From a trailing `# handle N` (`nft -a list ruleset`). */
  handle?: number;
  /** 1-based line of the rule's first token. */
  line: number;
}

/** `add`/`flush`/`delete`/... commands of a transaction file, in order. */
export interface NftCommand extends BaseNode {
  type: 'NftCommand';
  verb: string;
  /** `table`, `chain`, `rule`, `set`, `map`, `element`, `ruleset`... */
  object: string;
  family?: NftFamily;
  table?: string;
  /** Chain, set or map name. */
  name?: string;
}

/** `define NAME = value` (also `redefine`). */
export interface NftDefine extends BaseNode {
  type: 'NftDefine';
  name: string;
  nameRange: Range;
  value?: NftExpr;
}

/** `include "file"`: recorded, not followed. */
export interface NftInclude extends BaseNode {
  type: 'NftInclude';
  path: string;
  pathRange: Range;
}

/** The whole file. */
export interface NftDocument extends BaseNode {
  type: 'NftDocument';
  /** `ruleset`: `table { }` blocks only; `transaction`: commands only; `mixed`: both. */
  form: 'ruleset' | 'transaction' | 'mixed' | 'empty';
  /** The tables after applying the file in order (`flush`/`delete` commands remove what they name). */
  tables: NftTable[];
  commands: NftCommand[];
  defines: NftDefine[];
  includes: NftInclude[];
  /** `#` comments (the same list as the document's `comments`). */
  comments: SourceComment[];
}

/* ---------------------------------------------------------------- helpers for rules */

const FULLY_RANDOM = new Set(['fully-random', 'random-fully']);

/** The `masquerade` / `snat` / `dnat` / `redirect` statements of a rule, in order. */
export function natStatementsOf(rule: NftRule): NftNat[] {
  const out: NftNat[] = [];
  for (const s of rule.statements) if (s.type === 'NftNat') out.push(s);
  return out;
}

/**
 * The NAT statement's flag by canonical name: `natFlag(nat, 'fully-random')` also finds the old
 * spelling `random-fully` (DOMAIN.md §2.2).
 */
export function natFlag(nat: NftNat, name: NftNatFlagName): NftNatFlag | undefined {
  if (name === 'fully-random') return nat.flags.find((f) => FULLY_RANDOM.has(f.name));
  return nat.flags.find((f) => f.canonical === name);
}

/** True if the NAT statement has the flag (`fully-random` also matches `random-fully`). */
export function hasNatFlag(nat: NftNat, name: NftNatFlagName): boolean {
  return natFlag(nat, name) !== undefined;
}

/** The rule's matches on a canonical key: `matchesOf(rule, 'ip saddr')`, `matchesOf(rule, 'oifname')`. */
export function matchesOf(rule: NftRule, key: string): NftMatch[] {
  const out: NftMatch[] = [];
  for (const s of rule.statements) if (s.type === 'NftMatch' && s.key === key) out.push(s);
  return out;
}

const ADDRESS_KEYS = new Set(['ip saddr', 'ip daddr', 'ip6 saddr', 'ip6 daddr']);
const INTERFACE_KEYS = new Set(['iifname', 'oifname', 'iif', 'oif']);

/** Matches on `ip saddr`/`ip daddr`/`ip6 saddr`/`ip6 daddr`. */
export function addressMatchesOf(rule: NftRule): NftMatch[] {
  return rule.statements.filter((s): s is NftMatch => s.type === 'NftMatch' && ADDRESS_KEYS.has(s.key));
}

/** Matches on `iifname`/`oifname`/`iif`/`oif`. */
export function interfaceMatchesOf(rule: NftRule): NftMatch[] {
  return rule.statements.filter((s): s is NftMatch => s.type === 'NftMatch' && INTERFACE_KEYS.has(s.key));
}

/** The rule's last verdict statement (`accept`, `jump X`...), if any. */
export function verdictOf(rule: NftRule): NftVerdict | undefined {
  for (let i = rule.statements.length - 1; i >= 0; i--) {
    const s = rule.statements[i];
    if (s.type === 'NftVerdict') return s;
  }
  return undefined;
}

/**
 * The leaf values of an expression: anonymous sets, nested sets and lists are flattened and
 * `$variables` replaced by their `define`. Named sets (`@name`), selectors and other shapes are
 * returned as they are, so callers can tell "10.0.0.0/8" from "something I cannot evaluate".
 */
export function leafValues(expr: NftExpr): NftExpr[] {
  const out: NftExpr[] = [];
  const visit = (e: NftExpr, depth: number): void => {
    if (depth > 32) return;
    switch (e.kind) {
      case 'set':
        for (const el of e.elements) visit(el.key, depth + 1);
        return;
      case 'list':
        for (const item of e.items) visit(item, depth + 1);
        return;
      case 'variable':
        if (e.resolved) visit(e.resolved, depth + 1);
        else out.push(e);
        return;
      default:
        out.push(e);
    }
  };
  visit(expr, 0);
  return out;
}

/**
 * An interface name pattern: nft matches a trailing unescaped `*` as a prefix wildcard
 * (`"eth*"`); `\*` is a literal asterisk.
 */
export function interfacePattern(name: string): { prefix: string; wildcard: boolean } {
  if (name.endsWith('*') && !name.endsWith('\\*')) return { prefix: name.slice(0, -1), wildcard: true };
  return { prefix: name.replace(/\\\*$/, '*'), wildcard: false };
}

/**
 * Named chain priorities (`nft(8)`, "CHAINS", table "Standard priority names"); bridge uses
 * its own values.
 */
export const NFT_PRIORITIES: Readonly<Record<string, number>> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};
export const NFT_BRIDGE_PRIORITIES: Readonly<Record<string, number>> = {
  dstnat: -300,
  filter: -200,
  out: 100,
  srcnat: 300,
};
