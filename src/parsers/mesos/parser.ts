import type { ParseResult, SourceComment, SourceDocument } from '../../model/document.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import {
  classifyMarathonMode,
  type MarathonApp,
  type MarathonNetwork,
  type MarathonPod,
  type MesosAgentFlags,
  type MesosDocument,
  type MesosFlag,
} from '../../model/mesos.js';
import type { BaseNode } from '../../model/node.js';
import type { Range, SourceText } from '../../model/source.js';
import { getArray, getObject, getProperty, nodeAtPath, parseJson, readSetting, type JsonObject, type JsonProblem, type JsonValue } from '../json/index.js';

/** Keys that make a JSON object a Marathon app or pod (Marathon REST API). */
const MARATHON_KEYS = ['cmd', 'args', 'container', 'containers', 'instances', 'networks', 'ipAddress', 'portDefinitions', 'scaling', 'healthChecks'];
/** Nesting of Marathon groups. */
const MAX_GROUP_DEPTH = 16;

/**
 * Parses Mesos agent flags (a JSON object of flags, `--flag=value` files, `MESOS_FLAG=value` env
 * files) and Marathon app/pod JSON (one definition, an array, or groups with `apps`/`pods`).
 * Never throws; a broken JSON file gives one `parse-error`.
 */
export function parseMesos(source: SourceText, filePath: string): ParseResult {
  const text = source.text;
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0];
  if (first === '{' || first === '[') return parseMesosJson(source, filePath);
  const { flags, comments } = parseFlagLines(text);
  const root: MesosDocument = { type: 'MesosDocument', range: [0, text.length], format: 'flags', apps: [], pods: [] };
  if (flags.length) root.agentFlags = agentFlags(flags, [flags[0].range[0], flags[flags.length - 1].range[1]]);
  return { documents: [{ kind: 'mesos', filePath, source, root, comments }], findings: [] };
}

function parseMesosJson(source: SourceText, filePath: string): ParseResult {
  const parsed = parseJson(source.text);
  const findings: Finding[] = [];
  // Mesos (picojson/stout) and Marathon (Jackson) read strict JSON, but a BOM is harmless to neither.
  const problems = parsed.problems.filter((p) => p.code !== 'bom');
  const error = problemFinding(source, filePath, problems);
  if (error) findings.push(error);
  if (!parsed.root || !parsed.complete) return { documents: [], findings };
  const root: MesosDocument = { type: 'MesosDocument', range: parsed.root.range, format: 'json', apps: [], pods: [], node: parsed.root };
  const node = parsed.root;
  if (node.type === 'JsonArray') {
    for (const item of node.items) if (item.type === 'JsonObject') collectRunSpecs(item, root, 0);
  } else if (node.type === 'JsonObject') {
    if (isMarathon(node)) collectRunSpecs(node, root, 0);
    else root.agentFlags = agentFlags(jsonFlags(node), node.range);
  }
  const document: SourceDocument = { kind: 'mesos', filePath, source, root, comments: parsed.comments };
  return { documents: [document], findings };
}

function problemFinding(source: SourceText, filePath: string, problems: JsonProblem[]): Finding | undefined {
  const first = problems[0];
  if (!first) return undefined;
  const more = problems.length > 1 ? ` (${problems.length - 1} more JSON problem${problems.length > 2 ? 's' : ''} after this one)` : '';
  const why = first.code === 'comment' || first.code === 'trailing-comma' ? ': Mesos and Marathon read strict JSON' : '';
  return engineFinding(source, filePath, 'parse-error', `${first.message}${why}${more}.`, first.range);
}

function isMarathon(node: JsonObject): boolean {
  if (getArray(node, 'apps') || getArray(node, 'pods') || getArray(node, 'groups')) return true;
  return getProperty(node, 'id') !== undefined && MARATHON_KEYS.some((k) => getProperty(node, k));
}

function collectRunSpecs(node: JsonObject, root: MesosDocument, depth: number): void {
  if (depth > MAX_GROUP_DEPTH) return;
  const groupish = getArray(node, 'apps') || getArray(node, 'pods') || getArray(node, 'groups');
  if (groupish) {
    for (const key of ['apps', 'pods', 'groups']) {
      for (const item of getArray(node, key)?.items ?? []) {
        if (item.type !== 'JsonObject') continue;
        if (key === 'groups') collectRunSpecs(item, root, depth + 1);
        else if (key === 'pods') root.pods.push(podOf(item));
        else root.apps.push(appOf(item));
      }
    }
    return;
  }
  if (getArray(node, 'containers')) root.pods.push(podOf(node));
  else root.apps.push(appOf(node));
}

