/**
 * What `enable`, `start` and `restart` do after starting a service: wait (bounded) until
 * it is running or has failed, with a spinner on a terminal, and on failure say how it
 * ended, show the last lines of its log and exit 1. A service that fails to start stays
 * installed: that is what was asked for, and `status` and `logs` explain it.
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type { Driver, ServiceRef, ServiceStatus } from "../core/driver.ts";
import { OperationError } from "../core/errors.ts";
import { parseDuration } from "../core/duration.ts";
import {
  DEFAULT_WAIT_MS,
  waitForService,
  type WaitOptions,
  type WaitResult,
} from "../core/wait.ts";
import type { App } from "./app.ts";

/** Pause before reading the log of a failed start, so its last lines are in. */
export const LOG_CATCH_UP_MS = 500;

/**
 * Longest extra wait for the log of a failed start to stop changing and to hold a
 * line of the program's own (under load the journal stores it late).
 */
export const LOG_SETTLE_MS = 6000;

/** How many log lines a failed start shows. */
export const FAILURE_LOG_LINES = 10;

/**
 * The wait asked for: milliseconds, or `null` for `--no-wait`.
 * @param value The parsed `wait` option (`undefined`, `true`, `false` or a duration).
 */
export function waitMsOf(value: unknown): number | null {
  if (value === false) return null;
  if (value === undefined || value === true) return DEFAULT_WAIT_MS;
  return parseDuration(String(value), { what: "--wait" });
}

/** A spinner on standard error, only when it is a terminal. */
export function spinner(
  app: App,
  text: string,
): { tick(): void; stop(): void } {
  if (!app.io.interactiveErr) return { tick() {}, stop() {} };
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let i = 0;
  return {
    tick() {
      app.io.err(`\r${frames[i++ % frames.length]} ${text}`);
    },
    stop() {
      if (i > 0) app.io.err("\r\x1b[K");
    },
  };
}

/** Words for how a failed start ended. */
export function failureWords(s: ServiceStatus | null): string {
  if (s === null) return "it is no longer known to the init system";
  const how = s.lastExit ? `its last run ended with ${s.lastExit}` : "";
  switch (s.state) {
    case "crash-looping":
      return `it is crash-looping (${s.restarts ?? "?"} restarts)${
        how ? `; ${how}` : ""
      }`;
    case "failed":
      return `it failed${how ? `: ${how}` : ""}`;
    default:
      return how ? `it exited: ${how}, and is being restarted` : s.detail;
  }
}

/** The last lines of a service's log, or a note saying why there are none. */
export async function lastLogLines(
  driver: Driver,
  ref: ServiceRef,
  ctx: Context,
  lines = FAILURE_LOG_LINES,
): Promise<string[]> {
  if (!driver.logs) return [];
  const out: string[] = [];
  try {
    // With the init system's notes: why it died is part of what a failed start shows.
    const options = { lines, follow: false, all: true };
    for await (const l of driver.logs(ref, options, ctx)) {
      out.push(l);
    }
  } catch (e) {
    return [`(its log could not be read: ${(e as Error).message})`];
  }
  return out;
}

/**
 * Waits after a start, and throws an {@link OperationError} (exit 1) with the last log
 * lines when the service failed. Returns the wait's result (`null`: no wait asked).
 */
export async function waitAfterStart(
  app: App,
  driver: Driver,
  ref: ServiceRef,
  ctx: Context,
  waitMs: number | null,
  options: Pick<WaitOptions, "now" | "sleep" | "pollMs" | "settleMs"> & {
    /**
     * Whether another run replaced the service during the wait (e.g. a concurrent
     * `enable` of the same name restarted it with other arguments): then the end of
     * this run's process is not a failure.
     */
    replaced?: () => Promise<boolean>;
    /** Main PID of the run this start replaced (see {@link WaitOptions.priorPid}). */
    priorPid?: number | null;
    /** This start stopped an earlier run (see {@link WaitOptions.replacesRun}). */
    replacesRun?: boolean;
  } = {},
): Promise<WaitResult | null> {
  if (waitMs === null) return null;
  const spin = spinner(app, `waiting for "${ref.name}" to start...`);
  let result: WaitResult;
  try {
    result = await waitForService(
      async () =>
        (await driver.status(ref.condition, ctx, [ref.name]))[0] ?? null,
      {
        ...(app.clock ? { now: app.clock.now, sleep: app.clock.sleep } : {}),
        ...options,
        timeoutMs: waitMs,
        onPoll: () => spin.tick(),
      },
    );
  } finally {
    spin.stop();
  }
  if (result.outcome !== "failed") return result;
  if (await options.replaced?.()) return { ...result, outcome: "replaced" };
  // The journal may get the program's last words after systemd's note that it died
  // (its output is a stream, read later under load): read until the log stops moving.
  const sleep = options.sleep ?? app.clock?.sleep ??
    ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  await sleep(LOG_CATCH_UP_MS);
  let logs = await lastLogLines(driver, ref, ctx);
  const heard = () => !driver.programLine || logs.some(driver.programLine);
  for (
    let waited = 0, same = 0;
    (same < 4 || !heard()) && waited < LOG_SETTLE_MS;
  ) {
    await sleep(250);
    waited += 250;
    const again = await lastLogLines(driver, ref, ctx);
    same = again.join("\n") === logs.join("\n") ? same + 1 : 0;
    logs = again;
  }
  const cond = ref.condition === "boot" ? " --condition=boot" : "";
  const sudo = ref.condition === "boot" ? "sudo " : "";
  throw new OperationError(
    `"${ref.name}" did not start: ${failureWords(result.status)}${
      logs.length
        ? `\nLast lines of its log:\n${logs.map((l) => `  ${l}`).join("\n")}`
        : ""
    }`,
    {
      hint:
        `it stays installed; fix the command and run enable again, see more with: autostart logs ${ref.name}${cond}, or remove it with: ${sudo}autostart disable ${ref.name}${cond}`,
    },
  );
}
