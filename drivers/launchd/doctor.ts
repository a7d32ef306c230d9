/**
 * launchd's checks for `autostart doctor`.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { Availability, Check, ServiceStatus } from "../../core/driver.ts";
import { type LogFile, logSizeChecks, mebibytes } from "../../core/log_size.ts";
import type { Condition } from "../../core/spec.ts";
import type { PlistCodec } from "../../templates/launchd_plist.ts";
import {
  LOG_ROTATE_BYTES,
  LOG_ROTATE_KEEP,
  parseLogWrapperCommand,
} from "../../templates/launchd_log_wrapper.ts";
import { logPathsOfPlist } from "./logs.ts";
import { backupDir, KINDS, plistDir } from "./paths.ts";
import type { LaunchdDriverId } from "./plan.ts";

/**
 * launchd's checks for `autostart doctor`: launchctl present, backups left where
 * launchd reads them, plists edited by hand or not loaded, and log sizes. Read-only.
 *
 * @param driver The driver: its id, kind, availability and status.
 * @param loadCodec Gives the plist parser.
 */
export async function launchdDiagnose(
  driver: LaunchdDriverId & {
    available(ctx: Context): Promise<Availability>;
    status(condition: Condition, ctx: Context): Promise<ServiceStatus[]>;
  },
  loadCodec: () => Promise<PlistCodec>,
  ctx: Context,
): Promise<Check[]> {
  const k = driver.kind;
  const a = await driver.available(ctx);
  const checks: Check[] = [{
    id: `${driver.id}.launchctl`,
    title: "launchd",
    level: a.available ? "ok" : "fail",
    detail: a.available ? "launchctl is present" : a.reason ?? "unavailable",
    ...(a.available ? {} : { fix: "autostart needs launchd on macOS" }),
  }];
  if (!a.available) return checks;
  const sudo = k === "daemon" ? "sudo " : "";
  const cond = k === "daemon" ? " --condition=boot" : "";
  // Older versions kept backups beside the plist, where launchd reads them.
  const dir = plistDir(k, ctx);
  for (const f of await ctx.fs.list(dir).catch(() => [])) {
    if (!f.includes(".autostart-backup")) continue;
    checks.push({
      id: `${driver.id}.backup-in-plist-dir`,
      title: `backup ${f}`,
      level: "warn",
      detail:
        `${dir}/${f} is a backup autostart kept beside the plists, where launchd reads it`,
      fix: `${sudo}mkdir -p "${
        backupDir(k, ctx)
      }" && ${sudo}mv "${dir}/${f}" "${backupDir(k, ctx)}/"`,
    });
  }
  const logs: LogFile[] = [];
  for (const s of await driver.status(KINDS[k].condition, ctx)) {
    const text = s.file
      ? await ctx.fs.readText(s.file).catch(() => null)
      : null;
    if (text !== null) {
      const codec = await loadCodec();
      let paths: string[] = [];
      let rotated = false;
      try {
        const plist = codec.parse(text);
        paths = logPathsOfPlist(plist);
        rotated = rotatesAtStart(plist);
      } catch {
        // an unreadable plist is reported by status; nothing to measure
      }
      for (const file of paths) {
        logs.push({
          name: s.name,
          file,
          fix: k === "daemon"
            ? `newsyslog rotates it over 10 MiB, but the program writes to the file it opened until its next start: ${sudo}autostart restart ${s.name}${cond}`
            : rotated
            ? `it is rotated when over ${
              mebibytes(LOG_ROTATE_BYTES)
            } at each start: autostart restart ${s.name} (older parts are kept as ${file}.1 to .${LOG_ROTATE_KEEP}); or make the program less chatty`
            // A plist from before agents rotated their logs.
            : `its plist predates log rotation: enable "${s.name}" again to have it rotated at each start, or stop it, trim the file (: > ${file}), and start it again: autostart restart ${s.name}`,
        });
      }
    }
    if (s.drifted) {
      checks.push({
        id: `${driver.id}.drifted`,
        title: `"${s.name}" plist`,
        level: "warn",
        detail: `${s.file} was edited by hand since autostart wrote it`,
        fix:
          `run the autostart enable command of "${s.name}" again to rewrite it, or remove it: ${sudo}autostart disable ${s.name}${cond}`,
      });
    }
    if (s.state === "not-loaded" && s.enabled !== false) {
      checks.push({
        id: `${driver.id}.not-loaded`,
        title: `"${s.name}" job`,
        level: "warn",
        detail: `${s.file} exists but launchd has not loaded it`,
        fix: `${sudo}autostart start ${s.name}${cond}`,
      });
    }
  }
  checks.push(...await logSizeChecks(driver.id, logs, ctx));
  return checks;
}

/** Whether a plist runs its program behind the wrapper that rotates its log. */
function rotatesAtStart(plist: unknown): boolean {
  const argv = (plist as { ProgramArguments?: unknown } | null)
    ?.ProgramArguments;
  return Array.isArray(argv) &&
    parseLogWrapperCommand(argv.map(String)) !== null;
}
