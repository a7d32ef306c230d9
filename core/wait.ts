/**
 * Waiting after a start: poll the service's real state until it has been running for a
 * moment (the same process), or has failed, or the time is up. A program that dies at
 * start is caught even when keep-alive restarts it: a failed last exit, a restart
 * counted during the wait, or the states `failed` / `crash-looping` end the wait.
 *
 * @module
 */

import type { ServiceStatus } from "./driver.ts";

/** How a wait ended. */
export type WaitOutcome =
  /** Running, and still the same process after the settle time. */
  | "running"
  /** Ran and exited cleanly (a program that does its work and ends). */
  | "exited"
  /** Failed, crash-looping, or died and is being restarted. */
  | "failed"
  /** Still starting (or not yet loaded) when the time was up. */
  | "timeout"
  /** Replaced during the wait by another run (its file is no longer this run's). */
  | "replaced";

/** What {@link waitForService} found. */
export interface WaitResult {
  /** How it ended. */
  outcome: WaitOutcome;
  /** The last status read (`null` when the service was not found at all). */
  status: ServiceStatus | null;
  /** Milliseconds waited. */
  waitedMs: number;
}

/** Options of {@link waitForService}. */
export interface WaitOptions {
  /** Longest wait in milliseconds (default 5000). */
  timeoutMs?: number;
  /** How long it must stay up, same process, to count as running (default 1000). */
  settleMs?: number;
  /** Milliseconds between two reads (default 250). */
  pollMs?: number;
  /** The clock (tests inject one). */
  now?: () => number;
  /** Sleeps (tests inject one that advances their clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Called after every read, e.g. to turn a spinner. */
  onPoll?: (status: ServiceStatus | null) => void;
  /**
   * Main PID of the run this start replaced (a restart of a running service): that
   * process's end, which the init system reports until the new run begins, is not a
   * failure of the new run.
   */
  priorPid?: number | null;
  /**
   * This start stopped an earlier run (a re-enable or restart of a service that may
   * have been up, even one caught starting): until a run of its own is seen, an end by
   * SIGTERM or SIGKILL is the stop of that earlier run, not a failure of the new one.
   */
  replacesRun?: boolean;
}

/** Default longest wait after a start, in milliseconds. */
export const DEFAULT_WAIT_MS = 5000;

/** A last exit that means failure ("exit 1", "signal KILL"; not "exit 0"). */
export function failedExit(lastExit: string | null): boolean {
  return lastExit !== null && lastExit !== "exit 0";
}

/**
 * Whether `s` still shows the run a restart replaced: with `stoppedEarlier` (this
 * start stopped an earlier run and has not seen its own yet), an end by SIGTERM or
 * SIGKILL while starting or stopped; with `priorPid`, that run still up or stopping,
 * or its end (systemd's `ExecMainPID`), which the init system reports until the new
 * run begins. Such an end is not a failure of the new run.
 */
function notStartedYet(
  s: ServiceStatus,
  priorPid?: number | null,
  stoppedEarlier = false,
): boolean {
  if (
    stoppedEarlier && (s.state === "starting" || s.state === "stopped") &&
    (s.lastExit === "signal TERM" || s.lastExit === "signal KILL")
  ) return true;
  if (priorPid == null || priorPid <= 0) return false;
  if (s.state === "running") return s.pid === priorPid;
  if (s.lastExit !== null) return s.exitedPid === priorPid;
  return s.state === "stopped";
}

/**
 * Polls `read` until the service is running and stayed up for `settleMs`, has exited
 * cleanly, has failed, or `timeoutMs` is over.
 *
 * @example Usage
 * ```ts ignore
 * const r = await waitForService(() => driver.status("login", ctx, ["web"]).then((l) => l[0] ?? null));
 * if (r.outcome === "failed") console.error(r.status?.lastExit);
 * ```
 */
export async function waitForService(
  read: () => Promise<ServiceStatus | null>,
  options: WaitOptions = {},
): Promise<WaitResult> {
  const {
    timeoutMs = DEFAULT_WAIT_MS,
    settleMs = 1000,
    pollMs = 250,
    now = Date.now,
    sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
    onPoll,
    priorPid,
    replacesRun = false,
  } = options;
  // Until a run of its own is seen running, an end by SIGTERM/SIGKILL is the stop of
  // the run this start replaced.
  let seenOwnRun = false;
  const start = now();
  let firstRestarts: number | undefined;
  let upPid: number | null | undefined;
  let upSince = 0;
  let last: ServiceStatus | null = null;
  const done = (outcome: WaitOutcome): WaitResult => ({
    outcome,
    status: last,
    waitedMs: now() - start,
  });
  while (true) {
    const s = await read();
    last = s;
    onPoll?.(s);
    const t = now();
    if (
      s !== null && notStartedYet(s, priorPid, replacesRun && !seenOwnRun)
    ) {
      // The replaced run is still stopping, or has ended and the new one has not
      // begun (under load, for a while): nothing is known about the new run yet.
    } else if (s !== null) {
      firstRestarts ??= s.restarts ?? 0;
      if (s.state === "failed" || s.state === "crash-looping") {
        return done("failed");
      }
      // Restarted during the wait, or waiting to be: how did the run end? A clean exit
      // restarted by keep-alive=always is a program that does its work and ends.
      const restarted = (s.restarts ?? 0) > firstRestarts;
      if (restarted || (s.state === "starting" && s.lastExit !== null)) {
        return done(s.lastExit === "exit 0" ? "exited" : "failed");
      }
      if (s.state === "stopped") {
        return done(failedExit(s.lastExit) ? "failed" : "exited");
      }
      if (s.state === "running") {
        seenOwnRun = true;
        if (upPid === undefined || s.pid !== upPid) {
          upPid = s.pid;
          upSince = t;
        }
        if (t - upSince >= settleMs) return done("running");
      } else upPid = undefined;
    }
    if (t - start >= timeoutMs) {
      // Up, but for less than the settle time: it did start.
      return done(
        last?.state === "running" && !notStartedYet(last, priorPid)
          ? "running"
          : "timeout",
      );
    }
    await sleep(Math.min(pollMs, Math.max(1, timeoutMs - (t - start))));
  }
}
