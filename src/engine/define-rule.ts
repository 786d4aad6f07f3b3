import type { RuleContext, RuleHandlers, RuleMeta, RuleModule } from './types.js';

/**
 * Declares a rule. The options type is inferred from `meta.defaultOptions`; `create` receives
 * the user's options merged over the defaults, already validated against `meta.schema`.
 */
export function defineRule<O extends Record<string, unknown>>(rule: {
  meta: RuleMeta<O>;
  create(context: RuleContext, options: O): RuleHandlers;
}): RuleModule<O> {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)?$/.test(rule.meta.id)) {
    throw new TypeError(`Rule id "${rule.meta.id}" is not kebab-case.`);
  }
  return rule;
}
