import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigResolver } from '../config/resolver.js';
import { CONFIG_FILE_NAMES } from '../config/source.js';
import { UsageError } from '../engine/errors.js';
import { builtinRegistry } from '../engine/builtin.js';
import { discoverFiles } from '../engine/discover.js';
import { recommendedConfig } from '../engine/presets.js';
import { entrySeverity } from '../engine/rule-options.js';
import type { InputKind } from '../model/document.js';
import { detectKind } from '../parsers/detect.js';

/** How `netlint init` names a kind in its report. */
const KIND_NAMES: Record<InputKind, [string, string]> = {
  iptables: ['iptables dump', 'iptables dumps'],
  nft: ['nft ruleset', 'nft rulesets'],
  cni: ['CNI config', 'CNI configs'],
  'docker-daemon': ['Docker daemon.json', 'Docker daemon.json files'],
  kubernetes: ['Kubernetes manifest', 'Kubernetes manifests'],
  mesos: ['Mesos config', 'Mesos configs'],
  'ethtool-features': ['ethtool -k output', 'ethtool -k outputs'],
  'conntrack-stats': ['conntrack statistics file', 'conntrack statistics files'],
  'snmp-counters': ['SNMP counters file', 'SNMP counters files'],
  kernel: ['kernel version file', 'kernel version files'],
  sysctl: ['sysctl file', 'sysctl files'],
};

/** Folders of other people's code, and folders of test inputs (often broken on purpose). */
const VENDORED = /^(?:vendor|vendored|third[_-]party|external|deps)$/;
const TEST_INPUTS = /^(?:testdata|test-data|fixtures|__fixtures__|test-fixtures)$/;

export interface InitOptions {
  cwd: string;
  force: boolean;
}

export interface InitReport {
  /** The config file written. */
  file: string;
  text: string;
  /** Inputs found, per kind (files outside the ignored folders). */
  kinds: Partial<Record<InputKind, number>>;
  ignores: { pattern: string; why: string }[];
  /** Lines to print. */
  summary: string[];
}

/**
 * `netlint init`: looks at what the folder contains (the same discovery and kind detection as
 * `lint`) and writes a starter `netlint.config.yaml`: `extends: [netlint:recommended]`, a
 * commented `settings.internalNetworks`, `ignores` for vendored code, test inputs and unrendered
 * Helm templates it finds, and an override for example folders. Refuses to replace a config
 * unless `force`.
 */
