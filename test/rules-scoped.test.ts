import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintFiles } from '../src/engine/lint-files.js';

// Rules that combine evidence from several files of one directory (one node's scope).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-scope-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function node(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

async function findings(dir: string, ruleId: string) {
  const { results } = await lintFiles([dir]);
  return results.flatMap((r) =>
    r.findings.filter((f) => f.ruleId === ruleId).map((f) => ({ file: path.basename(r.filePath), line: f.line, severity: f.severity, message: f.message })),
  );
}

const VETH_ON = 'Features for veth1a2b3c4:\nrx-checksumming: on\ntx-checksumming: on\n';
const KUBE_DUMP = '*nat\n:POSTROUTING ACCEPT [0:0]\n:KUBE-POSTROUTING - [0:0]\n-A POSTROUTING -j KUBE-POSTROUTING\n-A KUBE-POSTROUTING -j MASQUERADE --random-fully\nCOMMIT\n';
const DOCKER_DUMP = '*nat\n:POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE --random-fully\n-A DOCKER -i docker0 -j RETURN\nCOMMIT\n';

describe('veth-rx-offload-on combines ethtool, kernel and path evidence', () => {
  it('end-of-life kernel + Kubernetes pod network: error', async () => {
    const dir = node('k8s-3.19', { 'ethtool-k.txt': VETH_ON, 'uname-r.txt': '3.19.0-25\n', 'iptables-save.txt': KUBE_DUMP });
    const f = await findings(dir, 'veth-rx-offload-on');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'ethtool-k.txt', line: 2, severity: 2 });
    expect(f[0].message).toContain('lacks ce8c839b74e3');
    expect(f[0].message).toContain('Kubernetes/CNI pod network');
  });

  it('fixed kernel: silent, although rx-checksumming is on', async () => {
    const dir = node('k8s-5.15', { 'ethtool-k.txt': VETH_ON, 'uname-r.txt': '5.15.0-91-generic\n', 'iptables-save.txt': KUBE_DUMP });
    expect(await findings(dir, 'veth-rx-offload-on')).toEqual([]);
  });

  it("Docker's NATed IPv4 bridge only: silent even on an old kernel", async () => {
    const dir = node('docker-3.19', { 'ethtool-k.txt': VETH_ON, 'uname-r.txt': '3.19.0\n', 'iptables-save.txt': DOCKER_DUMP });
    expect(await findings(dir, 'veth-rx-offload-on')).toEqual([]);
  });

  it('a maintained branch or distribution kernel is a warning that says the backport is unknown', async () => {
    const dir = node('el7', {
      'ethtool-k.txt': VETH_ON,
      'uname-r.txt': '3.10.0-1160.el7.x86_64\n',
      '10-bridge.conflist': '{"cniVersion":"1.0.0","name":"pods","plugins":[{"type":"bridge","bridge":"cni0","isGateway":true,"ipam":{"type":"host-local","subnet":"10.22.0.0/16"}}]}\n',
    });
    const f = await findings(dir, 'veth-rx-offload-on');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe(1);
    expect(f[0].message).toMatch(/3\.10\.0-1160\.el7\.x86_64.*not known|el7/);
  });
});

describe('masquerade-without-random-fully grades --random by the scope kernel', () => {
  const RANDOM = '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.244.0.0/16 -j MASQUERADE --random\nCOMMIT\n';
  it('kernel >= 5.0: --random is identical to --random-fully on MASQUERADE', async () => {
    const dir = node('random-5.4', { 'iptables-save.txt': RANDOM, 'uname-r.txt': '5.4.0-1045-aws\n' });
    expect(await findings(dir, 'masquerade-without-random-fully')).toEqual([]);
  });
  it('kernel 4.19: a warning naming the kernel', async () => {
    const dir = node('random-4.19', { 'iptables-save.txt': RANDOM, 'uname-r.txt': '4.19.0-17-amd64\n' });
    const f = await findings(dir, 'masquerade-without-random-fully');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 1, line: 3 });
    expect(f[0].message).toContain('this node runs 4.19.0-17-amd64');
  });
  it('kernel older than 3.14: the fix is only a suggestion', async () => {
    const dir = node('old-kernel', { 'iptables-save.txt': RANDOM.replace(' --random', ''), 'uname-r.txt': '3.10.0\n' });
    const { results } = await lintFiles([dir]);
    const f = results.flatMap((r) => r.findings).find((x) => x.ruleId === 'masquerade-without-random-fully')!;
    expect(f.fix).toBeUndefined();
    expect(f.suggestions?.[0].desc).toContain('needs kernel >= 3.14');
  });
});

describe('masquerade-without-random-fully and flannel', () => {
  const CONFLIST = '{"name":"cbr0","cniVersion":"0.3.1","plugins":[{"type":"flannel","delegate":{"hairpinMode":true,"isDefaultGateway":true}},{"type":"portmap","capabilities":{"portMappings":true}}]}\n';
  const FLANNELD = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-flannel-ds
  namespace: kube-flannel
spec:
  selector:
    matchLabels: { app: flannel }
  template:
    metadata:
      labels: { app: flannel }
    spec:
      containers:
      - name: kube-flannel
        image: ghcr.io/flannel-io/flannel:v0.26.1
        command: ["/opt/bin/flanneld"]
        args: ["--ip-masq", "--kube-subnet-mgr"]
`;
  it('the bridge delegate is a warning while flanneld is not in evidence', async () => {
    const dir = node('flannel-cni-only', { '10-flannel.conflist': CONFLIST });
    const f = await findings(dir, 'masquerade-without-random-fully');
    expect(f.map((x) => x.message).filter((m) => m.includes('flannel delegate'))).toHaveLength(1);
  });
  it('flanneld --ip-masq in the same scope turns the delegate masquerade off: no delegate finding', async () => {
    const dir = node('flannel-with-flanneld', { '10-flannel.conflist': CONFLIST, 'kube-flannel.yaml': FLANNELD });
    const f = await findings(dir, 'masquerade-without-random-fully');
    expect(f.filter((x) => x.message.includes('flannel delegate'))).toEqual([]);
  });
});
