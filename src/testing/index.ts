/**
 * `netlint/testing`: a `RuleTester` for plugin authors (and netlint's own rules), like ESLint's.
 * Each case is linted with the rule alone; valid cases must give no finding, invalid ones exactly
 * the expected findings, and their safe fixes (applied in passes, as `--fix` does) the expected output.
 */
export { RuleTester } from './rule-tester.js';
export type {
  DescribeFunction,
  InvalidTestCase,
  ItFunction,
  RuleTesterConfig,
  RuleTests,
  SuggestionExpectation,
  TestCaseError,
  ValidTestCase,
} from './rule-tester.js';
