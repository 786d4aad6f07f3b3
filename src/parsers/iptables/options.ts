/**
 * Option tables for iptables rule lines. Names and arities come from iptables' own sources:
 * `iptables/xshared.c` (basic options), `extensions/libxt_*.c` / `libipt_*.c` (modules and
 * targets). Only what the parser must know to split a line is here; every other module option
 * is accepted generically, because a linter that rejects valid rules loses users' trust.
 */

/** Basic (non-module) options: canonical name by every spelling iptables accepts. */
export const BASIC_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['-s', 'source'],
  ['--source', 'source'],
  ['--src', 'source'],
  ['-d', 'destination'],
  ['--destination', 'destination'],
  ['--dst', 'destination'],
  ['-p', 'protocol'],
  ['--protocol', 'protocol'],
  ['-i', 'in-interface'],
  ['--in-interface', 'in-interface'],
  ['-o', 'out-interface'],
  ['--out-interface', 'out-interface'],
  ['-f', 'fragment'],
  ['--fragment', 'fragment'],
  ['-4', 'ipv4'],
  ['--ipv4', 'ipv4'],
  ['-6', 'ipv6'],
  ['--ipv6', 'ipv6'],
]);

/** Basic options that take no value. */
export const BASIC_FLAGS = new Set(['fragment', 'ipv4', 'ipv6']);

export const MATCH_FLAGS = new Set(['-m', '--match']);
export const JUMP_FLAGS = new Set(['-j', '--jump']);
export const GOTO_FLAGS = new Set(['-g', '--goto']);
export const COUNTER_FLAGS = new Set(['-c', '--set-counters']);

/** Commands that may start a line of an iptables-restore file, by spelling. */
export const COMMANDS: ReadonlyMap<string, 'append' | 'insert' | 'delete' | 'replace' | 'new-chain' | 'policy' | 'flush' | 'delete-chain' | 'zero'> =
  new Map([
    ['-A', 'append'],
    ['--append', 'append'],
    ['-I', 'insert'],
    ['--insert', 'insert'],
    ['-D', 'delete'],
    ['--delete', 'delete'],
    ['-R', 'replace'],
    ['--replace', 'replace'],
    ['-N', 'new-chain'],
    ['--new-chain', 'new-chain'],
    ['-P', 'policy'],
    ['--policy', 'policy'],
    ['-F', 'flush'],
    ['--flush', 'flush'],
    ['-X', 'delete-chain'],
    ['--delete-chain', 'delete-chain'],
    ['-Z', 'zero'],
    ['--zero', 'zero'],
  ]);

/**
 * Target and match options that take no value. Anything else that starts with `--` takes the
 * tokens up to the next option as its values.
 */
export const VALUELESS_OPTIONS = new Set([
  // NAT targets (libxt_NAT.c, libxt_MASQUERADE.c, libxt_REDIRECT.c)
  'random',
  'random-fully',
  'persistent',
  // addrtype, recent, socket, rpfilter, policy, connlimit, hashlimit...
  'limit-iface-in',
  'limit-iface-out',
  'set',
  'rcheck',
  'update',
  'remove',
  'rsource',
  'rdest',
  'rttl',
  'reap',
  'transparent',
  'nowildcard',
  'restore-skmark',
  'loose',
  'validmark',
  'accept-local',
  'invert',
  'strict',
  'next',
  'connlimit-saddr',
  'connlimit-daddr',
  'syn',
  'log-tcp-sequence',
  'log-tcp-options',
  'log-ip-options',
  'log-uid',
  'log-macdecode',
  'physdev-is-in',
  'physdev-is-out',
  'physdev-is-bridged',
  'notrack',
  'clamp-mss-to-pmtu',
  'checksum-fill',
  'ct-state-invalid',
  'exist',
  'return-nomatch',
  'update-counters',
  'update-subcounters',
  'suppress-ack',
  'fragres',
  'fragfirst',
  'fragmore',
  'fraglast',
  'sack-perm',
  'timestamp',
  'wscale',
  'ecn-tcp-remove',
  'ecn-tcp-cwr',
  'ecn-tcp-ece',
  'queue-bypass',
  'fail-open',
  'queue-cpu-fanout',
  'hmark-tuple',
]);

/**
 * Targets that iptables implements itself or as extensions. A `-j NAME` that is neither one of
 * these nor a chain of the table jumps to an undefined chain.
 */
export const KNOWN_TARGETS = new Set([
  'ACCEPT',
  'DROP',
  'RETURN',
  'QUEUE',
  'NFQUEUE',
  'REJECT',
  'LOG',
  'NFLOG',
  'ULOG',
  'MARK',
  'CONNMARK',
  'MASQUERADE',
  'SNAT',
  'DNAT',
  'REDIRECT',
  'NETMAP',
  'TPROXY',
  'CT',
  'NOTRACK',
  'TRACE',
  'CLASSIFY',
  'DSCP',
  'TOS',
  'TTL',
  'HL',
  'TCPMSS',
  'TCPOPTSTRIP',
  'CHECKSUM',
  'SECMARK',
  'CONNSECMARK',
  'AUDIT',
  'IDLETIMER',
  'LED',
  'RATEEST',
  'SET',
  'SYNPROXY',
  'TEE',
  'HMARK',
  'CLUSTERIP',
  'ECN',
  'DNPT',
  'SNPT',
  'MIRROR',
  'ROUTE',
]);

/** NAT targets: the ones that rewrite addresses or ports. */
export const NAT_TARGETS = new Set(['MASQUERADE', 'SNAT', 'DNAT', 'REDIRECT', 'NETMAP']);
