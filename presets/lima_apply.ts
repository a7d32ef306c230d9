/**
 * A `lima: INSTANCE` entry of a manifest as an install: the same spec, file content,
 * status and plan as `autostart lima enable INSTANCE` (presets/lima_install.ts), so a
 * file limactl wrote is refused (adopting one stays an explicit
 * `autostart lima enable --adopt`).
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type { Driver, PriorState, ServiceStatus } from "../core/driver.ts";
import type { Plan } from "../core/plan.ts";
import type { Registry } from "../core/registry.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "../core/spec.ts";
import { limaInstall } from "./lima_install.ts";
import { resolveLimaRequest } from "./lima_resolve.ts";

/** What a Lima entry asks for, validated. */
export interface LimaEntry {
  /** Instance name. */
  instance: string;
  /** When it starts. */
  condition: Condition;
  /** When it is restarted. */
  keepAlive: KeepAliveMode;
  /** Pause before a restart. */
  restartDelayMs: number;
  /** How long a stop waits before SIGKILL (default: the preset's). */
  stopTimeoutMs?: number;
  /** Account of a boot service (default: the sudo user). */
  user?: string;
  /** Start now. */
  start: boolean;
  /** Driver id, when given. */
  driverId?: string;
}

/** A Lima instance ready for `install()`: spec, driver, its plan and its status. */
export interface LimaInstall {
  /** The spec (`identity` is Lima's unit or label). */
  spec: ServiceSpec;
  /** The driver. */
  driver: Driver;
  /** Lima's plan for a prior state. */
  plan(prior?: PriorState): Plan;
  /** Its status (`undefined`: not installed); refuses a file limactl wrote. */
  status(): Promise<ServiceStatus | undefined>;
}

/**
 * Resolves a Lima entry as `autostart lima enable` does: the account, limactl, the
 * instance directory, the service's PATH, the driver; throws `UsageError` for what is
 * wrong in the entry.
 */
export async function resolveLima(
  e: LimaEntry,
  ctx: Context,
  registry: Registry,
  loose: boolean,
): Promise<LimaInstall> {
  const r = await resolveLimaRequest({ ...e, loose }, ctx, registry);
  const hooks = limaInstall(r, ctx, { adopt: false });
  return {
    spec: r.spec,
    driver: r.driver,
    plan: hooks.plan,
    status: hooks.status,
  };
}
