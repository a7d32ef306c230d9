/**
 * Where systemd keeps things and how to talk to it, per condition: the unit directory,
 * the user's runtime directory, `systemctl` (with `--user` for login), the target that
 * wants our units, and advice for the usual `systemctl` failures.
 *
 * @module
 */

import type { PlanContext } from "../../core/context.ts";
import type { ServiceRef } from "../../core/driver.ts";
import type { Step } from "../../core/plan.ts";
import type { Condition } from "../../core/spec.ts";
import { unitName } from "../../templates/systemd_unit.ts";
import { HINT_SEE_STATUS, HINT_USE_SUDO } from "../../core/errors.ts";

/** Directory of the unit files of a condition. */
export function unitDir(condition: Condition, ctx: PlanContext): string {
  if (condition === "boot") return "/etc/systemd/system";
  const config = ctx.env.XDG_CONFIG_HOME?.startsWith("/")
    ? ctx.env.XDG_CONFIG_HOME
    : `${ctx.self.home}/.config`;
  return `${config}/systemd/user`;
}

/** The unit of a service: its identity, else `autostart-NAME.service`. */
export function unitOf(ref: { name: string; identity?: string }): string {
  return ref.identity ?? unitName(ref.name);
}

/** The unit file of a service: its identity's file, else `autostart-NAME.service`. */
export function unitFileOf(ref: ServiceRef, ctx: PlanContext): string {
  return `${unitDir(ref.condition, ctx)}/${unitOf(ref)}`;
}

/** The runtime directory of the invoking user (where the user manager's socket lives). */
export function runtimeDir(ctx: PlanContext): string {
  return ctx.env.XDG_RUNTIME_DIR || `/run/user/${ctx.self.uid}`;
}

/** `systemctl` (plus `--user`) for a condition. */
export function systemctl(condition: Condition): string[] {
  return condition === "boot" ? ["systemctl"] : ["systemctl", "--user"];
}

/**
 * Environment `systemctl --user` needs when the caller's session did not set it, as
 * the `env` option of a run (or a step): `{}` when nothing is needed.
 */
export function userEnv(
  condition: Condition,
  ctx: PlanContext,
): { env?: Record<string, string> } {
  if (condition === "boot" || ctx.env.XDG_RUNTIME_DIR) return {};
  return { env: { XDG_RUNTIME_DIR: runtimeDir(ctx) } };
}

/**
 * A `systemctl` step of a plan for a condition (with `--user` and the environment the
 * user manager needs for login).
 */
export function systemctlStep(
  condition: Condition,
  ctx: PlanContext,
  args: string[],
  title: string,
  extra: Partial<Extract<Step, { kind: "run" }>> = {},
): Step {
  return {
    kind: "run",
    argv: [...systemctl(condition), ...args],
    title,
    ...userEnv(condition, ctx),
    ...extra,
  };
}

/** Target whose `.wants/` directory holds the enable symlinks of a scope. */
export function wantedBy(condition: Condition): string {
  return condition === "boot" ? "multi-user.target" : "default.target";
}

/** Translates common systemctl failures into advice. */
export function explain(argv: string[], r: { stderr: string }) {
  const e = r.stderr;
  if (
    /Failed to connect to bus|No medium found|\$DBUS_SESSION_BUS_ADDRESS/.test(
      e,
    )
  ) {
    return {
      hint: argv.includes("--user")
        ? "the systemd user manager is not reachable: log in to a session (not su), or run `sudo loginctl enable-linger $USER` and retry"
        : "systemd is not reachable: is it running as init?",
    };
  }
  if (/Interactive authentication required|Access denied/.test(e)) {
    return { hint: HINT_USE_SUDO };
  }
  if (/not found|not loaded/i.test(e)) {
    return { hint: HINT_SEE_STATUS };
  }
  return undefined;
}
