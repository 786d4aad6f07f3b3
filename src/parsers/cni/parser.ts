import type { ParseResult, SourceDocument } from '../../model/document.js';
import type { CniConfig, CniIpam, CniPlugin, CniSysctl, FlannelNetConfig } from '../../model/cni.js';
import type { BaseNode } from '../../model/node.js';
import type { SourceText } from '../../model/source.js';
import { baseName } from '../file-name.js';
import {
  asObject,
  asString,
  getArray,
  getObject,
  getProperty,
  jsonParseErrorFinding,
  parseJson,
  readSetting,
  settingOf,
  walkJson,
  JSON_NODE_TYPES,
  type JsonObject,
  type JsonProblem,
  type JsonProperty,
  type JsonSetting,
  type JsonValue,
  type SettingKind,
} from '../json/index.js';

/** How parse errors name the program that reads CNI files. */
export const CNI_READER = 'libcni (the CNI library container runtimes use)';

export interface CniParseOptions {
  /**
   * Read the text as an install template: bare `__NAME__` tokens are not errors, and schema
   * checks skip values that are whole tokens. Default: true for `*.template` file names.
   * Callers that extract CNI JSON from a manifest (Calico's `cni_network_config`) set it.
   */
  template?: boolean;
}

/** Plugins whose `delegate` object is itself a plugin config (flannel-io/cni-plugin, apache/mesos). */
const DELEGATING_PLUGINS: Record<string, { impliedType?: string }> = {
  // flannel defaults the delegate's type to bridge (and its ipMasq to !FLANNEL_IPMASQ).
  flannel: { impliedType: 'bridge' },
  'mesos-cni-port-mapper': {},
};

/**
 * Parses a CNI network configuration (`.conf`, `.conflist`, `.json`, `.jsonc`, install templates)
 * or flanneld's `net-conf.json`. Never throws.
 *
 * Runtimes read these files with libcni, i.e. Go's encoding/json, which rejects comments, trailing
 * commas, a BOM and bare template tokens. Each of those gives one fatal `parse-error` (severity
 * error) at the first offending offset, but the tree from jsonc-parser's tolerant parse is still
 * returned, so rules also report on the rest of the file. Real syntax errors give the
 * `parse-error` and no document.
 */
export function parseCni(source: SourceText, filePath: string, options: CniParseOptions = {}): ParseResult {
  const base = baseName(filePath);
  const isTemplate = options.template ?? /\.template$/i.test(base);
  const parsed = parseJson(source.text, { placeholders: true, templateStrings: isTemplate });
  const problems: JsonProblem[] = [...parsed.problems];
  if (!isTemplate) {
    for (const p of parsed.placeholders) {
      if (p.quoted) continue;
      problems.push({
        code: 'placeholder',
        message: `Invalid bare token ${p.name}: an install-template placeholder that was never rendered`,
        range: p.range,
        recoverable: true,
      });
    }
    problems.sort((a, b) => a.range[0] - b.range[0]);
  }
  const finding = jsonParseErrorFinding(source, filePath, problems, { reader: CNI_READER });
  const findings = finding ? [finding] : [];
  if (!parsed.complete || !parsed.root) return { documents: [], findings };

  const root = buildRoot(parsed.root, base, isTemplate, parsed.placeholders);
  const document: SourceDocument = { kind: 'cni', filePath, source, root, comments: parsed.comments };
  return { documents: [document], findings };
}

function buildRoot(
  node: JsonValue,
  base: string,
  isTemplate: boolean,
  placeholders: CniConfig['placeholders'],
): CniConfig | FlannelNetConfig {
  const object = node.type === 'JsonObject' ? node : undefined;
  if (object && isFlannelNetConf(object)) return buildFlannelNetConf(object);

  const pluginsProp = getProperty(object, 'plugins');
  const isList = pluginsProp !== undefined || (!getProperty(object, 'type') && /\.conflist/i.test(base));
  const plugins: CniPlugin[] = [];
  if (isList) {
    const list = getArray(object, 'plugins');
    list?.items.forEach((item, index) => {
      if (item.type === 'JsonObject') plugins.push(buildPlugin(item, index));
    });
  } else if (object) {
    plugins.push(buildPlugin(object, 0));
  }
  const config: CniConfig = {
    type: 'CniConfig',
    range: node.range,
    plugins,
    isList,
    isTemplate,
    placeholders,
    node,
  };
  assign(config, 'name', readSetting(object, 'name', 'string'));
  assign(config, 'cniVersion', readSetting(object, 'cniVersion', 'string'));
  assign(config, 'cniVersions', readSetting(object, 'cniVersions', 'strings'));
  assign(config, 'disableCheck', looseBool(object, 'disableCheck'));
  assign(config, 'disableGC', looseBool(object, 'disableGC'));
  return config;
}

