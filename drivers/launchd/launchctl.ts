/**
 * `launchctl` steps of a plan, and launchd's asynchrony. launchd is asynchronous:
 * `bootout` returns before the job has exited (launchd sends SIGTERM, then SIGKILL after
 * the job's `ExitTimeOut`), and a `bootstrap` of the same label meanwhile fails with 5
 * (or 37). So every `bootout` is followed by asking `print TARGET` until it answers 113
 * (bounded, longer than the exit timeout), and `bootstrap` is retried with back-off on
 * 5/37 (Homebrew's services repeat `bootout` while it answers 36 or the job is still
 * loaded, for the same reason).
 *
 * @module
 */

import type { RunStep } from "../../core/plan.ts";

/** `bootout` exit codes that mean "it was not loaded" (3: No such process; 113: Could
 * not find specified service) or "already being unloaded" (36: Operation now in
 * progress). */
export const BOOTOUT_OK = [3, 36, 113] as const;

/** `bootstrap` exit codes that are retried: 5 (Input/output error) and 37 (Operation
 * already in progress) are what launchd answers while it still removes the previous
 * job of the label. */
export const BOOTSTRAP_BUSY = [5, 37] as const;

/** Pauses between the tries of a busy `bootstrap` (about 8 s in all). */
export const BOOTSTRAP_BACKOFF_MS = [250, 500, 1000, 2000, 4000] as const;

/** launchd's exit timeout when the plist sets no `ExitTimeOut` (`exit timeout = 5` in
 * `launchctl print`). */
export const DEFAULT_EXIT_TIMEOUT_MS = 5000;

/** The exit timeout assumed when it is not known (disable, stop, the job a re-enable
 * replaces): long enough for a Lima VM to shut down (about 190 s), the longest
 * autostart sets by itself. */
export const UNKNOWN_EXIT_TIMEOUT_MS = 190_000;

/** How much longer than the exit timeout to wait for launchd to let a job go. */
export const GONE_MARGIN_MS = 15_000;

/** How often to ask `print TARGET` whether a booted-out job is gone. */
export const GONE_POLL_MS = 250;

/** A `launchctl ARGS...` run step. */
export function launchctl(
  args: string[],
  title: string,
  extra: Partial<RunStep> = {},
): RunStep {
  return { kind: "run", argv: ["launchctl", ...args], title, ...extra };
}

/**
 * `bootout TARGET`, then `print TARGET` until it answers 113: launchd has let the job go
 * (it sends SIGTERM, and SIGKILL after the exit timeout, then forgets the job).
 */
export function bootoutAndWait(
  target: string,
  exitTimeoutMs: number,
  title: string,
  extra: Partial<RunStep> = {},
): RunStep[] {
  return [
    launchctl(["bootout", target], title, {
      okCodes: [...BOOTOUT_OK],
      ...extra,
    }),
    launchctl(
      ["print", target],
      "wait until launchd has let the job go",
      {
        until: {
          codes: [113],
          pending: [0],
          timeoutMs: exitTimeoutMs + GONE_MARGIN_MS,
          intervalMs: GONE_POLL_MS,
          // The job's own exit timeout, as launchd has it, when it is longer (a
          // --stop-timeout above 190 s).
          longerFrom: {
            pattern: "^\\s*exit timeout = (\\d+)\\s*$",
            unitMs: 1000,
            marginMs: GONE_MARGIN_MS,
            what: `the job's exit timeout (launchctl print) + ${
              GONE_MARGIN_MS / 1000
            }s`,
          },
        },
        ...(extra.ignoreFailure ? { ignoreFailure: true } : {}),
      },
    ),
  ];
}

/** `bootstrap DOMAIN PLIST`, retried while launchd answers 5/37. */
export function bootstrap(
  domain: string,
  path: string,
  title: string,
  extra: Partial<RunStep> = {},
): RunStep {
  return launchctl(["bootstrap", domain, path], title, {
    retry: { codes: [...BOOTSTRAP_BUSY], delaysMs: [...BOOTSTRAP_BACKOFF_MS] },
    ...extra,
  });
}
