import type { KindParser } from '../types.js';
import { parseConntrack, walkConntrack } from './parser.js';

/** `conntrack -S` output (per-CPU or summary) and `/proc/net/stat/nf_conntrack`. */
export const conntrackParser: KindParser = {
  kind: 'conntrack-stats',
  parse: (source, filePath) => parseConntrack(source, filePath),
  walk: walkConntrack,
};
