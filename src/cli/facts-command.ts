import { promises as fs } from 'node:fs';
import path from 'node:path';
import { discoverFiles } from '../engine/discover.js';
import { parseText, type ParsedFile } from '../engine/lint.js';
import { outerRange } from '../engine/lint.js';
import type { InputKind } from '../model/document.js';
import { factsOf } from '../model/extract/index.js';
import type { Fact } from '../model/facts.js';
import { locate } from '../model/finding.js';
import { detectKind } from '../parsers/detect.js';

/** A fact as `netlint facts` prints it: plain JSON, with where it came from instead of object links. */
export interface PrintedFact {
  type: string;
  filePath: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The model node type the fact came from (`IptablesRule`, `CniPlugin`...). */
  from: string;
  [key: string]: unknown;
}

/** Facts of a file's documents, ready to print. */
export function printableFacts(file: ParsedFile): PrintedFact[] {
  const out: PrintedFact[] = [];
  for (const doc of file.documents) {
    for (const fact of factsOf(doc)) out.push(printable(fact));
  }
  return out;
}

function printable(fact: Fact): PrintedFact {
  const { document, node, range, type, ...rest } = fact as Fact & { node?: { type: string } };
  const r = outerRange(document, range);
  const where = locate(document.outerSource ?? document.source, r);
  const plain = JSON.parse(JSON.stringify(rest, (key, value) => {
    if (typeof value === 'bigint') return value.toString();
    // SourceFix nodes and other model links: keep their type and range only.
    if (value && typeof value === 'object' && 'type' in value && 'range' in value && key !== '') return { type: value.type, range: value.range };
    return value;
  }));
  return { type, filePath: document.filePath, ...where, from: node?.type ?? type, ...plain };
}

/**
 * `netlint facts PATH...`: the facts every file states (SNAT points, interfaces, kernel...),
 * grouped by scope (the directory), as JSON. What rules reason about, made visible.
 */
export async function collectFacts(patterns: string[], cwd: string, kind?: InputKind): Promise<{ scope: string; facts: PrintedFact[] }[]> {
  const files = await discoverFiles(patterns, { cwd });
  const scopes = new Map<string, PrintedFact[]>();
  for (const f of files) {
    const text = await fs.readFile(f.filePath, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const k = kind ?? detectKind(f.filePath, text);
    if (!k) continue;
    const parsed = parseText(text, f.filePath, { kind: k });
    const scope = path.dirname(f.filePath);
    scopes.set(scope, [...(scopes.get(scope) ?? []), ...printableFacts(parsed)]);
  }
  return [...scopes].map(([scope, facts]) => ({ scope, facts }));
}
