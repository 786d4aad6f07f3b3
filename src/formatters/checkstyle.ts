import type { Formatter } from './types.js';
import { xmlAttr } from './xml.js';

/**
 * Checkstyle XML (the `checkstyle version="4.3"` dialect ESLint writes), read by Jenkins
 * warnings-ng, reviewdog, SonarQube and GitLab converters. One `<file>` per linted file;
 * `source` is `netlint.rules.<rule-id>`.
 */
export const checkstyle: Formatter = (results) => {
  let output = '<?xml version="1.0" encoding="utf-8"?>\n<checkstyle version="4.3">\n';
  for (const result of results) {
    if (result.messages.length === 0) {
      output += `  <file name="${xmlAttr(result.filePath)}"/>\n`;
      continue;
    }
    output += `  <file name="${xmlAttr(result.filePath)}">\n`;
    for (const m of result.messages) {
      const severity = m.fatal || m.severity === 2 ? 'error' : 'warning';
      const message = m.ruleId ? `${m.message} (${m.ruleId})` : m.message;
      const source = m.ruleId ? `netlint.rules.${m.ruleId}` : '';
      output += `    <error line="${m.line || 0}" column="${m.column || 0}" severity="${severity}" message="${xmlAttr(message)}" source="${xmlAttr(source)}"/>\n`;
    }
    output += '  </file>\n';
  }
  return `${output}</checkstyle>\n`;
};
