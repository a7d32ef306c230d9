/**
 * The state of launchd jobs: `launchctl print TARGET` per service (launchctl has no
 * batch form of it; a few run at a time) plus one `print-disabled DOMAIN` for all,
 * mapped to a {@link ServiceStatus}.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type {
  Availability,
  ServiceRef,
  ServiceState,
  ServiceStatus,
} from "../../core/driver.ts";
import { unknownStatus } from "../../core/driver.ts";
import { isCrashLooping, mapLimited, signalText } from "../../core/kit/mod.ts";
import { ownershipOf } from "../../core/ownership.ts";
import type { CommandResult } from "../../core/runner.ts";
import type { Condition } from "../../core/spec.ts";
import {
  LAUNCHD_MARKER_TEXT,
  launchdLabel,
  serviceNameOfPlist,
} from "../../templates/launchd_plist.ts";
import {
  KINDS,
  labelOf,
  launchdDomain,
  type LaunchdKind,
  plistDir,
  plistPath,
} from "./paths.ts";
import { parsePrint, parsePrintDisabled } from "./print.ts";

/** How the last run ended, from the print fields; `failed` when it was not a clean exit. */
export function lastExitOf(
  fields: Map<string, string>,
): { text: string | null; failed: boolean } {
  const signal = fields.get("last terminating signal");
  if (signal !== undefined) {
    const n = Number(/(\d+)\s*$/.exec(signal)?.[1]);
    return {
      // launchd reports macOS numbers (10 is BUS there, USR1 on Linux).
      text: Number.isFinite(n) ? signalText(n, "darwin") : `signal ${signal}`,
      failed: true,
    };
  }
  const code = fields.get("last exit code");
  const m = code === undefined ? null : /^(-?\d+)(?::\s*(.+))?$/.exec(code);
  if (m) {
    const n = Number(m[1]);
    return {
      text: `exit ${n}${m[2] ? ` (${m[2]})` : ""}`,
      failed: n !== 0,
    };
  }
  const reason = fields.get("last exit reason");
  if (reason !== undefined) return { text: `killed: ${reason}`, failed: true };
  return { text: null, failed: false };
}

/**
 * Maps the result of `launchctl print TARGET` to a {@link ServiceStatus}.
 * @param r The command's result (exit 113 / "Could not find service" = not loaded).
 * @param base Name, condition, unit (label) and file.
 * @param driver Driver id.
 * @param enabled From `print-disabled`; `null` when unknown.
 */
export function toLaunchdStatus(
  r: CommandResult,
  base: Pick<ServiceStatus, "name" | "condition" | "unit" | "file" | "drifted">,
  driver: string,
  enabled: boolean | null,
): ServiceStatus {
  const common = {
    ...base,
    driver,
    enabled,
    restarts: null,
    lastExit: null,
    since: null,
    pid: null,
  };
  if (r.code !== 0) {
    const said = (r.stderr || r.stdout).trim().split("\n").pop() ?? "";
    if (r.code === 113 || /could not find service/i.test(r.stderr)) {
      return {
        ...common,
        state: "not-loaded",
        detail: enabled === false
          ? "not loaded (disabled in launchd)"
          : "not loaded (stopped, or waiting for the next login/boot)",
      };
    }
    return {
      ...common,
      state: "unknown",
      detail: `launchctl print exited with code ${r.code}: ${said}`,
    };
  }
  const f = parsePrint(r.stdout);
  const raw = f.get("state") ?? "";
  const runsText = f.get("runs");
  const runs = runsText === undefined ? null : Number(runsText);
  const restarts = runs === null || !Number.isFinite(runs)
    ? null
    : Math.max(0, runs - 1);
  const exit = lastExitOf(f);
  const pidNum = Number(f.get("pid") ?? 0);
  const pid = Number.isInteger(pidNum) && pidNum > 0 ? pidNum : null;
  let state: ServiceState;
  if (raw === "running") state = pid === null ? "starting" : "running";
  else if (
    raw === "spawn scheduled" || raw === "xpcproxy" || raw === "spawning"
  ) {
    // Between two runs: restarted again and again, the last run a failure.
    state = isCrashLooping({ restarts, lastRunFailed: exit.failed })
      ? "crash-looping"
      : "starting";
  } else if (
    raw === "not running" || raw === "waiting" || raw === "exited"
  ) {
    state = exit.failed ? "failed" : "stopped";
  } else state = "unknown";
  const detail = [
    raw || "no state",
    runs === null ? "" : `runs ${runs}`,
    f.get("last exit reason")
      ? `last exit reason ${f.get("last exit reason")}`
      : "",
    enabled === false ? "disabled in launchd" : "",
    base.drifted ? "plist edited by hand since autostart wrote it" : "",
  ].filter(Boolean).join(", ");
  return {
    ...common,
    state,
    pid: state === "running" ? pid : null,
    restarts,
    lastExit: exit.text,
    detail,
  };
}

