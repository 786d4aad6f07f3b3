import type { InputKind } from '../model/document.js';
import { cniParser } from './cni/index.js';
import { conntrackParser } from './conntrack/index.js';
import { dockerDaemonParser } from './docker-daemon/index.js';
import { ethtoolParser } from './ethtool/index.js';
import { iptablesParser } from './iptables/index.js';
import { kernelParser } from './kernel/index.js';
import { nftParser } from './nft/index.js';
import { snmpParser } from './snmp/index.js';
import { sysctlParser } from './sysctl/index.js';
import { kubernetesParser } from './kubernetes/index.js';
import { mesosParser } from './mesos/index.js';
import type { KindParser } from './types.js';

const parsers: Partial<Record<InputKind, KindParser>> = {
  iptables: iptablesParser,
  nft: nftParser,
  cni: cniParser,
  'docker-daemon': dockerDaemonParser,
  kubernetes: kubernetesParser,
  mesos: mesosParser,
  'ethtool-features': ethtoolParser,
  'conntrack-stats': conntrackParser,
  'snmp-counters': snmpParser,
  kernel: kernelParser,
  sysctl: sysctlParser,
};

/** Kinds that have a parser. */
export function supportedKinds(): InputKind[] {
  return Object.keys(parsers) as InputKind[];
}

/** The parser of a kind; throws on a kind without one (a caller's mistake, not user input). */
export function parserFor(kind: InputKind): KindParser {
  const parser = parsers[kind];
  if (!parser) throw new TypeError(`No parser for input kind "${kind}".`);
  return parser;
}
