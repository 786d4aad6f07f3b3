import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';
import { lintText, parseText } from '../../src/engine/lint.js';
import type { DockerDaemonConfig } from '../../src/model/docker.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { parseDockerDaemon } from '../../src/parsers/docker-daemon/index.js';
import { schemaErrors } from '../../src/parsers/json/index.js';

const corpusNames = corpusFiles('docker');
/** Parsing and schema findings only: other rules (SNAT facts...) have their own tests. */
const SCHEMA_ONLY = { rules: { 'docker-daemon-schema': 'error' as const }, settings: {} };
const read = (name: string) => readCorpus('docker', name);
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string) {
  const result = parseDockerDaemon(new SourceText(text), '/etc/docker/daemon.json');
  return { ...result, config: result.documents[0]?.root as DockerDaemonConfig | undefined };
}

function lint(text: string) {
  return lintText(text, { config: SCHEMA_ONLY, filePath: '/etc/docker/daemon.json' }).findings.map(
    ({ ruleId, messageId, message, severity, line, column, endLine, endColumn }) => ({
      ruleId,
      messageId,
      message,
      severity,
      at: `${line}:${column}-${endLine}:${endColumn}`,
    }),
  );
}

describeCorpus('corpus: every daemon.json is detected, parsed and valid', () => {
  it.each(corpusNames)('%s', (name) => {
    const text = read(name);
    expect(detectKind(`corpus/docker/${name}`, text)).toBe('docker-daemon');
    const file = parseText(text, `corpus/docker/${name}`);
    expect(file.kind).toBe('docker-daemon');
    expect(file.documents).toHaveLength(1);
    expect(lintText(text, { config: SCHEMA_ONLY, filePath: `corpus/docker/${name}` }).findings).toEqual([]);
  });

  it('the docs\' full reference daemon.json validates clean against the schema itself', () => {
    const value = JSON.parse(read('docker-cli-docs-daemon.json-full-reference.json'));
    expect(schemaErrors('docker-daemon', value)).toEqual([]);
    expect(Object.keys(value).length).toBeGreaterThan(70);
  });

  it('daemon.json by name, whatever its content', () => {
    expect(detectKind('/etc/docker/daemon.json', '{}')).toBe('docker-daemon');
    // The name after the last `/` or `\`, in any case (a Windows path, a --stdin-filename).
    expect(detectKind('C:\\ProgramData\\docker\\config\\Daemon.json', '{}')).toBe('docker-daemon');
    expect(detectKind('repo\\daemon.json/notes.json', '{}')).toBeUndefined();
  });
});

describeCorpus('typed view of the NAT and IPv6 keys', () => {
  it('reads the full reference', () => {
    const text = read('docker-cli-docs-daemon.json-full-reference.json');
    const { config } = parse(text);
    expect(config).toMatchObject({
      type: 'DockerDaemonConfig',
      iptables: { value: false },
      ip6tables: { value: false },
      ipv6: { value: false },
      ipMasq: { value: false },
      ipForward: { value: false },
      userlandProxy: { value: false },
      allowDirectRouting: { value: false },
      firewallBackend: { value: '' },
      experimental: { value: false },
      mtu: { value: 0 },
    });
    expect(config!.defaultAddressPools.map((p) => [p.base?.value, p.size?.value])).toEqual([
      ['172.30.0.0/16', 24],
      ['172.31.0.0/16', 24],
    ]);
    expect(slice(text, config!.iptables!.property.range)).toBe('"iptables": false');
    expect(slice(text, config!.defaultAddressPools[1].base!.range)).toBe('"172.31.0.0/16"');
  });

  it('reads routed-IPv6 setups (shared corpus)', () => {
    const fly = parse(read('fly-apps-docker-daemon-ipv6-no-ip6tables.json')).config!;
    expect(fly.ipv6?.value).toBe(true);
    expect(fly.ip6tables).toBeUndefined();
    expect(fly.fixedCidrV6?.value).toBe('2001:db8:1::/64');
    expect(fly.defaultAddressPools[0]).toMatchObject({ base: { value: '10.100.0.1/16' }, size: { value: 24 } });
    const bData = parse(read('b-data-swarm-ipv6-nftables-daemon.json')).config!;
    expect(bData).toMatchObject({ ipv6: { value: true }, ip6tables: { value: true }, experimental: { value: true }, fixedCidrV6: { value: 'fd00::/80' } });
  });

  it('reads bridge gateway modes from default-network-opts', () => {
    const text = '{"default-network-opts": {"bridge": {"com.docker.network.bridge.gateway_mode_ipv6": "routed"}}}';
    const { config } = parse(text);
    expect(config!.bridgeGatewayModeIpv6?.value).toBe('routed');
    expect(slice(text, config!.bridgeGatewayModeIpv6!.range)).toBe('"routed"');
  });
});

