/**
 * Crash-loop detection, the same for every driver: a service "keeps dying and being
 * restarted" when the init system counted several restarts in a row and it is either
 * waiting for the next restart or has been up only a few seconds.
 *
 * @module
 */

/** How many restarts in a row make a service "crash-looping". */
export const CRASH_LOOP_RESTARTS = 3;

/** A run younger than this (seconds), after {@link CRASH_LOOP_RESTARTS}, is still looping. */
export const CRASH_LOOP_UP_SEC = 10;

/** What a driver knows about a service when it decides. */
export interface CrashLoopEvidence {
  /** Restarts the init system counted (`null` when it does not count). */
  restarts: number | null;
  /**
   * Seconds the current run has been up; leave out while the service is between two
   * runs (systemd `activating`, launchd `spawn scheduled`).
   */
  upSec?: number;
  /** Whether the last run ended in failure; `false` rules a loop out (default `true`). */
  lastRunFailed?: boolean;
}

/**
 * Whether a service is crash-looping: at least {@link CRASH_LOOP_RESTARTS} restarts,
 * the last run did not end cleanly, and it is between runs or up for less than
 * {@link CRASH_LOOP_UP_SEC} seconds.
 *
 * @param e What the driver read from the init system.
 * @returns `true` for "crash-looping".
 *
 * @example Usage
 * ```ts
 * import { isCrashLooping } from "./crash_loop.ts";
 * console.assert(isCrashLooping({ restarts: 5 }));                 // waiting to restart
 * console.assert(!isCrashLooping({ restarts: 5, upSec: 3600 }));  // stable again
 * console.assert(!isCrashLooping({ restarts: 1 }));
 * ```
 */
export function isCrashLooping(e: CrashLoopEvidence): boolean {
  if ((e.restarts ?? 0) < CRASH_LOOP_RESTARTS) return false;
  if (e.lastRunFailed === false) return false;
  return e.upSec === undefined || e.upSec < CRASH_LOOP_UP_SEC;
}
