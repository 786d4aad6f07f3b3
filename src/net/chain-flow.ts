import type { Criterion, IpFamily, IptablesDocument, IptablesMatch, IptablesOption, IptablesRule, IptablesTable } from '../model/iptables.js';
import { KNOWN_TARGETS } from '../parsers/iptables/options.js';
import { maxAddress, parseCidr, parseMaskedAddress } from './cidr.js';
import { AddressSet } from './range-set.js';

/** Packets from any address of `sources` to any address of `destinations` (one family). */
export interface AddressBox {
  sources: AddressSet;
  destinations: AddressSet;
}

/** `-o docker0`, `! -o vlan+`: an interface criterion carried along, not evaluated. */
export interface InterfaceCondition {
  /** As written, `+` included. */
  name: string;
  /** True for a trailing `+`: matches every interface whose name starts with the rest. */
  wildcard: boolean;
  negated: boolean;
  /** The rule (the NAT rule or a jump on its path) that carries it. */
  rule: IptablesRule;
}

/** `-p tcp`, `! -p udp` on the NAT rule or its path. */
export interface ProtocolCondition {
  /** Lower case, as written (`tcp`, `6`). */
  name: string;
  negated: boolean;
  rule: IptablesRule;
}

/** A condition of a rule that the address analysis does not evaluate. */
export interface FlowCondition {
  /**
   * Match module (`mark`, `conntrack`, `addrtype`, `set`, `tcp`...), or the basic criterion:
   * `source`/`destination` (an address that did not parse, or a non-contiguous mask),
   * `protocol`, `in-interface`, `out-interface`, `fragment`.
   */
  name: string;
  /** The condition as written: `-m mark ! --mark 0x4000/0x4000`, `! -o vlan+`. */
  text: string;
  /** The rule that carries it. */
  rule: IptablesRule;
  /**
   * `rule`: on the NAT rule itself. `path`: on a jump or goto leading to it. `exemption`: on an
   * earlier rule that, when the condition holds, takes some of this traffic away (a RETURN,
   * ACCEPT, another NAT rule, a goto, or a jump to a chain that ends some packets).
   */
  via: 'rule' | 'path' | 'exemption';
  /** `mark` on the NAT rule; `mark (via RETURN at line 68)`, `mark (via jump at line 3)` otherwise. */
  label: string;
}

/** One way traffic reaches a SNAT/MASQUERADE rule from the entry chain. */
export interface SnatFlow {
  /** The SNAT/MASQUERADE rule. */
  rule: IptablesRule;
  family: IpFamily;
  /** The jump and goto rules from the entry chain to the rule's chain, outermost first. */
  path: IptablesRule[];
  /**
   * The packets that may reach the rule, as a union of boxes. Exact for address criteria,
   * except when `approximated`; conditions that were not evaluated widen it, never narrow it.
   */
  boxes: AddressBox[];
  /** Union of the boxes' sources (a projection: not every source goes to every destination). */
  sources: AddressSet;
  /** Union of the boxes' destinations. */
  destinations: AddressSet;
  /** `-o` criteria of the rule and its path; all must hold. */
  outInterfaces: InterfaceCondition[];
  /** `-i` criteria of the rule and its path. */
  inInterfaces: InterfaceCondition[];
  /** `-p` criteria of the rule and its path. */
  protocols: ProtocolCondition[];
  /** Port, ICMP type and TCP flag matches of the rule and its path: they narrow, addresses aside. */
  l4Conditions: FlowCondition[];
  /**
   * Labels of the conditions the analysis could not evaluate and that decide whether (part of)
   * this traffic is NATed here, de-duplicated: on the rule (`addrtype`), on its path
   * (`mark (via jump at line 3)`), and on earlier rules whose gated RETURN/ACCEPT/NAT may take
   * packets away first (`mark (via RETURN at line 68)`). Empty when the result is unconditional.
   */
  unknownConditions: string[];
  /** The same conditions, with their rules and text. */
  unknownDetails: FlowCondition[];
  /** True when the box cap forced an over-approximation of `boxes`. */
  approximated: boolean;
}

