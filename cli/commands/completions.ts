/**
 * `autostart completions bash|zsh|fish`: prints a shell completion script.
 *
 * The scripts are rendered from one {@link CompletionModel}, built from the commands
 * of the CLI, their option lists (the same arrays the commands parse with) and their
 * help texts, so a new option or command shows up in completion without editing this
 * file. Managed service names are completed by running `autostart status --fast --json` at
 * completion time and picking the `"name": "..."` lines with sed or fish's `string`
 * (no jq needed).
 *
 * @module
 */

import { UsageError } from "../../core/errors.ts";
import { CONDITIONS } from "../../core/spec.ts";
import type { App, Command } from "../app.ts";
import { type OptionSpec, parseArgs } from "../args.ts";
import { COMMAND_HELP } from "../help.ts";
import { APPLY_OPTIONS } from "./apply.ts";
import { CONTROL_OPTIONS } from "./control.ts";
import { DISABLE_OPTIONS } from "./disable.ts";
import { DOCTOR_OPTIONS } from "./doctor.ts";
import { DRIVERS_OPTIONS } from "./drivers.ts";
import { ENABLE_OPTIONS } from "./enable.ts";
import { EXPORT_OPTIONS } from "./export.ts";
import { LOGS_OPTIONS } from "./logs.ts";
import { SHOW_OPTIONS } from "./show.ts";
import { STATUS_OPTIONS } from "./status.ts";

/** Shells a completion script can be printed for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** A shell of {@link SHELLS}. */
export type Shell = typeof SHELLS[number];

/**
 * Option lists of the commands that declare one. A command missing here has its
 * options read from its help text (see {@link optionsFromHelp}).
 */
export const COMMAND_OPTIONS: Record<string, readonly OptionSpec[]> = {
  enable: ENABLE_OPTIONS,
  disable: DISABLE_OPTIONS,
  status: STATUS_OPTIONS,
  list: STATUS_OPTIONS,
  start: CONTROL_OPTIONS,
  stop: CONTROL_OPTIONS,
  restart: CONTROL_OPTIONS,
  drivers: DRIVERS_OPTIONS,
  logs: LOGS_OPTIONS,
  doctor: DOCTOR_OPTIONS,
  show: SHOW_OPTIONS,
  export: EXPORT_OPTIONS,
  apply: APPLY_OPTIONS,
  completions: [],
};

/** Commands whose arguments are names of managed services. */
export const NAME_COMMANDS: readonly string[] = [
  "disable",
  "start",
  "stop",
  "restart",
  "status",
  "list",
  "logs",
  "show",
  "export",
];

/** What the value of an option completes to. */
export type ValueKind =
  | "none"
  | "choice"
  | "file"
  | "dir"
  | "user"
  | "any";

/** One completable option form, e.g. `--condition` or `--no-start`. */
export interface OptionCompletion {
  /** The flag as typed, with its dashes. */
  flag: string;
  /** What its value completes to; "none" for flags that take no value. */
  value: ValueKind;
  /** The values of a "choice" option. */
  choices: readonly string[];
  /** Whether the value is optional (only a word in `choices` is taken as it). */
  optionalValue: boolean;
}

/** What the arguments of a command complete to. */
export type ArgKind = "names" | "commands" | "shells" | "none";

/** Completion data of one command. */
export interface CommandCompletion {
  /** Command name. */
  name: string;
  /** One-line description (from its help). */
  summary: string;
  /** Its options. */
  options: OptionCompletion[];
  /** What its positional arguments complete to. */
  args: ArgKind;
}

/** Everything the completion scripts know. */
export interface CompletionModel {
  /** Program name the scripts register for. */
  program: string;
  /** Commands, in CLI order, then `help`. */
  commands: CommandCompletion[];
}

