/**
 * A Lima service through `install()` / `uninstall()` (core/operations.ts): the status
 * and plan the preset gives in place of the driver's, read and made once under the
 * lock. The status refuses a file limactl wrote (unless adopted) and a VM that runs
 * outside this service (its `limactl start --foreground` would find it running and
 * end at once); the plan is Lima's file content in the driver's command sequence,
 * preceded by the removal of a boot unit under the name earlier versions used.
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type { Driver, PriorState } from "../core/driver.ts";
import { OperationError } from "../core/errors.ts";
import { priorOf } from "../core/operations.ts";
import type { Plan } from "../core/plan.ts";
import type { Condition } from "../core/spec.ts";
import { legacyLimaBootUnitName } from "../templates/lima_unit.ts";
import { limaIdentity, limaPlan } from "./lima.ts";
import type { ResolvedLima } from "./lima_resolve.ts";
import { type HostAgent, hostAgent, runsUnder } from "./lima_running.ts";
import { type LimaStatus, limaStatus } from "./lima_status.ts";

/** How to run `lima enable` again for this instance and condition. */
function enableCommandLine(
  instance: string,
  condition: Condition,
): string {
  return condition === "boot"
    ? `sudo autostart lima enable ${instance} --condition=boot`
    : `autostart lima enable ${instance}`;
}

/** The error for a file limactl wrote (exit 1, nothing changed or removed). */
export function foreignError(
  s: LimaStatus,
  verb: "changed" | "removed",
): OperationError {
  const enable = verb === "changed";
  return new OperationError(
    `${s.file} was written by limactl, not autostart: left alone (nothing ${verb})`,
    {
      hint: `pass --adopt to let autostart ${
        enable ? "replace" : "remove"
      } it (keeping Lima's ${s.unit}, so limactl start/stop keep working), or manage it with: limactl autostart ${
        enable ? "enable" : "disable"
      } ${s.instance}`,
    },
  );
}

/**
 * The error for a VM that runs already, not under this service (exit 1, nothing
 * written): its service's `limactl start --foreground` would say "already running" and
 * exit 0, and the VM would go on unmanaged.
 */
function runningOutside(
  instance: string,
  condition: Condition,
  agent: HostAgent,
  sudoUser: string | undefined,
): OperationError {
  const other: Condition = condition === "boot" ? "login" : "boot";
  const inOther = agent.unit === limaIdentity("systemd", other, instance) ||
    agent.unit === legacyLimaBootUnitName(instance) && other === "boot";
  const where = inOther
    ? `in its ${other} service ${agent.unit}`
    : `outside autostart${agent.unit ? ` (in ${agent.unit})` : ""}`;
  const enable = enableCommandLine(instance, condition);
  const handOver = !inOther
    ? `limactl stop ${instance} && ${enable}`
    : other === "boot"
    ? `sudo autostart lima disable ${instance} --condition=boot && ${enable}`
    : sudoUser
    ? `as ${sudoUser} (without sudo): autostart lima disable ${instance} --condition=login; then: ${enable}`
    : `autostart lima disable ${instance} --condition=login && ${enable}`;
  return new OperationError(
    `Lima instance "${instance}" is already running ${where} (host agent pid ${agent.pid}, ${agent.command}): nothing changed. Started now, this service would find it running ("limactl start" says so and exits 0) and end at once, ${
      inOther
        ? `while the VM stays with the ${other} service`
        : "leaving the VM unmanaged"
    }`,
    {
      hint:
        `hand it over: ${handOver}; or keep it running as it is and let autostart start it from the next ${
          condition === "boot" ? "boot" : "login"
        }: ${enable} --no-start`,
    },
  );
}

/**
 * `plan` preceded by the removal of the unit `now` describes (the boot unit's earlier
 * name, `lima-vm@INSTANCE.service`): stopped, disabled and removed first, restored by
 * the rollback when a later step fails.
 */
function replacing(
  driver: Driver,
  now: LimaStatus,
  plan: Plan,
  ctx: Context,
): Plan {
  const file = plan.steps.find((s) => s.kind === "write")?.path;
  const old = driver.planDisable(
    { name: now.instance, condition: now.condition, identity: now.unit },
    ctx,
    { prior: priorOf(now) ?? { enabled: false, running: false } },
  );
  return {
    ...plan,
    steps: [...old.steps, ...plan.steps],
    afterRollback: [
      ...(old.afterRollback ?? []),
      ...(plan.afterRollback ?? []),
    ],
    notes: [
      ...(plan.notes ?? []),
      `replaced ${now.file} (the name earlier versions of autostart gave the boot unit) with ${file}`,
    ],
  };
}

