/**
 * A `lima: INSTANCE` entry of a manifest as an install: the same spec, file content
 * and plan as `autostart lima enable INSTANCE`, and a status that refuses a file
 * limactl wrote (adopting one stays an explicit `autostart lima enable --adopt`).
 *
 * @module
 */

import type { Context, UserInfo } from "../core/context.ts";
import type { Driver, PriorState, ServiceStatus } from "../core/driver.ts";
import { OperationError, UsageError } from "../core/errors.ts";
import type { Plan } from "../core/plan.ts";
import type { Registry } from "../core/registry.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "../core/spec.ts";
import { loadPlistCodec } from "../templates/launchd_plist.ts";
import { limaContent, limaFlavor, limaPlan, limaSpec } from "./lima.ts";
import {
  findLimactl,
  instanceDir,
  limaHome,
  servicePath,
} from "./lima_locate.ts";
import { limaStatus } from "./lima_status.ts";

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

async function account(
  e: LimaEntry,
  ctx: Context,
): Promise<UserInfo> {
  if (e.condition === "login") {
    if (ctx.sudoUser !== undefined) {
      throw new UsageError(
        "A login service belongs to the user who logs in: run it without sudo",
      );
    }
    return ctx.self;
  }
  const who = e.user ?? ctx.sudoUser ??
    (ctx.self.uid === 0 ? undefined : ctx.self.name);
  if (who === undefined) {
    throw new UsageError(
      "Refusing to run a Lima VM as root: give user, or run through sudo as the user who owns the instance",
    );
  }
  const u = await ctx.lookupUser(who);
  if (!u) throw new UsageError(`Unknown user ${JSON.stringify(who)}`);
  return u;
}

/**
 * Resolves a Lima entry as `autostart lima enable` does: the account, limactl, the
 * instance directory, the service's PATH, the driver; throws {@link UsageError} for
 * what is wrong in the entry.
 */
export async function resolveLima(
  e: LimaEntry,
  ctx: Context,
  registry: Registry,
  loose: boolean,
): Promise<LimaInstall> {
  const runAs = await account(e, ctx);
  const limactl = await findLimactl(ctx.env.PATH);
  const home = await limaHome(ctx.env, runAs.home, ctx.cwd);
  const dir = await instanceDir(home, e.instance);
  const path = await servicePath(limactl, ctx.env.PATH);
  const driver = await registry.select({
    condition: e.condition,
    keepAlive: e.keepAlive,
    ignoreAvailability: loose,
    ...(e.driverId !== undefined ? { driverId: e.driverId } : {}),
  }, ctx);
  const flavor = limaFlavor(driver);
  await driver.prepare?.(ctx);
  const codec = flavor === "systemd" ? undefined : await loadPlistCodec();
  const spec = limaSpec(flavor, {
    instance: e.instance,
    limactl,
    instanceDir: dir,
    ...(home.given !== undefined ? { limaHome: home.given } : {}),
    path,
    condition: e.condition,
    keepAlive: e.keepAlive,
    runAs,
    start: e.start,
    restartDelayMs: e.restartDelayMs,
    ...(e.stopTimeoutMs !== undefined
      ? { stopTimeoutMs: e.stopTimeoutMs }
      : {}),
  });
  const content = limaContent(flavor, spec, dir, codec);
  return {
    spec,
    driver,
    plan: (prior) => limaPlan(driver, spec, content, ctx, prior),
    async status() {
      const s = await limaStatus(driver, e.condition, e.instance, ctx);
      if (s.owner === "limactl") {
        throw new OperationError(
          `${s.file} was written by limactl, not autostart: left alone`,
          {
            hint:
              `let autostart take it over with: autostart lima enable ${e.instance} --adopt`,
          },
        );
      }
      return s.owner === null ? undefined : s;
    },
  };
}
