/**
 * How an option of the table is written: the forms help, the man page and the
 * completion scripts show (`--keep-alive[=MODE]`, `--no-keep-alive`, `-n, --lines=N`),
 * and plain-text wrapping. Pure functions of the table's data.
 *
 * @module
 */

import type { CommandTable, OptionDef } from "./types.ts";

/** One shown form of an option, e.g. `--no-start` with its description. */
export interface OptionForm {
  /** The long flag as typed, with dashes: `--keep-alive`, `--no-start`. */
  flag: string;
  /** The short flag with its dash (`-n`), only on the positive form. */
  short?: string;
  /** How its value is written after the flag (`=DURATION`, ` DIR`, `[=MODE]`), or "". */
  value: string;
  /** Its description, with the default when the option has one. */
  description: string;
  /** Whether this is the `--no-NAME` form. */
  negated: boolean;
}

/**
 * The value part of an option's usage: `[=MODE]` for an optional value, ` VALUE` for a
 * repeatable option or one whose value is a path, user or driver, `=VALUE` otherwise.
 *
 * @param o the option
 * @returns the text after the long flag ("" for a flag without value)
 */
export function valueText(o: OptionDef): string {
  if (o.kind === "boolean") return "";
  const name = o.value ?? "VALUE";
  if (o.kind === "optional") return `[=${name}]`;
  const spaced = o.kind === "list" ||
    (o.complete !== undefined && o.complete !== "none");
  return `${spaced ? " " : "="}${name}`;
}

/**
 * The forms of an option that help shows and shells complete: `--NAME` when it has a
 * description, `--no-NAME` when it has a `negated` one; none when hidden.
 *
 * @param o the option
 * @returns its forms, positive first
 */
export function optionForms(o: OptionDef): OptionForm[] {
  if (o.hidden) return [];
  const out: OptionForm[] = [];
  if (o.description !== undefined) {
    out.push({
      flag: `--${o.name}`,
      ...(o.short ? { short: `-${o.short}` } : {}),
      value: valueText(o),
      description: o.default === undefined
        ? o.description
        : `${o.description} (default: ${o.default})`,
      negated: false,
    });
  }
  if (o.negated !== undefined) {
    out.push({
      flag: `--no-${o.name}`,
      value: "",
      description: o.negated,
      negated: true,
    });
  }
  return out;
}

/**
 * The usage lines of the whole program, without its name: each command's synopsis in
 * table order, then `--version` (the main help's "Usage" and the man page's SYNOPSIS).
 *
 * @param table the command table
 * @returns the lines
 */
export function synopsisLines(table: CommandTable): string[] {
  return [...table.commands.flatMap((c) => c.synopsis ?? []), "--version"];
}

/**
 * Splits text into lines of at most `width` characters at spaces (a longer word
 * stays whole on its own line).
 *
 * @param text the text (runs of white space count as one space)
 * @param width the longest line
 * @returns the lines
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
