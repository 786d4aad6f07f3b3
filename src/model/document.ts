import type { Finding } from './finding.js';
import type { BaseNode } from './node.js';
import type { Range, SourceText } from './source.js';

/** Every kind of input netlint reads (DESIGN.md, "Input kinds"). */
export const INPUT_KINDS = [
  'iptables',
  'nft',
  'cni',
  'docker-daemon',
  'kubernetes',
  'mesos',
  'ethtool-features',
  'conntrack-stats',
  'snmp-counters',
  'kernel',
  'sysctl',
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export function isInputKind(value: string): value is InputKind {
  return (INPUT_KINDS as readonly string[]).includes(value);
}

/** A `#`-style (or other) comment in the text, for inline directives. */
export interface SourceComment {
  text: string;
  range: Range;
}

/**
 * One parsed document: model nodes whose ranges index into `source`. A file gives one document,
 * or several (a multi-document YAML stream; CNI JSON embedded in a ConfigMap).
 */
export interface SourceDocument<R extends BaseNode = BaseNode> {
  kind: InputKind;
  filePath: string;
  /** The text the node ranges index into. For embedded documents, the inner text. */
  source: SourceText;
  root: R;
  /** Comments, in order, for inline directives. */
  comments: SourceComment[];
  /**
   * For an embedded document (CNI JSON in a YAML block scalar): maps an offset of `source`
   * to an offset of the outer file, so findings point into the file the user edits.
   */
  toOuter?: (offset: number) => number;
  /** The outer file's text, for embedded documents. */
  outerSource?: SourceText;
}

/** What a parser returns: never throws on user input. */
export interface ParseResult {
  documents: SourceDocument[];
  /** `parse-error` (and schema) findings, already located. */
  findings: Finding[];
}
