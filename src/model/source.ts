/** A half-open `[start, end)` span of UTF-16 offsets into a file's text. */
export type Range = [start: number, end: number];

/** A 1-based line and column, as editors and ESLint show them. */
export interface Position {
  line: number;
  column: number;
}

/**
 * The text of one input with a line index, so offsets (the truth) can be turned into 1-based
 * positions in O(log lines). Built once per file; every document of the file shares it. The
 * index is made when first asked for: a parser that finds the lines itself and a file without
 * findings never need it (150,000 lines of a large dump take several milliseconds).
 */
export class SourceText {
  readonly text: string;
  #lineStarts: number[] | undefined;

  constructor(text: string) {
    this.text = text;
    this.#lineStarts = undefined;
  }

  /** Offset at which each line starts; `lineStarts[0] === 0`. */
  get lineStarts(): number[] {
    if (this.#lineStarts === undefined) {
      const text = this.text;
      const starts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.#lineStarts = starts;
    }
    return this.#lineStarts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** 1-based line and column of an offset (clamped to the text). */
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - starts[lo] + 1 };
  }

  /** Offset of a 1-based line and column (clamped). */
  offsetAt(line: number, column: number): number {
    const starts = this.lineStarts;
    const l = Math.max(1, Math.min(line, starts.length));
    return Math.min(starts[l - 1] + Math.max(0, column - 1), this.text.length);
  }

  /** Range of a 1-based line without its line terminator. */
  lineRange(line: number): Range {
    const starts = this.lineStarts;
    const start = starts[line - 1] ?? this.text.length;
    let end = starts[line] ?? this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return [start, end];
  }

  slice(range: Range): string {
    return this.text.slice(range[0], range[1]);
  }
}
