/**
 * Where a runit service lives: the directory runsvdir watches ({@link runitSvDir}), the
 * staging directory its service directory is written to ({@link runitStagingDir}), its
 * svlogd log directory ({@link runitLogDir}), and the paths of one service
 * ({@link runitPaths}).
 *
 * Environment: `SVDIR` (service directory), `AUTOSTART_RUNIT_SV_DIR` (where service
 * directories are written; default `/etc/sv`, or `~/.local/share/autostart/runit` for
 * login), `XDG_DATA_HOME` and `XDG_STATE_HOME` for login services.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { ServiceRef } from "../../core/driver.ts";
import type { Condition, ServiceSpec } from "../../core/spec.ts";
import { runitServiceName } from "../../templates/runit_scripts.ts";

/**
 * An absolute directory from the environment without trailing slashes, or `null` (unset
 * or relative: the default applies). The paths use it, and so does the check that such
 * a directory is safe for root (`unsafeEnvDirs`, runsvdir.ts).
 */
export function envDir(value: string | undefined): string | null {
  return value?.startsWith("/") ? value.replace(/(.)\/+$/, "$1") : null;
}

/** The directory runsvdir watches for a condition. */
export function runitSvDir(
  condition: Condition,
  ctx: Pick<Context, "env" | "self">,
): string {
  return envDir(ctx.env.SVDIR) ??
    (condition === "boot" ? "/etc/service" : `${ctx.self.home}/service`);
}

/** Where service directories are written before they are linked into {@link runitSvDir}. */
export function runitStagingDir(
  condition: Condition,
  ctx: Pick<Context, "env" | "self">,
): string {
  const env = envDir(ctx.env.AUTOSTART_RUNIT_SV_DIR);
  if (env !== null) return env;
  if (condition === "boot") return "/etc/sv";
  const data = ctx.env.XDG_DATA_HOME?.startsWith("/")
    ? ctx.env.XDG_DATA_HOME
    : `${ctx.self.home}/.local/share`;
  return `${data}/autostart/runit`;
}

/** Default directory of the svlogd logs of a service. */
export function runitLogDir(
  spec: Pick<ServiceSpec, "name" | "condition" | "logDir">,
  ctx: Pick<Context, "env" | "self">,
): string {
  if (spec.logDir !== undefined) return `${spec.logDir}/${spec.name}`;
  if (spec.condition === "boot") return `/var/log/autostart/${spec.name}`;
  const state = ctx.env.XDG_STATE_HOME?.startsWith("/")
    ? ctx.env.XDG_STATE_HOME
    : `${ctx.self.home}/.local/state`;
  return `${state}/autostart/log/${spec.name}`;
}

/** The paths of one runit service. */
export interface RunitPaths {
  /** Its service directory, in the staging directory. */
  dir: string;
  /** Its link in the directory runsvdir watches. */
  link: string;
  /** `run` script. */
  run: string;
  /** `finish` script. */
  finish: string;
  /** `log/run` script (svlogd). */
  logRun: string;
  /** `down` file (`--no-start`). */
  down: string;
}

/** The paths of one service. */
export function runitPaths(
  ref: Pick<ServiceRef, "name" | "condition">,
  ctx: Pick<Context, "env" | "self">,
): RunitPaths {
  const dir = `${runitStagingDir(ref.condition, ctx)}/${
    runitServiceName(ref.name)
  }`;
  return {
    dir,
    link: `${runitSvDir(ref.condition, ctx)}/${runitServiceName(ref.name)}`,
    run: `${dir}/run`,
    finish: `${dir}/finish`,
    logRun: `${dir}/log/run`,
    down: `${dir}/down`,
  };
}
