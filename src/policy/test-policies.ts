import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { lintText } from '../engine/lint.js';
import { RuleRegistry } from '../engine/registry.js';
import type { ResolvedConfig, RuleModule } from '../engine/types.js';
import { fixLoop } from '../fixes/fix-loop.js';
import type { InputKind } from '../model/document.js';
import type { Finding } from '../model/finding.js';
import { supportedKinds } from '../parsers/index.js';
import type { PolicyOptions } from './compile.js';
import { parsePolicies } from './load.js';

/** One fixture that did not give what it should. */
export interface PolicyTestFailure {
  /** The policy id (the folder name when the policy itself could not be loaded). */
  policy: string;
  /** The fixture, relative to the tested folder (`<id>/fixtures/fail/x.yaml`), or the policy file. */
  fixture: string;
  reason: string;
}

export interface PolicyTestResult {
  /** Fixtures that gave exactly what they should. */
  passed: number;
  failed: PolicyTestFailure[];
}

/** A finding a `fail` fixture expects (`<fixture>.findings.json` holds a list of these). */
export interface ExpectedPolicyFinding {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** The whole message, when given. */
  message?: string;
}

const POLICY_FILES = ['policy.yaml', 'policy.yml', 'policy.json'];
/** Files beside fixtures that are not fixtures. */
const SIDE_FILE = /\.findings\.json$|\.fixed(?:\.[^/]*)?$/;

/**
 * Runs the fixtures of every policy folder under `dir` (`netlint test-policies DIR`, like
 * `conftest verify`). A policy folder holds `policy.yaml` (one policy) and
 * `fixtures/pass/*` (inputs that must give no finding of the policy) and `fixtures/fail/*`
 * (inputs that must give exactly the findings of `<name>.findings.json`, and, when
 * `<name>.fixed.<ext>` exists, whose safe fixes must produce that text and lint clean). `dir`
 * may itself be a policy folder. Each fixture is linted with `lintText`, a registry holding only
 * the policy, and a config enabling only it; parse errors and internal errors fail the fixture.
 */
export async function testPolicies(dir: string): Promise<PolicyTestResult> {
  const result: PolicyTestResult = { passed: 0, failed: [] };
  const folders = await policyFolders(dir);
  if (folders.length === 0) {
    result.failed.push({ policy: path.basename(dir), fixture: '.', reason: `no policy folders (a folder with ${POLICY_FILES[0]} and fixtures/) under ${dir}` });
    return result;
  }
  for (const folder of folders) await testFolder(dir, folder, result);
  return result;
}

