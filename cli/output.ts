/**
 * Output of the command line: where text goes, colour (only on a TTY, never with
 * `NO_COLOR`), tables, durations, and the printing of errors.
 *
 * @module
 */

import { AutostartError, OperationError } from "../core/errors.ts";

/** Where a command writes, and what it knows about its terminal. */
export interface Io {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Colour is allowed on standard output. */
  color: boolean;
  /** Colour is allowed on standard error. */
  colorErr: boolean;
  /** Standard error is a terminal (spinners; shown even with `NO_COLOR`). */
  interactiveErr?: boolean;
  /**
   * Asks a yes/no question on the terminal; absent when standard input or error is not
   * a terminal (then nothing can be asked and a command needs `--yes`).
   */
  confirm?(question: string): Promise<boolean>;
}

/** Whether an answer to a yes/no question means yes (`y`, `yes`, any case). */
export function isYes(answer: string | null): boolean {
  return /^\s*y(es)?\s*$/i.test(answer ?? "");
}

/** Reads one line of standard input (without its newline); `null` at its end. */
async function readLine(): Promise<string | null> {
  const buf = new Uint8Array(1);
  const bytes: number[] = [];
  while (true) {
    const n = await Deno.stdin.read(buf);
    if (n === null) {
      return bytes.length
        ? new TextDecoder().decode(new Uint8Array(bytes))
        : null;
    }
    if (buf[0] === 10) break;
    bytes.push(buf[0]!);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * Whether to colour a stream: never with `NO_COLOR` (non-empty), always with
 * `FORCE_COLOR` (non-empty and not `0` or `false`, e.g. in CI logs or through a pager),
 * never with `FORCE_COLOR=0`, otherwise only on a terminal whose `TERM` is not `dumb`.
 *
 * @example Usage
 * ```ts
 * import { colorWanted } from "./output.ts";
 * console.assert(colorWanted({ FORCE_COLOR: "1" }, false) === true);
 * console.assert(colorWanted({ FORCE_COLOR: "1", NO_COLOR: "1" }, true) === false);
 * ```
 */
export function colorWanted(
  env: Record<string, string | undefined>,
  isTerminal: boolean,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") {
    return force !== "0" && force.toLowerCase() !== "false";
  }
  return env.TERM !== "dumb" && isTerminal;
}

/** The process's own streams. */
export function denoIo(env: Record<string, string> = Deno.env.toObject()): Io {
  const enc = new TextEncoder();
  return {
    out: (t) => writeAll(Deno.stdout, enc.encode(t)),
    err: (t) => writeAll(Deno.stderr, enc.encode(t)),
    color: colorWanted(env, Deno.stdout.isTerminal()),
    colorErr: colorWanted(env, Deno.stderr.isTerminal()),
    interactiveErr: env.TERM !== "dumb" && Deno.stderr.isTerminal(),
    ...(Deno.stdin.isTerminal() && Deno.stderr.isTerminal()
      ? {
        confirm: async (question: string) => {
          writeAll(Deno.stderr, enc.encode(`${question} [y/N] `));
          return isYes(await readLine());
        },
      }
      : {}),
  };
}

function writeAll(w: { writeSync(p: Uint8Array): number }, data: Uint8Array) {
  let off = 0;
  while (off < data.length) off += w.writeSync(data.subarray(off));
}

/** A colour function: wraps text in an ANSI style when `on`. */
export type Paint = (text: string) => string;

/** ANSI styles, as functions that do nothing when colour is off. */
export function palette(
  on: boolean,
): Record<"red" | "green" | "yellow" | "dim" | "bold", Paint> {
  const s = (open: number, close: number): Paint => (t) =>
    on ? `\x1b[${open}m${t}\x1b[${close}m` : t;
  return {
    red: s(31, 39),
    green: s(32, 39),
    yellow: s(33, 39),
    dim: s(2, 22),
    bold: s(1, 22),
  };
}

/** Visible width of a string (ANSI escapes not counted). */
export function visibleWidth(s: string): number {
  // deno-lint-ignore no-control-regex
  return [...s.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/** Renders rows as a left-aligned table with a header. */
export function table(
  header: string[],
  rows: string[][],
  paintHeader: Paint = (t) => t,
): string {
  const widths = header.map((h, i) =>
    Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? "")))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) =>
      i === cells.length - 1 ? c : c + " ".repeat(widths[i]! - visibleWidth(c))
    ).join("  ").trimEnd();
  return [paintHeader(line(header)), ...rows.map(line)].join("\n") + "\n";
}

/** Formats seconds as a short duration: `45s`, `3m12s`, `2h5m`, `3d4h`. */
export function shortDuration(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
  if (s < 86400) {
    return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  }
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** Prints an error the way every command does: message, failed command, next step. */
export function printError(io: Io, e: unknown, json: boolean): number {
  if (e instanceof AutostartError) {
    if (json) {
      const body: Record<string, unknown> = {
        error: { message: e.message, exitCode: e.exitCode, kind: e.name },
      };
      const err = body.error as Record<string, unknown>;
      if (e.hint) err.hint = e.hint;
      // A manifest's problems, each with its path in the file.
      if ("problems" in e) err.problems = e.problems;
      if (e instanceof OperationError) {
        if (e.command) err.command = e.command;
        if (e.rollbackProblems.length) {
          err.rollbackProblems = e.rollbackProblems;
        }
      }
      io.out(JSON.stringify(body, null, 2) + "\n");
    }
    const p = palette(io.colorErr);
    let text = `${p.red("error")}: ${e.message}\n`;
    if (e instanceof OperationError && e.rollbackProblems.length) {
      text += `Rollback was incomplete:\n${
        e.rollbackProblems.map((x) => `  - ${x}\n`).join("")
      }`;
    }
    if (e.hint) text += `${p.bold("hint")}: ${e.hint}\n`;
    io.err(text);
    return e.exitCode;
  }
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  io.err(`error: unexpected failure: ${msg}\nPlease report this as a bug.\n`);
  return 1;
}
