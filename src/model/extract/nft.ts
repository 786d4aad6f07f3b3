import type { SourceDocument } from '../document.js';
import type { Fact, PortSelection, SnatPoint, SourceFix } from '../facts.js';
import {
  interfacePattern,
  leafValues,
  natFlag,
  natStatementsOf,
  type NftChain,
  type NftDocument,
  type NftExpr,
  type NftFamily,
  type NftMatch,
  type NftNat,
  type NftRule,
  type NftTable,
} from '../nft.js';
import type { NatOwner } from '../owners.js';

/**
 * Match keys netlint cannot evaluate from a dump (the nft spellings of the iptables extractor's
 * opaque modules: mark, connmark, conntrack/state, addrtype/rpfilter (`fib`), statistic
 * (`numgen`), owner (`meta skuid`), socket, policy (`ipsec`), cgroup).
 */
const OPAQUE_KEY = /^(?:meta (?:mark|skuid|skgid|cgroup|secmark|ipsec|rtclassid|random)|ct |fib |numgen|jhash|symhash|socket|ipsec|osf|meta iifgroup|meta oifgroup)/;

const ADDRESS_KEY = /^(ip6?) (saddr|daddr)$/;

const FAMILY: Record<NftFamily, SnatPoint['family']> = {
  ip: 'ipv4',
  ip6: 'ipv6',
  inet: 'both',
  arp: 'unknown',
  bridge: 'unknown',
  netdev: 'unknown',
};

/** What to tell owners without a knob; the rule adds its own advice for the others. */
const OWNER_ADVICE: Partial<Record<NatOwner, string>> = {
  Docker: 'Docker writes plain masquerade/snat with firewall-backend nftables and has no option to randomise: add a host rule, which Docker may reorder',
  'CNI plugin': 'The reference CNI plugins (table cni_plugins_masquerade) never add fully-random: add a host rule or use a plugin that randomises',
};

/**
 * One `SnatPoint` per `masquerade` / `snat` statement (DOMAIN.md 3). nft accepts them only in
 * `nat` chains reached from the postrouting (or input, for snat) hook, so every one of them is
 * taken as live; which traffic reaches its chain is not followed (jumps, vmaps).
 */
export function extractNftFacts(document: SourceDocument): Fact[] {
  const root = document.root as NftDocument;
  const facts: Fact[] = [];
  for (const table of root.tables) {
    for (const chain of table.chains) {
      chain.rules.forEach((rule, index) => {
        for (const nat of natStatementsOf(rule)) {
          if (nat.kind !== 'masquerade' && nat.kind !== 'snat') continue;
          facts.push(pointOf(document, table, chain, rule, index, nat));
        }
      });
    }
  }
  return facts;
}

