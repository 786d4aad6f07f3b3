import type { Range } from '../../model/source.js';
import type { JsonParseResult, JsonPlaceholder } from './parse.js';
import { rememberPlainValue, type JsonArray, type JsonLiteral, type JsonObject, type JsonPath, type JsonProperty, type JsonValue } from './tree.js';

/** A string value that is a whole template token (as in parse.ts). */
const PLACEHOLDER_STRING = /^__[A-Za-z0-9][A-Za-z0-9_]*__$/;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

const BAIL = Symbol('bail');
function bail(): never {
  throw BAIL;
}

/**
 * One pass over strict JSON (RFC 8259: no comments, trailing commas, BOM or bare template
 * tokens), building the same tree as `parseJson`'s tolerant two-pass parse (values, ranges,
 * paths, parents, duplicate keys kept) several times faster, and with it the plain value
 * (`plainValue(root)`, what schema validation reads: no second parse of the text). `undefined`
 * for anything else, which `parseJson` then reads the slow way and reports.
 */
export function fastParseJson(text: string, templateStrings: boolean): JsonParseResult | undefined {
  try {
    const p = new FastJson(text, templateStrings);
    p.ws();
    if (p.i >= text.length) return undefined;
    const root = p.value([], undefined, undefined);
    p.ws();
    if (p.i !== text.length) return undefined;
    rememberPlainValue(root, p.plain);
    return { root, problems: [], complete: true, comments: [], placeholders: p.placeholders };
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

class FastJson {
  i = 0;
  readonly placeholders: JsonPlaceholder[] = [];
  /**
   * Children of the collections being read, innermost last: `children[0..top)`. Each collection
   * takes its own slice at its end and moves `top` back; entries above `top` are left as they are
   * (setting `length` is a call into the runtime, a few percent of a parse of small files).
   */
  readonly children: (JsonProperty | JsonValue)[] = [];
  top = 0;
  /**
   * The plain value of the value read last, as `JSON.parse` gives it: the last duplicate key wins
   * in the first one's place, `__proto__` is a plain key.
   */
  plain: unknown = undefined;

  constructor(
    private readonly t: string,
    private readonly templates: boolean,
  ) {}

  ws(): void {
    const t = this.t;
    let i = this.i;
    for (;;) {
      const c = t.charCodeAt(i);
      // Most calls stop at once, at a token: one comparison for them.
      if (c > 32 || (c !== 32 && c !== 10 && c !== 13 && c !== 9)) break;
      i++;
    }
    this.i = i;
  }

  value(path: JsonPath, parent: JsonObject | JsonArray | undefined, property: JsonProperty | undefined): JsonValue {
    const t = this.t;
    const start = this.i;
    const c = t.charCodeAt(start);
    if (c === 123) return this.object(path, parent, property);
    if (c === 91) return this.array(path, parent, property);
    if (c === 34) {
      const value = this.string();
      this.plain = value;
      const lit = literal([start, this.i], path, parent, property, 'string', value);
      if (this.templates && PLACEHOLDER_STRING.test(value)) {
        lit.placeholder = value;
        this.placeholders.push({ name: value, range: lit.range, quoted: true });
      }
      return lit;
    }
    if (c === 116 && t.startsWith('true', start)) return this.word(start, 4, path, parent, property, 'boolean', true);
    if (c === 102 && t.startsWith('false', start)) return this.word(start, 5, path, parent, property, 'boolean', false);
    if (c === 110 && t.startsWith('null', start)) return this.word(start, 4, path, parent, property, 'null', null);
    if (c === 45 || (c >= 48 && c <= 57)) {
      const m = NUMBER;
      m.lastIndex = start;
      if (!m.exec(t)) bail();
      this.i = m.lastIndex;
      this.delimited();
      const value = Number(t.slice(start, this.i));
      this.plain = value;
      return literal([start, this.i], path, parent, property, 'number', value);
    }
    return bail();
  }

  private word(start: number, n: number, path: JsonPath, parent: JsonObject | JsonArray | undefined, property: JsonProperty | undefined, type: JsonLiteral['valueType'], value: boolean | null): JsonLiteral {
    this.i = start + n;
    this.delimited();
    this.plain = value;
    return literal([start, this.i], path, parent, property, type, value);
  }

  /** A value must be followed by whitespace, `,`, `]`, `}` or the end (else: `truex`, `12a`). */
  private delimited(): void {
    const c = this.t.charCodeAt(this.i);
    if (!(Number.isNaN(c) || c === 32 || c === 10 || c === 13 || c === 9 || c === 44 || c === 93 || c === 125)) bail();
  }

  private string(): string {
    const t = this.t;
    const start = this.i;
    let j = start + 1;
    let escaped = false;
    for (;;) {
      const c = t.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        j += 2;
        continue;
      }
      if (c < 32 || Number.isNaN(c)) bail(); // control characters, or no closing quote
      j++;
    }
    this.i = j + 1;
    if (!escaped) return t.slice(start + 1, j);
    try {
      return JSON.parse(t.slice(start, j + 1)) as string;
    } catch {
      return bail();
    }
  }

  private object(path: JsonPath, parent: JsonObject | JsonArray | undefined, property: JsonProperty | undefined): JsonObject {
    const t = this.t;
    const start = this.i;
    const object = collection<JsonObject>('JsonObject', path, parent, property);
    const plain: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (t.charCodeAt(this.i) === 125) {
      this.i++;
      object.range = [start, this.i];
      object.properties = [];
      this.plain = plain;
      return object;
    }
    const children = this.children;
    const first = this.top;
    for (;;) {
      if (t.charCodeAt(this.i) !== 34) bail();
      const keyStart = this.i;
      const key = this.string();
      const keyRange: Range = [keyStart, this.i];
      this.ws();
      if (t.charCodeAt(this.i) !== 58) bail();
      this.i++;
      this.ws();
      // `value` in the literal (as the last key, where parse.ts adds it): one allocation.
      const prop: JsonProperty = { type: 'JsonProperty', key, keyRange, range: keyRange, path: extend(path, key), parent: object, value: undefined };
      const value = this.value(prop.path, object, prop);
      prop.value = value;
      prop.range = [keyStart, value.range[1]];
      // Object.defineProperty: a "__proto__" key must be data, not the prototype setter.
      if (key === '__proto__') Object.defineProperty(plain, key, { value: this.plain, enumerable: true, writable: true, configurable: true });
      else plain[key] = this.plain;
      children[this.top++] = prop;
      this.ws();
      const c = t.charCodeAt(this.i);
      this.i++;
      if (c === 125) break;
      if (c !== 44) bail();
      this.ws();
    }
    object.range = [start, this.i];
    object.properties = children.slice(first, this.top) as JsonProperty[];
    this.top = first;
    this.plain = plain;
    return object;
  }

  private array(path: JsonPath, parent: JsonObject | JsonArray | undefined, property: JsonProperty | undefined): JsonArray {
    const t = this.t;
    const start = this.i;
    const array = collection<JsonArray>('JsonArray', path, parent, property);
    const plain: unknown[] = [];
    this.i++;
    this.ws();
    if (t.charCodeAt(this.i) === 93) {
      this.i++;
      array.range = [start, this.i];
      array.items = [];
      this.plain = plain;
      return array;
    }
    const children = this.children;
    const first = this.top;
    for (;;) {
      // The item's own children are read above `top`, then it takes its slot.
      const item = this.value(extend(path, this.top - first), array, undefined);
      children[this.top++] = item;
      plain.push(this.plain);
      this.ws();
      const c = t.charCodeAt(this.i);
      this.i++;
      if (c === 93) break;
      if (c !== 44) bail();
      this.ws();
    }
    array.range = [start, this.i];
    array.items = children.slice(first, this.top) as JsonValue[];
    this.top = first;
    this.plain = plain;
    return array;
  }
}

/**
 * `[...path, segment]`, allocated at its exact size (a spread or a push leaves spare capacity:
 * every node of every file keeps its path, and all files stay in memory during a run).
 */
function extend(path: JsonPath, segment: string | number): JsonPath {
  const n = path.length;
  const out: JsonPath = new Array<string | number>(n + 1);
  for (let i = 0; i < n; i++) out[i] = path[i];
  out[n] = segment;
  return out;
}

/** Placeholder for a collection's range and children until they are read. */
const PENDING: never[] = [];

/** An object or array with keys in the order parse.ts's `convert` writes them; range and children set when read. */
function collection<T extends JsonObject | JsonArray>(
  type: T['type'],
  path: JsonPath,
  parent: JsonObject | JsonArray | undefined,
  property: JsonProperty | undefined,
): T {
  const range = PENDING as unknown as Range;
  if (type === 'JsonObject') {
    if (parent && property) return { type, range, path, parent, property, properties: PENDING } as unknown as T;
    if (parent) return { type, range, path, parent, properties: PENDING } as unknown as T;
    return { type, range, path, properties: PENDING } as unknown as T;
  }
  if (parent && property) return { type, range, path, parent, property, items: PENDING } as unknown as T;
  if (parent) return { type, range, path, parent, items: PENDING } as unknown as T;
  return { type, range, path, items: PENDING } as unknown as T;
}

function literal(
  range: Range,
  path: JsonPath,
  parent: JsonObject | JsonArray | undefined,
  property: JsonProperty | undefined,
  valueType: JsonLiteral['valueType'],
  value: JsonLiteral['value'],
): JsonLiteral {
  if (parent && property) return { type: 'JsonLiteral', range, path, parent, property, valueType, value };
  if (parent) return { type: 'JsonLiteral', range, path, parent, valueType, value };
  return { type: 'JsonLiteral', range, path, valueType, value };
}