function networksOf(node: JsonObject): MarathonNetwork[] {
  const out: MarathonNetwork[] = [];
  for (const item of getArray(node, 'networks')?.items ?? []) {
    if (item.type !== 'JsonObject') continue;
    const modeSetting = readSetting(item, 'mode', 'string');
    // Marathon's default mode for a `networks` entry is `container`.
    const mode = modeSetting?.value ?? 'container';
    const network: MarathonNetwork = { type: 'MarathonNetwork', range: item.range, mode, classification: classifyMarathonMode(mode), legacy: false, node: item };
    if (modeSetting) network.modeSetting = modeSetting;
    const name = readSetting(item, 'name', 'string');
    if (name) network.name = name;
    out.push(network);
  }
  return out;
}

function podOf(node: JsonObject): MarathonPod {
  const pod: MarathonPod = { type: 'MarathonPod', range: node.range, networks: networksOf(node), node };
  const id = readSetting(node, 'id', 'string');
  if (id) pod.id = id;
  return pod;
}

/** Legacy `container.docker.network` values and the modes they became (Marathon 1.5 migration). */
const LEGACY_MODES: Record<string, string> = { HOST: 'host', BRIDGE: 'container/bridge', USER: 'container' };

function appOf(node: JsonObject): MarathonApp {
  const app: MarathonApp = { type: 'MarathonApp', range: node.range, networks: networksOf(node), node };
  const id = readSetting(node, 'id', 'string');
  if (id) app.id = id;
  const docker = nodeAtPath(node, ['container', 'docker']);
  const legacy = docker?.type === 'JsonObject' ? readSetting(docker, 'network', 'string') : undefined;
  if (legacy) app.legacyNetwork = legacy;
  const ipAddress = getObject(node, 'ipAddress');
  if (ipAddress) {
    app.ipAddress = { node: ipAddress };
    const networkName = readSetting(ipAddress, 'networkName', 'string');
    if (networkName) app.ipAddress.networkName = networkName;
  }
  if (getProperty(node, 'networks') === undefined) {
    if (legacy) {
      const mode = LEGACY_MODES[legacy.value.toUpperCase()] ?? legacy.value;
      const network: MarathonNetwork = {
        type: 'MarathonNetwork',
        range: legacy.property.range,
        mode,
        classification: classifyMarathonMode(mode),
        modeSetting: legacy,
        legacy: true,
        node: legacy.property.parent,
      };
      if (app.ipAddress?.networkName) network.name = app.ipAddress.networkName;
      app.networks.push(network);
    } else if (app.ipAddress) {
      // IP-per-task without Docker: the Mesos containerizer on a CNI network.
      const network: MarathonNetwork = {
        type: 'MarathonNetwork',
        range: getProperty(node, 'ipAddress')!.range,
        mode: 'container',
        classification: 'routed',
        legacy: true,
        node: app.ipAddress.node,
      };
      if (app.ipAddress.networkName) network.name = app.ipAddress.networkName;
      app.networks.push(network);
    }
  }
  return app;
}

function jsonFlags(node: JsonObject): MesosFlag[] {
  const flags: MesosFlag[] = [];
  for (const property of node.properties) {
    const value = property.value;
    if (!value) continue;
    const text =
      value.type === 'JsonLiteral'
        ? value.value === null
          ? ''
          : String(value.value)
        : JSON.stringify(toPlain(value));
    flags.push({
      type: 'MesosFlag',
      range: property.range,
      name: property.key,
      value: text,
      nameRange: property.keyRange,
      valueRange: value.range,
      source: 'json',
      property,
    });
  }
  return flags;
}

function toPlain(node: JsonValue): unknown {
  if (node.type === 'JsonLiteral') return node.value;
  if (node.type === 'JsonArray') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const p of node.properties) if (p.value) Object.defineProperty(out, p.key, { value: toPlain(p.value), enumerable: true });
  return out;
}

