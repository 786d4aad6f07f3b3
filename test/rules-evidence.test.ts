import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintFiles } from '../src/engine/lint-files.js';

// Evidence rules whose findings depend on other files of the same directory (one node's scope):
// the kernel, SNAT points, veth devices, the conntrack limit.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netlint-evidence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let dirs = 0;
function node(files: Record<string, string>): string {
  const dir = path.join(tmp, `node-${++dirs}`);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

async function findings(dir: string, ruleId: string) {
  const { results } = await lintFiles([dir]);
  const engine = results.flatMap((r) => r.findings.filter((f) => ['parse-error', 'internal-error', 'unknown-input'].includes(f.ruleId)));
  expect(engine, 'engine findings').toEqual([]);
  return results.flatMap((r) =>
    r.findings
      .filter((f) => f.ruleId === ruleId)
      .map((f) => ({
        file: path.basename(r.filePath),
        line: f.line,
        column: f.column,
        severity: f.severity,
        messageId: f.messageId,
        message: f.message,
        related: (f.related ?? []).map((x) => ({ file: path.basename(x.filePath), line: x.line, message: x.message })),
      })),
  );
}

// conntrack -S of a node with lost connections (4.19-era field set), and one where UDP clashes were resolved.
const CONNTRACK_LOST =
  'cpu=0   \tfound=148312 invalid=9612 ignore=2317701 insert=0 insert_failed=612 drop=612 early_drop=0 error=2 search_restart=41 \n' +
  'cpu=1   \tfound=151077 invalid=9430 ignore=2294518 insert=0 insert_failed=1031 drop=1031 early_drop=0 error=0 search_restart=37 \n';
const CONNTRACK_RESOLVED =
  'cpu=0   \tfound=20117 invalid=311 insert=0 insert_failed=3 drop=0 early_drop=0 error=0 search_restart=4 clash_resolve=1421 chaintoolong=0 \n';
const DOCKER_NO_RANDOM = '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n';
const KUBE_RANDOM_FULLY =
  '*nat\n:POSTROUTING ACCEPT [0:0]\n:KUBE-POSTROUTING - [0:0]\n-A POSTROUTING -j KUBE-POSTROUTING\n-A KUBE-POSTROUTING -j MASQUERADE --random-fully\nCOMMIT\n';

describe('conntrack-insert-failed names the likely cause from the scope', () => {
  it('insert_failed with drop and a MASQUERADE without --random-fully: the SNAT is the likely cause', async () => {
    const dir = node({ 'conntrack-S.txt': CONNTRACK_LOST, 'iptables-save.txt': DOCKER_NO_RANDOM });
    const f = await findings(dir, 'conntrack-insert-failed');
    expect(f).toHaveLength(1);
    // The insert_failed total points at the CPU with the largest value.
    expect(f[0]).toMatchObject({ file: 'conntrack-S.txt', line: 2, severity: 2, messageId: 'lostSnat' });
    expect(f[0].message).toContain('insert_failed is 1643 and drop 1643 (since boot, summed over 2 CPUs)');
    expect(f[0].message).toContain('Likely cause: MASQUERADE in chain POSTROUTING (iptables-save.txt:3)');
    expect(f[0].related).toEqual([expect.objectContaining({ file: 'iptables-save.txt', line: 3 })]);
    expect(f[0].related[0].message).toContain('no --random-fully flag');
  });

  it('names one SNAT point and counts the others', async () => {
    const dump = '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.244.0.0/16 -j MASQUERADE --random\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n';
    const dir = node({ 'conntrack-S.txt': CONNTRACK_LOST, 'iptables-save.txt': dump });
    const [f] = await findings(dir, 'conntrack-insert-failed');
    expect(f.message).toContain('(iptables-save.txt:3) picks source ports without full randomisation (and 1 more SNAT point)');
    expect(f.related.map((r) => r.line)).toEqual([3, 4]);
  });

  it('nft masquerade without fully-random is named as the cause too', async () => {
    const nft = 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tip saddr 10.88.0.0/16 oifname != "cni-podman0" masquerade\n\t}\n}\n';
    const dir = node({ 'conntrack-S.txt': CONNTRACK_LOST, 'ruleset.nft': nft });
    const [f] = await findings(dir, 'conntrack-insert-failed');
    expect(f.messageId).toBe('lostSnat');
    expect(f.message).toContain('nft masquerade in chain postrouting (ruleset.nft:4)');
  });

  it('only fully random SNAT in the scope: points at DNAT races instead', async () => {
    const dir = node({ 'conntrack-S.txt': CONNTRACK_LOST, 'iptables-save.txt': KUBE_RANDOM_FULLY });
    const [f] = await findings(dir, 'conntrack-insert-failed');
    expect(f).toMatchObject({ messageId: 'lostRandomSnat', related: [] });
    expect(f.message).toContain('parallel UDP DNS queries');
  });

  it('no SNAT evidence: says which evidence to add', async () => {
    const dir = node({ 'conntrack-S.txt': CONNTRACK_LOST, 'uname-r.txt': '4.19.0-17-amd64\n' });
    const [f] = await findings(dir, 'conntrack-insert-failed');
    expect(f.messageId).toBe('lost');
    expect(f.message).toContain('add iptables-save or nft list ruleset output');
  });

  it('insert_failed without drop (clash resolved, 5.10+) is silent even next to a non-random SNAT', async () => {
    const dir = node({ 'conntrack-S.txt': CONNTRACK_RESOLVED, 'iptables-save.txt': DOCKER_NO_RANDOM });
    expect(await findings(dir, 'conntrack-insert-failed')).toEqual([]);
  });
});