/** Something the analysis met and handled conservatively. */
export interface ChainFlowNote {
  kind: 'loop' | 'depth' | 'undefined-chain' | 'builtin-jump' | 'box-cap' | 'flow-cap';
  rule: IptablesRule;
  message: string;
}

/** The result for one `nat` table. */
export interface ChainFlowResult {
  table: IptablesTable;
  family: IpFamily;
  entryChain: string;
  /** One entry per (NAT rule, path) that some traffic reaches, in traversal order. */
  flows: SnatFlow[];
  /** NAT rules of the chains reached from the entry chain that no traffic reaches. */
  unreachable: IptablesRule[];
  notes: ChainFlowNote[];
}

export interface ChainFlowOptions {
  /** Where packets enter; default `POSTROUTING`. */
  entryChain?: string;
  /** Targets to report; default `SNAT` and `MASQUERADE`. */
  natTargets?: readonly string[];
  /**
   * Most boxes kept per flow (default 64). Beyond it the flow is replaced by one box (the union
   * of sources times the union of destinations), a superset, and results say `approximated`.
   */
  maxBoxes?: number;
  /**
   * Deepest chain nesting followed (default 64, at most 1,000); deeper jumps are treated as not
   * taken. nf_tables itself refuses nesting deeper than 16 (`NFT_JUMP_STACK_SIZE`). A chain is
   * summarised once, at the depth where it is first reached.
   */
  maxDepth?: number;
  /** Most flows reported per table (default 10,000); the rest are dropped with a note. */
  maxFlows?: number;
}

/** True if the interface condition holds for a packet leaving (or entering) `ifname`. */
export function interfaceMatches(condition: InterfaceCondition, ifname: string): boolean {
  const hit = condition.wildcard ? ifname.startsWith(condition.name.slice(0, -1)) : ifname === condition.name;
  return hit !== condition.negated;
}

/** The part of a union of boxes with a source in `sources` and a destination in `destinations`. */
export function restrictBoxes(boxes: readonly AddressBox[], sources?: AddressSet, destinations?: AddressSet): AddressBox[] {
  const out: AddressBox[] = [];
  for (const b of boxes) {
    const s = sources ? b.sources.intersect(sources) : b.sources;
    const d = destinations ? b.destinations.intersect(destinations) : b.destinations;
    if (!s.isEmpty() && !d.isEmpty()) out.push({ sources: s, destinations: d });
  }
  return out;
}

/**
 * Analyses every `nat` table of an iptables document (one result per table, usually one) with
 * the document's address family. See {@link analyseNatTable}.
 */
export function analyseNatFlow(document: IptablesDocument, options: ChainFlowOptions = {}): ChainFlowResult[] {
  return document.tables.filter((t) => t.name === 'nat').map((t) => analyseNatTable(t, document.family, options));
}

/**
 * Walks the entry chain (`POSTROUTING`) of a `nat` table in order, following `-j CHAIN`
 * (packets that return continue after the jump), `-g CHAIN` (they continue after the caller's
 * jump), `RETURN` and terminal targets (`ACCEPT`, NAT targets), and reports, for every
 * SNAT/MASQUERADE rule that some traffic reaches, which traffic and along which path. Each
 * reached chain is summarised once, so the work is linear in the rules reached (times the
 * number of boxes, which is small in real dumps); chains not reached are not read.
 *
 * Conservative where it cannot be exact: a rule gated by a condition it cannot evaluate
 * exempts nothing, and is named in the `unknownConditions` of the NAT rules after it; a loop,
 * an undefined chain or too deep a nesting counts as a jump not taken (see `notes`).
 */
