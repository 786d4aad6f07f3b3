import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { errors, parse } from '../helpers/iptables.js';
import { commandsAvailable, describeNetns, execTool, type Netns } from '../helpers/netns.js';
import { compare, disagreementTable, type Comparison } from './facts.js';

/**
 * Conformance of our iptables parser with netfilter's own: iptables-restore-translate (which
 * parses each rule with the real iptables extensions and prints it as nft) must agree with the
 * facts we extract, rule by rule; iptables-restore --test must accept what we accept and reject
 * what we reject.
 */

const CORPUS = '../shared/corpus/iptables-save';
const GENERATOR = '../shared/bench/gen-kube-proxy-dump.mjs';
const TOOLS = ['iptables-restore-translate', 'ip6tables-restore-translate', 'iptables-restore', 'ip6tables-restore'];

const isIpv6Dump = (file: string) => /ip6tables/.test(basename(file));

/** Where netfilter says the error is, from iptables-restore's stderr. */
function netfilterErrorLine(stderr: string): number | undefined {
  const m = /Error occurred at line: (\d+)|line (\d+) failed|COMMIT expected at line (\d+)/.exec(stderr);
  return m ? Number(m[1] ?? m[2] ?? m[3]) : undefined;
}

function inputs(): { corpus: string[]; reason?: string } {
  if (!existsSync(CORPUS)) return { corpus: [], reason: `${CORPUS} is absent (the shared corpus is checked out beside the repo)` };
  return { corpus: readdirSync(CORPUS).filter((f) => f.endsWith('.txt')).map((f) => join(CORPUS, f)) };
}

const { corpus, reason: corpusReason } = inputs();
const generatorReason = existsSync(GENERATOR) ? undefined : `${GENERATOR} is absent`;
const toolReason = commandsAvailable(TOOLS);

function agreeWithTranslator(ns: Netns, file: string): Comparison {
  const p = parse(readFileSync(file, 'utf8'), file);
  expect(errors(p), 'our parse').toEqual([]);
  const translator = isIpv6Dump(file) ? 'ip6tables-restore-translate' : 'iptables-restore-translate';
  const r = ns.exec(translator, ['-f', file]);
  expect(r.status, `${translator} -f ${file}: ${r.stderr}`).toBe(0);
  const c = compare(file, p.rules, r.stdout);
  console.log(
    `${basename(file)}: ${c.compared} rules compared, ${c.untranslatable} skipped (untranslatable), ` +
      `${c.protocolElided} protocols dropped by the translator, ${c.disagreements.length} disagreements`,
  );
  if (c.disagreements.length) console.log(disagreementTable(c.disagreements));
  expect(c.disagreements, `disagreements with ${translator}:\n${disagreementTable(c.disagreements)}`).toEqual([]);
  expect(c.compared).toBeGreaterThan(0);
  return c;
}

function restoreAccepts(ns: Netns, file: string): void {
  const text = readFileSync(file, 'utf8');
  const p = parse(text, file);
  expect(errors(p), 'our parse').toEqual([]);
  const restore = isIpv6Dump(file) ? 'ip6tables-restore' : 'iptables-restore';
  const r = ns.exec(restore, ['--test'], { input: text });
  expect(r.stderr, `${restore} --test < ${file}`).toBe('');
  expect(r.status).toBe(0);
}

describeNetns(
  'iptables-restore-translate agrees with our parse on the shared corpus',
  (ns) => {
    it.each(corpus)('%s', (file) => {
      agreeWithTranslator(ns, file);
    });
    it.each(corpus)('iptables-restore --test accepts %s and we report no parse-error', (file) => {
      restoreAccepts(ns, file);
    });
  },
  corpusReason ?? toolReason,
);

describeNetns(
  'iptables-restore-translate agrees with our parse on generated kube-proxy dumps',
  (ns) => {
    let dir: string;
    const dumps: Record<string, string> = {};
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'netlint-conformance-'));
      for (const [name, args] of [
        ['kube-proxy-300.iptables-save.txt', ['300']],
        ['kube-proxy-300-no-random-fully.iptables-save.txt', ['300', '3', '--no-random-fully']],
      ] as const) {
        const r = execTool(process.execPath, [GENERATOR, ...args]);
        expect(r.status, r.stderr).toBe(0);
        dumps[name] = join(dir, name);
        writeFileSync(dumps[name], r.stdout);
      }
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.each(['kube-proxy-300.iptables-save.txt', 'kube-proxy-300-no-random-fully.iptables-save.txt'])('%s', (name) => {
      const c = agreeWithTranslator(ns, dumps[name]);
      expect(c.compared).toBeGreaterThan(3000);
      const masq = parse(readFileSync(dumps[name], 'utf8')).rules.filter((r) => r.target?.name === 'MASQUERADE');
      expect(masq).toHaveLength(2);
      expect(masq.every((r) => r.target!.hasFlag('--random-fully'))).toBe(!name.includes('no-random-fully'));
    });
    it.each(['kube-proxy-300.iptables-save.txt', 'kube-proxy-300-no-random-fully.iptables-save.txt'])(
      'iptables-restore --test accepts %s and we report no parse-error',
      (name) => {
        restoreAccepts(ns, dumps[name]);
      },
    );
  },
  generatorReason ?? toolReason,
);

