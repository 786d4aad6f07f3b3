import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  SCHEMA_IDS,
  expectedOf,
  formatPath,
  getProperty,
  locateSchemaError,
  nodeAtPath,
  parseJson,
  schemaErrors,
  schemaValidator,
  suggestKey,
  toPlainValue,
  validateWithSchema,
  walkJson,
  type JsonNode,
} from '../../src/parsers/json/index.js';

const slice = (text: string, range: [number, number]) => text.slice(range[0], range[1]);

describe('parseJson', () => {
  it('builds a tree whose ranges slice back to the text', () => {
    const text = '{\r\n  "a": [1, "two", true, null],\r\n  "b": {"c": -1.5e3}\r\n}\r\n';
    const { root, problems, complete } = parseJson(text);
    expect(problems).toEqual([]);
    expect(complete).toBe(true);
    expect(root?.type).toBe('JsonObject');
    expect(slice(text, nodeAtPath(root, ['a', 1])!.range)).toBe('"two"');
    expect(slice(text, nodeAtPath(root, ['b', 'c'])!.range)).toBe('-1.5e3');
    expect(nodeAtPath(root, ['b', 'c'])!.path).toEqual(['b', 'c']);
    expect(nodeAtPath(root, ['a', '3'])).toMatchObject({ value: null });
    const b = getProperty(root!.type === 'JsonObject' ? root! : undefined, 'b')!;
    expect(slice(text, b.keyRange)).toBe('"b"');
    expect(slice(text, b.range)).toBe('"b": {"c": -1.5e3}');
    expect(toPlainValue(root!)).toEqual({ a: [1, 'two', true, null], b: { c: -1500 } });
  });

  it('walks in text order, a property before its value', () => {
    const text = '{"a": {"b": [1]}, "c": 2}';
    const seen: string[] = [];
    walkJson(parseJson(text).root, (n: JsonNode) => seen.push(`${n.type}:${slice(text, n.range)}`));
    expect(seen).toEqual([
      'JsonObject:{"a": {"b": [1]}, "c": 2}',
      'JsonProperty:"a": {"b": [1]}',
      'JsonObject:{"b": [1]}',
      'JsonProperty:"b": [1]',
      'JsonArray:[1]',
      'JsonLiteral:1',
      'JsonProperty:"c": 2',
      'JsonLiteral:2',
    ]);
  });

  it('keeps the last duplicate key, as Go does', () => {
    const { root } = parseJson('{"a": 1, "a": 2}');
    expect(toPlainValue(root!)).toEqual({ a: 2 });
    expect(nodeAtPath(root, ['a'])).toMatchObject({ value: 2 });
  });

  it('reports trailing commas at the comma and still builds the whole tree', () => {
    const text = '{\n  "a": [1, 2,],\n  "b": 3,\n}\n';
    const { root, problems, complete } = parseJson(text);
    expect(complete).toBe(true);
    expect(problems.map((p) => [p.code, p.range[0]])).toEqual([
      ['trailing-comma', text.indexOf('2,') + 1],
      ['trailing-comma', text.indexOf('3,') + 1],
    ]);
    expect(toPlainValue(root!)).toEqual({ a: [1, 2], b: 3 });
  });

  it('reports comments unless allowed, and returns them', () => {
    const text = '{\n  // one\n  "a": 1 /* two */\n}';
    const strict = parseJson(text);
    expect(strict.problems.map((p) => slice(text, p.range))).toEqual(['// one', '/* two */']);
    expect(strict.comments.map((c) => c.text)).toEqual(['// one', '/* two */']);
    const jsonc = parseJson(text, { allowComments: true });
    expect(jsonc.problems).toEqual([]);
  });

  it('reports a BOM at offset 0 and keeps offsets of the text as given', () => {
    const text = '\uFEFF{"a": true}';
    const { root, problems } = parseJson(text);
    expect(problems).toMatchObject([{ code: 'bom', range: [0, 1], recoverable: true }]);
    expect(slice(text, nodeAtPath(root, ['a'])!.range)).toBe('true');
  });

  it('reports syntax errors as not recoverable', () => {
    for (const text of ['{"a": }', '{"a" 1}', '{"a": 1', '', '   ', '{"a": 1} x', '{"a": "\\q"}']) {
      const r = parseJson(text);
      expect(r.complete, text).toBe(false);
      expect(r.problems[0].code, text).toMatch(/syntax|empty/);
    }
  });

  it('substitutes bare placeholders with same-length tokens and marks them', () => {
    const text = '{"mtu": __CNI_MTU__, "node": "__NODENAME__", "x": "a__B__"}';
    const { root, problems, placeholders } = parseJson(text, { placeholders: true, templateStrings: true });
    expect(problems).toEqual([]);
    const mtu = nodeAtPath(root, ['mtu'])!;
    expect(slice(text, mtu.range)).toBe('__CNI_MTU__');
    expect(mtu).toMatchObject({ placeholder: '__CNI_MTU__', value: '__CNI_MTU__' });
    expect(nodeAtPath(root, ['node'])).toMatchObject({ placeholder: '__NODENAME__', value: '__NODENAME__' });
    expect(nodeAtPath(root, ['x'])).not.toHaveProperty('placeholder');
    expect(placeholders.map((p) => [p.name, p.quoted])).toEqual([
      ['__CNI_MTU__', false],
      ['__NODENAME__', true],
    ]);
    // Without templateStrings, quoted tokens are plain strings; without placeholders, bare ones are errors.
    expect(nodeAtPath(parseJson(text, { placeholders: true }).root, ['node'])).not.toHaveProperty('placeholder');
    expect(parseJson(text).complete).toBe(false);
  });
});

