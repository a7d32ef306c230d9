/**
 * A small, strict argument parser: declared options only, `--opt=value` and
 * `--opt value`, repeatable lists, boolean `--no-X`, an optional-value kind for
 * `--keep-alive[=MODE]`, and everything after `--` kept verbatim as the command.
 * Misuse raises {@link UsageError} (exit 2).
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";

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
  };
  const byName = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(
    options.filter((o) => o.short).map((o) => [o.short!, o]),
  );
  const fail = (msg: string): never => {
    throw new UsageError(msg, `see: autostart ${command} --help`);
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
    if (!spec) fail(`Unknown option "--${name}" for ${command}`);
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
        if (inline !== undefined) out.values[name] = inline;
        else if (spec.choices?.includes(argv[i + 1] ?? "")) {
          out.values[name] = argv[++i]!;
        } else out.values[name] = true;
        break;
      }
    }
  }
  return out;
}
