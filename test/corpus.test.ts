import { describe, expect, it } from 'vitest';
import { lintText, parseText } from '../src/engine/lint.js';
import type { InputKind } from '../src/model/document.js';
import { detectKind } from '../src/parsers/detect.js';
import { corpusFiles, corpusPath, describeCorpus, readCorpus } from './helpers/corpus.js';

/** The input kind of every corpus folder; evidence files by name. */
const FOLDER_KIND: Record<string, InputKind | ((name: string) => InputKind)> = {
  'iptables-save': 'iptables',
  nftables: 'nft',
  cni: 'cni',
  docker: 'docker-daemon',
  kubernetes: 'kubernetes',
  mesos: 'mesos',
  evidence: (name) =>
    name.startsWith('ethtool') ? 'ethtool-features' : name.startsWith('conntrack') || name.includes('nf_conntrack') ? 'conntrack-stats' : 'snmp-counters',
};

/**
 * Files that are malformed on purpose (NEGATIVE in corpus/SOURCES.md), with where and why they
 * fail. Every other corpus file must parse without a parse-error.
 */
const MALFORMED: Record<string, { line: number; why: RegExp }> = {
  'cni/cni-dev-portmap-standalone-ptp-ipmasq-trailing-comma.conflist': { line: 20, why: /trailing comma/i },
  'cni/cni-spec-dbnet-example.conflist.jsonc': { line: 8, why: /comment/i },
  'kubernetes/cilium-example-ip-masq-agent-rfc1918-configmap.yaml': { line: 2, why: /mapping|indent|YAML/i },
};

describeCorpus('every corpus file is recognised and parsed', () => {
  for (const [folder, kind] of Object.entries(FOLDER_KIND)) {
    describe(folder, () => {
      for (const name of corpusFiles(folder)) {
        const rel = `${folder}/${name}`;
        it(name, () => {
          const text = readCorpus(folder, name);
          const expected = typeof kind === 'function' ? kind(name) : kind;
          expect(detectKind(corpusPath(folder, name), text), 'detected kind').toBe(expected);
          const parsed = parseText(text, corpusPath(folder, name));
          const parseErrors = parsed.findings.filter((f) => f.ruleId === 'parse-error');
          const bad = MALFORMED[rel];
          if (bad) {
            expect(parseErrors.length, 'a malformed file gives a parse-error').toBeGreaterThan(0);
            expect(parseErrors[0].line).toBe(bad.line);
            expect(parseErrors[0].message).toMatch(bad.why);
          } else {
            expect(parseErrors.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
          }
          // The whole pipeline runs over it without an internal error.
          const linted = lintText(text, { filePath: corpusPath(folder, name) });
          expect(linted.findings.filter((f) => f.ruleId === 'internal-error' || f.ruleId === 'unknown-input')).toEqual([]);
        });
      }
    });
  }
});
