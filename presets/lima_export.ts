/**
 * The manifest entries (`lima: INSTANCE`) of the Lima services autostart wrote, read
 * back from their files, so `autostart export | autostart apply` recreates them.
 * Files limactl wrote are left out: adopting one stays an explicit
 * `autostart lima enable --adopt`.
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import { formatDuration, type ManifestEntry } from "../core/manifest.ts";
import type { Registry } from "../core/registry.ts";
import {
  type Condition,
  CONDITIONS,
  parseDuration,
  parseName,
} from "../core/spec.ts";
import { LIMA_STOP_TIMEOUT, limaFlavor } from "./lima.ts";
import { limaHome, listInstances } from "./lima_locate.ts";
import { limaDriver } from "./lima_resolve.ts";
import { limaFile, type LimaStatus, limaStatus } from "./lima_status.ts";
import { legacyLimaBootUnitName } from "../templates/lima_unit.ts";
import type { Driver } from "../core/driver.ts";
import type { ServiceFields } from "../core/read_back.ts";
import { readSystemdUnit } from "../templates/systemd_unit.ts";

/** One exported Lima service. */
export interface LimaExport {
  /** Instance name. */
  instance: string;
  /** Its entry: `lima`, `condition`, and what differs from `lima enable`'s defaults. */
  entry: ManifestEntry;
  /** A warning to print (file edited by hand, file not readable), if any. */
  warning?: string;
}

/**
 * The fields of a Lima service's file, read with the driver's own readers. Lima's
 * systemd unit keeps Lima's `ExecStart=` (`limactl start %i --foreground`, unquoted),
 * which the reader of autostart's quoted words refuses: that line is the preset's, so
 * it is left out of the reading.
 */
async function fieldsOf(
  driver: Driver,
  s: LimaStatus,
  ctx: Context,
): Promise<ServiceFields | null> {
  if (s.content === null) return null;
  try {
    if (limaFlavor(driver) === "systemd") {
      return readSystemdUnit(
        s.content.split("\n").filter((l) => !l.startsWith("ExecStart="))
          .join("\n"),
      );
    }
    const rb = await driver.readBack?.({
      name: s.instance,
      condition: s.condition,
      identity: s.unit,
    }, ctx);
    return rb?.fields ?? null;
  } catch {
    return null;
  }
}

/** Instances that have a file under Lima's names for `condition` (any writer). */
async function filedInstances(
  driver: Driver,
  condition: Condition,
  ctx: Context,
): Promise<string[]> {
  const flavor = limaFlavor(driver);
  const probe = limaFile(driver, condition, "\0", ctx);
  const dir = probe.slice(0, probe.lastIndexOf("/"));
  const shapes = [probe.slice(dir.length + 1)];
  if (flavor === "systemd" && condition === "boot") {
    shapes.push(legacyLimaBootUnitName("\0"));
  }
  const out: string[] = [];
  for (const entry of await ctx.fs.list(dir).catch(() => [])) {
    for (const shape of shapes) {
      const [pre = "", post = ""] = shape.split("\0");
      if (
        entry.length <= pre.length + post.length || !entry.startsWith(pre) ||
        !entry.endsWith(post)
      ) continue;
      const name = entry.slice(pre.length, entry.length - post.length);
      try {
        out.push(parseName(name));
      } catch {
        // not an instance name autostart could have written
      }
    }
  }
  return out.sort();
}

/**
 * Reads back the Lima services autostart manages: for each instance of LIMA_HOME (or
 * the `names` given) and each condition (or `condition`), the file autostart wrote
 * under Lima's names, as a manifest entry with the options that differ from the
 * preset's defaults (keep-alive, restart delay, stop timeout, `--no-start`), the
 * account of a boot service, and the driver when it is not the one apply picks.
 */
export async function limaExports(
  ctx: Context,
  registry: Registry,
  options: { names?: string[]; condition?: Condition } = {},
): Promise<LimaExport[]> {
  const home = await limaHome(ctx.env, ctx.self.home, ctx.cwd, ctx.fs).catch(
    () => null,
  );
  const known = options.names?.length
    ? options.names
    : home
    ? await listInstances(home.dir, ctx.fs)
    : [];
  const out: LimaExport[] = [];
  const conditions = options.condition ? [options.condition] : CONDITIONS;
  for (const condition of conditions) {
    // Picked by declarations; none, or not an init system Lima's preset writes for:
    // nothing to export for this condition.
    const driver = await limaDriver(registry, ctx, { condition, loose: true })
      .catch(() => null);
    if (!driver) continue;
    // The instances of LIMA_HOME, and those a file under Lima's names names (a boot
    // service of another account's instance, an instance directory gone).
    const instances = options.names?.length ? known : [
      ...new Set([...known, ...await filedInstances(driver, condition, ctx)]),
    ];
    for (const instance of instances) {
      const s = await limaStatus(driver, condition, instance, ctx);
      if (s.owner !== "autostart") continue;
      const entry: ManifestEntry = { lima: instance, condition };
      const f = await fieldsOf(driver, s, ctx);
      if (!f) {
        out.push({
          instance,
          entry,
          warning:
            `Lima instance "${instance}" (${condition}): ${s.file} could not be read back; exported with the preset's defaults`,
        });
        continue;
      }
      if (f.keepAlive !== "on-failure") entry.keepAlive = f.keepAlive;
      // Lima's plist keeps no ThrottleInterval (launchd's 10 s is read back then).
      const keepsDelay = /<key>ThrottleInterval<|^RestartSec=/m.test(
        s.content ?? "",
      );
      if (keepsDelay && f.restartDelayMs !== 2000) {
        entry.restartDelay = formatDuration(f.restartDelayMs);
      }
      if (
        f.stopTimeoutMs !== undefined &&
        f.stopTimeoutMs !== parseDuration(LIMA_STOP_TIMEOUT)
      ) {
        entry.stopTimeout = formatDuration(f.stopTimeoutMs);
      }
      if (condition === "boot" && f.user !== undefined) entry.user = f.user;
      const picked = await limaDriver(registry, ctx, {
        condition,
        loose: true,
        keepAlive: f.keepAlive,
      }).catch(() => null);
      if (picked?.id !== driver.id) entry.driver = driver.id;
      if (f.start === false) entry.start = false;
      out.push({
        instance,
        entry,
        ...(s.drifted
          ? {
            warning:
              `Lima instance "${instance}": ${s.file} was edited by hand; the manifest holds what autostart can read back from it`,
          }
          : {}),
      });
    }
  }
  const { compare } = new Intl.Collator();
  out.sort((x, y) =>
    compare(x.instance, y.instance) ||
    compare(x.entry.condition ?? "", y.entry.condition ?? "")
  );
  return out;
}
