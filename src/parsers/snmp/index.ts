import type { KindParser } from '../types.js';
import { parseSnmp, walkSnmp } from './parser.js';

/** `/proc/net/snmp`, `/proc/net/netstat`, `/proc/net/snmp6`, `nstat` and `netstat -s` output. */
export const snmpParser: KindParser = {
  kind: 'snmp-counters',
  parse: (source, filePath) => parseSnmp(source, filePath),
  walk: walkSnmp,
};
