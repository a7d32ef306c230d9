/**
 * Whether systemd serves a condition here: Linux, systemd running as init, and for
 * login the invoking user's manager.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { Availability } from "../../core/driver.ts";
import type { Condition } from "../../core/spec.ts";
import { runtimeDir } from "./paths.ts";

/** Whether systemd can serve `condition` (any condition when absent), or why not. */
export async function systemdAvailable(
  ctx: Context,
  condition?: Condition,
): Promise<Availability> {
  if (ctx.os !== "linux") {
    return { available: false, reason: "systemd runs on Linux only" };
  }
  if (!(await ctx.fs.exists("/run/systemd/system"))) {
    return {
      available: false,
      reason: "systemd is not running as init here (no /run/systemd/system)",
    };
  }
  if (condition === "login") {
    const sock = `${runtimeDir(ctx)}/systemd/private`;
    if (!(await ctx.fs.exists(sock))) {
      return {
        available: false,
        reason:
          `the systemd user manager of ${ctx.self.name} is not running (no ${sock}); log in, or run: sudo loginctl enable-linger ${ctx.self.name}`,
      };
    }
  }
  return { available: true };
}
