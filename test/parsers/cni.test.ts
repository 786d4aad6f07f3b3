import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';
import { lintText, parseText } from '../../src/engine/lint.js';
import { allCniPlugins, type CniConfig, type CniPlugin, type FlannelNetConfig } from '../../src/model/cni.js';
import type { BaseNode } from '../../src/model/node.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { cniParser, parseCni } from '../../src/parsers/cni/index.js';
import { nodeAtPath } from '../../src/parsers/json/index.js';

const corpusNames = corpusFiles('cni');
/** Parsing and schema findings only: other rules (SNAT facts...) have their own tests. */
const SCHEMA_ONLY = { rules: { 'cni-schema': 'error' as const }, settings: {} };
const read = (name: string) => readCorpus('cni', name);

function parse(text: string, filePath = 'net.d/10-test.conflist') {
  const result = parseCni(new SourceText(text), filePath);
  const config = result.documents[0]?.root as CniConfig | undefined;
  return { ...result, config };
}

const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function lint(text: string, filePath = 'net.d/10-test.conflist') {
  return lintText(text, { config: SCHEMA_ONLY, filePath }).findings.map(({ ruleId, messageId, message, severity, line, column, endLine, endColumn }) => ({
    ruleId,
    messageId,
    message,
    severity,
    at: `${line}:${column}-${endLine}:${endColumn}`,
  }));
}

describeCorpus('corpus: every CNI file is detected and parsed', () => {
  const NEGATIVE_PARSE = new Set(['cni-dev-portmap-standalone-ptp-ipmasq-trailing-comma.conflist', 'cni-spec-dbnet-example.conflist.jsonc']);

  it.each(corpusNames)('%s', (name) => {
    const text = read(name);
    expect(detectKind(`corpus/cni/${name}`, text)).toBe('cni');
    const file = parseText(text, `corpus/cni/${name}`);
    expect(file.kind).toBe('cni');
    expect(file.documents).toHaveLength(1);
    const parseErrors = file.findings.filter((f) => f.ruleId === 'parse-error');
    expect(parseErrors).toHaveLength(NEGATIVE_PARSE.has(name) ? 1 : 0);
    expect(file.findings.filter((f) => f.ruleId === 'internal-error')).toEqual([]);
  });

  it('the published trailing comma is a fatal parse-error at the comma, and the tree is still built', () => {
    const name = 'cni-dev-portmap-standalone-ptp-ipmasq-trailing-comma.conflist';
    const text = read(name);
    const file = parseText(text, name);
    const [error] = file.findings;
    expect(error).toMatchObject({ ruleId: 'parse-error', severity: 2, fatal: true, line: 20, column: 63, endLine: 20, endColumn: 64 });
    expect(slice(text, error.range)).toBe(',');
    expect(error.message).toMatch(/^Invalid trailing comma before "}": libcni .* Go's encoding\/json, which rejects trailing commas\.$/);
    const config = file.documents[0].root as CniConfig;
    expect(config.plugins.map((p) => p.pluginType)).toEqual(['ptp', 'portmap']);
    expect(config.plugins[0].ipMasq?.value).toBe(true);
  });

  it('the spec example with // comments is a parse-error at the first comment; rules still run', () => {
    const name = 'cni-spec-dbnet-example.conflist.jsonc';
    const text = read(name);
    const findings = lint(text, name);
    expect(findings[0]).toMatchObject({ ruleId: 'parse-error', severity: 2, at: '8:7-8:36' });
    expect(findings[0].message).toContain('Invalid comment');
    expect(findings[0].message).toContain('(1 more JSON problem after this one)');
    // keyA is the spec's example of a plugin-specific key: unknown to the bridge plugin, a warning.
    expect(findings[1]).toMatchObject({ ruleId: 'cni-schema', messageId: 'unknownKey', severity: 1, at: '10:7-10:13' });
    const config = parseText(text, name).documents[0].root as CniConfig;
    expect(config.cniVersions?.value).toEqual(['0.3.1', '0.4.0', '1.0.0', '1.1.0']);
    expect(config.plugins[1].sysctls.map((s) => [s.key, s.value])).toEqual([['net.core.somaxconn', '500']]);
  });

  it('the Calico template placeholder is no parse-error and keeps exact ranges', () => {
    const name = 'calico-10-calico.conflist.template';
    const text = read(name);
    const { findings, config } = parse(text, name);
    expect(findings).toEqual([]);
    expect(config!.isTemplate).toBe(true);
    const mtu = nodeAtPath(config!.node, ['plugins', 0, 'mtu'])!;
    expect(slice(text, mtu.range)).toBe('__CNI_MTU__');
    expect(mtu).toMatchObject({ placeholder: '__CNI_MTU__' });
    expect(config!.placeholders.map((p) => [p.name, p.quoted])).toEqual([
      ['__KUBERNETES_NODE_NAME__', true],
      ['__CNI_MTU__', false],
      ['__KUBECONFIG_FILEPATH__', true],
    ]);
    expect(config!.plugins[1]).toMatchObject({ pluginType: 'portmap', snat: { value: true } });
    expect(lint(text, name)).toEqual([]);
  });

  it('a rendered file with a leftover bare placeholder is a parse-error naming it', () => {
    const text = read('calico-10-calico.conflist.template');
    const findings = lint(text, '/etc/cni/net.d/10-calico.conflist');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'parse-error', at: '11:14-11:25' });
    expect(findings[0].message).toMatch(/^Invalid bare token __CNI_MTU__: an install-template placeholder that was never rendered: libcni/);
    // Extracted from a manifest, the caller says it is a template.
    expect(parseCni(new SourceText(text), 'calico.yaml', { template: true }).findings).toEqual([]);
  });

  it('the portmap "all options" example is rejected at externalSetMarkChain', () => {
    const name = 'cni-dev-portmap-all-options-iptables.conf';
    const text = read(name);
    const findings = lint(text, name);
    expect(findings.map((f) => [f.messageId, f.severity, f.at])).toEqual([
      ['missingVersion', 1, '1:1-1:2'],
      ['missingName', 1, '1:1-1:2'],
      ['rejected', 2, '7:9-7:31'],
    ]);
    expect(findings[2].message).toBe(
      'Disallowed "externalSetMarkChain" together with "markMasqBit": the portmap plugin refuses the config ("Cannot specify externalSetMarkChain and markMasqBit").',
    );
  });

  it('reference-plugin corpus files lint clean', () => {
    for (const name of [
      'cni-dev-bridge-ipmasq-example.conf',
      'cni-plugins-integration-basic-bridge-no-masq.conf',
      'cni-plugins-integration-basic-ptp-ipmasq.conf',
      'cni-plugins-integration-chained-ptp-bandwidth.conflist',
      'flannel-10-flannel.conflist',
      'aws-vpc-cni-10-aws.conflist.template',
      'aws-vpc-cni-v1.6.0-10-aws.conflist.template',
      'flannel-net-conf.json',
    ]) {
      expect(lint(read(name), name), name).toEqual([]);
    }
  });
});

