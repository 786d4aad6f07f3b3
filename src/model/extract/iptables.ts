import type { SourceDocument } from '../document.js';
import type { Fact, PortSelection, SnatPoint } from '../facts.js';
import type { IptablesDocument, IptablesRule } from '../iptables.js';
import { describeTraffic, natOwnerOf } from '../owners.js';
import { rulesWithTarget } from '../../parsers/iptables/select.js';

/** Modules whose conditions netlint cannot evaluate from a dump. */
const OPAQUE_MATCHES = new Set(['mark', 'connmark', 'set', 'conntrack', 'state', 'addrtype', 'statistic', 'owner', 'physdev', 'socket', 'rpfilter', 'policy', 'bpf', 'cgroup']);

/** The targets a `SnatPoint` is made for. */
const SNAT_TARGETS = ['MASQUERADE', 'SNAT'];

/** Port selection of an iptables SNAT/MASQUERADE target from its flags. */
export function iptablesPortSelection(rule: IptablesRule): PortSelection {
  const t = rule.target!;
  if (t.hasFlag('--random-fully')) return 'fully-random';
  if (t.hasFlag('--random')) return 'random';
  return 'sequential';
}

/** One `SnatPoint` per MASQUERADE/SNAT rule of the `nat` table. */
export function extractIptablesFacts(document: SourceDocument): Fact[] {
  const root = document.root as IptablesDocument;
  const facts: Fact[] = [];
  for (const table of root.tables) {
    if (table.name !== 'nat') continue;
    // Found by their target's name alone: only these rules' objects, targets and details are built.
    for (const rule of rulesWithTarget(table, SNAT_TARGETS)) {
      const target = rule.target!;
      const portSelection = iptablesPortSelection(rule);
      const point: SnatPoint = {
        type: 'SnatPoint',
        document,
        node: rule,
        range: target.range,
        engine: 'iptables',
        family: root.family,
        portSelection,
        portSelectionReason:
          portSelection === 'fully-random' ? '--random-fully' : portSelection === 'random' ? '--random without --random-fully' : 'no --random-fully flag',
        owner: natOwnerOf(rule),
        conditional: rule.matches.some((m) => OPAQUE_MATCHES.has(m.name)),
      };
      if (rule.source) point.sources = [`${rule.source.negated ? '!' : ''}${rule.source.value}`];
      if (rule.destination) point.destinations = [`${rule.destination.negated ? '!' : ''}${rule.destination.value}`];
      if (rule.outInterface) point.outInterface = `${rule.outInterface.negated ? '!' : ''}${rule.outInterface.value}`;
      point.traffic = describeTraffic(rule);
      facts.push(point);
    }
  }
  return facts;
}
