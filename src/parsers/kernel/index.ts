import type { KindParser } from '../types.js';
import { parseKernel, walkKernel } from './parser.js';

export { compareKernel, kernelAtLeast, parseKernelRelease } from './version.js';

/** `uname -r`, `uname -a` and `/proc/version` output. */
export const kernelParser: KindParser = {
  kind: 'kernel',
  parse: (source, filePath) => parseKernel(source, filePath),
  walk: walkKernel,
};
