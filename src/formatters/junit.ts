import type { EslintLikeMessage, Formatter } from './types.js';
import { displayPath } from './paths.js';
import { xmlAttr, xmlText } from './xml.js';

const isError = (m: EslintLikeMessage) => m.fatal === true || m.severity === 2;

/**
 * JUnit XML for CI test reports: one `<testsuite>` per file (named by its path relative to
 * `cwd`) and one `<testcase>` per rule that reported in it, failing with the list of its
 * locations. A fatal message (the file could not be parsed) is an `<error>`, anything else a
 * `<failure>`, warnings included (as ESLint's junit). A clean file has one passing testcase, so
 * it still shows up in the report.
 */
export const junit: Formatter = (results, { cwd }) => {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let suites = '';
  for (const result of results) {
    const file = displayPath(result.filePath, cwd);
    const byRule = new Map<string, EslintLikeMessage[]>();
    for (const m of result.messages) {
      const id = m.ruleId ?? 'unknown';
      const list = byRule.get(id);
      if (list) list.push(m);
      else byRule.set(id, [m]);
    }
    let cases = '';
    let suiteFailures = 0;
    let suiteErrors = 0;
    for (const [ruleId, messages] of byRule) {
      const element = messages.some((m) => m.fatal) ? 'error' : 'failure';
      if (element === 'error') suiteErrors++;
      else suiteFailures++;
      const type = messages.some(isError) ? 'error' : 'warning';
      const summary = messages.length === 1 ? messages[0].message : `${messages.length} problems: ${messages[0].message}`;
      const body = messages
        .map((m) => `${file}:${m.line || 0}:${m.column || 0}: ${isError(m) ? 'Error' : 'Warning'} - ${m.message}`)
        .join('\n');
      cases +=
        `    <testcase classname="${xmlAttr(file)}" name="${xmlAttr(ruleId)}" time="0">\n` +
        `      <${element} type="${type}" message="${xmlAttr(summary)}">${xmlText(body)}</${element}>\n` +
        '    </testcase>\n';
    }
    if (byRule.size === 0) cases = `    <testcase classname="${xmlAttr(file)}" name="netlint" time="0"/>\n`;
    const suiteTests = Math.max(byRule.size, 1);
    tests += suiteTests;
    failures += suiteFailures;
    errors += suiteErrors;
    suites +=
      `  <testsuite name="${xmlAttr(file)}" tests="${suiteTests}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="0" time="0">\n` +
      cases +
      '  </testsuite>\n';
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="netlint" tests="${tests}" failures="${failures}" errors="${errors}" time="0">\n` +
    suites +
    '</testsuites>\n'
  );
};
