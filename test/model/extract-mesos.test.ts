import { describe, expect, it } from 'vitest';
import { lintText, parseText } from '../../src/engine/lint.js';
import { factsOf } from '../../src/model/extract/index.js';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';

/**
 * Mesos states no SNAT of its own (DOMAIN.md 7): `container` networks are routed CNI networks,
 * `container/bridge` goes through mesos-cni-port-mapper to a bridge whose `ipMasq` is in a CNI
 * config (the cni extractor's), or through Docker's bridge (daemon.json's), and the agent flags
 * only choose isolators. So no extractor is registered for `mesos`; rules read the network modes
 * from the Mesos model directly. These tests pin that down.
 */
function snatPoints(text: string, filePath: string) {
  const parsed = parseText(text, filePath, { kind: 'mesos' });
  expect(parsed.documents.length).toBeGreaterThan(0);
  return parsed.documents.flatMap((d) => factsOf(d)).filter((f) => f.type === 'SnatPoint');
}

describeCorpus('Mesos corpus: no SNAT facts', () => {
  it.each(corpusFiles('mesos'))('%s', (name) => {
    const text = readCorpus('mesos', name);
    expect(snatPoints(text, `corpus/mesos/${name}`)).toEqual([]);
    const findings = lintText(text, { filePath: `corpus/mesos/${name}`, kind: 'mesos' }).findings;
    expect(findings.filter((f) => f.ruleId === 'masquerade-without-random-fully' || f.ruleId === 'internal-error')).toEqual([]);
  });
});

describe('Mesos agent flags: no SNAT facts', () => {
  it('network/cni and network/port_mapping isolation', () => {
    const flags = '--isolation=filesystem/linux,docker/runtime,network/cni,network/port_mapping\n--network_cni_config_dir=/etc/mesos/cni\n';
    expect(snatPoints(flags, 'mesos-agent.flags')).toEqual([]);
  });
});
