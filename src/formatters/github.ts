import type { Formatter } from './types.js';
import { displayPath } from './paths.js';

// Escaping of the runner's command parser (actions/toolkit, packages/core/src/command.ts).
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions workflow commands, one annotation per problem:
 * `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=rule-id::message`.
 * Paths are relative to `cwd` (run from the checkout root). A range over several lines gives
 * `line`/`endLine` only: the runner drops `col`/`endColumn` when the lines differ
 * (actions/runner, ActionCommandManager.ValidateLinesAndColumns). Suppressed problems are not
 * annotated.
 */
export const github: Formatter = (results, { cwd }) => {
  const lines: string[] = [];
  for (const result of results) {
    const file = displayPath(result.filePath, cwd);
    for (const m of result.messages) {
      const command = m.fatal || m.severity === 2 ? 'error' : 'warning';
      const line = Math.max(m.line || 1, 1);
      const column = Math.max(m.column || 1, 1);
      const props = [`file=${escapeProperty(file)}`, `line=${line}`];
      if (m.endLine !== undefined && m.endLine > line) {
        props.push(`endLine=${m.endLine}`);
      } else {
        props.push(`col=${column}`);
        if (m.endLine !== undefined) props.push(`endLine=${line}`);
        if (m.endColumn !== undefined) props.push(`endColumn=${Math.max(m.endColumn, column)}`);
      }
      props.push(`title=${escapeProperty(m.ruleId ?? 'netlint')}`);
      lines.push(`::${command} ${props.join(',')}::${escapeData(m.message)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
};
