import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxAddress, parseCidr, type AddressRange, type IpFamily } from '../../src/net/cidr.js';
import { AddressSet, describeAddressSet } from '../../src/net/range-set.js';

/**
 * The model: a set is the list of ranges it was built from; membership is "some range holds
 * it". Range bounds come from a few small windows (the bottom and top of each family, and around
 * the 2^32 and 2^64 boundaries), so touching, adjacent, nested and family-wide ranges all occur.
 * Probes are every window address plus one address of each gap between windows: no bound lies
 * inside a gap, so membership is constant across it and the probes decide every relation exactly.
 */
const WINDOWS: Record<IpFamily, bigint[]> = {
  ipv4: [0n, 0x0a000000n, maxAddress('ipv4') - 23n],
  ipv6: [0n, (1n << 32n) - 12n, (1n << 64n) - 12n, maxAddress('ipv6') - 23n],
};
const WIDTH = 24n;
const BOUNDS: Record<IpFamily, bigint[]> = {
  ipv4: WINDOWS.ipv4.flatMap((w) => Array.from({ length: Number(WIDTH) }, (_, i) => w + BigInt(i))),
  ipv6: WINDOWS.ipv6.flatMap((w) => Array.from({ length: Number(WIDTH) }, (_, i) => w + BigInt(i))),
};
const gaps = (family: IpFamily) => WINDOWS[family].slice(0, -1).map((w) => w + WIDTH);
const PROBES: Record<IpFamily, bigint[]> = {
  ipv4: [...BOUNDS.ipv4, ...gaps('ipv4')],
  ipv6: [...BOUNDS.ipv6, ...gaps('ipv6')],
};

const point = (family: IpFamily) => fc.constantFrom(...BOUNDS[family]);
const rangeArb: fc.Arbitrary<AddressRange> = fc.constantFrom<IpFamily>('ipv4', 'ipv6').chain((family) =>
  fc.tuple(point(family), point(family)).map(([a, b]) => ({ family, start: a < b ? a : b, end: a < b ? b : a })),
);
// Occasionally a whole family, so complements and `all` are exercised.
const rangesArb = fc.array(
  fc.oneof({ weight: 9, arbitrary: rangeArb }, { weight: 1, arbitrary: fc.constantFrom<IpFamily>('ipv4', 'ipv6').map((family) => ({ family, start: 0n, end: maxAddress(family) })) }),
  { maxLength: 8 },
);

type Model = (family: IpFamily, x: bigint) => boolean;
const modelOf = (ranges: AddressRange[]): Model => (family, x) => ranges.some((r) => r.family === family && r.start <= x && x <= r.end);

function expectMatches(set: AddressSet, model: Model): void {
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const x of PROBES[family]) {
      if (set.has(family, x) !== model(family, x)) {
        throw new Error(`${family} ${x}: set says ${set.has(family, x)}, model says ${model(family, x)} (set ${set.toString()})`);
      }
    }
  }
}

/** Ranges sorted, disjoint, not adjacent, inside the family. */
function expectCanonical(set: AddressSet): void {
  for (const family of ['ipv4', 'ipv6'] as const) {
    const rs = set.ranges(family);
    rs.forEach((r, i) => {
      expect(r.start <= r.end).toBe(true);
      expect(r.start >= 0n && r.end <= maxAddress(family)).toBe(true);
      if (i > 0) expect(rs[i - 1].end + 1n < r.start).toBe(true);
    });
  }
}

const runs = { numRuns: 1500 };

