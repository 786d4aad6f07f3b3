import type { KindParser } from '../types.js';
import { parseIptables, walkIptables } from './parser.js';

/** iptables-save / ip6tables-save / iptables-restore input. */
export const iptablesParser: KindParser = {
  kind: 'iptables',
  parse: (source, filePath) => parseIptables(source, filePath),
  walk: walkIptables,
};
