import { stringify } from 'yaml';
import type { TextEdit } from '../model/finding.js';
import { getProperty, toPlainValue, type JsonArray, type JsonObject, type JsonValue } from '../parsers/json/index.js';
import type { ValueTree } from './value-tree.js';

/** A list item selector of a fix path: the item whose fields equal these. */
export type FixSelector = Record<string, string | number | boolean | null>;

/** A segment of a fix path: a key, an index (`-` appends), or a selector. */
export type FixSegment = string | number | FixSelector;

/** Splits a JSON Pointer (`/spec/template`) into segments; `''` is the subject itself. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A fix path for messages: `spec.template.spec.containers[name=aws-node].env`. */
export function formatFixPath(segments: readonly FixSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number' || seg === '-') out += `[${seg}]`;
    else if (typeof seg === 'object') {
      out += `[${Object.entries(seg)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(root)';
}

class NoFix extends Error {}

/**
 * The edit that sets `value` at `segments` below `root` (a node of `tree`, whose text is
 * `text`): the existing node's text is replaced; a missing key is added to the nearest existing
 * mapping (a missing item to the nearest list) in its own style: YAML block entries at the
 * mapping's indentation, flow and JSON entries with commas, JSON indented like its siblings.
 * Undefined when the value is already there, the path runs through a scalar or a YAML alias, or
 * the tree is not JSON/YAML text.
 */
export function setValueEdit(tree: ValueTree, root: JsonValue, text: string, segments: readonly FixSegment[], value: unknown): TextEdit | undefined {
  if (tree.syntax === 'synthetic') return undefined;
  try {
    return resolve(new Writer(tree.syntax, text), root, segments, value);
  } catch (err) {
    if (err instanceof NoFix) return undefined;
    throw err;
  }
}

function resolve(w: Writer, root: JsonValue, segments: readonly FixSegment[], value: unknown): TextEdit | undefined {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const rest = segments.slice(i + 1);
    if (node.type === 'JsonLiteral') {
      // `env:` with nothing (or null): the structure replaces it.
      if (node.valueType === 'null') return w.replace(node, buildMissing(segments.slice(i), value));
      throw new NoFix();
    }
    let next: JsonValue | undefined;
    if (node.type === 'JsonObject') {
      if (typeof seg !== 'string') throw new NoFix();
      const prop = getProperty(node, seg);
      if (!prop) return w.insertProperty(node, seg, buildMissing(rest, value));
      next = prop.value;
    } else if (typeof seg === 'object') {
      next = node.items.find((item) => item.type === 'JsonObject' && selects(seg, item));
      if (!next) return w.appendItem(node, selectedItem(seg, rest, value));
    } else {
      const index = seg === '-' ? node.items.length : typeof seg === 'number' ? seg : /^(?:0|[1-9]\d*)$/.test(seg) ? Number(seg) : -1;
      if (index === node.items.length) return w.appendItem(node, buildMissing(rest, value));
      next = node.items[index];
    }
    // A node whose parent is elsewhere was reached through a YAML alias: its text is the
    // anchor's, shared with every other alias of it.
    if (!next || next.parent !== node) throw new NoFix();
    node = next;
  }
  if (sameValue(toPlainValue(node), value)) return undefined;
  return w.replace(node, value);
}

function selects(selector: FixSelector, item: JsonObject): boolean {
  return Object.entries(selector).every(([k, v]) => {
    const node = getProperty(item, k)?.value;
    return node?.type === 'JsonLiteral' && node.value === v;
  });
}

/** A new list item for a selector that matched none: its fields, then the rest of the path. */
function selectedItem(selector: FixSelector, rest: readonly FixSegment[], value: unknown): unknown {
  if (rest.length === 0) return value;
  const [first, ...more] = rest;
  if (typeof first !== 'string' || first === '-') throw new NoFix();
  return { ...selector, [first]: buildMissing(more, value) };
}

/** The value to write where the path leaves the existing tree. */
function buildMissing(segments: readonly FixSegment[], value: unknown): unknown {
  if (segments.length === 0) return value;
  const [seg, ...rest] = segments;
  if (typeof seg === 'object') return [selectedItem(seg, rest, value)];
  if (seg === 0 || seg === '-' || seg === '0') return [buildMissing(rest, value)];
  if (typeof seg === 'number') throw new NoFix();
  return { [seg]: buildMissing(rest, value) };
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

const isNonEmptyCollection = (v: unknown) => v !== null && typeof v === 'object' && Object.keys(v as object).length > 0;

/** Writes values in the style of the text around them. */
class Writer {
  private readonly eol: string;

  constructor(
    private readonly syntax: 'json' | 'yaml',
    private readonly text: string,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** JSON, or a YAML flow collection (`{a: 1}`, `[1, 2]`). */
  private isFlow(collection: JsonObject | JsonArray): boolean {
    if (this.syntax === 'json') return true;
    const c = this.text[collection.range[0]];
    return c === '{' || c === '[';
  }

  private inFlow(node: JsonValue): boolean {
    if (this.syntax === 'json') return true;
    return node.parent ? this.isFlow(node.parent) : false;
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  private column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** The whitespace that starts the line of `offset`. */
  private lineIndent(offset: number): string {
    const start = this.lineStart(offset);
    return /^[ \t]*/.exec(this.text.slice(start, offset))![0];
  }

  /** Where a new line goes after the line holding `offset`, and the line break it needs first. */
  private afterLine(offset: number): { at: number; lead: string } {
    const nl = this.text.indexOf('\n', offset);
    return nl === -1 ? { at: this.text.length, lead: this.eol } : { at: nl + 1, lead: '' };
  }

  /** The JSON indentation unit of the file: its first indented line's indentation, else 2 spaces. */
  private jsonUnit(): string {
    const m = /\n([ \t]+)\S/.exec(this.text);
    return m ? m[1] : '  ';
  }

  /** Pretty JSON continuing at `indent`, or one line (`{"a": 1, "b": [1, 2]}`). */
  private json(value: unknown, indent: string, pretty: boolean): string {
    if (!pretty) return compactJson(value);
    return (JSON.stringify(value, null, this.jsonUnit()) ?? 'null').replace(/\n/g, this.eol + indent);
  }

  /**
   * A YAML scalar (or empty collection). Strings keep the quotes of the value they replace, and
   * are quoted when a YAML 1.1 reader (Kubernetes' go-yaml) would read something else (`yes`).
   */
  private yamlScalar(value: unknown, old?: JsonValue): string {
    if (typeof value === 'string') {
      const quote = old ? this.text[old.range[0]] : undefined;
      if (quote === '"' || value.includes('\n')) return JSON.stringify(value);
      if (quote === "'") return `'${value.replace(/'/g, "''")}'`;
    }
    return stringify(value, { version: '1.1', lineWidth: 0 }).replace(/\r?\n$/, '');
  }

  /** Block YAML lines of a non-empty collection, without indentation. */
  private yamlLines(value: unknown): string[] {
    return stringify(value, { version: '1.1', indent: 2, lineWidth: 0 }).replace(/\n$/, '').split('\n');
  }

  replace(node: JsonValue, value: unknown): TextEdit {
    if (this.syntax === 'json') return { range: node.range, text: this.json(value, this.lineIndent(node.range[0]), true) };
    if (this.inFlow(node)) return { range: node.range, text: this.json(value, '', false) };
    const collection = isNonEmptyCollection(value);
    // A scalar is replaced in place (keeping its quotes and comments); anything else from the
    // `:` on, since a block value's first line is not where a scalar may start.
    const inPlace = node.type === 'JsonLiteral' && node.range[0] < node.range[1];
    if (node.property && (collection || !inPlace)) {
      // `key:` (empty) or `key: <old>` becomes `key: value`, or `key:` and a block under it.
      const colon = this.text.indexOf(':', node.property.keyRange[1]);
      const start = colon === -1 ? node.range[0] : colon + 1;
      const end = Math.max(start, node.range[1]);
      if (!collection) return { range: [start, end], text: ` ${this.yamlScalar(value)}` };
      const indent = ' '.repeat(this.column(node.property.keyRange[0]) + 2);
      return { range: [start, end], text: this.yamlLines(value).map((l) => this.eol + indent + l).join('') };
    }
    if (!collection) return { range: node.range, text: this.yamlScalar(value, node) };
    // A list item or the document itself: the block starts where the old value did.
    const indent = ' '.repeat(this.column(node.range[0]));
    return { range: node.range, text: this.yamlLines(value).join(this.eol + indent) };
  }

  insertProperty(object: JsonObject, key: string, value: unknown): TextEdit {
    if (this.isFlow(object)) {
      const entries = object.properties.map((p) => ({ start: p.keyRange[0], end: p.range[1] }));
      return this.insertFlow(object, entries, `${JSON.stringify(key)}: `, value);
    }
    const first = object.properties[0];
    const last = object.properties[object.properties.length - 1];
    const indent = ' '.repeat(this.column(first.keyRange[0]));
    const { at, lead } = this.afterLine(last.range[1]);
    const head = `${indent}${this.yamlScalar(key)}:`;
    const body = isNonEmptyCollection(value)
      ? this.yamlLines(value).map((l) => `${this.eol}${indent}  ${l}`).join('')
      : ` ${this.yamlScalar(value)}`;
    return { range: [at, at], text: lead + head + body + (lead ? '' : this.eol) };
  }

  appendItem(array: JsonArray, value: unknown): TextEdit {
    if (this.isFlow(array)) return this.insertFlow(array, array.items.map((i) => ({ start: i.range[0], end: i.range[1] })), '', value);
    const indent = ' '.repeat(this.column(array.range[0]));
    const last = array.items[array.items.length - 1];
    const { at, lead } = this.afterLine(last.range[1]);
    const lines = isNonEmptyCollection(value) ? this.yamlLines(value) : [this.yamlScalar(value)];
    const item = `${indent}- ${lines.join(`${this.eol}${indent}  `)}`;
    return { range: [at, at], text: lead + item + (lead ? '' : this.eol) };
  }

  /** A new entry of a JSON object/array or YAML flow collection, after its last entry. */
  private insertFlow(collection: JsonObject | JsonArray, entries: { start: number; end: number }[], prefix: string, value: unknown): TextEdit {
    if (entries.length === 0) {
      const open = collection.range[0] + 1;
      return { range: [open, open], text: `${prefix}${this.json(value, '', false)}` };
    }
    const last = entries[entries.length - 1];
    const multiline = this.text.slice(collection.range[0], entries[0].start).includes('\n');
    if (this.syntax === 'json' && multiline) {
      const indent = this.lineIndent(last.start);
      return { range: [last.end, last.end], text: `,${this.eol}${indent}${prefix}${this.json(value, indent, true)}` };
    }
    return { range: [last.end, last.end], text: `, ${prefix}${this.json(value, '', false)}` };
  }
}

/** JSON on one line, spaced as people write it: `{"a": 1, "b": [1, 2]}`. */
function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
