/**
 * Quoting of user strings in systemd unit files, and its inverse: `ExecStart=` words
 * and path, `Environment=` assignments, path settings, and time spans. Each writer has
 * its reader here, so a round trip is exact (pinned against a real systemd by the e2e
 * tests).
 *
 * @module
 */

/** Escapes shared by every quoted setting: `\\`, `"`, `%`, optionally `$`, control characters. */
function escapeCommon(s: string, dollar: boolean): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "%") out += "%%";
    else if (ch === "$" && dollar) out += "$$";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) {
      out += "\\x" + c.toString(16).padStart(2, "0");
    } else out += ch;
  }
  return out;
}

/**
 * Quotes the executable of `ExecStart=`: like {@link escapeExecArg} but `$` stays single,
 * since systemd expands no variables in the executable path (and would look for `$$`).
 * The path must not contain `"`, `'` or `\`, which systemd refuses there (checked by
 * the driver before rendering).
 */
export function escapeExecPath(path: string): string {
  return `"${escapeCommon(path, false)}"`;
}

/** Characters systemd refuses in the executable path of `ExecStart=` (checked with systemd 252). */
export const EXEC_PATH_FORBIDDEN: RegExp = /["'\\]/;

/**
 * Quotes one `ExecStart=` word so systemd passes it to the program exactly: wrapped in
 * double quotes, `\` and `"` backslash-escaped, control characters C-escaped, `%`
 * doubled (specifiers) and `$` doubled (variable expansion).
 *
 * @example Usage
 * ```ts
 * import { escapeExecArg } from "./systemd_escape.ts";
 * console.assert(escapeExecArg('say "hi" 100% $HOME') === '"say \\"hi\\" 100%% $$HOME"');
 * ```
 */
export function escapeExecArg(arg: string): string {
  return `"${escapeCommon(arg, true)}"`;
}

/**
 * Quotes one `Environment=` assignment: `"KEY=VALUE"` with `\`, `"` and control
 * characters escaped and `%` doubled. `$` is literal there (systemd does not expand it).
 */
export function escapeEnvAssignment(key: string, value: string): string {
  return `"${key}=${escapeCommon(value, false)}"`;
}

/** Escapes a path setting (`WorkingDirectory=`, `append:`): `%` doubled. */
export function escapePathSetting(path: string): string {
  return path.replaceAll("%", "%%");
}

/**
 * Reads the quoted words of an `ExecStart=` or `Environment=` value written by
 * {@link escapeExecArg} / {@link escapeEnvAssignment}: backslash escapes, `%%` → `%`,
 * and `$$` → `$` in the words where `dollar(i)` is true.
 */
export function unquoteWords(
  value: string,
  dollar: (index: number) => boolean,
): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === " ") {
      i++;
      continue;
    }
    if (value[i] !== '"') {
      throw new SyntaxError(`expected a quoted word at ${i} in ${value}`);
    }
    const d = dollar(words.length);
    let w = "";
    for (i++; i < value.length && value[i] !== '"'; i++) {
      const c = value[i]!;
      const n = value[i + 1];
      if (c === "\\") {
        i++;
        if (n === "n") w += "\n";
        else if (n === "t") w += "\t";
        else if (n === "r") w += "\r";
        else if (n === "x") {
          w += String.fromCharCode(parseInt(value.slice(i + 1, i + 3), 16));
          i += 2;
        } else w += n ?? "";
      } else if ((c === "%" && n === "%") || (c === "$" && n === "$" && d)) {
        w += c;
        i++;
      } else w += c;
    }
    if (value[i] !== '"') {
      throw new SyntaxError(`unterminated word in ${value}`);
    }
    i++;
    words.push(w);
  }
  return words;
}

/** `%%` → `%` in a path setting ({@link escapePathSetting} undone). */
export function unescapePathSetting(path: string): string {
  return path.replaceAll("%%", "%");
}

/** Formats milliseconds as a systemd time span (`2s`, `500ms`). */
export function formatTimespan(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Parses a systemd time span as {@link formatTimespan} writes it (`2s`, `500ms`, `1min`). */
export function parseTimespan(value: string): number {
  let ms = 0;
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    sec: 1000,
    m: 60_000,
    min: 60_000,
    h: 3_600_000,
    "": 1000,
  };
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)\s*(ms|sec|s|min|m|h|)/g)) {
    ms += Number(m[1]) * (units[m[2]!] ?? 1000);
  }
  return Math.round(ms);
}
