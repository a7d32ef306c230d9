/**
 * Logs of a systemd service: its `--log-dir` file when it has one, else the journal
 * (`journalctl`), by default only the program's own lines.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { LogOptions, ServiceRef } from "../../core/driver.ts";
import { OperationError, UsageError } from "../../core/errors.ts";
import { tailFiles } from "../../core/log_tail.ts";
import { StreamError } from "../../core/runner.ts";
import { unitFileOf, unitOf } from "./paths.ts";

/** The log file of a unit written with `--log-dir` (`StandardOutput=append:FILE`). */
export function logFileOfUnit(text: string): string | null {
  const m = /^StandardOutput=append:(.+)$/m.exec(text);
  return m ? m[1]!.replaceAll("%%", "%") : null;
}

/**
 * `journalctl` arguments for a service's log. By default only the program's own lines:
 * a match on the journal's trusted fields of the writer, `_SYSTEMD_UNIT=` (boot) or
 * `_SYSTEMD_USER_UNIT=` and `_UID=` (login), so `--lines` counts the program's lines
 * and the manager's notes ("Starting...", "Main process exited...", logged by systemd
 * itself about the unit) are left out. With `all`, `--unit=` / `--user-unit=`: the
 * program's lines and the manager's notes.
 * @param uid The invoking user (whose user manager runs login services).
 */
export function journalctlArgs(
  ref: ServiceRef,
  options: Pick<LogOptions, "lines" | "follow" | "since" | "all">,
  uid: number,
): string[] {
  const unit = unitOf(ref);
  const which = options.all
    ? [ref.condition === "boot" ? `--unit=${unit}` : `--user-unit=${unit}`]
    : ref.condition === "boot"
    ? [`_SYSTEMD_UNIT=${unit}`]
    : [`_SYSTEMD_USER_UNIT=${unit}`, `_UID=${uid}`];
  return [
    "journalctl",
    `--lines=${options.lines}`,
    ...(options.since !== undefined ? [`--since=${options.since}`] : []),
    ...(options.follow ? ["--follow"] : []),
    "--no-pager",
    "--quiet",
    "--output=short-iso",
    ...which,
  ];
}

/** A journal line (`--output=short-iso`) written by the service manager itself. */
const MANAGER_LINE = /^\S+ \S+ systemd\[\d+\]: /;

/** Turns a journalctl failure into an error with the next step. */
function journalError(e: StreamError, ref: ServiceRef): OperationError {
  const said = e.stderr.trim();
  const hint = /insufficient permissions|No journal files/i.test(said)
    ? ref.condition === "login"
      ? "the journal keeps no per-user files here: enable persistent storage (sudo mkdir -p /var/log/journal && sudo systemctl restart systemd-journald), or add yourself to the systemd-journal group"
      : "run the same command with sudo, or add yourself to the systemd-journal group"
    : /Failed to parse timestamp|--since/i.test(said)
    ? 'give --since a time journalctl understands, e.g. "10 min ago", "today", "2024-05-01 10:00"'
    : "see `autostart doctor`";
  return new OperationError(
    `Cannot read the log of "${ref.name}": ${
      e.argv.join(" ")
    } exited with code ${e.code}${said ? `: ${said.split("\n").pop()}` : ""}`,
    {
      command: { argv: e.argv, code: e.code, stderr: said, stdout: "" },
      hint,
    },
  );
}

/**
 * The log lines of a service: the tail of its `--log-dir` file when the unit writes
 * one (no `--since`: the file has no timestamps), else `journalctl`'s.
 * @throws {OperationError} when journalctl fails, with the next step.
 */
export async function* systemdLogs(
  ref: ServiceRef,
  options: LogOptions,
  ctx: Context,
): AsyncGenerator<string> {
  const text = await ctx.fs.readText(unitFileOf(ref, ctx)).catch(() => null);
  const logFile = text === null ? null : logFileOfUnit(text);
  if (logFile !== null) {
    if (options.since !== undefined) {
      throw new UsageError(
        `--since cannot be used with "${ref.name}": its output goes to ${logFile}, which has no timestamps`,
        "use -n to choose how many lines to show",
      );
    }
    yield* tailFiles([logFile], {
      lines: options.lines,
      follow: options.follow,
      fs: ctx.fs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return;
  }
  try {
    yield* ctx.runner.stream(
      journalctlArgs(ref, options, ctx.self.uid),
      options.signal ? { signal: options.signal } : {},
    );
  } catch (e) {
    if (e instanceof StreamError) throw journalError(e, ref);
    throw e;
  }
}

/** Whether a journal line is the program's own (not a note of the service manager). */
export function isProgramLine(line: string): boolean {
  return !MANAGER_LINE.test(line);
}