async function policyFolders(dir: string): Promise<string[]> {
  if (POLICY_FILES.some((f) => existsSync(path.join(dir, f)))) return [dir];
  const out: string[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new ConfigError(`Cannot read the policy folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, dir);
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isDirectory() || e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const sub = path.join(dir, e.name);
    if (POLICY_FILES.some((f) => existsSync(path.join(sub, f)))) out.push(sub);
    else out.push(...(await policyFolders(sub)));
  }
  return out;
}

async function testFolder(root: string, folder: string, result: PolicyTestResult): Promise<void> {
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/') || path.basename(p);
  const policyFile = POLICY_FILES.map((f) => path.join(folder, f)).find((f) => existsSync(f))!;
  const fail = (policy: string, fixture: string, reason: string) => result.failed.push({ policy, fixture: rel(fixture), reason });

  let rules: RuleModule<PolicyOptions>[];
  try {
    rules = parsePolicies(await fs.readFile(policyFile, 'utf8'), policyFile).map((p) => p.rule);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const where = err.line ? `:${err.line}${err.column ? `:${err.column}` : ''}` : '';
    fail(path.basename(folder), `${policyFile}${where}`, err.message);
    return;
  }
  if (rules.length !== 1) {
    fail(path.basename(folder), policyFile, `expected one policy in the file, found ${rules.length}`);
    return;
  }
  const [rule] = rules;
  const id = rule.meta.id;
  const registry = new RuleRegistry([rule]);
  const config: ResolvedConfig = { rules: { [id]: rule.meta.recommended ?? 'error' }, settings: {} };
  // Fixtures of a one-kind policy are read as that kind, whatever their names.
  const kind: InputKind | undefined = rule.meta.inputs.length === 1 ? rule.meta.inputs[0] : undefined;
  if (kind && !supportedKinds().includes(kind)) {
    fail(id, policyFile, `this netlint has no ${kind} parser yet, so the fixtures cannot be linted`);
    return;
  }

  const pass = await fixtureFiles(path.join(folder, 'fixtures', 'pass'));
  const failing = await fixtureFiles(path.join(folder, 'fixtures', 'fail'));
  if (pass.length === 0) fail(id, path.join(folder, 'fixtures', 'pass'), 'no pass fixtures');
  if (failing.length === 0) fail(id, path.join(folder, 'fixtures', 'fail'), 'no fail fixtures');

  const lint = (text: string, file: string) => lintText(text, { filePath: file, kind, config, registry }).findings;

  for (const file of pass) {
    const findings = lint(await fs.readFile(file, 'utf8'), file);
    const reason = engineProblem(findings, id) ?? (findings.length ? `expected no finding, got ${findings.length}: ${findings.map(show).join('; ')}` : undefined);
    if (reason) fail(id, file, reason);
    else result.passed++;
  }

  for (const file of failing) {
    const text = await fs.readFile(file, 'utf8');
    const findings = lint(text, file);
    const reason = engineProblem(findings, id) ?? (await compareExpected(file, findings)) ?? (await checkFixed(file, text, findings, lint));
    if (reason) fail(id, file, reason);
    else result.passed++;
  }
}

async function fixtureFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && !SIDE_FILE.test(e.name) && !e.name.startsWith('.'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Parse errors, unknown input, internal errors and other rules' findings make a fixture fail. */
function engineProblem(findings: Finding[], id: string): string | undefined {
  const other = findings.filter((f) => f.ruleId !== id);
  return other.length ? `the file did not lint cleanly: ${other.map(show).join('; ')}` : undefined;
}

async function compareExpected(file: string, findings: Finding[]): Promise<string | undefined> {
  const expectedFile = siblingOf(file, '.findings.json');
  let expected: ExpectedPolicyFinding[];
  try {
    expected = JSON.parse(await fs.readFile(expectedFile, 'utf8')) as ExpectedPolicyFinding[];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `missing ${path.basename(expectedFile)}` : `cannot read ${path.basename(expectedFile)}: ${(err as Error).message}`;
  }
  if (!Array.isArray(expected)) return `${path.basename(expectedFile)} must hold a list of {line, column, message?}`;
  const missing = expected.filter((e) => !findings.some((f) => matches(e, f)));
  const unexpected = findings.filter((f) => !expected.some((e) => matches(e, f)));
  if (!missing.length && !unexpected.length && expected.length === findings.length) return undefined;
  const parts = [`expected ${expected.length} finding(s), got ${findings.length}`];
  if (missing.length) parts.push(`missing ${missing.map((e) => `${e.line}:${e.column}${e.message ? ` "${e.message}"` : ''}`).join(', ')}`);
  if (unexpected.length) parts.push(`unexpected ${unexpected.map(show).join('; ')}`);
  return parts.join('; ');
}

function matches(e: ExpectedPolicyFinding, f: Finding): boolean {
  return (
    e.line === f.line &&
    e.column === f.column &&
    (e.endLine === undefined || e.endLine === f.endLine) &&
    (e.endColumn === undefined || e.endColumn === f.endColumn) &&
    (e.message === undefined || e.message === f.message)
  );
}

async function checkFixed(file: string, text: string, findings: Finding[], lint: (text: string, file: string) => Finding[]): Promise<string | undefined> {
  const fixedFile = siblingOf(file, '.fixed');
  if (!existsSync(fixedFile)) return undefined;
  const expected = await fs.readFile(fixedFile, 'utf8');
  if (!findings.some((f) => f.fix)) return `${path.basename(fixedFile)} exists but the policy offers no fix`;
  const { output, result } = fixLoop(text, (t) => ({ findings: lint(t, file) }));
  if (output !== expected) return `the fixed text differs from ${path.basename(fixedFile)}:\n${output}`;
  if (result.findings.length) return `re-linting the fixed text gives ${result.findings.map(show).join('; ')}`;
  return undefined;
}

/** `x/name.yaml` + `.findings.json` is `x/name.findings.json`; + `.fixed` is `x/name.fixed.yaml`. */
function siblingOf(file: string, suffix: string): string {
  const base = path.basename(file);
  const dot = base.indexOf('.');
  const name = dot === -1 ? base : base.slice(0, dot);
  const ext = dot === -1 ? '' : base.slice(dot);
  return path.join(path.dirname(file), suffix === '.fixed' ? `${name}.fixed${ext}` : `${name}${suffix}`);
}

function show(f: Finding): string {
  return `${f.line}:${f.column} ${f.ruleId} "${f.message}"`;
}

/** The text report of `netlint test-policies`: each failure, then a summary line. */
export function formatPolicyTestReport(result: PolicyTestResult): string {
  const lines: string[] = [];
  for (const f of result.failed) {
    lines.push(`FAIL ${f.policy} ${f.fixture}`);
    for (const l of f.reason.split('\n')) lines.push(`  ${l}`);
  }
  const total = result.passed + result.failed.length;
  lines.push(`${total} fixture${total === 1 ? '' : 's'}, ${result.passed} passed, ${result.failed.length} failed`);
  return `${lines.join('\n')}\n`;
}
