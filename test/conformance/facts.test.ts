import { describe, expect, it } from 'vitest';
import { parse } from '../helpers/iptables.js';
import { compare, factsOfNft, factsOfRule, normalizeAddress, readTranslation } from './facts.js';

/** The comparator behind the translator conformance test must see every kind of disagreement. */

describe('conformance facts: addresses', () => {
  it.each([
    ['10.180.0.5', '10.180.0.5'],
    ['10.180.0.5/32', '10.180.0.5'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['10.0.0.1/255.255.0.0', '10.0.0.0/16'],
    ['0.0.0.0/0', undefined],
    ['fd00:0:0::1/64', 'fd00::/64'],
    ['::1/128', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::/10', 'fe80::/10'],
    ['::/0', undefined],
    ['localhost', 'localhost'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });
});

describe('conformance facts: nft rules', () => {
  it('reads targets, flags, addresses, interfaces and protocols', () => {
    expect(
      factsOfNft('nat', 'POSTROUTING', 'oifname != "br-dummy" ip saddr 192.168.0.0/24 counter masquerade fully-random comment "masquerade traffic"'),
    ).toEqual({ table: 'nat', chain: 'POSTROUTING', target: 'MASQUERADE', natFlags: 'fully-random', outInterface: '!br-dummy', source: '192.168.0.0/24' });
    expect(factsOfNft('nat', 'P', 'ip protocol tcp counter snat to 1.2.3.4:1024-65535 random,fully-random,persistent')).toMatchObject({
      target: 'SNAT',
      natFlags: 'random,fully-random,persistent',
      protocol: 'tcp',
    });
    expect(factsOfNft('nat', 'P', 'meta l4proto tcp ip6 saddr fd00::5 counter snat to [fd00::1]:1024-2000 fully-random')).toMatchObject({
      target: 'SNAT',
      protocol: 'tcp',
      source: 'fd00::5',
    });
    expect(factsOfNft('nat', 'P', 'ct status dnat counter accept')).toMatchObject({ target: 'ACCEPT' });
    expect(factsOfNft('nat', 'P', 'iifname "cali*" counter goto cali-wl')).toMatchObject({ target: 'goto:cali-wl', inInterface: 'cali+' });
    expect(factsOfNft('nat', 'P', 'ip daddr 10.0.0.1 tcp dport 80 counter jump KUBE-SVC-X comment "a "quoted" return"')).toMatchObject({
      target: 'jump:KUBE-SVC-X',
      destination: '10.0.0.1',
      protocol: 'tcp',
    });
    expect(factsOfNft('nat', 'P', 'counter meta mark set mark or 0x4000')).toMatchObject({ target: 'other' });
    expect(factsOfNft('nat', 'P', 'ip protocol != udp counter return')).toMatchObject({ target: 'RETURN', protocol: '!udp' });
  });

  it('expands comma lists source-major, as iptables-restore does', () => {
    const p = parse('*nat\n-A P -s 10.0.0.1,10.0.0.2 -d 1.1.1.1,2.2.2.2 -j RETURN\nCOMMIT\n');
    expect(factsOfRule(p.rules[0]).map((f) => `${f.source}>${f.destination}`)).toEqual([
      '10.0.0.1>1.1.1.1',
      '10.0.0.1>2.2.2.2',
      '10.0.0.2>1.1.1.1',
      '10.0.0.2>2.2.2.2',
    ]);
  });
});

describe('conformance facts: the comparator reports disagreements', () => {
  const dump = '*nat\n-A POSTROUTING -s 10.0.0.0/8 ! -o docker0 -p tcp -m tcp -j MASQUERADE --random-fully\n-A POSTROUTING -j KUBE-X\nCOMMIT\n';
  const rules = parse(dump).rules;
  const good = [
    'add table ip nat',
    'add rule ip nat POSTROUTING oifname != "docker0" ip saddr 10.0.0.0/8 counter masquerade fully-random',
    'add rule ip nat POSTROUTING counter jump KUBE-X',
  ].join('\n');

  it('agrees with a faithful translation (and notes the dropped protocol)', () => {
    const c = compare('x', rules, good);
    expect(c.disagreements).toEqual([]);
    expect(c).toMatchObject({ compared: 2, untranslatable: 0, protocolElided: 1 });
  });

  it.each([
    ['negation', good.replace('oifname != "docker0"', 'oifname "docker0"'), 'outInterface'],
    ['flag', good.replace('masquerade fully-random', 'masquerade random'), 'natFlags'],
    ['target', good.replace('masquerade fully-random', 'snat to 1.2.3.4 fully-random'), 'target'],
    ['source', good.replace('10.0.0.0/8', '10.0.0.0/16'), 'source'],
    ['jump', good.replace('jump KUBE-X', 'goto KUBE-X'), 'target'],
    ['protocol', good.replace('counter masquerade', 'ip protocol udp counter masquerade'), 'protocol'],
    ['rule count', `${good}\nadd rule ip nat POSTROUTING counter accept`, 'rule count'],
    ['chain', good.replace('nat POSTROUTING counter jump', 'nat OUTPUT counter jump'), 'table/chain'],
  ])('finds a changed %s', (_, output, field) => {
    expect(compare('x', rules, output).disagreements.map((d) => d.field)).toEqual([field]);
  });

  it('skips rules the translator prints as comments', () => {
    const out = good.replace(/^add rule ip nat POSTROUTING counter jump KUBE-X$/m, '# -t nat -A POSTROUTING -j KUBE-X');
    expect(readTranslation(out).map((t) => t.kind)).toEqual(['rule', 'untranslated']);
    expect(compare('x', rules, out)).toMatchObject({ compared: 1, untranslatable: 1, disagreements: [] });
  });
});
