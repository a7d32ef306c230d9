/**
 * The state of runit services: the managed service directories of a condition (marker
 * and seal checked), and their real state from one `sv status` call, normalised to the
 * common state words ({@link parseSvStatus}, {@link runitState}); and what a service's
 * files hold ({@link runitReadBack}).
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type {
  ServiceRef,
  ServiceState,
  ServiceStatus,
} from "../../core/driver.ts";
import { ownershipOf } from "../../core/ownership.ts";
import type { ReadBack } from "../../core/read_back.ts";
import { checkSeal } from "../../core/seal.ts";
import type { Condition } from "../../core/spec.ts";
import {
  readRunitFiles,
  RUNIT_MARKER_TEXT,
  runitConditionOf,
  runitServiceName,
} from "../../templates/runit_scripts.ts";
import { runitLogDir, runitPaths, runitStagingDir } from "./paths.ts";

/** One service's line of `sv status`, parsed. */
export interface SvStatus {
  /** `run`, `down`, `finish`, or `fail`/`warning` when runsv cannot be asked. */
  state: string;
  /** Process id, when one runs. */
  pid: number | null;
  /** Seconds in this state. */
  seconds: number | null;
  /** The rest of the line: "normally up", "want up", ... */
  flags: string[];
  /** The line itself (service part). */
  text: string;
}

/**
 * Parses the line `sv status DIR` printed for `dir`, e.g.
 * `run: /etc/sv/x: (pid 42) 7s; run: log: (pid 41) 7s` or
 * `fail: /etc/sv/x: runsv not running`.
 *
 * @example Usage
 * ```ts
 * import { parseSvStatus } from "./status.ts";
 * const s = parseSvStatus("run: /etc/sv/x: (pid 42) 7s; run: log: (pid 41) 7s", "/etc/sv/x");
 * console.assert(s?.pid === 42 && s.seconds === 7);
 * ```
 */
export function parseSvStatus(output: string, dir: string): SvStatus | null {
  for (const line of output.split("\n")) {
    const m = /^([a-z]+): (.*)$/.exec(line);
    if (!m || !m[2]!.startsWith(`${dir}: `)) continue;
    const body = m[2]!.slice(dir.length + 2).split("; ")[0]!;
    const pid = /\(pid (\d+)\)/.exec(body);
    const secs = /(?:^|\) )(\d+)s\b/.exec(body);
    const flags = body.replace(/^\(pid \d+\) /, "").replace(/^\d+s/, "")
      .split(",").map((s) => s.trim()).filter(Boolean);
    return {
      state: m[1]!,
      pid: pid ? Number(pid[1]) : null,
      seconds: secs ? Number(secs[1]) : null,
      flags,
      text: `${m[1]}: ${body}`,
    };
  }
  return null;
}

/** Maps a parsed `sv status` line to the common state words. */
export function runitState(s: SvStatus | null): ServiceState {
  if (s === null) return "unknown";
  if (s.state === "run") return "running";
  if (s.state === "finish") return "starting";
  if (s.state === "down") {
    return s.flags.includes("want up") ? "starting" : "stopped";
  }
  return "not-loaded";
}

/** A managed service directory found in the staging directory. */
interface Found {
  name: string;
  dir: string;
  file: string;
  drifted: boolean;
  enabled: boolean;
}

/** The managed services of `condition` in its staging directory (`names` only, if given). */
async function findServices(
  condition: Condition,
  ctx: Context,
  names?: string[],
): Promise<Found[]> {
  const found: Found[] = [];
  for (const entry of await ctx.fs.list(runitStagingDir(condition, ctx))) {
    const m = /^autostart-(.+)$/.exec(entry);
    if (!m || (names && !names.includes(m[1]!))) continue;
    const ref = { name: m[1]!, condition };
    const p = runitPaths(ref, ctx);
    const run = await ctx.fs.readText(p.run).catch(() => null);
    if (run === null) continue;
    // One look at the run script's header and seal: ours, edited since, or not ours.
    const own = ownershipOf(run, RUNIT_MARKER_TEXT);
    if (own === "foreign") continue;
    // SVDIR and AUTOSTART_RUNIT_SV_DIR may serve both conditions: the run script
    // says which one a service belongs to.
    const said = runitConditionOf(run);
    if (said !== null && said !== condition) continue;
    const files = await Promise.all(
      [p.finish, p.logRun].map((f) => ctx.fs.readText(f).catch(() => null)),
    );
    found.push({
      name: ref.name,
      dir: p.dir,
      file: p.run,
      drifted: own === "edited" ||
        files.some((t) => t !== null && checkSeal(t) === "drifted"),
      enabled: (await ctx.fs.exists(p.link)) && !(await ctx.fs.exists(p.down)),
    });
  }
  return found;
}

/**
 * The managed runit services of `condition` (`names` only, if given) with their real
 * state, from one `sv status` call for all of them.
 */
export async function runitStatus(
  condition: Condition,
  ctx: Context,
  names?: string[],
): Promise<ServiceStatus[]> {
  const found = await findServices(condition, ctx, names);
  if (found.length === 0) return [];
  const r = await ctx.runner.run(["sv", "status", ...found.map((f) => f.dir)]);
  const now = Date.now();
  return found.map((f) => {
    const s = parseSvStatus(r.stdout, f.dir);
    const state = r.code === 127 ? "unknown" : runitState(s);
    const detail = [
      s?.text ?? (r.stderr.trim() || `sv status exited with code ${r.code}`),
      f.enabled ? "" : "not linked into the runsvdir directory, or down",
      f.drifted ? "a file was edited by hand since autostart wrote it" : "",
    ].filter(Boolean).join(", ");
    return {
      name: f.name,
      driver: "runit",
      condition,
      unit: runitServiceName(f.name),
      file: f.file,
      state,
      enabled: f.enabled,
      pid: state === "running" ? s?.pid ?? null : null,
      restarts: null,
      lastExit: null,
      since: s?.seconds != null
        ? new Date(now - s.seconds * 1000).toISOString()
        : null,
      detail,
      drifted: f.drifted,
    };
  });
}

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
