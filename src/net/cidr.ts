import type { IpFamily } from '../model/iptables.js';

export type { IpFamily };

/**
 * A contiguous block of addresses of one family, `start` and `end` inclusive, as unsigned
 * integers (an IPv4 address is a 32-bit value, an IPv6 address a 128-bit value).
 */
export interface AddressRange {
  family: IpFamily;
  start: bigint;
  end: bigint;
}

/** One address as an integer. */
export interface ParsedAddress {
  family: IpFamily;
  value: bigint;
}

/**
 * `address/mask` before it is turned into a range. `mask` has the network bits set; it need not
 * be contiguous (iptables-save prints `-s 10.0.0.0/255.0.255.0` for such masks).
 */
export interface MaskedAddress {
  family: IpFamily;
  /** The address as written, host bits not cleared. */
  address: bigint;
  mask: bigint;
  /** Prefix length when the mask is contiguous. */
  prefix?: number;
}

/** Address width in bits per family. */
export const FAMILY_BITS: Readonly<Record<IpFamily, number>> = { ipv4: 32, ipv6: 128 };

const MAX: Readonly<Record<IpFamily, bigint>> = { ipv4: (1n << 32n) - 1n, ipv6: (1n << 128n) - 1n };

/** The highest address of a family (`255.255.255.255`, `ffff:...:ffff`). */
export function maxAddress(family: IpFamily): bigint {
  return MAX[family];
}

// Longest valid forms: `255.255.255.255-255.255.255.255` and an IPv6 address with a dotted tail
// and a mask in address form. Anything much longer is rejected before any work is done.
const MAX_TEXT = 2 * 45 + 1;

const DECIMAL_OCTET = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

/**
 * Parses dotted-quad IPv4 (`192.0.2.1`). Strict: exactly four decimal octets, no leading zeros,
 * no white space. Leading zeros are rejected because their meaning differs between tools:
 * iptables and `inet_aton` read `010` as octal 8, Go and Node reject it, others read decimal 10.
 * iptables' shorthand `10/8` (missing octets) is rejected too; iptables-save never prints it.
 */
export function parseIpv4(text: string): bigint | undefined {
  if (typeof text !== 'string' || text.length < 7 || text.length > 15) return undefined;
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!DECIMAL_OCTET.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return BigInt(value);
}

/**
 * Parses IPv6 text (RFC 4291 section 2.2): hex groups in any case, one `::`, and an optional
 * dotted IPv4 tail (`::ffff:192.0.2.1`, `64:ff9b::192.0.2.1`). Zone ids (`fe80::1%eth0`) are
 * rejected: iptables and CNI configs do not accept them. `::` may stand for a single zero group,
 * as `inet_pton` allows.
 */
export function parseIpv6(text: string): bigint | undefined {
  if (typeof text !== 'string' || text.length < 2 || text.length > 45) return undefined;
  let s = text;
  let tail = 0n;
  let tailGroups = 0;
  const lastColon = s.lastIndexOf(':');
  if (lastColon === -1) return undefined;
  if (s.indexOf('.', lastColon) !== -1) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = v4;
    tailGroups = 2;
    // Keep the colon so `::1.2.3.4` leaves `::` and `1::1.2.3.4` leaves `1::`.
    s = s.slice(0, lastColon + 1);
    if (s.endsWith('::')) {
      // fine: the compressed run ends right before the IPv4 tail
    } else if (s.length > 0) {
      s = s.slice(0, -1);
    }
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  for (const g of head) if (!HEX_GROUP.test(g)) return undefined;
  for (const g of rest) if (!HEX_GROUP.test(g)) return undefined;
  const explicit = head.length + rest.length + tailGroups;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return undefined;
  let value = 0n;
  for (const g of head) value = (value << 16n) | BigInt(parseInt(g, 16));
  if (halves.length === 2) value <<= BigInt(16 * (8 - explicit));
  for (const g of rest) value = (value << 16n) | BigInt(parseInt(g, 16));
  return tailGroups ? (value << 32n) | tail : value;
}

/** Parses one IPv4 or IPv6 address. */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 'ipv6', value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 'ipv4', value };
}

/** Prefix length of a contiguous netmask, or `undefined` for a non-contiguous one. */
export function prefixOfMask(family: IpFamily, mask: bigint): number | undefined {
  const max = MAX[family];
  if (mask < 0n || mask > max) return undefined;
  const host = max ^ mask;
  // Contiguous iff the host part is 2^k - 1.
  if ((host & (host + 1n)) !== 0n) return undefined;
  return FAMILY_BITS[family] - host.toString(2).replace(/^0$/, '').length;
}

