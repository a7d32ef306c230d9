/**
 * What a runit service's files hold: {@link runitReadBack} reads back the fields
 * `enable` took (for `show`, `export`, a re-enable's change report), and
 * {@link runitLogs} tails the svlogd log the `log/run` script names, with
 * core/log_tail.ts.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { LogOptions, ServiceRef } from "../../core/driver.ts";
import { UsageError } from "../../core/errors.ts";
import { tailFiles } from "../../core/log_tail.ts";
import type { ReadBack } from "../../core/read_back.ts";
import {
  readRunitFiles,
  RUNIT_MARKER_TEXT,
  runitLogDirOf,
} from "../../templates/runit_scripts.ts";
import { runitLogDir, runitPaths } from "./paths.ts";

/** The fields of a managed service, read back from its files, or `null` (none, or not ours). */
export async function runitReadBack(
  ref: ServiceRef,
  ctx: Context,
): Promise<ReadBack | null> {
  const p = runitPaths(ref, ctx);
  const run = await ctx.fs.readText(p.run).catch(() => null);
  if (run === null || !run.includes(RUNIT_MARKER_TEXT)) return null;
  const [finish, logRun] = await Promise.all(
    [p.finish, p.logRun].map((f) => ctx.fs.readText(f).catch(() => null)),
  );
  const defaultLog = runitLogDir(
    { name: ref.name, condition: ref.condition },
    ctx,
  );
  const fields = readRunitFiles(
    { run, finish: finish ?? null, logRun: logRun ?? null },
    defaultLog,
    await ctx.fs.exists(p.down),
  );
  return { driver: "runit", file: p.run, content: run, fields };
}

/**
 * The program's output, from svlogd's `current` file in the directory its `log/run`
 * names: the last lines, then with `follow` appended ones until `options.signal`
 * aborts (a rotation by svlogd, which renames `current` away, is followed).
 */
export async function* runitLogs(
  ref: ServiceRef,
  options: LogOptions,
  ctx: Context,
): AsyncGenerator<string> {
  const p = runitPaths(ref, ctx);
  const dir = runitLogDirOf((await ctx.fs.readText(p.logRun)) ?? "");
  if (dir === null) {
    throw new UsageError(
      `"${ref.name}" has no runit log service (no ${p.logRun})`,
    );
  }
  yield* tailFiles([`${dir}/current`], {
    lines: options.lines,
    follow: options.follow,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
