import type { SourceComment } from '../../model/document.js';
import type { Range } from '../../model/source.js';
import type { JsonArray, JsonLiteral, JsonObject, JsonPath, JsonProperty, JsonValue } from '../json/index.js';
import type { YamlStreamDocument } from './yaml-tree.js';

/**
 * A fast reader for the block YAML that manifests are almost always written in: `---`-separated
 * documents of block mappings and sequences (compact `- key: value` included), single-line plain,
 * single- and double-quoted scalars, empty `[]`/`{}`, and `#` comments. It returns exactly what
 * `parseYamlStream` returns for such text (same values, ranges, paths, comments), about ten
 * times faster, and `undefined` for anything else (anchors, tags, block or multi-line scalars,
 * flow collections, tabs, CRLF, template markup, anything invalid), which the `yaml` package then
 * reads. Scalars resolve as `parseYamlStream` resolves them: YAML 1.2 core schema with go-yaml's
 * `yes`/`no`/`on`/`off`/`y`/`n` booleans and `0644` octals.
 */
export function fastParseYamlStream(text: string): YamlStreamDocument[] | undefined {
  // Cheap refusals first: features this reader leaves to the yaml package.
  if (/[\t\r\uFEFF]|\{\{|^(?:%|\.\.\.)/m.test(text)) return undefined;
  try {
    return new FastYaml(text).stream();
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

const BAIL = Symbol('bail');
function bail(): never {
  throw BAIL;
}

interface Line {
  /** Offset of the line's first character. */
  start: number;
  /** Offset of its line break (or the text's end). */
  end: number;
  /** Column of its first content character (may be moved right for compact `- key: v`). */
  indent: number;
  /** Offset of its first content character. */
  content: number;
  /** A comment-only or blank line. */
  blank: boolean;
  /** `---` alone on the line. */
  marker: boolean;
}

/** Plain scalar resolution of `parseYamlStream` (its custom tags, then the core schema's, in order). */
function resolvePlain(s: string): { valueType: JsonLiteral['valueType']; value: string | number | boolean | null } {
  // Most scalars are words that no tag's pattern can match: they cannot be a number (no digit,
  // dot or sign first) and are none of the boolean or null spellings (all at most 5 letters).
  const c = s.charCodeAt(0);
  const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (!numeric && s.length > 5) return { valueType: 'string', value: s };
  if (/^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s)) return { valueType: 'boolean', value: /^(?:y|yes|on)$/i.test(s) };
  if (/^[-+]?0[0-7]+$/.test(s)) return { valueType: 'number', value: (s.startsWith('-') ? -1 : 1) * parseInt(s.replace(/^[-+]/, ''), 8) };
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return { valueType: 'null', value: null };
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return { valueType: 'boolean', value: s[0] === 't' || s[0] === 'T' };
  if (/^0o[0-7]+$/.test(s)) return { valueType: 'number', value: parseInt(s.substring(2), 8) };
  if (/^[-+]?[0-9]+$/.test(s)) return { valueType: 'number', value: parseInt(s, 10) };
  if (/^0x[0-9a-fA-F]+$/.test(s)) return { valueType: 'number', value: parseInt(s.substring(2), 16) };
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) bail();
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return { valueType: 'number', value: parseFloat(s) };
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return { valueType: 'number', value: parseFloat(s) };
  return { valueType: 'string', value: s };
}

/** A plain scalar may not start with these (nor with `-`, `?`, `:` followed by a space or nothing). */
const INDICATOR = /^(?:[,[\]{}#&*!|>%@`'"]|[-?:](?:\s|$))/;

/** A node with its parent links (the root has none), keys in the order the yaml-based reader writes them. */
function node<T extends JsonValue>(fields: Omit<T, 'parent' | 'property'>, parent: JsonObject | JsonArray | undefined, property: JsonProperty | undefined): T {
  const { type, range, path, ...rest } = fields as unknown as JsonValue & Record<string, unknown>;
  if (parent && property) return { type, range, path, parent, property, ...rest } as unknown as T;
  if (parent) return { type, range, path, parent, ...rest } as unknown as T;
  return { type, range, path, ...rest } as unknown as T;
}

function literal(
  range: Range,
  path: JsonPath,
  valueType: JsonLiteral['valueType'],
  value: JsonLiteral['value'],
  parent: JsonObject | JsonArray | undefined,
  property: JsonProperty | undefined,
): JsonLiteral {
  if (parent && property) return { type: 'JsonLiteral', range, path, parent, property, valueType, value };
  if (parent) return { type: 'JsonLiteral', range, path, parent, valueType, value };
  return { type: 'JsonLiteral', range, path, valueType, value };
}

const DQ_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

class FastYaml {
  private readonly lines: Line[] = [];
  private i = 0;
  private comments: SourceComment[] = [];
  /** Starts of comments after values (a line's value may be read twice: `- key: v`). */
  private readonly trailing = new Set<number>();

  constructor(private readonly text: string) {
    let start = 0;
    const n = text.length;
    while (start <= n) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = n;
      let c = start;
      while (c < end && text.charCodeAt(c) === 32) c++;
      const blank = c === end || text.charCodeAt(c) === 35;
      if (c < end && text.charCodeAt(c) === 35) this.comments.push(this.comment(c, end));
      const marker = c === start && end - start >= 3 && text.startsWith('---', start) && (end - start === 3 || bail());
      this.lines.push({ start, end, indent: c - start, content: c, blank, marker });
      if (end === n) break;
      start = end + 1;
    }
  }

  private comment(at: number, end: number): SourceComment {
    return { text: this.text.slice(at, end), range: [at, end] };
  }

  stream(): YamlStreamDocument[] {
    const docs: YamlStreamDocument[] = [];
    const lines = this.lines;
    const allComments = this.comments;
    let c = 0;
    // Where documents start: `---` lines, and the first content line before any `---`.
    let first = lines.findIndex((l) => l.marker || !l.blank);
    if (first === -1) bail(); // nothing but comments and blank lines
    while (this.i < lines.length) {
      const docStart = this.i === 0 ? first : this.i;
      const startLine = lines[docStart];
      this.i = startLine.marker ? docStart + 1 : docStart;
      this.skipBlank();
      if (this.i >= lines.length || lines[this.i].marker) bail(); // empty documents: left to yaml
      const node = this.block(-1, []);
      this.skipBlank();
      if (this.i < lines.length && !lines[this.i].marker) bail();
      const endLine = this.lastContent;
      const end = endLine.end < this.text.length ? endLine.end + 1 : endLine.end;
      const rangeStart = startLine.marker ? startLine.start : startLine.content;
      // Comments up to the next `---` (or all remaining ones, for the last document).
      const limit = this.i < lines.length ? lines[this.i].start : Infinity;
      allComments.sort((a, b) => a.range[0] - b.range[0]);
      const own: SourceComment[] = [];
      while (c < allComments.length && allComments[c].range[0] < limit) own.push(allComments[c++]);
      docs.push({ index: docs.length, range: [rangeStart, end], comments: own, node });
      first = this.i;
    }
    return docs;
  }

  private lastContent!: Line;

  private skipBlank(): void {
    while (this.i < this.lines.length && this.lines[this.i].blank && !this.lines[this.i].marker) this.i++;
  }

  /** The next content line, or undefined at a document's end. */
  private peek(): Line | undefined {
    this.skipBlank();
    const l = this.lines[this.i];
    return l && !l.marker ? l : undefined;
  }

  /** A block node whose lines are indented more than `parentIndent`. */
  private block(parentIndent: number, path: JsonPath, parent?: JsonObject | JsonArray, property?: JsonProperty): JsonValue {
    const line = this.peek();
    if (!line || line.indent <= parentIndent) bail();
    if (this.isSeqItem(line)) return this.sequence(line.indent, path, parent, property);
    if (this.keyEnd(line) !== undefined) return this.mapping(line.indent, path, parent, property);
    // A lone scalar document.
    if (parentIndent !== -1) bail();
    const v = this.scalar(line.content, line.end, path, parent, property);
    this.lastContent = line;
    this.i++;
    return v;
  }

  private isSeqItem(line: Line): boolean {
    const t = this.text;
    return t.charCodeAt(line.content) === 45 && (line.content + 1 === line.end || t.charCodeAt(line.content + 1) === 32);
  }

  /** For a `key: ...` line, the offset of the key's end (before `:`); undefined if not one. */
  private keyEnd(line: Line): number | undefined {
    const t = this.text;
    const c = t.charCodeAt(line.content);
    if (c === 34 || c === 39) {
      const close = this.quotedEnd(line.content, line.end);
      let j = close;
      while (t.charCodeAt(j) === 32) j++;
      return t.charCodeAt(j) === 58 && (j + 1 === line.end || t.charCodeAt(j + 1) === 32) ? close : undefined;
    }
    // A plain key: up to the first `: ` (or a `:` ending the line), before any ` #`.
    for (let j = line.content; j < line.end; j++) {
      const ch = t.charCodeAt(j);
      if (ch === 58 && (j + 1 === line.end || t.charCodeAt(j + 1) === 32)) return j;
      if (ch === 35 && t.charCodeAt(j - 1) === 32) return undefined;
    }
    return undefined;
  }

  /** Offset after the closing quote of a quoted scalar starting at `at`; bails if it does not close on the line. */
  private quotedEnd(at: number, lineEnd: number): number {
    const t = this.text;
    const q = t[at];
    for (let j = at + 1; j < lineEnd; j++) {
      const ch = t[j];
      if (q === '"' && ch === '\\') {
        j++;
        continue;
      }
      if (ch === q) {
        if (q === "'" && t[j + 1] === "'") {
          j++;
          continue;
        }
        return j + 1;
      }
    }
    return bail();
  }

  private mapping(indent: number, path: JsonPath, parent?: JsonObject | JsonArray, property?: JsonProperty): JsonObject {
    const t = this.text;
    const first = this.peek()!;
    const object = node<JsonObject>({ type: 'JsonObject', range: [first.content, first.content], path, properties: [] }, parent, property);
    const seen: string[] = [];
    for (;;) {
      const line = this.peek();
      if (!line || line.indent < indent) break;
      if (line.indent > indent || this.isSeqItem(line)) {
        if (line.indent === indent) break; // a sequence that belongs to the parent
        bail();
      }
      const keyEnd = this.keyEnd(line) ?? bail();
      const keyStart = line.content;
      const key = this.keyText(keyStart, keyEnd);
      if (seen.includes(key)) bail();
      seen.push(key);
      const keyRange: Range = [keyStart, keyEnd];
      const prop: JsonProperty = { type: 'JsonProperty', key, keyRange, range: keyRange, path: [...path, key], parent: object };
      let colon = keyEnd;
      while (t.charCodeAt(colon) !== 58) colon++;
      let v = colon + 1;
      while (v < line.end && t.charCodeAt(v) === 32) v++;
      const rest = this.valueEnd(v, line.end);
      this.lastContent = line;
      this.i++;
      if (rest === v) {
        // `key:` then a nested block, a sequence at the same indent, or nothing (null).
        const next = this.peek();
        if (next && (next.indent > indent || (next.indent === indent && this.isSeqItem(next)))) {
          prop.value = next.indent === indent ? this.sequence(indent, prop.path, object, prop) : this.block(indent, prop.path, object, prop);
        } else {
          prop.value = literal([v, v], prop.path, 'null', null, object, prop);
        }
      } else {
        prop.value = this.inlineValue(v, rest, prop.path, object, prop);
        const next = this.peek();
        if (next && next.indent > indent) bail(); // a continuation line or an error
      }
      prop.range = [keyRange[0], Math.max(keyRange[1], prop.value.range[1])];
      object.properties.push(prop);
    }
    object.range = [object.range[0], Math.max(object.range[0], object.properties[object.properties.length - 1].range[1])];
    return object;
  }

  private sequence(indent: number, path: JsonPath, parent?: JsonObject | JsonArray, property?: JsonProperty): JsonArray {
    const t = this.text;
    const first = this.peek()!;
    const array = node<JsonArray>({ type: 'JsonArray', range: [first.content, first.content], path, items: [] }, parent, property);
    for (;;) {
      const line = this.peek();
      if (!line || line.indent < indent) break;
      if (line.indent > indent) bail();
      if (!this.isSeqItem(line)) break;
      const itemPath = [...path, array.items.length];
      let v = line.content + 1;
      while (v < line.end && t.charCodeAt(v) === 32) v++;
      const rest = this.valueEnd(v, line.end);
      let item: JsonValue;
      if (rest === v) {
        this.lastContent = line;
        this.i++;
        const next = this.peek();
        if (next && next.indent > indent) item = this.block(indent, itemPath, array);
        else item = literal([v, v], itemPath, 'null', null, array, undefined);
      } else if (t.charCodeAt(v) === 45 && (v + 1 === line.end || t.charCodeAt(v + 1) === 32)) {
        bail(); // `- - x`
      } else {
        // `- key: value` starts a mapping at the key's column; otherwise a scalar item.
        const save = { indent: line.indent, content: line.content };
        line.indent = v - line.start;
        line.content = v;
        if (this.keyEnd(line) !== undefined) {
          item = this.mapping(line.indent, itemPath, array);
          line.indent = save.indent;
          line.content = save.content;
        } else {
          line.indent = save.indent;
          line.content = save.content;
          item = this.inlineValue(v, rest, itemPath, array);
          this.lastContent = line;
          this.i++;
          const next = this.peek();
          if (next && next.indent > indent) bail();
        }
      }
      array.items.push(item);
    }
    array.range = [array.range[0], Math.max(array.range[0], array.items[array.items.length - 1].range[1])];
    return array;
  }

  /** End of a value on its line: before a ` #` comment and trailing spaces (quoted values: after the quote). */
  private valueEnd(v: number, lineEnd: number): number {
    const t = this.text;
    if (v >= lineEnd) return v;
    if (t.charCodeAt(v) === 35) {
      this.trailingComment(v, lineEnd);
      return v;
    }
    const c = t.charCodeAt(v);
    let end: number;
    if (c === 34 || c === 39) {
      end = this.quotedEnd(v, lineEnd);
    } else {
      end = lineEnd;
      for (let j = v; j < lineEnd; j++) {
        if (t.charCodeAt(j) === 35 && t.charCodeAt(j - 1) === 32) {
          end = j;
          this.trailingComment(j, lineEnd);
          break;
        }
      }
      while (end > v && t.charCodeAt(end - 1) === 32) end--;
      return end;
    }
    let j = end;
    while (j < lineEnd && t.charCodeAt(j) === 32) j++;
    if (j < lineEnd && !(t.charCodeAt(j) === 35 && j > end)) bail(); // text after a quoted scalar
    if (j < lineEnd) this.trailingComment(j, lineEnd);
    return end;
  }

  private trailingComment(at: number, lineEnd: number): void {
    if (this.trailing.has(at)) return;
    this.trailing.add(at);
    this.comments.push(this.comment(at, lineEnd));
  }

  private keyText(start: number, end: number): string {
    const c = this.text.charCodeAt(start);
    if (c === 34 || c === 39) return this.quotedValue(start, end);
    const raw = this.text.slice(start, end);
    if (raw.endsWith(' ') || INDICATOR.test(raw)) bail();
    const r = resolvePlain(raw);
    if (r.valueType !== 'string') bail(); // `yes:`, `1:` keys: left to yaml
    return raw;
  }

  private quotedValue(start: number, end: number): string {
    const t = this.text;
    const inner = t.slice(start + 1, end - 1);
    if (t[start] === "'") return inner.replace(/''/g, "'");
    if (!inner.includes('\\')) return inner;
    return inner.replace(/\\(.)/g, (_, ch: string) => DQ_ESCAPES[ch] ?? bail());
  }

  /** A value written on the key's (or dash's) line, from `v` to `end`. */
  private inlineValue(v: number, end: number, path: JsonPath, parent: JsonObject | JsonArray, property?: JsonProperty): JsonValue {
    const t = this.text;
    const c = t.charCodeAt(v);
    if (c === 91 || c === 123) {
      const raw = t.slice(v, end);
      if (raw === '[]') return node<JsonArray>({ type: 'JsonArray', range: [v, end], path, items: [] }, parent, property);
      if (raw === '{}') return node<JsonObject>({ type: 'JsonObject', range: [v, end], path, properties: [] }, parent, property);
      bail();
    }
    return this.scalar(v, end, path, parent, property);
  }

  private scalar(v: number, end: number, path: JsonPath, parent?: JsonObject | JsonArray, property?: JsonProperty): JsonLiteral {
    const t = this.text;
    const c = t.charCodeAt(v);
    if (c === 34 || c === 39) return literal([v, end], path, 'string', this.quotedValue(v, end), parent, property);
    const raw = t.slice(v, end);
    // Indicators that start something else (aliases, tags, block scalars, flow, reserved).
    if (INDICATOR.test(raw)) bail();
    // `a: b: c` is an error in YAML; `a: b:` a key.
    if (raw.includes(': ') || raw.endsWith(':')) bail();
    const r = resolvePlain(raw);
    return literal([v, end], path, r.valueType, r.value, parent, property);
  }
}
