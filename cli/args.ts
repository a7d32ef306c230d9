/**
 * A small, strict argument parser: declared options only, `--opt=value` and
 * `--opt value`, repeatable lists, boolean `--no-X`, an optional-value kind for
 * `--keep-alive[=MODE]`, and everything after `--` kept verbatim as the command.
 * Misuse raises {@link UsageError} (exit 2).
 *
 * @module
 */

import { isDuration } from "../core/duration.ts";
import { UsageError } from "../core/errors.ts";
import { didYouMean } from "./suggest.ts";

/** Kinds of option value. */
export type OptionKind = "boolean" | "string" | "list" | "optional";

/** Declaration of one option. */
export interface OptionSpec {
  /** Long name without dashes, e.g. "keep-alive". */
  name: string;
  /** Value kind. `optional` takes `=VALUE`, or the next word if it is in `choices`. */
  kind: OptionKind;
  /** One-letter alias, e.g. "n". */
  short?: string;
  /** Values a bare following word may take for an `optional` option. */
  choices?: readonly string[];
  /**
   * For an `optional` option without fixed `choices`: which following words are its
   * value (`--wait 30s`): "duration", a duration such as 30s.
   */
  accepts?: "duration";
  /** The option's valid values in words, for errors (default: from `accepts`). */
  values?: string;
}

/** Parsed command line. */
export interface ParsedArgs {
  /** Words that are not options, before `--`. */
  positionals: string[];
  /** Words after `--`, verbatim. */
  rest: string[];
  /** Whether `--` was given. */
  dashdash: boolean;
  /** Option values by long name. */
  values: Record<string, string | boolean | string[] | undefined>;
  /**
   * Positionals (by index) that came right after an `optional` option given without a
   * value, and were not a valid value of it: the user may have meant them as its value.
   */
  follows: Record<number, OptionSpec>;
}

/** The valid values of an option, in words, for errors and hints. */
export function valuesOf(spec: OptionSpec): string {
  if (spec.choices?.length) return spec.choices.join(", ");
  if (spec.values !== undefined) return spec.values;
  return spec.accepts === "duration"
    ? "a duration such as 30s, 500ms or 2m"
    : "a value";
}

/** Whether `word` is a value an `optional` option takes from the next word. */
function takesWord(spec: OptionSpec, word: string | undefined): boolean {
  if (word === undefined || word === "--") return false;
  if (spec.choices?.includes(word)) return true;
  return spec.accepts === "duration" && isDuration(word);
}

/**
 * The error for positionals beyond what a command takes (`extra` is the index of the
 * first one it cannot use): when one of them followed an option with an optional value,
 * it names that option and its valid values; otherwise "Unexpected argument".
 */
export function unexpectedArgument(
  a: ParsedArgs,
  extra: number,
  command: string,
  hint: string,
): UsageError {
  const first = Object.entries(a.follows)[0];
  if (first !== undefined) {
    const [i, spec] = first;
    return new UsageError(
      `Invalid value ${
        JSON.stringify(a.positionals[Number(i)])
      } for --${spec.name}: it takes ${valuesOf(spec)}`,
      `write --${spec.name}=VALUE, or leave the value out (see: autostart ${command} --help)`,
    );
  }
  return new UsageError(
    `Unexpected argument ${JSON.stringify(a.positionals[extra] ?? "")}`,
    hint,
  );
}

/**
 * Parses `argv` against declared options.
 *
 * @example Usage
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const p = parseArgs(["web", "--keep-alive", "always", "--", "sleep", "1"], [
 *   { name: "keep-alive", kind: "optional", choices: ["true", "false", "always", "on-failure"] },
 * ], "enable");
 * console.assert(p.values["keep-alive"] === "always" && p.rest.length === 2);
 * ```
 */
export function parseArgs(
  argv: string[],
  options: readonly OptionSpec[],
  command: string,
): ParsedArgs {
  const out: ParsedArgs = {
    positionals: [],
    rest: [],
    dashdash: false,
    values: {},
    follows: {},
  };
  const byName = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(
    options.filter((o) => o.short).map((o) => [o.short!, o]),
  );
  const fail = (msg: string, near?: string): never => {
    const guess = near === undefined ? undefined : didYouMean(near, [
      ...options.map((o) => `--${o.name}`),
      ...options.filter((o) => o.kind !== "string" && o.kind !== "list")
        .map((o) => `--no-${o.name}`),
    ]);
    throw new UsageError(
      msg,
      `${
        guess ? `did you mean ${guess}? ` : ""
      }see: autostart ${command} --help`,
    );
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      out.dashdash = true;
      out.rest = argv.slice(i + 1);
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      out.positionals.push(word);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      name = eq < 0 ? word.slice(2) : word.slice(2, eq);
      inline = eq < 0 ? undefined : word.slice(eq + 1);
    } else {
      const o = byShort.get(word.slice(1, 2));
      if (!o) fail(`Unknown option ${JSON.stringify(word)} for ${command}`);
      name = o!.name;
      inline = word.length > 2 ? word.slice(2).replace(/^=/, "") : undefined;
    }
    let spec = byName.get(name);
    if (!spec && name.startsWith("no-")) {
      const neg = byName.get(name.slice(3));
      if (
        (neg?.kind === "boolean" || neg?.kind === "optional") &&
        inline === undefined
      ) {
        out.values[neg.name] = false;
        continue;
      }
    }
    if (!spec) fail(`Unknown option "--${name}" for ${command}`, `--${name}`);
    spec = spec!;
    const next = () => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || v === "--") fail(`Option --${name} needs a value`);
      i++;
      return v!;
    };
    switch (spec.kind) {
      case "boolean":
        if (inline !== undefined && !["true", "false"].includes(inline)) {
          fail(`Option --${name} takes no value`);
        }
        out.values[name] = inline === undefined ? true : inline === "true";
        break;
      case "string":
        out.values[name] = next();
        break;
      case "list": {
        const list = (out.values[name] as string[] | undefined) ?? [];
        list.push(next());
        out.values[name] = list;
        break;
      }
      case "optional": {
        const after = argv[i + 1];
        if (inline !== undefined) out.values[name] = inline;
        else if (takesWord(spec, after)) out.values[name] = argv[++i]!;
        else {
          out.values[name] = true;
          if (after !== undefined && !after.startsWith("-")) {
            out.follows[out.positionals.length] = spec;
          }
        }
        break;
      }
    }
  }
  return out;
}