describe('AddressSet against a brute-force model', () => {
  it('fromRanges keeps membership and is canonical', () => {
    fc.assert(
      fc.property(rangesArb, (ranges) => {
        const set = AddressSet.fromRanges(ranges);
        expectCanonical(set);
        expectMatches(set, modelOf(ranges));
        expect(set.isEmpty()).toBe(ranges.length === 0);
      }),
      runs,
    );
  });

  it('union, intersect, subtract and complement agree with the model', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, (ra, rb) => {
        const a = AddressSet.fromRanges(ra);
        const b = AddressSet.fromRanges(rb);
        const ma = modelOf(ra);
        const mb = modelOf(rb);
        const ops: [AddressSet, Model][] = [
          [a.union(b), (f, x) => ma(f, x) || mb(f, x)],
          [a.intersect(b), (f, x) => ma(f, x) && mb(f, x)],
          [a.subtract(b), (f, x) => ma(f, x) && !mb(f, x)],
          [a.complement('ipv4'), (f, x) => f === 'ipv4' && !ma(f, x)],
          [a.complement('ipv6'), (f, x) => f === 'ipv6' && !ma(f, x)],
          [a.only('ipv6'), (f, x) => f === 'ipv6' && ma(f, x)],
        ];
        for (const [set, model] of ops) {
          expectCanonical(set);
          expectMatches(set, model);
        }
      }),
      runs,
    );
  });

  it('contains and overlaps agree with the model', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, (ra, rb) => {
        const a = AddressSet.fromRanges(ra);
        const b = AddressSet.fromRanges(rb);
        const [ma, mb] = [modelOf(ra), modelOf(rb)];
        let sub = true;
        let meet = false;
        for (const f of ['ipv4', 'ipv6'] as const) {
          for (const x of PROBES[f]) {
            if (mb(f, x) && !ma(f, x)) sub = false;
            if (mb(f, x) && ma(f, x)) meet = true;
          }
        }
        expect(a.contains(b)).toBe(sub);
        expect(a.overlaps(b)).toBe(meet);
        expect(b.overlaps(a)).toBe(meet);
      }),
      runs,
    );
  });

  it('obeys the set laws', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, rangesArb, (ra, rb, rc) => {
        const [a, b, c] = [ra, rb, rc].map((r) => AddressSet.fromRanges(r));
        const all = AddressSet.all('ipv4').union(AddressSet.all('ipv6'));
        const comp = (s: AddressSet) => s.complement('ipv4').union(s.complement('ipv6'));
        expect(a.union(b).equals(b.union(a))).toBe(true);
        expect(a.intersect(b).equals(b.intersect(a))).toBe(true);
        expect(a.union(b.union(c)).equals(a.union(b).union(c))).toBe(true);
        expect(a.intersect(b.union(c)).equals(a.intersect(b).union(a.intersect(c)))).toBe(true);
        expect(comp(a.union(b)).equals(comp(a).intersect(comp(b)))).toBe(true);
        expect(a.subtract(b).equals(a.intersect(comp(b)))).toBe(true);
        expect(comp(comp(a)).equals(a)).toBe(true);
        expect(a.union(comp(a)).equals(all)).toBe(true);
        expect(a.intersect(comp(a)).isEmpty()).toBe(true);
        expect(a.subtract(b).union(a.intersect(b)).equals(a)).toBe(true);
        expect(a.equals(b)).toBe(a.key() === b.key());
      }),
      runs,
    );
  });

  it('toCidrs round-trips and has no mergeable blocks', () => {
    fc.assert(
      fc.property(rangesArb, (ranges) => {
        const set = AddressSet.fromRanges(ranges);
        const cidrs = set.toCidrs();
        expect(AddressSet.fromCidrs(cidrs).equals(set)).toBe(true);
        let total = 0n;
        for (const c of cidrs) {
          const r = parseCidr(c)!;
          total += r.end - r.start + 1n;
        }
        expect(total).toBe(set.size('ipv4') + set.size('ipv6'));
      }),
      runs,
    );
  });
});

