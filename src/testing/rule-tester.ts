import { AssertionError } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import { lintParsed, parseText, type LintFileResult } from '../engine/lint.js';
import { RuleRegistry } from '../engine/registry.js';
import { interpolate } from '../engine/rule-options.js';
import type { ResolvedConfig, RuleModule, Settings } from '../engine/types.js';
import { applyFixes } from '../fixes/apply.js';
import { fixLoop, MAX_FIX_PASSES } from '../fixes/fix-loop.js';
import { isInputKind, type InputKind } from '../model/document.js';
import type { Finding, Fix, SeverityName } from '../model/finding.js';

/** Settings every case of one {@link RuleTester} shares. */
export interface RuleTesterConfig {
  /** `settings` of the config (`internalNetworks`...); a case's own `settings` are merged over them. */
  settings?: Settings;
  /** Input kind of every case that names none; otherwise detected from `filename` and text. */
  kind?: InputKind;
  /**
   * Severity of unused (or unknown) disable directives in the cases' code. `off` (the default)
   * ignores them: the registry holds only the rule under test, so directives naming other rules
   * would be unknown. Any other value makes such a directive fail the case.
   */
  reportUnusedDisableDirectives?: SeverityName;
}

/** A case that must give no finding. */
export interface ValidTestCase {
  code: string;
  /** Test title; defaults to the code. */
  name?: string;
  /** The file's path: picks the input kind when `kind` is not given (`daemon.json`, `x.conflist`). */
  filename?: string;
  kind?: InputKind;
  /** The rule's options, as in `rules: { id: [error, options] }`. */
  options?: Record<string, unknown>;
  /** Merged over the tester's `settings`. */
  settings?: Settings;
  /** Run only this case (needs a framework with `it.only`, or {@link RuleTester.itOnly}). */
  only?: boolean;
}

/** What one suggestion of a finding must be. */
export interface SuggestionExpectation {
  messageId?: string;
  /** The suggestion's description (its message, resolved). */
  desc?: string;
  /** With `messageId`: the description must be that message filled with this data. */
  data?: Record<string, unknown>;
  /** The code after applying this suggestion alone. */
  output: string;
}

/** What one finding must be; only the properties given are compared. */
export interface TestCaseError {
  messageId?: string;
  /** The whole message, or a pattern it must match. */
  message?: string | RegExp;
  /** With `messageId`: the message must be that template filled with this data. */
  data?: Record<string, unknown>;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** JSON path of the node, for JSON/YAML inputs. */
  path?: (string | number)[];
  /** The rule runs at `error`; `warn` asserts that the rule lowered this finding. */
  severity?: 'warn' | 'error' | 1 | 2;
  /** The finding's suggestions in order; `null` or `[]` asserts it has none. */
  suggestions?: SuggestionExpectation[] | null;
}

/** A case that must give findings (in text order), and maybe fixes. */
export interface InvalidTestCase extends ValidTestCase {
  /** The findings, or just their number. A string is shorthand for `{ message }`. */
  errors: number | (TestCaseError | string)[];
  /**
   * The code after applying the rule's safe fixes in passes, as `--fix` does. Omitted or `null`:
   * the rule must fix nothing.
   */
  output?: string | null;
  /**
   * netlint extension: the code after applying the first suggestion of every finding in one pass
   * (an editor's "apply all"), for rules that only suggest. When given, findings' suggestions need
   * no `suggestions` of their own. `null` asserts no finding has suggestions.
   */
  suggestionsOutput?: string | null;
}

/** The cases of {@link RuleTester.run}: strings are valid cases' code. */
export interface RuleTests {
  valid: (string | ValidTestCase)[];
  invalid: InvalidTestCase[];
}

/** `describe` of a test framework. */
export type DescribeFunction = (title: string, fn: () => void) => unknown;
/** `it` (or `it.only`) of a test framework. */
export type ItFunction = (title: string, fn: () => void) => unknown;