describeCorpus('model', () => {
  it('a .conf becomes a one-plugin config with ranges that slice back to the text', () => {
    const name = 'cni-plugins-integration-basic-ptp-ipmasq.conf';
    const text = read(name);
    const { config } = parse(text, name);
    expect(config).toMatchObject({ type: 'CniConfig', isList: false, name: { value: 'basic-ptp' }, cniVersion: { value: '0.3.0' } });
    expect(config!.plugins).toHaveLength(1);
    const ptp = config!.plugins[0];
    expect(ptp).toMatchObject({ pluginType: 'ptp', index: 0, impliedType: false });
    expect(slice(text, ptp.range)).toBe(text.trimEnd());
    expect(slice(text, ptp.ipMasq!.range)).toBe('true');
    expect(slice(text, ptp.ipMasq!.property.keyRange)).toBe('"ipMasq"');
    expect(slice(text, ptp.ipMasq!.property.range)).toBe('"ipMasq": true');
    expect(ptp.mtu?.value).toBe(512);
    expect(ptp.ipam?.ipamType?.value).toBe('host-local');
    expect(ptp.ipam?.subnets.map((s) => slice(text, s.range))).toEqual(['"10.1.2.0/24"']);
  });

  it('flannel and mesos-cni-port-mapper delegates are nested plugins', () => {
    const flannelText = read('flannel-10-flannel.conflist');
    const flannel = parse(flannelText, 'flannel-10-flannel.conflist').config!;
    expect(flannel.isList).toBe(true);
    const [fl, portmap] = flannel.plugins;
    expect(fl.pluginType).toBe('flannel');
    expect(fl.delegates).toHaveLength(1);
    const delegate = fl.delegates[0];
    expect(delegate).toMatchObject({ pluginType: 'bridge', impliedType: true, index: 0, hairpinMode: { value: true }, isDefaultGateway: { value: true } });
    expect(delegate.typeSetting).toBeUndefined();
    expect(delegate.parent).toBe(fl);
    expect(slice(flannelText, delegate.range)).toMatch(/^\{\s+"hairpinMode": true,\s+"isDefaultGateway": true\s+\}$/);
    expect(portmap.capabilities).toEqual({ portMappings: true });
    expect(allCniPlugins(flannel).map((p) => p.pluginType)).toEqual(['flannel', 'bridge', 'portmap']);

    const mesosText = read('mesos-docs-cni-port-mapper-delegate-bridge.conf');
    const mesos = parse(mesosText, 'x.conf').config!;
    const mapper = mesos.plugins[0];
    expect(mapper.pluginType).toBe('mesos-cni-port-mapper');
    const bridge = mapper.delegates[0];
    expect(bridge).toMatchObject({ pluginType: 'bridge', impliedType: false, ipMasq: { value: true }, isGateway: { value: true } });
    expect(slice(mesosText, bridge.bridge!.range)).toBe('"mesos-cni0"');
    expect(bridge.ipam?.routeDestinations.map((r) => r.value)).toEqual(['0.0.0.0/0']);
  });

  it('reads portmap and bridge NAT settings', () => {
    const text = read('cni-dev-portmap-all-options-iptables.conf');
    const pm = parse(text, 'pm.conf').config!.plugins[0];
    expect(pm).toMatchObject({
      pluginType: 'portmap',
      snat: { value: true },
      markMasqBit: { value: 13 },
      externalSetMarkChain: { value: 'CNI-HOSTPORT-SETMARK' },
      backend: { value: 'iptables' },
      conditionsV4: { value: ['!', '-d', '192.0.2.0/24'] },
    });
    expect(slice(text, pm.conditionsV6!.range)).toBe('["!", "-d", "fc00::/7"]');
    const bridge = parse(read('cni-dev-bridge-ipmasq-example.conf'), 'b.conf').config!.plugins[0];
    expect(bridge).toMatchObject({ pluginType: 'bridge', ipMasq: { value: true }, bridge: { value: 'mynet0' }, hairpinMode: { value: true } });
    expect(bridge.ipMasqBackend).toBeUndefined();
  });

  it('reads AWS template placeholders as strings, marked in templates', () => {
    const name = 'aws-vpc-cni-10-aws.conflist.template';
    const config = parse(read(name), name).config!;
    expect(config.plugins.map((p) => p.pluginType)).toEqual(['aws-cni', 'egress-cni', 'portmap']);
    expect(config.disableCheck).toBe(true);
    const egress = config.plugins[1].node;
    expect(nodeAtPath(egress, ['randomizeSNAT'])).toMatchObject({ value: '__RANDOMIZESNAT__', placeholder: '__RANDOMIZESNAT__' });
    expect(config.plugins[1].ipam?.subnets).toEqual([]);
  });

  it('reads flanneld net-conf.json as a FlannelNetConfig', () => {
    const text = read('flannel-net-conf.json');
    const root = parseCni(new SourceText(text), 'net-conf.json').documents[0].root as FlannelNetConfig;
    expect(root).toMatchObject({ type: 'FlannelNetConfig', network: { value: '10.244.0.0/16' }, enableNFTables: { value: false }, backendType: { value: 'vxlan' } });
  });

  it('walks the config, then JSON nodes in text order with each CniPlugin before its object', () => {
    const text = read('flannel-10-flannel.conflist');
    const doc = parseCni(new SourceText(text), 'f.conflist').documents[0];
    const seen: BaseNode[] = [];
    cniParser.walk(doc, (n) => seen.push(n));
    const types = seen.map((n) => n.type);
    expect(types[0]).toBe('CniConfig');
    expect(types[1]).toBe('JsonObject');
    const plugins = seen.filter((n): n is CniPlugin => n.type === 'CniPlugin');
    expect(plugins.map((p) => p.pluginType)).toEqual(['flannel', 'bridge', 'portmap']);
    for (const p of plugins) expect(seen[seen.indexOf(p) + 1]).toBe(p.node);
    const starts = seen.slice(1).map((n) => n.range[0]);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('list detection: "plugins" key, or a .conflist name without "type"', () => {
    expect(parse('{"name": "a", "cniVersion": "1.0.0", "type": "bridge"}', 'x.conflist').config!.isList).toBe(false);
    expect(parse('{"name": "a", "cniVersion": "1.0.0"}', 'x.conflist').config!.isList).toBe(true);
    expect(parse('{"name": "a", "cniVersion": "1.0.0"}', 'x.conf').config!.isList).toBe(false);
  });
});

describe('bad input is normal input', () => {
  it('never throws and gives at most one parse-error', () => {
    const inputs = [
      '',
      '   \n',
      '[',
      'null',
      '"x"',
      '[1, 2]',
      '{"plugins": 5}',
      '{"plugins": [1, "a", null, {}]}',
      '{"plugins": [{"type": "flannel", "delegate": 7}]}',
      '{"type": "portmap", "markMasqBit": "13", "sysctl": []}',
      '{"a": }',
      '{"a": "\u0001"}',
      '{'.repeat(500) + '}'.repeat(500),
      '{"name": "x", "plugins": [{"type": "bridge", "ipam": {"type": "host-local", "ranges": [[{"subnet": 5}], 3]}}]}',
      '{"__proto__": {"type": "bridge"}, "constructor": 1}',
    ];
    for (const text of inputs) {
      const findings = lintText(text, { config: SCHEMA_ONLY, filePath: 'x.conflist', kind: 'cni' }).findings;
      expect(findings.filter((f) => f.ruleId === 'internal-error'), text).toEqual([]);
      expect(findings.filter((f) => f.ruleId === 'parse-error').length, text).toBeLessThanOrEqual(1);
    }
  });

  it('reports a BOM (Go rejects it) and keeps offsets of the text with the BOM', () => {
    const text = '\uFEFF{\r\n  "cniVersion": "1.0.0",\r\n  "name": "n",\r\n  "type": "bridge",\r\n  "ipMasq": true\r\n}\r\n';
    const { findings, config } = parse(text, 'x.conf');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'parse-error', fatal: true, range: [0, 1], line: 1, column: 1 });
    expect(findings[0].message).toContain('byte order mark');
    expect(slice(text, config!.plugins[0].ipMasq!.range)).toBe('true');
    expect(slice(text, config!.name!.range)).toBe('"n"');
  });

  it('a real syntax error gives the parse-error and no document', () => {
    const text = '{\n  "cniVersion": "1.0.0",\n  "name": "x"\n  "plugins": []\n}\n';
    const { findings, documents } = parse(text);
    expect(documents).toEqual([]);
    expect(findings).toMatchObject([{ ruleId: 'parse-error', line: 4, column: 3 }]);
    expect(findings[0].message).toBe('Invalid JSON: expected "," between items.');
  });
});

