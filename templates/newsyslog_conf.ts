/**
 * Pure renderer of the newsyslog(8) entry that keeps a LaunchDaemon's log file from
 * growing without bound: `/etc/newsyslog.d/LABEL.conf`, read by macOS's newsyslog
 * (run by launchd as root, hourly) through the `<include> /etc/newsyslog.d/*.conf`
 * of `/etc/newsyslog.conf`. Format: newsyslog.conf(5).
 *
 * launchd opens `StandardOutPath` when it starts the job, so the running program keeps
 * writing to the file it has open until its next start; old files are therefore not
 * compressed (a compressed copy would lose what is written after it).
 *
 * @module
 */

import { MARKER_TEXT } from "../core/kit/marker.ts";
import { seal, SEAL_PLACEHOLDER } from "../core/seal.ts";

/** Directory of newsyslog's drop-in files on macOS. */
export const NEWSYSLOG_DIR = "/etc/newsyslog.d";

/** Size (KiB) over which newsyslog rotates a daemon's log (10 MiB). */
export const NEWSYSLOG_SIZE_KIB = 10_240;

/** How many rotated files newsyslog keeps (`FILE.0` ... `FILE.2`). */
export const NEWSYSLOG_COUNT = 3;

/** Text that marks a newsyslog file as autostart's. */
export const NEWSYSLOG_MARKER_TEXT = MARKER_TEXT;

/** Path of the newsyslog file of a daemon's label. */
export function newsyslogPath(label: string): string {
  return `${NEWSYSLOG_DIR}/${label}.conf`;
}

/**
 * Escapes a path for newsyslog.conf: fields are split on whitespace and `#` starts a
 * comment, so a path with whitespace cannot be written (`null`), and `#` is escaped.
 */
export function newsyslogField(path: string): string | null {
  if (/\s/.test(path)) return null;
  return path.replaceAll("#", "\\#");
}

/**
 * The newsyslog entry of `logFile`, or `null` when newsyslog cannot name it (a path
 * with whitespace: then `doctor` still warns when it grows).
 *
 * @param owner `user:group` the new empty file gets after a rotation.
 *
 * @example Usage
 * ```ts
 * import { renderNewsyslogConf } from "./newsyslog_conf.ts";
 * const t = renderNewsyslogConf("web", "/Library/Logs/autostart/web.log", "alice:staff");
 * console.assert(t!.includes("/Library/Logs/autostart/web.log alice:staff 644 3 10240 * N"));
 * ```
 */
export function renderNewsyslogConf(
  name: string,
  logFile: string,
  owner: string,
): string | null {
  const field = newsyslogField(logFile);
  if (field === null) return null;
  return seal(
    [
      `# ${NEWSYSLOG_MARKER_TEXT} (${SEAL_PLACEHOLDER}): log rotation of "${name}"; removed with it by "autostart disable ${name}".`,
      "# logfilename [owner:group] mode count size(KiB) when flags",
      `${field} ${owner} 644 ${NEWSYSLOG_COUNT} ${NEWSYSLOG_SIZE_KIB} * N`,
      "",
    ].join("\n"),
  );
}
