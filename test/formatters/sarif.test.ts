import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, describe, expect, test } from 'vitest';
import { toEslintResults } from '../../src/formatters/eslint-results.js';
import { sarif, sarifLog, type SarifLog } from '../../src/formatters/sarif.js';
import type { EslintLikeResult } from '../../src/formatters/types.js';
import { SourceText } from '../../src/model/source.js';
import { canonicalContext, canonicalResults, CWD } from './fixture.js';
import { CORPUS_ROOT, corpusSkipReason, hasCorpus } from '../helpers/corpus.js';
import { bin } from '../helpers/bin.js';

const require = createRequire(import.meta.url);
const scratch = mkdtempSync(path.join(tmpdir(), 'netlint-sarif-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Results that stress URIs and regions: outside the root, spaces, stdin, ESLint's rule-less fatal. */
function edgeResults(): EslintLikeResult[] {
  const base = { suppressedMessages: [], fatalErrorCount: 0, fixableErrorCount: 0, fixableWarningCount: 0, usedDeprecatedRules: [] };
  return [
    {
      ...base,
      filePath: path.resolve(CWD, '../elsewhere/ip6tables.rules'),
      messages: [{ ruleId: 'masquerade-without-random-fully', severity: 1, message: 'Missing --random-fully.', line: 3, column: 1 }],
      errorCount: 0,
      warningCount: 1,
    },
    {
      ...base,
      filePath: path.join(CWD, 'nodes/node b/ip tables#1.rules'),
      messages: [{ ruleId: 'unknown-input', severity: 2, message: 'Unknown input kind.', line: 1, column: 1, endLine: 1, endColumn: 1 }],
      errorCount: 1,
      warningCount: 0,
    },
    {
      ...base,
      filePath: '<text>',
      messages: [{ ruleId: null, fatal: true, severity: 2, message: 'Parsing error: Unexpected token.', line: 0, column: 0 }],
      errorCount: 1,
      fatalErrorCount: 1,
      warningCount: 0,
    },
  ];
}

const logs: Record<string, () => string> = {
  canonical: () => sarif(toEslintResults(canonicalResults(), { cwd: CWD }), canonicalContext()),
  clean: () => sarif(toEslintResults([{ filePath: path.join(CWD, 'daemon.json'), text: '{}\n', findings: [] }], { cwd: CWD }), canonicalContext()),
  'no files': () => sarif([], canonicalContext()),
  edge: () => sarif(edgeResults(), canonicalContext({ rulesMeta: undefined })),
  // A real run over the shared corpus, as a user runs it (built CLI, rule help from READMEs).
  ...(hasCorpus ? { corpus: corpusLog } : {}),
};

let corpusText: string | undefined;
function corpusLog(): string {
  corpusText ??= spawnSync(process.execPath, [bin, 'lint', CORPUS_ROOT, '--format', 'sarif'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  }).stdout;
  return corpusText;
}
if (!hasCorpus) console.warn(`SARIF over the corpus skipped: ${corpusSkipReason}`);

// ---------------------------------------------------------------------------------------------
// The official schema, as @microsoft/jest-sarif ships it: SARIF 2.1.0 (rtm.5, the text OASIS
// approved), written in JSON Schema draft-04. ajv 8 speaks draft-07; the only draft-04 keyword
// the schema uses is the top-level `id` (checked below), so renaming it to `$id` is exact.
// Formats are checked too: ajv 8 leaves them to ajv-formats, which is not a dependency.

function sarifValidator(): ValidateFunction {
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const { $schema, id, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  expect($schema).toBe('http://json-schema.org/draft-04/schema#');
  expect(draft04OnlyKeywords(schema)).toEqual([]);
  // unicodeRegExp off: the schema's `language` pattern has a stray `]`
  // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), a syntax error only under the `u` flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s) => /^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(s) && canParseUrl(s));
  ajv.addFormat('uri-reference', (s) => /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/.test(s));
  ajv.addFormat('date-time', (s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i.test(s));
  return ajv.compile({ ...schema, $id: id as string });
}

function canParseUrl(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** Keywords whose meaning changed after draft-04: boolean exclusive bounds, nested `id`s. */
function draft04OnlyKeywords(node: unknown, inProperties = false, found: string[] = [], at = '#'): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => draft04OnlyKeywords(n, false, found, `${at}/${i}`));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (!inProperties && (key === 'exclusiveMinimum' || key === 'exclusiveMaximum' || key === 'id')) found.push(`${at}/${key}`);
      draft04OnlyKeywords(value, !inProperties && (key === 'properties' || key === 'definitions'), found, `${at}/${key}`);
    }
  }
  return found;
}

describe('SARIF against the official 2.1.0 schema (ajv)', () => {
  const validate = sarifValidator();

  test.each(Object.keys(logs))('%s log is valid', (name) => {
    const log: unknown = JSON.parse(logs[name]());
    const valid = validate(log);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the validator rejects a broken log (not vacuous)', () => {
    const log = JSON.parse(logs.canonical()) as SarifLog;
    (log.runs[0].results[0] as unknown as Record<string, unknown>).level = 'fatal';
    (log.runs[0].results[1].locations[0].physicalLocation.region as Record<string, unknown>).startLine = 0;
    expect(validate(log)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/runs/0/results/0/level', '/runs/0/results/1/locations/0/physicalLocation/region/startLine']),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Sarif.Multitool, Microsoft's validator: the SARIF rules (SARIF1xxx errors, SARIF2xxx
// warnings) and, in a second pass, GitHub Advanced Security's (GH1xxx/GH2xxx). Notes (style
// hints such as "use message ids") are not asked for.

interface MultitoolProbe {
  bin?: string;
  reason?: string;
}

const multitoolEnv = {
  ...process.env,
  // A single-file .NET app: keep its extraction and ICU needs off the machine's setup.
  DOTNET_BUNDLE_EXTRACT_BASE_DIR: scratch,
  DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1',
  DOTNET_CLI_TELEMETRY_OPTOUT: '1',
};

function probeMultitool(): MultitoolProbe {
  let bin: string;
  try {
    // The package exports the path of its platform package's binary.
    bin = require('@microsoft/sarif-multitool') as string;
  } catch (err) {
    return { reason: `@microsoft/sarif-multitool has no binary for ${process.platform}/${process.arch}: ${(err as Error).message}` };
  }
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    // npm 11 does not run the platform package's postinstall (`chmod u+x Sarif.Multitool`).
    try {
      chmodSync(bin, statSync(bin).mode | 0o100);
    } catch (err) {
      return { reason: `${bin} is not executable and chmod u+x failed: ${(err as Error).message}` };
    }
  }
  const run = spawnSync(bin, ['--version'], { encoding: 'utf8', env: multitoolEnv, timeout: 120_000 });
  if (run.error || run.status !== 0) {
    return { reason: `${bin} does not run on ${process.platform}/${process.arch}: ${run.error?.message ?? `exit ${run.status}`} ${run.stderr ?? ''}`.trim() };
  }
  return { bin };
}

const GHAS_CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="CoreSettings.Options">
    <Property Key="RuleKinds" Type="RuleKindSet">
      <Item>Sarif</Item>
      <Item>Ghas</Item>
    </Property>
  </Properties>
</Properties>
`;

let runs = 0;

/** Validates `text`; returns `ruleId level: arguments` of every error and warning reported. */
function multitoolValidate(bin: string, text: string, ruleKinds: 'sarif' | 'ghas'): string[] {
  const dir = path.join(scratch, `run-${++runs}`);
  mkdirSync(dir);
  const input = path.join(dir, 'netlint.sarif');
  // The output must not exist: the Multitool refuses to overwrite (ERR997) and exits 1.
  const output = path.join(dir, 'validation.sarif');
  writeFileSync(input, text);
  const args = ['validate', input, '--output', output, '--level', 'Error;Warning'];
  if (ruleKinds === 'ghas') {
    const config = path.join(dir, 'ghas.xml');
    writeFileSync(config, GHAS_CONFIG);
    args.push('--config', config);
  }
  const run = spawnSync(bin, args, { encoding: 'utf8', env: multitoolEnv, timeout: 300_000 });
  expect(run.status, `${run.error?.message ?? ''}\n${run.stdout}\n${run.stderr}`).toBe(0);
  const report = JSON.parse(readFileSync(output, 'utf8')) as {
    runs: { results?: { ruleId: string; level?: string; message: { arguments?: string[] } }[] }[];
  };
  return (report.runs[0].results ?? []).map(
    // SARIF's default level is warning.
    (r) => `${r.ruleId} ${r.level ?? 'warning'}: ${(r.message.arguments ?? []).join(' | ')}`,
  );
}

describe('SARIF against Sarif.Multitool validate', () => {
  const probe = probeMultitool();
  if (probe.reason) console.warn(`Sarif.Multitool checks skipped: ${probe.reason}`);

  // test.for, not test.each: the test context (for ctx.skip) comes second.
  test.for(Object.keys(logs))('%s log: no errors or warnings (SARIF and GitHub rules)', (name, ctx) => {
    if (!probe.bin) ctx.skip(probe.reason);
    const text = logs[name]();
    expect(multitoolValidate(probe.bin!, text, 'sarif')).toEqual([]);
    expect(multitoolValidate(probe.bin!, text, 'ghas')).toEqual([]);
  });

  test('reports problems in a broken log (not vacuous)', (ctx) => {
    if (!probe.bin) ctx.skip(probe.reason);
    const log = JSON.parse(logs.canonical()) as Record<string, unknown> & SarifLog;
    delete (log as Partial<SarifLog>).$schema;
    delete (log.runs[0].results[0].locations[0].physicalLocation as Partial<{ region: unknown }>).region;
    const reported = multitoolValidate(probe.bin!, JSON.stringify(log), 'sarif');
    expect(reported.map((r) => r.split(':')[0])).toEqual(expect.arrayContaining(['SARIF2008 warning', 'SARIF2017 warning']));
  });
});

// ---------------------------------------------------------------------------------------------

describe('SARIF of a run over the corpus', () => {
  test.runIf(hasCorpus)('has results, every one with a region, and a rule descriptor with help for each rule', () => {
    const log = JSON.parse(corpusLog()) as SarifLog;
    const run = log.runs[0];
    expect(run.results.length).toBeGreaterThan(20);
    for (const r of run.results) {
      const region = r.locations?.[0]?.physicalLocation?.region;
      expect(region?.startLine, JSON.stringify(r)).toBeGreaterThan(0);
      expect(region?.startColumn).toBeGreaterThan(0);
    }
    const rules = new Map((run.tool.driver.rules ?? []).map((d) => [d.id, d]));
    for (const id of new Set(run.results.map((r) => r.ruleId))) {
      expect(rules.get(id!)?.help?.text, id).toBeTruthy();
    }
  });
});

describe('SARIF content', () => {
  const results = toEslintResults(canonicalResults(), { cwd: CWD });
  const log = sarifLog(results, canonicalContext());
  const run = log.runs[0];

  test('every result names its rule by id and index, and has a region', () => {
    expect(run.results).toHaveLength(5);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      const { artifactLocation, region } = r.locations[0].physicalLocation;
      expect(region.startLine).toBeGreaterThanOrEqual(1);
      expect(region.startColumn).toBeGreaterThanOrEqual(1);
      expect(run.artifacts![artifactLocation.index!].location.uri).toBe(artifactLocation.uri);
    }
  });

  test('levels, relative URIs and the source root', () => {
    expect(run.results.map((r) => r.level)).toEqual(['error', 'warning', 'error', 'warning', 'error']);
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toMatch(/^file:\/\/\/.*\/$/);
    expect(run.artifacts!.map((a) => a.location.uri)).toEqual([
      'manifests/kube-proxy.yaml',
      'nodes/node-a/10-bridge.conflist',
      'nodes/node-a/daemon.json',
      'nodes/node-a/iptables.rules',
    ]);
  });

  test('the suppressed finding is a result with an in-source suppression', () => {
    const suppressed = run.results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppressions).toEqual([{ kind: 'inSource', justification: 'legacy NAT gateway, fixed in INFRA-212' }]);
  });

  test('related locations keep their own file', () => {
    const snat = run.results.find((r) => r.ruleId === 'snat-to-in-vpc-services')!;
    expect(snat.relatedLocations?.map((l) => [l.id, l.physicalLocation.artifactLocation.uri, l.physicalLocation.region.startLine])).toEqual([
      [1, 'nodes/node-a/iptables.rules', 6],
      [2, 'netlint.config.yaml', 2],
    ]);
  });

  test('fixes: both region forms describe the replaced text', () => {
    const withFixes = run.results.filter((r) => r.fixes);
    expect(withFixes.map((r) => r.ruleId)).toEqual(['cni-bridge-without-hairpin', 'masquerade-without-random-fully', 'masquerade-without-random-fully']);
    for (const r of withFixes) {
      const filePath = path.join(CWD, r.locations[0].physicalLocation.artifactLocation.uri);
      const lines = new SourceText(canonicalResults().find((f) => f.filePath === filePath)!.text);
      for (const fix of r.fixes!) {
        for (const { deletedRegion: d } of fix.artifactChanges[0].replacements) {
          expect(d.charOffset).toBeGreaterThanOrEqual(0);
          if (d.startLine === undefined) continue;
          expect(lines.offsetAt(d.startLine, d.startColumn!)).toBe(d.charOffset);
          expect(lines.offsetAt(d.endLine!, d.endColumn!)).toBe(d.charOffset! + d.charLength!);
        }
      }
    }
  });

  test('a clean run has empty results and rules', () => {
    const clean = sarifLog([], canonicalContext()).runs[0];
    expect(clean.results).toEqual([]);
    expect(clean.tool.driver.rules).toEqual([]);
  });

  test('paths outside the root become file URLs; odd names are percent-encoded', () => {
    const uris = sarifLog(edgeResults(), canonicalContext()).runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation);
    expect(uris[0]).toEqual({ uri: expect.stringMatching(/^file:\/\/\/.*\/elsewhere\/ip6tables\.rules$/), index: 0 });
    expect(uris[1]).toEqual({ uri: 'nodes/node%20b/ip%20tables%231.rules', uriBaseId: '%SRCROOT%', index: 1 });
    expect(uris[2]).toEqual({ uri: '%3Ctext%3E', uriBaseId: '%SRCROOT%', index: 2 });
  });
});
