import { expect } from 'vitest';
import { lintText } from '../../src/engine/lint.js';
import { RuleRegistry } from '../../src/engine/registry.js';
import type { RuleModule } from '../../src/engine/types.js';
import { fixLoop } from '../../src/fixes/fix-loop.js';
import type { InputKind } from '../../src/model/document.js';
import type { Finding } from '../../src/model/finding.js';
import { parsePolicies } from '../../src/policy/index.js';

/** The one policy of a YAML text, compiled. */
export function policy(yaml: string): RuleModule<any> {
  const parsed = parsePolicies(yaml, 'policy.yaml');
  expect(parsed).toHaveLength(1);
  return parsed[0].rule;
}

export interface LintResult {
  findings: Finding[];
  /** The text each finding's range covers. */
  slices: string[];
}

/** Lints `text` with only `rule` enabled; fails the test on any engine finding. */
export function lintWith(rule: RuleModule<any>, text: string, options: { kind?: InputKind; filePath?: string } = {}): LintResult {
  const { findings } = lintText(text, {
    filePath: options.filePath ?? 'input',
    kind: options.kind,
    registry: new RuleRegistry([rule]),
    config: { rules: { [rule.meta.id]: rule.meta.recommended ?? 'error' }, settings: {} },
  });
  expect(findings.filter((f) => f.ruleId !== rule.meta.id), 'engine findings').toEqual([]);
  return { findings, slices: findings.map((f) => text.slice(f.range[0], f.range[1])) };
}

/** Applies the rule's safe fixes as --fix does; returns the output and what re-linting it finds. */
export function fixWith(rule: RuleModule<any>, text: string, options: { kind?: InputKind; filePath?: string } = {}) {
  const lint = (t: string) => lintWith(rule, t, options);
  const { output, result } = fixLoop(text, lint);
  return { output, remaining: result.findings };
}
