/**
 * Declarative policies (DESIGN.md, "Policy as code"): YAML files that select subjects, check
 * them with JSON Schema and compile into rule modules. See README.md beside this file.
 */

/** Compiles one policy object into a rule module (id = policy id); throws a located `ConfigError`. */
export { compilePolicy } from './compile.js';
export type { PolicyOptions } from './compile.js';

/** Reads and compiles policy files; `parsePolicies` does the same for one file's text. */
export { loadPolicies, parsePolicies } from './load.js';
export type { LoadedPolicies, ParsedPolicy } from './load.js';

/** `netlint test-policies DIR`: runs each policy folder's pass/fail fixtures; and its text report. */
export { formatPolicyTestReport, testPolicies } from './test-policies.js';
export type { ExpectedPolicyFinding, PolicyTestFailure, PolicyTestResult } from './test-policies.js';

export type { FactSubjectName, KubernetesSelector, Policy, PolicySourceInfo, PolicySubject } from './types.js';
export type { FixSegment, FixSelector } from './fix.js';
