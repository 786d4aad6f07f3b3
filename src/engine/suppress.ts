import type { SourceComment, SourceDocument } from '../model/document.js';
import { engineFinding, type Finding, type Severity, type SeverityName, type Suppression } from '../model/finding.js';
import { SourceText, type Range } from '../model/source.js';
import { didYouMean } from '../config/suggest.js';

/** The annotation that suppresses findings inside a Kubernetes object: `"id,id"` or `"*"`. */
export const IGNORE_ANNOTATION = 'netlint.io/ignore';
/** Optional companion annotation: why the object is exempt (the suppression's justification). */
export const IGNORE_REASON_ANNOTATION = 'netlint.io/ignore-reason';

/** Findings no directive or annotation can hide: the file could not be read, or netlint failed. */
const UNSUPPRESSIBLE = new Set(['parse-error', 'internal-error', 'unused-disable-directive']);

export type DirectiveKind = 'disable' | 'enable' | 'disable-line' | 'disable-next-line';

/** An inline `netlint-*` directive found in a comment. */
export interface Directive {
  kind: DirectiveKind;
  /** The rule ids it names, with their ranges; `undefined` for all rules. */
  rules?: { id: string; range: Range }[];
  /** The text after ` -- `, or ''. */
  justification: string;
  /** The comment, in the file's offsets. */
  range: Range;
  /** For `disable-line` and `disable-next-line`: the 1-based line it applies to. */
  line?: number;
  /** True when the comment is alone on its line(s). */
  wholeLine: boolean;
}

const DIRECTIVE = /^netlint-(disable-next-line|disable-line|disable|enable)(?=$|\s)/;

/**
 * Parses a comment as a directive: `# netlint-disable-next-line id[, id] -- reason`,
 * `# netlint-disable-line id`, `# netlint-disable [ids]`, `# netlint-enable [ids]`. The comment
 * may start with `#`, `//` or `/*`; ids are separated by commas or spaces. `range` is the
 * comment's range in `source` (the file). Undefined when the comment is not a directive.
 */