/** Value kinds and fixed choices of options by name. */
function valueOf(
  spec: OptionSpec,
  drivers: readonly string[],
): Pick<OptionCompletion, "value" | "choices"> {
  if (spec.kind === "boolean") return { value: "none", choices: [] };
  if (spec.choices?.length) return { value: "choice", choices: spec.choices };
  switch (spec.name) {
    case "condition":
      return { value: "choice", choices: CONDITIONS };
    case "path":
      return { value: "choice", choices: ["inherit", "default"] };
    case "driver":
      return { value: "choice", choices: drivers };
    case "env-file":
      return { value: "file", choices: [] };
    case "cwd":
    case "log-dir":
      return { value: "dir", choices: [] };
    case "user":
      return { value: "user", choices: [] };
    default:
      return { value: "any", choices: [] };
  }
}

/**
 * The completable forms of declared options. A boolean (or optional-value) option
 * `X` may be typed `--X` or `--no-X`; the forms offered are those the command's help
 * mentions (`--no-start` but not `--start`), or `--X` when the help mentions neither.
 *
 * @param specs the command's option list
 * @param help the command's help text
 * @param drivers driver ids, the choices of `--driver`
 * @returns the option forms to complete
 */
export function optionCompletions(
  specs: readonly OptionSpec[],
  help: string,
  drivers: readonly string[],
): OptionCompletion[] {
  const mentions = (flag: string) =>
    new RegExp(`(^|[\\s,])${flag}(?![a-z0-9-])`).test(help);
  const out: OptionCompletion[] = [];
  for (const spec of specs) {
    const v = valueOf(spec, drivers);
    const optionalValue = spec.kind === "optional";
    const plain = `--${spec.name}`;
    const negated = `--no-${spec.name}`;
    const canNegate = spec.kind === "boolean" || spec.kind === "optional";
    const showPlain = mentions(plain) || !(canNegate && mentions(negated));
    if (showPlain) out.push({ flag: plain, ...v, optionalValue });
    if (canNegate && mentions(negated)) {
      out.push({ flag: negated, value: "none", choices: [], optionalValue });
    }
  }
  return out;
}

/**
 * Options read from a help text's option lines, for commands without a declared list:
 * `--name`, `--name=a|b` (choices), `--name VALUE` / `--name=VALUE` (any value).
 *
 * @param help a command's help text
 * @returns the option forms found
 */
export function optionsFromHelp(help: string): OptionCompletion[] {
  const out: OptionCompletion[] = [];
  for (const line of help.split("\n")) {
    if (!/^\s+-/.test(line)) continue;
    for (
      const m of line.matchAll(
        /(--[a-z][a-z0-9-]*)(\[?=([A-Za-z0-9|-]+)\]?| [A-Z][A-Z_]*)?/g,
      )
    ) {
      const flag = m[1]!;
      if (out.some((o) => o.flag === flag)) continue;
      const value = m[3];
      const choices = value?.includes("|") ? value.split("|") : [];
      out.push({
        flag,
        value: m[2] === undefined ? "none" : choices.length ? "choice" : "any",
        choices,
        optionalValue: m[2]?.startsWith("[") ?? false,
      });
    }
  }
  return out;
}

/**
 * The first sentence of the paragraph after a help text's usage line.
 *
 * @param help a command's help text
 * @returns a one-line summary, or "" when the help has none
 */
export function summaryOf(help: string): string {
  const para = help.split(/\n\s*\n/)[1] ?? "";
  const text = para.replace(/\s+/g, " ").trim();
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end);
}

/**
 * Builds the completion model of the given commands.
 *
 * @param commands command names, in the order to offer them
 * @param drivers driver ids, the choices of `--driver`
 * @param program the program name to register the scripts for
 * @returns the model
 * @example Usage
 * ```ts
 * import { completionModel } from "./completions.ts";
 * const m = completionModel(["enable", "status"], ["systemd"]);
 * console.assert(m.commands.some((c) => c.name === "help"));
 * ```
 */
export function completionModel(
  commands: readonly string[],
  drivers: readonly string[],
  program = "autostart",
): CompletionModel {
  const names = [...commands.filter((c) => c !== "help"), "help"];
  return {
    program,
    commands: names.map((name) => {
      const help = COMMAND_HELP[name] ?? "";
      const specs = COMMAND_OPTIONS[name];
      return {
        name,
        summary: name === "help"
          ? "Show the help of a command"
          : name === "list"
          ? "Same as status"
          : summaryOf(help),
        options: specs
          ? optionCompletions(specs, help, drivers)
          : optionsFromHelp(help),
        args: NAME_COMMANDS.includes(name)
          ? "names"
          : name === "help"
          ? "commands"
          : name === "completions"
          ? "shells"
          : "none",
      };
    }),
  };
}

