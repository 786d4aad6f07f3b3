import type { InputKind, ParseResult, SourceDocument } from '../model/document.js';
import type { BaseNode } from '../model/node.js';
import type { SourceText } from '../model/source.js';

/** What each input kind provides to the engine. */
export interface KindParser {
  kind: InputKind;
  /** Parses a whole file. Never throws on user input. */
  parse(source: SourceText, filePath: string): ParseResult;
  /**
   * Visits the document's nodes in text order, the root first. `types`, when given, names the
   * node types someone listens to; a parser may skip others (it may still visit them).
   */
  walk(document: SourceDocument, visit: (node: BaseNode) => void, types?: ReadonlySet<string>): void;
}