/** A restore file netfilter and we must both reject; `line` is where we report it. */
interface MalformedCase {
  name: string;
  text: string;
  line: number;
  /** Our message must match. */
  message: RegExp;
  /** Set when netfilter names another line than we do (and why). */
  netfilterLine?: number;
}

const MALFORMED: MalformedCase[] = [
  { name: 'legacy negation -s ! x', text: '*nat\n-A POSTROUTING -s ! 10.0.0.0/8 -j MASQUERADE\nCOMMIT\n', line: 2, message: /! -s 10\.0\.0\.0\/8/ },
  { name: 'legacy negation -o ! x', text: '*nat\n-A POSTROUTING -o ! docker0 -j MASQUERADE\nCOMMIT\n', line: 2, message: /! -o docker0/ },
  {
    name: 'unterminated quote swallowing the rest of the line',
    text: '*filter\n-A INPUT -s "10.0.0.1 -j ACCEPT\nCOMMIT\n',
    line: 2,
    message: /Unterminated quoted string/,
  },
  { name: 'missing option value', text: '*nat\n-A POSTROUTING -s -j MASQUERADE\nCOMMIT\n', line: 2, message: /Missing value after -s/ },
  { name: 'missing target option value', text: '*nat\n-A POSTROUTING -j MASQUERADE --to-ports\nCOMMIT\n', line: 2, message: /Missing value after --to-ports/ },
  { name: 'missing chain name', text: '*nat\n-A\nCOMMIT\n', line: 2, message: /Missing chain name/ },
  { name: 'missing module name', text: '*nat\n-A POSTROUTING -m\nCOMMIT\n', line: 2, message: /Missing module name/ },
  { name: 'missing jump target', text: '*nat\n-A POSTROUTING -j\nCOMMIT\n', line: 2, message: /Missing target/ },
  { name: '-A before any *table', text: '-A POSTROUTING -j MASQUERADE\n*nat\nCOMMIT\n', line: 1, message: /outside a table/ },
  { name: '-A after COMMIT', text: '*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n-A POSTROUTING -j RETURN\n', line: 4, message: /outside a table/ },
  {
    name: 'missing COMMIT',
    text: '*nat\n-A POSTROUTING -j MASQUERADE\n',
    line: 1,
    message: /Missing COMMIT/,
    // netfilter notices at the end of the input; we point at the table that was left open.
    netfilterLine: 3,
  },
  { name: 'unknown command', text: '*nat\n-Q POSTROUTING -j MASQUERADE\nCOMMIT\n', line: 2, message: /Unexpected line/ },
  { name: 'double negation ! !', text: '*nat\n-A POSTROUTING ! ! -s 10.0.0.0/8 -j MASQUERADE\nCOMMIT\n', line: 2, message: /Double negation/ },
  { name: 'trailing !', text: '*filter\n-A INPUT -j ACCEPT !\nCOMMIT\n', line: 2, message: /negates nothing/ },
  { name: '! before -j', text: '*nat\n-A POSTROUTING ! -j RETURN\nCOMMIT\n', line: 2, message: /cannot negate -j/ },
  { name: 'two targets', text: '*nat\n-A POSTROUTING -j RETURN -j ACCEPT\nCOMMIT\n', line: 2, message: /one target/ },
  { name: 'unknown table', text: '*natt\nCOMMIT\n', line: 1, message: /Unknown table "natt"/ },
  { name: 'not an iptables line', text: '*nat\nfoo bar\nCOMMIT\n', line: 2, message: /Unexpected line/ },
  { name: 'unknown short option', text: '*filter\n-A INPUT -x 1 -j ACCEPT\nCOMMIT\n', line: 2, message: /Unknown option "-x"/ },
  { name: 'stray word', text: '*filter\n-A INPUT stray -j ACCEPT\nCOMMIT\n', line: 2, message: /Unexpected "stray"/ },
  { name: 'second value for a basic option', text: '*filter\n-A INPUT -s 10.0.0.1 junk -j ACCEPT\nCOMMIT\n', line: 2, message: /Unexpected "junk"/ },
  { name: 'text after a closing quote', text: '*filter\n-A INPUT -s "10.0.0.1"junk -j ACCEPT\nCOMMIT\n', line: 2, message: /Unexpected "junk"/ },
  { name: 'match option without -m or -p', text: '*filter\n-A INPUT --dport 22 -j ACCEPT\nCOMMIT\n', line: 2, message: /belongs to no match or target/ },
  { name: 'COMMIT without a table', text: 'COMMIT\n', line: 1, message: /COMMIT without a table/ },
  { name: 'chain header before a table', text: ':INPUT ACCEPT [0:0]\n*filter\nCOMMIT\n', line: 1, message: /Chain header outside a table/ },
  { name: 'chain header without policy', text: '*filter\n:INPUT\nCOMMIT\n', line: 2, message: /Missing policy/ },
  { name: 'table line inside a table', text: '*nat\n-A POSTROUTING -j MASQUERADE\n*filter\nCOMMIT\n', line: 1, message: /Missing COMMIT/, netfilterLine: 3 },
];

