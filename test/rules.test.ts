import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../rules/index.js';
import { lintText } from '../src/engine/lint.js';
import { RuleRegistry } from '../src/engine/registry.js';
import type { ResolvedConfig, RuleModule } from '../src/engine/types.js';
import { RuleTester, type InvalidTestCase, type RuleTests, type ValidTestCase } from '../src/testing/index.js';
import { readRuleFixtures, type RuleFixture } from './helpers/rule-fixtures.js';
import { ruleReadme } from '../src/engine/package-root.js';
import { isInputKind } from '../src/model/document.js';
import { parse as parseYaml } from 'yaml';

const rulesDir = path.resolve(__dirname, '../rules');
const registry = new RuleRegistry(builtinRules);

function configFor(rule: RuleModule<any>, fx: Pick<RuleFixture, 'options' | 'settings'>): ResolvedConfig {
  return {
    rules: { [rule.meta.id]: fx.options ? ['error', fx.options] : 'error' },
    settings: (fx.settings ?? {}) as ResolvedConfig['settings'],
  };
}

function lint(rule: RuleModule<any>, fx: Pick<RuleFixture, 'options' | 'settings' | 'file'>, text: string) {
  return lintText(text, { filePath: fx.file, config: configFor(rule, fx), registry }).findings;
}

// The fixtures run through the RuleTester plugin authors use (`netlint/testing`); the tests
// keep the fixtures' names. Unused disable directives fail a fixture, as they would in a real run.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;
const ruleTester = new RuleTester({ reportUnusedDisableDirectives: 'warn' });

/**
 * A rule's fixtures as RuleTester cases. An invalid fixture's `.fixed` file is the `output` of its
 * safe fixes (applied in passes, as --fix does) or, when it only suggests, the output of the first
 * suggestion of each finding (one pass, as an editor applies them one by one); either way the
 * fixed text must lint clean, so it is a valid case too.
 */
function fixtureTests(rule: RuleModule<any>, fixtures: RuleFixture[]): RuleTests {
  const valid: ValidTestCase[] = [];
  const invalid: InvalidTestCase[] = [];
  const base = (fx: RuleFixture) => ({ filename: fx.file, options: fx.options, settings: fx.settings });
  for (const fx of fixtures) {
    const name = `${fx.valid ? 'valid' : 'invalid'}/${path.basename(fx.file)}`;
    if (fx.valid) {
      valid.push({ name, code: fx.text, ...base(fx) });
      continue;
    }
    // Checked by "each invalid fixture has <name>.findings.json".
    if (!fx.expected) continue;
    const c: InvalidTestCase = { name, code: fx.text, ...base(fx), errors: fx.expected };
    if (fx.fixed !== undefined) {
      // Which kind of fix the .fixed file records; the RuleTester then checks the rule gives it.
      let safe = true;
      try {
        safe = lint(rule, fx, fx.text).some((f) => f.fix);
      } catch {
        // Bad options: the case itself reports it.
      }
      if (safe) c.output = fx.fixed;
      else c.suggestionsOutput = fx.fixed;
      valid.push({ name: `${name}: its .fixed output lints clean`, code: fx.fixed, ...base(fx) });
    }
    invalid.push(c);
  }
  return { valid, invalid };
}

const REQUIRED_SECTIONS = ['Why', 'Examples', 'Fix', 'Options', 'When not to use it', 'References'];

describe('every rule folder is registered', () => {
  it('rules/index.ts lists every folder with an index.ts', () => {
    const folders = readdirSync(rulesDir).filter((d) => statSync(path.join(rulesDir, d)).isDirectory());
    expect(folders.sort()).toEqual(builtinRules.map((r) => r.meta.id).sort());
  });
});

for (const rule of builtinRules) {
  const id = rule.meta.id;
  describe(`rule ${id}`, () => {
    const fixtures = readRuleFixtures(rulesDir, id);

    it('has valid and invalid fixtures', () => {
      expect(fixtures.some((f) => f.valid), 'no fixtures/valid/*').toBe(true);
      expect(fixtures.some((f) => !f.valid), 'no fixtures/invalid/*').toBe(true);
    });

    it('has a README with the required sections and a heading per option', () => {
      const readme = ruleReadme(id);
      expect(readme, 'README.md missing').toBeDefined();
      const headings = [...readme!.matchAll(/^#{2,4}\s+(.+?)\s*$/gm)].map((m) => m[1]);
      for (const s of REQUIRED_SECTIONS) expect(headings, `README lacks "## ${s}"`).toContain(s);
      const props = Object.keys((rule.meta.schema?.properties as Record<string, unknown>) ?? {});
      for (const p of props) expect(headings.some((h) => h.startsWith(`\`${p}\``)), `README lacks a heading for option ${p}`).toBe(true);
      for (const p of props) {
        const desc = ((rule.meta.schema!.properties as Record<string, { description?: string }>)[p]).description;
        expect(desc, `option ${p} lacks a description`).toBeTruthy();
      }
    });

    it('README examples give the findings they claim', () => {
      const readme = ruleReadme(id)!;
      const examples = readme.split(/^## /m).find((s) => s.startsWith('Examples')) ?? '';
      let side: 'invalid' | 'valid' | undefined;
      let settings: Record<string, unknown> | undefined;
      let checked = 0;
      for (const part of examples.split(/^(### .*)$/m)) {
        if (/^### /.test(part)) {
          side = /invalid/i.test(part) ? 'invalid' : /valid/i.test(part) ? 'valid' : undefined;
          continue;
        }
        for (const m of part.matchAll(/```([\w-]*)\n([\s\S]*?)```/g)) {
          // A `yaml` block with `settings:` before the examples gives the settings they use.
          if (!side && m[1] === 'yaml' && /^settings:/m.test(m[2])) {
            settings = (parseYaml(m[2]) as { settings: Record<string, unknown> }).settings;
            continue;
          }
          if (!side) continue;
          const kind = isInputKind(m[1]) ? m[1] : undefined;
          const findings = lintText(m[2], { filePath: `README-example`, kind, config: configFor(rule, { settings }), registry }).findings;
          const own = findings.filter((f) => f.ruleId === id);
          expect(findings.filter((f) => f.ruleId !== id), `example has other findings:\n${m[2]}`).toEqual([]);
          if (side === 'invalid') expect(own.length, `invalid example gives no finding:\n${m[2]}`).toBeGreaterThan(0);
          else expect(own, `valid example gives findings:\n${m[2]}`).toEqual([]);
          checked++;
        }
      }
      expect(checked, 'README has no checked examples under "### Invalid" / "### Valid"').toBeGreaterThan(1);
    });

    it('each invalid fixture has <name>.findings.json', () => {
      for (const fx of fixtures.filter((f) => !f.valid)) expect(fx.expected, `${fx.name}.findings.json missing`).toBeDefined();
    });

    const tests = fixtureTests(rule, fixtures);
    // A rule without fixtures fails "has valid and invalid fixtures".
    if (tests.valid.length + tests.invalid.length > 0) ruleTester.run(id, rule, tests);
  });
}
