import type { InputKind, SourceDocument } from '../model/document.js';
import {
  engineFinding,
  locate,
  sortAndDedupe,
  type Finding,
  type Fix,
  type RelatedLocation,
  type Severity,
  type SeverityName,
} from '../model/finding.js';
import type { BaseNode } from '../model/node.js';
import { SourceText, type Range } from '../model/source.js';
import { detectKind } from '../parsers/detect.js';
import { parserFor } from '../parsers/index.js';
import { factsOf, factsOfAll } from '../model/extract/index.js';
import type { Fact } from '../model/facts.js';
import { builtinRegistry } from './builtin.js';
import { recommendedConfig } from './presets.js';
import type { RuleRegistry } from './registry.js';
import { applySuppressions } from './suppress.js';
import { entrySeverity, interpolate, resolveRuleOptions, severityFromName } from './rule-options.js';
import type {
  FixDescriptor,
  Locatable,
  ReportDescriptor,
  ResolvedConfig,
  RuleContext,
  RuleModule,
  Scope,
  Settings,
} from './types.js';

/** A file read and parsed, before rules run. */
export interface ParsedFile {
  filePath: string;
  text: string;
  source: SourceText;
  /** Absent when the kind could not be recognised. */
  kind?: InputKind;
  documents: SourceDocument[];
  /** Parse errors, schema findings, `unknown-input`. */
  findings: Finding[];
}

/** Findings of one file, sorted, with the text they index into. */
export interface LintFileResult {
  filePath: string;
  kind?: InputKind;
  /** The text the findings index into: after fixes, the fixed text. */
  text: string;
  findings: Finding[];
  /** The fixed text, when `--fix` or `--fix-dry-run` changed the file (ESLint's `output`). */
  output?: string;
}

export interface ParseOptions {
  kind?: InputKind;
}

/** Recognises the file's kind (unless given) and parses it; never throws on user input. */
export function parseText(text: string, filePath: string, options: ParseOptions = {}): ParsedFile {
  const source = new SourceText(text);
  const kind = options.kind ?? detectKind(filePath, text);
  if (!kind) {
    return {
      filePath,
      text,
      source,
      documents: [],
      findings: [
        engineFinding(
          source,
          filePath,
          'unknown-input',
          'Unknown input kind: the file is not a recognised iptables, nft, CNI, Docker, Kubernetes, Mesos or node-evidence file. Use --kind to name it.',
          [0, 0],
        ),
      ],
    };
  }
  const parser = parserFor(kind);
  try {
    const result = parser.parse(source, filePath);
    return { filePath, text, source, kind, documents: result.documents, findings: result.findings };
  } catch (err) {
    return {
      filePath,
      text,
      source,
      kind,
      documents: [],
      findings: [
        engineFinding(source, filePath, 'internal-error', `The ${kind} parser failed: ${describeError(err)}`, [0, 0]),
      ],
    };
  }
}

export interface LintOptions {
  filePath?: string;
  kind?: InputKind;
  config?: ResolvedConfig;
  registry?: RuleRegistry;
  /** Severity of unused disable directives; overrides the config's `linterOptions`. */
  reportUnusedDisableDirectives?: SeverityName;
}

/** Lints one text: everything but I/O. */
export function lintText(text: string, options: LintOptions = {}): LintFileResult {
  const filePath = options.filePath ?? '<text>';
  const file = parseText(text, filePath, { kind: options.kind });
  const config = options.config;
  return lintParsed([file], {
    registry: options.registry,
    configFor: () => config,
    reportUnusedDisableDirectives: options.reportUnusedDisableDirectives,
  })[0];
}

export interface LintParsedOptions {
  registry?: RuleRegistry;
  /**
   * The config in force for a file's documents of `kind` (overrides may depend on the kind);
   * `undefined` means `netlint:recommended`.
   */
  configFor?: (filePath: string, kind?: InputKind) => ResolvedConfig | undefined;
  /** Severity of unused disable directives; overrides the config's `linterOptions` (default `warn`). */
  reportUnusedDisableDirectives?: SeverityName;
  /** Groups files into scopes; by default all given files form one scope. */
  scopeOf?: (file: ParsedFile) => string;
  /** Run rules only on these files; the others only lend their documents to the scope. */
  only?: ReadonlySet<ParsedFile>;
}

/**
 * Runs rules over parsed files, scope by scope, then applies each file's inline directives and
 * annotations (see `applySuppressions`). Results keep the order of `files`.
 */