describe('strict JSON: dockerd refuses what Go\'s encoding/json refuses', () => {
  it('a trailing comma is a fatal parse-error at the comma; rules still run', () => {
    const text = '{\r\n  "ipv6": true,\r\n  "fixed-cidr-v6": "fd00::/80",\r\n  "ipv6tables": true,\r\n}\r\n';
    const findings = lint(text);
    expect(findings).toEqual([
      {
        ruleId: 'docker-daemon-schema',
        messageId: 'unknownKeyDidYouMean',
        message: 'Unknown key "ipv6tables" in daemon.json: dockerd refuses to start with unknown keys. Did you mean "ip6tables"?',
        severity: 2,
        at: '4:3-4:15',
      },
      {
        ruleId: 'parse-error',
        messageId: undefined,
        message: 'Invalid trailing comma before "}": dockerd reads the file with Go\'s encoding/json, which rejects trailing commas.',
        severity: 2,
        at: '4:21-4:22',
      },
    ]);
  });

  it('comments and a BOM are parse-errors', () => {
    expect(lint('{\n  // no\n  "debug": true\n}')[0]).toMatchObject({ ruleId: 'parse-error', at: '2:3-2:8' });
    const bom = parse('\uFEFF{"debug": true}');
    expect(bom.findings).toMatchObject([{ ruleId: 'parse-error', range: [0, 1] }]);
    expect(bom.documents).toHaveLength(1);
  });

  it('never throws on garbage', () => {
    for (const text of ['', '[]', '"x"', '{"proxies": 1}', '{"default-address-pools": [1, {"base": 2}]}', '{"runtimes": {"x": []}}', '{"a":']) {
      const findings = lintText(text, { config: SCHEMA_ONLY, filePath: 'daemon.json' }).findings;
      expect(findings.filter((f) => f.ruleId === 'internal-error'), text).toEqual([]);
    }
  });
});

