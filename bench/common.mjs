// What bench/run.mjs and bench/configs.mjs share.

/** The median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Milliseconds as seconds, `1.234 s`. */
export const fmtS = (ms) => `${(ms / 1000).toFixed(3)} s`;

/**
 * The environment of timed children. Unless `keep`, without NODE_EXTRA_CA_CERTS and NODE_OPTIONS:
 * a CA bundle named there is parsed by every node process at start (0.1 s on the machines here),
 * which says nothing about the tools compared and which non-node tools do not pay.
 */
export function childEnv(keep, extra = {}) {
  const env = { ...process.env, ...extra };
  if (!keep) {
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.NODE_OPTIONS;
  }
  return env;
}
