import { stripVTControlCharacters } from 'node:util';

type Style = (text: string) => string;

/** The few SGR styles the formatters use; identity functions when colour is off. */
export interface Ansi {
  enabled: boolean;
  bold: Style;
  dim: Style;
  underline: Style;
  red: Style;
  yellow: Style;
  /** Resets at both ends, so an unclosed style from earlier output cannot bleed in. */
  reset: Style;
}

// Open/close pairs from ECMA-48 SGR, the ones chalk uses.
const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  underline: [4, 24],
  red: [31, 39],
  yellow: [33, 39],
} as const;

const identity: Style = (text) => text;

/** The styles, painting only when `enabled` (no chalk: formatters stay pure and dependency-free). */
export function ansi(enabled: boolean): Ansi {
  const style = ([open, close]: readonly [number, number]): Style =>
    enabled
      ? // Styled per line: CI log viewers reset styles at each line break.
        (text) => text.split('\n').map((line) => (line ? `\u001b[${open}m${line}\u001b[${close}m` : line)).join('\n')
      : identity;
  return {
    enabled,
    bold: style(SGR.bold),
    dim: style(SGR.dim),
    underline: style(SGR.underline),
    red: style(SGR.red),
    yellow: style(SGR.yellow),
    reset: enabled ? (text) => (text ? `\u001b[0m${text}\u001b[0m` : text) : identity,
  };
}

/** Visible width of a cell: escape codes take no room. */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

/**
 * Lays rows out in columns two spaces apart, each as wide as its widest cell, right-aligned
 * where `align` says `r`; trailing spaces are trimmed (the `text-table` layout ESLint uses).
 */
export function table(rows: readonly string[][], align: readonly ('l' | 'r')[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i] - visibleLength(cell));
          return align[i] === 'r' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