/** A plist found for a status: its service, label, file (`null`: none) and seal. */
interface FoundPlist {
  name: string;
  unit: string;
  file: string | null;
  drifted: boolean;
}

/** The driver as status needs it: its id, kind and availability check. */
interface LaunchdStatusDriver {
  id: string;
  kind: LaunchdKind;
  available(ctx: Context): Promise<Availability>;
}

/**
 * Lists the managed plists of a kind (marker checked; only `names` when given) and
 * reads their state: one `print-disabled DOMAIN`, and `print TARGET` per service, a
 * few at a time (`mapLimited`).
 *
 * @param driver The driver's id, kind and availability check.
 */
export async function launchdStatus(
  driver: LaunchdStatusDriver,
  condition: Condition,
  ctx: Context,
  names?: string[],
): Promise<ServiceStatus[]> {
  const k = driver.kind;
  if (condition !== KINDS[k].condition) return [];
  const dir = plistDir(k, ctx);
  const found: FoundPlist[] = [];
  for (const f of await ctx.fs.list(dir)) {
    const name = serviceNameOfPlist(f);
    if (name === null || (names && !names.includes(name))) continue;
    const content = await ctx.fs.readText(`${dir}/${f}`).catch(() => null);
    const owner = content === null
      ? "foreign"
      : ownershipOf(content, LAUNCHD_MARKER_TEXT);
    if (owner === "foreign") continue;
    found.push({
      name,
      unit: launchdLabel(name),
      file: `${dir}/${f}`,
      drifted: owner === "edited",
    });
  }
  return await statusOfPlists(driver, ctx, found);
}

/**
 * The plists of `refs` under their labels, whoever wrote them, with their state: one
 * status per ref of the kind's condition, in order (refs of the other condition have
 * none).
 *
 * @param driver The driver's id, kind and availability check.
 */
export async function launchdStatusOf(
  driver: LaunchdStatusDriver,
  refs: readonly ServiceRef[],
  ctx: Context,
): Promise<ServiceStatus[]> {
  const k = driver.kind;
  const condition = KINDS[k].condition;
  const found: FoundPlist[] = [];
  for (const r of refs) {
    if (r.condition !== condition) continue;
    const file = plistPath(k, ctx, r);
    const content = await ctx.fs.readText(file).catch(() => null);
    found.push({
      name: r.name,
      unit: labelOf(r),
      file: content === null ? null : file,
      drifted: content !== null &&
        ownershipOf(content, LAUNCHD_MARKER_TEXT) === "edited",
    });
  }
  return await statusOfPlists(driver, ctx, found);
}

/** The state of `found`: one `print-disabled DOMAIN`, and `print TARGET` per plist. */
async function statusOfPlists(
  driver: LaunchdStatusDriver,
  ctx: Context,
  found: FoundPlist[],
): Promise<ServiceStatus[]> {
  const k = driver.kind;
  const condition = KINDS[k].condition;
  if (found.length === 0) return [];
  const a = await driver.available(ctx);
  if (!a.available) {
    return found.map((f) =>
      unknownStatus(
        { ...f, condition },
        driver.id,
        a.reason ?? "launchd is not reachable",
      )
    );
  }
  const domain = launchdDomain(k, ctx);
  const [disabled, prints] = await Promise.all([
    ctx.runner.run(["launchctl", "print-disabled", domain]),
    mapLimited(
      found,
      (f) => ctx.runner.run(["launchctl", "print", `${domain}/${f.unit}`]),
    ),
  ]);
  const off = disabled!.code === 0
    ? parsePrintDisabled(disabled!.stdout)
    : null;
  return found.map((f, i) =>
    toLaunchdStatus(
      prints[i]!,
      { ...f, condition },
      driver.id,
      // launchd has no "enabled" of its own: a job starts at login/boot when its
      // file is there and the overrides do not disable it.
      off === null ? null : f.file !== null && !(off.get(f.unit) ?? false),
    )
  );
}