describe('locateSchemaError', () => {
  const text = '{\n  "plugins": [\n    {"type": "portmap", "markMasqBit": 40, "bogus": 1}\n  ],\n  "a/b": {"c~d": 1}\n}';
  const { root } = parseJson(text);

  it('points at the unknown key for additionalProperties', () => {
    const loc = locateSchemaError(root, { instancePath: '/plugins/0', keyword: 'additionalProperties', params: { additionalProperty: 'bogus' } })!;
    expect(slice(text, loc.range)).toBe('"bogus"');
    expect(loc.path).toEqual(['plugins', 0, 'bogus']);
  });

  it('points at the value otherwise, decoding JSON Pointer escapes', () => {
    const loc = locateSchemaError(root, { instancePath: '/plugins/0/markMasqBit', keyword: 'maximum', params: {} })!;
    expect(slice(text, loc.range)).toBe('40');
    const esc = locateSchemaError(root, { instancePath: '/a~1b/c~0d', keyword: 'type', params: {} })!;
    expect(slice(text, esc.range)).toBe('1');
  });

  it('points a missing key at the holding key, or the opening brace', () => {
    const inArray = locateSchemaError(root, { instancePath: '/plugins/0', keyword: 'required', params: { missingProperty: 'x' } })!;
    expect(slice(text, inArray.range)).toBe('{');
    expect(inArray.range[0]).toBe(text.indexOf('{"type"'));
    const held = locateSchemaError(root, { instancePath: '/a~1b', keyword: 'required', params: { missingProperty: 'x' } })!;
    expect(slice(text, held.range)).toBe('"a/b"');
  });

  it('falls back to the closest existing ancestor', () => {
    const loc = locateSchemaError(root, { instancePath: '/plugins/7/type', keyword: 'type', params: {} })!;
    expect(slice(text, loc.range)).toMatch(/^\[/);
  });

  it('formats paths for messages', () => {
    expect(formatPath(['plugins', 1, 'ipam', 'subnet'])).toBe('plugins[1].ipam.subnet');
    expect(formatPath(['log-opts', 'max-size'])).toBe('log-opts.max-size');
    expect(formatPath(['a b'])).toBe('["a b"]');
    expect(formatPath([])).toBe('(root)');
  });
});

describe('schemas', () => {
  it('every schema compiles', () => {
    for (const id of SCHEMA_IDS) expect(typeof schemaValidator(id)).toBe('function');
  });

  it('KubeProxyConfiguration: valid config, enum and range errors at exact paths', () => {
    const ok = {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode: 'nftables',
      clusterCIDR: '10.244.0.0/16,fd00:10:244::/56',
      detectLocalMode: 'ClusterCIDR',
      iptables: { masqueradeBit: 14, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '1s' },
      nftables: { masqueradeBit: 14 },
      conntrack: { maxPerCore: 32768, min: 131072, tcpEstablishedTimeout: '24h0m0s' },
      detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
      nodePortAddresses: ['primary'],
    };
    expect(schemaErrors('kube-proxy-config', ok)).toEqual([]);
    // A kubeadm patch often has no apiVersion (the kind patch in the corpus).
    expect(schemaErrors('kube-proxy-config', { kind: 'KubeProxyConfiguration', metricsBindAddress: '0.0.0.0' })).toEqual([]);
    const bad = schemaErrors('kube-proxy-config', { mode: 'userspace', iptables: { masqueradeBit: 32, masqueradeALL: true }, clusterCIDR: '10.244.0.0' });
    expect(bad.map((e) => [e.path, e.target, e.message])).toEqual([
      [['mode'], 'value', 'Expected "mode" to be one of "", "iptables", "ipvs", "nftables" or "kernelspace".'],
      [['iptables', 'masqueradeALL'], 'key', 'Unknown key "masqueradeALL" in iptables.'],
      [['iptables', 'masqueradeBit'], 'value', 'Expected "masqueradeBit" to be an integer from 0 to 31.'],
      [['clusterCIDR'], 'value', 'Expected "clusterCIDR" to be a CIDR, or a comma-separated dual-stack pair of CIDRs.'],
    ]);
  });

  it('ip-masq-agent config: the upstream default file is valid; CIDRs are checked', () => {
    // kubernetes-sigs/ip-masq-agent agent-config/config @ e3000864 (Apache-2.0).
    const upstream = 'nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n  - 172.16.0.0/12\n  - 192.168.0.0/16\ncidrLimit: 64\nmasqLinkLocal: false\nmasqLinkLocalIPv6: false\nresyncInterval: 60s\n';
    expect(schemaErrors('ip-masq-agent-config', parseYaml(upstream))).toEqual([]);
    expect(schemaErrors('ip-masq-agent-config', { nonMasqueradeCIDRs: [] })).toEqual([]);
    const bad = schemaErrors('ip-masq-agent-config', { nonMasqueradeCIDRs: ['10.0.0.0/8', '10.0.0.0'], masqLinkLocal: 'true', resyncInterval: 60 });
    expect(bad.map((e) => [e.path, e.message])).toEqual([
      [['nonMasqueradeCIDRs', 1], 'Expected "nonMasqueradeCIDRs[1]" to be a CIDR such as "10.0.0.0/8".'],
      [['masqLinkLocal'], 'Expected "masqLinkLocal" to be true or false.'],
      [['resyncInterval'], 'Expected "resyncInterval" to be a duration such as "60s".'],
    ]);
  });

  it('validateWithSchema locates errors in a JSON tree and skips template placeholders', () => {
    const text = '{\n  "cniVersion": "1.0.0",\n  "name": "n",\n  "type": "bridge",\n  "mtu": __CNI_MTU__,\n  "vlan": "7"\n}';
    const { root } = parseJson(text, { placeholders: true });
    const issues = validateWithSchema('cni-network-config', root);
    expect(issues.map((i) => [i.keyword, text.slice(i.range[0], i.range[1]), i.message])).toEqual([
      ['type', '"7"', 'Expected "vlan" to be an integer from 0 to 4094.'],
    ]);
    expect(issues[0].node).toBe(nodeAtPath(root, ['vlan']));
    expect(validateWithSchema('cni-network-config', root, { keepPlaceholders: true })).toHaveLength(2);
  });

  it('expectedOf words schemas', () => {
    expect(expectedOf({ type: 'integer', minimum: 0, maximum: 31 })).toBe('an integer from 0 to 31');
    expect(expectedOf({ type: 'integer', minimum: 1 })).toBe('an integer of at least 1');
    expect(expectedOf({ type: ['string', 'integer'] })).toBe('a string or an integer');
    expect(expectedOf({ enum: ['a'] })).toBe('"a"');
    expect(expectedOf({ type: 'array', items: { type: 'string' } })).toBe('an array of strings');
  });

  it('suggestKey finds case and near misses only', () => {
    expect(suggestKey('ipmasq', ['ipMasq', 'mtu'])).toBe('ipMasq');
    expect(suggestKey('hairpinMod', ['hairpinMode', 'mtu'])).toBe('hairpinMode');
    expect(suggestKey('registry', ['registry-mirrors', 'dns'])).toBeUndefined();
    expect(suggestKey('mtu', ['mtu'])).toBeUndefined();
  });
});