export function analyseNatTable(table: IptablesTable, family: IpFamily, options: ChainFlowOptions = {}): ChainFlowResult {
  const analysis = new Analysis(table, family, options);
  return analysis.run();
}

// ---------------------------------------------------------------------------------------------

type GateKind = 'in-interface' | 'out-interface' | 'protocol' | 'l4' | 'unknown';

/** A condition of one rule the address math does not evaluate. */
interface Gate {
  kind: GateKind;
  name: string;
  text: string;
  value: string;
  negated: boolean;
  /** Position among the rule's gates, to report them in the order written. */
  index: number;
}

/** What a rule matches, as far as addresses go. */
interface RuleMatch {
  /** Over-approximation of the addresses it matches; exact when no address gate. */
  box: AddressBox;
  /** The rule matches no packet at all. */
  never: boolean;
  gates: Gate[];
}

type Action =
  | { kind: 'none' }
  | { kind: 'return' }
  | { kind: 'terminate' }
  | { kind: 'nat' }
  | { kind: 'call'; chain: string; goto: boolean };

/** A persistent list, so snapshots of the caveats seen so far cost nothing. */
type List<T> = { head: T; tail: List<T> } | undefined;

/** A gated rule that may take packets in `boxes` away before the rules after it. */
interface Caveat {
  rule: IptablesRule;
  gate: Gate;
  /** `RETURN`, `ACCEPT`, `MASQUERADE`, `jump`, `goto`. */
  how: string;
  boxes: AddressBox[];
}

interface PathGate {
  rule: IptablesRule;
  gate: Gate;
  via: 'rule' | 'jump' | 'goto';
}

interface Emission {
  rule: IptablesRule;
  path: IptablesRule[];
  boxes: AddressBox[];
  gates: PathGate[];
  /** Snapshots of the caveat lists of every chain on the path, at the point the path left it. */
  caveats: List<Caveat>[];
  approx: boolean;
}

interface Summary {
  /** Packets that fall back to the caller (RETURN or the end of the chain). */
  returned: AddressBox[];
  returnedApprox: boolean;
  emissions: Emission[];
  /** Gated exits that the caller's later rules must know about. */
  caveats: List<Caveat>;
  /** Some packets may end in this chain or below (terminal target, NAT, gated paths to them). */
  mayTerminate: boolean;
}

const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'QUEUE', 'NFQUEUE', 'SNAT', 'MASQUERADE', 'DNAT', 'REDIRECT', 'NETMAP']);
const L4_MATCHES = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', 'multiport', 'icmp', 'icmp6', 'icmpv6', 'ipv6-icmp']);
const IGNORED_MATCHES = new Set(['comment']);
/** Most exemption caveats reported per flow: past that many, a flow is plainly conditional. */
const MAX_CAVEATS = 256;

/*
 * A packet's fate in a chain depends only on the packet (targets that change it, like MARK,
 * only change what the analysis does not evaluate), so each chain is summarised once, as if
 * every packet entered it: which packets fall back to the caller, and which reach each NAT rule. A call site then intersects the summary with the packets that take the
 * jump. Sets of packets are unions of boxes, source set x destination set, per address family.
 *
 * Conditions the address math cannot evaluate (marks, conntrack, sets, addrtype, interfaces,
 * protocols, ports...) make a rule "gated". The analysis over-approximates the packets that
 * reach a NAT rule: a gated RETURN/ACCEPT/NAT rule removes nothing from the flow (the packets
 * failing the condition go on), while its gated part is recorded as a caveat that reaches the
 * NAT rules after it. A gated NAT rule, or a gated jump on its path, still reports the packets
 * its addresses allow, naming the conditions.
 */
