import type { InputKind, SourceDocument } from '../model/document.js';
import type { Fix, Finding, Severity, SeverityName, TextEdit } from '../model/finding.js';
import type { BaseNode } from '../model/node.js';
import type { Range, SourceText } from '../model/source.js';
import type { NodeTypeMap } from './node-types.js';
import type { Fact } from '../model/facts.js';

export type RuleCategory = 'correctness' | 'security' | 'reliability' | 'performance' | 'style' | 'nursery';

/** JSON Schema object, as ajv takes it. */
export type JsonSchema = Record<string, unknown>;

export interface RuleMeta<O> {
  /** kebab-case, subject then condition. */
  id: string;
  /** Input kinds whose documents the rule looks at. */
  inputs: readonly InputKind[];
  category: RuleCategory;
  /** One line, imperative: what the rule requires. */
  description: string;
  /** Message templates keyed by camelCase ids, with `{{placeholders}}`. */
  messages: Record<string, string>;
  /** `safe`: may give fixes that `--fix` applies (and suggestions); `suggestion`: suggestions only. */
  fix?: 'safe' | 'suggestion';
  /** Severity in `netlint:recommended`; `off` keeps it out of that preset. */
  recommended?: SeverityName;
  schema?: JsonSchema;
  defaultOptions: O;
  /** Documentation link; defaults to the rule's README. */
  docs?: string;
}

/** A place to point at: a node, or a bare range in the current document. */
export type Locatable = BaseNode | { range: Range };

export interface FixDescriptor {
  messageId: string;
  data?: Record<string, unknown>;
  edits: TextEdit[] | (() => TextEdit[]);
}

export interface RelatedDescriptor {
  node: Locatable;
  message: string;
  /** The document the node belongs to, when it is not the reporting one. */
  document?: SourceDocument;
}

export interface ReportDescriptor {
  node: Locatable;
  messageId: string;
  data?: Record<string, unknown>;
  /** A safe fix; only for rules whose `meta.fix` is `safe`. */
  fix?: FixDescriptor;
  suggest?: FixDescriptor[];
  related?: RelatedDescriptor[];
  /** Lowers (never raises) the configured severity for this finding. */
  severity?: SeverityName;
  /** The document the node belongs to, when it is not the one being visited. */
  document?: SourceDocument;
  /** JSON path of the node, for JSON/YAML inputs. */
  path?: (string | number)[];
}

/** Settings shared by all rules (`settings` in the config). */
export interface Settings {
  /** VPC CIDRs, on-prem ranges, service endpoints that should not be SNATed. */
  internalNetworks?: string[];
  [key: string]: unknown;
}

/** Documents of one node's (or one manifest set's) evidence, linted together. */
export interface Scope {
  id: string;
  documents: SourceDocument[];
}

export interface RuleContext {
  readonly ruleId: string;
  readonly filePath: string;
  readonly document: SourceDocument;
  readonly source: SourceText;
  readonly settings: Settings;
  readonly scope: Scope;
  /** Facts of every document of the scope (extracted once per document). */
  readonly scopeFacts: readonly Fact[];
  report(descriptor: ReportDescriptor): void;
}

/** Handlers keyed by model node type or fact type (facts of the visited document come after its nodes). */
export type RuleHandlers = {
  [K in keyof NodeTypeMap]?: (node: NodeTypeMap[K]) => void;
} & {
  /** After every node of the document was visited. */
  'Document:exit'?: () => void;
};

export interface RuleModule<O = unknown> {
  meta: RuleMeta<O>;
  create(context: RuleContext, options: O): RuleHandlers;
}

/** An entry of `rules` in the config: severity, optionally with options. */
export type RuleEntry = SeverityName | Severity | 0 | [SeverityName | Severity | 0, Record<string, unknown>?];

/** The config in force for one file, after extends/overrides were resolved. */
export interface ResolvedConfig {
  rules: Record<string, RuleEntry>;
  settings: Settings;
  /** How the linter itself behaves (`linterOptions` in the config). */
  linterOptions?: {
    /** Severity of disable directives that suppress nothing; `warn` when absent. */
    reportUnusedDisableDirectives?: SeverityName;
  };
  /** Policy files (absolute paths, sorted) from `policies` and plugins, for the policy engine. */
  policies?: string[];
  /** Plugin names whose rules are available (prefixes of their rule ids). */
  plugins?: string[];
  /** The config file in force (nearest, or `--config`) first, then the config files it extends. */
  configFiles?: string[];
}

export type { Finding, Fix };
