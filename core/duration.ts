/**
 * Durations as users type them (`2s`, `500ms`, `1.5s`, `3m10s`, `1h`, `90` = seconds)
 * and as messages print them. One parser for every option that takes a duration
 * (`--restart-delay`, `--stop-timeout`, `--wait`, `--timeout`, ...): bad input is a
 * {@link UsageError} (exit 2) that names the option and the accepted form.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/** Milliseconds per unit a duration may use. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The longest duration accepted unless a caller says otherwise: 24 hours. */
export const MAX_DURATION_MS = 86_400_000;

/** Options of {@link parseDuration}. */
export interface DurationOptions {
  /** The option being parsed, named in messages (e.g. `--stop-timeout`). */
  what?: string;
  /** Smallest accepted value in milliseconds (default 0). */
  minMs?: number;
  /** Largest accepted value in milliseconds (default {@link MAX_DURATION_MS}). */
  maxMs?: number;
}

/**
 * Parses a duration into milliseconds: one or more terms of a number (decimals allowed)
 * and a unit, `ms`, `s`, `m` (minutes) or `h`, largest unit first (`1m30s`, `1h5m`,
 * `1.5s`, `250ms`), or a bare number of seconds (`90`). Surrounding spaces are ignored;
 * signs, spaces inside, days and other units are refused. Fractions of a millisecond
 * are rounded to the nearest one.
 *
 * @param value What the user typed.
 * @param options The option's name for messages and its bounds (a string: the name).
 * @returns Milliseconds.
 * @throws {UsageError} When the text is not a duration or is out of bounds.
 *
 * @example Usage
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.assert(parseDuration("3m10s") === 190_000);
 * console.assert(parseDuration("500ms") === 500);
 * console.assert(parseDuration("90") === 90_000);
 * ```
 */
export function parseDuration(
  value: string,
  options: DurationOptions | string = {},
): number {
  const { what, minMs = 0, maxMs = MAX_DURATION_MS } =
    typeof options === "string" ? { what: options } : options;
  const head = `Invalid duration ${JSON.stringify(value)}${
    what ? ` for ${what}` : ""
  }`;
  const text = value.trim();
  let ms: number | null = null;
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else if (text !== "") {
    const term = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
    let total = 0;
    let last = Infinity;
    let m: RegExpExecArray | null;
    while ((m = term.exec(text)) !== null) {
      const unit = UNIT_MS[m[2]!]!;
      if (unit >= last) break; // each unit once, largest first
      last = unit;
      total += Number(m[1]) * unit;
      if (term.lastIndex === text.length) {
        ms = total;
        break;
      }
    }
  }
  if (ms === null || !Number.isFinite(ms)) {
    throw new UsageError(
      `${head}: use a number with ms, s, m or h, e.g. 2s, 500ms, 3m10s`,
    );
  }
  ms = Math.round(ms);
  if (ms > maxMs) {
    throw new UsageError(`${head}: at most ${formatDuration(maxMs)}`);
  }
  if (ms < minMs) {
    throw new UsageError(`${head}: at least ${formatDuration(minMs)}`);
  }
  return ms;
}

/** Whether `text` is a duration {@link parseDuration} accepts (form and default bounds). */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Formats milliseconds for people, largest unit first: `190000` → `3m10s`,
 * `500` → `500ms`, `86400000` → `24h`, `0` → `0s`.
 *
 * @example Usage
 * ```ts
 * import { formatDuration } from "./duration.ts";
 * console.assert(formatDuration(190_000) === "3m10s");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.round(ms);
  let out = "";
  for (const unit of ["h", "m", "s", "ms"]) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** Whole seconds of a duration, rounded up (for init systems that count in seconds). */
export function ceilSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
