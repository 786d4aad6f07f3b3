import path from 'node:path';
import { expect, it } from 'vitest';
import { collectFacts } from '../src/cli/facts-command.js';
import { CORPUS_ROOT, describeCorpus } from './helpers/corpus.js';

/**
 * Every SNAT source in the shared corpus, as `line engine port-selection` per file: what
 * `netlint facts` must print. Each was checked against DOMAIN.md: the reference CNI plugins,
 * Docker, Weave and pre-1.16 kube-proxy never randomise; AWS VPC CNI v1.6 defaults to
 * hashrandom, v1.7+ to prng; flannel >= 0.11 and ip-masq-agent >= 2.10 add --random-fully;
 * Calico randomises when supported; unrendered templates and untagged images are unknown.
 * Files with no SNAT source (routed Docker IPv6, Mesos, evidence) have no entry.
 */
const EXPECTED: Record<string, string[]> = {
  'cni/aws-vpc-cni-10-aws.conflist.template': ["21 aws-vpc-cni unknown", "35 cni-portmap sequential"],
  'cni/aws-vpc-cni-v1.6.0-10-aws.conflist.template': ["14 cni-portmap sequential"],
  'cni/calico-10-calico.conflist.template': ["24 cni-portmap sequential"],
  'cni/cni-dev-bridge-ipmasq-example.conf': ["8 cni-bridge sequential"],
  'cni/cni-dev-portmap-all-options-iptables.conf': ["5 cni-portmap sequential"],
  'cni/cni-dev-portmap-nftables-backend.conf': ["5 cni-portmap sequential"],
  'cni/cni-dev-portmap-standalone-ptp-ipmasq-trailing-comma.conflist': ["7 cni-ptp sequential", "18 cni-portmap sequential"],
  'cni/cni-plugins-integration-basic-ptp-ipmasq.conf': ["5 cni-ptp sequential"],
  'cni/cni-plugins-integration-chained-ptp-bandwidth.conflist': ["7 cni-ptp sequential"],
  'cni/cni-spec-dbnet-example.conflist.jsonc': ["34 cni-portmap sequential"],
  'cni/flannel-10-flannel.conflist': ["7 cni-bridge sequential", "12 cni-portmap sequential"],
  'cni/mesos-docs-cni-port-mapper-delegate-bridge.conf': ["10 cni-bridge sequential"],
  'cni/mesos-docs-cni-test-bridge-ipmasq.conf': ["6 cni-bridge sequential"],
  'docker/ambroisemaupate-server-env-ipv6-ula.json': ["1 docker sequential"],
  'docker/b-data-swarm-ipv6-nftables-daemon.json': ["1 docker sequential", "4 docker sequential"],
  'docker/fly-apps-docker-daemon-ipv6-no-ip6tables.json': ["1 docker sequential"],
  'iptables-save/calico-felix-fv-k8s-docker-node-2019.iptables-save.txt': ["64 iptables sequential", "68 iptables sequential"],
  'iptables-save/calico-felix-fv-vxlan-natoutgoing.iptables-save.txt': ["43 iptables fully-random"],
  'iptables-save/kube-proxy-iptables-TestOverallIPTablesRules.restore.txt': ["70 iptables sequential"],
  'iptables-save/moby-bridge-ipv6-gwm-nat.ip6tables-save.txt': ["33 iptables sequential"],
  'iptables-save/moby-bridge-masq-gwm-nat.iptables-save.txt': ["33 iptables sequential"],
  'iptables-save/moby-bridge-snat-hostipv4.iptables-save.txt': ["34 iptables sequential"],
  'kubernetes/aws-vpc-cni-aws-k8s-cni-master.yaml': ["252 aws-vpc-cni fully-random"],
  'kubernetes/aws-vpc-cni-aws-k8s-cni-v1.6.yaml': ["90 aws-vpc-cni hash-random"],
  'kubernetes/calico-ippools-natoutgoing-true-confd-input.yaml': ["44 calico fully-random", "53 calico fully-random", "71 calico fully-random"],
  'kubernetes/calico-manifest-calico.yaml': ["83 cni-portmap sequential", "12633 calico fully-random"],
  'kubernetes/calico-operator-custom-resources.yaml': ["15 calico fully-random"],
  'kubernetes/flannel-kube-flannel.yml': ["78 cni-bridge sequential", "83 cni-portmap sequential", "164 flannel fully-random"],
  'kubernetes/flannel-v0.11.0-kube-flannel.yml': ["61 cni-bridge sequential", "66 cni-portmap sequential", "120 flannel sequential", "198 flannel sequential", "276 flannel sequential", "354 flannel sequential", "432 flannel sequential"],
  'kubernetes/fury-ip-masq-agent-config-empty-nonmasq.yaml': ["5 ip-masq-agent unknown"],
  'kubernetes/fury-ip-masq-agent-daemonset-patch.yaml': ["16 ip-masq-agent unknown"],
  'kubernetes/ip-masq-agent-config-default.yaml': ["2 ip-masq-agent unknown"],
  'kubernetes/ip-masq-agent-daemonset.yaml': ["18 ip-masq-agent sequential"],
  'kubernetes/kyverno-kind-config-kubeproxy-patch.yaml': ["17 kube-proxy unknown"],
  'kubernetes/weave-net-daemonset-k8s-1.11.yaml': ["154 weave sequential"],
  'nftables/calico-felix-fv-vxlan-natoutgoing.nft': ["126 nft fully-random", "167 nft fully-random"],
  'nftables/kube-proxy-nftables-TestOverallNFTablesRules.nft-transaction.txt': ["43 nft fully-random"],
  'nftables/moby-bridge-masq-gwm-nat.nft': ["69 nft sequential"],
  'nftables/moby-bridge-snat-hostipv4.nft': ["69 nft sequential"],
};

describeCorpus('netlint facts over the corpus', () => {
  it('prints a SNAT point for every SNAT source, with its port selection', async () => {
    const scopes = await collectFacts([CORPUS_ROOT], process.cwd());
    const actual: Record<string, string[]> = {};
    for (const { facts } of scopes) {
      for (const f of facts) {
        if (f.type !== 'SnatPoint') continue;
        const rel = path.relative(CORPUS_ROOT, f.filePath).split(path.sep).join('/');
        (actual[rel] ??= []).push(`${f.line} ${String(f.engine)} ${String(f.portSelection)}`);
      }
    }
    expect(actual).toEqual(EXPECTED);
  });
});
