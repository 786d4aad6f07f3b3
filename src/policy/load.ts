import { readFileSync } from 'node:fs';
import { ConfigError } from '../engine/errors.js';
import type { RuleModule } from '../engine/types.js';
import { SourceText } from '../model/source.js';
import { getProperty, nodeAtPath, toPlainValue, type JsonPath } from '../parsers/json/index.js';
import { compilePolicy, type PolicyOptions } from './compile.js';
import { parsePolicyYaml } from './value-tree.js';

/** Rules compiled from policy files. */
export interface LoadedPolicies {
  rules: RuleModule<PolicyOptions>[];
}

/**
 * Reads policy files (YAML, one policy per document; JSON works too) and compiles every policy
 * into a rule. Throws a `ConfigError` naming the file, line and column of the first problem: an
 * unreadable file, a YAML error, a policy that does not match `schemas/netlint-policy.schema.json`,
 * an invalid JSON Schema or regex in it, or an id used twice.
 */
export function loadPolicies(files: readonly string[]): LoadedPolicies {
  const rules: RuleModule<PolicyOptions>[] = [];
  const origin = new Map<string, string>();
  for (const filePath of files) {
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch (err) {
      throw new ConfigError(`Cannot read the policy file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, filePath);
    }
    for (const { rule, line, column } of parsePolicies(text, filePath)) {
      const previous = origin.get(rule.meta.id);
      if (previous !== undefined) {
        throw new ConfigError(`Duplicate policy id "${rule.meta.id}" (first defined in ${previous}).`, filePath, line, column);
      }
      origin.set(rule.meta.id, `${filePath}:${line}`);
      rules.push(rule);
    }
  }
  return { rules };
}

/** A policy compiled from text, with the position of its document. */
export interface ParsedPolicy {
  rule: RuleModule<PolicyOptions>;
  line: number;
  column: number;
}

/**
 * Compiles the policies of one file's text (`filePath` names it in errors). Empty documents are
 * skipped. Throws a located `ConfigError`.
 */
export function parsePolicies(text: string, filePath: string): ParsedPolicy[] {
  const source = new SourceText(text);
  const docs = parsePolicyYaml(text);
  const broken = docs.find((d) => d.error);
  if (broken?.error) {
    const { line, column } = source.positionAt(broken.error.offset);
    throw new ConfigError(`Invalid YAML: ${broken.error.message.replace(/\.?\s*$/, '')}.`, filePath, line, column);
  }
  const out: ParsedPolicy[] = [];
  for (const doc of docs) {
    if (!doc.tree) continue;
    const root = doc.tree.root;
    const locate = (path: JsonPath, target: 'key' | 'value') => {
      let node = nodeAtPath(root, path);
      let depth = path.length;
      while (!node && depth > 0) node = nodeAtPath(root, path.slice(0, --depth));
      if (!node) return source.positionAt(root.range[0]);
      if (target === 'key' && depth === path.length && node.property) return source.positionAt(node.property.keyRange[0]);
      if (target === 'key' && depth < path.length && node.type === 'JsonObject') {
        const prop = getProperty(node, String(path[depth]));
        if (prop) return source.positionAt(prop.keyRange[0]);
      }
      return source.positionAt(node.range[0]);
    };
    const rule = compilePolicy(toPlainValue(root), { filePath, locate });
    out.push({ rule, ...source.positionAt(root.range[0]) });
  }
  return out;
}
