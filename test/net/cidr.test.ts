import { BlockList, isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatAddress,
  formatRange,
  maxAddress,
  parseAddress,
  parseCidr,
  parseIpv4,
  parseIpv6,
  parseMaskedAddress,
  prefixOfMask,
  rangeToCidrs,
} from '../../src/net/cidr.js';

const v4 = (s: string) => parseIpv4(s)!;
const v6 = (s: string) => parseIpv6(s)!;

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', 0n],
    ['255.255.255.255', 0xffffffffn],
    ['10.0.0.1', 0x0a000001n],
    ['192.168.1.0', 0xc0a80100n],
  ])('parses %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
  });

  it.each([
    '256.0.0.1', // octet out of range
    '1.2.3.999',
    '1.2.3', // too few octets (iptables' 10/8 shorthand is not accepted)
    '1.2.3.4.5',
    '010.0.0.1', // leading zero: octal to iptables, decimal to others
    '1.2.3.04',
    '00.0.0.0',
    '1.2.3.-1',
    '1.2.3.+1',
    '0x1.2.3.4',
    '1..3.4',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4\n',
    '1. 2.3.4',
    '',
    '1.2.3.4/32', // a CIDR, not an address
    '１.2.3.4', // full-width digit
  ])('rejects %j', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['fe80::', 0xfe80n << 112n],
    ['FE80::ABCD', (0xfe80n << 112n) | 0xabcdn],
    ['Fe80:0:0:0:0:0:0:aBcD', (0xfe80n << 112n) | 0xabcdn],
    ['0000:0000:0000:0000:0000:0000:0000:0001', 1n],
    ['1:2:3:4:5:6:7::', 0x0001000200030004000500060007_0000n],
    ['::2:3:4:5:6:7:8', 0x0000000200030004000500060007_0008n],
    ['::ffff:192.0.2.1', 0xffff_c0000201n],
    ['::FFFF:192.0.2.1', 0xffff_c0000201n],
    ['::192.0.2.1', 0xc0000201n],
    ['64:ff9b::192.0.2.1', (0x64ff9bn << 96n) | 0xc0000201n],
    ['1:2:3:4:5:6:1.2.3.4', 0x0001000200030004000500060102_0304n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', maxAddress('ipv6')],
  ])('parses %s', (text, value) => {
    expect(parseIpv6(text)).toBe(value);
  });

  it.each([
    ':::',
    ':1::',
    '1::2::3',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    'g::1',
    '1:',
    ':1',
    'fe80::1%eth0', // zone ids are not accepted by iptables or CNI
    '::ffff:1.2.3',
    '::ffff:256.1.1.1',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4', // IPv4 tail makes 9 groups
    ' ::1',
    '::1 ',
    ':: 1',
    '[::1]',
    '',
    ':',
  ])('rejects %j', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('reads an address as a single-address range', () => {
    expect(parseCidr('1.2.3.4')).toEqual({ family: 'ipv4', start: v4('1.2.3.4'), end: v4('1.2.3.4') });
    expect(parseCidr('::1')).toEqual({ family: 'ipv6', start: 1n, end: 1n });
    expect(parseCidr('::')).toEqual({ family: 'ipv6', start: 0n, end: 0n });
  });

  it('reads prefixes and clears host bits, as iptables and Go do', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ family: 'ipv4', start: v4('10.0.0.0'), end: v4('10.255.255.255') });
    expect(parseCidr('10.1.2.3/8')).toEqual(parseCidr('10.0.0.0/8'));
    expect(parseCidr('0.0.0.0/0')).toEqual({ family: 'ipv4', start: 0n, end: maxAddress('ipv4') });
    expect(parseCidr('1.2.3.4/0')).toEqual(parseCidr('0.0.0.0/0'));
    expect(parseCidr('1.2.3.4/32')).toEqual(parseCidr('1.2.3.4'));
    expect(parseCidr('fe80::/10')).toEqual({ family: 'ipv6', start: v6('fe80::'), end: v6('febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff') });
    expect(parseCidr('::/0')).toEqual({ family: 'ipv6', start: 0n, end: maxAddress('ipv6') });
    expect(parseCidr('::ffff:0.0.0.0/96')).toEqual({ family: 'ipv6', start: 0xffff_00000000n, end: 0xffff_ffffffffn });
    expect(parseCidr('2001:DB8::/32')).toEqual(parseCidr('2001:db8::/32'));
  });

  it('reads contiguous netmasks in address form (iptables-save, ip6tables-save)', () => {
    expect(parseCidr('10.0.0.0/255.0.0.0')).toEqual(parseCidr('10.0.0.0/8'));
    expect(parseCidr('10.0.0.0/255.255.255.255')).toEqual(parseCidr('10.0.0.0/32'));
    expect(parseCidr('10.0.0.0/0.0.0.0')).toEqual(parseCidr('0.0.0.0/0'));
    expect(parseCidr('2001:db8::/ffff:ffff::')).toEqual(parseCidr('2001:db8::/32'));
  });

  it('rejects non-contiguous masks, which parseMaskedAddress keeps', () => {
    expect(parseCidr('10.0.0.0/255.0.255.0')).toBeUndefined();
    expect(parseMaskedAddress('10.0.0.0/255.0.255.0')).toEqual({ family: 'ipv4', address: v4('10.0.0.0'), mask: v4('255.0.255.0') });
    expect(parseMaskedAddress('10.0.0.0/8')).toEqual({ family: 'ipv4', address: v4('10.0.0.0'), mask: v4('255.0.0.0'), prefix: 8 });
    expect(parseMaskedAddress('::1')).toMatchObject({ family: 'ipv6', address: 1n, prefix: 128 });
  });

  it('reads ranges a-b of one family', () => {
    expect(parseCidr('10.0.0.5-10.0.0.9')).toEqual({ family: 'ipv4', start: v4('10.0.0.5'), end: v4('10.0.0.9') });
    expect(parseCidr('10.0.0.5-10.0.0.5')).toEqual(parseCidr('10.0.0.5'));
    expect(parseCidr('::1-::ff')).toEqual({ family: 'ipv6', start: 1n, end: 0xffn });
  });

  it.each([
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/08', // leading zero in the prefix
    '10.0.0.0/-1',
    '10.0.0.0/+8',
    '10.0.0.0/8/8',
    '10.0.0.0/ 8',
    '10.0.0.0 /8',
    ' 10.0.0.0/8',
    '10.0.0.0/8\t',
    '10.0.0.0/255.0.0',
    '10.0.0.0/ffff::', // mask of the other family
    '::/255.0.0.0',
    '10.0.0.9-10.0.0.5', // reversed range
    '10.0.0.1-::1', // mixed families
    '10.0.0.1-',
    '-10.0.0.1',
    '10.0.0.1-10.0.0.2-10.0.0.3',
    '10.0.0.0/8-10.0.0.9',
    'example.com',
    'fe80::1%eth0/64',
    '',
    '/',
    '0'.repeat(10_000),
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('never throws on non-string input from JSON', () => {
    for (const value of [undefined, null, 42, {}, [], true]) {
      expect(parseCidr(value as unknown as string)).toBeUndefined();
      expect(parseAddress(value as unknown as string)).toBeUndefined();
    }
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:./- %x'.split('')), maxLength: 50 }), (s) => {
        const r = parseCidr(s);
        if (r) expect(r.start <= r.end).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('agreement with Node (net.isIP and BlockList) on generated text', () => {
  const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010', '1a', '', '-1'));
  const ipv4Text = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  const group = fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)), fc.constantFrom('0', '00000', 'g', '', 'FFFF', '0abc'));
  const ipv6Text = fc.oneof(
    fc.array(group, { minLength: 1, maxLength: 9 }).map((g) => g.join(':')),
    fc.tuple(fc.array(group, { maxLength: 5 }), fc.array(group, { maxLength: 5 })).map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
    fc.tuple(fc.array(group, { maxLength: 6 }), ipv4Text).map(([a, b]) => `${a.join(':')}::${b}`),
    fc.tuple(fc.array(group, { minLength: 6, maxLength: 6 }), ipv4Text).map(([a, b]) => `${a.join(':')}:${b}`),
  );

  it('accepts exactly the IPv4 texts Node accepts', () => {
    fc.assert(fc.property(ipv4Text, (s) => {
        expect(parseIpv4(s) !== undefined).toBe(isIPv4(s));
      }), { numRuns: 3000 });
  });

  it('accepts exactly the IPv6 texts Node accepts', () => {
    fc.assert(fc.property(ipv6Text, (s) => {
        expect(parseIpv6(s) !== undefined).toBe(isIPv6(s));
      }), { numRuns: 5000 });
  });

  it('puts the same addresses in a CIDR as BlockList.addSubnet', () => {
    const arb = fc.oneof(
      fc.tuple(fc.constant('ipv4' as const), fc.bigInt({ min: 0n, max: maxAddress('ipv4') }), fc.integer({ min: 0, max: 32 })),
      fc.tuple(fc.constant('ipv6' as const), fc.bigInt({ min: 0n, max: maxAddress('ipv6') }), fc.integer({ min: 0, max: 128 })),
    );
    fc.assert(
      fc.property(arb, fc.bigInt({ min: 0n, max: maxAddress('ipv6') }), ([family, addr, prefix], probe) => {
        const text = formatAddress(family, addr);
        const range = parseCidr(`${text}/${prefix}`)!;
        const list = new BlockList();
        list.addSubnet(text, prefix, family);
        const bits = family === 'ipv4' ? 32n : 128n;
        // Probe inside, at both edges, just outside, and at random.
        const candidates = [range.start, range.end, range.start - 1n, range.end + 1n, probe & ((1n << bits) - 1n), addr];
        for (const c of candidates) {
          if (c < 0n || c > maxAddress(family)) continue;
          const inRange = c >= range.start && c <= range.end;
          expect(inRange).toBe(list.check(formatAddress(family, c), family));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatAddress', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['2001:db8::1', v6('2001:0db8:0000:0000:0000:0000:0000:0001')],
    ['2001:db8:0:1:1:1:1:1', v6('2001:db8:0:1:1:1:1:1')], // a single zero group is not compressed
    ['2001:0:0:1::1', v6('2001:0:0:1:0:0:0:1')], // the longest run wins
    ['2001:db8::1:0:0:1', v6('2001:db8:0:0:1:0:0:1')], // the first of equal runs wins
    ['::ffff:192.0.2.1', v6('::ffff:c000:201')], // IPv4-mapped in mixed notation
    ['::c000:201', v6('::192.0.2.1')], // deprecated IPv4-compatible stays hex
  ])('prints %s', (text, value) => {
    expect(formatAddress('ipv6', value)).toBe(text);
  });

  it('matches the WHATWG URL serialiser for non-mapped IPv6 and round-trips', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: 0n, max: maxAddress('ipv6') }),
          // Sparse values with many zero groups exercise the `::` choice.
          fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.reduce((v, n) => (v << 16n) | BigInt(n), 0n)),
        ),
        (value) => {
          const text = formatAddress('ipv6', value);
          expect(parseIpv6(text)).toBe(value);
          if (value >> 32n !== 0xffffn) expect(`[${text}]`).toBe(new URL(`http://[${text}]/`).hostname);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round-trips IPv4', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: maxAddress('ipv4') }), (value) => {
        expect(parseIpv4(formatAddress('ipv4', value))).toBe(value);
      }));
  });
});