/** flanneld's net-conf.json: capitalised keys, no CNI keys. */
function isFlannelNetConf(object: JsonObject): boolean {
  if (getProperty(object, 'type') || getProperty(object, 'plugins') || getProperty(object, 'cniVersion')) return false;
  return ['Network', 'Backend', 'EnableIPv6', 'IPv6Network', 'EnableNFTables', 'SubnetLen'].some((k) => getProperty(object, k));
}

function buildFlannelNetConf(object: JsonObject): FlannelNetConfig {
  const config: FlannelNetConfig = { type: 'FlannelNetConfig', range: object.range, node: object };
  assign(config, 'network', readSetting(object, 'Network', 'string'));
  assign(config, 'ipv6Network', readSetting(object, 'IPv6Network', 'string'));
  assign(config, 'enableIPv4', readSetting(object, 'EnableIPv4', 'boolean'));
  assign(config, 'enableIPv6', readSetting(object, 'EnableIPv6', 'boolean'));
  assign(config, 'enableNFTables', readSetting(object, 'EnableNFTables', 'boolean'));
  assign(config, 'backendType', readSetting(getObject(object, 'Backend'), 'Type', 'string'));
  return config;
}

/**
 * The settings `buildPlugin` reads with `settingOf`, in the order it sets them on the plugin
 * (`ipam` goes between `name` and `ipMasq`).
 */
const PLUGIN_SETTINGS = [
  ['name', 'string'],
  ['ipMasq', 'boolean'],
  ['ipMasqBackend', 'string'],
  ['snat', 'boolean'],
  ['masqAll', 'boolean'],
  ['markMasqBit', 'number'],
  ['externalSetMarkChain', 'string'],
  ['backend', 'string'],
  ['conditionsV4', 'strings'],
  ['conditionsV6', 'strings'],
  ['bridge', 'string'],
  ['isGateway', 'boolean'],
  ['isDefaultGateway', 'boolean'],
  ['hairpinMode', 'boolean'],
  ['master', 'string'],
  ['mode', 'string'],
  ['mtu', 'number'],
] as const satisfies readonly (readonly [keyof CniPlugin, SettingKind])[];

/** Every key `buildPlugin` reads, by its slot in `pluginProperties`: first the non-settings, then `PLUGIN_SETTINGS`. */
const TYPE = 0;
const CAPABILITIES = 1;
const SYSCTL = 2;
const IPAM = 3;
const DELEGATE = 4;
const FIRST_SETTING = 5;
const PLUGIN_KEYS = new Map<string, number>(
  ['type', 'capabilities', 'sysctl', 'ipam', 'delegate', ...PLUGIN_SETTINGS.map(([key]) => key)].map((key, slot) => [key, slot]),
);

/**
 * The property of each key `buildPlugin` reads, by slot (`PLUGIN_KEYS`): one pass over the
 * object instead of a search per key. The last duplicate wins, as in `getProperty`.
 */
function pluginProperties(object: JsonObject): (JsonProperty | undefined)[] {
  const found = new Array<JsonProperty | undefined>(PLUGIN_KEYS.size).fill(undefined);
  for (const property of object.properties) {
    const slot = PLUGIN_KEYS.get(property.key);
    if (slot !== undefined) found[slot] = property;
  }
  return found;
}