const SNMP_CSUM =
  'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n' +
  'Tcp: 1 200 120000 -1 183556 91230 3341 1161 214 301252008 298915039 40227 1873 21003 1873\n' +
  'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\n' +
  'Udp: 4988542 120 0 4953028 9 8 0\n';
const VETHS_RX_ON =
  'Features for cali9d99c50de22:\nrx-checksumming: on\ntx-checksumming: on\nFeatures for cali0b4a2f8e7c1:\nrx-checksumming: on\ntx-checksumming: on\n';

describe('checksum-errors-observed says where errors show when old-kernel veth evidence is in scope', () => {
  it('veth rx offload on + kernel 3.19 + a pod network: points at the veths and the kernel', async () => {
    const dir = node({ 'proc-net-snmp.txt': SNMP_CSUM, 'ethtool-k.txt': VETHS_RX_ON, 'uname-r.txt': '3.19.0-25\n', 'iptables-save.txt': KUBE_RANDOM_FULLY });
    const f = await findings(dir, 'checksum-errors-observed');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'proc-net-snmp.txt', line: 2, messageId: 'observedVeth' });
    expect(f[0].message).toContain('veth cali9d99c50de22 (and 1 more) has rx-checksumming on while kernel 3.19.0-25');
    expect(f[0].message).toContain("the container's own InCsumErrors stays at 0");
    expect(f[0].related).toEqual([
      expect.objectContaining({ file: 'ethtool-k.txt', line: 2 }),
      expect.objectContaining({ file: 'ethtool-k.txt', line: 5 }),
      expect.objectContaining({ file: 'uname-r.txt', line: 1 }),
    ]);
  });

  it('a maintained branch (3.10, el7): the kernel reason says the backport is unknown', async () => {
    const dir = node({ 'proc-net-snmp.txt': SNMP_CSUM, 'ethtool-k.txt': VETHS_RX_ON, 'uname-r.txt': '3.10.0-1160.el7.x86_64\n' });
    const [f] = await findings(dir, 'checksum-errors-observed');
    expect(f.messageId).toBe('observedVeth');
    expect(f.message).toMatch(/3\.10\.0-1160\.el7\.x86_64 .*not known/);
  });

  it('a fixed kernel: the plain finding', async () => {
    const dir = node({ 'proc-net-snmp.txt': SNMP_CSUM, 'ethtool-k.txt': VETHS_RX_ON, 'uname-r.txt': '5.15.0-91-generic\n' });
    const f = await findings(dir, 'checksum-errors-observed');
    expect(f.map((x) => x.messageId)).toEqual(['observed']);
    expect(f[0].related).toEqual([]);
  });

  it('no kernel evidence: no guess, the plain finding', async () => {
    const dir = node({ 'proc-net-snmp.txt': SNMP_CSUM, 'ethtool-k.txt': VETHS_RX_ON });
    expect((await findings(dir, 'checksum-errors-observed')).map((x) => x.messageId)).toEqual(['observed']);
  });

  it("Docker's NATed IPv4 bridge only: the veth path verifies checksums, the plain finding", async () => {
    const dir = node({ 'proc-net-snmp.txt': SNMP_CSUM, 'ethtool-k.txt': VETHS_RX_ON, 'uname-r.txt': '3.19.0\n', 'iptables-save.txt': DOCKER_NO_RANDOM.replace('*nat\n', '*nat\n:DOCKER - [0:0]\n') });
    expect((await findings(dir, 'checksum-errors-observed')).map((x) => x.messageId)).toEqual(['observed']);
  });

  it('veths with rx offload off: the plain finding', async () => {
    const dir = node({ 'proc-net-snmp.txt': SNMP_CSUM, 'ethtool-k.txt': VETHS_RX_ON.replaceAll('rx-checksumming: on', 'rx-checksumming: off'), 'uname-r.txt': '3.19.0\n' });
    expect((await findings(dir, 'checksum-errors-observed')).map((x) => x.messageId)).toEqual(['observed']);
  });

  it('is a warning in netlint:recommended (counters are since boot)', async () => {
    const dir = node({ 'proc-net-snmp.txt': SNMP_CSUM });
    expect((await findings(dir, 'checksum-errors-observed')).map((x) => x.severity)).toEqual([1]);
  });
});

