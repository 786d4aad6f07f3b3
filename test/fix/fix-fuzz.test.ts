import path from 'node:path';
import fc from 'fast-check';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { builtinRules } from '../../rules/index.js';
import { lintText, type LintFileResult } from '../../src/engine/lint.js';
import { presetRules } from '../../src/engine/presets.js';
import { RuleRegistry } from '../../src/engine/registry.js';
import type { ResolvedConfig } from '../../src/engine/types.js';
import { fixLoop } from '../../src/fixes/fix-loop.js';
import type { InputKind } from '../../src/model/document.js';
import type { Finding } from '../../src/model/finding.js';
import { loadPolicies } from '../../src/policy/load.js';

/**
 * Property tests of `--fix`: random inputs go through the pipeline `lintFiles` runs for `--fix`
 * (`fixLoop`, re-linting each pass with the real rules), and the output must
 *  - never have more parse errors than the input (a fixed file always parses),
 *  - need no second run (fixing the output changes nothing),
 *  - differ from the input only where the fixes aim (inserted flags, declarations, set values).
 *
 * No built-in rule has a safe fix for a JSON or YAML input (their JSON/YAML fixes are
 * suggestions, which --fix never applies), so those kinds are fuzzed with the example policies'
 * set-value fixes, which --fix does apply.
 */

const root = path.resolve(__dirname, '../..');
const NUM_RUNS = Number(process.env.NETLINT_FUZZ_RUNS ?? 150);

const policies = loadPolicies([
  path.join(root, 'examples/policies/docker-ipv6-requires-ip6tables/policy.yaml'),
  path.join(root, 'examples/policies/aws-node-randomizesnat-prng/policy.yaml'),
]).rules;
const registry = new RuleRegistry([...builtinRules, ...policies]);
/** Every rule (`netlint:all`) and both policies, with internal networks so the VPC rule runs too. */
const config: ResolvedConfig = {
  rules: presetRules('netlint:all', registry),
  settings: { internalNetworks: ['10.0.0.0/8', '172.31.0.0/16', 'fd00::/8'] },
};

function linter(filePath: string, kind: InputKind) {
  return (text: string): LintFileResult => lintText(text, { filePath, kind, config, registry });
}

const count = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId).length;
const brief = (findings: Finding[]) => findings.map((f) => `${f.line}:${f.column} ${f.ruleId}: ${f.message}`);

/** The `--fix` properties every kind shares; returns the fixed text. */
function checkFix(input: string, lint: (text: string) => LintFileResult): string {
  const before = lint(input);
  expect(brief(before.findings.filter((f) => f.ruleId === 'internal-error')), 'internal errors on the input').toEqual([]);
  const fixed = fixLoop(input, lint);
  expect(fixed.rejected, 'a fix made the text unparseable (the pass was rolled back)').toBeUndefined();
  expect(count(fixed.result.findings, 'parse-error'), 'parse errors after --fix').toBeLessThanOrEqual(count(before.findings, 'parse-error'));
  expect(brief(fixed.result.findings.filter((f) => f.ruleId === 'internal-error')), 'internal errors on the output').toEqual([]);
  expect(brief(fixed.result.findings.filter((f) => f.fix)), 'fixes left after --fix').toEqual([]);
  const again = fixLoop(fixed.output, lint);
  expect(again.applied, 'fixes applied by a second --fix').toBe(0);
  expect(again.output).toBe(fixed.output);
  return fixed.output;
}

// iptables-save dumps ----------------------------------------------------------------------

const BUILTIN: Record<string, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};
const USER_CHAINS = ['DOCKER', 'DOCKER-USER', 'KUBE-POSTROUTING', 'CNI-3f2a9c1b8d7e6f5a4b3c2d1e', 'FLANNEL-POSTRTG', 'cali-nat-outgoing', 'MY_CHAIN.1'];
const VERSIONS = ['v1.4.21', 'v1.6.1', 'v1.6.2', 'v1.8.4 (legacy)', 'v1.8.7 (nf_tables)', 'v1.8.9 (nf_tables)'];
const IFACES = ['docker0', 'eth0', 'br-4f0a7c3e9b21', 'cni0', 'flannel.1', 'vxlan.calico', 'cali+', 'lo'];
const NETS = {
  4: ['10.0.0.0/8', '172.17.0.0/16', '10.244.1.0/24', '192.168.0.0/16', '169.254.169.254/32', '224.0.0.0/4', '0.0.0.0/0'],
  6: ['fd00::/8', 'fd00:dead:beef::/48', '2001:db8::/32', 'fe80::/10', '::1/128', '::/0'],
} as const;
const HOSTS = { 4: ['203.0.113.7', '10.0.0.5', '172.18.0.2'], 6: ['2001:db8::7', 'fd00::5'] } as const;

