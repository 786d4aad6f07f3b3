import type { HostFact } from './facts.js';

export interface VethFixStatus {
  status: 'fixed' | 'affected' | 'unknown';
  /** Why, for messages. */
  reason: string;
}

/**
 * Stable branches still maintained when the veth fix (ce8c839b74e3, posted 18 Dec 2015, first in
 * mainline 4.4) was sent: they may have received a backport; the patch author said backports were
 * under way "back to 3.14" (DOMAIN.md 1.2). Exact point releases were not verified, so these are
 * "unknown". Branches already end-of-life by then (3.13 Apr 2014, 3.15, 3.17, 3.19, 4.0 Jul 2015,
 * 4.2 with 4.2.8 on 15 Dec 2015...) got no backport from kernel.org.
 */
const MAINTAINED_IN_DEC_2015 = new Set(['3.2', '3.4', '3.10', '3.12', '3.14', '3.16', '3.18', '4.1', '4.3']);

/** Whether a kernel has the veth checksum fix (ce8c839b74e3, mainline 4.4). */
export function vethChecksumFix(kernel: HostFact['kernel'] | undefined): VethFixStatus {
  if (!kernel) return { status: 'unknown', reason: 'no kernel version in the evidence' };
  const { major, minor, raw, distro } = kernel;
  if (major > 4 || (major === 4 && minor >= 4)) return { status: 'fixed', reason: `kernel ${raw} includes the fix (mainline 4.4)` };
  const series = `${major}.${minor}`;
  if (MAINTAINED_IN_DEC_2015.has(series)) {
    return {
      status: 'unknown',
      reason: `kernel ${raw} is on stable branch ${series}, which was maintained when the fix was released; whether this point release carries the backport of ce8c839b74e3 is not known`,
    };
  }
  if (distro) {
    return {
      status: 'unknown',
      reason: `kernel ${raw} is a ${distro} kernel on branch ${series}; distributions backport fixes, check its changelog for ce8c839b74e3`,
    };
  }
  return { status: 'affected', reason: `kernel ${raw} (branch ${series}, end-of-life before the fix) lacks ce8c839b74e3` };
}
