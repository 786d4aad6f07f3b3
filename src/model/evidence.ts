import type { BaseNode } from './node.js';
import type { Range } from './source.js';

/**
 * A counter read from node evidence. A `number` while it is a safe integer, else a `bigint`
 * (64-bit kernel counters can pass 2^53). Compare with `counterToBigInt` when mixing.
 */
export type CounterValue = number | bigint;

/** A counter's value as a bigint, whatever its representation. */
export function counterToBigInt(value: CounterValue): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

/** Sum of two counters: a `number` while the sum stays a safe integer. */
export function addCounters(a: CounterValue, b: CounterValue): CounterValue {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return normaliseCounter(counterToBigInt(a) + counterToBigInt(b));
}

/** A bigint as a `number` when that is exact. */
export function normaliseCounter(value: bigint): CounterValue {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

// ---------------------------------------------------------------------------------------------
// ethtool -k

/** One `name: on|off [fixed]` line of `ethtool -k` output. */
export interface EthtoolFeature extends BaseNode {
  type: 'EthtoolFeature';
  /** `rx-checksumming`, `tx-checksum-ipv4`... */
  name: string;
  nameRange: Range;
  state: 'on' | 'off';
  /** Range of the `on`/`off` word. */
  stateRange: Range;
  /** ` [fixed]`: the driver does not let ethtool change it. */
  fixed: boolean;
  /**
   * What was requested when it differs from the state: ` [requested on]` → `on`,
   * ` [requested off]` → `off`, ` [not requested]` → `none`. Absent when the line has no marker.
   */
  requested?: 'on' | 'off' | 'none';
  /** Name of the feature this one is indented under (`tx-checksumming` for `tx-checksum-ipv4`). */
  parent?: string;
  /** Name of the device whose block holds the line. */
  device: string;
}

/** One `Features for DEV:` block (or the old `Offload parameters for DEV:`). */
export interface EthtoolDevice extends BaseNode {
  type: 'EthtoolDevice';
  /** The device name as ethtool printed it. Guessing its type (veth, vxlan...) is the extractor's job. */
  name: string;
  nameRange: Range;
  /** From the header to the end of the block's last feature line. */
  range: Range;
  features: EthtoolFeature[];
}

/** `ethtool -k` output for one or more devices. */
export interface EthtoolDocument extends BaseNode {
  type: 'EthtoolDocument';
  devices: EthtoolDevice[];
}

/** A device's feature by name. */
export function ethtoolFeature(device: EthtoolDevice, name: string): EthtoolFeature | undefined {
  return device.features.find((f) => f.name === name);
}

// ---------------------------------------------------------------------------------------------
// conntrack -S, /proc/net/stat/nf_conntrack

/** A counter with the range of its value in the text. */
export interface RangedCounter {
  value: CounterValue;
  range: Range;
}

/**
 * - `cpu-lines`: modern `conntrack -S` (netlink), one `cpu=N key=value ...` line per CPU;
 * - `summary`: old `conntrack -S` (or unprivileged fallback) `key   value` lines, already summed;
 * - `proc`: `/proc/net/stat/nf_conntrack`, a header and one hex row per possible CPU.
 */
export type ConntrackFormat = 'cpu-lines' | 'summary' | 'proc';

/** The counters of one CPU: a `cpu=N` line or a row of the proc table. */
export interface ConntrackCpu extends BaseNode {
  type: 'ConntrackCpu';
  /** CPU number; for the proc table, the 0-based row index (rows follow the possible CPUs). */
  cpu: number;
  /** Counters by the kernel's name (`insert_failed`, `drop`, `clash_resolve`, unknown ones too). */
  counters: Record<string, RangedCounter>;
}

/** `conntrack -S` or `/proc/net/stat/nf_conntrack`. */
export interface ConntrackStats extends BaseNode {
  type: 'ConntrackStats';
  format: ConntrackFormat;
  /** Per-CPU counters in text order; empty for the `summary` format. */
  cpus: ConntrackCpu[];
  /**
   * Counters summed over CPUs, except `entries` (a global count every row repeats: taken from the
   * first row). For the `summary` format, the printed values. Each total's range points at the
   * summary value, or at the largest per-CPU value (the first on ties) so a finding has a place.
   */
  totals: Record<string, RangedCounter>;
  /** The proc table's column names with their ranges, in header order. */
  header?: { name: string; range: Range }[];
}

// ---------------------------------------------------------------------------------------------
// /proc/net/snmp, /proc/net/netstat, nstat, netstat -s

/**
 * - `proc`: `/proc/net/snmp` or `/proc/net/netstat` (`Prefix: names` / `Prefix: values` pairs);
 * - `nstat`: `nstat` output (`#kernel`, then `TcpInCsumErrors  12  0.0`), also `/proc/net/snmp6`;
 * - `netstat-s`: `netstat -s` prose, mapped to counter names where net-tools' wording is known.
 */
export type SnmpFormat = 'proc' | 'nstat' | 'netstat-s';

/** One counter, keyed `Group.Name` (`Tcp.InCsumErrors`, `TcpExt.ListenDrops`, `Ip6.InReceives`). */
export interface SnmpCounter extends BaseNode {
  type: 'SnmpCounter';
  /** `Tcp.InCsumErrors`; a name whose group is unknown is kept as written. */
  key: string;
  /** `Tcp`, `Udp`, `TcpExt`, `Ip6`...; empty when unknown. */
  group: string;
  /** `InCsumErrors`. */
  name: string;
  value: CounterValue;
  /** Range of the name as written (a header column, an nstat name, a netstat -s line). */
  nameRange: Range;
  /** Range of the value. */
  range: Range;
}

/** A `netstat -s` line whose wording is not mapped to a counter name. */
export interface SnmpProse {
  group: string;
  text: string;
  value?: CounterValue;
  range: Range;
}

/** Network counters from one of the `SnmpFormat` sources. */
export interface SnmpCounters extends BaseNode {
  type: 'SnmpCounters';
  format: SnmpFormat;
  /**
   * By key. `netstat -s` prints most counters only when non-zero, so a missing key there means
   * "zero or unknown", not "absent from the kernel".
   */
  counters: Record<string, SnmpCounter>;
  /** `netstat -s` lines kept verbatim because their wording is not in the mapping. */
  unmapped: SnmpProse[];
}

// ---------------------------------------------------------------------------------------------
// uname -r / uname -a / /proc/version

/** Where the version came from. */
export type KernelSource = 'uname-r' | 'uname-a' | 'proc-version';

/** A kernel release, split into comparable parts. */
export interface KernelRelease {
  /** The release as written: `5.4.0-1045-aws`. */
  raw: string;
  major: number;
  minor: number;
  /** 0 when the release has only two parts (`6.1`). */
  patch: number;
  /** Everything after `major.minor.patch`, kept: `-1045-aws`, `-1160.el7.x86_64`, `+`. */
  suffix: string;
  /**
   * Leading numbers of the distro part, the backport level: `3.10.0-1160.71.1.el7` → `[1160, 71, 1]`,
   * `5.4.0-1045-aws` → `[1045]`. Empty when there are none.
   */
  build: number[];
  /**
   * Distro guess where the release (or the `uname -a`/`/proc/version` text) makes it obvious:
   * `el7`, `el8`, `el9`, `amzn1`, `amzn2`, `amzn2023`, `fc39`, `ubuntu`, `debian`, `suse`, `cm2`,
   * `azl3`, `flatcar`, `talos`, `cos`... Absent when unsure.
   */
  distro?: string;
  /** `x86_64`, `aarch64`... when the text says so. */
  arch?: string;
}

/** A kernel version read from a file, with its location. */
export interface KernelVersion extends BaseNode, KernelRelease {
  type: 'KernelVersion';
  source: KernelSource;
  /** Range of the release (`raw`) in the text. */
  range: Range;
  /** The whole line it came from. */
  lineRange: Range;
  /** Host name from `uname -a`. */
  hostname?: string;
}

/** `uname -r`/`uname -a`/`/proc/version` output: usually one version. */
export interface KernelDocument extends BaseNode {
  type: 'KernelDocument';
  /** The first version of the file. */
  version?: KernelVersion;
  versions: KernelVersion[];
}

// ---------------------------------------------------------------------------------------------
// sysctl -a, sysctl.conf, sysctl.d/*.conf

/** One `key = value` line. */
export interface SysctlEntry extends BaseNode {
  type: 'SysctlEntry';
  /** Dotted, as `sysctl -a` prints it: `net/ipv4/ip_forward` becomes `net.ipv4.ip_forward`. */
  key: string;
  /** The key as written. */
  rawKey: string;
  keyRange: Range;
  /** Trimmed value as written (`32768\t60999` keeps its inner white space). */
  value: string;
  /** Range of the trimmed value; empty (start = end) for `key =`. */
  valueRange: Range;
  /** sysctl.d's leading `-`: errors setting the key are ignored. */
  ignoreErrors: boolean;
  /** The key holds a glob (`net.ipv4.conf.*.rp_filter`, systemd ≥ 247). */
  glob: boolean;
}

/** `sysctl -a` output or a sysctl.conf / sysctl.d file. */
export interface SysctlDocument extends BaseNode {
  type: 'SysctlDocument';
  /** In file order; a key may repeat (the last one wins when applied). */
  entries: SysctlEntry[];
}

/**
 * The dotted key `sysctl -a` prints. sysctl.d(5): "If the first separator is a slash, remaining
 * slashes and dots are left intact. If the first separator is a dot, dots and slashes are
 * interchanged." So `net/ipv4/conf/enp3s0.200/forwarding` is `net.ipv4.conf.enp3s0/200.forwarding`.
 */
export function normaliseSysctlKey(key: string): string {
  const slash = key.indexOf('/');
  const dot = key.indexOf('.');
  if (slash === -1 || (dot !== -1 && dot < slash)) return key;
  let out = '';
  for (const c of key) out += c === '/' ? '.' : c === '.' ? '/' : c;
  return out;
}

/** The entry for a key that wins when applied (the last one), by key in either spelling. */
export function sysctlValue(doc: SysctlDocument, key: string): SysctlEntry | undefined {
  const dotted = normaliseSysctlKey(key);
  for (let i = doc.entries.length - 1; i >= 0; i--) if (doc.entries[i].key === dotted) return doc.entries[i];
  return undefined;
}