/** What iptables-save prints for a quoted string: backslash before `"` and `\`. */
const quote = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;
const commentText = fc.string({ unit: fc.constantFrom(...'abcxyz019 -_:/.#\'"\\;'.split('')), minLength: 1, maxLength: 24 });
const counters = fc.tuple(fc.nat({ max: 99999 }), fc.nat({ max: 9999999 })).map(([p, b]) => `[${p}:${b}]`);

type Family = 4 | 6;

function matchArb(family: Family) {
  const neg = fc.constantFrom('', '! ');
  return fc.oneof(
    fc.tuple(neg, fc.constantFrom(...NETS[family])).map(([n, c]) => `${n}-s ${c}`),
    fc.tuple(neg, fc.constantFrom(...NETS[family])).map(([n, c]) => `${n}-d ${c}`),
    fc.tuple(neg, fc.constantFrom(...IFACES)).map(([n, i]) => `${n}-o ${i}`),
    fc.tuple(neg, fc.constantFrom(...IFACES)).map(([n, i]) => `${n}-i ${i}`),
    fc.tuple(fc.constantFrom('tcp', 'udp'), fc.integer({ min: 1, max: 65535 })).map(([p, port]) => `-p ${p} -m ${p} --dport ${port}`),
    fc.tuple(commentText, fc.boolean()).map(([t, q]) => `-m comment --comment ${q || /[\s"'\\#;]/.test(t) ? quote(t) : t}`),
    fc.constant('-m addrtype --dst-type LOCAL'),
    fc.constant('-m mark --mark 0x4000/0x4000'),
    fc.constant('-m conntrack --ctstate RELATED,ESTABLISHED'),
  );
}

/** A target: NAT ones with random flags in random order, others, and jumps to user chains. */
function targetArb(table: string, family: Family) {
  const flags = (list: string[]) => fc.shuffledSubarray(list);
  const nat = [
    flags(['--to-ports 1024-65535', '--random', '--random-fully']).map((f) => ['-j MASQUERADE', ...f].join(' ')),
    fc
      .tuple(fc.constantFrom(...HOSTS[family]), fc.boolean(), flags(['--random', '--random-fully', '--persistent']))
      .map(([h, ports, f]) => ['-j SNAT --to-source', family === 6 && ports ? `[${h}]:1024-65535` : ports ? `${h}:1024-65535` : h, ...f].join(' ')),
    fc.constantFrom(...HOSTS[family]).map((h) => `-j DNAT --to-destination ${family === 6 ? `[${h}]` : h}:8080`),
  ];
  const common = [
    fc.constantFrom('-j RETURN', '-j ACCEPT'),
    fc.tuple(fc.constantFrom('-j', '-g'), fc.constantFrom(...USER_CHAINS)).map(([k, c]) => `${k} ${c}`),
  ];
  const filter = [
    fc.constantFrom('-j DROP', `-j REJECT --reject-with ${family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`),
    commentText.map((t) => `-j LOG --log-prefix ${quote(t)}`),
  ];
  return fc.oneof(...(table === 'nat' ? [...nat, ...nat, ...common] : [...filter, ...common]));
}

/** Lines iptables-restore rejects, so inputs with parse errors are fuzzed too. */
const BROKEN = ['-A POSTROUTING -s ! 10.0.0.0/8 -j MASQUERADE', '-A POSTROUTING -j', '-A INPUT -m comment --comment "unterminated -j ACCEPT', '-X', 'garbage'];

interface TableSpec {
  name: string;
  headers: { chain: string; policy: string; counters: string }[];
  declared: string[];
  rules: { counters?: string; chain: string; matches: string[]; target: string }[];
  between: (string | undefined)[];
}

function tableArb(name: string, family: Family): fc.Arbitrary<TableSpec> {
  const chains = [...BUILTIN[name], ...USER_CHAINS];
  return fc.record({
    name: fc.constant(name),
    headers: fc.subarray(BUILTIN[name], { minLength: 1 }).chain((cs) =>
      fc.tuple(...cs.map((chain) => fc.record({ chain: fc.constant(chain), policy: fc.constantFrom('ACCEPT', 'DROP'), counters }))),
    ),
    declared: fc.subarray(USER_CHAINS),
    rules: fc.array(
      fc.record({
        counters: fc.option(counters, { nil: undefined }),
        chain: fc.constantFrom(...chains),
        matches: fc.uniqueArray(matchArb(family), { maxLength: 4, selector: (m) => m.replace(/^! /, '').split(' ')[0] }),
        target: targetArb(name, family),
      }),
      { maxLength: 8 },
    ),
    between: fc.array(fc.option(fc.oneof(fc.constant(''), commentText.map((t) => `# ${t}`), fc.constantFrom(...BROKEN)), { nil: undefined, freq: 6 }), {
      minLength: 9,
      maxLength: 9,
    }),
  });
}

