/**
 * `autostart show NAME [--condition=...] [--file] [--reveal] [--json]`: what a service
 * runs, read back from the file autostart wrote (like `systemctl cat`, `pm2 show`,
 * `brew services info`).
 *
 * @module
 */

import { OperationError, UsageError } from "../../core/errors.ts";
import { formatDuration } from "../../core/manifest.ts";
import { query } from "../../core/operations.ts";
import { parseEnvFile } from "../../core/env_file.ts";
import type { FileSystem } from "../../core/fs.ts";
import { maskValue, type ReadBack, SECRET_NAME } from "../../core/read_back.ts";
import { shellQuote } from "../../core/plan.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { locate, targetOf } from "../locate.ts";
import { palette } from "../output.ts";
import { keepAliveWords } from "./enable.ts";

/** Version of the `show --json` document. */
export const SHOW_SCHEMA_VERSION = 1;

/** Secret-looking variables of a read-back service whose value is not empty. */
function secrets(rb: ReadBack): [string, string][] {
  return rb.fields.env.filter(([k, v]) =>
    k !== "PATH" && SECRET_NAME.test(k) && v !== ""
  );
}

/**
 * The file's text with the values of secret-looking variables masked, or `null` when a
 * value is not in the file as it stands (escaped), so it cannot be masked in place.
 */
export function maskFile(rb: ReadBack): string | null {
  let text = rb.content;
  for (const [, v] of secrets(rb)) {
    if (v.length < 4 || !text.includes(v)) return null;
    text = text.split(v).join("********");
  }
  return text;
}

/**
 * The variables of the env-file copy at `path`, read through `fs`; `null` when the copy
 * is missing, unreadable by this user, or no longer parses.
 */
export async function readEnvCopy(
  fs: FileSystem,
  path: string,
): Promise<[string, string][] | null> {
  try {
    const text = await fs.readText(path);
    return text === null ? null : parseEnvFile(text, path);
  } catch {
    return null;
  }
}

/** Runs `show`. */
export async function showCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, optionsOf("show"), "show");
  const { name, condition } = targetOf(a, "autostart show NAME");
  const reveal = a.values.reveal === true;
  const ctx = await app.context();
  const located = await locate(app, name, condition);
  const { driver } = located;
  const { status = located.status, read: rb } = await query(
    ctx,
    driver,
    located.status,
  );
  if (!rb) {
    throw new OperationError(
      `Cannot show "${name}": the ${driver.id} driver cannot read back its file${
        status.file ? ` (${status.file})` : ""
      }`,
      { hint: status.file ? `read it with: cat ${status.file}` : undefined },
    );
  }
  if (a.values.file) {
    const text = reveal ? rb.content : maskFile(rb);
    if (text === null) {
      throw new UsageError(
        `The file of "${name}" holds secret-looking values that cannot be masked in place`,
        `add --reveal to print it exactly (${rb.file})`,
      );
    }
    app.io.out(text.endsWith("\n") ? text : `${text}\n`);
    if (!reveal && secrets(rb).length) {
      app.io.err(
        `note: values of ${
          secrets(rb).map(([k]) => k).join(", ")
        } are masked; add --reveal to see them\n`,
      );
    }
    return 0;
  }
  const f = rb.fields;
  const env = f.env.map(([k, v]) => [k, maskValue(k, v, reveal)] as const);
  const fileVars = f.envFile === undefined
    ? null
    : await readEnvCopy(ctx.fs, f.envFile);
  const fileEnv = (fileVars ?? []).map(([k, v]) =>
    [k, maskValue(k, v, reveal)] as const
  );
  const fileMasked = (fileVars ?? []).filter(([k, v]) =>
    SECRET_NAME.test(k) && v !== "" && !reveal
  ).map(([k]) => k);
  if (a.values.json) {
    app.io.out(
      JSON.stringify(
        {
          schemaVersion: SHOW_SCHEMA_VERSION,
          name: f.name || name,
          driver: driver.id,
          condition: status.condition,
          file: rb.file,
          command: [f.program, ...f.args],
          cwd: f.cwd ?? null,
          env: Object.fromEntries(env),
          envFile: f.envFile === undefined ? null : {
            path: f.envFile,
            readable: fileVars !== null,
            env: fileVars === null ? null : Object.fromEntries(fileEnv),
          },
          keepAlive: f.keepAlive,
          restartDelayMs: f.restartDelayMs,
          restartMaxDelayMs: f.restartMaxDelayMs ?? null,
          stopTimeoutMs: f.stopTimeoutMs ?? null,
          user: f.user ?? null,
          logDir: f.logDir ?? null,
          state: status.state,
          drifted: status.drifted,
          ...(reveal
            ? {}
            : { masked: [...secrets(rb).map(([k]) => k), ...fileMasked] }),
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  const p = palette(app.io.color);
  const rows: [string, string][] = [
    ["file", rb.file + (status.drifted ? p.yellow(" (edited by hand)") : "")],
    ["command", [f.program, ...f.args].map(shellQuote).join(" ")],
    ["working dir", f.cwd ?? "(not set)"],
  ];
  if (env.length === 0) rows.push(["environment", "(none)"]);
  env.forEach(([k, v], i) =>
    rows.push([
      i === 0 ? "environment" : "",
      `${k}=${v === f.env[i]![1] ? shellQuote(v) : v}`,
    ])
  );
  if (f.envFile !== undefined) {
    rows.push([
      "env file",
      fileVars === null ? `${f.envFile} (not readable by you)` : f.envFile,
    ]);
    fileEnv.forEach(([k, v], i) =>
      rows.push(["", `${k}=${v === fileVars![i]![1] ? shellQuote(v) : v}`])
    );
  }
  rows.push(
    ["starts", status.condition === "boot" ? "at boot" : "at login"],
    ["keep-alive", `${f.keepAlive} (${keepAliveWords(f.keepAlive)})`],
    ["restart delay", formatDuration(f.restartDelayMs)],
    [
      "max delay",
      f.restartMaxDelayMs === undefined
        ? "(none: the init system cannot back off)"
        : f.restartMaxDelayMs > f.restartDelayMs
        ? `${formatDuration(f.restartMaxDelayMs)} (crash loops back off)`
        : `${formatDuration(f.restartMaxDelayMs)} (no backoff)`,
    ],
    [
      "stop timeout",
      f.stopTimeoutMs === undefined
        ? "(the init system's default)"
        : formatDuration(f.stopTimeoutMs),
    ],
  );
  if (f.user !== undefined) rows.push(["user", f.user]);
  rows.push(["log dir", f.logDir ?? "(the driver's default)"]);
  rows.push([
    "state",
    `${status.state}${status.pid !== null ? ` (pid ${status.pid})` : ""}`,
  ]);
  app.io.out(
    `${p.bold(f.name || name)} (${driver.id}, ${status.condition})\n` +
      rows.map(([k, v]) => `  ${(k ? `${k}:` : "").padEnd(15)}${v}\n`).join(""),
  );
  if (!reveal && (secrets(rb).length || fileMasked.length)) {
    app.io.out(
      `${
        p.dim("note")
      }: values of secret-looking variables are masked; add --reveal to see them\n`,
    );
  }
  return 0;
}
