/**
 * `--help`, `autostart help COMMAND` and `autostart COMMAND --help`, rendered from the
 * command table (cli/table/).
 *
 * @module
 */

import { optionForms, synopsisLines, wrap } from "./table/forms.ts";
import {
  type CommandDef,
  commandOf,
  type CommandTable,
  type OptionDef,
  TABLE,
} from "./table/mod.ts";

/** Width of help text. */
const WIDTH = 80;
/** Column where option descriptions start. */
const DESC_COLUMN = 28;

/** Option lines: the flag, then its description wrapped at {@link DESC_COLUMN}. */
function optionLines(options: readonly OptionDef[]): string[] {
  const out: string[] = [];
  const pad = " ".repeat(DESC_COLUMN);
  for (const o of options) {
    for (const f of optionForms(o)) {
      const flag = `  ${f.short ? `${f.short}, ` : ""}${f.flag}${f.value}`;
      const desc = wrap(f.description, WIDTH - DESC_COLUMN);
      if (flag.length + 2 > DESC_COLUMN) out.push(flag);
      else out.push(flag.padEnd(DESC_COLUMN) + (desc.shift() ?? ""));
      for (const d of desc) out.push(pad + d);
    }
  }
  return out;
}

/** A titled block: "Title:" then its lines indented by two. */
function block(title: string, lines: readonly string[]): string {
  return `${title}:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
}

/** "Example" or "Examples". */
function examplesTitle(n: number): string {
  return n === 1 ? "Example" : "Examples";
}

/**
 * The help of one command (`autostart COMMAND --help`).
 *
 * @param command the command
 * @param table the table it belongs to (for the program name)
 * @returns the help text
 */
export function renderCommandHelp(
  command: CommandDef,
  table: CommandTable = TABLE,
): string {
  const p = table.program;
  const parts: string[] = [];
  parts.push(
    command.usage.map((u, i) => `${i === 0 ? "Usage:" : "      "} ${p} ${u}`)
      .join("\n") + "\n",
  );
  for (const para of command.description) {
    parts.push(wrap(para, WIDTH).join("\n") + "\n");
  }
  for (const s of command.sections ?? []) parts.push(block(s.title, s.lines));
  for (const para of command.notes ?? []) {
    parts.push(wrap(para, WIDTH).join("\n") + "\n");
  }
  const own = optionLines(command.options);
  if (own.length) parts.push(`Options:\n${own.join("\n")}\n`);
  for (const sub of command.commands ?? []) {
    const lines = optionLines(sub.options);
    if (lines.length) {
      parts.push(`Options of ${sub.name}:\n${lines.join("\n")}\n`);
    }
  }
  if (command.examples.length) {
    parts.push(block(examplesTitle(command.examples.length), command.examples));
  }
  return parts.join("\n");
}

/**
 * The main help (`autostart --help`).
 *
 * @param table the command table
 * @returns the help text
 */
export function renderMainHelp(table: CommandTable = TABLE): string {
  const p = table.program;
  const usage = synopsisLines(table).map((s) => `${p} ${s}`);
  const exits = table.exitCodes.map((e) => `${e.code} ${e.meaning}`).join(", ");
  const parts = [
    `${p}: ${table.summary}\n`,
    block("Usage", usage),
    block(examplesTitle(table.examples.length), table.examples),
  ];
  if (table.globalOptions.length) {
    parts.push(
      `Global option${table.globalOptions.length > 1 ? "s" : ""}:\n${
        optionLines(table.globalOptions).join("\n")
      }\n`,
    );
  }
  parts.push(
    wrap(
      `Exit codes: ${exits}. Run "${p} COMMAND --help" for the options of a command.`,
      WIDTH,
    ).join("\n") + "\n",
  );
  return parts.join("\n");
}

/**
 * The help of a command named by a word (name or alias), or `undefined`.
 *
 * @param name the command's name or alias
 * @param table the command table
 * @returns its help text, or `undefined` when there is no such command
 */
export function helpOf(
  name: string,
  table: CommandTable = TABLE,
): string | undefined {
  const c = commandOf([name], table);
  return c && renderCommandHelp(c, table);
}
