import type { AnySchema, ValidateFunction } from 'ajv';
import policySchema from '../../schemas/netlint-policy.schema.json' with { type: 'json' };
import { ConfigError } from '../engine/errors.js';
import type { ReportDescriptor, RuleContext, RuleHandlers, RuleModule } from '../engine/types.js';
import { INPUT_KINDS, type InputKind } from '../model/document.js';
import type { Fact } from '../model/facts.js';
import type { IptablesRule } from '../model/iptables.js';
import type { K8sObject } from '../model/kubernetes.js';
import type { Range } from '../model/source.js';
import { formatPath, type JsonPath } from '../parsers/json/index.js';
import { formatFixPath, parsePointer, setValueEdit, type FixSegment } from './fix.js';
import { locateError, locateMatch, objectAnchor, policyAjv, readableErrors } from './schema.js';
import {
  documentSubject,
  documentTrees,
  factSubject,
  iptablesSubject,
  kubernetesObjects,
  type Subject,
} from './subjects.js';
import { FACT_SUBJECTS, type Policy, type PolicySourceInfo } from './types.js';

/** Options of a policy rule: none (severity comes from the config like any rule's). */
export type PolicyOptions = Record<string, never>;

let policyValidator: ValidateFunction | undefined;

/** The compiled `schemas/netlint-policy.schema.json`. */
function validatePolicyShape(value: unknown): ValidateFunction {
  policyValidator ??= policyAjv().compile(policySchema);
  policyValidator(value);
  return policyValidator;
}

/** Placeholders of a message: `{{error}}`, `{{path}}`, or a dotted path into the subject. */
const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

/**
 * Compiles one policy into a rule module whose id is the policy id, so config severities,
 * suppressions, baselines and formatters treat it like any rule. Validates the object against
 * `schemas/netlint-policy.schema.json` and compiles its schemas once; throws a `ConfigError`
 * located by `source` when anything is invalid.
 */
