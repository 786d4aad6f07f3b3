import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { afterAll, beforeAll, describe } from 'vitest';

/**
 * Tests that need real netfilter run it inside a throwaway network namespace, never in the
 * host's own: every namespace here is created by this process, named `nl-<pid>-<n>`, and deleted
 * in `afterAll` (and, as a last resort, when the process exits).
 *
 * When the environment cannot run them (not root, no `ip`, no `iptables`...), suites declared
 * with `describeNetns`/`describeIf` are skipped with the reason printed, or fail with it when
 * `NETLINT_REQUIRE_NETNS=1` (set by `.ci/run`), so CI never passes by skipping.
 */

/** True when environment-dependent suites must fail instead of skipping (CI). */
export function requireEnvironment(): boolean {
  return process.env.NETLINT_REQUIRE_NETNS === '1';
}

/** Marks suites whose skips `.ci/run` counts as failures. */
export const ENV_SUITE_PREFIX = '[env]';

export interface ExecResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Text written to the command's stdin. */
  input?: string;
  timeoutMs?: number;
}

function toResult(r: SpawnSyncReturns<string>): ExecResult {
  return {
    status: r.error ? null : r.status,
    stdout: r.stdout ?? '',
    stderr: r.error ? `${r.error.message}\n${r.stderr ?? ''}` : (r.stderr ?? ''),
  };
}

/** Runs a command outside any namespace (for tools that need no privileges). */
export function execTool(command: string, args: string[], options: ExecOptions = {}): ExecResult {
  return toResult(
    spawnSync(command, args, {
      input: options.input,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      timeout: options.timeoutMs ?? 120_000,
      env: { ...process.env, LC_ALL: 'C' },
    }),
  );
}

/** True if `command` can be found on PATH (or is an existing path). */
export function hasCommand(command: string): boolean {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

const live = new Set<string>();
let counter = 0;
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // afterAll is the normal path; this catches a worker that dies between create and afterAll.
  process.on('exit', () => {
    for (const name of live) spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
  });
}

/** A network namespace owned by this process. */
export class Netns {
  readonly name: string;
  private created = false;

  constructor() {
    this.name = `nl-${process.pid}-${++counter}`;
  }

  /** Creates the namespace and brings its loopback up. */
  create(): this {
    if (this.created) return this;
    installExitHook();
    const r = execTool('ip', ['netns', 'add', this.name]);
    if (r.status !== 0) throw new Error(`ip netns add ${this.name} failed: ${r.stderr.trim()}`);
    this.created = true;
    live.add(this.name);
    this.run('ip', ['link', 'set', 'lo', 'up']);
    return this;
  }

  /** Deletes the namespace (idempotent; never throws, so it is safe in afterAll). */
  destroy(): void {
    if (!this.created) return;
    spawnSync('ip', ['netns', 'delete', this.name], { stdio: 'ignore' });
    live.delete(this.name);
    this.created = false;
  }

  /** Runs a command inside the namespace; returns its status and output. */
  exec(command: string, args: string[] = [], options: ExecOptions = {}): ExecResult {
    if (!this.created) throw new Error(`Namespace ${this.name} does not exist (call create() first).`);
    return execTool('ip', ['netns', 'exec', this.name, command, ...args], options);
  }

  /** Like `exec`, but throws with the command's stderr unless it exits 0; returns stdout. */
  run(command: string, args: string[] = [], options: ExecOptions = {}): string {
    const r = this.exec(command, args, options);
    if (r.status !== 0) {
      throw new Error(`${[command, ...args].join(' ')} failed in ${this.name} (exit ${r.status}): ${r.stderr.trim()}`);
    }
    return r.stdout;
  }
}

/** Creates a namespace, runs `fn` in it, and deletes the namespace even if `fn` throws. */
export function withNetns<T>(fn: (ns: Netns) => T): T {
  const ns = new Netns().create();
  try {
    return fn(ns);
  } finally {
    ns.destroy();
  }
}

const TOOLS = ['ip', 'iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'];
let cachedReason: string | null | undefined;

/**
 * Why netfilter cannot be used here, or `undefined` when it can: root, the tools, and a probe
 * namespace in which `iptables -t nat -S` works.
 */
export function netfilterAvailable(): string | undefined {
  if (cachedReason !== undefined) return cachedReason ?? undefined;
  cachedReason = probe() ?? null;
  return cachedReason ?? undefined;
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return `netfilter tests need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'netfilter tests need root (ip netns add); run as root or set up sudo';
  }
  const missing = TOOLS.filter((t) => !hasCommand(t));
  if (missing.length) return `missing commands: ${missing.join(', ')} (Debian packages iptables, iproute2)`;
  try {
    return withNetns((ns) => {
      const r = ns.exec('iptables', ['-t', 'nat', '-S']);
      if (r.status !== 0) return `iptables does not work in a network namespace: ${r.stderr.trim()}`;
      return undefined;
    });
  } catch (err) {
    return `cannot create a network namespace: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Why the commands are missing, or `undefined` if all are on PATH. */
export function commandsAvailable(commands: string[]): string | undefined {
  const missing = commands.filter((c) => !hasCommand(c));
  return missing.length ? `missing commands: ${missing.join(', ')}` : undefined;
}

/**
 * A `describe` that runs only when `reason` is `undefined`. Otherwise it prints the reason and
 * skips, or, under `NETLINT_REQUIRE_NETNS=1`, keeps the tests and fails each with the reason.
 * The suite name is prefixed with `[env]` so `.ci/run` can tell these skips from others.
 */
export function describeIf(name: string, reason: string | undefined, fn: () => void): void {
  const title = `${ENV_SUITE_PREFIX} ${name}`;
  if (reason === undefined) {
    describe(title, fn);
    return;
  }
  if (!requireEnvironment()) {
    console.warn(`Skipping "${name}": ${reason}. Set NETLINT_REQUIRE_NETNS=1 to fail instead.`);
    describe.skip(title, fn);
    return;
  }
  describe(title, () => {
    beforeAll(() => {
      throw new Error(`Required environment missing (NETLINT_REQUIRE_NETNS=1): ${reason}`);
    });
    fn();
  });
}

/**
 * A suite that runs in its own network namespace, created before its tests and deleted after
 * them even when they fail. Skips (or fails, see `describeIf`) where netfilter is unavailable.
 * `extraReason` adds other preconditions (a missing corpus, a missing tool).
 */
export function describeNetns(name: string, fn: (ns: Netns) => void, extraReason?: string): void {
  const reason = netfilterAvailable() ?? extraReason;
  const ns = new Netns();
  describeIf(name, reason, () => {
    beforeAll(() => {
      if (reason === undefined) ns.create();
    });
    afterAll(() => {
      ns.destroy();
    });
    fn(ns);
  });
}
