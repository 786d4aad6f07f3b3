import type { BaseNode } from './node.js';
import type { Range } from './source.js';
import type { JsonObject, JsonProperty, JsonSetting, JsonValue } from '../parsers/json/index.js';

/** Where an agent flag was written: a JSON flags file, a `--flag=value` line, or a `MESOS_FLAG=value` env line. */
export type MesosFlagSource = 'json' | 'cli' | 'env';

/** One mesos-agent flag (src/slave/flags.cpp). */
export interface MesosFlag extends BaseNode {
  type: 'MesosFlag';
  /** The flag name as Mesos knows it: `isolation`, `network_cni_config_dir` (an env name lower-cased, without `MESOS_`). */
  name: string;
  /** The value as text: `--no-flag` gives `false`, a bare `--flag` gives `true`; JSON non-strings are their JSON text. */
  value: string;
  nameRange: Range;
  /** Where the value is written (with its quotes, if any); absent for bare and `--no-` flags. */
  valueRange?: Range;
  source: MesosFlagSource;
  /** The JSON property, for JSON flags files. */
  property?: JsonProperty;
}

/** An agent's flags, from any of the three forms. */
export interface MesosAgentFlags extends BaseNode {
  type: 'MesosAgentFlags';
  /** In text order; a flag given twice appears twice (Mesos keeps the last). */
  flags: MesosFlag[];
  /** The last `isolation` flag. */
  isolation?: MesosFlag;
  /**
   * Isolators named by `isolation` (`network/cni`, `network/port_mapping`...), trimmed, in order.
   * Empty when the flag is absent (Mesos then uses `posix/cpu,posix/mem`).
   */
  isolators: string[];
}

/** Network modes of Marathon's networking API (apps since v1.5, pods since v1.4). */
export type MarathonNetworkMode = 'host' | 'container/bridge' | 'container';

/**
 * What a mode means for the data path (DOMAIN.md 7): `host` shares the agent's network;
 * `nat-bridge` is a NATed bridge (Docker-bridge style); `routed` is a CNI / virtual network
 * with its own routed address and a veth, no NAT (the veth checksum exposure class).
 */
export type MarathonNetworkClass = 'host' | 'nat-bridge' | 'routed' | 'unknown';

/** An entry of `networks`, or the network a legacy app's `container.docker.network` / `ipAddress` implies. */
export interface MarathonNetwork extends BaseNode {
  type: 'MarathonNetwork';
  /** `host`, `container/bridge`, `container`, or whatever was written. */
  mode: string;
  classification: MarathonNetworkClass;
  /** The `mode` setting (for a legacy network: the `network` setting). */
  modeSetting?: JsonSetting<string>;
  /** The CNI / virtual network's name (`networks[].name`, legacy `ipAddress.networkName`). */
  name?: JsonSetting<string>;
  /** True when derived from `container.docker.network` or `ipAddress` (no `networks` key). */
  legacy: boolean;
  node: JsonObject;
}

interface MarathonRunSpec extends BaseNode {
  id?: JsonSetting<string>;
  /** `networks`, or the one legacy network; empty means host networking (Marathon's default). */
  networks: MarathonNetwork[];
  node: JsonObject;
}

/** A Marathon app definition (`/v2/apps`). */
export interface MarathonApp extends MarathonRunSpec {
  type: 'MarathonApp';
  /** `container.docker.network`: `BRIDGE`, `HOST`, `USER` (legacy; removed by the networking API overhaul). */
  legacyNetwork?: JsonSetting<string>;
  /** Top-level `ipAddress` (legacy IP-per-task). */
  ipAddress?: { node: JsonObject; networkName?: JsonSetting<string> };
}

/** A Marathon pod definition (`/v2/pods`). */
export interface MarathonPod extends MarathonRunSpec {
  type: 'MarathonPod';
}

/** A Mesos/Marathon file: agent flags, or app/pod definitions (alone, in an array, or in groups). */
export interface MesosDocument extends BaseNode {
  type: 'MesosDocument';
  format: 'json' | 'flags';
  agentFlags?: MesosAgentFlags;
  apps: MarathonApp[];
  pods: MarathonPod[];
  /** The JSON value, for JSON files. */
  node?: JsonValue;
}

/** The data-path class of a Marathon network mode. */
export function classifyMarathonMode(mode: string): MarathonNetworkClass {
  if (mode === 'host') return 'host';
  if (mode === 'container/bridge') return 'nat-bridge';
  if (mode === 'container') return 'routed';
  return 'unknown';
}
