import type { InputKind, ParseResult, SourceDocument } from '../model/document.js';
import type { BaseNode } from '../model/node.js';
import type { SourceText } from '../model/source.js';

/** What each input kind provides to the engine. */
export interface KindParser {
  kind: InputKind;
  /** Parses a whole file. Never throws on user input. */
  parse(source: SourceText, filePath: string): ParseResult;
  /** Visits the document's nodes in text order, the root first. */
  walk(document: SourceDocument, visit: (node: BaseNode) => void): void;
}
