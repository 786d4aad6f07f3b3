import type { KindParser } from '../types.js';
import { parseDockerDaemon, walkDockerDaemon } from './parser.js';

export { DOCKER_READER, parseDockerDaemon, walkDockerDaemon } from './parser.js';

/** Docker's `daemon.json`. */
export const dockerDaemonParser: KindParser = {
  kind: 'docker-daemon',
  parse: (source, filePath) => parseDockerDaemon(source, filePath),
  walk: walkDockerDaemon,
};
