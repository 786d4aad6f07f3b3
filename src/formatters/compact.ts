import type { Formatter } from './types.js';

/**
 * ESLint's `compact` output, one line per problem, for editors and grep:
 * `/abs/path: line 3, col 1, Error - message (rule-id)`, then `N problems`.
 */
export const compact: Formatter = (results) => {
  let output = '';
  let total = 0;
  for (const result of results) {
    total += result.messages.length;
    for (const m of result.messages) {
      const type = m.fatal || m.severity === 2 ? 'Error' : 'Warning';
      const rule = m.ruleId ? ` (${m.ruleId})` : '';
      output += `${result.filePath}: line ${m.line || 0}, col ${m.column || 0}, ${type} - ${m.message}${rule}\n`;
    }
  }
  if (total > 0) output += `\n${total} problem${total === 1 ? '' : 's'}`;
  return output;
};
