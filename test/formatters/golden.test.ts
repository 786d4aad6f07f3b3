import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { toEslintResults } from '../../src/formatters/eslint-results.js';
import { BUILTIN_FORMATTERS, getFormatter } from '../../src/formatters/index.js';
import { directoryUrl } from '../../src/formatters/paths.js';
import { canonicalContext, canonicalResults, CWD } from './fixture.js';

// Golden files: every built-in formatter renders the canonical fixture (fixture.ts) and must
// match test/formatters/golden/<name>.<ext> byte for byte. To change them on purpose, run
// `npx vitest run test/formatters -u` (vitest file snapshots) and review the diff in git.
// With CI=true a missing golden file fails instead of being written.

const EXTENSIONS: Record<string, string> = {
  stylish: 'txt',
  json: 'json',
  sarif: 'sarif',
  junit: 'xml',
  github: 'txt',
  checkstyle: 'xml',
  compact: 'txt',
};

/** Makes output independent of where the fixture's root is: paths relative, root URL fixed. */
function normalise(text: string): string {
  const escapedRoot = JSON.stringify(CWD + path.sep).slice(1, -1);
  return text
    .split(directoryUrl(CWD))
    .join('file:///CWD/')
    .split(CWD + path.sep)
    .join('')
    .split(escapedRoot)
    .join('');
}

function render(name: string, color = false): string {
  const results = toEslintResults(canonicalResults(), { cwd: CWD });
  return getFormatter(name)(results, canonicalContext({ color }));
}

describe('golden files', () => {
  test.each([...BUILTIN_FORMATTERS])('%s', async (name) => {
    let output = normalise(render(name));
    // One line of JSON diffs badly; the exact bytes are checked in formats.test.ts.
    if (name === 'json') output = `${JSON.stringify(JSON.parse(output), null, 2)}\n`;
    expect(output).not.toContain(CWD + path.sep);
    await expect(output).toMatchFileSnapshot(`golden/${name}.${EXTENSIONS[name]}`);
  });

  test('stylish with colour', async () => {
    await expect(normalise(render('stylish', true))).toMatchFileSnapshot('golden/stylish-color.txt');
  });
});