export function parseDirective(text: string, range: Range, source: SourceText): Directive | undefined {
  const lead = /^(?:#+|\/\/+|\/\*+)?[ \t]*/.exec(text)![0];
  let body = text.slice(lead.length);
  if (text.startsWith('/*')) body = body.replace(/\*+\/\s*$/, '');
  const m = DIRECTIVE.exec(body);
  if (!m) return undefined;
  const kind = m[1] as DirectiveKind;
  let rest = body.slice(m[0].length);
  const restOffset = range[0] + lead.length + m[0].length;
  let justification = '';
  const sep = /(?:^|\s)--(?:\s|$)/.exec(rest);
  if (sep) {
    justification = rest.slice(sep.index + sep[0].length).trim();
    rest = rest.slice(0, sep.index);
  }
  const rules: { id: string; range: Range }[] = [];
  for (const idMatch of rest.matchAll(/[^\s,]+/g)) {
    const start = restOffset + idMatch.index!;
    rules.push({ id: idMatch[0], range: [start, start + idMatch[0].length] });
  }
  const start = source.positionAt(range[0]);
  const end = source.positionAt(range[1]);
  const before = source.text.slice(source.lineStarts[start.line - 1], range[0]);
  const afterEnd = source.lineRange(end.line)[1];
  const after = source.text.slice(range[1], afterEnd);
  const directive: Directive = {
    kind,
    justification,
    range,
    wholeLine: before.trim() === '' && after.trim() === '',
  };
  if (rules.length) directive.rules = rules;
  if (kind === 'disable-line') directive.line = start.line;
  if (kind === 'disable-next-line') directive.line = end.line + 1;
  return directive;
}

/** Every directive in a file: the comments of all its documents (embedded ones mapped out). */
export function fileDirectives(documents: readonly SourceDocument[], source: SourceText): Directive[] {
  const seen = new Set<string>();
  const comments: SourceComment[] = [];
  for (const doc of documents) {
    for (const c of doc.comments) {
      const range: Range = doc.toOuter ? [doc.toOuter(c.range[0]), doc.toOuter(c.range[1])] : c.range;
      const key = `${range[0]}:${range[1]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      comments.push({ text: source.text.slice(range[0], range[1]) || c.text, range });
    }
  }
  comments.sort((a, b) => a.range[0] - b.range[0]);
  const out: Directive[] = [];
  for (const c of comments) {
    const d = parseDirective(c.text, c.range, source);
    if (d) out.push(d);
  }
  return out;
}

/** A Kubernetes object carrying `netlint.io/ignore`. */
export interface IgnoreAnnotation {
  /** The object's range in the file. */
  range: Range;
  /** The ids it names; `'*'` for all. */
  rules: Set<string> | '*';
  justification: string;
}

/**
 * Objects of Kubernetes documents (`{ type: 'K8sObject', range, annotations }` nodes) with the
 * `netlint.io/ignore` annotation.
 */
export function ignoreAnnotations(documents: readonly SourceDocument[]): IgnoreAnnotation[] {
  const out: IgnoreAnnotation[] = [];
  for (const doc of documents) {
    if (doc.kind !== 'kubernetes') continue;
    for (const obj of k8sObjects(doc.root)) {
      const value = annotation(obj.annotations, IGNORE_ANNOTATION);
      if (value === undefined) continue;
      const ids = value.split(/[\s,]+/).filter(Boolean);
      const range: Range = doc.toOuter ? [doc.toOuter(obj.range[0]), doc.toOuter(obj.range[1])] : obj.range;
      out.push({
        range,
        rules: ids.includes('*') ? '*' : new Set(ids),
        justification: annotation(obj.annotations, IGNORE_REASON_ANNOTATION) ?? '',
      });
    }
  }
  return out;
}

interface K8sObjectLike {
  type: 'K8sObject';
  range: Range;
  annotations: unknown;
}

/**
 * The K8sObject nodes of a Kubernetes document: `K8sDocument.objects` (List wrappers already
 * unwrapped), or for other shapes every K8sObject found under `root`, without revisiting.
 */
function k8sObjects(root: unknown): K8sObjectLike[] {
  const top = root as { type?: unknown; objects?: unknown } | undefined;
  if (top?.type === 'K8sDocument' && Array.isArray(top.objects)) {
    return (top.objects as K8sObjectLike[]).filter((o) => o?.type === 'K8sObject' && Array.isArray(o.range) && o.annotations && typeof o.annotations === 'object');
  }
  const out: K8sObjectLike[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || seen.has(value) || depth > 64 || value instanceof SourceText) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const o = value as Record<string, unknown>;
    if (o.type === 'K8sObject' && Array.isArray(o.range) && o.annotations && typeof o.annotations === 'object') {
      out.push(o as unknown as K8sObjectLike);
    }
    for (const key of Object.keys(o)) {
      if (key === 'parent' || key === 'property' || key === 'range') continue;
      visit(o[key], depth + 1);
    }
  };
  visit(root, 0);
  return out;
}

function annotation(annotations: unknown, key: string): string | undefined {
  const v = annotations instanceof Map ? annotations.get(key) : (annotations as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

export interface SuppressOptions {
  filePath: string;
  /** The file's text: findings and directive ranges index into it. */
  source: SourceText;
  documents: readonly SourceDocument[];
  /** Known rule ids, for directives naming unknown ones (with a "did you mean"). */
  ruleIds: ReadonlySet<string>;
  /** Severity of unused directives; `off` reports none. Unknown ids are reported at least as warnings. */
  reportUnused: SeverityName;
}

/**
 * Marks findings that an inline directive or a `netlint.io/ignore` annotation covers with
 * `suppressions` (they stay in the results, as ESLint's `suppressedMessages`), and adds
 * `unused-disable-directive` findings for directives that suppressed nothing or name unknown
 * rules. `parse-error` and `internal-error` are never suppressed.
 */
export function applySuppressions(findings: Finding[], options: SuppressOptions): Finding[] {
  const directives = fileDirectives(options.documents, options.source);
  const annotations = ignoreAnnotations(options.documents);
  if (directives.length === 0 && annotations.length === 0) return findings;

  const lineDirectives = directives.filter((d) => d.line !== undefined);
  const blocks = directives.filter((d) => d.line === undefined);
  /** Per directive: the ids (or '*') that suppressed something. */
  const used = new Map<Directive, Set<string>>();
  const use = (d: Directive, id: string) => {
    const set = used.get(d) ?? new Set<string>();
    set.add(id);
    used.set(d, set);
  };

  const out = findings.map((finding) => {
    if (UNSUPPRESSIBLE.has(finding.ruleId)) return finding;
    const suppressions: Suppression[] = [];
    for (const d of lineDirectives) {
      if (d.line !== finding.line) continue;
      const id = matchId(d, finding.ruleId);
      if (id === undefined) continue;
      use(d, id);
      suppressions.push({ kind: 'directive', justification: d.justification });
    }
    const block = blockDirectiveAt(blocks, finding.range[0], finding.ruleId);
    if (block) {
      use(block.directive, block.id);
      suppressions.push({ kind: 'directive', justification: block.directive.justification });
    }
    for (const a of annotations) {
      if (finding.range[0] < a.range[0] || finding.range[1] > a.range[1]) continue;
      if (a.rules !== '*' && !a.rules.has(finding.ruleId)) continue;
      suppressions.push({ kind: 'annotation', justification: a.justification });
    }
    if (suppressions.length === 0) return finding;
    return { ...finding, suppressions: [...(finding.suppressions ?? []), ...suppressions] };
  });

  out.push(...directiveProblems(directives, used, options));
  return out;
}

/** The id (or '*') under which directive `d` covers rule `ruleId`, or undefined. */
function matchId(d: Directive, ruleId: string): string | undefined {
  if (!d.rules) return '*';
  return d.rules.some((r) => r.id === ruleId) ? ruleId : undefined;
}

/** The `netlint-disable` block in force for `ruleId` at `offset`, if any. */
function blockDirectiveAt(blocks: readonly Directive[], offset: number, ruleId: string): { directive: Directive; id: string } | undefined {
  let all: Directive | undefined;
  const byRule = new Map<string, Directive>();
  const reenabled = new Set<string>();
  for (const d of blocks) {
    if (d.range[0] >= offset) break;
    if (d.kind === 'disable') {
      if (!d.rules) {
        all = d;
        reenabled.clear();
      } else {
        for (const r of d.rules) {
          byRule.set(r.id, d);
          reenabled.delete(r.id);
        }
      }
    } else if (!d.rules) {
      all = undefined;
      byRule.clear();
      reenabled.clear();
    } else {
      for (const r of d.rules) {
        byRule.delete(r.id);
        if (all) reenabled.add(r.id);
      }
    }
  }
  const specific = byRule.get(ruleId);
  if (specific) return { directive: specific, id: ruleId };
  if (all && !reenabled.has(ruleId)) return { directive: all, id: '*' };
  return undefined;
}

/** `unused-disable-directive` findings: unused directives, unknown ids, enables with nothing to enable. */
function directiveProblems(directives: readonly Directive[], used: Map<Directive, Set<string>>, options: SuppressOptions): Finding[] {
  const out: Finding[] = [];
  const unusedSeverity: Severity | 0 = options.reportUnused === 'error' ? 2 : options.reportUnused === 'warn' ? 1 : 0;
  const unknownSeverity: Severity = unusedSeverity === 2 ? 2 : 1;
  const report = (message: string, range: Range, severity: Severity, messageId: string, fixRange?: Range) => {
    const f = engineFinding(options.source, options.filePath, 'unused-disable-directive', message, range, severity);
    f.messageId = messageId;
    if (fixRange) f.fix = { messageId: 'removeDirective', desc: 'Remove the directive.', edits: [{ range: fixRange, text: '' }] };
    out.push(f);
  };
  const name = (d: Directive) => `netlint-${d.kind}`;

  // Enables that close nothing, found by replaying the blocks in order.
  const unusedEnables = new Map<Directive, string[] | undefined>();
  {
    let all = false;
    const disabled = new Set<string>();
    const reenabled = new Set<string>();
    for (const d of directives) {
      if (d.line !== undefined) continue;
      if (d.kind === 'disable') {
        if (!d.rules) {
          all = true;
          reenabled.clear();
        } else for (const r of d.rules) {
          disabled.add(r.id);
          reenabled.delete(r.id);
        }
      } else if (!d.rules) {
        if (!all && disabled.size === 0) unusedEnables.set(d, undefined);
        all = false;
        disabled.clear();
        reenabled.clear();
      } else {
        const idle = d.rules.filter((r) => !disabled.has(r.id) && (!all || reenabled.has(r.id))).map((r) => r.id);
        if (idle.length) unusedEnables.set(d, idle);
        for (const r of d.rules) {
          disabled.delete(r.id);
          if (all) reenabled.add(r.id);
        }
      }
    }
  }

  for (const d of directives) {
    const known = (id: string) => options.ruleIds.has(id);
    for (const r of d.rules ?? []) {
      if (!known(r.id)) {
        report(`Unknown rule "${r.id}" in ${name(d)} directive${didYouMean(r.id, options.ruleIds)}.`, r.range, unknownSeverity, 'unknownRule');
      }
    }
    if (unusedSeverity === 0) continue;
    if (d.kind === 'enable') {
      if (!unusedEnables.has(d)) continue;
      const idle = unusedEnables.get(d);
      const what = idle ? ` for ${idle.map((id) => `"${id}"`).join(' or ')}` : '';
      const whole = !idle || idle.length === d.rules!.length;
      report(`Unused ${name(d)} directive (no matching netlint-disable directives were found${what}).`, d.range, unusedSeverity, 'unusedEnable', whole ? removal(d, options.source) : undefined);
      continue;
    }
    const usedIds = used.get(d);
    if (!d.rules) {
      if (!usedIds) report(`Unused ${name(d)} directive (no problems were reported).`, d.range, unusedSeverity, 'unused', removal(d, options.source));
      continue;
    }
    const idle = d.rules.filter((r) => known(r.id) && !usedIds?.has(r.id));
    if (idle.length === 0) continue;
    if (idle.length === d.rules.length) {
      const ids = idle.map((r) => `"${r.id}"`).join(' or ');
      report(`Unused ${name(d)} directive (no problems were reported from ${ids}).`, d.range, unusedSeverity, 'unused', removal(d, options.source));
    } else {
      for (const r of idle) report(`Unused ${name(d)} directive (no problems were reported from "${r.id}").`, r.range, unusedSeverity, 'unused');
    }
  }
  return out;
}

/** The edit range that removes a directive: its whole line when alone, else the comment and the blanks before it. */
function removal(d: Directive, source: SourceText): Range {
  if (d.wholeLine) {
    const startLine = source.positionAt(d.range[0]).line;
    const endLine = source.positionAt(d.range[1]).line;
    const start = source.lineStarts[startLine - 1];
    const end = source.lineStarts[endLine] ?? source.text.length;
    return [start, end];
  }
  let start = d.range[0];
  while (start > 0 && (source.text[start - 1] === ' ' || source.text[start - 1] === '\t')) start--;
  return [start, d.range[1]];
}
