import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

// A plugin author imports `netlint/testing` by the package name; the exports map must resolve it
// (in a child process, from the built package, as a user's test would).
it('netlint and netlint/testing resolve through the package exports map', () => {
  const root = path.resolve(__dirname, '../..');
  const script = `import('netlint/testing').then(async (t) => { const n = await import('netlint'); console.log(typeof t.RuleTester, typeof n.lintText); })`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('function function');
});
