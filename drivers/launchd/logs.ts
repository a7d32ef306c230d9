/**
 * Where a launchd job's output goes (the plist's StandardOutPath and
 * StandardErrorPath) and `autostart logs` of it.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { LogOptions, ServiceRef } from "../../core/driver.ts";
import {
  HINT_SEE_STATUS,
  OperationError,
  UsageError,
} from "../../core/errors.ts";
import { tailFiles } from "../../core/log_tail.ts";
import type { PlistCodec } from "../../templates/launchd_plist.ts";
import { plistPath } from "./paths.ts";
import type { LaunchdDriverId } from "./plan.ts";

/**
 * The last lines of the files named by the plist's StandardOutPath and
 * StandardErrorPath, then (with `follow`) what is appended to them.
 *
 * @param driver The driver's id and kind.
 * @param codec The plist parser.
 */
export async function* launchdLogs(
  driver: LaunchdDriverId,
  codec: PlistCodec,
  ref: ServiceRef,
  options: LogOptions,
  ctx: Context,
): AsyncGenerator<string> {
  if (options.since !== undefined) {
    throw new UsageError(
      `--since cannot be used with ${driver.id}: its log files have no timestamps`,
      "use -n to choose how many lines to show",
    );
  }
  const path = plistPath(driver.kind, ctx, ref);
  const text = await ctx.fs.readText(path);
  if (text === null) {
    throw new OperationError(`Cannot read ${path}: it does not exist`, {
      hint: HINT_SEE_STATUS,
    });
  }
  const files = logPathsOfPlist(codec.parse(text));
  if (files.length === 0) {
    throw new OperationError(
      `"${ref.name}" has no log file: ${path} sets neither StandardOutPath nor StandardErrorPath`,
      {
        hint:
          `enable it again with autostart (it always sets a log file), e.g. with --log-dir DIR`,
      },
    );
  }
  yield* tailFiles(files, {
    lines: options.lines,
    follow: options.follow,
    fs: ctx.fs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * The log files a plist names (StandardOutPath, StandardErrorPath), without repeats,
 * a relative one in its WorkingDirectory.
 */
export function logPathsOfPlist(plist: unknown): string[] {
  if (typeof plist !== "object" || plist === null) return [];
  const o = plist as Record<string, unknown>;
  // launchd opens a relative path in the job's working directory (`/` when the plist
  // sets none), as Lima's LaunchAgent has it: `launchd.stdout.log` in the instance
  // directory.
  const cwd = typeof o.WorkingDirectory === "string" &&
      o.WorkingDirectory.startsWith("/")
    ? o.WorkingDirectory.replace(/\/+$/, "")
    : "";
  const out: string[] = [];
  for (const k of ["StandardOutPath", "StandardErrorPath"]) {
    const v = o[k];
    if (typeof v !== "string" || v === "") continue;
    const path = v.startsWith("/") ? v : `${cwd}/${v}`;
    if (!out.includes(path)) out.push(path);
  }
  return out;
}
