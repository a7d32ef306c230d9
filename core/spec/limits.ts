/**
 * The limits of what a service may hold, and the checks of user strings against them:
 * lengths in UTF-8 bytes, delays, and the text rules of values and paths that go into
 * unit files and plists (no NUL, valid Unicode, no noncharacter). Pure; bad input
 * raises {@link UsageError} (exit 2).
 *
 * @module
 */

import { UsageError } from "../errors.ts";

/** Longest accepted service name. */
export const MAX_NAME_LENGTH = 64;

/** Shortest `--stop-timeout`: launchd counts whole seconds, and 0 means "never kill". */
export const MIN_STOP_TIMEOUT_MS = 1000;

/** Shortest restart delay: faster restarts only flood the log and the machine. */
export const MIN_RESTART_DELAY_MS = 100;

/** Default pause before a restart. */
export const DEFAULT_RESTART_DELAY_MS = 2000;

/** Default longest pause before a restart in a crash loop (`--restart-max-delay`). */
export const DEFAULT_RESTART_MAX_DELAY_MS = 60_000;

/** Checks that a user string can be stored and passed exactly: no NUL, valid Unicode. */
export function checkText(what: string, value: string): string {
  if (value.includes("\0")) {
    throw new UsageError(`Invalid ${what}: it contains a NUL character`);
  }
  if (!value.isWellFormed()) {
    throw new UsageError(
      `Invalid ${what}: it is not valid Unicode (lone surrogate)`,
    );
  }
  // U+FDD0..U+FDEF and U+xFFFE/U+xFFFF: systemd refuses them as "not UTF-8 clean" and
  // XML (plists) forbids U+FFFE/U+FFFF, so they could never be delivered.
  if (
    /[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/
      .test(value)
  ) {
    throw new UsageError(
      `Invalid ${what}: it contains a Unicode noncharacter (such as U+FFFF)`,
    );
  }
  return value;
}

/**
 * Longest argument or environment value, in UTF-8 bytes. Linux refuses to exec a single
 * string over 128 KiB, and systemd reads unit lines of at most 1 MiB (escaping can make
 * a value 4 times longer), so longer values are refused here rather than failing later.
 */
export const MAX_VALUE_BYTES = 65_536;

/** Longest command line plus environment, in UTF-8 bytes (same reasons). */
export const MAX_TOTAL_BYTES = 200_000;

const utf8 = new TextEncoder();

/** Length of a string in UTF-8 bytes. */
export function utf8Length(value: string): number {
  return utf8.encode(value).length;
}

/** Checks a user string like {@link checkText} and that it is at most {@link MAX_VALUE_BYTES}. */
export function checkValue(what: string, value: string): string {
  checkText(what, value);
  const n = utf8Length(value);
  if (n > MAX_VALUE_BYTES) {
    throw new UsageError(
      `Invalid ${what}: ${n} bytes long, at most ${MAX_VALUE_BYTES} are accepted`,
    );
  }
  return value;
}

/**
 * Checks a path that goes into a unit file or plist as a plain setting (working
 * directory, log directory): absolute, no control characters, and not ending in a
 * backslash or whitespace (systemd joins a line ending in `\` with the next one and
 * strips trailing whitespace, so such a path would silently change meaning).
 */
export function checkPathSetting(what: string, path: string): string {
  checkText(what, path);
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) {
    throw new UsageError(
      `Invalid ${what} ${
        JSON.stringify(path)
      }: it contains a control character`,
    );
  }
  if (/[\\ \t]$/.test(path)) {
    throw new UsageError(
      `Invalid ${what} ${
        JSON.stringify(path)
      }: it cannot end in a backslash or a space`,
    );
  }
  return path;
}
