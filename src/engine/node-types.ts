import type { CniConfig, CniPlugin, FlannelNetConfig } from '../model/cni.js';
import type { DockerDaemonConfig } from '../model/docker.js';
import type {
  ConntrackCpu,
  ConntrackStats,
  EthtoolDevice,
  EthtoolDocument,
  EthtoolFeature,
  KernelDocument,
  KernelVersion,
  SnmpCounter,
  SnmpCounters,
  SysctlDocument,
  SysctlEntry,
} from '../model/evidence.js';
import type {
  IptablesChain,
  IptablesDocument,
  IptablesMatch,
  IptablesRule,
  IptablesTable,
  IptablesTarget,
} from '../model/iptables.js';
import type {
  NftAssign,
  NftChain,
  NftCounter,
  NftDocument,
  NftGeneric,
  NftMap,
  NftMatch,
  NftNat,
  NftRule,
  NftRuleComment,
  NftSet,
  NftTable,
  NftVerdict,
  NftVerdictMap,
} from '../model/nft.js';
import type { FactTypeMap } from '../model/facts.js';
import type {
  CalicoInstallation,
  CalicoIPPool,
  CiliumConfig,
  FelixConfiguration,
  IpMasqAgentConfig,
  K8sConfigMap,
  K8sContainer,
  K8sDocument,
  K8sEnvVar,
  K8sNode,
  K8sObject,
  K8sWorkload,
  KindCluster,
  KubeProxyConfiguration,
} from '../model/kubernetes.js';
import type { MarathonApp, MarathonNetwork, MarathonPod, MesosAgentFlags, MesosDocument, MesosFlag } from '../model/mesos.js';
import type { JsonArray, JsonLiteral, JsonObject, JsonProperty } from '../parsers/json/tree.js';

/**
 * Node types rules can subscribe to, by `type` tag. Each input kind's model adds its nodes here.
 */
export interface NodeTypeMap extends FactTypeMap {
  IptablesDocument: IptablesDocument;
  IptablesTable: IptablesTable;
  IptablesChain: IptablesChain;
  IptablesRule: IptablesRule;
  IptablesMatch: IptablesMatch;
  IptablesTarget: IptablesTarget;
  NftDocument: NftDocument;
  NftTable: NftTable;
  NftChain: NftChain;
  NftSet: NftSet;
  NftMap: NftMap;
  NftRule: NftRule;
  NftMatch: NftMatch;
  NftAssign: NftAssign;
  NftNat: NftNat;
  NftVerdict: NftVerdict;
  NftVerdictMap: NftVerdictMap;
  NftCounter: NftCounter;
  NftRuleComment: NftRuleComment;
  NftGeneric: NftGeneric;
  EthtoolDocument: EthtoolDocument;
  EthtoolDevice: EthtoolDevice;
  EthtoolFeature: EthtoolFeature;
  ConntrackStats: ConntrackStats;
  ConntrackCpu: ConntrackCpu;
  SnmpCounters: SnmpCounters;
  SnmpCounter: SnmpCounter;
  KernelDocument: KernelDocument;
  KernelVersion: KernelVersion;
  SysctlDocument: SysctlDocument;
  SysctlEntry: SysctlEntry;
  CniConfig: CniConfig;
  CniPlugin: CniPlugin;
  FlannelNetConfig: FlannelNetConfig;
  DockerDaemonConfig: DockerDaemonConfig;
  K8sDocument: K8sDocument;
  K8sObject: K8sObject;
  K8sWorkload: K8sWorkload;
  K8sContainer: K8sContainer;
  K8sEnvVar: K8sEnvVar;
  K8sConfigMap: K8sConfigMap;
  KubeProxyConfiguration: KubeProxyConfiguration;
  IpMasqAgentConfig: IpMasqAgentConfig;
  CalicoIPPool: CalicoIPPool;
  FelixConfiguration: FelixConfiguration;
  CalicoInstallation: CalicoInstallation;
  CiliumConfig: CiliumConfig;
  K8sNode: K8sNode;
  KindCluster: KindCluster;
  MesosDocument: MesosDocument;
  MesosAgentFlags: MesosAgentFlags;
  MesosFlag: MesosFlag;
  MarathonApp: MarathonApp;
  MarathonPod: MarathonPod;
  MarathonNetwork: MarathonNetwork;
  /** Generic JSON nodes of JSON-based kinds (cni, docker-daemon), visited in text order. */
  JsonObject: JsonObject;
  JsonArray: JsonArray;
  JsonLiteral: JsonLiteral;
  JsonProperty: JsonProperty;
}
