/**
 * POSIX shell quoting: one word, single-quoted, each `'` written as `'\''`. Used for
 * scripts autostart writes (runit `run`, OpenRC service files, plugins) and, in its
 * "only when needed" form, for commands shown to the user (`--dry-run`, `show`).
 *
 * @module
 */

/**
 * Quotes one word for a POSIX shell: wrapped in single quotes, each `'` written as
 * `'\''`. Every string without NUL survives exactly (newlines included).
 *
 * @param word Any string (a NUL cannot be passed to a program anyway).
 * @returns The quoted word, always in quotes.
 *
 * @example Usage
 * ```ts
 * import { shQuote } from "./sh_quote.ts";
 * console.assert(shQuote("it's") === "'it'\\''s'");
 * ```
 */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Quotes one word for display in a shell-like way: left bare when it holds only
 * characters no shell treats specially, else {@link shQuote}d. Pasting the result into
 * `sh` gives back the same word.
 *
 * @param arg Any string.
 * @returns `arg` itself, or its quoted form.
 *
 * @example Usage
 * ```ts
 * import { shellQuote } from "./sh_quote.ts";
 * console.assert(shellQuote("/usr/bin/env") === "/usr/bin/env");
 * console.assert(shellQuote("a b") === "'a b'");
 * ```
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return shQuote(arg);
}