/**
 * Where we knowingly differ from `iptables-restore --test` (v1.8.9). Each is asserted to still
 * differ, so a change on either side shows up here. `netfilter` is what iptables-restore does.
 */
const KNOWN_DIVERGENCES: { name: string; text: string; netfilter: 'accepts' | 'rejects'; why: string }[] = [
  {
    name: 'unterminated quote whose rest still parses',
    text: '*filter\n-A INPUT -m comment --comment "abc -j ACCEPT\nCOMMIT\n',
    netfilter: 'accepts',
    why: 'iptables-restore silently swallows the rest of the line (here -j ACCEPT) into the comment; we report it',
  },
  {
    name: 'byte order mark',
    text: '\uFEFF*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n',
    netfilter: 'rejects',
    why: 'editors add BOMs; we read the file (a rule could warn that iptables-restore rejects line 1)',
  },
  {
    name: 'CRLF line ends',
    text: '*nat\r\n-A POSTROUTING -j MASQUERADE\r\nCOMMIT\r\n',
    netfilter: 'rejects',
    why: 'files edited on Windows; we read them (iptables-restore: table name \'nat\\r\' invalid)',
  },
  {
    name: 'extra word after a module option value',
    text: '*filter\n-A INPUT -m comment --comment "a" b -j ACCEPT\nCOMMIT\n',
    netfilter: 'rejects',
    why: 'module/target option arity is not modelled; the parser keeps every following word as a value',
  },
  {
    name: 'policy on a user chain',
    text: '*filter\n:FOO ACCEPT [0:0]\nCOMMIT\n',
    netfilter: 'accepts',
    why: 'only the nft backend ignores it; iptables-legacy-restore rejects it ("Bad built-in chain name")',
  },
  {
    name: 'invalid built-in policy',
    text: '*filter\n:INPUT REJECT [0:0]\nCOMMIT\n',
    netfilter: 'accepts',
    why: 'only under --test with the nft backend; a real iptables-restore rejects it ("Bad policy name")',
  },
  {
    name: 'chain declared twice',
    text: '*filter\n:FOO - [0:0]\n:FOO - [0:0]\nCOMMIT\n',
    netfilter: 'accepts',
    why: 'the nft backend accepts it; iptables-legacy-restore rejects it ("File exists")',
  },
  {
    name: 'malformed chain counters',
    text: '*filter\n:INPUT ACCEPT [x:0]\nCOMMIT\n',
    netfilter: 'accepts',
    why: 'iptables-restore ignores header counters unless --counters; iptables-save never writes this',
  },
  {
    name: 'extra word after a chain header',
    text: '*filter\n:INPUT ACCEPT [0:0] extra\nCOMMIT\n',
    netfilter: 'accepts',
    why: 'iptables-restore ignores the rest of a header line; iptables-save never writes this',
  },
];

describeNetns(
  'malformed restore input: iptables-restore --test and our parser agree',
  (ns) => {
    const restoreTest = (text: string) => {
      // Both backends' parsers are the same code; the nf_tables one is what Debian runs.
      const r = ns.exec('iptables-restore', ['--test'], { input: text });
      return { accepted: r.status === 0, stderr: r.stderr.trim() };
    };

    it.each(MALFORMED)('$name', (c) => {
      const nf = restoreTest(c.text);
      const ours = parse(c.text).findings.filter((f) => f.ruleId === 'parse-error');
      const shown = JSON.stringify(c.text);
      expect(nf.accepted, `iptables-restore --test accepts ${shown}, but it is in the malformed set`).toBe(false);
      expect(ours.length, `iptables-restore rejects ${shown} (${nf.stderr}) but we report no parse-error`).toBeGreaterThan(0);
      expect(ours).toHaveLength(1);
      expect(ours[0].line, `our parse-error is on line ${ours[0].line}: ${ours[0].message}`).toBe(c.line);
      expect(ours[0].message).toMatch(c.message);
      const nfLine = netfilterErrorLine(nf.stderr);
      if (nfLine !== undefined) expect(nfLine, `netfilter: ${nf.stderr}`).toBe(c.netfilterLine ?? c.line);
    });

    it.each(KNOWN_DIVERGENCES)('known divergence, still divergent: $name', (c) => {
      const nf = restoreTest(c.text);
      const weReject = parse(c.text).findings.some((f) => f.ruleId === 'parse-error');
      const shown = JSON.stringify(c.text);
      expect(nf.accepted ? 'accepts' : 'rejects', `netfilter on ${shown}: ${nf.stderr}`).toBe(c.netfilter);
      expect(weReject, `we now agree with netfilter on ${shown}; move it out of KNOWN_DIVERGENCES (${c.why})`).toBe(c.netfilter === 'accepts');
    });
  },
  commandsAvailable(['iptables-restore']),
);