class Analysis {
  private readonly chains = new Map<string, IptablesTable['chains'][number]>();
  private readonly natTargets: ReadonlySet<string>;
  private readonly maxBoxes: number;
  private readonly maxDepth: number;
  private readonly maxFlows: number;
  private readonly entryChain: string;
  private readonly universe: AddressBox;
  private readonly matches = new Map<IptablesRule, RuleMatch>();
  private readonly summaries = new Map<string, Summary>();
  private readonly inProgress = new Set<string>();
  private readonly natRulesSeen: IptablesRule[] = [];
  private readonly notes: ChainFlowNote[] = [];
  private readonly noted = new Set<string>();

  constructor(
    private readonly table: IptablesTable,
    private readonly family: IpFamily,
    options: ChainFlowOptions,
  ) {
    for (const c of table.chains) if (!this.chains.has(c.name)) this.chains.set(c.name, c);
    this.natTargets = new Set(options.natTargets ?? ['SNAT', 'MASQUERADE']);
    this.maxBoxes = Math.max(1, options.maxBoxes ?? 64);
    this.maxDepth = Math.min(1000, Math.max(1, options.maxDepth ?? 64));
    this.maxFlows = Math.max(1, options.maxFlows ?? 10_000);
    this.entryChain = options.entryChain ?? 'POSTROUTING';
    this.universe = { sources: AddressSet.all(family), destinations: AddressSet.all(family) };
  }

  run(): ChainFlowResult {
    const result: ChainFlowResult = { table: this.table, family: this.family, entryChain: this.entryChain, flows: [], unreachable: [], notes: this.notes };
    if (!this.chains.has(this.entryChain)) return result;
    const summary = this.summarise(this.entryChain, 0);
    const reached = new Set<IptablesRule>();
    for (const e of summary.emissions) {
      reached.add(e.rule);
      result.flows.push(this.toFlow(e));
    }
    result.unreachable = [...new Set(this.natRulesSeen)].filter((r) => !reached.has(r)).sort((a, b) => a.line - b.line);
    return result;
  }