describe('conntrack-table-small reads the limit from the scope', () => {
  it('count in sysctl -a, limit in a sysctl.d file of the same node', async () => {
    const dir = node({
      'sysctl-a.txt': 'net.netfilter.nf_conntrack_buckets = 262144\nnet.netfilter.nf_conntrack_count = 250113\n',
      '90-conntrack.conf': 'net.netfilter.nf_conntrack_max = 262144\n',
    });
    const f = await findings(dir, 'conntrack-table-small');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'sysctl-a.txt', line: 2, messageId: 'nearlyFull' });
    expect(f[0].message).toContain('found 250113 of 262144 (95.4%)');
  });

  it('nf_conntrack_max 0 means no limit: silent', async () => {
    const dir = node({ 'sysctl-a.txt': 'net.netfilter.nf_conntrack_count = 250113\nnet.netfilter.nf_conntrack_max = 0\n' });
    expect(await findings(dir, 'conntrack-table-small')).toEqual([]);
  });

  it('both names in one file with different values: the later line wins', async () => {
    const dir = node({ '99-tuning.conf': 'net.netfilter.nf_conntrack_max = 65536\nnet.nf_conntrack_max = 524288\n' });
    expect(await findings(dir, 'conntrack-table-small')).toEqual([]);
    const dir2 = node({ '99-tuning.conf': 'net.nf_conntrack_max = 524288\nnet.netfilter.nf_conntrack_max = 65536\n' });
    expect((await findings(dir2, 'conntrack-table-small')).map((x) => [x.line, x.messageId])).toEqual([[2, 'small']]);
  });
});

describe('snat-port-range-narrow keeps ip_local_port_range apart from SNAT ports', () => {
  it('says that ip_local_port_range does not limit SNAT', async () => {
    const dir = node({ 'sysctl-a.txt': 'net.ipv4.ip_local_port_range = 61000\t61999\n', 'iptables-save.txt': KUBE_RANDOM_FULLY });
    const f = await findings(dir, 'snat-port-range-narrow');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'sysctl-a.txt', messageId: 'narrowLocal', severity: 1 });
    expect(f[0].message).toContain('This setting does not limit SNAT');
  });
});

