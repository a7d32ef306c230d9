/**
 * Pure parsers of what users type: service names, conditions, keep-alive modes,
 * delays, `KEY=VALUE` pairs and paths. Each returns the checked value or raises
 * {@link UsageError} (exit 2) saying what is wrong and what to write instead.
 *
 * @module
 */

import { parseDuration } from "../duration.ts";
import { UsageError } from "../errors.ts";
import {
  checkValue,
  DEFAULT_RESTART_DELAY_MS,
  DEFAULT_RESTART_MAX_DELAY_MS,
  MAX_NAME_LENGTH,
  MIN_RESTART_DELAY_MS,
  MIN_STOP_TIMEOUT_MS,
} from "./limits.ts";
import type { Condition, KeepAliveMode } from "./types.ts";

const UNIT_SUFFIXES = [
  "service",
  "socket",
  "target",
  "timer",
  "mount",
  "automount",
  "path",
  "slice",
  "scope",
  "device",
  "swap",
  "plist",
];

/**
 * Checks a service name and returns it. Names become file names and unit names, so
 * the charset is narrow: letters, digits, `_`, `-`, `.`; starting with a letter or digit.
 *
 * @example Usage
 * ```ts
 * import { parseName } from "./parse.ts";
 * console.assert(parseName("web-1") === "web-1");
 * ```
 */
export function parseName(name: string): string {
  const shown = JSON.stringify(name);
  if (name === "") throw new UsageError("Invalid name: the name is empty");
  if (name.length > MAX_NAME_LENGTH) {
    throw new UsageError(
      `Invalid name ${
        shown.slice(0, 40)
      }...: longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (name.includes("/")) {
    throw new UsageError(`Invalid name ${shown}: it cannot contain "/"`);
  }
  if (
    !/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/.test(name) ||
    name.includes("..")
  ) {
    throw new UsageError(
      `Invalid name ${shown}: use letters, digits, "_", "-" and "." only, starting with a letter or digit and not ending in "."`,
    );
  }
  const suffix = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  if (name.includes(".") && UNIT_SUFFIXES.includes(suffix)) {
    throw new UsageError(
      `Invalid name ${shown}: it cannot end in ".${suffix}"`,
    );
  }
  return name;
}

/** Parses `--condition`. */
export function parseCondition(value: string): Condition {
  if (value === "login" || value === "boot") return value;
  throw new UsageError(
    `Invalid condition ${JSON.stringify(value)}: use "login" or "boot"`,
  );
}

/**
 * Parses `--keep-alive`. `true` (and a bare `--keep-alive`) means `on-failure`: a clean
 * exit means the program chose to stop.
 */
export function parseKeepAlive(value: string | boolean): KeepAliveMode {
  if (value === true || value === "true" || value === "on-failure") {
    return "on-failure";
  }
  if (value === false || value === "false" || value === "no") return "false";
  if (value === "always") return "always";
  throw new UsageError(
    `Invalid keep-alive ${
      JSON.stringify(value)
    }: use true, false, always or on-failure`,
  );
}

/**
 * Parses `--stop-timeout`: 1 second to 24 hours. 0 is refused: launchd and systemd
 * read it as "wait forever", which can hold up a shutdown without end.
 */
export function parseStopTimeout(value: string): number {
  return parseDuration(value, {
    what: "--stop-timeout",
    minMs: MIN_STOP_TIMEOUT_MS,
  });
}

/**
 * Parses `--restart-delay` and `--restart-max-delay`: the delay at least
 * {@link MIN_RESTART_DELAY_MS}, the cap at least the delay (exit 2 otherwise).
 *
 * @example Usage
 * ```ts
 * import { parseRestartDelays } from "./parse.ts";
 * const d = parseRestartDelays("500ms", undefined);
 * console.assert(d.restartDelayMs === 500 && d.restartMaxDelayMs === 60_000);
 * ```
 */
export function parseRestartDelays(
  delay: string | undefined,
  maxDelay: string | undefined,
): { restartDelayMs: number; restartMaxDelayMs: number } {
  const restartDelayMs = delay === undefined
    ? DEFAULT_RESTART_DELAY_MS
    : parseDuration(delay, { what: "--restart-delay" });
  if (restartDelayMs < MIN_RESTART_DELAY_MS) {
    throw new UsageError(
      `Invalid --restart-delay ${
        JSON.stringify(delay)
      }: at least ${MIN_RESTART_DELAY_MS}ms, or a crashing program is restarted hundreds of times a second`,
      "e.g. --restart-delay 2s (the default); crash loops back off up to --restart-max-delay",
    );
  }
  const restartMaxDelayMs = maxDelay === undefined
    ? Math.max(DEFAULT_RESTART_MAX_DELAY_MS, restartDelayMs)
    : parseDuration(maxDelay, { what: "--restart-max-delay" });
  if (restartMaxDelayMs < restartDelayMs) {
    throw new UsageError(
      `Invalid --restart-max-delay ${
        JSON.stringify(maxDelay)
      }: shorter than the restart delay (${restartDelayMs}ms)`,
      "give a cap at least as long as --restart-delay; equal to it turns the backoff off",
    );
  }
  return { restartDelayMs, restartMaxDelayMs };
}

/** Parses one `KEY=VALUE` into a checked pair. */
export function parseEnvPair(pair: string, where = "--env"): [string, string] {
  const i = pair.indexOf("=");
  const key = i < 0 ? pair : pair.slice(0, i);
  if (i < 0) {
    throw new UsageError(
      `Invalid ${where} ${JSON.stringify(pair)}: expected KEY=VALUE`,
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    throw new UsageError(
      `Invalid ${where} ${JSON.stringify(pair.slice(0, 60))}: ${
        JSON.stringify(key)
      } is not a valid variable name (letters, digits and "_", not starting with a digit)`,
    );
  }
  return [key, checkValue(`value of ${key}`, pair.slice(i + 1))];
}

/** Joins `path` onto `base` unless it is absolute, and normalises `.`/`..`. */
export function absolutePath(base: string, path: string): string {
  const parts: string[] = [];
  for (
    const p of (path.startsWith("/") ? path : `${base}/${path}`).split("/")
  ) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}
