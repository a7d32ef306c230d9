/**
 * Feedback while a Lima VM boots: the host agent writes one JSON event per line to
 * `INSTANCE/ha.stdout.log` (`{"time": ..., "status": {"running": true, ...}}`);
 * {@link waitForBoot} reads the events written after a given offset until one says the
 * VM is running, the service gives up, or a bounded time has passed.
 *
 * @module
 */

/** What one host-agent event says. */
export interface HaStatus {
  /** The VM is up and reachable. */
  running: boolean;
  /** The host agent is shutting down. */
  exiting: boolean;
  /** Errors it reported. */
  errors: string[];
}

/** Parses the JSON lines of `ha.stdout.log`; lines that are not events are skipped. */
export function parseHaEvents(text: string): HaStatus[] {
  const out: HaStatus[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    try {
      const ev = JSON.parse(line) as { status?: Record<string, unknown> };
      const s = ev.status;
      if (typeof s !== "object" || s === null) continue;
      out.push({
        running: s.running === true,
        exiting: s.exiting === true,
        errors: Array.isArray(s.errors) ? s.errors.map(String) : [],
      });
    } catch {
      // a partly written line: read again next time
    }
  }
  return out;
}

/** How a wait ended. */
export interface WaitResult {
  /** `running`, `failed` (the host agent or the service gave up) or `timeout`. */
  outcome: "running" | "failed" | "timeout";
  /** What was seen, for the message. */
  detail: string;
  /** Milliseconds waited. */
  waitedMs: number;
}

/** Options of {@link waitForBoot}. */
export interface WaitOptions {
  /** Reads `ha.stdout.log` (`null` while it does not exist). */
  read(): Promise<string | null>;
  /** Asks the init system; returns why to stop waiting, or `null` to go on. */
  check(): Promise<string | null>;
  /** Length of the log before the service was started: older events are ignored. */
  offset: number;
  /**
   * The log's text before the service was started. A log that no longer begins with it
   * was recreated (each `limactl start` removes and recreates `ha.stdout.log`) and is
   * read from its start, even when it is not shorter than before.
   */
  before?: string;
  /**
   * A host agent runs now and is being replaced (the service restarts): its shutdown
   * writes `exiting` to the old log, which says nothing about the new one, so events
   * count only once the log has been recreated.
   */
  restarting?: boolean;
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between reads (default 500 ms). */
  intervalMs?: number;
  /** Ask {@link WaitOptions.check} every this many reads (default 4). */
  checkEvery?: number;
  /** Sleeps (tests pass a fake clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Current time in ms. */
  now?: () => number;
}

/**
 * Waits until the host agent reports the VM running.
 *
 * @example Usage
 * ```ts
 * import { waitForBoot } from "./lima_wait.ts";
 * const r = await waitForBoot({
 *   read: () => Promise.resolve('{"status":{"running":true}}\n'),
 *   check: () => Promise.resolve(null),
 *   offset: 0,
 *   timeoutMs: 1000,
 * });
 * console.assert(r.outcome === "running");
 * ```
 */
export async function waitForBoot(o: WaitOptions): Promise<WaitResult> {
  const sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const every = o.checkEvery ?? 4;
  const t0 = now();
  let offset = o.offset;
  let fresh = o.restarting !== true;
  for (let i = 0;; i++) {
    const text = (await o.read()) ?? "";
    // A host agent that starts afresh recreates its log.
    if (
      offset > 0 && (text.length < offset ||
        (o.before !== undefined && !text.startsWith(o.before)))
    ) {
      offset = 0;
      fresh = true;
    }
    for (const ev of fresh ? parseHaEvents(text.slice(offset)) : []) {
      if (ev.running) {
        return { outcome: "running", detail: "", waitedMs: now() - t0 };
      }
      // Like `limactl start`: errors alone are reported, only exiting ends the wait.
      if (ev.exiting) {
        return {
          outcome: "failed",
          detail: ev.errors.join("; ") ||
            "the host agent is exiting",
          waitedMs: now() - t0,
        };
      }
    }
    if (i % every === every - 1) {
      const why = await o.check();
      if (why !== null) {
        return { outcome: "failed", detail: why, waitedMs: now() - t0 };
      }
    }
    if (now() - t0 >= o.timeoutMs) {
      return {
        outcome: "timeout",
        detail: "no event said the VM is running",
        waitedMs: now() - t0,
      };
    }
    await sleep(o.intervalMs ?? 500);
  }
}
