/**
 * Runs one {@link RunStep} of a plan with its conditions: `when` (a probe decides
 * whether it runs at all), `until` (poll until it answers a wanted code, bounded) and
 * `retry` (run again with back-off while it answers a transient code). `apply()` calls
 * it for every run step; the sleeps go through the injected `sleep`, so tests run on a
 * virtual clock.
 *
 * @module
 */

import type { RunStep } from "./plan.ts";
import type { CommandResult, Runner } from "./runner.ts";

/** Sleeps for `ms` milliseconds (real time by default; tests pass a virtual clock). */
export type Sleep = (ms: number) => Promise<void>;

/** The code of a step whose `until` ran out of time (as timeout(1) exits). */
export const UNTIL_TIMEOUT = 124;

/** The real sleep. */
export const realSleep: Sleep = (ms) =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a step; `null` when its `when` probe said to skip it. When `until` runs out of
 * time the result has code {@link UNTIL_TIMEOUT} and says on stderr what the command
 * kept answering; when `retry` runs out, the last result is returned with a line on
 * stderr saying how often it was tried.
 *
 * @example Usage
 * ```ts
 * import { runStep } from "./run_step.ts";
 * import { FakeRunner } from "./fake.ts";
 * const r = await runStep(
 *   { kind: "run", argv: ["true"], title: "demo", retry: { codes: [5], delaysMs: [10] } },
 *   new FakeRunner(),
 *   () => Promise.resolve(),
 * );
 * console.assert(r?.code === 0);
 * ```
 */
export async function runStep(
  step: RunStep,
  runner: Runner,
  sleep: Sleep = realSleep,
): Promise<CommandResult | null> {
  const opts = step.env ? { env: step.env } : {};
  if (step.when) {
    const probe = await runner.run(step.when.argv, opts);
    if (!step.when.codes.includes(probe.code)) return null;
  }
  let r = await runner.run(step.argv, opts);
  if (step.until) {
    const { codes, intervalMs, pending, longerFrom } = step.until;
    let timeoutMs = step.until.timeoutMs;
    if (longerFrom) {
      const n = Number(new RegExp(longerFrom.pattern, "m").exec(r.stdout)?.[1]);
      if (Number.isFinite(n) && n > 0) {
        timeoutMs = Math.max(
          timeoutMs,
          n * longerFrom.unitMs + longerFrom.marginMs,
        );
      }
    }
    const waiting = (code: number) =>
      !codes.includes(code) &&
      (pending === undefined || pending.includes(code));
    let waited = 0;
    while (waiting(r.code) && waited < timeoutMs) {
      const ms = Math.min(intervalMs, timeoutMs - waited);
      await sleep(ms);
      waited += ms;
      r = await runner.run(step.argv, opts);
    }
    if (codes.includes(r.code)) return { ...r, code: 0 };
    if (!waiting(r.code)) return r;
    return {
      code: UNTIL_TIMEOUT,
      stdout: "",
      stderr: `timed out: it still exited with code ${r.code} after ${
        Math.round(waited / 1000)
      }s of asking every ${intervalMs} ms (waited for ${codes.join(" or ")})`,
    };
  }
  if (step.retry) {
    let waited = 0, tries = 1;
    for (const ms of step.retry.delaysMs) {
      if (!step.retry.codes.includes(r.code)) break;
      await sleep(ms);
      waited += ms;
      tries++;
      r = await runner.run(step.argv, opts);
    }
    if (tries > 1 && r.code !== 0) {
      return {
        ...r,
        stderr: `${r.stderr.trimEnd()}\n(tried ${tries} times over ${
          (waited / 1000).toFixed(1)
        }s)`,
      };
    }
  }
  return r;
}
