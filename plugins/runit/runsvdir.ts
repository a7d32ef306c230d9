/**
 * Is runit serving here: the runsvdir processes of the machine (read from `/proc`),
 * `sv` on PATH, and directories from the environment that are safe for root's boot
 * services. {@link runitAvailable} is the driver's `available()`.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { Availability } from "../../core/driver.ts";
import { type Condition, unsafeForRoot } from "../../core/spec.ts";
import { envDir, runitSvDir } from "./paths.ts";

/** A runsvdir process: its user and the directory it watches. */
export interface Runsvdir {
  /** Process id. */
  pid: number;
  /** Real user id. */
  uid: number;
  /** Directory argument. */
  dir: string;
}

/**
 * Parses a `/proc/PID/cmdline` of runsvdir (`runsvdir [-P] DIR [log...]`): the
 * directory it watches, or `null` when it is not runsvdir.
 *
 * @example Usage
 * ```ts
 * import { parseRunsvdirCmdline } from "./runsvdir.ts";
 * console.assert(parseRunsvdirCmdline("runsvdir\0-P\0/etc/service\0") === "/etc/service");
 * ```
 */
export function parseRunsvdirCmdline(cmdline: string): string | null {
  const argv = cmdline.split("\0").filter((a, i, all) =>
    !(a === "" && i === all.length - 1)
  );
  if (!/(^|\/)runsvdir$/.test(argv[0] ?? "")) return null;
  const rest = argv.slice(1).filter((a) => a !== "-P");
  return rest[0] ?? null;
}

/** The runsvdir processes of this machine, read from `/proc`. */
export async function findRunsvdirs(ctx: Context): Promise<Runsvdir[]> {
  const out: Runsvdir[] = [];
  let entries: string[];
  try {
    entries = await ctx.fs.list("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const cmd = await ctx.fs.readText(`/proc/${e}/cmdline`).catch(() => null);
    if (!cmd || !cmd.includes("runsvdir")) continue;
    const dir = parseRunsvdirCmdline(cmd);
    if (dir === null) continue;
    const st = await ctx.fs.readText(`/proc/${e}/status`).catch(() => null);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(st ?? "")?.[1] ?? NaN);
    out.push({
      pid: Number(e),
      uid,
      dir: dir.replace(/(.)\/+$/, "$1"),
    });
  }
  return out;
}

async function onPath(ctx: Context, program: string): Promise<boolean> {
  for (const d of (ctx.env.PATH ?? "/usr/bin:/bin").split(":")) {
    if (d.startsWith("/") && (await ctx.fs.exists(`${d}/${program}`))) {
      return true;
    }
  }
  return false;
}

/**
 * Why a directory taken from the environment (`SVDIR`, `AUTOSTART_RUNIT_SV_DIR`) cannot
 * hold root's boot services, or `null`: root writes run scripts there that runsv runs
 * as root, so it (or, when missing, its nearest existing parent) and every directory
 * above must be owned by root and not writable by group or others.
 */
export async function unsafeEnvDirs(
  condition: Condition,
  ctx: Context,
): Promise<string | null> {
  if (condition !== "boot" || ctx.self.uid !== 0) return null;
  for (const name of ["SVDIR", "AUTOSTART_RUNIT_SV_DIR"]) {
    const value = ctx.env[name];
    let dir = envDir(value);
    if (dir === null) continue;
    while (dir !== "/" && !(await ctx.fs.exists(dir))) {
      dir = dir.slice(0, Math.max(dir.lastIndexOf("/"), 1));
    }
    const why = await unsafeForRoot(dir, ctx.fs);
    if (why !== null) {
      return `${name}=${value} cannot hold boot services: ${why}, so another user could change what root runs; use a directory only root can write`;
    }
  }
  return null;
}

/**
 * Whether runit serves `condition` here: Linux, `sv` on PATH, safe directories from the
 * environment, and a runsvdir watching {@link runitSvDir} (for login, one of the user's
 * own); otherwise the reason and what to do.
 */
export async function runitAvailable(
  ctx: Context,
  condition?: Condition,
): Promise<Availability> {
  if (ctx.os !== "linux") {
    return { available: false, reason: "the runit plugin runs on Linux" };
  }
  if (!(await onPath(ctx, "sv"))) {
    return {
      available: false,
      reason:
        "runit is not installed (no sv in PATH; Debian: apt-get install runit)",
    };
  }
  const c = condition ?? "boot";
  const unsafe = await unsafeEnvDirs(c, ctx);
  if (unsafe !== null) return { available: false, reason: unsafe };
  const dir = runitSvDir(c, ctx);
  const all = await findRunsvdirs(ctx);
  const mine = all.filter((p) =>
    p.dir === dir && (c === "boot" || p.uid === ctx.self.uid)
  );
  if (mine.length > 0) return { available: true };
  if (c === "login") {
    return {
      available: false,
      reason:
        `no runsvdir of ${ctx.self.name} watches ${dir}: login services need a per-user runsvdir (e.g. a boot service running "chpst -u ${ctx.self.name} runsvdir ${dir}"), or SVDIR set to the directory it watches`,
    };
  }
  return {
    available: false,
    reason: `no runsvdir watches ${dir}${
      all.length
        ? ` (runsvdir runs on ${all.map((p) => p.dir).join(", ")})`
        : ""
    }: start runit, or set SVDIR to the directory runsvdir watches`,
  };
}
