import type { SourceDocument } from '../model/document.js';
import type { Fact } from '../model/facts.js';
import type { IptablesOption, IptablesRule } from '../model/iptables.js';
import type { K8sDocument, K8sObject } from '../model/kubernetes.js';
import type { BaseNode } from '../model/node.js';
import type { Range } from '../model/source.js';
import {
  JSON_NODE_TYPES,
  parseJson,
  toPlainValue,
  type JsonArray,
  type JsonLiteral,
  type JsonObject,
  type JsonPath,
  type JsonProperty,
  type JsonValue,
} from '../parsers/json/index.js';
import type { ValueTree } from './value-tree.js';

/** One thing a policy checks, as schemas see it (`value`) and as findings locate it (`tree`). */
export interface Subject {
  /** The subject as a plain JSON value. */
  value: unknown;
  /** The value with ranges; built on demand (only failing subjects need it). */
  tree(): ValueTree;
  /** The node of `tree()` that is the subject (a Kubernetes object inside a stream or `List`). */
  root(): JsonValue;
  /** The document the ranges index into. */
  document: SourceDocument;
  /** True when fixes may edit the subject's text (JSON/YAML documents). */
  editable: boolean;
}

// ---------------------------------------------------------------------------------------------
// Documents (JSON and YAML)

/**
 * The JSON/YAML value trees of a document: a Kubernetes document's value (YAML or JSON), or the
 * JSON tree of a JSON kind (a CNI or daemon.json root keeps it in `node`). Empty for documents
 * that are neither (and for Kubernetes documents holding only comments).
 */