interface DumpSpec {
  family: Family;
  version?: string;
  tables: TableSpec[];
  eol: '\n' | '\r\n';
  finalEol: boolean;
  withCounters: boolean;
}

const dumpArb: fc.Arbitrary<DumpSpec> = fc
  .record({
    family: fc.constantFrom<Family>(4, 4, 6),
    version: fc.option(fc.constantFrom(...VERSIONS), { nil: undefined }),
    names: fc.shuffledSubarray(['nat', 'nat', 'filter', 'mangle', 'raw'], { minLength: 1, maxLength: 3 }).map((n) => [...new Set(n)]),
    eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
    finalEol: fc.boolean(),
    withCounters: fc.boolean(),
  })
  .chain(({ family, names, ...rest }) => fc.tuple(...names.map((n) => tableArb(n, family))).map((tables) => ({ ...rest, family, tables })));

function renderDump(d: DumpSpec): string {
  const lines: string[] = [];
  const tool = d.family === 6 ? 'ip6tables-save' : 'iptables-save';
  for (const t of d.tables) {
    if (d.version) lines.push(`# Generated by ${tool} ${d.version} on Mon Nov 23 09:12:44 2026`);
    lines.push(`*${t.name}`);
    for (const h of t.headers) lines.push(`:${h.chain} ${h.policy} ${h.counters}`);
    for (const c of t.declared) lines.push(`:${c} - [0:0]`);
    t.rules.forEach((r, i) => {
      if (t.between[i] !== undefined) lines.push(t.between[i]!);
      const counter = d.withCounters && r.counters ? `${r.counters} ` : '';
      lines.push([`${counter}-A ${r.chain}`, ...r.matches, r.target].join(' '));
    });
    lines.push('COMMIT');
    if (d.version) lines.push(`# Completed on Mon Nov 23 09:12:44 2026`);
  }
  return lines.join(d.eol) + (d.finalEol ? d.eol : '');
}

/** Chains a table uses (rules in it, jumps to it) but does not declare: the fix may declare them. */
function undeclared(d: DumpSpec): Set<string> {
  const out = new Set<string>();
  for (const t of d.tables) {
    const used = [...t.rules.map((r) => r.chain), ...t.rules.map((r) => /^-[jg] (\S+)$/.exec(r.target)?.[1]).filter((c): c is string => !!c)];
    for (const c of used) if (USER_CHAINS.includes(c) && !t.declared.includes(c)) out.add(c);
  }
  return out;
}

const lines = (text: string) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/**
 * Checks that `output` is `input` plus `--random-fully` on MASQUERADE/SNAT lines that lacked
 * it, plus `:CHAIN - [0:0]` lines for undeclared chains, and nothing else.
 */
function expectOnlyFixedTargetsChanged(input: string, output: string, eol: string, chains: Set<string>): void {
  const a = lines(input);
  const b = lines(output);
  let i = 0;
  for (let j = 0; j < b.length; j++) {
    const line = b[j];
    if (i < a.length && line === a[i]) {
      i++;
      continue;
    }
    const decl = /^:(\S+) - \[0:0\](\r?\n)?$/.exec(line);
    if (decl && chains.has(decl[1]) && (decl[2] === undefined || decl[2] === eol)) continue;
    const was = a[i] ?? '';
    const flagged = /-j (?:MASQUERADE|SNAT)\b/.test(was) && !was.includes('--random-fully') && line.split('--random-fully').length === 2;
    if (flagged && (line.replace(' --random-fully', '') === was || line.replace('--random-fully ', '') === was)) {
      i++;
      continue;
    }
    expect.fail(`unexpected change at output line ${j + 1}:\n- ${JSON.stringify(was)}\n+ ${JSON.stringify(line)}`);
  }
  expect(i, 'input lines missing from the output').toBe(a.length);
}

