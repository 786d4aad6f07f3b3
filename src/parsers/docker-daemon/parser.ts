import type { DockerAddressPool, DockerDaemonConfig } from '../../model/docker.js';
import type { ParseResult, SourceDocument } from '../../model/document.js';
import type { BaseNode } from '../../model/node.js';
import type { SourceText } from '../../model/source.js';
import { getArray, getObject, jsonParseErrorFinding, parseJson, readSetting, walkJson } from '../json/index.js';

/** How parse errors name the program that reads daemon.json. */
export const DOCKER_READER = 'dockerd';

/**
 * Parses a Docker `daemon.json`. Never throws. dockerd decodes it with Go's encoding/json and
 * refuses to start on comments, trailing commas or a BOM: each gives one fatal `parse-error` at
 * the first offending offset, and the tolerant tree is still returned so rules report the rest.
 * Real syntax errors give the `parse-error` and no document.
 */
export function parseDockerDaemon(source: SourceText, filePath: string): ParseResult {
  const parsed = parseJson(source.text);
  const finding = jsonParseErrorFinding(source, filePath, parsed.problems, { reader: DOCKER_READER });
  const findings = finding ? [finding] : [];
  if (!parsed.complete || !parsed.root) return { documents: [], findings };

  const node = parsed.root;
  const object = node.type === 'JsonObject' ? node : undefined;
  const pools: DockerAddressPool[] = [];
  for (const item of getArray(object, 'default-address-pools')?.items ?? []) {
    if (item.type !== 'JsonObject') continue;
    const pool: DockerAddressPool = { node: item };
    const base = readSetting(item, 'base', 'string');
    const size = readSetting(item, 'size', 'number');
    if (base) pool.base = base;
    if (size) pool.size = size;
    pools.push(pool);
  }
  const root: DockerDaemonConfig = { type: 'DockerDaemonConfig', range: node.range, defaultAddressPools: pools, node };
  const set = <K extends keyof DockerDaemonConfig>(key: K, value: DockerDaemonConfig[K] | undefined) => {
    if (value !== undefined) root[key] = value;
  };
  set('iptables', readSetting(object, 'iptables', 'boolean'));
  set('ip6tables', readSetting(object, 'ip6tables', 'boolean'));
  set('ipv6', readSetting(object, 'ipv6', 'boolean'));
  set('ipMasq', readSetting(object, 'ip-masq', 'boolean'));
  set('ipForward', readSetting(object, 'ip-forward', 'boolean'));
  set('bip', readSetting(object, 'bip', 'string'));
  set('bip6', readSetting(object, 'bip6', 'string'));
  set('fixedCidr', readSetting(object, 'fixed-cidr', 'string'));
  set('fixedCidrV6', readSetting(object, 'fixed-cidr-v6', 'string'));
  set('userlandProxy', readSetting(object, 'userland-proxy', 'boolean'));
  set('allowDirectRouting', readSetting(object, 'allow-direct-routing', 'boolean'));
  set('firewallBackend', readSetting(object, 'firewall-backend', 'string'));
  set('experimental', readSetting(object, 'experimental', 'boolean'));
  set('mtu', readSetting(object, 'mtu', 'number'));
  const bridgeOpts = getObject(getObject(object, 'default-network-opts'), 'bridge');
  set('bridgeGatewayModeIpv4', readSetting(bridgeOpts, 'com.docker.network.bridge.gateway_mode_ipv4', 'string'));
  set('bridgeGatewayModeIpv6', readSetting(bridgeOpts, 'com.docker.network.bridge.gateway_mode_ipv6', 'string'));

  const document: SourceDocument = { kind: 'docker-daemon', filePath, source, root, comments: parsed.comments };
  return { documents: [document], findings };
}

/** Visits the `DockerDaemonConfig`, then every JSON node in text order. */
export function walkDockerDaemon(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as DockerDaemonConfig;
  visit(root);
  walkJson(root.node, visit);
}
