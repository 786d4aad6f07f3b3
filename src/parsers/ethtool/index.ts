import type { KindParser } from '../types.js';
import { parseEthtool, walkEthtool } from './parser.js';

/** `ethtool -k DEV` output, one or more devices. */
export const ethtoolParser: KindParser = {
  kind: 'ethtool-features',
  parse: (source, filePath) => parseEthtool(source, filePath),
  walk: walkEthtool,
};
