import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { lintText } from '../src/engine/lint.js';
import { describeCorpus, CORPUS_ROOT } from './helpers/corpus.js';

// Dumps in the shape kube-proxy (iptables mode) writes, from the shared bench generator.
const generator = path.join(CORPUS_ROOT, '../bench/gen-kube-proxy-dump.mjs');
const dump = (...args: string[]) => execFileSync(process.execPath, [generator, '300', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

describeCorpus('generated kube-proxy dumps', () => {
  it('give no snat-to-in-vpc-services finding, and no error at all with --random-fully', () => {
    const text = dump();
    expect(lintText(text, { filePath: 'kube-proxy.rules' }).findings.filter((f) => f.severity === 2 || f.ruleId === 'snat-to-in-vpc-services')).toEqual([]);
  });

  it("with internal networks set, kube-proxy's mark-gated MASQUERADE is still not reported; the pod MASQUERADE is", () => {
    const text = dump();
    const lines = text.split('\n');
    const kubeMasq = lines.findIndex((l) => l.startsWith('-A KUBE-POSTROUTING') && l.includes('-j MASQUERADE')) + 1;
    const podMasq = lines.findIndex((l) => l.startsWith('-A POSTROUTING -s 10.244.0.0/16')) + 1;
    const findings = lintText(text, {
      filePath: 'kube-proxy.rules',
      config: { rules: { 'snat-to-in-vpc-services': 'error' }, settings: { internalNetworks: ['172.31.0.0/16'] } },
    }).findings;
    expect(findings.map((f) => f.line)).toEqual([podMasq]);
    expect(findings[0].message).toContain('from 10.244.0.0/16 to internal network 172.31.0.0/16');
    expect(kubeMasq).toBeGreaterThan(0);
  });

  it('with --no-random-fully give masquerade-without-random-fully on both MASQUERADE lines only', () => {
    const text = dump('3', '--no-random-fully');
    const lines = text.split('\n');
    const masquerades = lines.flatMap((l, i) => (/-j MASQUERADE\b/.test(l) ? [i + 1] : []));
    expect(masquerades).toHaveLength(2);
    const findings = lintText(text, { filePath: 'kube-proxy.rules' }).findings.filter((f) => f.ruleId === 'masquerade-without-random-fully');
    expect(findings.map((f) => f.line)).toEqual(masquerades);
  });
});
