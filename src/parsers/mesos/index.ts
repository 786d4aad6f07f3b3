import type { KindParser } from '../types.js';
import { parseMesos, walkMesos } from './parser.js';

export { parseMesos, walkMesos } from './parser.js';

/** Mesos agent flags (JSON, `--flag=value`, `MESOS_FLAG=value`) and Marathon app/pod JSON. */
export const mesosParser: KindParser = {
  kind: 'mesos',
  parse: (source, filePath) => parseMesos(source, filePath),
  walk: walkMesos,
};