/** Options of every command, deduplicated by flag (values are the same everywhere). */
function allValueOptions(model: CompletionModel): OptionCompletion[] {
  const seen = new Map<string, OptionCompletion>();
  for (const c of model.commands) {
    for (const o of c.options) {
      if (o.value !== "none" && !seen.has(o.flag)) seen.set(o.flag, o);
    }
  }
  return [...seen.values()];
}

/** Quotes a word for POSIX shells and fish (single quotes). */
function sq(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quotes a word for fish, whose single quotes escape `\` and `'` with `\`. */
function fishQuote(word: string): string {
  return `'${word.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Function-name-safe form of the program name. */
function ident(program: string): string {
  return program.replace(/[^A-Za-z0-9_]/g, "_");
}

/** sed program that prints the value of each `"name": "..."` line of status JSON. */
const NAME_SED = `s/^ *"name": *"\\([^"]*\\)".*/\\1/p`;

/**
 * Renders the bash completion script.
 *
 * @param model the completion model
 * @returns the script text
 */
export function renderBash(model: CompletionModel): string {
  const f = `_${ident(model.program)}`;
  const cmds = model.commands.map((c) => c.name).join(" ");
  const valueCases = allValueOptions(model).map((o) => {
    const reply = (gen: string) =>
      `COMPREPLY=($(compgen -P "$prefix" ${gen} -- "$cur"))`;
    const body = o.value === "choice"
      ? `${reply(`-W ${sq(o.choices.join(" "))}`)}; return 0`
      : o.value === "file"
      ? `${reply("-f")}; return 0`
      : o.value === "dir"
      ? `${reply("-d")}; return 0`
      : o.value === "user"
      ? `${reply("-u")}; return 0`
      : "return 0";
    // An optional value is only taken from the next word when it is a choice.
    const guarded = o.optionalValue
      ? `if [ -n "$prefix" ] || [[ $cur != -* ]]; then ${body}; fi`
      : body;
    return `    ${o.flag}) ${guarded} ;;`;
  });
  const cmdCases = model.commands.map((c) =>
    `    ${c.name}) opts=${
      sq([...c.options.map((o) => o.flag), "--help"].join(" "))
    }; args=${c.args} ;;`
  );
  return `# bash completion for ${model.program}
# Generated by "${model.program} completions bash". Load it now with
#   source <(${model.program} completions bash)
# or for every shell: ${model.program} completions bash > ~/.local/share/bash-completion/completions/${model.program}

${f}_names() {
  local prog=\${1/#\\~/$HOME}
  command "$prog" status --fast --json 2>/dev/null | sed -n '${NAME_SED}'
}

${f}() {
  local cur prev opt prefix="" cmd opts args i
  COMPREPLY=()
  cur=\${COMP_WORDS[COMP_CWORD]}
  prev=
  if [ "$COMP_CWORD" -gt 0 ]; then prev=\${COMP_WORDS[COMP_CWORD-1]}; fi
  if [ "$COMP_CWORD" -le 1 ]; then
    COMPREPLY=($(compgen -W ${sq(`${cmds} --help --version`)} -- "$cur"))
    return 0
  fi
  cmd=\${COMP_WORDS[1]}
  # After "--" comes the program to run: leave it to bash's default completion.
  for ((i = 2; i < COMP_CWORD; i++)); do
    if [ "\${COMP_WORDS[i]}" = "--" ]; then return 0; fi
  done
  # The value of an option: --opt VALUE, --opt=VALUE (split at "=" by bash or not).
  opt=
  if [ "$cur" = "=" ]; then
    opt=$prev
    cur=
  elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 2 ]; then
    opt=\${COMP_WORDS[COMP_CWORD-2]}
  elif [[ $cur == --*=* ]]; then
    opt=\${cur%%=*}
    prefix="$opt="
    cur=\${cur#*=}
  elif [[ $prev == --* ]]; then
    opt=$prev
  fi
  case $opt in
${valueCases.join("\n")}
  esac
  case $cmd in
${cmdCases.join("\n")}
    *) return 0 ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  case $args in
    names) COMPREPLY=($(compgen -W "$(${f}_names "\${COMP_WORDS[0]}")" -- "$cur")) ;;
    commands) COMPREPLY=($(compgen -W ${
    sq(model.commands.map((c) => c.name).join(" "))
  } -- "$cur")) ;;
    shells) COMPREPLY=($(compgen -W ${sq(SHELLS.join(" "))} -- "$cur")) ;;
  esac
  return 0
}

complete -o bashdefault -o default -F ${f} ${model.program}
`;
}

