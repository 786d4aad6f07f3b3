import type { SourceText } from '../model/source.js';

/** A space or a tab: what line-based command output pads with. */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** A line that has more than blanks, with the offsets of its text without them. */
export interface ContentLine {
  /** 1-based line number. */
  line: number;
  /** Where the line starts (after a byte-order mark on line 1). */
  lineStart: number;
  /** Its text without leading and trailing blanks: `[start, end)`, never empty. */
  start: number;
  end: number;
}

/**
 * The lines of command output and small config files (`ethtool -k`, `conntrack -S`,
 * /proc/net/snmp, `uname`, sysctl.conf) that hold more than blanks, in order, trimmed.
 */
export function* contentLines(source: SourceText): Generator<ContentLine> {
  const text = source.text;
  for (let line = 1; line <= source.lineCount; line++) {
    let [lineStart, end] = source.lineRange(line);
    if (lineStart === 0 && text.charCodeAt(0) === 0xfeff) lineStart = 1;
    let start = lineStart;
    while (start < end && isBlank(text.charCodeAt(start))) start++;
    while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
    if (start < end) yield { line, lineStart, start, end };
  }
}
