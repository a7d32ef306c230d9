/**
 * The escaper of OpenRC init-script values, and its inverse. openrc-run passes
 * `command`, `command_args`, `command_user`, `directory` and the log paths through
 * `eval`, so each value holds words quoted for sh ({@link evalWord}), and the assignment
 * quotes the whole again ({@link dqQuote}): {@link openrcValue}. {@link readOpenrcValue}
 * reads such a value back into its words.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";

/**
 * Quotes text for a double-quoted sh assignment (`\`, `"`, `$` and backquote escaped).
 *
 * @example Usage
 * ```ts
 * import { dqQuote } from "./openrc_eval.ts";
 * console.assert(dqQuote('say "$HOME"') === '"say \\"\\$HOME\\""');
 * ```
 */
export function dqQuote(text: string): string {
  return `"${text.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * Quotes one word for openrc-run's `eval $command_args`: the value is word-split (and
 * then joined with single spaces) before `eval` parses it, so it must hold no run of
 * whitespace. Every ASCII character other than letters, digits and `_./,:@+-` gets a
 * backslash, a space becomes `' '` (so no two spaces ever touch), the empty word is
 * `''`. Tabs and newlines cannot survive the splitting and are refused
 * ({@link checkEvalWord}).
 *
 * @example Usage
 * ```ts
 * import { evalWord } from "./openrc_eval.ts";
 * console.assert(evalWord("it's here") === "it\\'s' 'here");
 * ```
 */
export function evalWord(word: string): string {
  if (word === "") return "''";
  return word.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x7f]/g,
    (c) =>
      c === " "
        ? "' '" // never a bare space: it would merge with a separator
        : /[A-Za-z0-9_.\/,:@+-]/.test(c)
        ? c
        : `\\${c}`,
  );
}

/** Refuses what openrc-run's eval cannot pass exactly: a tab or a newline. */
export function checkEvalWord(what: string, word: string): string {
  if (/[\t\n]/.test(word)) {
    throw new UsageError(
      `Invalid ${what} for OpenRC: it contains a tab or a newline, which openrc-run's eval cannot pass exactly`,
      "pass the value through a file or an environment variable (--env), or use another driver",
    );
  }
  return word;
}

/**
 * The right-hand side of an assignment that openrc-run later `eval`s: each word quoted
 * with {@link evalWord}, then the whole quoted again for the assignment.
 *
 * @example Usage
 * ```ts
 * import { openrcValue } from "./openrc_eval.ts";
 * console.assert(openrcValue(["a b", "it's"]) === `"a' 'b it\\\\'s"`);
 * ```
 */
export function openrcValue(words: string[]): string {
  return dqQuote(words.map(evalWord).join(" "));
}

/**
 * The words of an assignment value written by {@link openrcValue} (its inverse).
 *
 * @example Usage
 * ```ts
 * import { openrcValue, readOpenrcValue } from "./openrc_eval.ts";
 * const words = ["a b", "it's", ""];
 * console.assert(readOpenrcValue(openrcValue(words)).join("|") === words.join("|"));
 * ```
 */
export function readOpenrcValue(value: string): string[] {
  const inner = value.replace(/^"|"$/g, "").replace(/\\([\\"$`])/g, "$1");
  const words: string[] = [];
  let w = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (inner.startsWith("' '", i)) {
      w += " ";
      i += 2;
    } else if (inner.startsWith("''", i)) i++;
    else if (c === "\\") w += inner[++i] ?? "";
    else if (c === " ") {
      words.push(w);
      w = "";
    } else w += c;
  }
  words.push(w);
  return words;
}
