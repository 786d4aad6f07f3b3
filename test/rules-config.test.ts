import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../rules/index.js';
import { lintText } from '../src/engine/lint.js';
import { RuleRegistry } from '../src/engine/registry.js';
import { applyFixes } from '../src/fixes/apply.js';
import type { ResolvedConfig } from '../src/engine/types.js';
import { corpusFiles, corpusPath, describeCorpus, readCorpus } from './helpers/corpus.js';

/** The configuration rules of issues 3 and 4. */
const RULES = [
  'kube-proxy-config-schema',
  'ip-masq-agent-schema',
  'docker-ipv6-routed',
  'docker-bridge-overlaps-internal',
  'kube-proxy-masquerade-all',
  'kube-proxy-cluster-cidr-missing',
];

interface Expected {
  ruleId: string;
  messageId: string;
  line: number;
  column: number;
  severity: 1 | 2;
  /** Words the message must contain. */
  says?: string[];
}

const registry = new RuleRegistry(builtinRules);

function lint(folder: string, name: string, settings: ResolvedConfig['settings'] = {}) {
  const config: ResolvedConfig = { rules: Object.fromEntries(RULES.map((id) => [id, 'error'])), settings };
  const findings = lintText(readCorpus(folder, name), { filePath: corpusPath(folder, name), config, registry }).findings;
  expect(findings.filter((f) => f.ruleId === 'internal-error')).toEqual([]);
  return findings.filter((f) => RULES.includes(f.ruleId));
}

function check(folder: string, expected: Record<string, Expected[]>, settings?: ResolvedConfig['settings']): void {
  it('has files', () => expect(corpusFiles(folder).length).toBeGreaterThan(0));
  for (const name of corpusFiles(folder)) {
    it(name, () => {
      const findings = lint(folder, name, settings);
      const want = expected[name] ?? [];
      expect(findings.map(({ ruleId, messageId, line, column, severity }) => ({ ruleId, messageId, line, column, severity }))).toEqual(
        want.map(({ says: _says, ...rest }) => rest),
      );
      want.forEach((w, i) => {
        for (const words of w.says ?? []) expect(findings[i].message).toContain(words);
      });
    });
  }
}

describeCorpus('configuration rules over the corpus', () => {
  describe('kubernetes', () => {
    check('kubernetes', {
      // nonMasqueradeCIDRs: [] replaces the RFC 1918 defaults with nothing (DOMAIN.md 5.6).
      'fury-ip-masq-agent-config-empty-nonmasq.yaml': [
        {
          ruleId: 'ip-masq-agent-schema',
          messageId: 'emptyNonMasq',
          line: 5,
          column: 21,
          severity: 1,
          says: ['nonMasqueradeCIDRs: []', 'link-local 169.254.0.0/16 and fe80::/10'],
        },
      ],
      // Everything else is clean: the upstream ip-masq-agent config and DaemonSets, the kind patch
      // (metricsBindAddress only; kind fills clusterCIDR from podSubnet), CNI manifests without
      // kube-proxy configuration. The mis-indented Cilium example is a parse-error, not ours.
    });
  });

  describe('docker', () => {
    check('docker', {
      // ipv6 with a ULA prefix and no ip6tables: NAT66 since 27.0, routed (and no IPv6 egress) before.
      'ambroisemaupate-server-env-ipv6-ula.json': [
        {
          ruleId: 'docker-ipv6-routed',
          messageId: 'dependsOnVersion',
          line: 2,
          column: 3,
          severity: 1,
          says: ['fd34:fe56:7891:2f3a::/64 is a unique local prefix'],
        },
      ],
      // ipv6 with a global (documentation) prefix and no ip6tables: routed IPv6 before 27.0.
      'fly-apps-docker-daemon-ipv6-no-ip6tables.json': [
        { ruleId: 'docker-ipv6-routed', messageId: 'dependsOnVersion', line: 3, column: 5, severity: 1, says: ['(2001:db8:1::/64)'] },
      ],
      // b-data sets ip6tables + experimental; Docker's reference file has ipv6 off. No internal
      // networks are configured, so docker-bridge-overlaps-internal stays silent.
    });
  });

  describe('docker, in a VPC 10.0.0.0/16 peered with a default VPC 172.31.0.0/16', () => {
    const settings = { internalNetworks: ['10.0.0.0/16', '172.31.0.0/16'] };
    const defaultPools: Expected = {
      ruleId: 'docker-bridge-overlaps-internal',
      messageId: 'defaultPools',
      line: 1,
      column: 1,
      severity: 1,
      says: ['internal network 172.31.0.0/16', 'take 172.31.0.0/16'],
    };
    check(
      'docker',
      {
        'ambroisemaupate-server-env-ipv6-ula.json': [
          defaultPools,
          { ruleId: 'docker-ipv6-routed', messageId: 'dependsOnVersion', line: 2, column: 3, severity: 1 },
        ],
        'b-data-swarm-ipv6-nftables-daemon.json': [defaultPools],
        // Docker's own example lists 172.31.0.0/16 as an address pool.
        'docker-cli-docs-daemon.json-full-reference.json': [
          { ruleId: 'docker-bridge-overlaps-internal', messageId: 'poolOverlap', line: 31, column: 15, severity: 2, says: ['172.31.0.0/16'] },
        ],
        // Its only pool is 10.100.0.0/16, outside both internal networks; docker0 comes from it.
        'fly-apps-docker-daemon-ipv6-no-ip6tables.json': [
          { ruleId: 'docker-ipv6-routed', messageId: 'dependsOnVersion', line: 3, column: 5, severity: 1 },
        ],
      },
      settings,
    );
  });
});