function agentFlags(flags: MesosFlag[], range: Range): MesosAgentFlags {
  const view: MesosAgentFlags = { type: 'MesosAgentFlags', range, flags, isolators: [] };
  for (const f of flags) if (f.name === 'isolation') view.isolation = f;
  if (view.isolation) view.isolators = view.isolation.value.split(',').map((s) => s.trim()).filter(Boolean);
  return view;
}

const ENV_LINE = /^[ \t]*(?:export[ \t]+)?MESOS_([A-Za-z0-9_]+)=/;

/**
 * `--flag=value` tokens anywhere on a line (a flags file, or a command line such as a systemd
 * `ExecStart`), and `MESOS_FLAG=value` / `export MESOS_FLAG=value` env lines. `#` starts a
 * comment at the start of a line or after whitespace. Quotes group; `\` at the end of a line continues it.
 */
function parseFlagLines(text: string): { flags: MesosFlag[]; comments: SourceComment[] } {
  const flags: MesosFlag[] = [];
  const comments: SourceComment[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const env = ENV_LINE.exec(text.slice(pos, end));
    if (env) flags.push(envFlag(text, pos, end, env));
    else scanTokens(text, pos, end, flags, comments);
    pos = nl + 1;
  }
  return { flags, comments };
}

function envFlag(text: string, lineStart: number, lineEnd: number, m: RegExpExecArray): MesosFlag {
  const nameStart = lineStart + m[0].length - m[1].length - 'MESOS_='.length;
  const valueStart = lineStart + m[0].length;
  const token = readToken(text, valueStart, lineEnd);
  return {
    type: 'MesosFlag',
    range: [nameStart, Math.max(token.end, valueStart)],
    name: m[1].toLowerCase(),
    value: token.value,
    nameRange: [nameStart, valueStart - 1],
    valueRange: [valueStart, token.end],
    source: 'env',
  };
}

function scanTokens(text: string, start: number, end: number, flags: MesosFlag[], comments: SourceComment[]): void {
  let i = start;
  while (i < end) {
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= end) break;
    if (text[i] === '#') {
      comments.push({ text: text.slice(i, end), range: [i, end] });
      return;
    }
    const token = readToken(text, i, end);
    if (text.startsWith('--', i) && /[A-Za-z]/.test(text[i + 2] ?? '')) flags.push(cliFlag(text, i, token));
    i = Math.max(token.end, i + 1);
  }
}

/** A shell-like word: unquoted runs and quoted parts, up to whitespace (or a `#` comment after one). */
function readToken(text: string, start: number, end: number): { value: string; end: number } {
  let value = '';
  let i = start;
  while (i < end && text[i] !== ' ' && text[i] !== '\t') {
    const c = text[i];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      const stop = close === -1 || close >= end ? end : close;
      value += text.slice(i + 1, stop);
      i = stop + (stop < end ? 1 : 0);
    } else if (c === '\\' && i + 1 === end) {
      i++;
    } else {
      value += c;
      i++;
    }
  }
  return { value, end: i };
}

function cliFlag(text: string, start: number, token: { value: string; end: number }): MesosFlag {
  const eq = text.indexOf('=', start);
  const hasValue = eq !== -1 && eq < token.end;
  const nameEnd = hasValue ? eq : token.end;
  let name = text.slice(start + 2, nameEnd);
  let value = 'true';
  if (hasValue) value = token.value.slice(token.value.indexOf('=') + 1);
  else if (name.startsWith('no-')) {
    name = name.slice(3);
    value = 'false';
  }
  const flag: MesosFlag = { type: 'MesosFlag', range: [start, token.end], name, value, nameRange: [start, nameEnd], source: 'cli' };
  if (hasValue) flag.valueRange = [eq + 1, token.end];
  return flag;
}

/** Visits the document, its agent flags and each flag, then apps and pods with their networks. */
export function walkMesos(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as MesosDocument;
  visit(root);
  if (root.agentFlags) {
    visit(root.agentFlags);
    for (const flag of root.agentFlags.flags) visit(flag);
  }
  const specs = [...root.apps, ...root.pods].sort((a, b) => a.range[0] - b.range[0]);
  for (const spec of specs) {
    visit(spec);
    for (const network of spec.networks) visit(network);
  }
}
