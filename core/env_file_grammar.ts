/**
 * The grammar of `.env` files both ways: {@link parseEnvFile} reads what people write,
 * {@link renderEnvFile} writes the canonical form autostart keeps. The rules are in
 * `core/env_file.ts`, which re-exports both.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EXPANSION = /\$(?:[A-Za-z_{]|\d)/;

/**
 * Parses the text of an env file (grammar in the module doc).
 * @param text File content.
 * @param file Name shown in errors.
 * @returns the assignments in file order (a repeated name keeps its last value, at the
 *   position of its first appearance)
 * @throws {UsageError} naming the file and line of the first problem
 *
 * @example Usage
 * ```ts
 * import { parseEnvFile } from "./env_file_grammar.ts";
 * const vars = parseEnvFile('export A="two words" # note\nB=\'$x\'\n', "app.env");
 * console.assert(vars[0]![1] === "two words" && vars[1]![1] === "$x");
 * ```
 */
export function parseEnvFile(text: string, file: string): [string, string][] {
  const out = new Map<string, string>();
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  let i = 0;
  let line = 1;
  const fail = (at: number, why: string, hint?: string): never => {
    throw new UsageError(
      `Invalid --env-file ${JSON.stringify(file)}, line ${at}: ${why}`,
      hint ?? "see `autostart help enable` for the accepted .env syntax",
    );
  };
  while (i < src.length) {
    const eol = src.indexOf("\n", i);
    const end = eol < 0 ? src.length : eol;
    const raw = src.slice(i, end);
    const start = line;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      i = end + 1;
      line++;
      continue;
    }
    let body = raw.replace(/^[ \t]+/, "");
    let pos = i + (raw.length - body.length);
    const exp = /^export[ \t]+/.exec(body);
    if (exp) {
      body = body.slice(exp[0].length);
      pos += exp[0].length;
    }
    const eq = body.indexOf("=");
    if (eq < 0) {
      fail(
        start,
        `${JSON.stringify(body.slice(0, 40))} has no "=" (expected NAME=VALUE)`,
      );
    }
    const name = body.slice(0, eq);
    if (/[ \t]$/.test(name)) {
      fail(start, `a blank before "=" (write NAME=VALUE with no spaces)`);
    }
    if (!NAME.test(name)) {
      fail(
        start,
        `${
          JSON.stringify(name.slice(0, 40))
        } is not a valid variable name (letters, digits and "_", not starting with a digit)`,
      );
    }
    pos += eq + 1;
    const first = src[pos];
    let value: string;
    if (first === "'" || first === '"') {
      const r = first === "'"
        ? readSingle(src, pos + 1)
        : readDouble(src, pos + 1, start, fail);
      if (r === null) {
        fail(
          start,
          `the ${
            first === "'" ? "single" : "double"
          } quote of ${name} is never closed`,
        );
      }
      value = r!.value;
      line += r!.newlines;
      const restEnd = src.indexOf("\n", r!.next);
      const rest = src.slice(r!.next, restEnd < 0 ? src.length : restEnd);
      if (!/^(?:[ \t]*|[ \t]+#.*)$/.test(rest)) {
        fail(
          line,
          `unexpected ${
            JSON.stringify(rest.trim().slice(0, 20))
          } after the closing quote of ${name}`,
          "put the whole value inside the quotes",
        );
      }
      i = restEnd < 0 ? src.length : restEnd + 1;
    } else {
      const lineEnd = eol < 0 ? src.length : eol;
      let v = src.slice(pos, lineEnd);
      if (/^[ \t]/.test(v) && v.trim() !== "" && !/^[ \t]+#/.test(v)) {
        fail(
          start,
          `a blank after "=" (a shell would run the rest of the line as a command)`,
          `write ${name}=VALUE, or quote it: ${name}="..."`,
        );
      }
      const c = /[ \t]#/.exec(v);
      if (c) v = v.slice(0, c.index);
      v = v.trim();
      if (v.includes("#")) {
        fail(
          start,
          `the value of ${name} has a "#" inside it, which dotenv reads as a comment and systemd does not`,
          `quote the whole value: ${name}='...'`,
        );
      }
      if (/['"\\]/.test(v)) {
        fail(
          start,
          `the value of ${name} has a quote or backslash inside it, which dotenv, systemd and sh read differently`,
          `quote the whole value: ${name}='...' keeps every character as it is`,
        );
      }
      if (EXPANSION.test(v)) {
        fail(
          start,
          `the value of ${name} looks like a variable reference ("$..."); autostart does not expand variables`,
          `write the value out, or use single quotes to keep the "$": ${name}='...'`,
        );
      }
      value = v;
      i = lineEnd + 1;
    }
    line++;
    out.set(name, value);
  }
  return [...out];
}

function readSingle(
  src: string,
  from: number,
): { value: string; next: number; newlines: number } | null {
  const close = src.indexOf("'", from);
  if (close < 0) return null;
  const value = src.slice(from, close);
  return { value, next: close + 1, newlines: value.split("\n").length - 1 };
}

function readDouble(
  src: string,
  from: number,
  start: number,
  fail: (at: number, why: string, hint?: string) => never,
): { value: string; next: number; newlines: number } | null {
  let value = "";
  let newlines = 0;
  for (let p = from; p < src.length; p++) {
    const c = src[p]!;
    if (c === '"') return { value, next: p + 1, newlines };
    if (c === "\n") newlines++;
    if (c === "$" && EXPANSION.test(src.slice(p, p + 2))) {
      fail(
        start + newlines,
        `a variable reference ("$...") inside double quotes; autostart does not expand variables`,
        `write \\$ for a literal "$", or use single quotes`,
      );
    }
    if (c !== "\\") {
      value += c;
      continue;
    }
    const n = src[++p];
    if (n === "n") value += "\n";
    else if (n === '"' || n === "\\" || n === "$" || n === "`") value += n;
    else {
      fail(
        start + newlines,
        `unknown escape ${
          JSON.stringify(`\\${n ?? ""}`)
        } inside double quotes (accepted: \\n \\" \\\\ \\$ \\\`)`,
        "write \\\\ for a backslash, or use single quotes",
      );
    }
  }
  return null;
}

/**
 * Renders assignments in the canonical form autostart keeps: one `NAME="VALUE"` per
 * assignment with `\`, `"`, `$` and `` ` `` backslash-escaped and newlines kept raw
 * (inside the quotes). systemd's `EnvironmentFile=` parser and {@link parseEnvFile}
 * both read it back exactly.
 *
 * @example Usage
 * ```ts
 * import { parseEnvFile, renderEnvFile } from "./env_file_grammar.ts";
 * const vars: [string, string][] = [["A", 'say "hi" $x\\']];
 * console.assert(JSON.stringify(parseEnvFile(renderEnvFile(vars, ""), "f")) === JSON.stringify(vars));
 * ```
 */
export function renderEnvFile(
  vars: readonly [string, string][],
  header: string,
): string {
  const lines = header === "" ? [] : header.split("\n").map((l) => `# ${l}`);
  for (const [k, v] of vars) {
    lines.push(`${k}="${v.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`);
  }
  return lines.join("\n") + "\n";
}
