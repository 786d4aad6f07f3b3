import type { ParseResult, SourceDocument } from '../../model/document.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import type {
  EmbeddedOrigin,
  JsonSetting,
  K8sConfigMap,
  K8sDocument,
  K8sList,
  K8sObject,
  K8sView,
} from '../../model/kubernetes.js';
import type { BaseNode } from '../../model/node.js';
import { SourceText, type Range } from '../../model/source.js';
import { parseCni } from '../cni/index.js';
import { attachToOuter, embeddedString, mapFinding, mapTreeToOuter } from '../embedded.js';
import {
  asString,
  getArray,
  getObject,
  getProperty,
  jsonParseErrorFinding,
  parseJson,
  type JsonLiteral,
  type JsonObject,
  type JsonValue,
} from '../json/index.js';
import {
  ciliumConfigOf,
  configMapOf,
  felixConfigurationOf,
  flannelNetConfOf,
  installationOf,
  ipMasqAgentConfigOf,
  ipPoolOf,
  isCalico,
  kindClusterOf,
  kubeProxyConfigurationOf,
  looksLikeIpMasqAgentConfig,
  nodeOf,
  workloadOf,
} from './views.js';
import { parseYamlStream } from './yaml-tree.js';

/** How parse errors of JSON manifests name their reader. */
const KUBECTL_READER = 'kubectl';
/** Strings inside strings inside... stop here (a kind config holding a ConfigMap holding a config). */
const MAX_EMBEDDING_DEPTH = 3;
/** Lists inside lists. */
const MAX_LIST_DEPTH = 4;

export interface KubernetesParseOptions {
  /** What a kind-less document is: the text of ip-masq-agent's `config` key. */
  expect?: 'ip-masq-agent-config';
  /** Set for text taken from a string of another document. */
  origin?: EmbeddedOrigin;
  /** How deep in embedded strings this text is (0 for a file). */
  depth?: number;
}

interface Context {
  source: SourceText;
  filePath: string;
  depth: number;
  /** Embedded documents, after the document that holds them. */
  extra: SourceDocument[];
  findings: Finding[];
}

/**
 * Parses Kubernetes manifests: a YAML stream (`---`-separated documents) or a JSON manifest, into
 * one `SourceDocument` per YAML document. Never throws. A broken document gives one located
 * `parse-error` and is skipped; the other documents are still parsed. Strings holding other
 * configs (CNI conflists, KubeProxyConfiguration, ip-masq-agent config, kubeadm patches) become
 * extra documents mapped back to this file; flanneld's net-conf.json is built in place.
 */
export function parseKubernetes(source: SourceText, filePath: string, options: KubernetesParseOptions = {}): ParseResult {
  const ctx: Context = { source, filePath, depth: options.depth ?? 0, extra: [], findings: [] };
  const documents: SourceDocument[] = [];
  const text = source.text;
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0];

  if (first === '{' || first === '[') {
    const parsed = parseJson(text);
    // kubectl reads a BOM-prefixed file as YAML (its JSON sniffing fails), which accepts it.
    const problems = parsed.problems.filter((p) => p.code !== 'bom');
    const finding = jsonParseErrorFinding(source, filePath, problems, { reader: KUBECTL_READER });
    if (finding) ctx.findings.push(finding);
    if (parsed.root && problems.every((p) => p.recoverable)) {
      const start = ctx.extra.length;
      const root = buildDocument(parsed.root, 0, 'json', parsed.root.range, options, ctx);
      documents.push({ kind: 'kubernetes', filePath, source, root, comments: parsed.comments }, ...ctx.extra.splice(start));
    }
    return { documents, findings: ctx.findings };
  }

  for (const doc of parseYamlStream(text)) {
    if (doc.error) {
      ctx.findings.push(engineFinding(source, filePath, 'parse-error', doc.error.message, doc.error.range));
      continue;
    }
    if (!doc.node && doc.comments.length === 0) continue;
    const start = ctx.extra.length;
    const root = buildDocument(doc.node, doc.index, 'yaml', doc.range, options, ctx);
    documents.push({ kind: 'kubernetes', filePath, source, root, comments: doc.comments }, ...ctx.extra.splice(start));
  }
  return { documents, findings: ctx.findings };
}

function buildDocument(
  node: JsonValue | undefined,
  index: number,
  format: K8sDocument['format'],
  range: Range,
  options: KubernetesParseOptions,
  ctx: Context,
): K8sDocument {
  const doc: K8sDocument = { type: 'K8sDocument', range, format, index, objects: [] };
  if (node) doc.node = node;
  if (options.origin) doc.embeddedIn = options.origin;
  if (!node) return doc;
  if (node.type === 'JsonArray') {
    for (const item of node.items) if (item.type === 'JsonObject') collectObjects(item, doc, undefined, 0, ctx);
    return doc;
  }
  if (node.type !== 'JsonObject') return doc;
  const kind = asString(getProperty(node, 'kind')?.value)?.value;
  if (kind === undefined) {
    if (options.expect === 'ip-masq-agent-config' || looksLikeIpMasqAgentConfig(node)) doc.ipMasqAgentConfig = ipMasqAgentConfigOf(node);
    return doc;
  }
  const list = listOf(node, kind);
  if (list) doc.list = list;
  collectObjects(node, doc, undefined, 0, ctx);
  return doc;
}