export function lintParsed(files: ParsedFile[], options: LintParsedOptions = {}): LintFileResult[] {
  const registry = options.registry ?? builtinRegistry();
  const scopes = new Map<string, ParsedFile[]>();
  for (const f of files) {
    const id = options.scopeOf?.(f) ?? '';
    const list = scopes.get(id);
    if (list) list.push(f);
    else scopes.set(id, [f]);
  }
  const byFile = new Map<string, Finding[]>();
  for (const f of files) byFile.set(f.filePath, [...f.findings]);
  const sink = (finding: Finding) => {
    const list = byFile.get(finding.filePath);
    if (list) list.push(finding);
    else byFile.set(finding.filePath, [finding]);
  };
  for (const [id, scopeFiles] of scopes) {
    const scope: Scope = { id, documents: scopeFiles.flatMap((f) => f.documents) };
    for (const file of scopeFiles) {
      if (options.only && !options.only.has(file)) continue;
      for (const doc of file.documents) {
        const config = options.configFor?.(file.filePath, doc.kind) ?? recommendedConfig(registry);
        runRules(doc, scope, config, registry, sink);
      }
    }
  }
  const ruleIds = new Set(registry.all().map((r) => r.meta.id));
  return files.filter((f) => !options.only || options.only.has(f)).map((f) => {
    const config = options.configFor?.(f.filePath, f.kind) ?? recommendedConfig(registry);
    return fileResult(f, byFile.get(f.filePath) ?? [], config, ruleIds, options);
  });
}

/** A file's result: its findings with its suppressions applied, sorted and without duplicates. */
function fileResult(
  file: ParsedFile,
  findings: Finding[],
  config: ResolvedConfig,
  ruleIds: ReadonlySet<string>,
  options: { reportUnusedDisableDirectives?: LintParsedOptions['reportUnusedDisableDirectives'] },
): LintFileResult {
  const kept = applySuppressions(findings, {
    filePath: file.filePath,
    source: file.source,
    documents: file.documents,
    ruleIds,
    reportUnused: options.reportUnusedDisableDirectives ?? config.linterOptions?.reportUnusedDisableDirectives ?? 'warn',
  });
  return { filePath: file.filePath, kind: file.kind, text: file.text, findings: sortAndDedupe(kept) };
}

/** A file read but not parsed yet. */
export interface UnparsedFile {
  filePath: string;
  text: string;
  /** Forced or detected kind; detected from name and text when absent. */
  kind?: InputKind;
}

export interface LintTextsOptions extends Omit<LintParsedOptions, 'scopeOf' | 'only'> {
  /** Groups files into scopes; by default all given files form one scope. */
  scopeOf?: (file: { filePath: string }) => string;
  /** Called after each file's findings are known, with the number of files done. */
  onFile?: (done: number, total: number) => void;
}

/**
 * `lintParsed(files.map(parseText), options)`, with the same results, in far less memory: each
 * file is parsed just before its rules run and its tree is let go once its findings are known, so
 * a scope of thousands of files never holds thousands of trees (which made a third of a run
 * garbage collection).
 *
 * Rules that look across files (`context.scope.documents`, `context.scopeFacts`) still see every
 * document of the scope: the first such look parses the scope's other files (again, for those
 * already linted) and from then on the scope keeps all its trees, as `lintParsed` does. A finding
 * reported into a file whose findings were already worked out (a rule of a later file reporting
 * on an earlier file's document) makes that file's suppressions be applied again, over all its
 * findings, at the end of the scope.
 */