describe('rangeToCidrs', () => {
  it('gives the minimal cover', () => {
    expect(rangeToCidrs(parseCidr('10.0.0.0/8')!)).toEqual(['10.0.0.0/8']);
    expect(rangeToCidrs(parseCidr('1.2.3.4')!)).toEqual(['1.2.3.4/32']);
    expect(rangeToCidrs(parseCidr('10.0.0.1-10.0.0.6')!)).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
    expect(rangeToCidrs(parseCidr('0.0.0.0-255.255.255.255')!)).toEqual(['0.0.0.0/0']);
    expect(rangeToCidrs(parseCidr('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')!)).toEqual(['::/0']);
    expect(rangeToCidrs(parseCidr('::1-::2')!)).toEqual(['::1/128', '::2/128']);
    expect(formatRange(parseCidr('10.0.0.1-10.0.0.6')!)).toBe('10.0.0.1-10.0.0.6');
    expect(formatRange(parseCidr('fe80::/10')!)).toBe('fe80::/10');
  });

  it('covers exactly, with aligned blocks no two of which could merge', () => {
    const family = fc.constantFrom('ipv4' as const, 'ipv6' as const);
    fc.assert(
      fc.property(family, fc.bigInt({ min: 0n, max: maxAddress('ipv6') }), fc.bigInt({ min: 0n, max: 1n << 70n }), (fam, a, len) => {
        const max = maxAddress(fam);
        const start = a & max;
        const end = start + (len & max) > max ? max : start + (len & max);
        const cidrs = rangeToCidrs({ family: fam, start, end });
        let next = start;
        let prev: { start: bigint; prefix: number } | undefined;
        for (const c of cidrs) {
          const r = parseCidr(c)!;
          const prefix = Number(c.split('/')[1]);
          expect(r.start).toBe(next); // contiguous, in order, and the text has no host bits
          expect(formatAddress(fam, r.start)).toBe(c.split('/')[0]);
          // Siblings of equal size that share a parent block would have been one block.
          if (prev && prev.prefix === prefix && prefix > 0) {
            const parentBits = BigInt((fam === 'ipv4' ? 32 : 128) - prefix + 1);
            expect(prev.start >> parentBits === r.start >> parentBits).toBe(false);
          }
          prev = { start: r.start, prefix };
          next = r.end + 1n;
        }
        expect(next).toBe(end + 1n);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('prefixOfMask', () => {
  it('finds prefix lengths and refuses holes', () => {
    expect(prefixOfMask('ipv4', v4('255.255.255.0'))).toBe(24);
    expect(prefixOfMask('ipv4', 0n)).toBe(0);
    expect(prefixOfMask('ipv4', maxAddress('ipv4'))).toBe(32);
    expect(prefixOfMask('ipv4', v4('255.0.255.0'))).toBeUndefined();
    expect(prefixOfMask('ipv4', v4('0.255.255.255'))).toBeUndefined();
    expect(prefixOfMask('ipv6', maxAddress('ipv6'))).toBe(128);
    expect(prefixOfMask('ipv6', v6('ffff:ffc0::'))).toBe(26);
  });
});