const VALID_KEYS = new Set(['code', 'name', 'filename', 'kind', 'options', 'settings', 'only']);
const INVALID_KEYS = new Set([...VALID_KEYS, 'errors', 'output', 'suggestionsOutput']);
const ERROR_KEYS = new Set(['messageId', 'message', 'data', 'line', 'column', 'endLine', 'endColumn', 'path', 'severity', 'suggestions']);
const SUGGESTION_KEYS = new Set(['messageId', 'desc', 'data', 'output']);
/** Positional and plain properties of an expected error, compared as one object for a readable diff. */
const COMPARED_KEYS = ['messageId', 'line', 'column', 'endLine', 'endColumn', 'path', 'severity'] as const;

interface Framework {
  describe: DescribeFunction;
  it: ItFunction & { only?: ItFunction };
}

/**
 * The test framework's functions when they are globals (Mocha, Jest, Vitest with `globals`), or
 * Vitest's own API when it runs without globals (the namespace `import.meta.vitest` reads).
 */
function ambientFramework(): Framework | undefined {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.describe === 'function' && typeof g.it === 'function') return g as unknown as Framework;
  const vitest = g.__vitest_index__ as Partial<Framework> | undefined;
  if (vitest && typeof vitest.describe === 'function' && typeof vitest.it === 'function') return vitest as Framework;
  return undefined;
}

/** Without a framework: suites run at once, and a failing case throws, its title first. */
const runNow: DescribeFunction = (_title, fn) => fn();
const itNow: ItFunction = (title, fn) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error) err.message = `${title}: ${err.message}`;
    throw err;
  }
};

/** One case, normalised. */
interface Case {
  kind: 'valid' | 'invalid';
  index: number;
  title: string;
  raw: ValidTestCase | InvalidTestCase;
}

/** A lint of one text, with the input kinds of its documents. */
interface Linted extends LintFileResult {
  kinds: InputKind[];
}

/**
 * Tests one rule on code snippets, like ESLint's `RuleTester`:
 *
 * ```ts
 * import { RuleTester } from 'netlint/testing';
 * new RuleTester({ kind: 'iptables' }).run('no-accept-all', rule, {
 *   valid: ['*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n'],
 *   invalid: [{ code: '*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n', errors: [{ messageId: 'acceptAll', line: 3 }] }],
 * });
 * ```
 *
 * Each case is linted with a registry holding only the rule and a config enabling only it (at
 * `error`). A case fails on any finding that is not the rule's (`parse-error`, `internal-error`,
 * `unknown-input`), on an input kind the rule does not read, and on a fix that makes the text
 * unparseable. Valid cases must give no finding; invalid ones exactly `errors`, and their safe
 * fixes, applied in passes as `--fix` applies them, must give `output`.
 *
 * Cases become tests of the framework in use: `describe`/`it` globals (Mocha, Jest, Vitest with
 * `globals`), else Vitest's API when Vitest runs the file; set {@link RuleTester.describe},
 * {@link RuleTester.it} and {@link RuleTester.itOnly} for any other (`node:test`). Without one,
 * `run` runs the cases at once and throws the first failure.
 */
export class RuleTester {
  static #describe: DescribeFunction | undefined;
  static #it: ItFunction | undefined;
  static #itOnly: ItFunction | undefined;

  /** The `describe` cases are grouped with; assign one to override the detected framework. */
  static get describe(): DescribeFunction {
    return RuleTester.#describe ?? ambientFramework()?.describe ?? runNow;
  }
  static set describe(value: DescribeFunction | undefined) {
    RuleTester.#describe = value;
  }

  /** The `it` each case runs in; assign one to override the detected framework. */
  static get it(): ItFunction {
    return RuleTester.#it ?? ambientFramework()?.it ?? itNow;
  }
  static set it(value: ItFunction | undefined) {
    RuleTester.#it = value;
  }