function pointOf(document: SourceDocument, table: NftTable, chain: NftChain, rule: NftRule, index: number, nat: NftNat): SnatPoint {
  const { portSelection, reason } = portSelectionOf(nat);
  const owner = nftOwnerOf(table, chain, rule);
  const point: SnatPoint = {
    type: 'SnatPoint',
    document,
    node: rule,
    range: nat.range,
    engine: 'nft',
    family: familyOf(table, rule, nat),
    portSelection,
    portSelectionReason: reason,
    backend: 'nftables',
  };
  if (owner) point.owner = owner;
  const advice = owner && OWNER_ADVICE[owner];
  if (advice) point.advice = advice;
  const fix = flagFix(nat);
  if (fix) point.fix = fix;

  let conditional = false;
  const sources: string[] = [];
  const destinations: string[] = [];
  // Words in describeTraffic's order: from, to, in, out, then conditions.
  const words: Record<'from' | 'to' | 'in' | 'out' | 'other', string[]> = { from: [], to: [], in: [], out: [], other: [] };
  const not = (m: NftMatch) => (m.negated ? 'not ' : '');
  for (const s of rule.statements) {
    if (s.type !== 'NftMatch') continue;
    const address = ADDRESS_KEY.exec(s.key);
    if (address) {
      const dir = address[2] === 'saddr' ? 'from' : 'to';
      words[dir].push(`${not(s)}${dir} ${describeExpr(s.right)}`);
      const values = addressValues(table, s);
      if (!values || values.named) conditional = true;
      if (values) (dir === 'from' ? sources : destinations).push(...values.cidrs.map((c) => (s.negated ? `!${c}` : c)));
    } else if (s.key === 'oifname' || s.key === 'oif' || s.key === 'iifname' || s.key === 'iif') {
      const names = interfaceNames(s);
      const dir = s.key.startsWith('o') ? 'out' : 'in';
      if (dir === 'out' && names.length === 1 && (s.op === '' || s.op === '==' || s.op === '!=')) point.outInterface = `${s.negated ? '!' : ''}${names[0]}`;
      words[dir].push(`${not(s)}${dir} ${names.length ? names.join(', ') : describeExpr(s.right)}`);
    } else if (OPAQUE_KEY.test(s.key) || hasSetRef(s.right)) {
      conditional = true;
      const w = conditionWords(s);
      if (!words.other.includes(w)) words.other.push(w);
    }
  }
  // kube-proxy's shape: `mark and 0x4000 == 0 return` before `masquerade fully-random` in the same chain.
  const guard = chain.rules.slice(0, index).find(isOpaqueExit);
  if (guard) {
    conditional = true;
    words.other.push(`that passes the earlier ${guardWords(guard)} in chain ${chain.name}`);
  }
  const all = [...words.from, ...words.to, ...words.in, ...words.out, ...words.other];
  const exempt = chain.rules.slice(0, index).flatMap((r) => exemptionOf(table, r));
  if (exempt.length) point.exemptDestinations = exempt;
  if (sources.length) point.sources = sources;
  if (destinations.length) point.destinations = destinations;
  if (conditional) point.conditional = true;
  point.traffic = all.length ? `traffic ${all.join(' ')}` : 'all traffic reaching it';
  return point;
}

/** Port selection from the flags (DOMAIN.md 3, 9.4): `fully-random` or the old `random-fully`, `random`, none. */
function portSelectionOf(nat: NftNat): { portSelection: PortSelection; reason: string } {
  const flags = nat.flags.map((f) => f.name).join(',');
  const persistent = natFlag(nat, 'persistent') ? '; persistent only keeps a client on one address, not its port' : '';
  const fully = natFlag(nat, 'fully-random');
  if (fully) {
    const old = fully.name !== 'fully-random' ? ` (old spelling of fully-random, which nft -f rejects)` : '';
    return { portSelection: 'fully-random', reason: `${nat.kind} ${flags}${old}${persistent}` };
  }
  if (natFlag(nat, 'random')) {
    return { portSelection: 'random', reason: `${nat.kind} ${flags} without fully-random${persistent}` };
  }
  return { portSelection: 'sequential', reason: `${nat.kind} ${flags ? `${flags} ` : ''}without a random flag${persistent}` };
}

/**
 * The edit that makes the statement fully random, where `nft list` prints the flag (canonical
 * order `random,fully-random,persistent`): after the statement, inside a flag list, or in place
 * of the old `random-fully` spelling.
 */
function flagFix(nat: NftNat): SourceFix | undefined {
  const fully = natFlag(nat, 'fully-random');
  if (fully) {
    if (fully.name === 'fully-random') return undefined;
    return { description: `Spell the flag fully-random (nft -f rejects ${fully.name})`, node: { type: 'NftNatFlag', range: fully.range }, text: 'fully-random' };
  }
  const random = natFlag(nat, 'random');
  if (random) return { description: `Add fully-random to ${nat.kind}`, node: { type: 'NftNatFlag', range: random.range }, text: `${random.name},fully-random` };
  const first = nat.flags[0];
  if (first) return { description: `Add fully-random to ${nat.kind}`, node: { type: 'NftNatFlag', range: first.range }, text: `fully-random,${first.name}` };
  return { description: `Add fully-random to ${nat.kind}`, node: nat, text: ' fully-random', insert: true };
}

