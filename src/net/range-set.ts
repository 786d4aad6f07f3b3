import { formatRange, maxAddress, parseCidr, rangeToCidrs, type AddressRange, type IpFamily } from './cidr.js';

/**
 * Ranges of one family as a flat list `[start0, end0, start1, end1, ...]`: inclusive bounds,
 * sorted, disjoint and never adjacent (`end_i + 1 < start_{i+1}`), so equal sets have equal lists.
 */
type Flat = readonly bigint[];

const NONE: Flat = Object.freeze([]);
const FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];

/**
 * An immutable set of IPv4 and IPv6 addresses, kept as sorted disjoint ranges per family.
 * Every binary operation is a linear merge of the two range lists (no quadratic loops);
 * `fromRanges` sorts once. Families never mix: `complement` works within one family.
 */
export class AddressSet {
  private static readonly EMPTY = new AddressSet(NONE, NONE);
  private static readonly ALL: Readonly<Record<IpFamily, AddressSet>> = {
    ipv4: new AddressSet([0n, maxAddress('ipv4')], NONE),
    ipv6: new AddressSet(NONE, [0n, maxAddress('ipv6')]),
  };
  private cachedKey?: string;

  private constructor(
    private readonly v4: Flat,
    private readonly v6: Flat,
  ) {}

  /** The set with no addresses. */
  static empty(): AddressSet {
    return AddressSet.EMPTY;
  }

  /** Every address of a family (`0.0.0.0/0` or `::/0`). */
  static all(family: IpFamily): AddressSet {
    return AddressSet.ALL[family];
  }

  /** A set of one range. Throws `RangeError` when `start > end` or a bound is outside the family. */
  static fromRange(range: AddressRange): AddressSet {
    checkRange(range);
    const flat = Object.freeze([range.start, range.end]);
    return range.family === 'ipv4' ? new AddressSet(flat, NONE) : new AddressSet(NONE, flat);
  }

  /**
   * A set of ranges in any order, overlapping or not (sorted once: O(n log n)). Throws
   * `RangeError` on a malformed range, which only calling code can produce.
   */
  static fromRanges(ranges: Iterable<AddressRange>): AddressSet {
    const by: Record<IpFamily, AddressRange[]> = { ipv4: [], ipv6: [] };
    for (const r of ranges) {
      checkRange(r);
      by[r.family].push(r);
    }
    return AddressSet.make(normalise(by.ipv4), normalise(by.ipv6));
  }

  /**
   * A set from address, CIDR, netmask or range texts (see `parseCidr`). Meant for literals and
   * already validated values: throws `RangeError` naming the first invalid entry. Use
   * {@link AddressSet.parse} for user input.
   */
  static fromCidrs(texts: Iterable<string>): AddressSet {
    const { set, invalid } = AddressSet.parse(texts);
    if (invalid.length > 0) throw new RangeError(`Invalid address or CIDR: "${invalid[0]}".`);
    return set;
  }

  /** Like {@link AddressSet.fromCidrs} for user input: never throws, lists what did not parse. */
  static parse(texts: Iterable<string>): { set: AddressSet; invalid: string[] } {
    const ranges: AddressRange[] = [];
    const invalid: string[] = [];
    for (const t of texts) {
      const r = parseCidr(t);
      if (r) ranges.push(r);
      else invalid.push(t);
    }
    return { set: AddressSet.fromRanges(ranges), invalid };
  }

  /** Addresses in either set. */
  union(other: AddressSet): AddressSet {
    if (other.isEmpty() || other === this) return this;
    if (this.isEmpty()) return other;
    return AddressSet.make(unionFlat(this.v4, other.v4), unionFlat(this.v6, other.v6));
  }

  /** Addresses in both sets. */
  intersect(other: AddressSet): AddressSet {
    if (other === this) return this;
    if (this.isEmpty() || other.isEmpty()) return AddressSet.EMPTY;
    return AddressSet.make(intersectFlat(this.v4, other.v4), intersectFlat(this.v6, other.v6));
  }