/** The netmask of a prefix length (`8` -> `255.0.0.0`). */
export function maskOfPrefix(family: IpFamily, prefix: number): bigint {
  const bits = FAMILY_BITS[family];
  return (MAX[family] >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

/**
 * Parses `address`, `address/prefix` or `address/netmask` (iptables-save prints a netmask in
 * address form when it is not contiguous, e.g. `10.0.0.0/255.0.255.0`; ip6tables-save likewise
 * with an IPv6 mask). A prefix must be decimal without leading zeros and within the family.
 */
export function parseMaskedAddress(text: string): MaskedAddress | undefined {
  if (typeof text !== 'string' || text.length > MAX_TEXT) return undefined;
  const slash = text.indexOf('/');
  const addr = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const { family, value } = addr;
  const bits = FAMILY_BITS[family];
  if (slash === -1) return { family, address: value, mask: MAX[family], prefix: bits };
  const m = text.slice(slash + 1);
  if (PREFIX.test(m)) {
    const prefix = Number(m);
    if (prefix > bits) return undefined;
    return { family, address: value, mask: maskOfPrefix(family, prefix), prefix };
  }
  const mask = parseAddress(m);
  if (!mask || mask.family !== family) return undefined;
  const prefix = prefixOfMask(family, mask.value);
  const out: MaskedAddress = { family, address: value, mask: mask.value };
  if (prefix !== undefined) out.prefix = prefix;
  return out;
}

/**
 * Parses an address (`1.2.3.4` is a /32, `::1` a /128), a CIDR (`fe80::/10`; host bits are
 * cleared, as iptables and Go's `net.ParseCIDR` do), a contiguous netmask (`10.0.0.0/255.0.0.0`)
 * or a range `a-b` of one family with `a <= b`. Returns `undefined` for anything else, including
 * non-contiguous masks (see {@link parseMaskedAddress}) and any white space: callers trim when
 * their format allows it. Never throws.
 */
export function parseCidr(text: string): AddressRange | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) return undefined;
  const dash = text.indexOf('-');
  if (dash !== -1) {
    const a = parseAddress(text.slice(0, dash));
    const b = parseAddress(text.slice(dash + 1));
    if (!a || !b || a.family !== b.family || a.value > b.value) return undefined;
    return { family: a.family, start: a.value, end: b.value };
  }
  const m = parseMaskedAddress(text);
  if (!m || m.prefix === undefined) return undefined;
  const start = m.address & m.mask;
  return { family: m.family, start, end: start | (MAX[m.family] ^ m.mask) };
}

/**
 * Formats an address: dotted quad for IPv4; RFC 5952 text for IPv6 (lower case, leading zeros
 * dropped, the first longest run of two or more zero groups as `::`, IPv4-mapped addresses as
 * `::ffff:192.0.2.1`).
 */
export function formatAddress(family: IpFamily, value: bigint): string {
  if (family === 'ipv4') {
    const n = Number(value & 0xffffffffn);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  if (value >> 32n === 0xffffn) return `::ffff:${formatAddress('ipv4', value)}`;
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((n) => n.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Number of trailing zero bits of `v` (`v > 0`). */
function trailingZeros(v: bigint): number {
  let n = 0;
  while ((v & 0xffffffffn) === 0n) {
    v >>= 32n;
    n += 32;
  }
  while ((v & 1n) === 0n) {
    v >>= 1n;
    n++;
  }
  return n;
}

/**
 * The minimal list of CIDR blocks whose union is exactly the range, in address order, always
 * with a prefix length (`192.0.2.1/32`). At most `2 * bits` blocks per range.
 */
export function rangeToCidrs(range: AddressRange): string[] {
  const { family } = range;
  const bits = FAMILY_BITS[family];
  const out: string[] = [];
  let start = range.start;
  const end = range.end;
  while (start <= end) {
    let size = start === 0n ? bits : Math.min(bits, trailingZeros(start));
    while (size > 0 && start + (1n << BigInt(size)) - 1n > end) size--;
    out.push(`${formatAddress(family, start)}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

/** Text of a range: one CIDR when it is a single block, else `first-last`. */
export function formatRange(range: AddressRange): string {
  const cidrs = rangeToCidrs(range);
  if (cidrs.length === 1) return cidrs[0];
  return `${formatAddress(range.family, range.start)}-${formatAddress(range.family, range.end)}`;
}
