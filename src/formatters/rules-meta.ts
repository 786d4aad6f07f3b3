import type { EngineRuleId } from '../model/finding.js';
import type { RuleModule } from '../engine/types.js';
import type { FormatterRuleMeta } from './types.js';

/** Metadata of the ids the engine reports itself, so SARIF describes every rule it names. */
export const ENGINE_RULES_META: Record<EngineRuleId, FormatterRuleMeta> = {
  'parse-error': {
    description: 'Report input that cannot be parsed.',
    helpText: 'The file (or one document of it) could not be read as a whole; other files are still linted. Fix the syntax at the reported position.',
    category: 'correctness',
  },
  'unknown-input': {
    description: 'Report files whose input kind is not recognised.',
    helpText: 'netlint could not tell which kind of input the file is. Name it with --kind, or exclude it with ignores.',
    category: 'correctness',
  },
  'internal-error': {
    description: 'Report a rule or parser that failed on a file.',
    helpText: 'A rule or parser threw on this file; the other rules still ran. Please report it with the file attached.',
    category: 'correctness',
  },
  'unused-disable-directive': {
    description: 'Report inline directives that suppress nothing.',
    helpText: 'A netlint-disable directive matched no finding. Remove it, so it cannot hide a future problem.',
    category: 'style',
  },
};

/**
 * `rulesMeta` for formatters from rule modules (plus {@link ENGINE_RULES_META}): description,
 * docs URL, category, fix kind and messages.
 */
export function rulesMetaFor(rules: Iterable<RuleModule<any>>): Record<string, FormatterRuleMeta> {
  const out: Record<string, FormatterRuleMeta> = { ...ENGINE_RULES_META };
  for (const { meta } of rules) {
    out[meta.id] = {
      description: meta.description,
      ...(meta.docs ? { docsUrl: meta.docs } : {}),
      category: meta.category,
      ...(meta.fix ? { fixable: meta.fix } : {}),
      messages: meta.messages,
    };
  }
  return out;
}
