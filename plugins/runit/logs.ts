/**
 * `autostart logs` of a runit service: svlogd's `current` file in the directory the
 * service's `log/run` names, tailed with core/log_tail.ts (the last lines, then with
 * `follow` what is appended, across svlogd's rotations, until `options.signal` aborts).
 * `--since` keeps the lines from that time on, read from svlogd's timestamps
 * (`svlogd -tt`: `YYYY-MM-DD_HH:MM:SS.xxxxx`, UTC; svlogd(8)).
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { LogOptions, ServiceRef } from "../../core/driver.ts";
import { UsageError } from "../../core/errors.ts";
import { tailFiles } from "../../core/log_tail.ts";
import { runitLogDirOf } from "../../templates/runit_scripts.ts";
import { runitPaths } from "./paths.ts";

const UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The time a `--since` value names, or `null` when it is not one this driver reads:
 * what the CLI passes (journalctl's relative `-10min`, `-2h`, `-1d`, `-30s`; also
 * `10 min ago`), `now`, `today`, `yesterday` (local midnight), and a local
 * `YYYY-MM-DD[ HH:MM[:SS]]` (or with `T`), as journalctl reads them.
 *
 * @example Usage
 * ```ts
 * import { sinceTime } from "./logs.ts";
 * const now = new Date("2026-12-01T12:00:00Z");
 * console.assert(sinceTime("-10min", now)?.toISOString() === "2026-12-01T11:50:00.000Z");
 * ```
 */
export function sinceTime(value: string, now: Date): Date | null {
  const v = value.trim();
  const rel = /^-(\d+)\s*(s|sec|m|min|h|d)$/.exec(v) ??
    /^(\d+)\s*(s|sec|m|min|h|d)\s+ago$/.exec(v);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!);
  if (v === "now") return now;
  if (v === "today" || v === "yesterday") {
    const d = new Date(now);
    d.setHours(0, 0, 0, 0);
    if (v === "yesterday") d.setDate(d.getDate() - 1);
    return d;
  }
  const abs = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?$/.exec(
    v,
  );
  if (!abs) return null;
  const [, y, mo, d, h, mi, s] = abs.map((x) => Number(x ?? 0));
  const t = new Date(y!, mo! - 1, d!, h, mi, s);
  // No rolling over: 2026-02-30 is not March 2nd.
  return t.getMonth() === mo! - 1 && t.getDate() === d && h! < 24 &&
      mi! < 60 && s! < 60
    ? t
    : null;
}

/**
 * The time of a line svlogd -tt wrote (`2026-12-01_10:00:00.12345 text`), or `null`
 * for a line without one.
 */
export function svlogdTime(line: string): number | null {
  const m = /^(\d{4}-\d\d-\d\d)_(\d\d:\d\d:\d\d)(\.\d{1,3})?\d*\s/.exec(line);
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ""}Z`);
  return Number.isNaN(t) ? null : t;
}

/**
 * The program's output: the last `options.lines` lines of svlogd's `current` (with
 * `--since`, those written from that time on: lines are in time order, so these are
 * the last lines since then, as journalctl gives them), then with `follow` every line
 * appended, until `options.signal` aborts.
 */
export async function* runitLogs(
  ref: ServiceRef,
  options: LogOptions,
  ctx: Context,
): AsyncGenerator<string> {
  const p = runitPaths(ref, ctx);
  const dir = runitLogDirOf((await ctx.fs.readText(p.logRun)) ?? "");
  if (dir === null) {
    throw new UsageError(
      `"${ref.name}" has no runit log service (no ${p.logRun})`,
    );
  }
  let from: number | null = null;
  if (options.since !== undefined) {
    const t = sinceTime(options.since, new Date());
    if (t === null) {
      throw new UsageError(
        `Invalid --since "${options.since}" for "${ref.name}": the runit driver reads relative times and dates`,
        'use e.g. --since 10m, 2h, 1d, today, or "2026-12-01 10:00"',
      );
    }
    from = t.getTime();
  }
  for await (
    const line of tailFiles([`${dir}/current`], {
      lines: options.lines,
      follow: options.follow,
      fs: ctx.fs,
      ...(options.signal ? { signal: options.signal } : {}),
    })
  ) {
    if (from !== null) {
      const t = svlogdTime(line);
      // Lines come in time order: from the first one at or after the time, all pass.
      if (t === null || t < from) continue;
      from = null;
    }
    yield line;
  }
}
