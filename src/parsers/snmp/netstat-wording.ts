/**
 * `netstat -s` prints the counters of /proc/net/snmp and /proc/net/netstat as prose. These are
 * net-tools' wordings (`statistics.c`, current and the older spellings still shipped by distros,
 * e.g. "segments send out", "bad segments received."), lower-cased, with the number as `%` and a
 * trailing period dropped, mapped back to the kernel's counter names. Counters net-tools has no
 * wording for are printed as `Name: value` (and only when non-zero), which needs no table.
 */
const IP: Record<string, string> = {
  'default ttl is %': 'DefaultTTL',
  '% forwarded': 'ForwDatagrams',
  '% fragments created': 'FragCreates',
  '% outgoing packets failed fragmentation': 'FragFails',
  '% outgoing packets fragmented ok': 'FragOKs',
  '% with invalid addresses': 'InAddrErrors',
  '% incoming packets delivered': 'InDelivers',
  '% incoming packets discarded': 'InDiscards',
  '% with invalid headers': 'InHdrErrors',
  '% total packets received': 'InReceives',
  '% with unknown protocol': 'InUnknownProtos',
  '% outgoing packets dropped': 'OutDiscards',
  '% dropped because of missing route': 'OutNoRoutes',
  '% requests sent out': 'OutRequests',
  '% packet reassemblies failed': 'ReasmFails',
  '% packets reassembled ok': 'ReasmOKs',
  '% reassemblies required': 'ReasmReqds',
  '% fragments dropped after timeout': 'ReasmTimeout',
  '% incoming multicast packets': 'InMcastPkts',
  '% incoming packets with no route': 'InNoRoutes',
  '% with packets too big': 'InTooBigErrors',
  '% with truncated packets': 'InTruncatedPkts',
  '% outgoing multicast packets': 'OutMcastPkts',
};

/** Icmp: plain counters, then the histograms under "ICMP input/output histogram:" (`in:`/`out:`). */
const ICMP: Record<string, string> = {
  '% icmp messages received': 'InMsgs',
  '% input icmp message failed': 'InErrors',
  '% icmp messages sent': 'OutMsgs',
  '% icmp messages failed': 'OutErrors',
  'in:address mask replies: %': 'InAddrMaskReps',
  'in:address mask request: %': 'InAddrMasks',
  'in:destination unreachable: %': 'InDestUnreachs',
  'in:echo replies: %': 'InEchoReps',
  'in:echo requests: %': 'InEchos',
  'in:wrong parameters: %': 'InParmProbs',
  'in:redirects: %': 'InRedirects',
  'in:source quenches: %': 'InSrcQuenchs',
  'in:timeout in transit: %': 'InTimeExcds',
  'in:timestamp reply: %': 'InTimestampReps',
  'in:timestamp request: %': 'InTimestamps',
  'out:address mask replies: %': 'OutAddrMaskReps',
  'out:address mask requests: %': 'OutAddrMasks',
  'out:destination unreachable: %': 'OutDestUnreachs',
  'out:echo replies: %': 'OutEchoReps',
  'out:echo request: %': 'OutEchos',
  'out:echo requests: %': 'OutEchos',
  'out:wrong parameters: %': 'OutParmProbs',
  'out:redirect: %': 'OutRedirects',
  'out:source quench: %': 'OutSrcQuenchs',
  'out:time exceeded: %': 'OutTimeExcds',
  'out:timestamp replies: %': 'OutTimestampReps',
  'out:timestamp requests: %': 'OutTimestamps',
};

const TCP: Record<string, string> = {
  '% active connection openings': 'ActiveOpens',
  '% active connections openings': 'ActiveOpens',
  '% passive connection openings': 'PassiveOpens',
  '% failed connection attempts': 'AttemptFails',
  '% connection resets received': 'EstabResets',
  '% connections established': 'CurrEstab',
  '% segments received': 'InSegs',
  '% segments sent out': 'OutSegs',
  '% segments send out': 'OutSegs',
  '% segments retransmitted': 'RetransSegs',
  '% segments retransmited': 'RetransSegs',
  '% bad segments received': 'InErrs',
  '% resets sent': 'OutRsts',
};

