import type { TextEdit } from '../model/finding.js';
import type { Range } from '../model/source.js';

type Spanned = { range: Range };

/** Inserts `text` right after a node. */
export function insertAfter(node: Spanned, text: string): TextEdit {
  return { range: [node.range[1], node.range[1]], text };
}

/** Inserts `text` right before a node. */
export function insertBefore(node: Spanned, text: string): TextEdit {
  return { range: [node.range[0], node.range[0]], text };
}

/** Replaces a node's text. */
export function replaceNode(node: Spanned, text: string): TextEdit {
  return { range: [node.range[0], node.range[1]], text };
}

/** Removes a node's text. */
export function removeNode(node: Spanned): TextEdit {
  return { range: [node.range[0], node.range[1]], text: '' };
}