  /** Addresses in this set and not in `other`. */
  subtract(other: AddressSet): AddressSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    if (other === this) return AddressSet.EMPTY;
    return AddressSet.make(subtractFlat(this.v4, other.v4), subtractFlat(this.v6, other.v6));
  }

  /** Every address of `family` not in this set; the result holds only that family. */
  complement(family: IpFamily): AddressSet {
    const flat = complementFlat(this.flat(family), maxAddress(family));
    return family === 'ipv4' ? AddressSet.make(flat, NONE) : AddressSet.make(NONE, flat);
  }

  /** The part of this set in one family. */
  only(family: IpFamily): AddressSet {
    return family === 'ipv4' ? AddressSet.make(this.v4, NONE) : AddressSet.make(NONE, this.v6);
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** True if every address of `family` is in the set. */
  isAll(family: IpFamily): boolean {
    const f = this.flat(family);
    return f.length === 2 && f[0] === 0n && f[1] === maxAddress(family);
  }

  /** Families with at least one address, IPv4 first. */
  families(): IpFamily[] {
    return FAMILIES.filter((f) => this.flat(f).length > 0);
  }

  /** True if every address of `other` is in this set (a superset test; linear). */
  contains(other: AddressSet): boolean {
    return containsFlat(this.v4, other.v4) && containsFlat(this.v6, other.v6);
  }

  /** True if the sets share an address (linear, without building the intersection). */
  overlaps(other: AddressSet): boolean {
    return overlapsFlat(this.v4, other.v4) || overlapsFlat(this.v6, other.v6);
  }

  /** True if the address is in the set (binary search). */
  has(family: IpFamily, address: bigint): boolean {
    const f = this.flat(family);
    let lo = 0;
    let hi = f.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (address < f[2 * mid]) hi = mid - 1;
      else if (address > f[2 * mid + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  equals(other: AddressSet): boolean {
    return other === this || (flatEquals(this.v4, other.v4) && flatEquals(this.v6, other.v6));
  }

  /** The ranges, sorted, IPv4 first (or of one family). */
  ranges(family?: IpFamily): AddressRange[] {
    const out: AddressRange[] = [];
    for (const fam of family ? [family] : FAMILIES) {
      const f = this.flat(fam);
      for (let i = 0; i < f.length; i += 2) out.push({ family: fam, start: f[i], end: f[i + 1] });
    }
    return out;
  }

  /** Number of addresses of a family in the set. */
  size(family: IpFamily): bigint {
    const f = this.flat(family);
    let n = 0n;
    for (let i = 0; i < f.length; i += 2) n += f[i + 1] - f[i] + 1n;
    return n;
  }

  /**
   * The minimal CIDR cover: the fewest blocks whose union is exactly this set, sorted, IPv4
   * first, IPv6 in RFC 5952 compressed text, always with a prefix (`10.0.0.1/32`).
   */
  toCidrs(): string[] {
    return this.ranges().flatMap(rangeToCidrs);
  }

  /** The CIDRs joined with `, `, or `(none)`. */
  toString(): string {
    return this.isEmpty() ? '(none)' : this.toCidrs().join(', ');
  }

  /** A string equal for equal sets, for use as a map key. */
  key(): string {
    if (this.cachedKey === undefined) {
      const part = (f: Flat) => f.map((v) => v.toString(16)).join(',');
      this.cachedKey = `${part(this.v4)}|${part(this.v6)}`;
    }
    return this.cachedKey;
  }

  /** A set from normalised lists; the shared empty set when both are empty. */
  private static make(v4: Flat, v6: Flat): AddressSet {
    return v4.length === 0 && v6.length === 0 ? AddressSet.EMPTY : new AddressSet(Object.freeze(v4), Object.freeze(v6));
  }

  private flat(family: IpFamily): Flat {
    return family === 'ipv4' ? this.v4 : this.v6;
  }
}

function checkRange(r: AddressRange): void {
  if (r.family !== 'ipv4' && r.family !== 'ipv6') throw new RangeError(`Unknown address family "${String(r.family)}".`);
  if (typeof r.start !== 'bigint' || typeof r.end !== 'bigint' || r.start < 0n || r.start > r.end || r.end > maxAddress(r.family)) {
    throw new RangeError(`Invalid ${r.family} range ${String(r.start)}-${String(r.end)}.`);
  }
}

/** Sorts and merges overlapping or adjacent ranges. */
function normalise(ranges: AddressRange[]): Flat {
  if (ranges.length === 0) return NONE;
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: bigint[] = [];
  let s = ranges[0].start;
  let e = ranges[0].end;
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i];
    if (r.start <= e + 1n) {
      if (r.end > e) e = r.end;
    } else {
      out.push(s, e);
      s = r.start;
      e = r.end;
    }
  }
  out.push(s, e);
  return out;
}

function unionFlat(a: Flat, b: Flat): Flat {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  let s = -1n;
  let e = -2n;
  while (i < a.length || j < b.length) {
    let ns: bigint;
    let ne: bigint;
    if (j >= b.length || (i < a.length && a[i] <= b[j])) {
      ns = a[i];
      ne = a[i + 1];
      i += 2;
    } else {
      ns = b[j];
      ne = b[j + 1];
      j += 2;
    }
    if (e >= s && ns <= e + 1n) {
      if (ne > e) e = ne;
    } else {
      if (e >= s) out.push(s, e);
      s = ns;
      e = ne;
    }
  }
  out.push(s, e);
  return out;
}

function intersectFlat(a: Flat, b: Flat): Flat {
  if (a.length === 0 || b.length === 0) return NONE;
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = a[i] > b[j] ? a[i] : b[j];
    const hi = a[i + 1] < b[j + 1] ? a[i + 1] : b[j + 1];
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return out;
}

function subtractFlat(a: Flat, b: Flat): Flat {
  if (a.length === 0 || b.length === 0) return a;
  const out: bigint[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i];
    const e = a[i + 1];
    // Ranges of b that end before this one starts can never matter again.
    while (j < b.length && b[j + 1] < s) j += 2;
    let k = j;
    while (k < b.length && b[k] <= e) {
      if (b[k] > s) out.push(s, b[k] - 1n);
      if (b[k + 1] >= e) {
        s = e + 1n;
        break;
      }
      s = b[k + 1] + 1n;
      k += 2;
    }
    if (s <= e) out.push(s, e);
  }
  return out;
}

function complementFlat(a: Flat, max: bigint): Flat {
  const out: bigint[] = [];
  let next = 0n;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] > next) out.push(next, a[i] - 1n);
    next = a[i + 1] + 1n;
  }
  if (next <= max) out.push(next, max);
  return out;
}

function containsFlat(a: Flat, b: Flat): boolean {
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    while (i < a.length && a[i + 1] < b[j]) i += 2;
    if (i >= a.length || a[i] > b[j] || a[i + 1] < b[j + 1]) return false;
  }
  return true;
}

function overlapsFlat(a: Flat, b: Flat): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1] < b[j]) i += 2;
    else if (b[j + 1] < a[i]) j += 2;
    else return true;
  }
  return false;
}

function flatEquals(a: Flat, b: Flat): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Text of a set for messages: CIDRs, or `first-last` for ranges that need many CIDRs. */
export function describeAddressSet(set: AddressSet, limit = 8): string {
  if (set.isEmpty()) return '(none)';
  const ranges = set.ranges();
  const parts = ranges.slice(0, limit).map(formatRange);
  return ranges.length > limit ? `${parts.join(', ')} and ${ranges.length - limit} more` : parts.join(', ');
}