/** What the status read under the lock saw besides the service (for the boot wait). */
export interface LimaSeen {
  /** The service, whoever wrote its file (`owner: null`: none). */
  now: LimaStatus;
  /** The live host agent, if any. */
  agent: HostAgent | null;
  /** The agent runs outside this service. */
  outside: boolean;
  /** `ha.stdout.log` before the change (the wait reads what comes after it). */
  log: string;
}

/** Status and plan of a Lima service for `install()`, and what the status saw. */
export interface LimaInstallHooks {
  /** The service's status (`undefined`: no file); refuses what must not be changed. */
  status(): Promise<LimaStatus | undefined>;
  /** Lima's plan from the status read under the lock. */
  plan(prior?: PriorState, before?: LimaStatus): Plan;
  /** What the last {@link LimaInstallHooks.status} saw (`undefined` before it ran). */
  seen(): LimaSeen | undefined;
}

/**
 * The hooks that make `install()` enable a Lima service: the status refuses a file
 * limactl wrote unless `adopt` (then `--force` takes it over, keeping a backup) and a
 * VM running outside this service when it is to be started now.
 *
 * @example Usage
 * ```ts ignore
 * const hooks = limaInstall(resolved, ctx, { adopt: false });
 * const done = await install(ctx, resolved.driver, resolved.spec, { ...hooks });
 * ```
 */
export function limaInstall(
  r: ResolvedLima,
  ctx: Context,
  options: { adopt: boolean },
): LimaInstallHooks {
  const { spec, driver, content } = r;
  const instance = spec.name;
  const condition = spec.condition;
  let seen: LimaSeen | undefined;
  return {
    async status() {
      const now = await limaStatus(driver, condition, instance, ctx);
      if (now.owner === "limactl" && !options.adopt) {
        throw foreignError(now, "changed");
      }
      const agent = await hostAgent(r.instanceDir, ctx);
      const outside = agent !== null && !runsUnder(agent, now);
      if (outside && spec.start) {
        throw runningOutside(instance, condition, agent, ctx.sudoUser);
      }
      const log = (await ctx.fs.readText(`${r.instanceDir}/ha.stdout.log`)
        .catch(() => null)) ?? "";
      seen = { now, agent, outside, log };
      return now.owner === null ? undefined : now;
    },
    plan(prior, before) {
      // A boot unit under the name earlier versions used is replaced, not kept beside.
      const legacy = before !== undefined && before.owner === "autostart" &&
        before.unit !== spec.identity;
      let plan = limaPlan(
        driver,
        spec,
        content,
        ctx,
        legacy ? undefined : prior,
      );
      if (legacy) plan = replacing(driver, before, plan, ctx);
      const agent = seen?.outside ? seen.agent : null;
      if (agent) {
        plan.notes = [
          ...(plan.notes ?? []),
          `"${instance}" is running outside autostart now (host agent pid ${agent.pid}); the service takes it over from the next ${
            condition === "boot" ? "boot" : "login"
          }, or now after: limactl stop ${instance} && ${
            enableCommandLine(instance, condition)
          }`,
        ];
      }
      return plan;
    },
    seen: () => seen,
  };
}

/**
 * The status and plan that make `uninstall()` disable a Lima service: the status read
 * under the lock (`undefined`: removed meanwhile), the driver's stop-and-remove steps
 * for the unit found there (which may be the boot unit's earlier name).
 */
export function limaUninstall(
  driver: Driver,
  condition: Condition,
  instance: string,
  ctx: Context,
): {
  status(): Promise<LimaStatus | undefined>;
  plan(prior: PriorState | undefined, before: LimaStatus): Plan;
} {
  return {
    async status() {
      const now = await limaStatus(driver, condition, instance, ctx);
      return now.owner === null ? undefined : now;
    },
    plan: (prior, before) =>
      driver.planDisable(
        { name: instance, condition, identity: before.unit },
        ctx,
        prior ? { prior } : {},
      ),
  };
}
