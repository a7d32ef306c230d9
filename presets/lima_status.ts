/**
 * The state of a Lima instance's service for one condition: who wrote its file
 * (autostart, limactl, or nobody), whether limactl considers the instance registered
 * (it only checks that the login file exists: the LaunchAgent or the systemd user
 * unit, never a boot service), and what the init system really says (loaded, enabled,
 * running), asked of the driver for the service's ref (identity: Lima's unit or label).
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type { Driver, ServiceRef, ServiceStatus } from "../core/driver.ts";
import { UnsupportedError } from "../core/errors.ts";
import type { Registry } from "../core/registry.ts";
import type { Condition } from "../core/spec.ts";
import { ownershipOf } from "../core/ownership.ts";
import { LAUNCHD_MARKER_TEXT } from "../templates/launchd_plist.ts";
import { SYSTEMD_MARKER_TEXT } from "../templates/systemd_unit.ts";
import { legacyLimaBootUnitName } from "../templates/lima_unit.ts";
import { limaFlavor, limaIdentity, limaKnows } from "./lima.ts";
import { limaDriver } from "./lima_resolve.ts";

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

/** The ref of an instance's service: Lima's unit or label as its identity. */
export function limaRef(
  driver: Driver,
  condition: Condition,
  instance: string,
  unit = limaIdentity(limaFlavor(driver), condition, instance),
): ServiceRef {
  return { name: instance, condition, identity: unit };
}

/** The file of a Lima service, where the driver keeps the file of its ref. */
export function limaFile(
  driver: Driver,
  condition: Condition,
  instance: string,
  ctx: Context,
  unit?: string,
): string {
  if (!driver.fileOf) {
    throw new UnsupportedError(
      `The Lima preset cannot use the ${driver.id} driver: it cannot say where a service's file is`,
    );
  }
  return driver.fileOf(limaRef(driver, condition, instance, unit), ctx);
}

/**
 * The ref and file of a service, and its text: the current name, or for a systemd
 * boot unit that does not exist under it, the name earlier versions of autostart used
 * (`lima-vm@INSTANCE.service`, only when it carries autostart's marker).
 */
async function findFile(
  driver: Driver,
  condition: Condition,
  instance: string,
  ctx: Context,
): Promise<{ ref: ServiceRef; content: string | null }> {
  const ref = limaRef(driver, condition, instance);
  const content = await ctx.fs.readText(
    limaFile(driver, condition, instance, ctx),
  ).catch(() => null);
  if (
    content === null && limaFlavor(driver) === "systemd" &&
    condition === "boot"
  ) {
    const old = legacyLimaBootUnitName(instance);
    const text = await ctx.fs.readText(
      limaFile(driver, condition, instance, ctx, old),
    ).catch(() => null);
    if (text?.includes(SYSTEMD_MARKER_TEXT)) {
      return { ref: { ...ref, identity: old }, content: text };
    }
  }
  return { ref, content };
}

/**
 * Reads the state of the Lima service of `instance` for `condition` through `driver`:
 * one file read and the driver's status of the service's ref (systemd: one
 * `systemctl show`; launchd: `launchctl print` and `print-disabled`). A driver that
 * cannot answer for a ref (no `statusOf`, as runit and OpenRC) is refused with an
 * `UnsupportedError` (exit 3).
 */
export async function limaStatus(
  driver: Driver,
  condition: Condition,
  instance: string,
  ctx: Context,
): Promise<LimaStatus> {
  const flavor = limaFlavor(driver);
  const { ref, content } = await findFile(driver, condition, instance, ctx);
  const marker = flavor === "systemd"
    ? SYSTEMD_MARKER_TEXT
    : LAUNCHD_MARKER_TEXT;
  const owner: LimaOwner = content === null
    ? null
    : ownershipOf(content, marker) !== "foreign"
    ? "autostart"
    : "limactl";
  const [status] = driver.statusOf ? await driver.statusOf([ref], ctx) : [];
  if (status === undefined) {
    throw new UnsupportedError(
      `The Lima preset cannot use the ${driver.id} driver: it cannot report a service by its unit name`,
    );
  }
  return {
    ...status,
    instance,
    owner,
    limaRegistered: content !== null && limaKnows(condition),
    content,
  };
}

/**
 * The services of an instance that have a file (whoever wrote it), one per condition
 * of `conditions` that has one, with the driver that serves it (picked by
 * declarations: reading needs no reachable init system).
 */
export async function filedLimaServices(
  registry: Registry,
  ctx: Context,
  instance: string,
  conditions: readonly Condition[],
): Promise<{ driver: Driver; status: LimaStatus }[]> {
  const found: { driver: Driver; status: LimaStatus }[] = [];
  for (const condition of conditions) {
    const driver = await limaDriver(registry, ctx, { condition, loose: true });
    const status = await limaStatus(driver, condition, instance, ctx);
    if (status.owner !== null) found.push({ driver, status });
  }
  return found;
}