describe('AddressSet on large sets (galloping paths) against bitmaps', () => {
  const SPACE = 4096;
  // Many short ranges in one set and few long ones in the other, so one side is much smaller.
  const sized = (count: number, maxLen: number) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: SPACE - 1 }), fc.integer({ min: 0, max: maxLen })), { maxLength: count }).map((rs) =>
      rs.map(([s, len]) => ({ family: 'ipv4' as const, start: BigInt(s), end: BigInt(Math.min(SPACE - 1, s + len)) })),
    );
  const bitmap = (ranges: AddressRange[]) => {
    const bits = new Uint8Array(SPACE + 1);
    for (const r of ranges) bits.fill(1, Number(r.start), Number(r.end) + 1);
    return bits;
  };
  const expectBits = (set: AddressSet, bits: Uint8Array) => {
    expectCanonical(set);
    for (let x = 0; x <= SPACE; x++) if (set.has('ipv4', BigInt(x)) !== (bits[x] === 1)) throw new Error(`${x}: ${set.has('ipv4', BigInt(x))}`);
  };

  it('agrees with bitmaps for every operation and relation', () => {
    fc.assert(
      fc.property(fc.oneof(sized(300, 6), sized(20, 400)), fc.oneof(sized(300, 6), sized(5, 2000)), (ra, rb) => {
        const [a, b] = [AddressSet.fromRanges(ra), AddressSet.fromRanges(rb)];
        const [ba, bb] = [bitmap(ra), bitmap(rb)];
        const op = (f: (x: number, y: number) => boolean) => ba.map((x, i) => (f(x, bb[i]) ? 1 : 0));
        expectBits(a.union(b), op((x, y) => x === 1 || y === 1));
        expectBits(b.union(a), op((x, y) => x === 1 || y === 1));
        expectBits(a.intersect(b), op((x, y) => x === 1 && y === 1));
        expectBits(a.subtract(b), op((x, y) => x === 1 && y === 0));
        expectBits(b.subtract(a), op((x, y) => y === 1 && x === 0));
        const meet = ba.some((x, i) => x === 1 && bb[i] === 1);
        expect(a.overlaps(b)).toBe(meet);
        expect(b.overlaps(a)).toBe(meet);
        expect(a.contains(b)).toBe(bb.every((y, i) => y === 0 || ba[i] === 1));
        expect(b.contains(a)).toBe(ba.every((x, i) => x === 0 || bb[i] === 1));
      }),
      { numRuns: 400 },
    );
  });
});

