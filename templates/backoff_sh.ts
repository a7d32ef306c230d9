/**
 * Crash-loop backoff as a POSIX sh snippet, for init systems that cannot back off by
 * themselves (systemd before 254, runit): the pause before a restart doubles from the
 * restart delay after each restart in a row, up to the cap, and the count starts again
 * once the program has stayed up longer than the cap.
 *
 * The count lives in a small state file of the service's own (`N SECONDS` of the last
 * start or exit); anything else in it counts as no crash loop.
 *
 * @module
 */

/**
 * Shortest run (seconds) after which the count starts again, whatever the cap: a
 * program that keeps dying within seconds is still in a crash loop.
 */
export const BACKOFF_RESET_MIN_SEC = 10;

/** Whether a spec asks for a backoff: it restarts, and its cap is above its delay. */
export function wantsBackoff(
  spec: {
    keepAlive: string;
    restartDelayMs: number;
    restartMaxDelayMs?: number;
  },
): boolean {
  return spec.keepAlive !== "false" &&
    spec.restartMaxDelayMs !== undefined &&
    spec.restartMaxDelayMs > spec.restartDelayMs;
}

/**
 * The pauses of the first `n` restarts in a row (ms), as the snippet computes them:
 * the delay, doubled each time, capped. For docs, notes and tests.
 *
 * @example Usage
 * ```ts
 * import { backoffDelays } from "./backoff_sh.ts";
 * console.assert(backoffDelays(2000, 10_000, 4).join() === "2000,4000,8000,10000");
 * ```
 */
export function backoffDelays(
  delayMs: number,
  maxMs: number,
  n: number,
): number[] {
  const out: number[] = [];
  for (let i = 0, d = delayMs; i < n; i++, d = Math.min(d * 2, maxMs)) {
    out.push(Math.min(d, maxMs));
  }
  return out;
}

/** What {@link backoffScript} needs. */
export interface BackoffScript {
  /** Shell expression of the state file (already quoted for sh), e.g. `"$RUNTIME_DIRECTORY/restarts"`. */
  stateFile: string;
  /** The restart delay (ms). */
  delayMs: number;
  /** The cap (ms). */
  maxMs: number;
  /**
   * Milliseconds the init system already waits before each restart by itself
   * (systemd: `RestartSec=`, runit: 1 s); the snippet sleeps only the rest.
   */
  alreadyWaitedMs: number;
  /**
   * The snippet runs at each start, the first one included (systemd `ExecStartPre=`):
   * the first start is not a restart, so the count is one ahead of the restarts.
   * Absent: it runs after each exit (runit `finish`), where the count is the restarts.
   */
  atStart?: boolean;
  /**
   * A SIGTERM during the pause ends it and forgets the count (nothing recorded), then
   * ends the script by that same signal, as it would without the trap. systemd sends
   * one when a stop or restart is asked for while the unit pauses in `ExecStartPre=`,
   * and autostart when a start is asked for (a `-` step killed by a signal does not
   * stop the start): a start by hand is no part of the crash loop. An automatic
   * restart never signals the pause.
   */
  interruptible?: boolean;
}

/**
 * One line of sh that sleeps the backoff pause of this restart, then records it with the
 * time. Run it at each start (systemd `ExecStartPre=`) or after each exit (runit
 * `finish`): `n` is the number of restarts in a row before this one, reset to 0 when
 * the last record (the last start) is older than the cap plus the delay (at least
 * {@link BACKOFF_RESET_MIN_SEC}), that is when the program stayed up longer than the cap. The pause is `delay × 2^n`, capped, less
 * what the init system waits by itself.
 *
 * @example Usage
 * ```ts
 * import { backoffScript } from "./backoff_sh.ts";
 * const sh = backoffScript({ stateFile: '"./restarts"', delayMs: 2000, maxMs: 60_000, alreadyWaitedMs: 2000 });
 * console.assert(sh.includes("sleep"));
 * ```
 */
export function backoffScript(o: BackoffScript): string {
  const reset = Math.max(
    BACKOFF_RESET_MIN_SEC,
    Math.ceil((o.maxMs + o.delayMs) / 1000),
  );
  const ms = (v: string) => `$((${v} / 1000)).$(printf %03d $((${v} % 1000)))`;
  return [
    `f=${o.stateFile}; n=0; t=0; now=$(date +%s)`,
    `if [ -r "$f" ]; then read -r n t < "$f" || :; fi`,
    `case "$n.$t" in *[!0-9.]* | .* | *. | *.*.*) n=0; t=0 ;; esac`,
    `if [ $((now - t)) -gt ${reset} ]; then n=0; fi`,
    `d=${o.delayMs}; i=${o.atStart ? 1 : 0}`,
    `while [ $i -lt $n ] && [ $d -lt ${o.maxMs} ]; do d=$((d * 2)); i=$((i + 1)); done`,
    `if [ $d -gt ${o.maxMs} ]; then d=${o.maxMs}; fi`,
    `w=$((d - ${o.alreadyWaitedMs}))`,
    o.interruptible
      ? `if [ $w -gt 0 ]; then trap 'kill $! 2>/dev/null; rm -f "$f"; trap - TERM; kill -TERM $$' TERM; sleep ${
        ms("w")
      } & wait $!; trap - TERM; fi`
      : `if [ $w -gt 0 ]; then sleep ${ms("w")}; fi`,
    `echo "$((n + 1)) $(date +%s)" > "$f"`,
  ].join("; ");
}