/** Lints a text with all six rules. */
function lintAll(text: string, settings: ResolvedConfig['settings'] = {}) {
  const config: ResolvedConfig = { rules: Object.fromEntries(RULES.map((id) => [id, 'error'])), settings };
  return lintText(text, { filePath: 'manifest.yaml', kind: 'kubernetes', config, registry }).findings;
}

function kubeProxyDaemonSet(command: string[]): string {
  return [
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'metadata: { name: kube-proxy, namespace: kube-system }',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '      - name: kube-proxy',
    '        image: registry.k8s.io/kube-proxy:v1.30.2',
    `        command: ${JSON.stringify(command)}`,
    '',
  ].join('\n');
}

describe('configuration rules: embedded documents and command lines', () => {
  it("kubeadm's generated kube-proxy ConfigMap gives no finding from any of the rules", () => {
    const file = path.resolve(__dirname, '../rules/kube-proxy-config-schema/fixtures/valid/kubeadm-configmap.yaml');
    expect(lintAll(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('config.conf in a double-quoted string: the finding and its rename point into the outer file', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: kube-proxy, namespace: kube-system }',
      'data:',
      '  config.conf: "apiVersion: kubeproxy.config.k8s.io/v1alpha1\\nkind: KubeProxyConfiguration\\nclusterCidr: 10.244.0.0/16\\n"',
      '',
    ].join('\n');
    const findings = lintAll(text).filter((f) => f.ruleId === 'kube-proxy-config-schema');
    expect(findings.map((f) => [f.messageId, text.slice(f.range[0], f.range[1])])).toEqual([['unknownKeyDidYouMean', 'clusterCidr']]);
    expect(findings[0]).toMatchObject({ line: 5, column: 93 });
    const fixed = applyFixes(text, [findings[0].suggestions![0]]).output;
    expect(fixed).toContain('\\nclusterCIDR: 10.244.0.0/16\\n');
    expect(lintAll(fixed)).toEqual([]);
  });

  it('a KubeProxyConfiguration inside a List reports paths from the document', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: kubeproxy.config.k8s.io/v1alpha1\n  kind: KubeProxyConfiguration\n  clusterCIDR: 10.244.0.0/16\n  iptables: { masqueradeAll: true }\n';
    const [finding] = lintAll(text);
    expect(finding).toMatchObject({ ruleId: 'kube-proxy-masquerade-all', path: ['items', 0, 'iptables', 'masqueradeAll'], line: 7 });
  });

  it('kube-proxy flags: separate values, hyperkube, and shell strings', () => {
    // `--cluster-cidr VALUE` as two arguments is what pflag reads too.
    expect(lintAll(kubeProxyDaemonSet(['kube-proxy', '--cluster-cidr', '10.244.0.0/16']))).toEqual([]);
    const hyperkube = lintAll(kubeProxyDaemonSet(['/hyperkube', 'proxy', '--masquerade-all']));
    expect(hyperkube.map((f) => [f.ruleId, f.messageId])).toEqual([
      ['kube-proxy-cluster-cidr-missing', 'missingClusterCidr'],
      ['kube-proxy-masquerade-all', 'masqueradeAllFlag'],
    ]);
    // With masquerade-all, only the LoadBalancer short-circuit is lost.
    expect(hyperkube[0].message).not.toContain('not masqueraded');
    // Flags inside a shell string are not parsed: nothing is claimed about them.
    expect(lintAll(kubeProxyDaemonSet(['/bin/sh', '-c', 'kube-proxy --masquerade-all 1>>/var/log/kube-proxy.log 2>&1']))).toEqual([]);
    // With --config the file replaces the flags.
    expect(lintAll(kubeProxyDaemonSet(['kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--masquerade-all']))).toEqual([]);
  });

  it('ip-masq-agent: a JSON config in a double-quoted string is checked, and not rewritten where escapes differ', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: ip-masq-agent, namespace: kube-system }',
      'data:',
      '  config: "{\\"nonMasqueradeCIDRs\\": [\\"10.0.0.1/8\\"]}"',
      '',
    ].join('\n');
    const [finding] = lintAll(text);
    expect(finding).toMatchObject({ ruleId: 'ip-masq-agent-schema', messageId: 'unalignedCidr', line: 5 });
    expect(text.slice(finding.range[0], finding.range[1])).toBe('\\"10.0.0.1/8\\"');
    // The value is written with escaped quotes: a plain replacement would not mean the same.
    expect(finding.suggestions).toBeUndefined();
  });
});