describe('docker-daemon-schema findings point at the offending key or value', () => {
  it('unknown keys are errors at the key', () => {
    const text = '{\n  "debug": true,\n  "foo": 1\n}\n';
    expect(lint(text)).toEqual([
      {
        ruleId: 'docker-daemon-schema',
        messageId: 'unknownKey',
        message: 'Unknown key "foo" in daemon.json: dockerd refuses to start with unknown keys.',
        severity: 2,
        at: '3:3-3:8',
      },
    ]);
  });

  it('dockerd matches flag names case-sensitively, so "Debug" is unknown; a rename is suggested', () => {
    const result = lintText('{"Debug": true}', { config: SCHEMA_ONLY, filePath: 'daemon.json' });
    expect(result.findings[0]).toMatchObject({ messageId: 'unknownKeyDidYouMean', severity: 2 });
    expect(result.findings[0].suggestions?.[0].edits).toEqual([{ range: [1, 8], text: '"debug"' }]);
  });

  it('wrong value types', () => {
    const text = '{\n  "mtu": "1500",\n  "log-opts": {"max-file": 5, "max-size": "10m"},\n  "iptables": "false",\n  "firewall-backend": "nft",\n  "default-shm-size": 67108864\n}\n';
    expect(lint(text).map((f) => [f.at, f.message])).toEqual([
      ['2:10-2:16', 'Expected "mtu" to be an integer from 0 to 65535.'],
      ['3:28-3:29', 'Expected "max-file" to be a string (log options are text: "max-file": "5").'],
      ['4:15-4:22', 'Expected "iptables" to be true or false.'],
      ['5:23-5:28', 'Expected "firewall-backend" to be one of "", "iptables" or "nftables".'],
      ['6:23-6:31', 'Expected "default-shm-size" to be a size string such as "64M".'],
    ]);
  });

  it('addresses and pools', () => {
    const text = '{\n  "bip": "172.17.0.1",\n  "fixed-cidr-v6": "fd00::/129",\n  "default-address-pools": [{"base": "10.0.0.0/8"}],\n  "dns": ["8.8.8.8", "dns.google"]\n}\n';
    expect(lint(text).map((f) => [f.messageId, f.at, f.message])).toEqual([
      ['invalidValue', '2:10-2:22', 'Expected "bip" to be an address/prefix such as "172.17.0.1/16" or "fd00::/64" (or "").'],
      ['invalidValue', '3:20-3:32', 'Expected "fixed-cidr-v6" to be an address/prefix such as "172.17.0.1/16" or "fd00::/64" (or "").'],
      ['missingKey', '4:29-4:30', 'Missing key "size" in "default-address-pools[0]".'],
      ['invalidValue', '5:22-5:34', 'Expected "dns[1]" to be an IP address such as "172.17.0.1" or "fd00::1".'],
    ]);
  });

  it('flag-name aliases are accepted but ignored: a warning with a rename', () => {
    const result = lintText('{"label": ["a=b"]}', { config: SCHEMA_ONLY, filePath: 'daemon.json' });
    expect(result.findings).toMatchObject([
      {
        messageId: 'aliasKey',
        severity: 1,
        message: 'Disallowed key "label": dockerd accepts the flag name but ignores it in daemon.json; use "labels".',
        range: [1, 8],
      },
    ]);
  });

  it('removed keys name the release that dropped them', () => {
    expect(lint('{"cluster-store": "consul://x"}')).toMatchObject([
      { messageId: 'removedKey', severity: 2, message: 'Disallowed key "cluster-store": it was removed in Docker 23.0, and dockerd 23.0 and later refuse to start with it.' },
    ]);
  });

  it('keys inside "proxies" are checked like flags; keys inside runtimes are ignored', () => {
    const text = '{\n  "proxies": {"http-proxy": "http://p:3128", "ftp-proxy": "x"},\n  "runtimes": {"kata": {"path": "/usr/bin/kata", "args": []}}\n}\n';
    expect(lint(text).map((f) => [f.messageId, f.severity, f.at])).toEqual([
      ['unknownKeyDidYouMean', 2, '2:46-2:57'],
      ['ignoredKey', 1, '3:50-3:56'],
    ]);
  });

  it('an unknown key holding an object is ignored by dockerd, but its keys are checked', () => {
    const text = '{\n  "network": {"debug": true, "bip6x": "fd00::1/64"}\n}\n';
    expect(lint(text).map((f) => [f.messageId, f.severity, f.at])).toEqual([
      ['ignoredObjectKey', 1, '2:3-2:12'],
      ['unknownKeyDidYouMean', 2, '2:30-2:37'],
    ]);
  });

  it('deprecated keys with a planned removal are warnings', () => {
    expect(lint('{"api-cors-header": "*"}')).toMatchObject([{ messageId: 'deprecatedKey', severity: 1, at: '1:2-1:19' }]);
  });

  it('graph and data-root together are refused', () => {
    expect(lint('{"graph": "/a", "data-root": "/b"}').map((f) => f.messageId)).toEqual(['removedKey', 'rejected']);
  });
});