function listOf(node: JsonObject, kind: string): K8sList | undefined {
  if (kind !== 'List' && !/^[A-Z]\w*List$/.test(kind)) return undefined;
  const items = getArray(node, 'items');
  if (!items) return undefined;
  const list: K8sList = { kind, node, items };
  const apiVersion = asString(getProperty(node, 'apiVersion')?.value)?.value;
  if (apiVersion !== undefined) list.apiVersion = apiVersion;
  return list;
}

/** Adds `node` as an object, or its items when it is a list. `inherit` is the enclosing `FooList`. */
function collectObjects(node: JsonObject, doc: K8sDocument, inherit: { kind: string; apiVersion?: string } | undefined, depth: number, ctx: Context): void {
  let kind = asString(getProperty(node, 'kind')?.value)?.value;
  let apiVersion = asString(getProperty(node, 'apiVersion')?.value)?.value;
  let inferred = false;
  if (kind === undefined && inherit) {
    kind = inherit.kind;
    apiVersion ??= inherit.apiVersion;
    inferred = true;
  }
  if (kind === undefined) return;
  const list = !inferred ? listOf(node, kind) : undefined;
  if (list && depth < MAX_LIST_DEPTH) {
    // `PodList` items from the API carry no kind; `List` items always do.
    const itemKind = kind === 'List' ? undefined : { kind: kind.slice(0, -4), apiVersion };
    for (const item of list.items.items) if (item.type === 'JsonObject') collectObjects(item, doc, itemKind, depth + 1, ctx);
    return;
  }
  doc.objects.push(buildObject(node, kind, apiVersion, inferred, ctx));
}

function buildObject(node: JsonObject, kind: string, apiVersion: string | undefined, inferred: boolean, ctx: Context): K8sObject {
  const metadata = getObject(node, 'metadata');
  const object: K8sObject = {
    type: 'K8sObject',
    range: node.range,
    kind,
    labels: stringMap(getObject(metadata, 'labels')),
    annotations: stringMap(getObject(metadata, 'annotations')),
    node,
    path: node.path,
    views: [],
    embedded: [],
  };
  if (apiVersion !== undefined) {
    object.apiVersion = apiVersion;
    object.group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  }
  const name = asString(getProperty(metadata, 'name')?.value)?.value;
  if (name !== undefined) object.name = name;
  const namespace = asString(getProperty(metadata, 'namespace')?.value)?.value;
  if (namespace !== undefined) object.namespace = namespace;
  if (inferred) object.inferredKind = true;
  addViews(object, ctx);
  return object;
}

function stringMap(node: JsonObject | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const p of node?.properties ?? []) {
    const s = asString(p.value);
    if (s) out[p.key] = s.value;
  }
  return out;
}

function addViews(object: K8sObject, ctx: Context): void {
  const views: K8sView[] = object.views;
  const workload = workloadOf(object);
  if (workload) views.push(workload);
  const { kind, group } = object;
  if (kind === 'ConfigMap' && group === '') {
    const configMap = configMapOf(object);
    views.push(configMap);
    if (configMap.role === 'cilium') views.push(ciliumConfigOf(object, configMap));
    embedConfigMapData(object, configMap, ctx);
  } else if (kind === 'KubeProxyConfiguration' && (object.apiVersion === undefined || group === 'kubeproxy.config.k8s.io')) {
    views.push(kubeProxyConfigurationOf(object));
  } else if (isCalico(object, 'IPPool')) {
    views.push(ipPoolOf(object));
  } else if (isCalico(object, 'FelixConfiguration')) {
    views.push(felixConfigurationOf(object));
  } else if (kind === 'Installation' && group === 'operator.tigera.io') {
    views.push(installationOf(object));
  } else if (kind === 'Node' && object.apiVersion === 'v1') {
    views.push(nodeOf(object));
  } else if (kind === 'Cluster' && group === 'kind.x-k8s.io') {
    const cluster = kindClusterOf(object);
    views.push(cluster);
    for (const patch of cluster.patches) {
      const literal = literalAt(patch);
      if (literal) embed(object, 'kubeadmConfigPatches', literal, 'kubernetes', {}, ctx);
    }
  }
}

