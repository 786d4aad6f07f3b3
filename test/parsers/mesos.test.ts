import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../helpers/corpus.js';
import { parseText } from '../../src/engine/lint.js';
import type { MesosDocument } from '../../src/model/mesos.js';
import { SourceText, type Range } from '../../src/model/source.js';
import { detectKind } from '../../src/parsers/detect.js';
import { mesosParser, parseMesos } from '../../src/parsers/mesos/index.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/mesos');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const slice = (text: string, range: Range) => text.slice(range[0], range[1]);

function parse(text: string, filePath = 'mesos/app.json') {
  const result = parseMesos(new SourceText(text), filePath);
  return { ...result, root: result.documents[0]?.root as MesosDocument | undefined };
}

describeCorpus('corpus: every Mesos/Marathon file is detected and parsed', () => {
  it.each(corpusFiles('mesos'))('%s', (name) => {
    const text = readCorpus('mesos', name);
    expect(detectKind(`corpus/mesos/${name}`, text)).toBe('mesos');
    const file = parseText(text, `corpus/mesos/${name}`);
    expect(file.kind).toBe('mesos');
    expect(file.findings.filter((f) => f.ruleId === 'parse-error' || f.ruleId === 'internal-error')).toEqual([]);
    expect(file.documents).toHaveLength(1);
  });

  it('classifies the network modes of apps and pods', () => {
    const summary = (name: string) => {
      const text = readCorpus('mesos', name);
      const root = parse(text, name).root!;
      return [...root.apps, ...root.pods].map((s) => [
        s.type,
        s.id?.value,
        s.networks.map((n) => `${n.mode}:${n.classification}${n.name ? `:${n.name.value}` : ''}${n.legacy ? ':legacy' : ''}`),
      ]);
    };
    expect(summary('marathon-pod.json')).toEqual([['MarathonPod', '/foo', ['container:routed:my-network']]]);
    expect(summary('marathon-container-net-pod.json')).toEqual([['MarathonPod', '/container-net-pod', ['container:routed']]]);
    expect(summary('marathon-container-bridge-pod.json')[0][2]).toEqual(['container/bridge:nat-bridge']);
    expect(summary('marathon-pinger-bridge-app.json')[0].slice(0, 1)).toEqual(['MarathonApp']);
    // Written with the legacy `container.docker.network: BRIDGE`.
    expect(summary('marathon-pinger-bridge-app.json')[0][2]).toEqual(['container/bridge:nat-bridge:legacy']);
    expect(summary('marathon-ipv6-healthcheck.json')[0][2]).toEqual(['container:routed:mesos-docker-ipv6-test']);
    // The full example app still uses container.docker.network (legacy BRIDGE) and ipAddress.
    expect(summary('marathon-app.json')).toEqual([['MarathonApp', '/foo', ['container/bridge:nat-bridge:legacy']]]);
    const text = readCorpus('mesos', 'marathon-app.json');
    const app = parse(text).root!.apps[0];
    expect(slice(text, app.legacyNetwork!.range)).toBe('"BRIDGE"');
    expect(slice(text, app.networks[0].range)).toBe('"network": "BRIDGE"');
  });
});