const VXLAN_TX_ON = 'Features for vxlan.calico:\nrx-checksumming: on\ntx-checksumming: on\n\ttx-checksum-ipv4: off [fixed]\n\ttx-checksum-ip-generic: on\n';

describe('vxlan-tx-checksum-offload-old-kernel grades by the scope kernel', () => {
  it('kernel 5.4: error with the kernel as related location', async () => {
    const dir = node({ 'ethtool-k.txt': VXLAN_TX_ON, 'uname-r.txt': '5.4.0-1045-aws\n' });
    const f = await findings(dir, 'vxlan-tx-checksum-offload-old-kernel');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'ethtool-k.txt', line: 3, severity: 2, messageId: 'broken' });
    expect(f[0].message).toContain('kernel 5.4.0-1045-aws is 5.7.0 or older');
    expect(f[0].message).toContain('not the veth rx-offload bug fixed in 4.4');
    expect(f[0].related).toEqual([expect.objectContaining({ file: 'uname-r.txt', line: 1 })]);
  });

  it('kernel 5.7.0 from /proc/version (Felix counts 5.7.0 as broken): error', async () => {
    const dir = node({
      'ethtool-k.txt': VXLAN_TX_ON.replaceAll('vxlan.calico', 'flannel.1'),
      'proc-version.txt': 'Linux version 5.7.0-1-amd64 (debian-kernel@lists.debian.org) (gcc version 9.3.0 (Debian 9.3.0-13)) #1 SMP Debian 5.7.6-1 (2020-06-24)\n',
    });
    const f = await findings(dir, 'vxlan-tx-checksum-offload-old-kernel');
    expect(f.map((x) => [x.messageId, x.severity])).toEqual([['broken', 2]]);
    expect(f[0].message).toContain('VXLAN tunnel flannel.1');
  });

  it.each(['5.7.1', '5.8.0-63-generic', '5.15.0-91-generic', '6.8.0-1012-aws'])('kernel %s: silent', async (kernel) => {
    const dir = node({ 'ethtool-k.txt': VXLAN_TX_ON, 'uname-r.txt': `${kernel}\n` });
    expect(await findings(dir, 'vxlan-tx-checksum-offload-old-kernel')).toEqual([]);
  });

  it('no kernel evidence: a warning that says the kernel is unknown', async () => {
    const dir = node({ 'ethtool-k.txt': VXLAN_TX_ON });
    const f = await findings(dir, 'vxlan-tx-checksum-offload-old-kernel');
    expect(f.map((x) => [x.messageId, x.severity])).toEqual([['unknownKernel', 1]]);
    expect(f[0].message).toMatch(/^Unknown kernel: VXLAN tunnel vxlan\.calico/);
  });

  it('tx-checksumming [fixed]: the remedy is a kernel upgrade, not ethtool', async () => {
    const dir = node({ 'ethtool-k.txt': 'Features for tunl0:\nrx-checksumming: off [fixed]\ntx-checksumming: on [fixed]\n', 'uname-r.txt': '4.19.0-17-amd64\n' });
    const [f] = await findings(dir, 'vxlan-tx-checksum-offload-old-kernel');
    expect(f.message).toContain('IPIP tunnel tunl0');
    expect(f.message).toContain('ethtool cannot turn it off ([fixed])');
    expect(f.message).not.toContain('ethtool -K');
  });

  it('veths and NICs with tx offload on an old kernel are not this bug', async () => {
    const dir = node({
      'ethtool-k.txt': 'Features for cali9d99c50de22:\nrx-checksumming: on\ntx-checksumming: on\nFeatures for ens3:\nrx-checksumming: on [fixed]\ntx-checksumming: on\n',
      'uname-r.txt': '4.19.0-17-amd64\n',
    });
    expect(await findings(dir, 'vxlan-tx-checksum-offload-old-kernel')).toEqual([]);
  });
});
