import type { KindParser } from '../types.js';
import { parseCni, walkCni } from './parser.js';

export { CNI_READER, parseCni, walkCni } from './parser.js';
export type { CniParseOptions } from './parser.js';

/** CNI network configurations (`.conf`, `.conflist`, templates) and flanneld's `net-conf.json`. */
export const cniParser: KindParser = {
  kind: 'cni',
  parse: (source, filePath) => parseCni(source, filePath),
  walk: walkCni,
};
