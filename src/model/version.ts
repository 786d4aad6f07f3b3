/** Numeric parts of a dotted version (`v1.8.9` -> [1, 8, 9]); `undefined` if none. */
export function parseVersion(text: string | undefined): number[] | undefined {
  const m = /(\d+(?:\.\d+)*)/.exec(text ?? '');
  return m ? m[1].split('.').map(Number) : undefined;
}

/** Compares dotted versions part by part; missing parts count as 0. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `version` is at least `minimum` (`versionAtLeast('1.6.2', '1.6.0')`). */
export function versionAtLeast(version: string | readonly number[], minimum: string): boolean {
  const v = typeof version === 'string' ? parseVersion(version) : version;
  const m = parseVersion(minimum)!;
  return v !== undefined && compareVersions(v, m) >= 0;
}
