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
 * Binary operations merge the two range lists in one pass (no quadratic loops), galloping over
 * the larger list: O(small * log large) comparisons, plus copying for results that are new
 * lists. `fromRanges` sorts once. Families never mix: `complement` works within one family.
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
    const flat = [range.start, range.end];
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
    const i = gallop(f, 0, address);
    return i < f.length && f[i] <= address;
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

  /**
   * A set from normalised lists; the shared empty set when both are empty. The lists are not
   * frozen (freezing is O(n) per operation); they never leave the class, so no one can change them.
   */
  private static make(v4: Flat, v6: Flat): AddressSet {
    return v4.length === 0 && v6.length === 0 ? AddressSet.EMPTY : new AddressSet(v4, v6);
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

/**
 * Smallest even index `i >= from` whose range ends at or after `x` (`a[i + 1] >= x`), or
 * `a.length`. Exponential then binary search, so skipping `k` ranges costs O(log k): merging a
 * small set into a large one costs O(small * log large) comparisons, not O(large).
 */
function gallop(a: Flat, from: number, x: bigint): number {
  const n = a.length;
  if (from >= n || a[from + 1] >= x) return from;
  let lo = from;
  let step = 2;
  let hi = from + step;
  while (hi < n && a[hi + 1] < x) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  // Invariant: a[lo + 1] < x, and hi === n or a[hi + 1] >= x.
  while (hi - lo > 2) {
    const mid = lo + ((hi - lo) >> 2) * 2;
    if (a[mid + 1] < x) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Appends a range that starts at or after the last one, merging when they touch. */
function append(out: bigint[], s: bigint, e: bigint): void {
  const n = out.length;
  if (n > 0 && out[n - 1] + 1n >= s) {
    if (e > out[n - 1]) out[n - 1] = e;
  } else {
    out.push(s, e);
  }
}

function unionFlat(x: Flat, y: Flat): Flat {
  if (x.length === 0) return y;
  if (y.length === 0) return x;
  // Walk the smaller set; copy the stretches of the larger one in between.
  const [a, b] = x.length >= y.length ? [x, y] : [y, x];
  const out: bigint[] = [];
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    const bs = b[j];
    i = copyRanges(out, a, i, gallop(a, i, bs - 1n));
    if (i < a.length && a[i] < bs) {
      append(out, a[i], a[i + 1]);
      i += 2;
    }
    append(out, bs, b[j + 1]);
    while (i < a.length && a[i] <= out[out.length - 1] + 1n) {
      append(out, a[i], a[i + 1]);
      i += 2;
    }
  }
  copyRanges(out, a, i, a.length);
  return out;
}

/**
 * Appends ranges `a[from..to)` (already sorted and apart from each other): only the first can
 * touch the last range of `out`; the rest are copied as they are, without BigInt arithmetic.
 */
function copyRanges(out: bigint[], a: Flat, from: number, to: number): number {
  if (from >= to) return from;
  append(out, a[from], a[from + 1]);
  for (let i = from + 2; i < to; i++) out.push(a[i]);
  return to;
}

function intersectFlat(x: Flat, y: Flat): Flat {
  if (x.length === 0 || y.length === 0) return NONE;
  const [a, b] = x.length >= y.length ? [x, y] : [y, x];
  const out: bigint[] = [];
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    i = gallop(a, i, b[j]);
    if (i >= a.length) break;
    // The last range of `a` that overlaps may overlap the next range of `b` too: keep `i` on it.
    for (let k = i; k < a.length && a[k] <= b[j + 1]; k += 2) {
      const lo = a[k] > b[j] ? a[k] : b[j];
      const hi = a[k + 1] < b[j + 1] ? a[k + 1] : b[j + 1];
      out.push(lo, hi);
      i = k;
    }
  }
  return out;
}

function subtractFlat(a: Flat, b: Flat): Flat {
  if (a.length === 0 || b.length === 0) return a;
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  let s = a[0];
  let e = a[1];
  while (i < a.length) {
    j = gallop(b, j, s);
    if (j >= b.length || b[j] > e) {
      // Nothing of `b` cuts [s, e]; nor the ranges of `a` that end before the next range of `b`.
      out.push(s, e);
      i += 2;
      const k = j >= b.length ? a.length : gallop(a, i, b[j]);
      for (; i < k; i++) out.push(a[i]);
      if (i < a.length) {
        s = a[i];
        e = a[i + 1];
      }
      continue;
    }
    if (b[j] > s) out.push(s, b[j] - 1n);
    if (b[j + 1] >= e) {
      i += 2;
      if (i < a.length) {
        s = a[i];
        e = a[i + 1];
      }
      continue;
    }
    s = b[j + 1] + 1n;
    j += 2;
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
    i = gallop(a, i, b[j]);
    if (i >= a.length || a[i] > b[j] || a[i + 1] < b[j + 1]) return false;
  }
  return true;
}

function overlapsFlat(x: Flat, y: Flat): boolean {
  const [a, b] = x.length >= y.length ? [x, y] : [y, x];
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    i = gallop(a, i, b[j]);
    if (i >= a.length) return false;
    if (a[i] <= b[j + 1]) return true;
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
