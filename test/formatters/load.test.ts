import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { toEslintResults } from '../../src/formatters/eslint-results.js';
import { FormatterError, formatterPackageName, getFormatter, json, loadFormatter, toEslintRulesMeta } from '../../src/formatters/index.js';
import { canonicalContext, canonicalResults, CWD } from './fixture.js';

// A throwaway project with formatter packages of every shape ESLint users publish.
const project = mkdtempSync(path.join(tmpdir(), 'netlint-formatters-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  const file = path.join(project, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

// CommonJS, `module.exports = fn`, reading context like eslint-formatter-* packages do.
write('node_modules/eslint-formatter-summary/package.json', JSON.stringify({ name: 'eslint-formatter-summary', main: 'index.js' }));
write(
  'node_modules/eslint-formatter-summary/index.js',
  `module.exports = function (results, context) {
  const ids = results.flatMap((r) => r.messages.map((m) => m.ruleId));
  return [context.cwd, results.map((r) => r.filePath).join(','), ids.map((id) => id + '=' + (context.rulesMeta[id] ? context.rulesMeta[id].docs.url : '-')).join(',')].join('\\n');
};
`,
);
// ESM only, scoped, async.
write(
  'node_modules/@acme/eslint-formatter-async/package.json',
  JSON.stringify({ name: '@acme/eslint-formatter-async', type: 'module', exports: { '.': { default: './index.js' } } }),
);
write('node_modules/@acme/eslint-formatter-async/index.js', `export default async (results) => 'async:' + results.length;\n`);
// A full package name without the prefix, transpiled (`exports.default`).
write('node_modules/lint-report/package.json', JSON.stringify({ name: 'lint-report', main: 'index.js' }));
write(
  'node_modules/lint-report/index.js',
  `Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = (results) => 'report:' + results.length;\n`,
);
// Broken ones.
write('node_modules/eslint-formatter-notfn/package.json', JSON.stringify({ name: 'eslint-formatter-notfn', main: 'index.js' }));
write('node_modules/eslint-formatter-notfn/index.js', `module.exports = { format() {} };\n`);
write('node_modules/eslint-formatter-throws/package.json', JSON.stringify({ name: 'eslint-formatter-throws', main: 'index.js' }));
write('node_modules/eslint-formatter-throws/index.js', `throw new Error('boom at load');\n`);
write('node_modules/eslint-formatter-fails/package.json', JSON.stringify({ name: 'eslint-formatter-fails', main: 'index.js' }));
write('node_modules/eslint-formatter-fails/index.js', `module.exports = () => { throw new Error('boom at format'); };\n`);
// A local module.
write('tools/netlint-format.mjs', `export default (results, { cwd }) => 'local:' + results.length + ':' + (cwd === ${JSON.stringify(project)});\n`);

const results = () => toEslintResults(canonicalResults(), { cwd: CWD });
const context = () => canonicalContext({ cwd: project });

describe('formatterPackageName (ESLint normalizePackageName)', () => {
  test.each([
    ['summary', 'eslint-formatter-summary'],
    ['eslint-formatter-summary', 'eslint-formatter-summary'],
    ['@acme/async', '@acme/eslint-formatter-async'],
    ['@acme/eslint-formatter-async', '@acme/eslint-formatter-async'],
    ['@acme', '@acme/eslint-formatter'],
    ['@acme/eslint-formatter', '@acme/eslint-formatter'],
  ])('%s → %s', (name, expected) => {
    expect(formatterPackageName(name)).toBe(expected);
  });
});

describe('loadFormatter', () => {
  test('built-in names win over installed packages', async () => {
    const format = await loadFormatter('json', project);
    expect(await format(results(), context())).toBe(json(results(), context()));
    expect(getFormatter('sarif')).toBeTypeOf('function');
    expect(() => getFormatter('summary')).toThrow(FormatterError);
  });

  test('eslint-formatter-<name> (CommonJS) gets sorted results, cwd and ESLint-shaped rulesMeta', async () => {
    const format = await loadFormatter('summary', project);
    const [cwd, files, rules] = (await format([...results()].reverse(), context())).split('\n');
    expect(cwd).toBe(project);
    expect(files.split(',')).toEqual([...results().map((r) => r.filePath)].sort());
    expect(rules).toContain('masquerade-without-random-fully=https://netlint.example/rules/masquerade-without-random-fully');
  });

  test('@scope/<name> (ESM, async), a full package name, a local path', async () => {
    expect(await (await loadFormatter('@acme/async', project))(results(), context())).toBe('async:4');
    expect(await (await loadFormatter('lint-report', project))(results(), context())).toBe('report:4');
    expect(await (await loadFormatter('./tools/netlint-format.mjs', project))(results(), context())).toBe('local:4:true');
    expect(await (await loadFormatter(path.join(project, 'tools/netlint-format.mjs'), '/'))(results(), context())).toBe('local:4:true');
  });

  test.each([
    ['missing', /Cannot find formatter "missing".*"eslint-formatter-missing" or "missing".*npm install --save-dev eslint-formatter-missing/s],
    ['./tools/nope.js', /Cannot find formatter module "\.\/tools\/nope\.js"/],
    ['notfn', /does not export a function/],
    ['throws', /Cannot load formatter "throws".*boom at load/s],
  ])('%s: a FormatterError with a clear message', async (name, message) => {
    const load = loadFormatter(name, project);
    await expect(load).rejects.toThrow(FormatterError);
    await expect(load).rejects.toThrow(message);
  });

  test('a formatter that throws while formatting: a FormatterError naming it', async () => {
    const format = await loadFormatter('fails', project);
    await expect(format(results(), context())).rejects.toThrow(/Formatter "fails" failed: boom at format/);
  });
});

test('toEslintRulesMeta', () => {
  expect(toEslintRulesMeta(canonicalContext().rulesMeta)['cni-bridge-without-hairpin']).toEqual({
    docs: { description: 'Require hairpinMode on CNI bridge plugins.', url: 'https://netlint.example/rules/cni-bridge-without-hairpin' },
    fixable: 'code',
    hasSuggestions: true,
  });
});