/** `snat ip6 to ...` and `ip6 saddr` matches narrow an `inet` table's statement to one family. */
function familyOf(table: NftTable, rule: NftRule, nat: NftNat): SnatPoint['family'] {
  const family = FAMILY[table.family];
  if (family !== 'both') return family;
  if (nat.family) return nat.family.value === 'ip6' ? 'ipv6' : 'ipv4';
  for (const s of rule.statements) {
    if (s.type !== 'NftMatch') continue;
    if (/^ip6 /.test(s.key)) return 'ipv6';
    if (/^ip /.test(s.key)) return 'ipv4';
    if (s.key === 'meta nfproto' && s.op !== '!=') {
      const v = leafValues(s.right).map((e) => (e.kind === 'value' ? e.value : ''));
      if (v.length === 1 && v[0] === 'ipv4') return 'ipv4';
      if (v.length === 1 && v[0] === 'ipv6') return 'ipv6';
    }
  }
  const to = nat.to?.address?.value;
  if (to) return to.includes(':') ? 'ipv6' : 'ipv4';
  return 'both';
}

/**
 * The CIDRs of an address match: literals, anonymous sets and `$defines`, and named sets of the
 * same table through the elements the file lists (`named`: a controller can change them, so the
 * fact is conditional). Undefined when something cannot be listed.
 */
function addressValues(table: NftTable, match: NftMatch): { cidrs: string[]; named: boolean } | undefined {
  if (match.op !== '' && match.op !== '==' && match.op !== '!=') return undefined;
  const cidrs: string[] = [];
  let named = false;
  for (const leaf of leafValues(match.right)) {
    if (leaf.kind === 'value') cidrs.push(leaf.value);
    else if (leaf.kind === 'range') cidrs.push(`${leaf.low.value}-${leaf.high.value}`);
    else if (leaf.kind === 'setref') {
      const set = table.sets.find((s) => s.name === leaf.name);
      if (!set || set.elements.length === 0) return undefined;
      named = true;
      for (const element of set.elements) {
        for (const e of leafValues(element.key)) {
          if (e.kind === 'value') cidrs.push(e.value);
          else if (e.kind === 'range') cidrs.push(`${e.low.value}-${e.high.value}`);
          else return undefined;
        }
      }
    } else return undefined;
  }
  return cidrs.length ? { cidrs, named } : undefined;
}

/** Interface names of an `oifname`/`iifname` match, `*` wildcards written as iptables' `+`. */
function interfaceNames(match: NftMatch): string[] {
  const out: string[] = [];
  for (const leaf of leafValues(match.right)) {
    if (leaf.kind !== 'value') return [];
    const { prefix, wildcard } = interfacePattern(leaf.value);
    out.push(wildcard ? `${prefix}+` : prefix);
  }
  return out;
}

function hasSetRef(expr: NftExpr): boolean {
  return leafValues(expr).some((e) => e.kind === 'setref' || e.kind === 'variable');
}

/** A `return`/`accept` rule before the SNAT whose condition netlint cannot evaluate. */
function isOpaqueExit(rule: NftRule): boolean {
  let exits = false;
  let opaque = false;
  for (const s of rule.statements) {
    if (s.type === 'NftVerdict' && (s.verdict === 'return' || s.verdict === 'accept')) exits = true;
    if (s.type === 'NftMatch' && (OPAQUE_KEY.test(s.key) || hasSetRef(s.right))) opaque = true;
  }
  return exits && opaque;
}

/**
 * Destinations an earlier rule of the chain lets through un-NATed: `ip daddr 10.0.0.0/8 return`
 * (or `accept`) with nothing else to match (ip-masq-agent's and the CNI ipmasq chain's shape).
 */
