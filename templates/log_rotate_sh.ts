/**
 * Rotation of the log file of a `--log-dir` service on systemd, which appends the
 * program's output to it (`StandardOutput=append:`) and never rotates it: at each
 * start, an `ExecStartPre=` renames a file over {@link LOG_ROTATE_BYTES} to `FILE.1`
 * (older ones to `.2`, `.3`; the oldest is dropped), and systemd opens a fresh `FILE`
 * for the program.
 *
 * Kept apart from where and how the log file itself is opened: this step only renames
 * files in the log directory, as whoever owns that directory: the user for a login
 * service; root for a boot service, whose log directory must be root's only (checked
 * before anything is written), so no other user can put a symlink there.
 *
 * @module
 */

/** Size over which a log file is rotated at the next start (10 MiB). */
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

/** How many rotated files are kept (`FILE.1` ... `FILE.3`). */
export const LOG_ROTATE_KEEP = 3;

/**
 * The sh script of the rotation. It takes the log file as `$1` (an argument, so no
 * user string is ever part of the script) and always succeeds.
 *
 * @example Usage
 * ```ts
 * import { logRotateScript } from "./log_rotate_sh.ts";
 * console.assert(logRotateScript().includes('mv -f "$f" "$f.1"'));
 * ```
 */
export function logRotateScript(
  maxBytes = LOG_ROTATE_BYTES,
  keep = LOG_ROTATE_KEEP,
): string {
  return [
    'f=$1; s=$(wc -c < "$f" 2>/dev/null) || exit 0',
    `[ "$s" -gt ${maxBytes} ] || exit 0`,
    `i=${keep}`,
    'while [ $i -gt 1 ]; do if [ -e "$f.$((i - 1))" ]; then mv -f "$f.$((i - 1))" "$f.$i"; fi; i=$((i - 1)); done',
    'mv -f "$f" "$f.1"',
  ].join("; ");
}