  private note(kind: ChainFlowNote['kind'], rule: IptablesRule, message: string): void {
    const key = `${kind}:${rule.line}:${rule.range[0]}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.notes.push({ kind, rule, message });
  }

  /** The packets of every fate in one chain, as if all packets entered it. Memoised per chain. */
  private summarise(name: string, depth: number): Summary {
    const known = this.summaries.get(name);
    if (known) return known;
    const chain = this.chains.get(name)!;
    this.inProgress.add(name);
    let flow: AddressBox[] = [this.universe];
    let approx = false;
    const returned: AddressBox[] = [];
    let returnedApprox = false;
    const emissions: Emission[] = [];
    let caveats: List<Caveat>;
    let mayTerminate = false;
    const addCaveats = (rule: IptablesRule, gates: Gate[], how: string, boxes: AddressBox[]) => {
      for (const gate of gates) caveats = { head: { rule, gate, how, boxes }, tail: caveats };
    };

    for (const rule of chain.rules) {
      const action = this.action(rule);
      if (action.kind === 'nat') this.natRulesSeen.push(rule);
      if (flow.length === 0) continue;
      if (action.kind === 'none') continue;
      const m = this.match(rule);
      if (m.never) continue;
      const input = restrictBoxes(flow, m.box.sources, m.box.destinations);
      if (input.length === 0) continue;
      const gated = m.gates.length > 0;
      const subtract = () => {
        const t = this.tidy(subtractBox(flow, m.box), rule);
        flow = t.boxes;
        approx ||= t.collapsed;
      };

      switch (action.kind) {
        case 'return':
          returned.push(...input);
          returnedApprox ||= approx;
          if (gated) addCaveats(rule, m.gates, 'RETURN', input);
          else subtract();
          break;
        case 'terminate':
        case 'nat':
          mayTerminate = true;
          if (action.kind === 'nat') {
            this.emit(emissions, {
              rule,
              path: [],
              boxes: input,
              gates: m.gates.map((gate) => ({ rule, gate, via: 'rule' })),
              caveats: [caveats],
              approx,
            });
          }
          if (gated) addCaveats(rule, m.gates, rule.target!.name, input);
          else subtract();
          break;
        case 'call': {
          const via = action.goto ? 'goto' : 'jump';
          if (!this.callable(rule, action.chain, depth)) break;
          const sub = this.summarise(action.chain, depth + 1);
          const here = caveats;
          for (const e of sub.emissions) {
            const boxes = this.tidy(intersectBoxes(e.boxes, input), rule);
            if (boxes.boxes.length === 0) continue;
            this.emit(emissions, {
              rule: e.rule,
              path: [rule, ...e.path],
              boxes: boxes.boxes,
              gates: [...m.gates.map((gate): PathGate => ({ rule, gate, via })), ...e.gates],
              caveats: [here, ...e.caveats],
              approx: approx || e.approx || boxes.collapsed,
            });
          }
          if (sub.mayTerminate) {
            mayTerminate = true;
            // The callee's gated exits, and (when the call itself is gated) the call: either may
            // end packets that later rules here would otherwise see.
            for (let c = sub.caveats; c; c = c.tail) if (overlapsBoxes(c.head.boxes, input)) caveats = { head: c.head, tail: caveats };
            if (gated && !action.goto) addCaveats(rule, m.gates, via, input);
          }
          const back = this.tidy(intersectBoxes(sub.returned, input), rule);
          const backApprox: boolean = approx || sub.returnedApprox || back.collapsed;
          if (action.goto) {
            // Packets that come back from a goto continue after the jump into this chain; a
            // gated goto takes some packets past this chain's later rules whatever the callee does.
            returned.push(...back.boxes);
            returnedApprox ||= backApprox;
            if (gated) addCaveats(rule, m.gates, via, input);
            else subtract();
          } else if (!gated) {
            subtract();
            const t = this.tidy([...flow, ...back.boxes], rule);
            flow = t.boxes;
            approx ||= t.collapsed || backApprox;
          }
          break;
        }
      }
    }
    // A user chain's end returns to the caller; a built-in chain's end applies its policy.
    returned.push(...flow);
    returnedApprox ||= approx;
    const r = this.tidy(returned, chain.rules[chain.rules.length - 1]);
    const summary: Summary = { returned: r.boxes, returnedApprox: returnedApprox || r.collapsed, emissions, caveats, mayTerminate };
    this.inProgress.delete(name);
    this.summaries.set(name, summary);
    return summary;
  }

  private emit(emissions: Emission[], e: Emission): void {
    if (emissions.length >= this.maxFlows) {
      this.note('flow-cap', e.rule, `More than ${this.maxFlows} paths reach NAT rules; the rest are not reported.`);
      return;
    }
    emissions.push(e);
  }

  /** Whether a jump to `name` can be followed; notes why not. */
  private callable(rule: IptablesRule, name: string, depth: number): boolean {
    if (this.inProgress.has(name)) {
      this.note('loop', rule, `Jump to ${name} at line ${rule.line} loops back to a chain being walked (iptables rejects loops); treated as not taken.`);
      return false;
    }
    if (depth + 1 > this.maxDepth) {
      this.note('depth', rule, `Chains nest deeper than ${this.maxDepth} at line ${rule.line}; the jump to ${name} is treated as not taken.`);
      return false;
    }
    return true;
  }

  private action(rule: IptablesRule): Action {
    const target = rule.target;
    if (!target) return { kind: 'none' };
    const name = target.name;
    if (name === 'RETURN') return { kind: 'return' };
    const chain = this.chains.get(name);
    if (chain && !chain.builtin) return { kind: 'call', chain: name, goto: target.kind === 'goto' };
    if (chain?.builtin) {
      this.note('builtin-jump', rule, `Jump to built-in chain ${name} at line ${rule.line} (iptables rejects it); treated as not taken.`);
      return { kind: 'none' };
    }
    if (this.natTargets.has(name)) return { kind: 'nat' };
    if (TERMINAL.has(name)) return { kind: 'terminate' };
    if (!KNOWN_TARGETS.has(name)) {
      this.note('undefined-chain', rule, `Jump to ${name} at line ${rule.line}, which is neither a chain of table ${this.table.name} nor a known target; treated as not taken.`);
    }
    return { kind: 'none' };
  }

  /** Addresses and gates of a rule, memoised. */
  private match(rule: IptablesRule): RuleMatch {
    let m = this.matches.get(rule);
    if (!m) {
      m = ruleMatch(rule, this.family);
      this.matches.set(rule, m);
    }
    return m;
  }

  /**
   * Drops empty boxes, merges boxes with equal sources or equal destinations and boxes inside
   * others, and past `maxBoxes` replaces the union by its bounding box (a superset).
   */
  private tidy(boxes: AddressBox[], rule: IptablesRule | undefined): { boxes: AddressBox[]; collapsed: boolean } {
    let live = boxes.filter((b) => !b.sources.isEmpty() && !b.destinations.isEmpty());
    if (live.length <= 1) return { boxes: live, collapsed: false };
    live = mergeBy(live, 'sources', 'destinations');
    live = mergeBy(live, 'destinations', 'sources');
    if (live.length <= 2 * this.maxBoxes) {
      live = live.filter((b, i) => !live.some((o, j) => j !== i && o.sources.contains(b.sources) && o.destinations.contains(b.destinations) && (j < i || !(b.sources.contains(o.sources) && b.destinations.contains(o.destinations)))));
    }
    if (live.length <= this.maxBoxes) return { boxes: live, collapsed: false };
    if (rule) this.note('box-cap', rule, `More than ${this.maxBoxes} address boxes at line ${rule.line}; the traffic is over-approximated from here on.`);
    let sources = AddressSet.empty();
    let destinations = AddressSet.empty();
    for (const b of live) {
      sources = sources.union(b.sources);
      destinations = destinations.union(b.destinations);
    }
    return { boxes: [{ sources, destinations }], collapsed: true };
  }

  private toFlow(e: Emission): SnatFlow {
    let sources = AddressSet.empty();
    let destinations = AddressSet.empty();
    for (const b of e.boxes) {
      sources = sources.union(b.sources);
      destinations = destinations.union(b.destinations);
    }
    const flow: SnatFlow = {
      rule: e.rule,
      family: this.family,
      path: e.path,
      boxes: e.boxes,
      sources,
      destinations,
      outInterfaces: [],
      inInterfaces: [],
      protocols: [],
      l4Conditions: [],
      unknownConditions: [],
      unknownDetails: [],
      approximated: e.approx,
    };
    const unknown: { condition: FlowCondition; index: number }[] = [];
    for (const { rule, gate, via } of e.gates) {
      const label = via === 'rule' ? gate.name : `${gate.name} (via ${via} at line ${rule.line})`;
      const condition: FlowCondition = { name: gate.name, text: gate.text, rule, via: via === 'rule' ? 'rule' : 'path', label };
      switch (gate.kind) {
        case 'out-interface':
        case 'in-interface':
          (gate.kind === 'out-interface' ? flow.outInterfaces : flow.inInterfaces).push({ name: gate.value, wildcard: gate.value.endsWith('+'), negated: gate.negated, rule });
          break;
        case 'protocol':
          flow.protocols.push({ name: gate.value, negated: gate.negated, rule });
          break;
        case 'l4':
          flow.l4Conditions.push(condition);
          break;
        default:
          unknown.push({ condition, index: gate.index });
      }
    }
    const seen = new Set<Caveat>();
    let count = 0;
    for (const list of e.caveats) {
      for (let c = list; c && count < MAX_CAVEATS; c = c.tail) {
        if (seen.has(c.head)) continue;
        seen.add(c.head);
        if (!overlapsBoxes(c.head.boxes, e.boxes)) continue;
        count++;
        const { rule, gate, how } = c.head;
        unknown.push({ condition: { name: gate.name, text: gate.text, rule, via: 'exemption', label: `${gate.name} (via ${how} at line ${rule.line})` }, index: gate.index });
      }
    }
    // In the order of the text: by line, then as written within the rule.
    unknown.sort((a, b) => a.condition.rule.line - b.condition.rule.line || a.condition.rule.range[0] - b.condition.rule.range[0] || a.index - b.index);
    for (const { condition } of unknown) {
      if (flow.unknownConditions.includes(condition.label)) continue;
      flow.unknownConditions.push(condition.label);
      flow.unknownDetails.push(condition);
    }
    return flow;
  }
}

/** Merges boxes whose `same` side is equal by uniting their `other` sides. */
function mergeBy(boxes: AddressBox[], same: keyof AddressBox, other: keyof AddressBox): AddressBox[] {
  const merged: AddressBox[] = [];
  if (boxes.length > 64) {
    // Many boxes: group by a canonical key (linear in the sets' sizes) instead of comparing pairs.
    const byKey = new Map<string, number>();
    for (const b of boxes) {
      const k = b[same].key();
      const at = byKey.get(k);
      if (at === undefined) {
        byKey.set(k, merged.length);
        merged.push(b);
      } else {
        merged[at] = { ...merged[at], [other]: merged[at][other].union(b[other]) };
      }
    }
    return merged;
  }
  // Few boxes: pairwise `equals`, which stops at the first difference (usually the length).
  outer: for (const b of boxes) {
    for (let i = 0; i < merged.length; i++) {
      if (merged[i][same].equals(b[same])) {
        merged[i] = { ...merged[i], [other]: merged[i][other].union(b[other]) };
        continue outer;
      }
    }
    merged.push(b);
  }
  return merged;
}

/** Boxes minus one box: each box splits into at most two. */
function subtractBox(boxes: AddressBox[], m: AddressBox): AddressBox[] {
  const out: AddressBox[] = [];
  for (const b of boxes) {
    if (!b.sources.overlaps(m.sources) || !b.destinations.overlaps(m.destinations)) {
      out.push(b);
      continue;
    }
    const outside = b.sources.subtract(m.sources);
    if (!outside.isEmpty()) out.push({ sources: outside, destinations: b.destinations });
    const rest = b.destinations.subtract(m.destinations);
    if (!rest.isEmpty()) out.push({ sources: b.sources.intersect(m.sources), destinations: rest });
  }
  return out;
}

function intersectBoxes(a: readonly AddressBox[], b: readonly AddressBox[]): AddressBox[] {
  const out: AddressBox[] = [];
  for (const x of a) for (const y of b) {
    const s = x.sources.intersect(y.sources);
    if (s.isEmpty()) continue;
    const d = x.destinations.intersect(y.destinations);
    if (!d.isEmpty()) out.push({ sources: s, destinations: d });
  }
  return out;
}

function overlapsBoxes(a: readonly AddressBox[], b: readonly AddressBox[]): boolean {
  for (const x of a) for (const y of b) if (x.sources.overlaps(y.sources) && x.destinations.overlaps(y.destinations)) return true;
  return false;
}

// --- what a rule matches -----------------------------------------------------------------------

/** Text of a value for messages: quoted when it has white space or is empty. */
const word = (v: string) => (v === '' || /[\s"]/.test(v) ? JSON.stringify(v) : v);
const optionText = (o: IptablesOption) => [o.negated ? '!' : '', o.flag.value, ...o.values.map((v) => word(v.value))].filter(Boolean).join(' ');
const matchText = (m: IptablesMatch) => [`-m ${m.name}`, ...m.options.map(optionText)].join(' ');

const BASIC_FLAG: Record<string, string> = { source: '-s', destination: '-d', protocol: '-p', 'in-interface': '-i', 'out-interface': '-o' };
const criterionText = (name: string, c: Criterion) => `${c.negated ? '! ' : ''}${BASIC_FLAG[name]} ${word(c.value)}`;

/**
 * The addresses one address criterion allows: exact, or a superset when it cannot be evaluated
 * (a host name, a non-contiguous mask, the other family). iptables-restore expands `a,b` lists.
 */
function addressesOf(value: string, negated: boolean, family: IpFamily): { set: AddressSet; exact: boolean } {
  const all = AddressSet.all(family);
  let set = AddressSet.empty();
  let exact = true;
  for (const part of value.split(',')) {
    const range = parseCidr(part);
    if (range && range.family === family) {
      set = set.union(AddressSet.fromRange(range));
      continue;
    }
    exact = false;
    const masked = parseMaskedAddress(part);
    if (masked && masked.family === family) {
      // Non-contiguous mask: every match lies between the lowest and highest matching address.
      const start = masked.address & masked.mask;
      set = set.union(AddressSet.fromRange({ family, start, end: start | (maxAddress(family) ^ masked.mask) }));
    } else {
      set = all;
    }
  }
  if (!exact) return { set: negated ? all : set, exact };
  return { set: negated ? set.complement(family) : set, exact };
}

function ruleMatch(rule: IptablesRule, family: IpFamily): RuleMatch {
  let sources = AddressSet.all(family);
  let destinations = AddressSet.all(family);
  let never = false;
  const gates: Gate[] = [];
  const gate = (kind: GateKind, name: string, text: string, value: string, negated: boolean) => gates.push({ kind, name, text, value, negated, index: gates.length });

  const address = (name: 'source' | 'destination', c: Criterion | undefined, value = c?.value, negated = c?.negated ?? false, text?: string) => {
    if (value === undefined) return;
    const { set, exact } = addressesOf(value, negated, family);
    if (name === 'source') sources = sources.intersect(set);
    else destinations = destinations.intersect(set);
    if (!exact) gate('unknown', name, text ?? criterionText(name, c!), value, negated);
  };
  address('source', rule.source);
  address('destination', rule.destination);

  const proto = rule.protocol;
  if (proto) {
    const p = proto.value.toLowerCase();
    if (p === 'all' || p === '0') never ||= proto.negated;
    else gate('protocol', 'protocol', criterionText('protocol', proto), p, proto.negated);
  }
  for (const [name, c] of [['in-interface', rule.inInterface], ['out-interface', rule.outInterface]] as const) {
    if (!c) continue;
    // `-o +` matches every interface.
    if (c.value === '+') never ||= c.negated;
    else gate(name, name, criterionText(name, c), c.value, c.negated);
  }
  for (const o of rule.options) {
    if (o.name === 'fragment') gate('unknown', 'fragment', optionText(o), '', o.negated);
    if ((o.name === 'ipv4' && family === 'ipv6') || (o.name === 'ipv6' && family === 'ipv4')) never = true;
  }

  for (const m of rule.matches) {
    if (IGNORED_MATCHES.has(m.name)) continue;
    if (m.name === 'iprange') {
      for (const o of m.options) {
        const which = o.name === 'src-range' ? 'source' : o.name === 'dst-range' ? 'destination' : undefined;
        if (!which) gate('unknown', 'iprange', matchText(m), '', false);
        else address(which, undefined, o.values[0]?.value ?? '', o.negated, `-m iprange ${optionText(o)}`);
      }
      continue;
    }
    if (L4_MATCHES.has(m.name)) {
      // `-m tcp` alone matches what `-p tcp` already says.
      if (m.options.length > 0) gate('l4', m.name, matchText(m), '', false);
      continue;
    }
    gate('unknown', m.name, matchText(m), '', false);
  }
  never ||= sources.isEmpty() || destinations.isEmpty();
  return { box: { sources, destinations }, never, gates };
}
