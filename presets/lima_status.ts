/**
 * The state of a Lima instance's service for one condition: who wrote its file
 * (autostart, limactl, or nobody), whether limactl considers the instance registered
 * (it only checks that the login file exists: the LaunchAgent or the systemd user
 * unit, never a boot service), and what the init system really says (loaded, enabled,
 * running), read with the drivers' own parsers.
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type { Driver, ServiceStatus } from "../core/driver.ts";
import { unknownStatus } from "../core/driver.ts";
import type { Condition } from "../core/spec.ts";
import { ownershipOf } from "../core/ownership.ts";
import { checkSeal } from "../core/seal.ts";
import {
  launchdDomain,
  type LaunchdKind,
  parsePrintDisabled,
  plistPath,
  toLaunchdStatus,
} from "../drivers/launchd/mod.ts";
import {
  parseShow,
  SHOW_PROPERTIES,
  systemctl,
  toStatus,
  unitDir,
} from "../drivers/systemd/mod.ts";
import { LAUNCHD_MARKER_TEXT } from "../templates/launchd_plist.ts";
import { SYSTEMD_MARKER_TEXT } from "../templates/systemd_unit.ts";
import { legacyLimaBootUnitName } from "../templates/lima_unit.ts";
import {
  type LimaFlavor,
  limaFlavor,
  limaIdentity,
  limaKnows,
} from "./lima.ts";

/** Who wrote the file of a Lima service. */
export type LimaOwner = "autostart" | "limactl" | null;

/** The state of one Lima service (one condition). */
export interface LimaStatus extends ServiceStatus {
  /** Instance name. */
  instance: string;
  /** `autostart` (our marker), `limactl` (Lima's file, no marker) or `null` (no file). */
  owner: LimaOwner;
  /** limactl considers the instance registered (its file exists where limactl looks). */
  limaRegistered: boolean;
  /** The file's current text (not printed; used to compare with a new one). */
  content: string | null;
}

function launchdKind(flavor: LimaFlavor): LaunchdKind {
  return flavor === "launchd-daemon" ? "daemon" : "agent";
}

/** The file of a Lima service. */
export function limaFile(
  flavor: LimaFlavor,
  condition: Condition,
  instance: string,
  ctx: Context,
  unit = limaIdentity(flavor, condition, instance),
): string {
  return flavor === "systemd"
    ? `${unitDir(condition, ctx)}/${unit}`
    : plistPath(launchdKind(flavor), ctx, instance, unit);
}

/**
 * The unit and file of a service, and its text: the current name, or for a systemd
 * boot unit that does not exist under it, the name earlier versions of autostart used
 * (`lima-vm@INSTANCE.service`, only when it carries autostart's marker).
 */
async function findFile(
  flavor: LimaFlavor,
  condition: Condition,
  instance: string,
  ctx: Context,
): Promise<{ unit: string; file: string; content: string | null }> {
  const unit = limaIdentity(flavor, condition, instance);
  const file = limaFile(flavor, condition, instance, ctx, unit);
  const content = await ctx.fs.readText(file).catch(() => null);
  if (content === null && flavor === "systemd" && condition === "boot") {
    const old = legacyLimaBootUnitName(instance);
    const oldFile = limaFile(flavor, condition, instance, ctx, old);
    const text = await ctx.fs.readText(oldFile).catch(() => null);
    if (text?.includes(SYSTEMD_MARKER_TEXT)) {
      return { unit: old, file: oldFile, content: text };
    }
  }
  return { unit, file, content };
}

/**
 * Reads the state of the Lima service of `instance` for `condition` through `driver`:
 * one file read and one init-system query (systemd: `systemctl show`; launchd:
 * `launchctl print` and `print-disabled`).
 */
export async function limaStatus(
  driver: Driver,
  condition: Condition,
  instance: string,
  ctx: Context,
): Promise<LimaStatus> {
  const flavor = limaFlavor(driver);
  const { unit, file, content } = await findFile(
    flavor,
    condition,
    instance,
    ctx,
  );
  const marker = flavor === "systemd"
    ? SYSTEMD_MARKER_TEXT
    : LAUNCHD_MARKER_TEXT;
  const owner: LimaOwner = content === null
    ? null
    : ownershipOf(content, marker) !== "foreign"
    ? "autostart"
    : "limactl";
  const base = {
    name: instance,
    condition,
    unit,
    file: content === null ? null : file,
    drifted: owner === "autostart" && checkSeal(content!) === "drifted",
  };
  const extra = {
    instance,
    owner,
    limaRegistered: content !== null && limaKnows(condition),
    content,
  };
  const a = await driver.available(ctx, condition);
  if (!a.available) {
    return {
      ...unknownStatus(
        base,
        driver.id,
        a.reason ?? `${driver.id} is not reachable`,
      ),
      ...extra,
    };
  }
  if (flavor === "systemd") {
    const env = condition === "login" && !ctx.env.XDG_RUNTIME_DIR
      ? { env: { XDG_RUNTIME_DIR: `/run/user/${ctx.self.uid}` } }
      : {};
    const [r, up] = await Promise.all([
      ctx.runner.run([
        ...systemctl(condition),
        "show",
        `--property=${SHOW_PROPERTIES.join(",")}`,
        "--",
        unit,
      ], env),
      ctx.fs.readText("/proc/uptime").catch(() => null),
    ]);
    const uptime = up ? Number(up.split(" ")[0]) : NaN;
    const props = r.code === 0 ? parseShow(r.stdout)[0] : undefined;
    const st = toStatus(
      props ?? new Map(),
      base,
      Number.isFinite(uptime) ? uptime : null,
      Date.now(),
    );
    if (r.code !== 0) {
      st.state = "unknown";
      st.detail = `systemctl show failed: ${r.stderr.trim()}`;
    }
    return { ...st, ...extra };
  }
  const domain = launchdDomain(launchdKind(flavor), ctx);
  const [disabled, print] = await Promise.all([
    ctx.runner.run(["launchctl", "print-disabled", domain]),
    ctx.runner.run(["launchctl", "print", `${domain}/${unit}`]),
  ]);
  const off = disabled.code === 0 ? parsePrintDisabled(disabled.stdout) : null;
  // launchd has no "enabled" of its own: a job is started at login/boot when its file
  // is there and it is not disabled in the overrides.
  const enabled = off === null
    ? null
    : content !== null && !(off.get(unit) ?? false);
  return { ...toLaunchdStatus(print, base, driver.id, enabled), ...extra };
}
