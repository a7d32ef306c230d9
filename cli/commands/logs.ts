/**
 * `autostart logs NAME [-f] [-n N] [--since TIME] [--all] [--condition=login|boot]`
 *
 * @module
 */

import { UnsupportedError, UsageError } from "../../core/errors.ts";
import type { Driver, ServiceRef } from "../../core/driver.ts";
import type { App } from "../app.ts";
import { parseArgs, type ParsedArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { locate, targetOf } from "../locate.ts";

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

/** What `-n`, `--since`, `-f` and `--all` ask of a log. */
export interface LogsRequest {
  /** Number of recent lines. */
  lines: number;
  /** Keep streaming new lines. */
  follow: boolean;
  /** Only lines since this time (journalctl's words). */
  since?: string;
  /** The init system's notes too. */
  all: boolean;
}

/**
 * The log options of parsed arguments (`-n`, `--since`, `-f`, `--all`); exit 2 for a
 * bad `-n`.
 * @param example A command line to show in the hint, e.g. "autostart logs web -n 50".
 */
export function logsRequestOf(a: ParsedArgs, example: string): LogsRequest {
  const linesText = a.values.lines as string | undefined;
  const lines = linesText === undefined ? DEFAULT_LOG_LINES : Number(linesText);
  if (!Number.isInteger(lines) || lines < 0) {
    throw new UsageError(
      `Invalid -n ${JSON.stringify(linesText)}: give a whole number of lines`,
      `e.g. ${example}`,
    );
  }
  const since = a.values.since as string | undefined;
  return {
    lines,
    follow: a.values.follow === true,
    ...(since !== undefined ? { since: sinceArg(since) } : {}),
    all: a.values.all === true,
  };
}

/**
 * Prints the log of the service `ref` names (its identity, when it has one, is the
 * unit or label its driver reads) until the last lines are out, or with `follow`
 * until Ctrl-C. `unit` is its unit or label as its status gives it, named in the
 * hint when the driver cannot show logs.
 */
export async function printLogs(
  app: App,
  driver: Driver,
  ref: ServiceRef,
  unit: string,
  req: LogsRequest,
): Promise<number> {
  if (!driver.logs) {
    throw new UnsupportedError(
      `The ${driver.id} driver cannot show logs`,
      `see its own tools for the output of "${ref.name}" (${unit})`,
    );
  }
  const ctx = await app.context();
  const stop = req.follow ? interruptSignal() : undefined;
  try {
    for await (
      const line of driver.logs(ref, {
        lines: req.lines,
        follow: req.follow,
        ...(req.all ? { all: true } : {}),
        ...(req.since !== undefined ? { since: req.since } : {}),
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

/** Runs `logs`. */
export async function logsCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, optionsOf("logs"), "logs");
  const { name, condition } = targetOf(
    a,
    "autostart logs NAME [-f] [-n LINES] [--since TIME]",
  );
  const req = logsRequestOf(a, "autostart logs web -n 50");
  const { driver, status } = await locate(app, name, condition);
  return await printLogs(
    app,
    driver,
    { name, condition: status.condition },
    status.unit,
    req,
  );
}