  /** The `it.only` of cases marked `only`. */
  static get itOnly(): ItFunction {
    if (RuleTester.#itOnly) return RuleTester.#itOnly;
    const it = RuleTester.#it ?? ambientFramework()?.it;
    const only = (it as { only?: ItFunction } | undefined)?.only;
    if (typeof only === 'function') return only.bind(it);
    throw new TypeError('A case is marked "only", but the test framework has no it.only: set RuleTester.itOnly.');
  }
  static set itOnly(value: ItFunction | undefined) {
    RuleTester.#itOnly = value;
  }

  /** Marks a case to run alone (`only: true`). */
  static only(item: string | ValidTestCase): ValidTestCase;
  static only(item: InvalidTestCase): InvalidTestCase;
  static only(item: string | ValidTestCase | InvalidTestCase): ValidTestCase | InvalidTestCase {
    return typeof item === 'string' ? { code: item, only: true } : { ...item, only: true };
  }

  readonly #config: RuleTesterConfig;

  constructor(config: RuleTesterConfig = {}) {
    if (config.kind !== undefined && !isInputKind(config.kind)) throw new TypeError(`Unknown input kind "${config.kind}".`);
    this.#config = { ...config };
  }

  /**
   * Declares a suite `name` with a test per case. Throws a `TypeError` at once when the rule or
   * the test object is not usable; each case's problems fail that case.
   */
  run(name: string, rule: RuleModule<any>, tests: RuleTests): void {
    if (typeof name !== 'string' || name === '') throw new TypeError('RuleTester.run needs a rule name.');
    const checked = checkRule(name, rule);
    if (!tests || typeof tests !== 'object') throw new TypeError('RuleTester.run needs { valid: [...], invalid: [...] }.');
    const valid = tests.valid ?? [];
    const invalid = tests.invalid ?? [];
    if (!Array.isArray(valid) || !Array.isArray(invalid)) throw new TypeError('"valid" and "invalid" must be arrays of test cases.');
    if (valid.length + invalid.length === 0) throw new TypeError(`No test cases for rule "${name}".`);
    const registry = new RuleRegistry([checked]);

    const cases = (kind: 'valid' | 'invalid', list: (string | ValidTestCase)[]): Case[] =>
      list.map((item, index) => {
        const raw = typeof item === 'string' ? { code: item } : item;
        const title = typeof raw?.name === 'string' && raw.name ? raw.name : typeof raw?.code === 'string' ? raw.code : `${kind} case ${index}`;
        return { kind, index, title, raw };
      });
    const groups: [string, Case[]][] = [
      ['valid', cases('valid', valid)],
      ['invalid', cases('invalid', invalid)],
    ];
    RuleTester.describe(name, () => {
      for (const [title, list] of groups) {
        if (list.length === 0) continue;
        const seen = new Map<string, number>();
        RuleTester.describe(title, () => {
          for (const c of list) {
            const key = caseKey(c.raw);
            const first = seen.get(key);
            if (first === undefined) seen.set(key, c.index);
            const test = () => {
              if (first !== undefined) fail(`Duplicate ${c.kind} case: the same as ${c.kind} case ${first}.`);
              this.#runCase(checked, registry, c);
            };
            const it = c.raw?.only ? RuleTester.itOnly : RuleTester.it;
            it(c.title, test);
          }
        });
      }
    });
  }

  #runCase(rule: RuleModule<any>, registry: RuleRegistry, c: Case): void {
    const raw = c.raw as InvalidTestCase;
    checkCaseShape(c);
    const kind = raw.kind ?? this.#config.kind;
    const filePath = raw.filename ?? '<text>';
    const config: ResolvedConfig = {
      rules: { [rule.meta.id]: raw.options ? ['error', raw.options] : 'error' },
      settings: { ...this.#config.settings, ...raw.settings },
    };
    const reportUnused = this.#config.reportUnusedDisableDirectives ?? 'off';
    const lint = (text: string): Linted => {
      const file = parseText(text, filePath, { kind });
      const [result] = lintParsed([file], { registry, configFor: () => config, reportUnusedDisableDirectives: reportUnused });
      return { ...result, kinds: file.documents.map((d) => d.kind) };
    };
    const problems = (r: LintFileResult) =>
      r.findings.filter((f) => f.ruleId !== rule.meta.id && !(reportUnused === 'off' && f.ruleId === 'unused-disable-directive'));
    const parseErrorsOf = (text: string) => parseText(text, filePath, { kind }).findings.filter((f) => f.ruleId === 'parse-error');
    const own = (r: LintFileResult) => r.findings.filter((f) => f.ruleId === rule.meta.id && !f.suppressions?.length);

    let first: Linted;
    try {
      first = lint(raw.code);
    } catch (err) {
      // Invalid options (ConfigError) or a broken rule registry: name the case's setup.
      fail(`Linting the case failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const engine = problems(first);
    if (engine.length) fail(`Unexpected findings that are not the rule's:\n${list(engine)}`);
    if (!first.kinds.some((k) => rule.meta.inputs.includes(k))) {
      const got = first.kinds.length ? first.kinds.join(', ') : (first.kind ?? 'none');
      fail(
        `The rule never ran: it reads ${rule.meta.inputs.join(', ')}, and this case is ${got}. Set "kind" (or "filename") on the case or the tester.`,
      );
    }
    const findings = own(first);

    if (c.kind === 'valid') {
      if (findings.length) fail(`Should have no errors but had ${findings.length}:\n${list(findings)}`, findings.map(brief), []);
      return;
    }

    const expected = raw.errors;
    const count = typeof expected === 'number' ? expected : expected.length;
    if (count === 0) fail('Invalid cases must have at least one error; use a valid case for code without findings.');
    if (findings.length !== count) {
      fail(`Should have ${count} error${count === 1 ? '' : 's'} but had ${findings.length}:\n${list(findings) || '  (none)'}`, findings.length, count);
    }
    if (Array.isArray(expected)) {
      expected.forEach((e, i) => checkError(rule, raw, findings[i], typeof e === 'string' ? { message: e } : e, i, count, parseErrorsOf));
    }

    // Safe fixes, in passes until none is left, exactly as `--fix` applies them.
    let last: Linted = first;
    const fixed = fixLoop(raw.code, (t) => (t === raw.code ? first : (last = lint(t))));
    if (fixed.rejected) {
      fail(`A fix of the rule made the text unparseable (${fixed.rejected}):\n${list(parseErrors(last))}\n--- text after the rejected pass ---\n${last.text}`);
    }
    if (fixed.output !== raw.code) {
      const after = problems(fixed.result);
      if (after.length) fail(`After the rule's fixes the text gives findings that are not the rule's:\n${list(after)}`);
      if (fixed.passes >= MAX_FIX_PASSES && own(fixed.result).some((f) => f.fix)) {
        fail(`The rule's fixes did not converge: there were still fixes after ${MAX_FIX_PASSES} passes.`);
      }
    }
    if (raw.output !== undefined && raw.output !== null) {
      if (raw.output === raw.code) fail('Test property "output" matches "code". If no fix is expected, omit "output" or set it to null.');
      if (fixed.output === raw.code) fail('Expected the rule to fix the code to "output", but it gave no safe fix.', raw.code, raw.output);
      if (fixed.output !== raw.output) fail('Output is incorrect.', fixed.output, raw.output);
    } else if (fixed.output !== raw.code) {
      fail('The rule fixed the code. Add "output" with the fixed text (omitted or null asserts no fix).', fixed.output, raw.code);
    }

    if (raw.suggestionsOutput === null) {
      const withSuggestions = findings.filter((f) => f.suggestions?.length);
      if (withSuggestions.length) fail(`Expected no suggestions ("suggestionsOutput": null), but these findings have some:\n${list(withSuggestions)}`);
    } else if (raw.suggestionsOutput !== undefined) {
      const firsts = findings.flatMap((f) => (f.suggestions?.length ? [f.suggestions[0]] : []));
      if (raw.suggestionsOutput === raw.code) fail('Test property "suggestionsOutput" matches "code"; set it to null to assert no suggestions.');
      if (firsts.length === 0) fail('Expected suggestions ("suggestionsOutput"), but no finding has any.');
      const output = applyFixes(raw.code, firsts).output;
      const broken = parseErrorsOf(output);
      if (broken.length > parseErrorsOf(raw.code).length) {
        fail(`Applying the first suggestion of every finding makes the text unparseable:\n${list(broken)}`, output, raw.suggestionsOutput);
      }
      if (output !== raw.suggestionsOutput) fail('The output of the suggestions is incorrect.', output, raw.suggestionsOutput);
    }
  }
}

/** Checks a rule (a plugin's plain object, maybe) and fills what the plugin loader fills. */
function checkRule(name: string, rule: RuleModule<any>): RuleModule<any> {
  const meta = rule?.meta as Partial<RuleModule<any>['meta']> | undefined;
  if (!rule || typeof rule !== 'object' || !meta || typeof meta !== 'object') throw new TypeError(`Rule "${name}" has no meta.`);
  if (typeof rule.create !== 'function') throw new TypeError(`Rule "${name}" has no create function.`);
  if (!Array.isArray(meta.inputs) || meta.inputs.length === 0 || !meta.inputs.every((k) => typeof k === 'string' && isInputKind(k))) {
    throw new TypeError(`Rule "${name}" needs meta.inputs, a non-empty array of input kinds.`);
  }
  if (!meta.messages || typeof meta.messages !== 'object') throw new TypeError(`Rule "${name}" needs meta.messages.`);
  return {
    ...rule,
    meta: {
      ...(meta as RuleModule<any>['meta']),
      id: meta.id ?? name,
      category: meta.category ?? 'correctness',
      description: meta.description ?? '',
      defaultOptions: meta.defaultOptions ?? {},
    },
  };
}

function checkCaseShape(c: Case): void {
  const raw = c.raw as unknown as Record<string, unknown>;
  if (!raw || typeof raw !== 'object') fail(`A ${c.kind} case must be a string or an object with "code".`);
  if (typeof raw.code !== 'string') fail(`The ${c.kind} case has no "code" string.`);
  const allowed = c.kind === 'valid' ? VALID_KEYS : INVALID_KEYS;
  const unknown = Object.keys(raw).filter((k) => !allowed.has(k));
  if (unknown.length) fail(`Unknown ${c.kind} case propert${unknown.length === 1 ? 'y' : 'ies'}: ${unknown.join(', ')} (known: ${[...allowed].join(', ')}).`);
  if (raw.kind !== undefined && !(typeof raw.kind === 'string' && isInputKind(raw.kind))) fail(`Unknown input kind "${String(raw.kind)}".`);
  if (c.kind === 'invalid' && !('errors' in raw)) fail('Invalid cases need "errors": the expected findings, or their number.');
  if (c.kind === 'invalid' && typeof raw.errors !== 'number' && !Array.isArray(raw.errors)) fail('"errors" must be a number or an array.');
}

function checkError(
  rule: RuleModule<any>,
  testCase: InvalidTestCase,
  finding: Finding,
  error: TestCaseError,
  index: number,
  count: number,
  parseErrorsOf: (text: string) => Finding[],
): void {
  const which = `Error ${index + 1} of ${count} (${brief(finding)})`;
  if (!error || typeof error !== 'object') fail(`${which}: expected an object or a message string.`);
  const unknown = Object.keys(error).filter((k) => !ERROR_KEYS.has(k));
  if (unknown.length) fail(`${which}: unknown propert${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')} (known: ${[...ERROR_KEYS].join(', ')}).`);
  const messages = rule.meta.messages;
  if (error.messageId !== undefined && !Object.hasOwn(messages, error.messageId)) {
    fail(`${which}: invalid messageId "${error.messageId}"; the rule's messages are ${Object.keys(messages).join(', ')}.`);
  }
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  for (const key of COMPARED_KEYS) {
    if (error[key] === undefined) continue;
    expected[key] = key === 'severity' ? severityName(error.severity) : error[key];
    actual[key] = key === 'severity' ? severityName(finding.severity) : finding[key];
  }
  if (typeof error.message === 'string') {
    expected.message = error.message;
    actual.message = finding.message;
  }
  if (!isDeepStrictEqual(actual, expected)) fail(`${which} does not match.`, actual, expected);
  if (error.message instanceof RegExp && !error.message.test(finding.message)) {
    fail(`${which}: message does not match ${error.message}.`, finding.message, error.message.source);
  }
  if (error.data !== undefined) {
    if (error.messageId === undefined) fail(`${which}: "data" needs "messageId".`);
    const hydrated = interpolate(messages[error.messageId], error.data);
    if (hydrated !== finding.message) fail(`${which}: the message is not "${error.messageId}" filled with "data".`, finding.message, hydrated);
  }

  const suggestions = finding.suggestions ?? [];
  if (!('suggestions' in error)) {
    if (suggestions.length && testCase.suggestionsOutput === undefined) {
      fail(`${which} has suggestions. Add "suggestions" to the expected error (or "suggestionsOutput" to the case).`, suggestions.map(describeFix), undefined);
    }
    return;
  }
  const wanted = error.suggestions ?? [];
  if (!Array.isArray(wanted)) fail(`${which}: "suggestions" must be an array or null.`);
  if (suggestions.length !== wanted.length) {
    fail(`${which} should have ${wanted.length} suggestion${wanted.length === 1 ? '' : 's'} but had ${suggestions.length}.`, suggestions.map(describeFix), wanted);
  }
  wanted.forEach((s, i) => checkSuggestion(rule, testCase, suggestions[i], s, `${which}, suggestion ${i + 1}`, parseErrorsOf));
}

function checkSuggestion(
  rule: RuleModule<any>,
  testCase: InvalidTestCase,
  suggestion: Fix,
  expected: SuggestionExpectation,
  which: string,
  parseErrorsOf: (text: string) => Finding[],
): void {
  if (!expected || typeof expected !== 'object') fail(`${which}: expected an object with "output".`);
  const unknown = Object.keys(expected).filter((k) => !SUGGESTION_KEYS.has(k));
  if (unknown.length) fail(`${which}: unknown propert${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')} (known: ${[...SUGGESTION_KEYS].join(', ')}).`);
  if (typeof expected.output !== 'string') fail(`${which}: "output" is required (the code after applying the suggestion).`);
  if (expected.messageId !== undefined && !Object.hasOwn(rule.meta.messages, expected.messageId)) {
    fail(`${which}: invalid messageId "${expected.messageId}"; the rule's messages are ${Object.keys(rule.meta.messages).join(', ')}.`);
  }
  const actual: Record<string, unknown> = {};
  const wanted: Record<string, unknown> = {};
  if (expected.messageId !== undefined) {
    actual.messageId = suggestion.messageId;
    wanted.messageId = expected.messageId;
  }
  if (expected.desc !== undefined) {
    actual.desc = suggestion.desc;
    wanted.desc = expected.desc;
  }
  if (!isDeepStrictEqual(actual, wanted)) fail(`${which} does not match.`, actual, wanted);
  if (expected.data !== undefined) {
    if (expected.messageId === undefined) fail(`${which}: "data" needs "messageId".`);
    const hydrated = interpolate(rule.meta.messages[expected.messageId], expected.data);
    if (hydrated !== suggestion.desc) fail(`${which}: the description is not "${expected.messageId}" filled with "data".`, suggestion.desc, hydrated);
  }
  if (expected.output === testCase.code) fail(`${which}: "output" matches "code"; a suggestion must change the code.`);
  const output = applyFixes(testCase.code, [suggestion]).output;
  const after = parseErrorsOf(output);
  if (after.length > parseErrorsOf(testCase.code).length) fail(`${which} makes the text unparseable:\n${list(after)}`, output, expected.output);
  if (output !== expected.output) fail(`${which}: the output is incorrect.`, output, expected.output);
}

function parseErrors(r: LintFileResult): Finding[] {
  return r.findings.filter((f) => f.ruleId === 'parse-error');
}

function severityName(s: TestCaseError['severity'] | Finding['severity']): string | undefined {
  return s === 2 || s === 'error' ? 'error' : s === 1 || s === 'warn' ? 'warn' : s === undefined ? undefined : String(s);
}

function brief(f: Finding): string {
  return `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId}${f.messageId ? `/${f.messageId}` : ''}: ${f.message}`;
}

function list(findings: readonly Finding[]): string {
  return findings.map((f) => `  ${brief(f)}`).join('\n');
}

function describeFix(f: Fix): { messageId?: string; desc?: string } {
  return { messageId: f.messageId, desc: f.desc };
}

function caseKey(raw: unknown): string {
  return JSON.stringify(raw, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));
}

function fail(message: string, actual?: unknown, expected?: unknown): never {
  // Test runners (Vitest, Mocha) show a diff of `actual` and `expected`; without an operator,
  // Node does not add its own diff to the message.
  throw actual === undefined && expected === undefined ? new AssertionError({ message }) : new AssertionError({ message, actual, expected });
}