function exemptionOf(table: NftTable, rule: NftRule): string[] {
  let exits = false;
  const out: string[] = [];
  for (const s of rule.statements) {
    if (s.type === 'NftVerdict') {
      if (s.verdict !== 'return' && s.verdict !== 'accept') return [];
      exits = true;
    } else if (s.type === 'NftMatch') {
      const address = ADDRESS_KEY.exec(s.key);
      if (!address || address[2] !== 'daddr' || s.negated) return [];
      const values = addressValues(table, s);
      if (!values || values.named) return [];
      out.push(...values.cidrs);
    } else if (s.type !== 'NftCounter' && s.type !== 'NftRuleComment') {
      return [];
    }
  }
  return exits ? out : [];
}

function guardWords(rule: NftRule): string {
  const match = rule.statements.find((s): s is NftMatch => s.type === 'NftMatch' && (OPAQUE_KEY.test(s.key) || hasSetRef(s.right)));
  return match?.key.includes('mark') ? 'firewall-mark check' : `${match?.key ?? 'condition'} check`;
}

/** A condition netlint cannot evaluate, in words (as `describeTraffic` words iptables matches). */
function conditionWords(match: NftMatch): string {
  if (match.key.includes('mark')) return 'with a firewall mark';
  if (match.key.startsWith('ct ')) return `with conntrack ${match.key.slice(3)} ${match.negated ? 'not ' : ''}${describeExpr(match.right)}`;
  if (match.key.startsWith('fib ')) return 'of an address type';
  if (hasSetRef(match.right)) return `matching ${match.key} ${describeExpr(match.right)}`;
  return `matching ${match.key}`;
}

function describeExpr(expr: NftExpr): string {
  const leaves = leafValues(expr);
  return leaves
    .map((e) => {
      switch (e.kind) {
        case 'value':
          return e.value;
        case 'range':
          return `${e.low.value}-${e.high.value}`;
        case 'setref':
          return `set @${e.name}`;
        case 'variable':
          return `$${e.name}`;
        default:
          return 'an expression';
      }
    })
    .join(', ');
}

/**
 * The component that most likely wrote an nft NAT statement: by table (`kube-proxy`, Docker's
 * `docker-bridges`, Calico's `calico`, flannel's `flannel-ipv4`/`flannel-ipv6`, the reference
 * plugins' `cni_plugins_masquerade`/`cni_plugins_portmap`), then by the chain names and comments
 * iptables-nft shows for iptables-era owners (see `natOwnerOf`).
 */
export function nftOwnerOf(table: NftTable, chain: NftChain, rule: NftRule): NatOwner | undefined {
  const t = table.name;
  const c = chain.name;
  const comment = rule.comment ?? '';
  if (t === 'kube-proxy') return 'kube-proxy';
  if (/^docker/.test(t)) return 'Docker';
  if (/^cali/.test(t) || /(?:^|-)cali-/.test(c) || /^cali:/.test(comment)) return 'Calico';
  if (/flannel/i.test(t) || /^FLANNEL/.test(c) || /flanneld masq/.test(comment)) return 'flannel';
  if (/^cni_plugins_/.test(t) || /^CNI-/.test(c)) return 'CNI plugin';
  if (/^KUBE-ROUTER/.test(c)) return 'kube-router';
  if (/^KUBE-/.test(c)) return 'kube-proxy';
  if (/^AWS-(?:SNAT|CONNMARK)-CHAIN/.test(c) || /^AWS,? SNAT/.test(comment)) return 'AWS VPC CNI';
  if (/^IP-MASQ/.test(c) || /^ip-masq-agent/.test(comment)) return 'ip-masq-agent';
  if (/^cilium/i.test(t) || /^CILIUM/.test(c) || /^cilium/.test(comment)) return 'Cilium';
  if (/^WEAVE/.test(c)) return 'Weave Net';
  if (/^DOCKER/.test(c)) return 'Docker';
  if (c === 'POSTROUTING') {
    for (const s of rule.statements) {
      if (s.type !== 'NftMatch' || s.key !== 'oifname') continue;
      const names = interfaceNames(s);
      if (names.some((n) => n === 'docker0' || n === 'docker_gwbridge' || /^br-[\w.-]+$/.test(n))) return 'Docker';
    }
  }
  return undefined;
}
