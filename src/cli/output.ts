import { promises as fs } from 'node:fs';
import path from 'node:path';
import { builtinRegistry } from '../engine/builtin.js';
import type { RuleRegistry } from '../engine/registry.js';
import type { LintFileResult } from '../engine/lint.js';
import { netlintVersion } from '../engine/package-root.js';
import { UsageError } from '../engine/errors.js';
import { toEslintResults } from '../formatters/eslint-results.js';
import type { LoadedFormatter } from '../formatters/load.js';
import { rulesMetaFor } from '../formatters/rules-meta.js';
import type { Formatter, FormatterRuleMeta } from '../formatters/types.js';
import { ruleReadme } from '../engine/package-root.js';
import type { OutputTarget } from './args.js';
import type { CliOutput } from './stdio.js';

/** Built-in formatters by name, each loaded only when asked for (start-up time). */
const BUILTIN: Record<string, () => Promise<Formatter>> = {
  stylish: async () => (await import('../formatters/stylish.js')).stylish,
  json: async () => (await import('../formatters/json.js')).json,
  sarif: async () => (await import('../formatters/sarif.js')).sarif,
  junit: async () => (await import('../formatters/junit.js')).junit,
  github: async () => (await import('../formatters/github.js')).github,
  checkstyle: async () => (await import('../formatters/checkstyle.js')).checkstyle,
  compact: async () => (await import('../formatters/compact.js')).compact,
};

/** `loadFormatter` of src/formatters, loading a built-in formatter's module only when it is used. */
async function loadFormatter(name: string, cwd: string): Promise<LoadedFormatter> {
  if (Object.hasOwn(BUILTIN, name)) {
    const format = await BUILTIN[name]();
    return async (results, context) => format(results, context);
  }
  return (await import('../formatters/load.js')).loadExternalFormatter(name, cwd);
}

export interface OutputOptions {
  cwd: string;
  /** The run's rules (built-in, plugins, policies), for formatters' rule metadata. */
  registry?: RuleRegistry;
  color: boolean;
  stdout: CliOutput;
}

/** Renders results in every requested format, to stdout or files (written atomically). */
export async function writeOutputs(results: LintFileResult[], outputs: OutputTarget[], options: OutputOptions): Promise<void> {
  const eslintResults = toEslintResults(results, { cwd: options.cwd });
  // Rule READMEs become SARIF's help text; other formats do not read them.
  const rulesMeta = rulesMetaOf(options.registry ?? builtinRegistry(), outputs.some((o) => o.format === 'sarif'));
  for (const out of outputs) {
    let formatter;
    try {
      formatter = await loadFormatter(out.format, options.cwd);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const text = await formatter(eslintResults, {
      cwd: options.cwd,
      rulesMeta,
      color: out.file ? false : options.color,
      toolVersion: netlintVersion(),
    });
    if (out.file) {
      const file = path.resolve(options.cwd, out.file);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, text);
      await fs.rename(tmp, file);
    } else if (text) {
      // The newline on its own: `${text}\n` would copy megabytes of JSON once more.
      options.stdout.write(text);
      if (!text.endsWith('\n')) options.stdout.write('\n');
    }
  }
}

/** Rule metadata for formatters, with help text from each rule's README (SARIF `help`). */
function rulesMetaOf(registry: RuleRegistry, withHelp: boolean): Record<string, FormatterRuleMeta> {
  const rules = registry.all();
  const meta = rulesMetaFor(rules);
  if (!withHelp) return meta;
  for (const rule of rules) {
    const readme = ruleReadme(rule.meta.id);
    if (!readme) continue;
    const why = /^## Why\s*\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1].trim();
    meta[rule.meta.id] = {
      ...meta[rule.meta.id],
      ...(why ? { helpText: why.replace(/\s*\n\s*/g, ' ') } : {}),
      helpMarkdown: readme,
    };
  }
  return meta;
}