describe('cni-schema findings point at the offending key or value', () => {
  const list = (plugin: string) =>
    `{\n  "cniVersion": "1.0.0",\n  "name": "k8s-pod-network",\n  "plugins": [\n    {"type": "bridge", "ipMasq": true},\n    ${plugin}\n  ]\n}\n`;

  it('markMasqBit out of range', () => {
    const text = list('{"type": "portmap", "markMasqBit": 40}');
    const findings = lint(text);
    expect(findings).toEqual([
      { ruleId: 'cni-schema', messageId: 'invalidValue', message: 'Expected "markMasqBit" to be an integer from 0 to 31.', severity: 2, at: '6:40-6:42' },
    ]);
  });

  it('a key that differs in case is a warning with a rename suggestion', () => {
    const text = list('{"type": "portmap", "SNAT": false}');
    const result = lintText(text, { config: SCHEMA_ONLY, filePath: 'x.conflist' });
    const [f] = result.findings;
    expect(f).toMatchObject({ messageId: 'keyCase', severity: 1, line: 6, column: 25, endColumn: 31 });
    expect(f.message).toBe(
      'Expected key "snat" instead of "SNAT" in the portmap plugin config: the plugin reads it only because Go matches JSON keys case-insensitively.',
    );
    expect(f.suggestions?.[0]).toMatchObject({ desc: 'Rename "SNAT" to "snat".', edits: [{ text: '"snat"' }] });
  });

  it('a typo is an unknown key with a suggestion; an unrelated key has none', () => {
    expect(lint(list('{"type": "portmap", "masqAl": true}'))[0]).toMatchObject({
      messageId: 'unknownKeyDidYouMean',
      message: 'Unknown key "masqAl" in the portmap plugin config: the plugin ignores it. Did you mean "masqAll"?',
      severity: 1,
    });
    expect(lint(list('{"type": "portmap", "zzz": 1}'))[0]).toMatchObject({ messageId: 'unknownKey', severity: 1 });
  });

  it('unknown plugin types may carry any keys', () => {
    expect(lint(list('{"type": "calico", "log_level": "info", "anything": {"goes": [1]}}'))).toEqual([]);
  });

  it('list-level problems', () => {
    const text = '{\n  "cniVersion": "0.3.2",\n  "name": "bad name",\n  "plugins": [],\n  "disableCheck": "yes"\n}\n';
    expect(lint(text).map((f) => [f.messageId, f.at, f.message])).toEqual([
      ['invalidValue', '2:17-2:24', 'Expected "cniVersion" to be a CNI spec version: "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0" or "1.1.0".'],
      ['invalidValue', '3:11-3:21', 'Expected "name" to be a network name: a letter or digit, then letters, digits, "_", "." or "-".'],
      ['invalidValue', '4:14-4:16', 'Expected "plugins" to be an array with at least 1 item.'],
      ['invalidValue', '5:19-5:24', 'Expected "disableCheck" to be true or false.'],
    ]);
  });

  it('missing keys point at the holding key or the opening brace', () => {
    const text = '{\n  "cniVersion": "1.0.0",\n  "name": "n",\n  "plugins": [\n    {"ipMasq": true},\n    {"type": "bridge", "ipam": {"type": "host-local"}}\n  ]\n}\n';
    expect(lint(text).map((f) => [f.messageId, f.at, f.message])).toEqual([
      ['missingKey', '5:5-5:6', 'Missing key "type" in "plugins[0]".'],
      ['rejected', '6:24-6:30', 'Missing key "subnet" or "ranges" in the host-local IPAM config: host-local has no address range to allocate from.'],
    ]);
  });

  it('tuning sysctls: a non-net key at the key, a number at the value', () => {
    const text = list('{"type": "tuning", "sysctl": {"kernel.pid_max": "1", "net.core.somaxconn": 500}}');
    expect(lint(text).map((f) => [f.messageId, f.at, f.message])).toEqual([
      ['invalidValue', '6:35-6:51', 'Expected key "kernel.pid_max" to be a network sysctl starting with "net." (the tuning plugin refuses others).'],
      ['invalidValue', '6:80-6:83', 'Expected "net.core.somaxconn" to be a string (sysctl values are written as text).'],
    ]);
  });

  it('types, enums and bandwidth pairs', () => {
    const text = list('{"type": "bandwidth", "ingressRate": 1000}');
    expect(lint(text).map((f) => [f.messageId, f.at, f.message])).toEqual([
      ['missingDependency', '6:5-6:6', 'Missing key "ingressBurst" in the bandwidth plugin config: "ingressRate" requires it.'],
    ]);
    const bridge = '{\n  "cniVersion": "1.0.0",\n  "name": "n",\n  "type": "bridge",\n  "ipMasq": "true",\n  "ipMasqBackend": "ipfw",\n  "bridge": "a-very-long-bridge-name",\n  "vlan": 5000\n}\n';
    expect(lint(bridge, 'x.conf').map((f) => [f.at, f.message])).toEqual([
      ['5:13-5:19', 'Expected "ipMasq" to be true or false.'],
      ['6:20-6:26', 'Expected "ipMasqBackend" to be one of "iptables" or "nftables".'],
      ['7:13-7:38', 'Expected "bridge" to be an interface name of at most 15 characters.'],
      ['8:11-8:15', 'Expected "vlan" to be an integer from 0 to 4094.'],
    ]);
  });

  it('flannel delegates are checked as bridge configs', () => {
    const text = '{\n  "name": "cbr0",\n  "cniVersion": "0.3.1",\n  "plugins": [\n    {"type": "flannel", "delegate": {"hairpinMode": "yes", "isDefaultGateway": true}}\n  ]\n}\n';
    expect(lint(text).map((f) => [f.at, f.message])).toEqual([['5:53-5:58', 'Expected "hairpinMode" to be true or false.']]);
  });
});

describe('walkCni with the node types rules listen to', () => {
  it('visits the root and plugins in the order of the full walk when no JSON type is listened to', () => {
    const names = [...corpusNames, 'inline'];
    for (const name of names) {
      const text =
        name === 'inline'
          ? '{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"flannel","delegate":{"ipMasq":true,"delegate":{}}},{"type":"portmap"},{"type":"flannel"}]}'
          : read(name);
      const document = parseCni(new SourceText(text), name === 'inline' ? 'x.conflist' : name).documents[0];
      if (!document) continue;
      const full: BaseNode[] = [];
      cniParser.walk(document, (n) => full.push(n));
      const partial: BaseNode[] = [];
      cniParser.walk(document, (n) => partial.push(n), new Set(['CniConfig', 'CniPlugin', 'FlannelNetConfig', 'SnatPoint']));
      expect(partial, name).toEqual(full.filter((n) => !n.type.startsWith('Json')));
      expect(partial.every((n, i) => n === full.filter((m) => !m.type.startsWith('Json'))[i])).toBe(true);
    }
  });
});
