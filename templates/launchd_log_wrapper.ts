/**
 * Rotation of a LaunchAgent's log file. launchd appends a job's output to its
 * `StandardOutPath` without bound, and newsyslog (root's) only rotates the files its
 * configuration names, which a user cannot add to without sudo. So an agent's
 * `ProgramArguments` run the program through a small `/bin/sh` wrapper that rotates the
 * log at each start, the way the systemd driver rotates a `--log-dir` file
 * (templates/log_rotate_sh.ts: over {@link LOG_ROTATE_BYTES}, `FILE` becomes `FILE.1`,
 * older ones `.2`, `.3`, the oldest is dropped), then `exec`s the program:
 *
 * ```
 * /bin/sh -c SCRIPT autostart-log-rotate LOGFILE PROGRAM ARGS...
 * ```
 *
 * The log file, the program and its arguments are arguments of the script (`$1`,
 * `"$@"`), never part of its text, so they reach the program exactly.
 *
 * launchd opens `StandardOutPath` before the job starts (launchd.plist(5): the path is
 * "mapped to the job's stdout"), so the file a rotation renames is the one the wrapper
 * already writes to. When it has renamed it, the wrapper opens a fresh `LOGFILE` for
 * its own stdout and stderr before the `exec`: the program writes to `LOGFILE`, where
 * `autostart logs` and launchd's next start look, and never to the renamed `FILE.1`.
 * If that open fails the program keeps the file launchd gave it. The rotation's
 * tools come from `/usr/bin:/bin` (a subshell's own PATH; the program gets the job's),
 * and a failed rotation never keeps the program from starting.
 *
 * @module
 */

import {
  LOG_ROTATE_BYTES,
  LOG_ROTATE_KEEP,
  logRotateScript,
} from "./log_rotate_sh.ts";

export { LOG_ROTATE_BYTES, LOG_ROTATE_KEEP };

/** The wrapper's `$0`: how it shows in `launchctl print` and in shell errors. */
export const LOG_WRAPPER_NAME = "autostart-log-rotate";

/**
 * The wrapper's sh script: rotate `$1` when over `maxBytes` (in a subshell, with PATH
 * `/usr/bin:/bin`), open a fresh `$1` for stdout and stderr if the rotation moved it,
 * then `exec` the rest of the arguments.
 *
 * @param maxBytes Size over which the log is rotated (default 10 MiB).
 * @param keep How many rotated files are kept (default 3).
 * @returns The script text; it holds no user string.
 *
 * @example Usage
 * ```ts
 * import { logWrapperScript } from "./launchd_log_wrapper.ts";
 * console.assert(logWrapperScript().endsWith('shift; exec "$@"'));
 * ```
 */
export function logWrapperScript(
  maxBytes = LOG_ROTATE_BYTES,
  keep = LOG_ROTATE_KEEP,
): string {
  return [
    `(PATH=/usr/bin:/bin; ${logRotateScript(maxBytes, keep)})`,
    // Rotated: launchd's descriptor now writes to FILE.1; give the program FILE.
    `[ -e "$1" ] || { (: >>"$1") 2>/dev/null && exec >>"$1" 2>&1; }`,
    'shift; exec "$@"',
  ].join("; ");
}

/**
 * The `ProgramArguments` that run `command` through the wrapper, rotating `logFile`.
 *
 * @param logFile The job's `StandardOutPath` (and `StandardErrorPath`).
 * @param command The program and its arguments, exactly as the user gave them.
 *
 * @example Usage
 * ```ts
 * import { logWrapperCommand } from "./launchd_log_wrapper.ts";
 * const argv = logWrapperCommand("/Users/a/Library/Logs/autostart/web.log", ["/bin/echo", "hi"]);
 * console.assert(argv[0] === "/bin/sh" && argv.at(-1) === "hi");
 * ```
 */
export function logWrapperCommand(
  logFile: string,
  command: readonly string[],
): string[] {
  return [
    "/bin/sh",
    "-c",
    logWrapperScript(),
    LOG_WRAPPER_NAME,
    logFile,
    ...command,
  ];
}

/**
 * The log file and the command of a {@link logWrapperCommand} line, or `null` when it
 * is not one (a plist written before agents rotated their logs, or a daemon's).
 */
export function parseLogWrapperCommand(
  argv: readonly string[],
): { logFile: string; command: string[] } | null {
  if (
    argv.length < 6 || argv[0] !== "/bin/sh" || argv[1] !== "-c" ||
    argv[2] !== logWrapperScript() || argv[3] !== LOG_WRAPPER_NAME
  ) return null;
  return { logFile: argv[4]!, command: argv.slice(5) };
}