describe('Mesos agent flags', () => {
  it('JSON flags: names, values, ranges and isolators', () => {
    const text = fixture('agent-flags.json');
    expect(detectKind('agent-flags.json', text)).toBe('mesos');
    const { root, findings } = parse(text, 'agent-flags.json');
    expect(findings).toEqual([]);
    const flags = root!.agentFlags!;
    expect(flags.isolators).toEqual(['filesystem/linux', 'docker/runtime', 'network/cni', 'network/port_mapping']);
    expect(flags.flags.map((f) => [f.name, f.value])).toContainEqual(['ephemeral_ports_per_container', '1024']);
    expect(flags.flags.map((f) => [f.name, f.value])).toContainEqual(['switch_user', 'false']);
    const dir = flags.flags.find((f) => f.name === 'network_cni_config_dir')!;
    expect(slice(text, dir.nameRange)).toBe('"network_cni_config_dir"');
    expect(slice(text, dir.valueRange!)).toBe('"/var/lib/mesos/cni/config"');
    expect(dir.source).toBe('json');
  });

  it('--flag=value files (CRLF, quotes, --no-flag, bare flags)', () => {
    const text = fixture('agent.flags');
    expect(text).toContain('\r\n');
    expect(detectKind('agent.flags', text)).toBe('mesos');
    const { documents, root, findings } = parse(text, 'agent.flags');
    expect(findings).toEqual([]);
    const flags = root!.agentFlags!;
    expect(flags.flags.map((f) => [f.name, f.value, f.source])).toEqual([
      ['master', 'zk://10.0.0.5:2181/mesos', 'cli'],
      ['isolation', 'cgroups/cpu,cgroups/mem,network/cni', 'cli'],
      ['network_cni_config_dir', '/etc/mesos/cni', 'cli'],
      ['switch_user', 'false', 'cli'],
      ['hostname_lookup', 'true', 'cli'],
    ]);
    expect(flags.isolators).toEqual(['cgroups/cpu', 'cgroups/mem', 'network/cni']);
    expect(slice(text, flags.isolation!.valueRange!)).toBe('"cgroups/cpu,cgroups/mem,network/cni"');
    expect(slice(text, flags.isolation!.nameRange)).toBe('--isolation');
    expect(slice(text, flags.flags[3].range)).toBe('--no-switch_user');
    expect(documents[0].comments.map((c) => c.text)).toEqual(['# /etc/default/mesos-agent style flags']);
    const seen: string[] = [];
    mesosParser.walk(documents[0], (n) => seen.push(n.type));
    expect(seen).toEqual(['MesosDocument', 'MesosAgentFlags', 'MesosFlag', 'MesosFlag', 'MesosFlag', 'MesosFlag', 'MesosFlag']);
  });

  it('MESOS_FLAG=value env files and command lines', () => {
    const text = fixture('mesos-agent.env');
    expect(detectKind('mesos-agent.env', text)).toBe('mesos');
    const flags = parse(text, 'mesos-agent.env').root!.agentFlags!;
    expect(flags.flags.map((f) => [f.name, f.value, f.source])).toEqual([
      ['master', 'zk://10.0.0.5:2181/mesos', 'env'],
      ['isolation', 'network/port_mapping,cgroups/cpu', 'env'],
      ['ephemeral_ports_per_container', '512', 'env'],
    ]);
    expect(slice(text, flags.isolation!.nameRange)).toBe('MESOS_ISOLATION');
    expect(slice(text, flags.isolation!.valueRange!)).toBe("'network/port_mapping,cgroups/cpu'");

    const line = 'ExecStart=/usr/sbin/mesos-agent --master=zk://m:2181/mesos --isolation=network/cni \\\n  --network_cni_plugins_dir=/opt/cni/bin\n';
    const cmd = parse(line, 'mesos-agent.service').root!.agentFlags!;
    expect(cmd.flags.map((f) => f.name)).toEqual(['master', 'isolation', 'network_cni_plugins_dir']);
    expect(cmd.isolators).toEqual(['network/cni']);
  });
});

describe('Marathon', () => {
  it('legacy USER network with ipAddress.networkName is a routed container network', () => {
    const text = fixture('marathon-legacy-user-app.json');
    expect(detectKind('app.json', text)).toBe('mesos');
    const app = parse(text).root!.apps[0];
    expect(app.legacyNetwork?.value).toBe('USER');
    expect(app.networks).toHaveLength(1);
    expect(app.networks[0]).toMatchObject({ mode: 'container', classification: 'routed', legacy: true });
    expect(app.networks[0].name?.value).toBe('dcos');
  });

  it('groups: apps and pods at any depth; no networks means host', () => {
    const text = fixture('marathon-group.json');
    const root = parse(text).root!;
    expect(root.apps.map((a) => [a.id?.value, a.networks.map((n) => n.classification)])).toEqual([
      ['/prod/web/host', ['host']],
      ['/prod/web/bridge', ['nat-bridge']],
    ]);
    expect(root.pods.map((p) => [p.id?.value, p.networks.map((n) => `${n.mode}/${n.name?.value}`)])).toEqual([['/prod/web/pod', ['container/calico']]]);
    const seen: string[] = [];
    mesosParser.walk(parse(text).documents[0], (n) => seen.push(n.type));
    expect(seen).toEqual(['MesosDocument', 'MarathonApp', 'MarathonNetwork', 'MarathonApp', 'MarathonNetwork', 'MarathonPod', 'MarathonNetwork']);
  });

  it('broken JSON is one parse-error; odd input never throws', () => {
    const { findings, documents } = parse('{"id": "/x", "cmd": "sleep", }', 'app.json');
    expect(findings).toMatchObject([{ ruleId: 'parse-error', line: 1, column: 28 }]);
    expect(findings[0].message).toMatch(/Mesos and Marathon read strict JSON/);
    expect(documents).toHaveLength(1);
    for (const input of ['', '{', '[', '--', 'MESOS_=x', '"str"', '[1, {"id": 2, "networks": 3}]', '--isolation="unterminated']) {
      expect(() => parse(input)).not.toThrow();
    }
  });
});

describe('robustness', () => {
  it('random flag lines and JSON never throw; ranges stay inside the text', () => {
    const piece = fc.constantFrom('--isolation=', 'network/cni', ',', '--no-', 'x', '=', '"', "'", ' ', '\t', '\n', '\r\n', '#', 'export ', 'MESOS_WORK_DIR=', '\\', '{', '}', '"networks": [', ']', '"mode": "container"', '"id": "/a"');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const { root, findings } = parse(text, 'fuzz.flags');
        for (const f of findings) expect(f.range[1]).toBeLessThanOrEqual(text.length);
        for (const flag of root?.agentFlags?.flags ?? []) {
          expect(flag.range[0] >= 0 && flag.range[1] <= text.length && flag.nameRange[1] <= flag.range[1]).toBe(true);
          expect(slice(text, flag.nameRange).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
