import { ansi, table } from './ansi.js';
import type { Formatter } from './types.js';

const plural = (word: string, count: number) => (count === 1 ? word : `${word}s`);

/**
 * ESLint's default output: per file, the underlined path and a table of
 * `line:column  severity  message  rule`; then a summary of problems and fixable ones.
 * Prints nothing when there are no problems (as ESLint).
 */
export const stylish: Formatter = (results, { color }) => {
  const c = ansi(color);
  let output = '\n';
  let errors = 0;
  let warnings = 0;
  let fixableErrors = 0;
  let fixableWarnings = 0;
  let summaryColor: 'red' | 'yellow' = 'yellow';

  for (const result of results) {
    if (result.messages.length === 0) continue;
    errors += result.errorCount;
    warnings += result.warningCount;
    fixableErrors += result.fixableErrorCount;
    fixableWarnings += result.fixableWarningCount;

    const rows = result.messages.map((m) => {
      const isError = m.fatal || m.severity === 2;
      if (isError) summaryColor = 'red';
      return [
        '',
        String(m.line || 0),
        String(m.column || 0),
        isError ? c.red('error') : c.yellow('warning'),
        // ESLint drops a final period: the rule id follows.
        m.message.replace(/([^ ])\.$/u, '$1'),
        c.dim(m.ruleId ?? ''),
      ];
    });
    const lines = table(rows, ['l', 'r', 'l'])
      .split('\n')
      // The line and column cells become one `line:column` (the column cell keeps its padding).
      .map((line) => line.replace(/(\d+)\s+(\d+)/u, (_, l: string, col: string) => c.dim(`${l}:${col}`)));
    output += `${c.underline(result.filePath)}\n${lines.join('\n')}\n\n`;
  }

  const total = errors + warnings;
  if (total === 0) return '';
  const paint = (text: string) => c[summaryColor](c.bold(text));
  output += paint(
    `\u2716 ${total} ${plural('problem', total)} (${errors} ${plural('error', errors)}, ${warnings} ${plural('warning', warnings)})\n`,
  );
  if (fixableErrors > 0 || fixableWarnings > 0) {
    output += paint(
      `  ${fixableErrors} ${plural('error', fixableErrors)} and ${fixableWarnings} ${plural('warning', fixableWarnings)} potentially fixable with the \`--fix\` option.\n`,
    );
  }
  return c.reset(output);
};