export function lintTexts(files: readonly UnparsedFile[], options: LintTextsOptions = {}): LintFileResult[] {
  const registry = options.registry ?? builtinRegistry();
  const ruleIds = new Set(registry.all().map((r) => r.meta.id));
  const results: LintFileResult[] = new Array(files.length);
  const scopes = new Map<string, number[]>();
  files.forEach((f, i) => {
    const id = options.scopeOf?.(f) ?? '';
    const list = scopes.get(id);
    if (list) list.push(i);
    else scopes.set(id, [i]);
  });
  /** Findings by file, before suppressions, in the order `lintParsed` collects them. */
  const byFile = new Map<string, Finding[]>();
  /** Files whose result is final, and those of them that got findings since. */
  const finished = new Map<string, number>();
  const stale = new Set<number>();
  const sink = (finding: Finding) => {
    const list = byFile.get(finding.filePath);
    if (list) list.push(finding);
    else byFile.set(finding.filePath, [finding]);
    const done = finished.get(finding.filePath);
    if (done !== undefined) stale.add(done);
  };
  const parse = (i: number) => parseText(files[i].text, files[i].filePath, { kind: files[i].kind });
  const configOf = (filePath: string, kind?: InputKind) => options.configFor?.(filePath, kind) ?? recommendedConfig(registry);
  const finish = (i: number, file: ParsedFile) => {
    results[i] = fileResult(file, byFile.get(file.filePath) ?? [], configOf(file.filePath, file.kind), ruleIds, options);
  };
  let done = 0;
  for (const [id, indices] of scopes) {
    /** Every file of the scope, parsed, once a rule looked across files; the file being linted. */
    let kept: ParsedFile[] | undefined;
    let current: { n: number; file: ParsedFile } | undefined;
    const scope = new LazyScope(id, () => {
      kept = indices.map((i, n) => (current?.n === n ? current.file : parse(i)));
      return kept.flatMap((f) => f.documents);
    });
    indices.forEach((i, n) => {
      const file = kept?.[n] ?? parse(i);
      current = { n, file };
      const early = byFile.get(file.filePath);
      byFile.set(file.filePath, early ? [...file.findings, ...early] : [...file.findings]);
      for (const doc of file.documents) runRules(doc, scope, configOf(file.filePath, doc.kind), registry, sink);
      finish(i, file);
      finished.set(file.filePath, i);
      options.onFile?.(++done, files.length);
    });
    current = undefined;
    for (const i of stale) {
      const n = indices.indexOf(i);
      finish(i, (n >= 0 ? kept?.[n] : undefined) ?? parse(i));
    }
    stale.clear();
  }
  return results;
}

/** A scope whose documents are worked out when first asked for (a getter of the class: see `Context`). */
class LazyScope implements Scope {
  readonly #load: () => SourceDocument[];
  #documents: SourceDocument[] | undefined;

  constructor(
    readonly id: string,
    load: () => SourceDocument[],
  ) {
    this.#load = load;
  }

