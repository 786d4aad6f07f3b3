import { AssertionError } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defineRule } from '../../src/engine/define-rule.js';
import type { RuleModule } from '../../src/engine/types.js';
import { insertBefore, removeNode, replaceNode } from '../../src/fixes/edits.js';
import type { IptablesRule } from '../../src/model/iptables.js';
import { RuleTester, type InvalidTestCase, type RuleTesterConfig, type RuleTests } from '../../src/testing/index.js';

const root = path.resolve(__dirname, '../..');

/** A small plugin-style rule: unconditional ACCEPT, fixed to DROP, or removed by a suggestion. */
const noAcceptAll = defineRule({
  meta: {
    id: 'no-accept-all',
    inputs: ['iptables'],
    category: 'security',
    description: 'Disallow rules that ACCEPT every packet of a chain.',
    messages: {
      acceptAll: 'Disallowed ACCEPT of all traffic in chain {{chain}}.',
      useDrop: 'Use DROP in chain {{chain}}.',
      removeRule: 'Remove the rule.',
    },
    fix: 'safe',
    schema: {
      type: 'object',
      properties: {
        allowChains: { type: 'array', items: { type: 'string' }, description: 'Chains where it is fine.' },
        suggestOnly: { type: 'boolean', description: 'Only suggest DROP.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowChains: [] as string[], suggestOnly: false },
  },
  create(context, { allowChains, suggestOnly }) {
    return {
      IptablesRule(node) {
        const target = node.target;
        if (target?.name !== 'ACCEPT' || allowChains.includes(node.chain)) return;
        if (node.options.length > 0 || node.matches.length > 0) return;
        const useDrop = { messageId: 'useDrop', data: { chain: node.chain }, edits: () => [replaceNode(target.nameToken, 'DROP')] };
        context.report({
          node: target,
          messageId: 'acceptAll',
          data: { chain: node.chain },
          ...(suggestOnly ? {} : { fix: useDrop }),
          suggest: [useDrop, { messageId: 'removeRule', edits: () => [removeNode(node)] }],
        });
      },
    };
  },
});

/** The same rule with another `create` (a broken fix, a crash...). */
function variant(handler: (context: Parameters<typeof noAcceptAll.create>[0], node: IptablesRule) => void, meta: Partial<RuleModule['meta']> = {}): RuleModule<any> {
  return {
    meta: { ...noAcceptAll.meta, ...meta },
    create: (context) => ({
      IptablesRule(node) {
        if (node.target?.name === 'ACCEPT' && node.options.length === 0) handler(context, node);
      },
    }),
  };
}

const dump = (...rules: string[]) => `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n${rules.map((r) => `${r}\n`).join('')}COMMIT\n`;
const ACCEPT_ALL = dump('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A FORWARD -j ACCEPT');
const DROP_ALL = dump('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A FORWARD -j DROP');
const REMOVED = dump('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '');
/** The finding on ACCEPT_ALL: line 5, columns 12-21 (`-j ACCEPT`). */
const FINDING = { messageId: 'acceptAll', line: 5, column: 12, endLine: 5, endColumn: 21 };
const SUGGESTIONS = [
  { messageId: 'useDrop', desc: 'Use DROP in chain FORWARD.', output: DROP_ALL },
  { messageId: 'removeRule', output: REMOVED },
];

describe('a RuleTester run that passes registers its cases with the test framework', () => {
  // No overrides: Vitest runs this file without globals, so the tester finds Vitest's API.
  it('uses Vitest describe/it without configuration', () => {
    expect(RuleTester.describe).toBe(describe);
    expect(RuleTester.it).toBe(it);
  });

  new RuleTester({ kind: 'iptables' }).run('no-accept-all', noAcceptAll, {
    valid: [
      DROP_ALL,
      { name: 'allowed chain', code: ACCEPT_ALL, options: { allowChains: ['FORWARD'] } },
      { name: 'kind from the filename', code: DROP_ALL, filename: 'node/iptables-save.txt' },
      { name: 'a disabled finding is not counted', code: dump('# netlint-disable-next-line no-accept-all -- lab host', '-A FORWARD -j ACCEPT') },
    ],
    invalid: [
      { name: 'fix, positions and suggestions', code: ACCEPT_ALL, errors: [{ ...FINDING, suggestions: SUGGESTIONS }], output: DROP_ALL },
      { name: 'message and data', code: ACCEPT_ALL, errors: [{ message: 'Disallowed ACCEPT of all traffic in chain FORWARD.', severity: 'error', suggestions: SUGGESTIONS }], output: DROP_ALL },
      { name: 'message pattern, data, and a count', code: ACCEPT_ALL, errors: [{ message: /chain FORWARD/, messageId: 'acceptAll', data: { chain: 'FORWARD' }, suggestions: SUGGESTIONS }], output: DROP_ALL },
      { name: 'just a count', code: ACCEPT_ALL, errors: 1, output: DROP_ALL },
      { name: 'two findings, CRLF', code: dump('-A INPUT -j ACCEPT', '-A FORWARD -j ACCEPT').replace(/\n/g, '\r\n'), errors: 2, output: dump('-A INPUT -j DROP', '-A FORWARD -j DROP').replace(/\n/g, '\r\n') },
      { name: 'suggestions only, applied together', code: ACCEPT_ALL, options: { suggestOnly: true }, errors: [FINDING], suggestionsOutput: DROP_ALL },
      { name: 'output: null asserts no fix', code: ACCEPT_ALL, options: { suggestOnly: true }, errors: [{ ...FINDING, suggestions: SUGGESTIONS }], output: null },
    ],
  });
});

interface Collected {
  title: string;
  fn: () => void;
  only: boolean;
}

/** Declares the cases with a recording framework; returns the tests instead of running them. */
function collect(run: () => void): Collected[] {
  const tests: Collected[] = [];
  const titles: string[] = [];
  RuleTester.describe = (title, fn) => {
    titles.push(title);
    try {
      fn();
    } finally {
      titles.pop();
    }
  };
  RuleTester.it = (title, fn) => void tests.push({ title: [...titles, title].join(' > '), fn, only: false });
  RuleTester.itOnly = (title, fn) => void tests.push({ title: [...titles, title].join(' > '), fn, only: true });
  try {
    run();
  } finally {
    RuleTester.describe = undefined;
    RuleTester.it = undefined;
    RuleTester.itOnly = undefined;
  }
  return tests;
}

afterEach(() => {
  RuleTester.describe = undefined;
  RuleTester.it = undefined;
  RuleTester.itOnly = undefined;
});

/** Runs one case (plus `others`, expected to pass) and returns its assertion error. */
function failure(tests: Partial<RuleTests>, options: { rule?: RuleModule<any>; config?: RuleTesterConfig } = {}): AssertionError {
  const collected = collect(() =>
    new RuleTester({ kind: 'iptables', ...options.config }).run('no-accept-all', options.rule ?? noAcceptAll, { valid: [], invalid: [], ...tests }),
  );
  const errors = collected.flatMap((t) => {
    try {
      t.fn();
      return [];
    } catch (err) {
      return [err];
    }
  });
  expect(errors, 'exactly one failing case').toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(AssertionError);
  return errors[0] as AssertionError;
}

const invalid = (c: Partial<InvalidTestCase>): Partial<RuleTests> => ({
  invalid: [{ code: ACCEPT_ALL, errors: [{ ...FINDING, suggestions: SUGGESTIONS }], output: DROP_ALL, ...c }],
});

describe('RuleTester failures', () => {
  it('a valid case with a finding', () => {
    const err = failure({ valid: [DROP_ALL, ACCEPT_ALL] });
    expect(err.message).toMatch(/^Should have no errors but had 1:\n {2}5:12-5:21 no-accept-all\/acceptAll: Disallowed ACCEPT of all traffic in chain FORWARD\.$/);
  });

  it('the wrong number of findings', () => {
    const err = failure(invalid({ errors: 2 }));
    expect(err.message).toMatch(/^Should have 2 errors but had 1:\n {2}5:12-5:21 /);
    expect([err.actual, err.expected]).toEqual([1, 2]);
  });

  it('a wrong position, with actual and expected for a diff', () => {
    const err = failure(invalid({ errors: [{ ...FINDING, column: 13, suggestions: SUGGESTIONS }] }));
    expect(err.message).toMatch(/^Error 1 of 1 \(5:12-5:21 no-accept-all\/acceptAll: .*\) does not match\.$/);
    expect(err.actual).toEqual(FINDING);
    expect(err.expected).toEqual({ ...FINDING, column: 13 });
  });

  it('a wrong messageId, and one the rule does not have', () => {
    expect(failure(invalid({ errors: [{ messageId: 'useDrop', suggestions: SUGGESTIONS }] })).message).toMatch(/does not match/);
    expect(failure(invalid({ errors: [{ messageId: 'acceptEverything', suggestions: SUGGESTIONS }] })).message).toMatch(
      /invalid messageId "acceptEverything"; the rule's messages are acceptAll, useDrop, removeRule\./,
    );
  });

  it('a wrong message, pattern, data or severity', () => {
    expect(failure(invalid({ errors: [{ message: 'Disallowed ACCEPT.', suggestions: SUGGESTIONS }] })).expected).toEqual({ message: 'Disallowed ACCEPT.' });
    expect(failure(invalid({ errors: [{ message: /chain INPUT/, suggestions: SUGGESTIONS }] })).message).toMatch(/message does not match \/chain INPUT\//);
    expect(failure(invalid({ errors: [{ messageId: 'acceptAll', data: { chain: 'INPUT' }, suggestions: SUGGESTIONS }] })).message).toMatch(
      /the message is not "acceptAll" filled with "data"/,
    );
    expect(failure(invalid({ errors: [{ data: { chain: 'FORWARD' }, suggestions: SUGGESTIONS }] })).message).toMatch(/"data" needs "messageId"/);
    expect(failure(invalid({ errors: [{ severity: 'warn', suggestions: SUGGESTIONS }] })).actual).toEqual({ severity: 'error' });
  });

  it('a wrong fixed output', () => {
    const err = failure(invalid({ output: REMOVED }));
    expect(err.message).toBe('Output is incorrect.');
    expect([err.actual, err.expected]).toEqual([DROP_ALL, REMOVED]);
  });

  it('a fix without "output", "output" without a fix, "output" equal to the code', () => {
    expect(failure(invalid({ output: undefined })).message).toMatch(/^The rule fixed the code\. Add "output"/);
    expect(failure(invalid({ output: null })).message).toMatch(/^The rule fixed the code\./);
    expect(failure(invalid({ options: { suggestOnly: true } })).message).toMatch(/^Expected the rule to fix the code to "output", but it gave no safe fix\./);
    expect(failure(invalid({ output: ACCEPT_ALL })).message).toMatch(/^Test property "output" matches "code"/);
  });

  it('undeclared, missing, extra or wrong suggestions', () => {
    expect(failure(invalid({ errors: [FINDING] })).message).toMatch(/has suggestions\. Add "suggestions" to the expected error/);
    expect(failure(invalid({ errors: [{ ...FINDING, suggestions: null }] })).message).toMatch(/should have 0 suggestions but had 2/);
    expect(failure(invalid({ errors: [{ ...FINDING, suggestions: SUGGESTIONS.slice(0, 1) }] })).message).toMatch(/should have 1 suggestion but had 2/);
    const wrongOutput = failure(invalid({ errors: [{ ...FINDING, suggestions: [SUGGESTIONS[0], { ...SUGGESTIONS[1], output: DROP_ALL }] }] }));
    expect(wrongOutput.message).toMatch(/suggestion 2: the output is incorrect\.$/);
    expect(wrongOutput.actual).toBe(REMOVED);
    expect(failure(invalid({ errors: [{ ...FINDING, suggestions: [{ ...SUGGESTIONS[0], desc: 'Use DROP.' }, SUGGESTIONS[1]] }] })).message).toMatch(/suggestion 1 does not match/);
    expect(failure(invalid({ errors: [{ ...FINDING, suggestions: [{ messageId: 'useDrop' } as never, SUGGESTIONS[1]] }] })).message).toMatch(/"output" is required/);
  });

  it('a wrong suggestionsOutput, or suggestions where none are expected', () => {
    const err = failure(invalid({ options: { suggestOnly: true }, output: undefined, errors: [FINDING], suggestionsOutput: REMOVED }));
    expect(err.message).toBe('The output of the suggestions is incorrect.');
    expect(err.actual).toBe(DROP_ALL);
    expect(failure(invalid({ options: { suggestOnly: true }, output: undefined, errors: [FINDING], suggestionsOutput: null })).message).toMatch(/Expected no suggestions/);
  });

  it('a parse error in the code', () => {
    const err = failure({ valid: [dump('-A INPUT -j ACCEPT "')] });
    expect(err.message).toMatch(/^Unexpected findings that are not the rule's:\n {2}4:\d+-4:\d+ parse-error: Unterminated quoted string\.$/);
  });

  it('a rule that throws (internal-error), or reports a fix it does not declare', () => {
    const throwing = variant(() => {
      throw new Error('boom');
    });
    expect(failure({ invalid: [{ code: ACCEPT_ALL, errors: 1 }] }, { rule: throwing }).message).toMatch(/internal-error: Rule "no-accept-all" failed on this file: boom/);
    const undeclared = variant(
      (context, node) => context.report({ node, messageId: 'acceptAll', fix: { messageId: 'useDrop', edits: [] } }),
      { fix: undefined },
    );
    expect(failure({ invalid: [{ code: ACCEPT_ALL, errors: 1 }] }, { rule: undeclared }).message).toMatch(/internal-error: .*declares meta\.fix "none"/);
  });

  it('a fix that makes the text unparseable', () => {
    const breaking = variant((context, node) =>
      context.report({ node, messageId: 'acceptAll', data: { chain: node.chain }, fix: { messageId: 'useDrop', edits: [replaceNode(node.target!.nameToken, '')] } }),
    );
    const err = failure({ invalid: [{ code: ACCEPT_ALL, errors: 1, output: dump('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A FORWARD -j ') }] }, { rule: breaking });
    expect(err.message).toMatch(/^A fix of the rule made the text unparseable \(.*\):\n {2}5:\d+-5:\d+ parse-error: Missing target after -j\./);
    // Also when the case does not expect a fix.
    expect(failure({ invalid: [{ code: ACCEPT_ALL, errors: 1 }] }, { rule: breaking }).message).toMatch(/^A fix of the rule made the text unparseable/);
  });

  it('a suggestion that makes the text unparseable', () => {
    const breaking = variant((context, node) =>
      context.report({ node, messageId: 'acceptAll', data: { chain: node.chain }, suggest: [{ messageId: 'useDrop', edits: [replaceNode(node.target!.nameToken, '')] }] }),
    );
    const broken = dump('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A FORWARD -j ');
    expect(failure({ invalid: [{ code: ACCEPT_ALL, errors: [{ suggestions: [{ output: broken }] }] }] }, { rule: breaking }).message).toMatch(/suggestion 1 makes the text unparseable/);
    expect(failure({ invalid: [{ code: ACCEPT_ALL, errors: 1, suggestionsOutput: broken }] }, { rule: breaking }).message).toMatch(
      /^Applying the first suggestion of every finding makes the text unparseable/,
    );
  });

  it('fixes that never converge', () => {
    const endless = variant((context, node) =>
      context.report({ node, messageId: 'acceptAll', data: { chain: node.chain }, fix: { messageId: 'useDrop', edits: [insertBefore(node.target!, ' ')] } }),
    );
    expect(failure({ invalid: [{ code: ACCEPT_ALL, errors: 1, output: ACCEPT_ALL.replace('-A FORWARD -j', `-A FORWARD${' '.repeat(11)}-j`) }] }, { rule: endless }).message).toMatch(
      /did not converge: there were still fixes after 10 passes/,
    );
  });

  it('code the rule never reads, or of no known kind', () => {
    const cni = '{ "cniVersion": "1.0.0", "name": "k8s", "type": "bridge" }';
    expect(failure({ valid: [{ code: cni, kind: 'cni' }] }).message).toMatch(/^The rule never ran: it reads iptables, and this case is cni\. Set "kind"/);
    expect(failure({ valid: [{ code: 'just notes' }] }, { config: { kind: undefined } }).message).toMatch(/unknown-input: Unknown input kind/);
  });

  it('invalid options', () => {
    expect(failure({ valid: [{ code: DROP_ALL, options: { allowChain: ['FORWARD'] } }] }).message).toMatch(
      /^Linting the case failed: Invalid options for rule "no-accept-all": must NOT have additional properties \(unknown option "allowChain"\)\./,
    );
  });

  it('mistyped, missing or duplicate case properties', () => {
    expect(failure({ invalid: [{ code: ACCEPT_ALL, erors: 1 } as never] }).message).toMatch(/^Unknown invalid case property: erors/);
    expect(failure({ invalid: [{ code: ACCEPT_ALL } as never] }).message).toMatch(/^Invalid cases need "errors"/);
    expect(failure({ invalid: [{ code: ACCEPT_ALL, errors: [] }] }).message).toMatch(/^Invalid cases must have at least one error/);
    expect(failure({ valid: [{ code: DROP_ALL, output: DROP_ALL } as never] }).message).toMatch(/^Unknown valid case property: output/);
    expect(failure(invalid({ errors: [{ ...FINDING, suggestions: SUGGESTIONS, colum: 3 } as never] })).message).toMatch(/unknown property colum/);
    expect(failure({ valid: [DROP_ALL, { code: DROP_ALL }] }).message).toBe('Duplicate valid case: the same as valid case 0.');
  });

  it('unused disable directives fail only when the tester reports them', () => {
    const code = dump('# netlint-disable-next-line no-accept-all', '-A FORWARD -j DROP');
    expect(failure({ valid: [code] }, { config: { reportUnusedDisableDirectives: 'warn' } }).message).toMatch(/unused-disable-directive\/unused: Unused netlint-disable-next-line directive/);
    const tests = collect(() => new RuleTester({ kind: 'iptables' }).run('no-accept-all', noAcceptAll, { valid: [code], invalid: [] }));
    expect(() => tests[0].fn()).not.toThrow();
  });
});

describe('RuleTester.run', () => {
  it('titles cases by name or code and groups them under the rule, valid and invalid', () => {
    const tests = collect(() =>
      new RuleTester({ kind: 'iptables' }).run('no-accept-all', noAcceptAll, {
        valid: [DROP_ALL, { name: 'allowed', code: ACCEPT_ALL, options: { allowChains: ['FORWARD'] } }],
        invalid: [{ name: 'accept', code: ACCEPT_ALL, errors: 1, output: DROP_ALL }],
      }),
    );
    expect(tests.map((t) => t.title)).toEqual([`no-accept-all > valid > ${DROP_ALL}`, 'no-accept-all > valid > allowed', 'no-accept-all > invalid > accept']);
    for (const t of tests) t.fn();
  });

  it('runs cases marked only (RuleTester.only) with itOnly', () => {
    const tests = collect(() => new RuleTester({ kind: 'iptables' }).run('no-accept-all', noAcceptAll, { valid: [DROP_ALL, RuleTester.only(ACCEPT_ALL.replace('FORWARD -j ACCEPT', 'FORWARD -j RETURN'))], invalid: [] }));
    expect(tests.map((t) => t.only)).toEqual([false, true]);
  });

  it('tests a plugin rule written as a plain object (the acme plugin fixture)', async () => {
    const plugin = (await import(pathToFileURL(path.join(root, 'test/fixtures/plugins/netlint-plugin-acme/index.mjs')).href)) as { default: { rules: RuleModule<any>[] } };
    const [rule] = plugin.default.rules;
    const tests = collect(() =>
      new RuleTester().run('no-accept-all', rule, {
        valid: [{ code: DROP_ALL, filename: 'iptables-save.txt' }],
        invalid: [{ code: ACCEPT_ALL, filename: 'iptables-save.txt', errors: [{ message: 'Disallowed ACCEPT of all traffic in chain FORWARD.', line: 5 }] }],
      }),
    );
    expect(tests).toHaveLength(2);
    for (const t of tests) t.fn();
  });

  it('throws a TypeError when the rule or the tests cannot be used', () => {
    const tester = new RuleTester();
    expect(() => tester.run('x', {} as RuleModule, { valid: [DROP_ALL], invalid: [] })).toThrow(new TypeError('Rule "x" has no meta.'));
    expect(() => tester.run('x', { ...noAcceptAll, meta: { ...noAcceptAll.meta, inputs: [] } }, { valid: [DROP_ALL], invalid: [] })).toThrow(/needs meta\.inputs/);
    expect(() => tester.run('x', noAcceptAll, { valid: [], invalid: [] })).toThrow(/No test cases/);
    expect(() => new RuleTester({ kind: 'iptable' as never })).toThrow(/Unknown input kind "iptable"/);
  });

  it('without a test framework, runs the cases at once and throws the first failure with its title (built package)', () => {
    const entry = path.join(root, 'dist/src/testing/index.js');
    expect(existsSync(entry), 'dist/src/testing/index.js is missing: run `npm run build` (npm test does)').toBe(true);
    const script = `
      const { RuleTester } = await import(${JSON.stringify(pathToFileURL(entry).href)});
      const rule = { meta: { id: 'r', inputs: ['iptables'], messages: { m: 'Found {{chain}}.' } },
        create: (ctx) => ({ IptablesRule: (node) => ctx.report({ node, messageId: 'm', data: { chain: node.chain } }) }) };
      const code = '*filter\\n:INPUT DROP [0:0]\\n-A INPUT -j DROP\\nCOMMIT\\n';
      new RuleTester({ kind: 'iptables' }).run('r', rule, { valid: [], invalid: [{ name: 'passes', code, errors: 1 }] });
      console.log('first case passed');
      try {
        new RuleTester({ kind: 'iptables' }).run('r', rule, { valid: [{ name: 'fails', code }], invalid: [] });
      } catch (err) {
        console.log(err.name + ': ' + err.message);
      }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('first case passed\nAssertionError: fails: Should have no errors but had 1:\n  3:1-3:17 r/m: Found INPUT.\n');
  });
});
