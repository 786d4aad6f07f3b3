import type { SourceDocument } from '../model/document.js';
import type { K8sDocument } from '../model/kubernetes.js';
import type { Range } from '../model/source.js';

/**
 * True when the text of `range` is written verbatim in the file the user edits (always for a
 * file's own documents; for an embedded document, when the string holding it was decoded exactly
 * and this span was not escaped), so a replacement there means the same thing.
 */
export function editableInFile(document: SourceDocument, range: Range): boolean {
  if (!document.toOuter || !document.outerSource) return true;
  if ((document.root as K8sDocument).embeddedIn?.exact === false) return false;
  const inner = document.source.text.slice(range[0], range[1]);
  return document.outerSource.text.slice(document.toOuter(range[0]), document.toOuter(range[1])) === inner;
}

/** `text` quoted as the scalar at `range` was (double, single or plain). */
export function quotedLike(document: SourceDocument, range: Range, text: string): string {
  const quote = document.source.text[range[0]];
  if (quote === '"') return JSON.stringify(text);
  if (quote === "'") return `'${text}'`;
  return text;
}