describe('--fix on random iptables-save dumps', () => {
  it('parses no worse, is idempotent, and changes only the fixed targets and declarations', () => {
    fc.assert(
      fc.property(dumpArb, (spec) => {
        const input = renderDump(spec);
        const output = checkFix(input, linter('iptables-save.txt', 'iptables'));
        expectOnlyFixedTargetsChanged(input, output, spec.eol, undeclared(spec));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the generator reaches the cases the properties are about', () => {
    // Guards the fuzzer itself: most runs must exercise fixes, CRLF, parse errors.
    const samples = fc.sample(dumpArb, { numRuns: 300, seed: 42 });
    const texts = samples.map(renderDump);
    const lint = linter('iptables-save.txt', 'iptables');
    const results = texts.map((t) => lint(t).findings);
    expect(results.filter((f) => f.some((x) => x.ruleId === 'masquerade-without-random-fully' && x.fix)).length).toBeGreaterThan(30);
    expect(results.filter((f) => f.some((x) => x.ruleId === 'iptables-undefined-chain' && x.fix)).length).toBeGreaterThan(30);
    expect(results.filter((f) => f.some((x) => x.ruleId === 'masquerade-without-random-fully' && x.suggestions && !x.fix)).length).toBeGreaterThan(5);
    expect(results.filter((f) => f.some((x) => x.ruleId === 'parse-error')).length).toBeGreaterThan(30);
    expect(texts.filter((t) => t.includes('\r\n')).length).toBeGreaterThan(30);
    expect(texts.filter((t) => /--comment "[^"\n]*\\"/.test(t)).length).toBeGreaterThan(10);
  });
});

// daemon.json (JSON) --------------------------------------------------------------------------

const DAEMON_KEYS: Record<string, unknown> = {
  'log-driver': 'json-file',
  'log-opts': { 'max-size': '10m', 'max-file': '3' },
  'storage-driver': 'overlay2',
  iptables: true,
  'ip-masq': true,
  bip: '172.26.0.1/16',
  'fixed-cidr-v6': 'fd00:1::/64',
  mtu: 1450,
  'default-address-pools': [{ base: '10.200.0.0/16', size: 24 }],
  dns: ['10.0.0.2', '10.0.0.3'],
  experimental: false,
};

const daemonArb = fc.record({
  keys: fc.shuffledSubarray(Object.keys(DAEMON_KEYS)),
  ipv6: fc.constantFrom(true, false, undefined),
  ip6tables: fc.constantFrom(true, false, undefined),
  ipv6First: fc.boolean(),
  indent: fc.constantFrom<string | number>(0, 2, 4, '\t'),
  eol: fc.constantFrom('\n', '\r\n'),
  finalEol: fc.boolean(),
});

type DaemonSpec = typeof daemonArb extends fc.Arbitrary<infer T> ? T : never;

function daemonObject(d: DaemonSpec): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const extra = d.keys.map((k) => [k, DAEMON_KEYS[k]] as const);
  const flags: [string, unknown][] = [];
  if (d.ipv6 !== undefined) flags.push(['ipv6', d.ipv6]);
  if (d.ip6tables !== undefined) flags.push(['ip6tables', d.ip6tables]);
  for (const [k, v] of d.ipv6First ? [...flags, ...extra] : [...extra, ...flags]) obj[k] = v;
  return obj;
}

/** Raw text of each member of the top-level object, by key. */
function members(text: string): Map<string, string> {
  const tree = parseTree(text) as JsonNode;
  return new Map(
    (tree.children ?? []).map((p) => {
      const [key, value] = p.children!;
      return [key.value as string, text.slice(value.offset, value.offset + value.length)];
    }),
  );
}

describe('--fix on random daemon.json files (policy docker-ipv6-requires-ip6tables)', () => {
  it('parses no worse, is idempotent, and only sets "ip6tables"', () => {
    fc.assert(
      fc.property(daemonArb, (spec) => {
        const obj = daemonObject(spec);
        const input = JSON.stringify(obj, null, spec.indent).replace(/\n/g, spec.eol) + (spec.finalEol ? spec.eol : '');
        const output = checkFix(input, linter('daemon.json', 'docker-daemon'));
        if (spec.ipv6 !== true || spec.ip6tables === true) {
          expect(output).toBe(input);
          return;
        }
        expect(JSON.parse(output)).toEqual({ ...obj, ip6tables: true });
        const before = members(input);
        const after = members(output);
        before.delete('ip6tables');
        after.delete('ip6tables');
        expect(after).toEqual(before);
        if (spec.eol === '\r\n') expect(output.replace(/\r\n/g, '')).not.toContain('\n');
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// aws-node DaemonSet (Kubernetes YAML) --------------------------------------------------------

const RANDOMIZE = 'AWS_VPC_K8S_CNI_RANDOMIZESNAT';

const envVarArb = fc.oneof(
  fc.record({ name: fc.constantFrom('AWS_VPC_K8S_CNI_LOGLEVEL', 'AWS_VPC_K8S_CNI_MTU', 'MY_NODE_NAME'), value: fc.constantFrom('DEBUG', '9001', 'a "quoted" value', 'x: y') }),
  fc.record({ name: fc.constant(RANDOMIZE), value: fc.constantFrom<string | undefined>('prng', 'hashrandom', 'none', undefined) }),
);

const awsNodeArb = fc.record({
  env: fc.option(fc.uniqueArray(envVarArb, { maxLength: 4, selector: (v) => v.name }), { nil: undefined }),
  flowEnv: fc.boolean(),
  quoteValues: fc.constantFrom('', '"', "'"),
  sidecar: fc.constantFrom<'before' | 'after' | undefined>('before', 'after', undefined),
  leadingDocs: fc.boolean(),
  comments: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n'),
});

type AwsNodeSpec = typeof awsNodeArb extends fc.Arbitrary<infer T> ? T : never;

function renderAwsNode(s: AwsNodeSpec): string {
  const q = (v: string) => (s.quoteValues === "'" ? `'${v.replace(/'/g, "''")}'` : JSON.stringify(v));
  const scalar = (v: string) => (s.quoteValues === '' && /^[\w.-]+$/.test(v) && !/^\d+$/.test(v) ? v : q(v));
  const out: string[] = [];
  if (s.leadingDocs) out.push('apiVersion: v1', 'kind: ServiceAccount', 'metadata:', '  name: aws-node', '  namespace: kube-system', '---');
  out.push('apiVersion: apps/v1', 'kind: DaemonSet', 'metadata:', '  name: aws-node', '  namespace: kube-system', 'spec:', '  template:', '    spec:');
  if (s.comments) out.push('      # the CNI plugin');
  out.push('      containers:');
  const sidecar = ['        - name: aws-eks-nodeagent', '          image: nodeagent:v1.0.0'];
  if (s.sidecar === 'before') out.push(...sidecar);
  out.push('        - name: aws-node', '          image: amazon-k8s-cni:v1.6.0');
  if (s.env) {
    if (s.flowEnv) {
      const items = s.env.map((v) => `{name: ${v.name}${v.value === undefined ? '' : `, value: ${q(v.value)}`}}`);
      out.push(`          env: [${items.join(', ')}]`);
    } else if (s.env.length === 0) {
      out.push('          env: []');
    } else {
      out.push('          env:');
      for (const v of s.env) {
        if (s.comments) out.push(`            # ${v.name}`);
        out.push(`            - name: ${v.name}`);
        if (v.value !== undefined) out.push(`              value: ${scalar(v.value)}`);
      }
    }
  }
  out.push('          securityContext:', '            privileged: true');
  if (s.sidecar === 'after') out.push(...sidecar);
  return out.join(s.eol) + s.eol;
}

/** The documents with AWS_VPC_K8S_CNI_RANDOMIZESNAT set to prng on the aws-node container. */
function expectedObjects(input: string): unknown[] {
  const docs = parseAllDocuments(input).map((d) => d.toJS()) as Record<string, any>[];
  for (const doc of docs) {
    if (doc?.kind !== 'DaemonSet') continue;
    for (const c of doc.spec.template.spec.containers) {
      if (c.name !== 'aws-node') continue;
      c.env ??= [];
      const v = c.env.find((e: { name: string }) => e.name === RANDOMIZE);
      if (v) v.value = 'prng';
      else c.env.push({ name: RANDOMIZE, value: 'prng' });
    }
  }
  return docs;
}

describe('--fix on random aws-node DaemonSets (policy aws-node-randomizesnat-prng)', () => {
  it('parses no worse, is idempotent, and only sets the variable', () => {
    fc.assert(
      fc.property(awsNodeArb, (spec) => {
        const input = renderAwsNode(spec);
        const output = checkFix(input, linter('aws-node.yaml', 'kubernetes'));
        const docs = parseAllDocuments(output);
        expect(docs.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
        expect(docs.map((d) => d.toJS())).toEqual(expectedObjects(input));
        // Comments and every line of the other container survive.
        for (const line of input.split(spec.eol).filter((l) => /#|nodeagent|securityContext|privileged/.test(l))) expect(output).toContain(line);
        if (spec.eol === '\r\n') expect(output.replace(/\r\n/g, '')).not.toContain('\n');
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
