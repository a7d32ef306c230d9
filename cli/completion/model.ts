/**
 * What the completion scripts know, taken from the command table only: commands,
 * sub-commands, the option forms help shows, option values (choices, files,
 * directories, users, driver ids) and what positional arguments complete to.
 *
 * @module
 */

import { optionForms } from "../table/forms.ts";
import type {
  CommandDef,
  CommandTable,
  Completion,
  OptionDef,
} from "../table/mod.ts";

/** Shells a completion script can be printed for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** A shell of {@link SHELLS}. */
export type Shell = typeof SHELLS[number];

/** What the value of an option completes to. */
export type ValueKind = "none" | "choice" | "file" | "dir" | "user" | "any";

/** One completable option form, e.g. `--condition` or `--no-start`. */
export interface OptionCompletion {
  /** The flag as typed, with its dashes. */
  flag: string;
  /** Its one-letter form without the dash, e.g. "n" (positive forms only). */
  short?: string;
  /** What its value completes to; "none" for flags that take no value. */
  value: ValueKind;
  /** The values of a "choice" option. */
  choices: readonly string[];
  /** Whether the value is optional (only a word in `choices` is taken as it). */
  optionalValue: boolean;
  /** Its description, for shells that show one. */
  description: string;
}

/** What the arguments of a command complete to. */
export type ArgKind =
  | "names"
  | "instances"
  | "commands"
  | "shells"
  | "files"
  | "none";

/** Completion data of one command (or sub-command). */
export interface CommandCompletion {
  /** Command name (for a sub-command, its own word only). */
  name: string;
  /** One-line description. */
  summary: string;
  /** Its options. */
  options: OptionCompletion[];
  /** What its positional arguments complete to. */
  args: ArgKind;
  /** Its sub-commands (and their aliases); empty when it has none. */
  subcommands: CommandCompletion[];
}

/** Everything the completion scripts know. */
export interface CompletionModel {
  /** Program name the scripts register for. */
  program: string;
  /** Commands and their aliases, in table order (`help` last). */
  commands: CommandCompletion[];
}

/** The value kind and choices of an option's positive form. */
function valueOf(
  o: OptionDef,
  drivers: readonly string[],
): Pick<OptionCompletion, "value" | "choices"> {
  if (o.kind === "boolean") return { value: "none", choices: [] };
  if (o.choices?.length) return { value: "choice", choices: o.choices };
  switch (o.complete) {
    case "drivers":
      return { value: "choice", choices: drivers };
    case "files":
      return { value: "file", choices: [] };
    case "dirs":
      return { value: "dir", choices: [] };
    case "users":
      return { value: "user", choices: [] };
    default:
      return { value: "any", choices: [] };
  }
}

/**
 * The completable forms of a command's options: those help shows (`--no-start` but
 * not `--start`), none of the hidden ones.
 *
 * @param options the command's options
 * @param drivers driver ids, the choices of an option that completes drivers
 * @returns the option forms to complete
 */
export function optionCompletions(
  options: readonly OptionDef[],
  drivers: readonly string[],
): OptionCompletion[] {
  return options.flatMap((o) =>
    optionForms(o).map((f) => ({
      flag: f.flag,
      ...(f.short ? { short: f.short.slice(1) } : {}),
      ...(f.negated
        ? { value: "none" as const, choices: [] }
        : valueOf(o, drivers)),
      optionalValue: o.kind === "optional",
      description: f.description,
    }))
  );
}

const ARGS: Record<Completion, ArgKind> = {
  services: "names",
  instances: "instances",
  commands: "commands",
  shells: "shells",
  files: "files",
  dirs: "files",
  users: "none",
  drivers: "none",
  none: "none",
};

function commandCompletions(
  c: CommandDef,
  drivers: readonly string[],
): CommandCompletion[] {
  const entry: CommandCompletion = {
    name: c.name,
    summary: c.summary,
    options: optionCompletions(c.options, drivers),
    args: ARGS[c.positionals[0]?.complete ?? "none"],
    subcommands: (c.commands ?? []).flatMap((s) =>
      commandCompletions(s, drivers)
    ),
  };
  return [
    entry,
    ...(c.aliases ?? []).map((a) => ({
      ...entry,
      name: a,
      summary: `Same as ${c.name}`,
    })),
  ];
}

/**
 * Builds the completion model of a command table.
 *
 * @param table the command table
 * @param drivers driver ids, the choices of `--driver`
 * @returns the model
 * @example Usage
 * ```ts
 * import { completionModel } from "./model.ts";
 * import { TABLE } from "../table/mod.ts";
 * const m = completionModel(TABLE, ["systemd"]);
 * console.assert(m.commands.some((c) => c.name === "help"));
 * ```
 */
export function completionModel(
  table: CommandTable,
  drivers: readonly string[],
): CompletionModel {
  return {
    program: table.program,
    commands: table.commands.flatMap((c) => commandCompletions(c, drivers)),
  };
}

/**
 * Options of every command and sub-command that take a value, deduplicated by flag
 * (the first declaration of a flag decides what its value completes to).
 *
 * @param model the completion model
 * @returns the options
 */
export function valueOptions(model: CompletionModel): OptionCompletion[] {
  const seen = new Map<string, OptionCompletion>();
  const visit = (cs: readonly CommandCompletion[]) => {
    for (const c of cs) {
      for (const o of c.options) {
        if (o.value !== "none" && !seen.has(o.flag)) seen.set(o.flag, o);
      }
      visit(c.subcommands);
    }
  };
  visit(model.commands);
  return [...seen.values()];
}

/**
 * Each command and sub-command with the words that select it ("enable",
 * "lima enable"), as the scripts' `case` statements match them.
 *
 * @param model the completion model
 * @returns [words, command] pairs, in order
 */
export function commandPaths(
  model: CompletionModel,
): [string, CommandCompletion][] {
  return model.commands.flatMap((c) => [
    [c.name, c] as [string, CommandCompletion],
    ...c.subcommands.map((s) =>
      [`${c.name} ${s.name}`, s] as [string, CommandCompletion]
    ),
  ]);
}

/** The flags a command offers, `--help` last. */
export function flagsOf(c: CommandCompletion): string[] {
  return [...c.options.map((o) => o.flag), "--help"];
}

/** sed program that prints the value of each `"name": "..."` line of status JSON. */
export const NAME_SED = `s/^ *"name": *"\\([^"]*\\)".*/\\1/p`;

/** Function-name-safe form of the program name. */
export function ident(program: string): string {
  return program.replace(/[^A-Za-z0-9_]/g, "_");
}
