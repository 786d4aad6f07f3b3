import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One fixture of `rules/<id>/fixtures/{valid,invalid}/`. */
export interface RuleFixture {
  ruleId: string;
  valid: boolean;
  name: string;
  file: string;
  text: string;
  options?: Record<string, unknown>;
  /** `settings` for the config, from `<name>.settings.json`. */
  settings?: Record<string, unknown>;
  expected?: ExpectedFinding[];
  fixed?: string;
}

export interface ExpectedFinding {
  messageId: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const SIDE_FILE = /\.(?:findings|options|settings)\.json$|\.fixed\./;

/**
 * Reads a rule's fixtures. A fixture `name.ext` may have `name.findings.json` (invalid only),
 * `name.fixed.ext`, `name.options.json` and `name.settings.json` beside it.
 */
export function readRuleFixtures(rulesDir: string, ruleId: string): RuleFixture[] {
  const out: RuleFixture[] = [];
  for (const side of ['valid', 'invalid'] as const) {
    const dir = path.join(rulesDir, ruleId, 'fixtures', side);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      if (SIDE_FILE.test(entry)) continue;
      const dot = entry.indexOf('.');
      const name = dot === -1 ? entry : entry.slice(0, dot);
      const ext = dot === -1 ? '' : entry.slice(dot);
      const sibling = (suffix: string) => {
        const p = path.join(dir, name + suffix);
        return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
      };
      const json = (suffix: string) => {
        const t = sibling(suffix);
        return t === undefined ? undefined : JSON.parse(t);
      };
      out.push({
        ruleId,
        valid: side === 'valid',
        name,
        file: path.join(dir, entry),
        text: readFileSync(path.join(dir, entry), 'utf8'),
        options: json('.options.json'),
        settings: json('.settings.json'),
        expected: json('.findings.json'),
        fixed: sibling(`.fixed${ext}`),
      });
    }
  }
  return out;
}