  get documents(): SourceDocument[] {
    return (this.#documents ??= this.#load());
  }
}

/** A rule turned on for a kind of document, with its severity and resolved options. */
interface ActiveRule {
  rule: RuleModule<any>;
  severity: Severity;
  options: Record<string, unknown>;
}

const activeCache = new WeakMap<RuleRegistry, { size: number; byConfig: WeakMap<ResolvedConfig, Map<InputKind, ActiveRule[]>> }>();

/**
 * The rules a config turns on for documents of `kind`, in config order: worked out once per
 * registry (as long as no rule is added to it), config and kind, not per document (a run over 2,000 files has a handful of configs).
 * Invalid options throw a `ConfigError` on first use, as before, and nothing is kept.
 */
function activeRules(registry: RuleRegistry, config: ResolvedConfig, kind: InputKind): ActiveRule[] {
  let cached = activeCache.get(registry);
  // Rules registered since (a plugin loaded later) may be named by a config: start again.
  if (!cached || cached.size !== registry.size) activeCache.set(registry, (cached = { size: registry.size, byConfig: new WeakMap() }));
  const { byConfig } = cached;
  let byKind = byConfig.get(config);
  if (!byKind) byConfig.set(config, (byKind = new Map()));
  let active = byKind.get(kind);
  if (!active) {
    active = [];
    for (const [id, entry] of Object.entries(config.rules)) {
      const severity = entrySeverity(entry);
      if (severity === 0) continue;
      const rule = registry.get(id);
      if (!rule || !rule.meta.inputs.includes(kind)) continue;
      active.push({ rule, severity, options: resolveRuleOptions(rule, entry) });
    }
    byKind.set(kind, active);
  }
  return active;
}

interface Listener {
  rule: RuleModule<any>;
  fn: (node: BaseNode) => void;
}

function runRules(
  doc: SourceDocument,
  scope: Scope,
  config: ResolvedConfig,
  registry: RuleRegistry,
  sink: (f: Finding) => void,
): void {
  const listeners = new Map<string, Listener[]>();
  const exits: Listener[] = [];
  const broken = new Set<string>();
  const fail = (rule: RuleModule<any>, err: unknown) => {
    if (broken.has(rule.meta.id)) return;
    broken.add(rule.meta.id);
    sink(
      engineFinding(
        doc.outerSource ?? doc.source,
        doc.filePath,
        'internal-error',
        `Rule "${rule.meta.id}" failed on this file: ${describeError(err)}`,
        [0, 0],
      ),
    );
  };

  for (const { rule, severity, options } of activeRules(registry, config, doc.kind)) {
    const context = makeContext(rule, severity, doc, scope, config, sink);
    let handlers;
    try {
      handlers = rule.create(context, options);
    } catch (err) {
      fail(rule, err);
      continue;
    }
    for (const [type, fn] of Object.entries(handlers)) {
      if (typeof fn !== 'function') continue;
      const listener = { rule, fn: fn as (node: BaseNode) => void };
      if (type === 'Document:exit') exits.push(listener);
      else {
        const list = listeners.get(type);
        if (list) list.push(listener);
        else listeners.set(type, [listener]);
      }
    }
  }
  if (listeners.size === 0 && exits.length === 0) return;

  const dispatch = (node: BaseNode) => {
    const list = listeners.get(node.type);
    if (!list) return;
    for (const l of list) {
      if (broken.has(l.rule.meta.id)) continue;
      try {
        l.fn(node);
      } catch (err) {
        fail(l.rule, err);
      }
    }
  };
  // Only the node types someone listens to: parsers may skip the rest (lazy iptables details).
  parserFor(doc.kind).walk(doc, dispatch, new Set(listeners.keys()));
  for (const fact of factsOf(doc)) dispatch(fact);
  for (const l of exits) {
    if (broken.has(l.rule.meta.id)) continue;
    try {
      (l.fn as () => void)();
    } catch (err) {
      fail(l.rule, err);
    }
  }
}

function makeContext(
  rule: RuleModule<any>,
  severity: Severity,
  doc: SourceDocument,
  scope: Scope,
  config: ResolvedConfig,
  sink: (f: Finding) => void,
): RuleContext {
  const { meta } = rule;
  const message = (messageId: string, data?: Record<string, unknown>) => {
    const template = meta.messages[messageId];
    if (template === undefined) throw new TypeError(`Unknown messageId "${messageId}".`);
    return interpolate(template, data);
  };
  const toFix = (target: SourceDocument, d: FixDescriptor): Fix => {
    const edits = typeof d.edits === 'function' ? d.edits() : d.edits;
    return {
      messageId: d.messageId,
      desc: message(d.messageId, d.data),
      edits: edits.map((e) => ({ range: outerRange(target, e.range), text: e.text })),
    };
  };
  const report = (d: ReportDescriptor) => {
    const target = d.document ?? doc;
    if (d.fix && meta.fix !== 'safe') throw new TypeError(`Rule "${meta.id}" reported a fix but declares meta.fix "${meta.fix ?? 'none'}".`);
    if (d.suggest?.length && !meta.fix) throw new TypeError(`Rule "${meta.id}" reported suggestions but declares no meta.fix.`);
    const range = outerRange(target, rangeOf(d.node));
    const lowered = d.severity ? severityFromName(d.severity) : severity;
    const finding: Finding = {
      ruleId: meta.id,
      messageId: d.messageId,
      message: message(d.messageId, d.data),
      severity: (lowered === 0 ? severity : Math.min(severity, lowered)) as Severity,
      filePath: target.filePath,
      range,
      ...locate(target.outerSource ?? target.source, range),
    };
    if (d.path) finding.path = d.path;
    if (d.fix) finding.fix = toFix(target, d.fix);
    if (d.suggest?.length) finding.suggestions = d.suggest.map((s) => toFix(target, s));
    if (d.related?.length) finding.related = d.related.map((r) => related(r.document ?? target, r.node, r.message));
    sink(finding);
  };
  return new Context(meta.id, doc, config.settings, scope, report);
}

/**
 * A rule's context. `scopeFacts` is a getter of this class, not of each context: for an object
 * literal's own getter V8 allocates the accessor pair in the old generation, where it keeps the
 * context's document (its file's whole tree) alive through every young-generation collection
 * until the next full one. With a tree per file that made a third of a run garbage collection.
 */
class Context implements RuleContext {
  readonly filePath: string;
  readonly source: SourceText;
  #facts: Fact[] | undefined;

  constructor(
    readonly ruleId: string,
    readonly document: SourceDocument,
    readonly settings: Settings,
    readonly scope: Scope,
    readonly report: (descriptor: ReportDescriptor) => void,
  ) {
    this.filePath = document.filePath;
    this.source = document.source;
  }

  get scopeFacts(): readonly Fact[] {
    return (this.#facts ??= factsOfAll(this.scope.documents));
  }
}

function rangeOf(node: Locatable): Range {
  return node.range;
}

/** Maps a range of an (embedded) document into its file. */
export function outerRange(doc: SourceDocument, range: Range): Range {
  if (!doc.toOuter) return range;
  return [doc.toOuter(range[0]), doc.toOuter(range[1])];
}

function related(doc: SourceDocument, node: Locatable, message: string): RelatedLocation {
  const range = outerRange(doc, rangeOf(node));
  return { message, filePath: doc.filePath, range, ...locate(doc.outerSource ?? doc.source, range) };
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
