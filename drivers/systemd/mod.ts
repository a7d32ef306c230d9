/**
 * systemd driver. `login` → a user unit in `~/.config/systemd/user` run by the user's
 * manager (`systemctl --user`), wanted by `default.target`; `boot` → a system unit in
 * `/etc/systemd/system` with `User=`/`Group=` of the invoking user, wanted by
 * `multi-user.target`. Status comes from one `systemctl show` for all units of a scope
 * (or, with `--fast`, one `systemctl list-units` and the units' cgroups).
 *
 * One concept per file: `paths.ts` (scope, unit directory, `systemctl`), `plan.ts`,
 * `show.ts` (parsing `systemctl show`), `status.ts`, `logs.ts` (journalctl),
 * `doctor.ts`, `version.ts`, `available.ts`.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { Driver, ServiceRef } from "../../core/driver.ts";
import type { ReadBack } from "../../core/read_back.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import {
  readSystemdUnit,
  SYSTEMD_MARKER_TEXT,
} from "../../templates/systemd_unit.ts";
import { systemdAvailable } from "./available.ts";
import { diagnose } from "./doctor.ts";
import { isProgramLine, systemdLogs } from "./logs.ts";
import { explain, unitFileOf } from "./paths.ts";
import { planControl, planDisable, planInstall } from "./plan.ts";
import { systemdStatus, systemdStatusOf } from "./status.ts";
import { prepareVersion } from "./version.ts";

export { unitDir } from "./paths.ts";

/** The unit file autostart wrote for `ref`, read back (`null` when it is not ours). */
async function readBack(
  ref: ServiceRef,
  ctx: Context,
): Promise<ReadBack | null> {
  const file = unitFileOf(ref, ctx);
  const content = await ctx.fs.readText(file).catch(() => null);
  if (content === null || !content.includes(SYSTEMD_MARKER_TEXT)) return null;
  return {
    driver: "systemd",
    file,
    content,
    fields: readSystemdUnit(content),
  };
}

/** Advice after an enable: how a login service can start at boot (lingering). */
async function advise(spec: ServiceSpec, ctx: Context): Promise<string[]> {
  if (spec.condition !== "login") return [];
  const user = ctx.self.name;
  if (await ctx.fs.exists(`/var/lib/systemd/linger/${user}`)) return [];
  return [
    `"${spec.name}" starts when ${user} logs in and stops when the last session ends.`,
    `To start it at boot without a login, run: sudo loginctl enable-linger ${user}`,
  ];
}

/** The systemd driver. */
export const systemdDriver: Driver = {
  id: "systemd",
  description: "systemd units: user units for login, system units for boot",
  platforms: ["linux"],
  conditions: ["login", "boot"],
  keepAlive: ["false", "on-failure", "always"],
  // --stop-timeout is TimeoutStopSec=.
  features: ["stop-timeout", "env-file"],
  available: systemdAvailable,
  prepare: prepareVersion,
  plan: planInstall,
  planDisable,
  planControl,
  status: systemdStatus,
  statusOf: systemdStatusOf,
  fileOf: unitFileOf,
  readBack,
  advise,
  explain,
  programLine: isProgramLine,
  logs: systemdLogs,
  diagnose,
};