/** Escapes a zsh `_describe` entry ("name:description"). */
function describeEntry(name: string, summary: string): string {
  return sq(`${name}:${summary.replace(/:/g, "\\:")}`);
}

/**
 * Renders the zsh completion script (works from `fpath` as `_autostart` and when
 * sourced).
 *
 * @param model the completion model
 * @returns the script text
 */
export function renderZsh(model: CompletionModel): string {
  const f = `_${ident(model.program)}`;
  const valueCases = allValueOptions(model).map((o) => {
    const body = o.value === "choice"
      ? `compadd -- ${o.choices.map(sq).join(" ")}; return`
      : o.value === "file"
      ? "_files; return"
      : o.value === "dir"
      ? "_files -/; return"
      : o.value === "user"
      ? "_users; return"
      : "return 1";
    const guarded = o.optionalValue
      ? `if [[ -n $eq || $cur != -* ]]; then ${body}; fi`
      : body;
    return `    ${o.flag}) ${guarded} ;;`;
  });
  const cmdCases = model.commands.map((c) =>
    `    ${c.name}) opts=(${
      [...c.options.map((o) => o.flag), "--help"].join(" ")
    }); args=${c.args} ;;`
  );
  return `#compdef ${model.program}
# zsh completion for ${model.program}
# Generated by "${model.program} completions zsh". Load it now with
#   source <(${model.program} completions zsh)
# or for every shell: save it as _${model.program} in a directory of $fpath.

${f}_names() {
  local -a names
  names=(\${(f)"$(command \${~words[1]} status --fast --json 2>/dev/null | sed -n '${NAME_SED}')"})
  compadd -- $names
}

${f}() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd opt eq="" args i
  local -a opts cmds
  if (( CURRENT == 2 )); then
    cmds=(
${
    model.commands.map((c) => `      ${describeEntry(c.name, c.summary)}`).join(
      "\n",
    )
  }
    )
    if [[ $cur == -* ]]; then
      compadd -- --help --version
    else
      _describe -t commands '${model.program} command' cmds
    fi
    return
  fi
  cmd=\${words[2]}
  # After "--" comes the program to run: complete it as a command line of its own.
  for (( i = 3; i < CURRENT; i++ )); do
    if [[ \${words[i]} == -- ]]; then
      words=("\${(@)words[i+1,-1]}")
      (( CURRENT -= i ))
      _normal
      return
    fi
  done
  if [[ $cur == --*=* ]]; then
    opt=\${cur%%=*}
    eq=1
    compset -P '*='
  elif [[ $prev == --* ]]; then
    opt=$prev
  fi
  case $opt in
${valueCases.join("\n")}
  esac
  case $cmd in
${cmdCases.join("\n")}
    *) return 1 ;;
  esac
  if [[ $cur == -* ]]; then
    compadd -- $opts
    return
  fi
  case $args in
    names) ${f}_names ;;
    commands) compadd -- ${model.commands.map((c) => c.name).join(" ")} ;;
    shells) compadd -- ${SHELLS.join(" ")} ;;
  esac
}

if [ "$funcstack[1]" = "${f}" ]; then
  ${f} "$@"
else
  compdef ${f} ${model.program}
fi
`;
}

/**
 * Renders the fish completion script.
 *
 * @param model the completion model
 * @returns the script text
 */