describe('AddressSet', () => {
  const s = (...cidrs: string[]) => AddressSet.fromCidrs(cidrs);

  it('computes the ip-masq-agent default exemption complement', () => {
    const nonMasq = s('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16');
    expect(nonMasq.complement('ipv4').toCidrs()).toEqual([
      '0.0.0.0/5',
      '8.0.0.0/7',
      '11.0.0.0/8',
      '12.0.0.0/6',
      '16.0.0.0/4',
      '32.0.0.0/3',
      '64.0.0.0/2',
      '128.0.0.0/3',
      '160.0.0.0/5',
      '168.0.0.0/6',
      '172.0.0.0/12',
      '172.32.0.0/11',
      '172.64.0.0/10',
      '172.128.0.0/9',
      '173.0.0.0/8',
      '174.0.0.0/7',
      '176.0.0.0/4',
      '192.0.0.0/9',
      '192.128.0.0/11',
      '192.160.0.0/13',
      '192.169.0.0/16',
      '192.170.0.0/15',
      '192.172.0.0/14',
      '192.176.0.0/12',
      '192.192.0.0/10',
      '193.0.0.0/8',
      '194.0.0.0/7',
      '196.0.0.0/6',
      '200.0.0.0/5',
      '208.0.0.0/4',
      '224.0.0.0/3',
    ]);
  });

  it('merges adjacent and overlapping blocks', () => {
    expect(s('10.0.0.0/9', '10.128.0.0/9').toCidrs()).toEqual(['10.0.0.0/8']);
    expect(s('10.0.0.0/8', '10.1.0.0/16', '10.0.0.0/8').toCidrs()).toEqual(['10.0.0.0/8']);
    expect(s('10.0.0.0/8').equals(s('10.0.0.0/9', '10.128.0.0/9'))).toBe(true);
  });

  it('keeps families apart and prints IPv6 compressed, IPv4 first', () => {
    const set = s('FE80::/10', '10.0.0.0/8', '::1');
    expect(set.toCidrs()).toEqual(['10.0.0.0/8', '::1/128', 'fe80::/10']);
    expect(set.families()).toEqual(['ipv4', 'ipv6']);
    expect(set.complement('ipv6').overlaps(AddressSet.all('ipv4'))).toBe(false);
    expect(AddressSet.all('ipv6').subtract(s('ff00::/8')).toCidrs()).toEqual(['::/1', '8000::/2', 'c000::/3', 'e000::/4', 'f000::/5', 'f800::/6', 'fc00::/7', 'fe00::/8']);
    expect(s('::ffff:10.0.0.0/104').toCidrs()).toEqual(['::ffff:10.0.0.0/104']);
  });

  it('answers the edge cases of empty and full sets', () => {
    const empty = AddressSet.empty();
    expect(empty.isEmpty()).toBe(true);
    expect(empty.toCidrs()).toEqual([]);
    expect(empty.complement('ipv4').isAll('ipv4')).toBe(true);
    expect(AddressSet.all('ipv4').toCidrs()).toEqual(['0.0.0.0/0']);
    expect(AddressSet.all('ipv4').complement('ipv4').isEmpty()).toBe(true);
    expect(AddressSet.all('ipv6').size('ipv6')).toBe(1n << 128n);
    expect(empty.contains(empty)).toBe(true);
    expect(s('1.2.3.4').contains(empty)).toBe(true);
    expect(empty.overlaps(AddressSet.all('ipv4'))).toBe(false);
  });

  it('reports invalid texts without throwing through parse, and throws through fromCidrs', () => {
    expect(AddressSet.parse(['10.0.0.0/8', '10.0.0.0/33', 'x']).invalid).toEqual(['10.0.0.0/33', 'x']);
    expect(() => AddressSet.fromCidrs(['10.0.0.0/33'])).toThrow(RangeError);
    expect(() => AddressSet.fromRanges([{ family: 'ipv4', start: 5n, end: 1n }])).toThrow(RangeError);
    expect(() => AddressSet.fromRange({ family: 'ipv4', start: 0n, end: 1n << 32n })).toThrow(RangeError);
  });

  it('describes large sets briefly', () => {
    expect(describeAddressSet(s('10.0.0.1-10.0.0.6'))).toBe('10.0.0.1-10.0.0.6');
    expect(describeAddressSet(AddressSet.empty())).toBe('(none)');
    const many = AddressSet.fromCidrs(Array.from({ length: 20 }, (_, i) => `10.0.${2 * i}.0/24`));
    expect(describeAddressSet(many, 2)).toBe('10.0.0.0/24, 10.0.2.0/24 and 18 more');
  });

  it('stays linear on large sets', () => {
    const n = 50_000;
    const a = AddressSet.fromRanges(Array.from({ length: n }, (_, i) => ({ family: 'ipv4' as const, start: BigInt(i * 4), end: BigInt(i * 4 + 1) })));
    const b = AddressSet.fromRanges(Array.from({ length: n }, (_, i) => ({ family: 'ipv4' as const, start: BigInt(i * 4 + 1), end: BigInt(i * 4 + 2) })));
    const t0 = performance.now();
    expect(a.union(b).ranges().length).toBe(n);
    expect(a.intersect(b).size('ipv4')).toBe(BigInt(n));
    expect(a.subtract(b).size('ipv4')).toBe(BigInt(n));
    expect(a.complement('ipv4').ranges().length).toBe(n);
    expect(a.contains(a.intersect(b))).toBe(true);
    expect(a.overlaps(b)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
