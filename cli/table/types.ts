/**
 * Types of the command table (`cli/table/`): the commands, their arguments, options
 * and examples as plain data, from which the parser, `--help`, the completion scripts
 * and the man page are made.
 *
 * @module
 */

import type { OptionSpec } from "../args.ts";

/**
 * What a value completes to in the shells: managed service names (read with the cheap
 * `status --fast --json`), Lima instances, shells, command names, files, directories,
 * user accounts, driver ids, or nothing.
 */
export type Completion =
  | "services"
  | "instances"
  | "shells"
  | "commands"
  | "files"
  | "dirs"
  | "users"
  | "drivers"
  | "none";

/** One option of a command, as the parser reads it and as help shows it. */
export interface OptionDef extends OptionSpec {
  /** Name of its value in help and the man page, e.g. "DURATION"; absent for flags. */
  value?: string;
  /** Its default in words, shown after the description as "(default: X)". */
  default?: string;
  /** What `--NAME` does, one sentence; absent when only `--no-NAME` is shown. */
  description?: string;
  /** What `--no-NAME` does, when that form is shown (e.g. `--no-start`). */
  negated?: string;
  /** Accepted, but neither shown nor completed. */
  hidden?: boolean;
  /** What its value completes to, when it has no fixed `choices`. */
  complete?: Completion;
}

/** A word of a command that is not an option, e.g. NAME. */
export interface PositionalDef {
  /** Its name in usage lines, e.g. "NAME". */
  name: string;
  /** What it completes to. */
  complete: Completion;
}

/** One command (or sub-command) of the command line. */
export interface CommandDef {
  /** Its name, e.g. "enable". */
  name: string;
  /** Other names that run it (`list` for `status`). */
  aliases?: readonly string[];
  /** One line: what it does, for completion menus and the man page. */
  summary: string;
  /** Its usage lines, without "autostart " (`help COMMAND` shows them). */
  usage: readonly string[];
  /** Lines of the main help's usage list, without "autostart "; absent: none. */
  synopsis?: readonly string[];
  /** Paragraphs after the usage (the summary's sentence first). */
  description: readonly string[];
  /** Extra sections of its help, e.g. the states of `status`, in order. */
  sections?: readonly HelpSection[];
  /** Paragraphs after the sections. */
  notes?: readonly string[];
  /** Its positional arguments. */
  positionals: readonly PositionalDef[];
  /** Its options. */
  options: readonly OptionDef[];
  /** Example command lines, without the leading "autostart" only when they start with it. */
  examples: readonly string[];
  /** Its sub-commands (`lima enable|disable|status`). */
  commands?: readonly CommandDef[];
}

/** A titled block of a help text: lines as they are shown, indented by two. */
export interface HelpSection {
  /** Title without the colon, e.g. "States". */
  title: string;
  /** Its lines, without indentation of their own beyond what they need. */
  lines: readonly string[];
}

/** An environment variable autostart reads, for help and the man page. */
export interface EnvDef {
  /** Its name. */
  name: string;
  /** What it does. */
  description: string;
}

/** The whole command line. */
export interface CommandTable {
  /** The program name. */
  program: string;
  /** One line: what the program does. */
  summary: string;
  /** Paragraphs of the man page's DESCRIPTION. */
  description: readonly string[];
  /** Commands, in the order help lists them. */
  commands: readonly CommandDef[];
  /** Options taken before or after any command (`--plugin`). */
  globalOptions: readonly OptionDef[];
  /** Examples of the main help. */
  examples: readonly string[];
  /** Exit codes and what each means. */
  exitCodes: readonly { code: number; meaning: string }[];
  /** Environment variables it reads. */
  environment: readonly EnvDef[];
  /** Files it writes or reads, with what each is. */
  files: readonly { path: string; description: string }[];
  /** Related manual pages, e.g. "systemctl(1)". */
  seeAlso: readonly string[];
}
