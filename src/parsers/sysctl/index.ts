import type { KindParser } from '../types.js';
import { parseSysctl, walkSysctl } from './parser.js';

export { normaliseSysctlKey, sysctlValue } from '../../model/evidence.js';

/** `sysctl -a` output, sysctl.conf and sysctl.d/*.conf files. */
export const sysctlParser: KindParser = {
  kind: 'sysctl',
  parse: (source, filePath) => parseSysctl(source, filePath),
  walk: walkSysctl,
};