/** ConfigMap keys holding a CNI network config: flannel, Calico/Canal install-cni, Multus... */
function isCniKey(key: string, value: string): boolean {
  if (key === 'cni-conf.json' || key === 'cni_network_config') return true;
  return /\.conflist$|(?:^|[-_.])cni[-_]?conf(?:ig)?(?:\.json)?$/.test(key) && /^\s*\{/.test(value) && /"(?:cniVersion|plugins|type)"\s*:/.test(value);
}

function embedConfigMapData(object: K8sObject, configMap: K8sConfigMap, ctx: Context): void {
  for (const [key, setting] of Object.entries(configMap.data)) {
    const literal = literalAt(setting);
    if (!literal) continue;
    if (configMap.role === 'kube-proxy' && key === 'config.conf') embed(object, key, literal, 'kubernetes', {}, ctx);
    else if (configMap.role === 'ip-masq-agent' && key === 'config') embed(object, key, literal, 'kubernetes', { expect: 'ip-masq-agent-config' }, ctx);
    else if (key === 'net-conf.json') {
      const view = flannelNetConf(literal, ctx);
      if (view) configMap.flannelNetConf = view;
    } else if (isCniKey(key, setting.value)) {
      // Calico's install-cni renders `__CNI_MTU__`-style tokens; flannel copies its file as is.
      embed(object, key, literal, 'cni', { template: key === 'cni_network_config' }, ctx);
    }
  }
}

function literalAt(setting: JsonSetting<string>): JsonLiteral | undefined {
  const node = setting.property.value;
  if (node?.type === 'JsonLiteral' && node.range[0] === setting.range[0]) return node;
  if (node?.type === 'JsonArray') {
    const item = node.items.find((i) => i.range[0] === setting.range[0]);
    if (item?.type === 'JsonLiteral') return item;
  }
  return undefined;
}

interface EmbedOptions {
  expect?: KubernetesParseOptions['expect'];
  template?: boolean;
}

/** Parses a string of `object` as its own document(s), mapped back to this text. */
function embed(object: K8sObject, key: string, literal: JsonLiteral, kind: 'cni' | 'kubernetes', options: EmbedOptions, ctx: Context): void {
  if (ctx.depth >= MAX_EMBEDDING_DEPTH || typeof literal.value !== 'string') return;
  const inner = embeddedString(ctx.source.text, literal.range[0], literal.value);
  const innerSource = new SourceText(inner.text);
  const origin: EmbeddedOrigin = { key, path: literal.path, outerRange: literal.range, exact: inner.exact };
  if (object.kind) origin.kind = object.kind;
  if (object.name !== undefined) origin.name = object.name;
  if (object.namespace !== undefined) origin.namespace = object.namespace;
  let result: ParseResult;
  try {
    result =
      kind === 'cni'
        ? parseCni(innerSource, ctx.filePath, { template: options.template ?? false })
        : parseKubernetes(innerSource, ctx.filePath, { expect: options.expect, origin, depth: ctx.depth + 1 });
  } catch (err) {
    // A bug in an inner parser must not lose the outer document.
    const message = `The ${kind} parser failed on the string at ${key}: ${err instanceof Error ? err.message : String(err)}`;
    ctx.findings.push(engineFinding(ctx.source, ctx.filePath, 'internal-error', message, literal.range));
    return;
  }
  const documents = attachToOuter(result.documents, inner.toOuter, ctx.source);
  for (const f of result.findings) ctx.findings.push(mapFinding(f, inner.toOuter, ctx.source));
  object.embedded.push({ key, path: literal.path, kind, documents });
  ctx.extra.push(...documents);
}

/** flanneld's net-conf.json, kept in the outer document with outer ranges. */
function flannelNetConf(literal: JsonLiteral, ctx: Context) {
  if (typeof literal.value !== 'string') return undefined;
  const inner = embeddedString(ctx.source.text, literal.range[0], literal.value);
  const parsed = parseJson(inner.text);
  const finding = jsonParseErrorFinding(new SourceText(inner.text), ctx.filePath, parsed.problems, { reader: 'flanneld' });
  if (finding) ctx.findings.push(mapFinding(finding, inner.toOuter, ctx.source));
  if (!parsed.root || !parsed.complete) return undefined;
  mapTreeToOuter(parsed.root, inner.toOuter);
  return flannelNetConfOf(parsed.root);
}

/**
 * Visits the document, then each object followed by its views (a workload's containers and their
 * env vars after it; a ConfigMap's net-conf.json after it), then a bare ip-masq-agent config.
 */
export function walkKubernetes(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as K8sDocument;
  visit(root);
  for (const object of root.objects) {
    visit(object);
    for (const view of object.views) {
      visit(view);
      if (view.type === 'K8sWorkload') {
        for (const container of [...view.initContainers, ...view.containers].sort((a, b) => a.range[0] - b.range[0])) {
          visit(container);
          for (const env of container.env) visit(env);
        }
      } else if (view.type === 'K8sConfigMap' && view.flannelNetConf) {
        visit(view.flannelNetConf);
      }
    }
  }
  if (root.ipMasqAgentConfig) visit(root.ipMasqAgentConfig);
}