const UDP: Record<string, string> = {
  '% packets received': 'InDatagrams',
  '% packets to unknown port received': 'NoPorts',
  '% packet receive errors': 'InErrors',
  '% packets sent': 'OutDatagrams',
  '% receive buffer errors': 'RcvbufErrors',
  '% send buffer errors': 'SndbufErrors',
};

const TCP_EXT: Record<string, string> = {
  '% delayed acks further delayed because of locked socket': 'DelayedACKLocked',
  'quick ack mode was activated % times': 'DelayedACKLost',
  '% delayed acks sent': 'DelayedACKs',
  '% resets received for embryonic syn_recv sockets': 'EmbryonicRsts',
  '% syns to listen sockets dropped': 'ListenDrops',
  '% syns to listen sockets ignored': 'ListenDrops',
  '% times the listen queue of a socket overflowed': 'ListenOverflows',
  '% icmp packets dropped because socket was locked': 'LockDroppedIcmps',
  '% packets dropped from out-of-order queue because of socket buffer overrun': 'OfoPruned',
  '% icmp packets dropped because they were out-of-window': 'OutOfWindowIcmps',
  '% active connections rejected because of time stamp': 'PAWSActive',
  '% packets rejected in established connections because of timestamp': 'PAWSEstab',
  '% packetes rejected in established connections because of timestamp': 'PAWSEstab',
  '% passive connections rejected because of time stamp': 'PAWSPassive',
  '% packets pruned from receive queue because of socket buffer overrun': 'PruneCalled',
  '% packets pruned from receive queue': 'RcvPruned',
  '% syn cookies sent': 'SyncookiesSent',
  '% syn cookies received': 'SyncookiesRecv',
  '% invalid syn cookies received': 'SyncookiesFailed',
  '% times unable to send rst due to no memory': 'TCPAbortFailed',
  '% connections reset due to early user close': 'TCPAbortOnClose',
  '% connections reset due to unexpected data': 'TCPAbortOnData',
  '% connections aborted after user close in linger timeout': 'TCPAbortOnLinger',
  '% connections aborted due to memory pressure': 'TCPAbortOnMemory',
  '% connections reset due to unexpected syn': 'TCPAbortOnSyn',
  '% connections aborted due to timeout': 'TCPAbortOnTimeout',
  '% fast retransmits': 'TCPFastRetrans',
  '% forward retransmits': 'TCPForwardRetrans',
  '% retransmits in slow start': 'TCPSlowStartRetrans',
  '% other tcp timeouts': 'TCPTimeouts',
  '% packet headers predicted': 'TCPHPHits',
  '% predicted acknowledgments': 'TCPHPAcks',
  '% acknowledgments not containing data payload received': 'TCPPureAcks',
  '% acknowledgments not containing data received': 'TCPPureAcks',
  '% tcp data loss events': 'TCPLoss',
  '% retransmits lost': 'TCPLostRetransmit',
  '% packets collapsed in receive queue due to low socket buffer': 'TCPRcvCollapsed',
  '% tcp sockets finished time wait in fast timer': 'TW',
  '% tcp sockets finished time wait in slow timer': 'TWKilled',
  '% time wait sockets recycled by time stamp': 'TWRecycled',
  '% dsacks sent for old packets': 'TCPDSACKOldSent',
  '% dsacks sent for out of order packets': 'TCPDSACKOfoSent',
  '% dsacks received': 'TCPDSACKRecv',
  '% dsacks for out of order packets received': 'TCPDSACKOfoRecv',
  'tcp ran low on memory % times': 'TCPMemoryPressures',
};

/** Wording tables by `netstat -s` section title. */
const BY_GROUP: Record<string, Record<string, string>> = {
  Ip: IP,
  Ip6: IP,
  Icmp: ICMP,
  Tcp: TCP,
  Udp: UDP,
  Udp6: UDP,
  UdpLite: UDP,
  TcpExt: TCP_EXT,
};

/** The counter name for a `netstat -s` line's wording in a section, if known. */
export function counterForWording(group: string, template: string): string | undefined {
  return BY_GROUP[group]?.[template];
}
