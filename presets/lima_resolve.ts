/**
 * Resolving a Lima request on this machine, the same for `autostart lima enable` and a
 * `lima: INSTANCE` manifest entry: the account the VM runs as, limactl, LIMA_HOME and
 * the instance directory, the service's PATH, the driver, and from them the spec and
 * the file content ({@link resolveLimaRequest}).
 *
 * @module
 */

import type { Context, UserInfo } from "../core/context.ts";
import type { Driver } from "../core/driver.ts";
import { UsageError } from "../core/errors.ts";
import type { Registry } from "../core/registry.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "../core/spec.ts";
import { loadPlistCodec } from "../templates/launchd_plist.ts";
import { limaContent, type LimaFlavor, limaFlavor, limaSpec } from "./lima.ts";
import {
  findLimactl,
  instanceDir,
  type LimaHome,
  limaHome,
  servicePath,
} from "./lima_locate.ts";

/**
 * The account a Lima service runs as (as `resolveSpec` decides for any service): a
 * login service is the user's own (refused under sudo); a boot service runs as `user`,
 * else the sudo user, never as root (limactl refuses to run as root).
 */
async function limaAccount(
  condition: Condition,
  ctx: Context,
  user?: string,
): Promise<UserInfo> {
  if (condition === "login") {
    if (ctx.sudoUser !== undefined) {
      throw new UsageError(
        "A login service belongs to the user who logs in: run it without sudo",
        `run as ${ctx.sudoUser} without sudo, or use --condition=boot to start the VM at boot`,
      );
    }
    return ctx.self;
  }
  const who = user ?? ctx.sudoUser ??
    (ctx.self.uid === 0 ? undefined : ctx.self.name);
  if (who === undefined) {
    throw new UsageError(
      "Refusing to run a Lima VM as root",
      "run through sudo as the user who owns the instance: sudo autostart lima enable INSTANCE --condition=boot",
    );
  }
  const u = await ctx.lookupUser(who);
  if (!u) throw new UsageError(`Unknown user ${JSON.stringify(who)}`);
  if (u.uid === 0) {
    // lima-vm/lima cmd/limactl/main.go: "limactl: must not run as the root user".
    throw new UsageError(
      "Refusing to run a Lima VM as root: limactl refuses to run as the root user",
      "run sudo from the account that owns the instance (not from a root shell): sudo autostart lima enable INSTANCE --condition=boot",
    );
  }
  return u;
}

/** What selects a Lima service's driver. */
export interface LimaDriverRequest {
  /** When it starts. */
  condition: Condition;
  /** Pick by declarations only, reachable or not (dry runs, status, disable). */
  loose: boolean;
  /** The keep-alive mode it must honour. */
  keepAlive?: KeepAliveMode;
  /** A driver the user named. */
  driverId?: string;
}

/**
 * The driver of a Lima service: the registry's choice for the condition (a Lima
 * service always has a stop timeout), or an `UnsupportedError` (exit 3) for a driver
 * the preset cannot write for.
 */
export async function limaDriver(
  registry: Registry,
  ctx: Context,
  req: LimaDriverRequest,
): Promise<Driver> {
  const d = await registry.select({
    condition: req.condition,
    ignoreAvailability: req.loose,
    ...(req.keepAlive
      ? { keepAlive: req.keepAlive, features: ["stop-timeout" as const] }
      : {}),
    ...(req.driverId !== undefined ? { driverId: req.driverId } : {}),
  }, ctx);
  limaFlavor(d);
  return d;
}

/** What a Lima service is asked to be. */
export interface LimaRequestOptions {
  /** Instance name (validated). */
  instance: string;
  /** When it starts. */
  condition: Condition;
  /** When it is restarted (`always` already refused). */
  keepAlive: KeepAliveMode;
  /** Start now. */
  start: boolean;
  /** Pause before a restart (default: the preset's). */
  restartDelayMs?: number;
  /** How long a stop waits before SIGKILL (default: the preset's). */
  stopTimeoutMs?: number;
  /** Account of a boot service (default: the sudo user). */
  user?: string;
  /** Driver id, when given. */
  driverId?: string;
  /** Pick the driver by declarations only (a dry run). */
  loose: boolean;
}

/** A Lima request resolved on this machine. */
export interface ResolvedLima {
  /** The spec (`identity` is Lima's unit or label). */
  spec: ServiceSpec;
  /** The driver that serves it. */
  driver: Driver;
  /** The driver as a Lima flavour. */
  flavor: LimaFlavor;
  /** Absolute path of limactl. */
  limactl: string;
  /** LIMA_HOME as found (and as given, when the user set it). */
  home: LimaHome;
  /** The instance directory (symlinks resolved). */
  instanceDir: string;
  /** The service file's content. */
  content: string;
}

/**
 * Resolves a Lima request: account, limactl, instance directory, the service's PATH,
 * driver, spec and file content. Throws `UsageError` (exit 2, nothing written) for
 * what is wrong in the request.
 */
export async function resolveLimaRequest(
  req: LimaRequestOptions,
  ctx: Context,
  registry: Registry,
): Promise<ResolvedLima> {
  const account = await limaAccount(req.condition, ctx, req.user);
  const limactl = await findLimactl(ctx.env.PATH, ctx.fs);
  const home = await limaHome(ctx.env, account.home, ctx.cwd, ctx.fs);
  const dir = await instanceDir(home, req.instance, ctx.fs);
  const path = await servicePath(limactl, ctx.env.PATH, ctx.fs);
  const driver = await limaDriver(registry, ctx, {
    condition: req.condition,
    loose: req.loose,
    keepAlive: req.keepAlive,
    ...(req.driverId !== undefined ? { driverId: req.driverId } : {}),
  });
  const flavor = limaFlavor(driver);
  await driver.prepare?.(ctx);
  const codec = flavor === "systemd" ? undefined : await loadPlistCodec();
  const spec = limaSpec(flavor, {
    instance: req.instance,
    limactl,
    instanceDir: dir,
    ...(home.given !== undefined ? { limaHome: home.given } : {}),
    path,
    condition: req.condition,
    keepAlive: req.keepAlive,
    runAs: account,
    start: req.start,
    ...(req.restartDelayMs !== undefined
      ? { restartDelayMs: req.restartDelayMs }
      : {}),
    ...(req.stopTimeoutMs !== undefined
      ? { stopTimeoutMs: req.stopTimeoutMs }
      : {}),
  });
  return {
    spec,
    driver,
    flavor,
    limactl,
    home,
    instanceDir: dir,
    content: limaContent(flavor, spec, dir, codec),
  };
}
