/**
 * The `doctor` check of log files that grew too big: a service whose log is rotated
 * only at its start (systemd `--log-dir`) or by a daily tool can still fill a disk when
 * it never restarts and talks a lot.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Check } from "./driver.ts";

/** Size from which `doctor` warns about a log file (50 MiB). */
export const LOG_WARN_BYTES = 50 * 1024 * 1024;

/** A log file of a managed service, and how to shrink it. */
export interface LogFile {
  /** Service name. */
  name: string;
  /** Absolute path of the log file. */
  file: string;
  /** What to do about it. */
  fix: string;
}

/** Formats a byte count as `12.3 MiB`. */
export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * One `warn` per log file over `limit` bytes (`id`: `DRIVER.log-size`); nothing for
 * files under it or that cannot be measured.
 *
 * @example Usage
 * ```ts ignore
 * checks.push(...await logSizeChecks("systemd", [{ name: "web", file, fix }], ctx));
 * ```
 */
export async function logSizeChecks(
  driver: string,
  logs: LogFile[],
  ctx: Context,
  limit = LOG_WARN_BYTES,
): Promise<Check[]> {
  const checks: Check[] = [];
  if (!ctx.fs.size) return checks;
  for (const l of logs) {
    const size = await ctx.fs.size(l.file).catch(() => null);
    if (size === null || size <= limit) continue;
    checks.push({
      id: `${driver}.log-size`,
      title: `"${l.name}" log`,
      level: "warn",
      detail: `${l.file} is ${mebibytes(size)} (over ${mebibytes(limit)})`,
      fix: l.fix,
    });
  }
  return checks;
}
