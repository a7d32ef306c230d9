/**
 * Reading back what a managed file holds: {@link ServiceFields} are the fields `enable`
 * took, as a driver's file stores them. Each renderer has its reader beside it
 * (templates/systemd_unit.ts `readSystemdUnit`, templates/launchd_plist.ts
 * `readLaunchdPlist`, templates/runit_scripts.ts `readRunitFiles`,
 * templates/openrc_script.ts `readOpenrcScript`), so a field is written and read in
 * one place; `show`, `export`, `status --json` and the change report of a re-enable use
 * them through {@link Driver.readBack}.
 *
 * @module
 */

import type { Condition, KeepAliveMode, ServiceSpec } from "./spec.ts";

/**
 * The fields of a service as its file stores them: the `enable` options, resolved
 * (absolute program, account by name). Absent optional fields were not given.
 */
export interface ServiceFields {
  /** Service name. */
  name: string;
  /** Absolute path of the program. */
  program: string;
  /** Arguments after the program. */
  args: string[];
  /** When it starts. */
  condition: Condition;
  /** When it is restarted. */
  keepAlive: KeepAliveMode;
  /** Environment, in file order (PATH included when it was inherited). */
  env: [string, string][];
  /** Working directory. */
  cwd?: string;
  /** Account of a boot service (login services run as the user who logs in). */
  user?: string;
  /** `--log-dir`, when given (the driver's default log place is not one). */
  logDir?: string;
  /** Pause before a restart, in milliseconds, as precise as the file keeps it. */
  restartDelayMs: number;
  /** `--stop-timeout`, in milliseconds, as precisely as the file keeps it. */
  stopTimeoutMs?: number;
  /**
   * `--restart-max-delay`, in milliseconds: the cap of the crash-loop backoff, equal to
   * the restart delay when the file does not back off (no keep-alive, or a cap equal to
   * the delay); absent for formats that cannot back off (launchd, OpenRC).
   */
  restartMaxDelayMs?: number;
  /** `false` when the file says it must not start (`--no-start`); absent: unknown or true. */
  start?: boolean;
  /**
   * Path of the 0600 copy of `--env-file` the file reads at each start (systemd
   * `EnvironmentFile=`); its variables are not in {@link ServiceFields.env}.
   */
  envFile?: string;
}

/** A managed file read back: its path, its exact text, and its fields. */
export interface ReadBack {
  /** Driver id. */
  driver: string;
  /** The main managed file (unit, plist, run script, init script). */
  file: string;
  /** Its exact content. */
  content: string;
  /** What it holds. */
  fields: ServiceFields;
}

/**
 * The fields of a validated spec as a file would store them (the expected side of the
 * render → read property).
 */
export function fieldsOfSpec(spec: ServiceSpec): ServiceFields {
  const f: ServiceFields = {
    name: spec.name,
    program: spec.program,
    args: [...spec.args],
    condition: spec.condition,
    keepAlive: spec.keepAlive,
    env: spec.env.map(([k, v]) => [k, v]),
    restartDelayMs: spec.restartDelayMs,
  };
  if (spec.cwd !== undefined) f.cwd = spec.cwd;
  if (spec.condition === "boot" && spec.runAs) f.user = spec.runAs.name;
  if (spec.logDir !== undefined) f.logDir = spec.logDir;
  if (spec.stopTimeoutMs !== undefined) f.stopTimeoutMs = spec.stopTimeoutMs;
  // Backs off only when it restarts and the cap is above the delay (as the renderers).
  const max = spec.restartMaxDelayMs;
  f.restartMaxDelayMs =
    spec.keepAlive !== "false" && max !== undefined && max > spec.restartDelayMs
      ? max
      : spec.restartDelayMs;
  return f;
}

/** A field that differs between two versions of a service, in words. */
export interface FieldChange {
  /** Field name, as the manifest and `show --json` call it. */
  field: string;
  /** Before, as shown to users (`null`: not set). */
  before: string | null;
  /** After (`null`: not set). */
  after: string | null;
}