export function renderFish(model: CompletionModel): string {
  const p = model.program;
  const f = `__${ident(p)}`;
  const lines: string[] = [
    `# fish completion for ${p}`,
    `# Generated by "${p} completions fish". Load it now with`,
    `#   ${p} completions fish | source`,
    `# or for every shell: ${p} completions fish > ~/.config/fish/completions/${p}.fish`,
    "",
    `function ${f}_names`,
    `    set -l prog (commandline -opc)[1]`,
    `    command $prog status --fast --json 2>/dev/null | string replace -r -f '^\\s*"name":\\s*"([^"]*)".*$' '$1'`,
    "end",
    "",
    "# True when the command is one of the arguments and no -- came yet.",
    `function ${f}_using`,
    "    set -l words (commandline -opc)",
    "    test (count $words) -ge 2; or return 1",
    "    contains -- -- $words; and return 1",
    "    contains -- $words[2] $argv",
    "end",
    "",
    `complete -c ${p} -f`,
    `complete -c ${p} -n '__fish_use_subcommand' -l help -d 'Show help'`,
    `complete -c ${p} -n '__fish_use_subcommand' -l version -d 'Print the version'`,
    `# After -- comes the program to run.`,
    `complete -c ${p} -n 'contains -- -- (commandline -opc)' -F`,
  ];
  for (const c of model.commands) {
    lines.push(
      `complete -c ${p} -n '__fish_use_subcommand' -a ${c.name} -d ${
        fishQuote(c.summary)
      }`,
    );
  }
  for (const c of model.commands) {
    const when = `-n ${fishQuote(`${f}_using ${c.name}`)}`;
    for (const o of [...c.options, helpOption()]) {
      const long = `-l ${o.flag.slice(2)}`;
      const value = o.value === "choice"
        ? ` -x -a ${fishQuote(o.choices.join(" "))}`
        : o.value === "file"
        ? " -r -F"
        : o.value === "dir"
        ? " -x -a '(__fish_complete_directories)'"
        : o.value === "user"
        ? " -x -a '(__fish_complete_users)'"
        : o.value === "any"
        ? " -x"
        : "";
      lines.push(`complete -c ${p} ${when} ${long}${value}`);
    }
    const args = c.args === "names"
      ? `'(${f}_names)'`
      : c.args === "commands"
      ? fishQuote(model.commands.map((x) => x.name).join(" "))
      : c.args === "shells"
      ? fishQuote(SHELLS.join(" "))
      : undefined;
    if (args) lines.push(`complete -c ${p} ${when} -a ${args}`);
  }
  return lines.join("\n") + "\n";
}

function helpOption(): OptionCompletion {
  return { flag: "--help", value: "none", choices: [], optionalValue: false };
}

/**
 * Renders the completion script of a shell.
 *
 * @param shell bash, zsh or fish
 * @param model the completion model
 * @returns the script text
 */
export function renderCompletions(
  shell: Shell,
  model: CompletionModel,
): string {
  return shell === "bash"
    ? renderBash(model)
    : shell === "zsh"
    ? renderZsh(model)
    : renderFish(model);
}

/**
 * Makes the `completions` command. It takes the command names as a function so that
 * it can list every command of the CLI, itself included.
 *
 * @param commandNames returns the CLI's command names, in order
 * @returns the command
 */
export function completionsCommand(commandNames: () => string[]): Command {
  return async (argv: string[], app: App): Promise<number> => {
    const a = parseArgs(argv, [], "completions");
    const shell = a.positionals[0];
    if (shell === undefined || a.positionals.length > 1) {
      throw new UsageError(
        shell === undefined
          ? "Missing shell"
          : `Unexpected argument ${JSON.stringify(a.positionals[1])}`,
        `usage: autostart completions ${SHELLS.join("|")}`,
      );
    }
    if (!(SHELLS as readonly string[]).includes(shell)) {
      throw new UsageError(
        `Unknown shell ${JSON.stringify(shell)}`,
        `choose one of: ${SHELLS.join(", ")}`,
      );
    }
    const registry = await app.registry();
    const drivers = registry.all().map((d) => d.id).filter((id) =>
      id !== "unsupported"
    );
    const model = completionModel(commandNames(), drivers);
    app.io.out(renderCompletions(shell as Shell, model));
    return 0;
  };
}