export function compilePolicy(policyObject: unknown, source: PolicySourceInfo = {}): RuleModule<PolicyOptions> {
  const fail = (message: string, path: JsonPath, target: 'key' | 'value' = 'value'): ConfigError => {
    const at = source.locate?.(path, target);
    const id = (policyObject as { id?: unknown } | null)?.id;
    const named = typeof id === 'string' ? `Invalid policy "${id}"` : 'Invalid policy';
    return new ConfigError(`${named}: ${message}.`, source.filePath, at?.line, at?.column);
  };

  const shape = validatePolicyShape(policyObject);
  if (shape.errors?.length) {
    // The plainest error first: a missing or unknown key says more than "exactly one of".
    const readable = readableErrors(shape.errors, policyObject, 'the policy');
    const first = readable.find((e) => e.error.keyword !== 'oneOf' && e.error.keyword !== 'anyOf') ?? readable[0];
    const error = first?.error ?? shape.errors[0];
    const path = first?.path ?? [];
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'additionalProperties') throw fail(first.text, [...path, String(params.additionalProperty)], 'key');
    throw fail(first?.text ?? 'does not match the policy schema', path, error.keyword === 'required' ? 'key' : 'value');
  }
  const policy = policyObject as Policy;

  const compileSchema = (key: 'where' | 'require' | 'forbid'): ValidateFunction | undefined => {
    const schema = policy[key];
    if (schema === undefined) return undefined;
    try {
      return policyAjv().compile(schema as AnySchema);
    } catch (err) {
      const message = (err as Error).message.replace(/\.$/, '');
      const at = schemaLocation(schema, message);
      throw fail(`invalid JSON Schema in "${key}": ${message}`, at ? [key, ...at] : [key], at ? 'key' : 'value');
    }
  };
  const where = compileSchema('where');
  const required = compileSchema('require');
  const forbid = compileSchema('forbid');

  const subject = policy.subject;
  const selectors = 'kubernetes' in subject ? compileSelectors(subject.kubernetes, fail) : undefined;

  let fixPath: FixSegment[] | undefined;
  if (policy.fix) {
    if (!('kind' in subject) && !('kubernetes' in subject)) {
      throw fail('a fix can only edit JSON or YAML subjects ("kind" and "kubernetes" subjects)', ['fix'], 'key');
    }
    fixPath = typeof policy.fix.path === 'string' ? parsePointer(policy.fix.path) : policy.fix.path;
  }
  const fixMessage = policy.fix?.message ?? (fixPath ? `Set ${formatFixPath(fixPath)} to ${JSON.stringify(policy.fix!.value)}.` : undefined);
  const placeholders = [...policy.message.matchAll(PLACEHOLDER)].map((m) => m[1]);
  const rootName = 'kind' in subject ? 'the document' : 'kubernetes' in subject ? 'the object' : 'iptables' in subject ? 'the rule' : 'the fact';

  const check = (context: RuleContext, s: Subject) => {
    if (where && !where(s.value)) return;
    const problems: { range: Range; path: JsonPath; error: string; at: JsonPath }[] = [];
    if (required) {
      if (required(s.value)) return;
      const tree = s.tree();
      const root = s.root();
      for (const e of readableErrors(required.errors ?? [], s.value, rootName)) {
        const loc = locateError({ ...tree, root }, e.error);
        problems.push({ range: loc.range, path: loc.path, error: e.text, at: e.path });
      }
      if (problems.length === 0) {
        // Only summary errors (an `if` without its `then` errors): report the subject itself.
        problems.push({ range: objectAnchor({ ...tree, root }, root), path: root.path, error: `Invalid ${rootName}`, at: [] });
      }
    } else if (forbid) {
      if (!forbid(s.value)) return;
      const root = s.root();
      const loc = locateMatch({ ...s.tree(), root }, policy.forbid as AnySchema, rootName);
      problems.push({ range: loc.range, path: loc.path, error: loc.text, at: loc.path.slice(root.path.length) });
    }
    const seen = new Set<string>();
    // One fix per subject, on its first finding.
    let fix = fixPath && s.editable ? setValueEdit(s.tree(), s.root(), s.document.source.text, fixPath, policy.fix!.value) : undefined;
    for (const p of problems) {
      const id = `${p.range[0]}:${p.range[1]}:${p.error}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const data: Record<string, unknown> = {};
      for (const name of placeholders) data[name] = placeholderValue(name, s.value, p.error, p.at);
      const report: ReportDescriptor = { node: { range: p.range }, messageId: 'violation', data, document: s.document };
      if (s.tree().syntax !== 'synthetic') report.path = p.path;
      if (fix) {
        report.fix = { messageId: 'fix', edits: [fix] };
        fix = undefined;
      }
      context.report(report);
    }
  };

  let inputs: readonly InputKind[];
  let create: (context: RuleContext) => RuleHandlers;
  if ('kind' in subject || 'kubernetes' in subject) {
    inputs = 'kind' in subject ? [subject.kind] : ['kubernetes'];
    create = (context) => ({
      'Document:exit'() {
        const [tree] = documentTrees(context.document);
        if (!tree) return;
        if (!selectors) {
          check(context, documentSubject(context.document, tree));
          return;
        }
        for (const object of kubernetesObjects(context.document)) {
          if (selectors(object)) check(context, documentSubject(context.document, tree, object.node));
        }
      },
    });
  } else if ('iptables' in subject) {
    inputs = ['iptables'];
    create = (context) => ({ IptablesRule: (rule: IptablesRule) => check(context, iptablesSubject(rule, context.document)) });
  } else {
    inputs = INPUT_KINDS;
    const type = FACT_SUBJECTS[subject.fact];
    create = (context) => ({ [type]: (fact: Fact) => check(context, factSubject(fact)) }) as RuleHandlers;
  }

  return {
    meta: {
      id: policy.id,
      inputs,
      category: policy.category ?? 'correctness',
      description: policy.description,
      messages: { violation: policy.message, ...(fixMessage ? { fix: fixMessage } : {}) },
      ...(policy.fix ? { fix: 'safe' as const } : {}),
      recommended: policy.severity,
      defaultOptions: {},
      ...(policy.docs ? { docs: policy.docs } : {}),
    },
    create: (context) => create(context),
  };
}

/** The text of a placeholder: `error`, `path`, or the subject's value at a dotted path. */
function placeholderValue(name: string, value: unknown, error: string, at: JsonPath): string {
  if (name === 'error') return error;
  if (name === 'path') return formatPath(at);
  let cur: unknown = value;
  for (const seg of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) return '(unset)';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined) return '(unset)';
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

type Selector = (value: string) => boolean;

/** Compiles `subject.kubernetes` into a predicate over objects. */
function compileSelectors(
  spec: Record<string, string | string[] | undefined>,
  fail: (message: string, path: JsonPath, target?: 'key' | 'value') => ConfigError,
): (object: K8sObject) => boolean {
  const readers: Record<string, (o: K8sObject) => string> = {
    apiVersion: (o) => o.apiVersion ?? '',
    kind: (o) => o.kind,
    name: (o) => o.name ?? '',
    namespace: (o) => o.namespace ?? '',
  };
  const fields: [read: (o: K8sObject) => string, test: Selector][] = [];
  for (const [field, raw] of Object.entries(spec)) {
    if (raw === undefined) continue;
    const list = Array.isArray(raw) ? raw : [raw];
    const tests = list.map((s, i): Selector => {
      const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
      if (!m) return (v) => v === s;
      try {
        const re = new RegExp(m[1], m[2].replace(/g|y/g, ''));
        return (v) => re.test(v);
      } catch (err) {
        throw fail(`invalid regular expression ${s}: ${(err as Error).message}`, Array.isArray(raw) ? ['subject', 'kubernetes', field, i] : ['subject', 'kubernetes', field]);
      }
    });
    fields.push([readers[field], (v) => tests.some((t) => t(v))]);
  }
  return (object) => fields.every(([read, test]) => test(read(object)));
}

/**
 * Where in a schema ajv's compile error is: the `at path "#/..."` it names, else the first key
 * spelled like the quoted word (`unknown keyword: "requried"`).
 */
function schemaLocation(schema: unknown, message: string): JsonPath | undefined {
  const pointer = /at path "#([^"]*)"/.exec(message)?.[1];
  if (pointer) return parsePointer(pointer);
  const word = /"([^"]+)"/.exec(message)?.[1];
  return word === undefined ? undefined : findKey(schema, word);
}

/** Path of the first key named `key` in a schema object (depth first), for locating ajv's complaints. */
function findKey(schema: unknown, key: string, path: JsonPath = []): JsonPath | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  if (Array.isArray(schema)) {
    for (let i = 0; i < schema.length; i++) {
      const found = findKey(schema[i], key, [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(schema)) {
    if (k === key) return [...path, k];
    const found = findKey(v, key, [...path, k]);
    if (found) return found;
  }
  return undefined;
}
