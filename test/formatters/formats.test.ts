import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { toEslintResults } from '../../src/formatters/eslint-results.js';
import { checkstyle, compact, github, json, junit, stylish } from '../../src/formatters/index.js';
import type { EslintLikeResult } from '../../src/formatters/types.js';
import { canonicalContext, canonicalResults, CWD } from './fixture.js';

const results = () => toEslintResults(canonicalResults(), { cwd: CWD });

/** A message with everything that needs escaping somewhere, in a file with a comma and an ampersand. */
const NASTY = 'Bad <target> & "quoted" \'x\' ]]> 100%,\r\nnext: line\u0001\uD800 end.';
function nastyResults(): EslintLikeResult[] {
  return [
    {
      filePath: path.join(CWD, 'nodes/a,b & c/ip:tables.rules'),
      messages: [{ ruleId: 'rule,with:odd', severity: 2, message: NASTY, line: 2, column: 3, endLine: 2, endColumn: 9 }],
      suppressedMessages: [],
      errorCount: 1,
      fatalErrorCount: 0,
      warningCount: 0,
      fixableErrorCount: 0,
      fixableWarningCount: 0,
      source: 'x\ny\n',
      usedDeprecatedRules: [],
    },
  ];
}

// XML 1.0 §2.2 Char; fast-xml-parser's validator does not check it.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true, isArray: (name) => ['testsuite', 'testcase', 'file', 'error'].includes(name) });

describe('junit and checkstyle are well-formed XML', () => {
  for (const [name, format] of [
    ['junit', junit],
    ['checkstyle', checkstyle],
  ] as const) {
    test(`${name}: canonical and hostile input`, () => {
      for (const input of [results(), nastyResults(), []]) {
        const xml = format(input, canonicalContext());
        expect(XMLValidator.validate(xml)).toBe(true);
        expect(xml).not.toMatch(XML_INVALID);
      }
    });
  }

  test('checkstyle keeps every attribute value, line breaks included', () => {
    const doc = parser.parse(checkstyle(nastyResults(), canonicalContext()));
    const [file] = doc.checkstyle.file;
    expect(file.name).toBe(path.join(CWD, 'nodes/a,b & c/ip:tables.rules'));
    expect(file.error[0]).toMatchObject({
      line: '2',
      column: '3',
      severity: 'error',
      message: `${NASTY.replace(/[\u0001\uD800]/gu, '\uFFFD')} (rule,with:odd)`,
      source: 'netlint.rules.rule,with:odd',
    });
  });

  test('junit: a suite per file, a case per rule, fatal as <error>, clean files pass', () => {
    const doc = parser.parse(junit(results(), canonicalContext()));
    const suites = doc.testsuites.testsuite as { name: string; testcase: Record<string, unknown>[] }[];
    expect(doc.testsuites).toMatchObject({ tests: '5', failures: '3', errors: '1' });
    expect(suites.map((s) => [s.name, s.testcase.map((c) => c.name)])).toEqual([
      ['manifests/kube-proxy.yaml', ['parse-error']],
      ['nodes/node-a/10-bridge.conflist', ['cni-bridge-without-hairpin']],
      ['nodes/node-a/daemon.json', ['netlint']],
      ['nodes/node-a/iptables.rules', ['masquerade-without-random-fully', 'snat-to-in-vpc-services']],
    ]);
    expect(suites[0].testcase[0].error).toBeDefined();
    expect(suites[2].testcase[0]).not.toHaveProperty('failure');
    expect(suites[3].testcase[0].failure).toMatchObject({
      type: 'error',
      '#text': 'nodes/node-a/iptables.rules:8:35: Error - Missing --random-fully on MASQUERADE in chain CNI-3f2a4b.',
    });
  });
});

/** The runner's parser for `::command props::data` (actions/runner ActionCommand.TryParseV2). */
function parseCommand(line: string) {
  const m = /^::(\w+) ([^:]*)::(.*)$/s.exec(line);
  if (!m) return undefined;
  const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unescapeProperty = (s: string) =>
    s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const props = Object.fromEntries(
    m[2].split(',').map((p) => {
      const at = p.indexOf('=');
      return [p.slice(0, at), unescapeProperty(p.slice(at + 1))];
    }),
  );
  return { command: m[1], props, data: unescapeData(m[3]) };
}

describe('github', () => {
  test('one annotation per problem, each with file, line and (on one line) col', () => {
    const lines = github(results(), canonicalContext()).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      const cmd = parseCommand(line)!;
      expect(cmd.command).toMatch(/^(error|warning)$/);
      expect(cmd.props.file).not.toMatch(/^\//);
      expect(Number(cmd.props.line)).toBeGreaterThanOrEqual(1);
      if (cmd.props.endLine === cmd.props.line) {
        expect(Number(cmd.props.col)).toBeGreaterThanOrEqual(1);
        expect(Number(cmd.props.endColumn)).toBeGreaterThanOrEqual(Number(cmd.props.col));
      } else {
        // The runner drops columns of a range over several lines.
        expect(Number(cmd.props.endLine)).toBeGreaterThan(Number(cmd.props.line));
        expect(cmd.props).not.toHaveProperty('col');
      }
    }
  });

  test('escapes data and properties as the runner unescapes them', () => {
    const out = github(nastyResults(), canonicalContext());
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    const cmd = parseCommand(out.trimEnd())!;
    expect(cmd).toEqual({
      command: 'error',
      props: { file: 'nodes/a,b & c/ip:tables.rules', line: '2', col: '3', endLine: '2', endColumn: '9', title: 'rule,with:odd' },
      data: NASTY,
    });
  });

  test('prints nothing without problems', () => {
    expect(github([], canonicalContext())).toBe('');
  });
});

describe('json', () => {
  test("is exactly ESLint's JSON.stringify(results) and round-trips", () => {
    const r = results();
    const out = json(r, canonicalContext());
    expect(out).toBe(JSON.stringify(r));
    expect(JSON.parse(out)).toEqual(r);
  });
});

describe('stylish', () => {
  test('colour only adds escape codes', () => {
    const plain = stylish(results(), canonicalContext());
    const coloured = stylish(results(), canonicalContext({ color: true }));
    expect(coloured).not.toBe(plain);
    expect(stripVTControlCharacters(coloured)).toBe(plain);
    expect(plain).not.toMatch(/\u001b/);
  });

  test('prints nothing without problems (suppressed ones do not count)', () => {
    const onlySuppressed = results().map((r) => ({ ...r, messages: [], errorCount: 0, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0 }));
    expect(stylish(onlySuppressed, canonicalContext({ color: true }))).toBe('');
  });

  test('singular summary, warnings in yellow', () => {
    const [, cni] = results();
    const out = stylish([cni], canonicalContext({ color: true }));
    expect(stripVTControlCharacters(out)).toContain('\u2716 1 problem (0 errors, 1 warning)\n  0 errors and 1 warning potentially fixable with the `--fix` option.\n');
    expect(out).toContain('\u001b[33m\u001b[1m\u2716 1 problem');
  });
});

describe('compact', () => {
  test("ESLint's line format and total", () => {
    const out = compact(results(), canonicalContext());
    expect(out.split('\n')[0]).toBe(`${path.join(CWD, 'manifests/kube-proxy.yaml')}: line 5, col 5, Error - Invalid YAML: bad indentation of a mapping entry. (parse-error)`);
    expect(out.endsWith('\n\n4 problems')).toBe(true);
    expect(compact([], canonicalContext())).toBe('');
  });
});