function buildPlugin(object: JsonObject, index: number, parent?: CniPlugin, impliedType?: string): CniPlugin {
  const properties = pluginProperties(object);
  const typeSetting = settingOf(properties[TYPE], 'string');
  const pluginType = typeSetting?.value ?? impliedType ?? '';
  const capabilities: Record<string, boolean> = {};
  for (const p of asObject(properties[CAPABILITIES]?.value)?.properties ?? []) {
    if (p.value?.type === 'JsonLiteral' && typeof p.value.value === 'boolean') capabilities[p.key] = p.value.value;
  }
  const plugin: CniPlugin = {
    type: 'CniPlugin',
    range: object.range,
    pluginType,
    impliedType: typeSetting === undefined && impliedType !== undefined,
    node: object,
    index,
    delegates: [],
    capabilities,
    sysctls: sysctlsOf(asObject(properties[SYSCTL]?.value)),
  };
  if (parent) plugin.parent = parent;
  assign(plugin, 'typeSetting', typeSetting);
  const settings = plugin as unknown as Record<string, unknown>;
  for (let i = 0; i < PLUGIN_SETTINGS.length; i++) {
    // `ipam` after `name`: the plugin's keys keep the order they always had.
    if (i === 1) {
      const ipam = asObject(properties[IPAM]?.value);
      if (ipam) plugin.ipam = ipamOf(ipam);
    }
    const property = properties[FIRST_SETTING + i];
    if (property === undefined) continue;
    const setting = settingOf(property, PLUGIN_SETTINGS[i][1]);
    if (setting !== undefined) settings[PLUGIN_SETTINGS[i][0]] = setting;
  }

  const delegating = typeSetting ? DELEGATING_PLUGINS[typeSetting.value] : undefined;
  const delegate = delegating ? asObject(properties[DELEGATE]?.value) : undefined;
  if (delegating && delegate) plugin.delegates.push(buildPlugin(delegate, index, plugin, delegating.impliedType));
  return plugin;
}

function ipamOf(node: JsonObject): CniIpam {
  const ipam: CniIpam = { node, subnets: [], routeDestinations: [] };
  assign(ipam, 'ipamType', readSetting(node, 'type', 'string'));
  push(ipam.subnets, readSetting(node, 'subnet', 'string'));
  for (const set of getArray(node, 'ranges')?.items ?? []) {
    if (set.type !== 'JsonArray') continue;
    for (const range of set.items) if (range.type === 'JsonObject') push(ipam.subnets, readSetting(range, 'subnet', 'string'));
  }
  for (const address of getArray(node, 'addresses')?.items ?? []) {
    if (address.type === 'JsonObject') push(ipam.subnets, readSetting(address, 'address', 'string'));
  }
  for (const route of getArray(node, 'routes')?.items ?? []) {
    if (route.type === 'JsonObject') push(ipam.routeDestinations, readSetting(route, 'dst', 'string'));
  }
  return ipam;
}

function sysctlsOf(sysctl: JsonObject | undefined): CniSysctl[] {
  const out: CniSysctl[] = [];
  for (const property of sysctl?.properties ?? []) {
    const value = asString(property.value);
    if (value) out.push({ key: property.key, value: value.value, property });
  }
  return out;
}

/** libcni readBool: a boolean, or "true"/"false" in any case. */
function looseBool(object: JsonObject | undefined, key: string): boolean | undefined {
  const node = getProperty(object, key)?.value;
  if (node?.type !== 'JsonLiteral') return undefined;
  if (typeof node.value === 'boolean') return node.value;
  if (typeof node.value === 'string' && node.placeholder === undefined) {
    const v = node.value.toLowerCase();
    if (v === 'true' || v === 'false') return v === 'true';
  }
  return undefined;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function push<T>(list: JsonSetting<T>[], value: JsonSetting<T> | undefined): void {
  if (value) list.push(value);
}

/**
 * Visits the model root, then every JSON node in text order; each plugin's `CniPlugin` node is
 * visited just before its JSON object. When `types` (the node types someone listens to) has no
 * JSON type, only the root and the plugins are visited, in the same order.
 */
export function walkCni(document: SourceDocument, visit: (node: BaseNode) => void, types?: ReadonlySet<string>): void {
  const root = document.root as CniConfig | FlannelNetConfig;
  visit(root);
  const plugins = new Map<BaseNode, CniPlugin>();
  if (types && !JSON_NODE_TYPES.some((t) => types.has(t))) {
    // A plugin's delegates are inside its object, before the next plugin: this is text order.
    const visitPlugin = (p: CniPlugin) => {
      visit(p);
      p.delegates.forEach(visitPlugin);
    };
    if (root.type === 'CniConfig') root.plugins.forEach(visitPlugin);
    return;
  }
  if (root.type === 'CniConfig') {
    const add = (p: CniPlugin) => {
      plugins.set(p.node, p);
      p.delegates.forEach(add);
    };
    root.plugins.forEach(add);
  }
  walkJson(root.node, (node) => {
    const plugin = plugins.get(node);
    if (plugin) visit(plugin);
    visit(node);
  });
}
