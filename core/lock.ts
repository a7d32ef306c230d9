/**
 * One lock per scope, so two autostart processes never apply plans to the same init
 * system at once: the user scope locks `$XDG_RUNTIME_DIR/autostart/lock` (or a file under
 * the user's config directory), the system scope `/run/autostart/lock`. The lock is
 * an exclusive `flock` on that file, taken by polling `tryLock` for a bounded time, so a
 * stuck holder ends in a clear {@link BusyError} instead of a hang. The kernel drops the
 * lock when its holder dies, so a killed autostart never leaves a stale lock behind.
 *
 * @module
 */

import { BusyError, OperationError } from "./errors.ts";
import { parseDuration } from "./duration.ts";
import { denoFs, dirname, type FileLock, type FileSystem } from "./fs.ts";
import type { PlanContext } from "./plan_context.ts";
import { systemRuntimeDir, userRuntimeDir } from "./platform.ts";
import type { Condition } from "./spec/types.ts";

/** A held lock. */
export interface HeldLock {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock (idempotent). */
  release(): Promise<void>;
}

/** Takes the lock at `path`, waiting at most `timeoutMs`; throws {@link BusyError}. */
export type Locker = (
  path: string,
  options: { timeoutMs: number },
) => Promise<HeldLock>;

/** Default longest wait for the lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/**
 * Directory of a scope's lock and pending markers: `boot` → `/run/autostart` (root-only,
 * never the world-writable `/run/lock`, where another user could plant the file first),
 * `login` → `$XDG_RUNTIME_DIR/autostart` (or the user's config directory off Linux).
 */
export function stateDir(
  condition: Condition,
  ctx: Pick<PlanContext, "os" | "env" | "self">,
): string {
  if (condition === "boot") return `${systemRuntimeDir(ctx.os)}/autostart`;
  const runtime = ctx.env.XDG_RUNTIME_DIR?.startsWith("/")
    ? ctx.env.XDG_RUNTIME_DIR
    : userRuntimeDir(ctx.os, ctx.self.uid);
  if (runtime !== null) return `${runtime}/autostart`;
  const config = ctx.env.XDG_CONFIG_HOME?.startsWith("/")
    ? ctx.env.XDG_CONFIG_HOME
    : `${ctx.self.home}/.config`;
  return `${config}/autostart`;
}

/**
 * Where the lock of a condition's scope lives.
 *
 * @example Usage
 * ```ts ignore
 * lockPath("boot", ctx); // "/run/autostart/lock" on Linux
 * ```
 */
export function lockPath(
  condition: Condition,
  ctx: Pick<PlanContext, "os" | "env" | "self">,
): string {
  return `${stateDir(condition, ctx)}/lock`;
}

/**
 * The marker of an operation under way: written before a plan is applied and removed
 * when it ends, so a run killed half-way is seen by the next one (which then redoes the
 * whole plan instead of calling the service up to date). Kept in the runtime directory,
 * so a reboot (which restarts everything from its files) clears it.
 */
export function pendingPath(
  condition: Condition,
  ctx: Pick<PlanContext, "os" | "env" | "self">,
  driverId: string,
  name: string,
): string {
  return `${stateDir(condition, ctx)}/pending-${driverId}-${name}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A lock through a file system: an exclusive `flock` on `path` (created 0600 if
 * missing, its directory 0755) taken with {@link FileSystem.tryLock}, polled every
 * 25–75 ms until `timeoutMs` has passed. `createContext()` gives the context's
 * file system, so tests lock in a `MemoryFs`.
 */
export function fsLocker(fs: FileSystem): Locker {
  return async (path, { timeoutMs }) => {
    const cannot = (e: unknown) =>
      new OperationError(
        `Cannot take the lock ${path}: ${(e as Error).message}`,
        { hint: "check that the directory exists and is yours" },
      );
    try {
      await fs.mkdirp(dirname(path), { mode: 0o755 });
    } catch (e) {
      throw cannot(e);
    }
    const end = Date.now() + timeoutMs;
    for (;;) {
      let lock: FileLock | null;
      try {
        lock = await fs.tryLock(path);
      } catch (e) {
        throw cannot(e);
      }
      if (lock !== null) {
        const held = lock;
        return {
          path,
          release() {
            held.release();
            return Promise.resolve();
          },
        };
      }
      if (Date.now() >= end) {
        throw new BusyError(
          `Another autostart is changing services (lock ${path} held for more than ${
            Math.round(timeoutMs / 1000)
          }s)`,
          "wait for it to finish and retry; set AUTOSTART_LOCK_TIMEOUT (e.g. 2m) to wait longer",
        );
      }
      await sleep(25 + Math.random() * 50);
    }
  };
}

/** The real lock: {@link fsLocker} on the real file system. */
export const fileLocker: Locker = fsLocker(denoFs);

/**
 * An in-process lock table with the same behaviour as {@link fileLocker}, for tests.
 *
 * @example Usage
 * ```ts
 * import { memoryLocker } from "./lock.ts";
 * const lock = memoryLocker();
 * const a = await lock("/l", { timeoutMs: 10 });
 * await lock("/l", { timeoutMs: 10 }).catch((e) => console.assert(e.name === "BusyError"));
 * await a.release();
 * ```
 */
export function memoryLocker(): Locker & { held: Set<string> } {
  const held = new Set<string>();
  const locker = async (path: string, { timeoutMs }: { timeoutMs: number }) => {
    const end = Date.now() + timeoutMs;
    while (held.has(path)) {
      if (Date.now() >= end) {
        throw new BusyError(`Another autostart is changing services (${path})`);
      }
      await sleep(5);
    }
    held.add(path);
    let mine = true;
    return {
      path,
      release() {
        if (mine) held.delete(path);
        mine = false;
        return Promise.resolve();
      },
    };
  };
  return Object.assign(locker, { held });
}

/** Parses `AUTOSTART_LOCK_TIMEOUT` (`30s`, `2m`, `500ms`, or seconds; see `core/duration.ts`), else the default. */
export function lockTimeoutMs(env: Record<string, string>): number {
  const v = env.AUTOSTART_LOCK_TIMEOUT;
  if (v === undefined) return DEFAULT_LOCK_TIMEOUT_MS;
  try {
    return parseDuration(v);
  } catch {
    return DEFAULT_LOCK_TIMEOUT_MS;
  }
}

/**
 * Runs `fn` holding the lock of `condition`'s scope. Without a locker in the context
 * (hand-built test contexts), runs `fn` unlocked.
 */
export async function withLock<T>(
  ctx: Pick<PlanContext, "os" | "env" | "self"> & { lock?: Locker },
  condition: Condition,
  fn: () => Promise<T>,
): Promise<T> {
  if (!ctx.lock) return await fn();
  const held = await ctx.lock(lockPath(condition, ctx), {
    timeoutMs: lockTimeoutMs(ctx.env),
  });
  try {
    return await fn();
  } finally {
    await held.release();
  }
}
