/**
 * `autostart logs NAME [-f] [-n N] [--since TIME] [--all] [--condition=login|boot]`
 *
 * @module
 */

import { UnsupportedError, UsageError } from "../../core/errors.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { locate, targetOf } from "../locate.ts";

/** Options of `logs`. */
export const LOGS_OPTIONS = optionsOf("logs");

/** Lines shown when `-n` is not given. */
export const DEFAULT_LOG_LINES = 100;

/** `10m` / `2h` / `1d` / `30s` as journalctl's relative time; anything else unchanged. */
export function sinceArg(value: string): string {
  const m = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  if (!m) return value;
  const unit =
    { s: "s", m: "min", h: "h", d: "d" }[m[2] as "s" | "m" | "h" | "d"];
  return `-${m[1]}${unit}`;
}

/**
 * Where a follow is stopped: aborted on SIGINT (Ctrl-C) and SIGTERM, so the command
 * ends quietly with exit 0. Tests pass their own signal.
 */
function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const stop = () => ac.abort();
  const sigs: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const added: Deno.Signal[] = [];
  for (const s of sigs) {
    try {
      Deno.addSignalListener(s, stop);
      added.push(s);
    } catch {
      // not supported here (Windows: SIGTERM)
    }
  }
  return {
    signal: ac.signal,
    dispose: () => added.forEach((s) => Deno.removeSignalListener(s, stop)),
  };
}

/** Runs `logs`. */
export async function logsCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, LOGS_OPTIONS, "logs");
  const { name, condition } = targetOf(
    a,
    "autostart logs NAME [-f] [-n LINES] [--since TIME]",
  );
  const linesText = a.values.lines as string | undefined;
  const lines = linesText === undefined ? DEFAULT_LOG_LINES : Number(linesText);
  if (!Number.isInteger(lines) || lines < 0) {
    throw new UsageError(
      `Invalid -n ${JSON.stringify(linesText)}: give a whole number of lines`,
      "e.g. autostart logs web -n 50",
    );
  }
  const since = a.values.since as string | undefined;
  const follow = a.values.follow === true;
  const ctx = await app.context();
  const { driver, status } = await locate(app, name, condition);
  if (!driver.logs) {
    throw new UnsupportedError(
      `The ${driver.id} driver cannot show logs`,
      `see its own tools for the output of "${name}" (${status.unit})`,
    );
  }
  const stop = follow ? interruptSignal() : undefined;
  try {
    for await (
      const line of driver.logs({ name, condition: status.condition }, {
        lines,
        follow,
        ...(a.values.all === true ? { all: true } : {}),
        ...(since !== undefined ? { since: sinceArg(since) } : {}),
        ...(stop ? { signal: stop.signal } : {}),
      }, ctx)
    ) {
      app.io.out(line + "\n");
    }
  } catch (e) {
    // The reader went away (`autostart logs web | head`): that is the end, not a failure.
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
  } finally {
    stop?.dispose();
  }
  return 0;
}