export function documentTrees(doc: SourceDocument): ValueTree[] {
  const root = doc.root as BaseNode & { node?: unknown };
  const text = doc.source.text;
  if (root.type === 'K8sDocument') {
    const k8s = root as K8sDocument;
    return k8s.node ? [{ root: k8s.node, syntax: k8s.format, text }] : [];
  }
  if (isJsonValue(root.node)) return [{ root: root.node, syntax: 'json', text }];
  if (isJsonValue(root)) return [{ root, syntax: 'json', text }];
  if (/^\uFEFF?\s*[{[]/.test(text)) {
    const parsed = parseJson(text, { allowComments: true, allowTrailingCommas: true });
    if (parsed.complete && parsed.root) return [{ root: parsed.root, syntax: 'json', text }];
  }
  return [];
}

/** The Kubernetes objects of a document (items of `List` wrappers included), with their fields. */
export function kubernetesObjects(doc: SourceDocument): K8sObject[] {
  const root = doc.root as BaseNode;
  return root.type === 'K8sDocument' ? (root as K8sDocument).objects : [];
}

function isJsonValue(node: unknown): node is JsonValue {
  const type = (node as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type !== 'JsonProperty' && (JSON_NODE_TYPES as readonly string[]).includes(type);
}

/** A document (or one YAML document of a stream) as a subject. */
export function documentSubject(doc: SourceDocument, tree: ValueTree, root: JsonValue = tree.root): Subject {
  // Text embedded in another file (CNI JSON in a ConfigMap string) would need the outer
  // string's quoting and indentation: no fixes there.
  return { value: toPlainValue(root), tree: () => tree, root: () => root, document: doc, editable: !doc.toOuter };
}

// ---------------------------------------------------------------------------------------------
// Synthetic trees: iptables rules and facts

type Spec =
  | { t: 'lit'; range: Range; value: string | number | boolean | null }
  | { t: 'obj'; range: Range; entries: [key: string, spec: Spec, keyRange?: Range][] }
  | { t: 'arr'; range: Range; items: Spec[] };

const lit = (value: string | number | boolean | null, range: Range): Spec => ({ t: 'lit', range, value });
const obj = (range: Range, entries: ([string, Spec, Range?] | undefined | false)[]): Spec => ({
  t: 'obj',
  range,
  entries: entries.filter((e): e is [string, Spec, Range?] => !!e),
});
const arr = (range: Range, items: Spec[]): Spec => ({ t: 'arr', range, items });

function build(spec: Spec, path: JsonPath, parent?: JsonObject | JsonArray, property?: JsonProperty): JsonValue {
  const base = { range: spec.range, path, ...(parent ? { parent } : {}), ...(property ? { property } : {}) };
  switch (spec.t) {
    case 'lit': {
      const v = spec.value;
      const valueType: JsonLiteral['valueType'] = v === null ? 'null' : (typeof v as 'string' | 'number' | 'boolean');
      return { type: 'JsonLiteral', ...base, valueType, value: v };
    }
    case 'arr': {
      const node: JsonArray = { type: 'JsonArray', ...base, items: [] };
      spec.items.forEach((item, i) => node.items.push(build(item, [...path, i], node)));
      return node;
    }
    case 'obj': {
      const node: JsonObject = { type: 'JsonObject', ...base, properties: [] };
      for (const [key, child, keyRange] of spec.entries) {
        const prop: JsonProperty = { type: 'JsonProperty', key, keyRange: keyRange ?? child.range, range: child.range, path: [...path, key], parent: node };
        prop.value = build(child, prop.path, node, prop);
        node.properties.push(prop);
      }
      return node;
    }
  }
}

function optionsSpec(options: readonly IptablesOption[], range: Range): Spec {
  return obj(
    range,
    options.map((o) => [
      o.negated ? `!${o.name}` : o.name,
      arr(o.range, o.values.map((v) => lit(v.value, v.range))),
      o.range,
    ]),
  );
}

function optionsValue(options: readonly IptablesOption[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const o of options) {
    Object.defineProperty(out, o.negated ? `!${o.name}` : o.name, {
      value: o.values.map((v) => v.value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const CRITERIA = ['source', 'destination', 'protocol', 'inInterface', 'outInterface'] as const;

/**
 * An iptables rule as a policy sees it: `{ table, chain, target: { name, options }, source,
 * destination, protocol, inInterface, outInterface: { value, negated }, matches: [{ name,
 * options }], comment, line }`; options map a name (`to-source`, `random-fully`; `!dport` when
 * negated) to its values. Absent parts are left out, so `required` can ask for them.
 */
export function iptablesRuleValue(rule: IptablesRule): Record<string, unknown> {
  const out: Record<string, unknown> = { table: rule.table, chain: rule.chain };
  if (rule.target) out.target = { name: rule.target.name, options: optionsValue(rule.target.options) };
  for (const key of CRITERIA) {
    const c = rule[key];
    if (c) out[key] = { value: c.value, negated: c.negated };
  }
  out.matches = rule.matches.map((m) => ({ name: m.name, options: optionsValue(m.options) }));
  if (rule.comment !== undefined) out.comment = rule.comment;
  out.line = rule.line;
  return out;
}

/** The same value as {@link iptablesRuleValue}, with each part at its tokens. */
export function iptablesRuleTree(rule: IptablesRule): ValueTree {
  const t = rule.target;
  const matchesRange: Range = rule.matches.length
    ? [rule.matches[0].range[0], rule.matches[rule.matches.length - 1].range[1]]
    : rule.range;
  const commentOption = rule.matches.find((m) => m.name === 'comment')?.options.find((o) => o.name === 'comment');
  const spec = obj(rule.range, [
    ['table', lit(rule.table, rule.range)],
    ['chain', lit(rule.chain, rule.chainRange)],
    t && [
      'target',
      obj(t.range, [
        ['name', lit(t.name, t.nameToken.range)],
        ['options', optionsSpec(t.options, t.range)],
      ]),
    ],
    ...CRITERIA.map((key): [string, Spec] | undefined => {
      const c = rule[key];
      return c && [key, obj(c.range, [['value', lit(c.value, c.range)], ['negated', lit(c.negated, c.range)]])];
    }),
    [
      'matches',
      arr(
        matchesRange,
        rule.matches.map((m) =>
          obj(m.range, [
            ['name', lit(m.name, m.nameToken.range)],
            ['options', optionsSpec(m.options, m.range)],
          ]),
        ),
      ),
    ],
    rule.comment !== undefined && ['comment', lit(rule.comment, commentOption?.values[0]?.range ?? commentOption?.range ?? rule.range)],
    ['line', lit(rule.line, rule.range)],
  ]);
  return { root: build(spec, []), syntax: 'synthetic' };
}

/** Keys of facts that are plumbing, not data. */
const FACT_SKIPPED = new Set(['document', 'node', 'range', 'ranges', 'parent']);

const isRange = (v: unknown): v is Range => Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number';

/**
 * A fact as a policy sees it: its fields as plain JSON, without `document`, `node`, `parent` and
 * ranges; bigints become numbers (strings beyond 2^53). Each value points at its own `range` when
 * it has one (`rxChecksum`), or its entry of the fact's `ranges` (conntrack counters), else at the
 * fact's.
 */
export function factTree(fact: Fact): ValueTree {
  const seen = new WeakSet<object>();
  const specOf = (value: unknown, range: Range, childRanges: Record<string, Range> | undefined, depth: number): Spec | undefined => {
    if (value === null) return lit(null, range);
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return lit(value, range);
      case 'number':
        return Number.isFinite(value) ? lit(value, range) : lit(String(value), range);
      case 'bigint': {
        const n = Number(value);
        return Number.isSafeInteger(n) ? lit(n, range) : lit(value.toString(), range);
      }
      case 'object':
        break;
      default:
        return undefined;
    }
    if (depth > 8 || seen.has(value as object)) return undefined;
    seen.add(value as object);
    if (Array.isArray(value)) {
      const items = value.map((v) => specOf(v, range, undefined, depth + 1)).filter((s): s is Spec => !!s);
      return arr(range, items);
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return undefined;
    const record = value as Record<string, unknown>;
    const own = isRange(record.range) ? record.range : range;
    const ranges = record.ranges && typeof record.ranges === 'object' ? (record.ranges as Record<string, Range>) : undefined;
    const entries: [string, Spec][] = [];
    for (const [key, v] of Object.entries(record)) {
      if (FACT_SKIPPED.has(key) || v === undefined) continue;
      const childRange = childRanges && isRange(childRanges[key]) ? childRanges[key] : own;
      const spec = specOf(v, childRange, ranges, depth + 1);
      if (spec) entries.push([key, spec]);
    }
    return obj(own, entries);
  };
  const spec = specOf({ ...fact }, fact.range, undefined, 0) ?? obj(fact.range, []);
  return { root: build(spec, []), syntax: 'synthetic' };
}

/** An iptables rule as a subject. */
export function iptablesSubject(rule: IptablesRule, document: SourceDocument): Subject {
  let tree: ValueTree | undefined;
  const get = () => (tree ??= iptablesRuleTree(rule));
  return { value: iptablesRuleValue(rule), tree: get, root: () => get().root, document, editable: false };
}

/** A fact as a subject. */
export function factSubject(fact: Fact): Subject {
  const tree = factTree(fact);
  return { value: toPlainValue(tree.root), tree: () => tree, root: () => tree.root, document: fact.document, editable: false };
}
