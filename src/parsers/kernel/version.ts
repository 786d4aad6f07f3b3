import type { KernelRelease } from '../../model/evidence.js';

const RELEASE = /^(\d+)\.(\d+)(?:\.(\d+))?([-+.~_A-Za-z0-9]*)$/;
const ARCH = /^(?:x86_64|amd64|aarch64|arm64|armv7l|armv6l|i386|i686|ppc64le|ppc64|s390x|riscv64|mips64)$/;
/** Ubuntu's `X.Y.0-ABI-flavour` (kernel-team naming). */
const UBUNTU = /^\d+\.\d+\.\d+-\d+-(?:generic|generic-pae|generic-64k|lowlatency|aws|gcp|gke|gkeop|azure|azure-fde|kvm|oracle|ibm|raspi|raspi2|virtual|server|nvidia|realtime|intel-iotg|xilinx-zynqmp)$/;
/** Debian's `X.Y.Z-ABI-flavour`. */
const DEBIAN = /^\d+\.\d+\.\d+-(?:\d+|\d+\.bpo\.\d+)-(?:cloud-|rt-)?(?:amd64|arm64|686|686-pae|armmp|armmp-lpae|powerpc64le|s390x|marvell|rpi|4kc-malta|5kc-malta|octeon|loongson-3|mips32r2el|mips64r2el)$/;
/** SUSE's `X.Y.Z-150500.55.28-flavour`. */
const SUSE = /^\d+\.\d+\.\d+-\d{5,}(?:\.\d+)*-(?:default|azure|rt|kvmsmall|64kb|preempt)$/;

/**
 * Splits a kernel release (`uname -r`) into comparable parts; `undefined` when it is not one.
 * `context` is the rest of a `uname -a` or `/proc/version` line, which can name the distro
 * (`#101-Ubuntu SMP`, `SMP Debian 4.19.194-3`).
 */
export function parseKernelRelease(raw: string, context = ''): KernelRelease | undefined {
  const m = RELEASE.exec(raw);
  if (!m) return undefined;
  const suffix = m[4];
  const release: KernelRelease = {
    raw,
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    suffix,
    build: [],
  };
  const build = /^[-.]?(\d+(?:\.\d+)*)/.exec(suffix);
  if (build) release.build = build[1].split('.').map(Number);
  const distro = guessDistro(raw, context);
  if (distro) release.distro = distro;
  const arch = /\.(x86_64|aarch64|i686|ppc64le|s390x)$/.exec(raw)?.[1];
  if (arch) release.arch = arch;
  return release;
}

function guessDistro(raw: string, context: string): string | undefined {
  const tagged = /\.(el\d+|amzn\d+|fc\d+|cm\d+|azl\d+)(?:[_.]|uek|$)/.exec(raw);
  if (tagged) return tagged[1];
  if (UBUNTU.test(raw)) return 'ubuntu';
  if (DEBIAN.test(raw) || /\+deb\d+|~bpo\d+/.test(raw)) return 'debian';
  if (SUSE.test(raw)) return 'suse';
  if (/-flatcar$/.test(raw)) return 'flatcar';
  if (/-talos$/.test(raw)) return 'talos';
  if (/-microsoft-standard(?:-WSL2)?$/.test(raw)) return 'wsl';
  if (/-arch\d+-\d+$/.test(raw)) return 'arch';
  if (/\bUbuntu\b/.test(context)) return 'ubuntu';
  if (/\bDebian\b/.test(context)) return 'debian';
  if (/\bSUSE\b/.test(context)) return 'suse';
  return undefined;
}

/** The machine field of a `uname -a` line, if any. */
export function archOf(fields: string[]): string | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (ARCH.test(fields[i])) return fields[i];
  return undefined;
}

function toRelease(v: KernelRelease | string): KernelRelease {
  if (typeof v !== 'string') return v;
  const parsed = parseKernelRelease(v.trim());
  if (!parsed) throw new TypeError(`Not a kernel release: "${v}".`);
  return parsed;
}

/**
 * Orders two kernels: negative, zero or positive like a sort comparator. Compares
 * `major.minor.patch`; on a tie, the distro build numbers (`3.10.0-1160.71.1.el7` after
 * `3.10.0-957.el7`) when both have them and their distros do not differ (build numbers of
 * different distros mean nothing to each other). Strings are parsed; a string that is not a
 * kernel release throws (a caller's mistake).
 */
export function compareKernel(a: KernelRelease | string, b: KernelRelease | string): number {
  const x = toRelease(a);
  const y = toRelease(b);
  const d = x.major - y.major || x.minor - y.minor || x.patch - y.patch;
  if (d !== 0) return Math.sign(d);
  if (!x.build.length || !y.build.length) return 0;
  if (x.distro && y.distro && x.distro !== y.distro) return 0;
  const n = Math.min(x.build.length, y.build.length);
  for (let i = 0; i < n; i++) if (x.build[i] !== y.build[i]) return Math.sign(x.build[i] - y.build[i]);
  return Math.sign(x.build.length - y.build.length);
}

/** True if `v` is `min` or newer: `kernelAtLeast(version, '4.4')`. */
export function kernelAtLeast(v: KernelRelease | string, min: KernelRelease | string): boolean {
  return compareKernel(v, min) >= 0;
}