export async function initConfig(options: InitOptions): Promise<InitReport> {
  const { cwd } = options;
  const file = path.join(cwd, 'netlint.config.yaml');
  const existing = CONFIG_FILE_NAMES.filter((name) => existsSync(path.join(cwd, name)));
  if (existing.length > 0 && !options.force) {
    throw new UsageError(`${existing[0]} already exists: netlint init does not replace a config (use --force to write netlint.config.yaml anyway).`);
  }

  const files = (await discoverFiles(['.'], { cwd })).filter((f) => !(CONFIG_FILE_NAMES as readonly string[]).includes(path.basename(f.filePath)));
  const found: { rel: string; kind: InputKind; templated: boolean }[] = [];
  // Configs of subfolders stay in force there: what their `ignores` exclude is not counted.
  const nested = await ConfigResolver.create({ cwd });
  const ignoredByNested = async (filePath: string) => {
    try {
      const loaded = await nested.prepare(filePath);
      const dir = loaded ? path.dirname(loaded.filePath) : undefined;
      return !!dir && dir !== cwd && !path.relative(cwd, dir).startsWith('..') && nested.isIgnored(filePath);
    } catch {
      return false;
    }
  };
  for (const f of files) {
    if (await ignoredByNested(f.filePath)) continue;
    let text: string;
    try {
      text = readFileSync(f.filePath, 'utf8');
    } catch {
      continue;
    }
    if (text.includes('\u0000')) continue;
    const kind = detectKind(f.filePath, text);
    if (!kind) continue;
    const rel = path.relative(cwd, f.filePath).split(path.sep).join('/');
    found.push({ rel, kind, templated: kind === 'kubernetes' && /\{\{[-\s]/.test(text) });
  }

  const ignores: { pattern: string; why: string }[] = [];
  const addIgnore = (pattern: string, why: string) => {
    if (!ignores.some((i) => i.pattern === pattern)) ignores.push({ pattern, why });
  };
  // Folder names anywhere: `vendor/**` when only at the top, `**/fixtures/**` when deeper too.
  for (const [re, why] of [
    [VENDORED, 'vendored code: not yours to fix'],
    [TEST_INPUTS, 'test inputs, often invalid on purpose'],
  ] as const) {
    const hits = new Map<string, boolean>();
    for (const { rel } of found) {
      const parts = rel.split('/').slice(0, -1);
      parts.forEach((part, i) => {
        if (re.test(part)) hits.set(part, (hits.get(part) ?? true) && i === 0);
      });
    }
    for (const [name, topOnly] of [...hits].sort()) addIgnore(topOnly ? `${name}/**` : `**/${name}/**`, why);
  }
  // Helm charts: templates are not YAML until rendered.
  for (const { rel, templated } of found) {
    const dir = path.posix.dirname(rel);
    if (!templated || path.posix.basename(dir) !== 'templates') continue;
    const chart = path.posix.dirname(dir);
    if (existsSync(path.join(cwd, chart, 'Chart.yaml'))) addIgnore(`${chart === '.' ? '' : `${chart}/`}templates/**`, 'Helm templates: lint the rendered output (helm template ... | netlint lint --stdin --stdin-filename rendered.yaml)');
  }

  const matchers = ignores.map((i) => globToRegExp(i.pattern));
  const linted = found.filter((f) => !matchers.some((m) => m.test(f.rel)));
  const kinds: Partial<Record<InputKind, number>> = {};
  for (const f of linted) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
  // Example folders (`examples/`, `samples/`) document what is wrong on purpose: warnings there.
  const inExamples = linted.filter((f) => f.rel.includes('/') && /^(?:examples?|samples?|demos?)$/.test(f.rel.split('/')[0]));
  const examples = [...new Set(inExamples.map((f) => f.rel.split('/')[0]))].sort();
  const exampleKinds = new Set(inExamples.map((f) => f.kind));
  const registry = builtinRegistry();
  const recommended = recommendedConfig(registry).rules;
  const lowered = registry
    .all()
    .filter((r) => entrySeverity(recommended[r.meta.id]) === 2 && r.meta.inputs.some((k) => exampleKinds.has(k)))
    .map((r) => r.meta.id);

  const described = describeKinds(kinds);
  const lines: string[] = [];
  lines.push('# netlint configuration (docs/configuration.md lists every key).');
  lines.push(`# Written by \`netlint init\`${described ? ` for ${described}` : ''}.`);
  lines.push('extends: [netlint:recommended]');
  lines.push('');
  lines.push('# Networks reached without NAT (VPC CIDRs, on-premises ranges, service endpoints): SNAT of');
  lines.push('# traffic to them is reported by snat-to-in-vpc-services. Uncomment and list yours.');
  lines.push('# settings:');
  lines.push('#   internalNetworks: [10.0.0.0/8, "fd00::/8"]');
  if (ignores.length) {
    lines.push('');
    lines.push('ignores:');
    for (const i of ignores) lines.push(`  - ${yamlString(i.pattern)} # ${i.why}`);
  }
  if (examples.length && lowered.length) {
    lines.push('');
    lines.push('overrides:');
    lines.push('  # Examples may show problems on purpose: still reported, as warnings (exit code 0).');
    lines.push(`  - files: [${examples.map((e) => yamlString(`${e}/**`)).join(', ')}]`);
    lines.push('    rules:');
    for (const id of lowered) lines.push(`      ${id}: warn`);
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(file, text);

  const summary: string[] = [];
  summary.push(found.length === 0 ? 'netlint init: found no files netlint reads here (yet).' : `netlint init: found ${described || 'nothing to lint outside ignored folders'}.`);
  for (const i of ignores) summary.push(`  ignores ${i.pattern} (${i.why})`);
  if (lowered.length) for (const e of examples) summary.push(`  override: errors are warnings in ${e}/ (examples)`);
  if (existing.length > 0) {
    const others = existing.filter((n) => n !== 'netlint.config.yaml');
    if (others.length) summary.push(`  note: ${others.join(', ')} is still there; netlint.config.yaml takes precedence.`);
  }
  summary.push(`wrote netlint.config.yaml; next: netlint lint`);
  return { file, text, kinds, ignores, summary };
}

function describeKinds(kinds: Partial<Record<InputKind, number>>): string {
  const parts = (Object.entries(kinds) as [InputKind, number][])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([kind, n]) => `${n} ${KIND_NAMES[kind][n === 1 ? 0 : 1]}`);
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** A YAML scalar for a glob: quoted, since `*` starts an alias in plain YAML. */
function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** The few glob forms init writes (`a/**`, `**\/a/**`), as a regular expression over relative paths. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .split('/')
    .map((seg) => (seg === '**' ? '\u0000' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')))
    .join('/')
    .replace(/\u0000\//g, '(?:.*/)?')
    .replace(/\/\u0000$/, '/.*')
    .replace(/\u0000/g, '.*');
  return new RegExp(`^${escaped}$`);
}
