import type { Ajv, ValidateFunction } from 'ajv';
import { ajvLib } from './lazy-require.js';
import type { Severity, SeverityName } from '../model/finding.js';
import { ConfigError } from './errors.js';
import type { RuleEntry, RuleModule } from './types.js';

let ajv: Ajv | undefined;
const validators = new WeakMap<RuleModule<any>, ValidateFunction>();

/** Normalised severity of a config entry: 0 (off), 1 (warn) or 2 (error). */
export function entrySeverity(entry: RuleEntry | undefined): 0 | Severity {
  const raw = Array.isArray(entry) ? entry[0] : entry;
  switch (raw) {
    case 'error':
    case 2:
      return 2;
    case 'warn':
    case 1:
      return 1;
    case 'off':
    case 0:
    case undefined:
      return 0;
    default:
      throw new ConfigError(`Invalid severity ${JSON.stringify(raw)}: expected "off", "warn" or "error".`);
  }
}

export function severityFromName(name: SeverityName): 0 | Severity {
  return name === 'error' ? 2 : name === 'warn' ? 1 : 0;
}

/**
 * The rule's options for a config entry: the user's object merged over `defaultOptions`,
 * validated against `meta.schema` (compiled once per rule).
 */
export function resolveRuleOptions(rule: RuleModule<any>, entry: RuleEntry | undefined): Record<string, unknown> {
  const user = Array.isArray(entry) && entry.length > 1 ? entry[1] : undefined;
  if (user === undefined) return rule.meta.defaultOptions as Record<string, unknown>;
  if (rule.meta.schema) {
    let validate = validators.get(rule);
    if (!validate) {
      ajv ??= new (ajvLib().Ajv)({ allErrors: true, useDefaults: false, strict: false });
      validate = ajv.compile(rule.meta.schema);
      validators.set(rule, validate);
    }
    if (!validate(user)) {
      const err = validate.errors?.[0];
      const where = err?.instancePath ? ` at ${err.instancePath}` : '';
      const extra =
        err?.keyword === 'additionalProperties'
          ? ` (unknown option "${(err.params as { additionalProperty: string }).additionalProperty}")`
          : '';
      throw new ConfigError(`Invalid options for rule "${rule.meta.id}"${where}: ${err?.message ?? 'invalid'}${extra}.`);
    }
  } else if (Object.keys(user).length > 0) {
    throw new ConfigError(`Rule "${rule.meta.id}" takes no options.`);
  }
  return { ...(rule.meta.defaultOptions as Record<string, unknown>), ...user };
}

/** Replaces `{{name}}` by `data.name`; unknown placeholders stay as written. */
export function interpolate(template: string, data: Record<string, unknown> | undefined): string {
  if (!data) return template;
  const parts = templateParts(template);
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const { key, placeholder } = parts[i] as { key: string; placeholder: string };
    out += (key in data ? String(data[key]) : placeholder) + (parts[i + 1] as string);
  }
  return out;
}

/**
 * A message template cut at its placeholders: text, placeholder, text... (odd entries are the
 * placeholders). Cut once per template: messages are formatted for every finding.
 */
function templateParts(template: string): (string | { key: string; placeholder: string })[] {
  let parts = templates.get(template);
  if (!parts) {
    parts = [];
    let last = 0;
    for (const m of template.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)) {
      parts.push(template.slice(last, m.index), { key: m[1], placeholder: m[0] });
      last = m.index + m[0].length;
    }
    parts.push(template.slice(last));
    templates.set(template, parts);
  }
  return parts;
}

const templates = new Map<string, (string | { key: string; placeholder: string })[]>();
