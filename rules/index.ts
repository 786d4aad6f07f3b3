import type { RuleModule } from '../src/engine/types.js';

/** netlint's built-in rules, one folder each under rules/. */
export const builtinRules: RuleModule<any>[] = [];