/** Display words of each field, in the order `show` prints them. */
export function fieldWords(f: ServiceFields): Record<string, string | null> {
  return {
    command: JSON.stringify([f.program, ...f.args]),
    cwd: f.cwd ?? null,
    env: f.env.length
      ? f.env.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")
      : null,
    condition: f.condition,
    keepAlive: f.keepAlive,
    restartDelay: `${f.restartDelayMs}ms`,
    // No restarts: no backoff to speak of.
    restartMaxDelay:
      f.restartMaxDelayMs === undefined || f.keepAlive === "false"
        ? null
        : `${f.restartMaxDelayMs}ms`,
    stopTimeout: f.stopTimeoutMs === undefined ? null : `${f.stopTimeoutMs}ms`,
    user: f.user ?? null,
    logDir: f.logDir ?? null,
  };
}

/**
 * What differs between the installed fields and the new ones, field by field (`env` per
 * variable, so a dropped variable is named). Secret-looking values are masked with
 * `mask` (see {@link maskValue}).
 */
export function diffFields(
  before: ServiceFields,
  after: ServiceFields,
  mask: (name: string, value: string) => string = (_n, v) => v,
): FieldChange[] {
  const out: FieldChange[] = [];
  const a = fieldWords(before), b = fieldWords(after);
  for (const k of Object.keys(a)) {
    if (k === "env") continue;
    // A format that cannot back off keeps no cap: nothing to compare.
    if (k === "restartMaxDelay" && before.restartMaxDelayMs === undefined) {
      continue;
    }
    if (a[k] !== b[k]) out.push({ field: k, before: a[k]!, after: b[k]! });
  }
  const envA = new Map(before.env), envB = new Map(after.env);
  for (const k of new Set([...envA.keys(), ...envB.keys()])) {
    const x = envA.get(k), y = envB.get(k);
    if (x === y) continue;
    out.push({
      field: `env.${k}`,
      before: x === undefined ? null : mask(k, x),
      after: y === undefined ? null : mask(k, y),
    });
  }
  return out;
}

/** Names that look like they hold a secret: TOKEN, SECRET, PASSWORD, KEY, ... */
export const SECRET_NAME =
  /TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|(^|_)PASS($|_)|(^|_)PWD$|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|CERT|DSN|_URL$|CONN(ECTION)?_?STR/i;

/** `value`, or `********` when `name` looks like a secret's (unless `reveal`). */
export function maskValue(name: string, value: string, reveal = false): string {
  if (reveal || name === "PATH" || !SECRET_NAME.test(name)) return value;
  return value === "" ? "" : "********";
}

/**
 * The statements of a shell script as the runit and OpenRC renderers write them: one
 * word list per line that is not a comment, with words single-quoted by a `shQuote`
 * (`'\''` for a quote) read back exactly, even across lines. Unquoted text (`"$1"`,
 * `-u`) is taken as it stands, without double quotes; a line ends at an unquoted
 * newline, and `||` ends its words (the rest of that line is skipped).
 */
export function shStatements(text: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let w: string | null = null;
  const endWord = () => {
    if (w !== null) words.push(w);
    w = null;
  };
  const endLine = () => {
    endWord();
    if (words.length) out.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const lineStart = i === 0 || text[i - 1] === "\n";
    if (
      (c === "#" && lineStart && words.length === 0 && w === null) ||
      (c === "|" && text[i + 1] === "|")
    ) {
      const nl = text.indexOf("\n", i);
      i = (nl < 0 ? text.length : nl) - 1;
      if (c === "|") endWord();
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      w = (w ?? "") + text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (c === "\\") {
      w = (w ?? "") + (text[i + 1] ?? "");
      i++;
    } else if (c === " " || c === "\t") endWord();
    else if (c === "\n") endLine();
    else if (c !== '"') w = (w ?? "") + c;
  }
  endLine();
  return out;
}
