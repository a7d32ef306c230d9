/**
 * The operations every command and `apply` share: {@link install}, {@link uninstall}
 * and {@link control}. Each takes the scope's lock, reads the service's status, derives
 * the prior state, plans **once**, and applies that plan (or, with `dryRun`, returns
 * the very same plan without taking the lock or changing anything). The CLI only
 * parses, calls one operation and prints its typed result.
 *
 * @module
 */

import {
  apply,
  type ApplyOptions,
  type ApplyResult,
  writeIsCurrent,
} from "./apply.ts";
import type { Context } from "./context.ts";
import type {
  ControlAction,
  Driver,
  PriorState,
  ServiceRef,
  ServiceStatus,
} from "./driver.ts";
import { HINT_SEE_STATUS, OperationError } from "./errors.ts";
import { pendingPath, withLock } from "./lock.ts";
import type { Plan } from "./plan.ts";
import {
  diffFields,
  type FieldChange,
  fieldsOfSpec,
  maskValue,
  type ReadBack,
} from "./read_back.ts";
import type { ServiceSpec } from "./spec.ts";

/** States in which a service's process is up. */
export const RUNNING_STATES: ReadonlySet<string> = new Set([
  "running",
  "starting",
  "crash-looping",
]);

/** What a rollback must restore, from the service's current status. */
export function priorOf(
  status: ServiceStatus | undefined,
): PriorState | undefined {
  if (status === undefined) return undefined;
  return {
    enabled: status.enabled === true,
    running: RUNNING_STATES.has(status.state),
  };
}

/**
 * The status of a service before an operation: the preset's `status()` when it gives
 * one, else the driver's for the service's name (`undefined`: not managed).
 */
async function statusBefore<S extends ServiceStatus>(
  ctx: Context,
  driver: Driver,
  ref: Pick<ServiceRef, "condition" | "name">,
  status: (() => Promise<S | undefined>) | undefined,
): Promise<S | undefined> {
  if (status) return await status();
  return (await driver.status(ref.condition, ctx, [ref.name]))[0] as
    | S
    | undefined;
}

/** An apply result of nothing done. */
const NOTHING: ApplyResult = { warnings: [], backups: [], replacedEdits: [] };

function applyOptions(
  ctx: Context,
  driver: Driver,
  force: boolean,
  sleep?: ApplyOptions["sleep"],
): ApplyOptions {
  return {
    runner: ctx.runner,
    fs: ctx.fs,
    force,
    ...(sleep ? { sleep } : {}),
    ...(driver.explain ? { explain: driver.explain } : {}),
  };
}

/**
 * Options of {@link install}. `S` is the status a preset reads (Lima's carries who
 * wrote the file); drivers' own status is a {@link ServiceStatus}.
 */
export interface InstallOptions<S extends ServiceStatus = ServiceStatus> {
  /** Take over a file autostart did not write (a backup is kept). */
  force?: boolean;
  /** Return the plan without applying it (no lock, no change). */
  dryRun?: boolean;
  /** Sleeps between the tries of a step with `until` / `retry` (tests: a fake clock). */
  sleep?: ApplyOptions["sleep"];
  /**
   * When the service is already installed exactly like this but not running, start it
   * (`enable` does; `apply` leaves an up-to-date service alone). Default true.
   */
  startStopped?: boolean;
  /**
   * A preset's status of the service instead of `driver.status()` (`undefined`: not
   * installed), e.g. Lima's, which knows its own unit names and refuses limactl's file.
   */
  status?: () => Promise<S | undefined>;
  /**
   * A preset's plan for the prior state instead of `driver.plan()`; `before` is the
   * status it was derived from (absent for the check made before the lock).
   */
  plan?: (prior?: PriorState, before?: S) => Plan;
  /**
   * Called with the field-by-field changes once the plan is made and before it is
   * applied (not for a new or unchanged service, nor a dry run): `enable` prints them
   * before replacing the service.
   */
  beforeApply?: (changes: FieldChange[]) => void;
}

/**
 * What {@link install} did (or, for a dry run, would do):
 * - `created`: there was no managed service of that name.
 * - `updated`: its file or state differed; the plan replaced it.
 * - `unchanged`: its files held exactly the planned content, enabled, seal intact.
 */
export type InstallAction = "created" | "updated" | "unchanged";

/** The typed result of {@link install}. */
export interface InstallResult<S extends ServiceStatus = ServiceStatus> {
  /** What happened. */
  action: InstallAction;
  /** The plan applied (or that a real run applies): empty steps when unchanged. */
  plan: Plan;
  /** Nothing was applied (`dryRun`). */
  dryRun: boolean;
  /** Status before the operation (`undefined`: no managed service). */
  before: S | undefined;
  /** The installed service's fields before, when the driver can read them back. */
  previous: ReadBack | null;
  /** What differs between `previous` and the new spec, field by field. */
  changes: FieldChange[];
  /** An up-to-date service that was not running was started. */
  startedNow: boolean;
  /** What apply reported (empty for a dry run or when unchanged). */
  result: ApplyResult;
}

/**
 * Whether every file of `plan` already holds exactly the planned content, the service
 * is enabled with an intact seal, and no earlier run was interrupted.
 */
async function isUpToDate(
  plan: Plan,
  status: ServiceStatus | undefined,
  ctx: Context,
  pending: boolean,
): Promise<boolean> {
  if (pending || status?.enabled !== true || status.drifted) return false;
  const writes = plan.steps.filter((s) => s.kind === "write");
  if (writes.length === 0) return false;
  for (const w of writes) {
    // Content, mode and owner: a 0644 runit `run` is not up to date.
    if (!(await writeIsCurrent(ctx.fs, w, ctx.self.uid))) return false;
  }
  return true;
}

/**
 * Installs (or updates) a service: lock → status → prior state → one plan → apply
 * (with a pending marker, so a run killed half-way is redone in full by the next), or
 * for `dryRun` the same plan returned unapplied. An up-to-date service is left alone
 * (compared byte for byte with the files the plan would write).
 *
 * @example Usage
 * ```ts ignore
 * const r = await install(ctx, driver, spec, { dryRun: true });
 * console.log(r.action, describePlan(r.plan));
 * ```
 */
export async function install<S extends ServiceStatus = ServiceStatus>(
  ctx: Context,
  driver: Driver,
  spec: ServiceSpec,
  options: InstallOptions<S> = {},
): Promise<InstallResult<S>> {
  const { force = false, dryRun = false, startStopped = true } = options;
  await driver.prepare?.(ctx, spec);
  // What the driver refuses whatever the prior state (a boot service without root, a
  // path it cannot run) is invalid input: say so (exit 2) before taking a lock that
  // might not even be ours to take. Plans are pure; this one is only a check, the plan
  // applied and reported is the one made under the lock.
  const planOf = options.plan ??
    ((prior?: PriorState) => driver.plan(spec, ctx, prior));
  planOf(undefined);
  const locked = async (): Promise<InstallResult<S>> => {
    const before = await statusBefore(ctx, driver, spec, options.status);
    // Under the identity when there is one: Lima's instance "web" is not the
    // service "web".
    const marker = pendingPath(
      spec.condition,
      ctx,
      driver.id,
      spec.identity ?? spec.name,
    );
    const pending = await ctx.fs.exists(marker);
    const plan = planOf(priorOf(before), before);
    const previous = before === undefined
      ? null
      : (await driver.readBack?.(spec, ctx).catch(() => null)) ?? null;
    const changes = previous
      ? diffFields(
        previous.fields,
        fieldsOfSpec(spec),
        (k, v) => maskValue(k, v),
      )
      : [];
    const base = { dryRun, before, previous, changes };
    if (await isUpToDate(plan, before, ctx, pending)) {
      const running = RUNNING_STATES.has(before!.state);
      const empty: Plan = { driver: driver.id, service: spec.name, steps: [] };
      if (!spec.start || running || !startStopped) {
        return {
          ...base,
          action: "unchanged",
          plan: empty,
          startedNow: false,
          result: NOTHING,
        };
      }
      const start = driver.planControl(spec, "start", ctx);
      return {
        ...base,
        action: "unchanged",
        plan: start,
        startedNow: true,
        result: dryRun
          ? NOTHING
          : await apply(start, applyOptions(ctx, driver, force, options.sleep)),
      };
    }
    const action = before === undefined ? "created" : "updated";
    if (dryRun) {
      return { ...base, action, plan, startedNow: false, result: NOTHING };
    }
    try {
      await ctx.fs.mkdirp(marker.slice(0, marker.lastIndexOf("/")));
      await ctx.fs.writeAtomic(marker, `${Deno.pid}\n`, { mode: 0o600 });
    } catch (e) {
      throw new OperationError(
        `Cannot write ${marker}: ${(e as Error).message}`,
      );
    }
    if (action === "updated") options.beforeApply?.(changes);
    let clean = true;
    try {
      const result = await apply(
        plan,
        applyOptions(ctx, driver, force, options.sleep),
      );
      return { ...base, action, plan, startedNow: false, result };
    } catch (e) {
      clean = !(e instanceof OperationError) ||
        e.rollbackProblems.length === 0;
      throw e;
    } finally {
      // After a clean rollback the machine is as it was; otherwise the marker stays
      // so the next run redoes everything.
      if (clean) await ctx.fs.remove(marker).catch(() => {});
    }
  };
  return dryRun ? await locked() : await withLock(ctx, spec.condition, locked);
}

/** Options of {@link uninstall}; `S` as in {@link InstallOptions}. */
export interface UninstallOptions<S extends ServiceStatus = ServiceStatus> {
  /** Stop and disable, but keep the files. */
  keepFiles?: boolean;
  /** Remove files that lack the marker (a backup is kept). */
  force?: boolean;
  /** Return the plan without applying it. */
  dryRun?: boolean;
  /** Sleeps between the tries of a step with `until` / `retry`. */
  sleep?: ApplyOptions["sleep"];
  /** A preset's status of the service instead of `driver.status()`. */
  status?: () => Promise<S | undefined>;
  /**
   * A preset's plan instead of `driver.planDisable()`, e.g. for the unit name the
   * status found (Lima's boot unit under the name earlier versions gave it).
   */
  plan?: (prior: PriorState | undefined, before: S) => Plan;
}

/** The typed result of {@link uninstall}. */
export interface UninstallResult<S extends ServiceStatus = ServiceStatus> {
  /** The plan applied (or that a real run applies). */
  plan: Plan;
  /** Nothing was applied. */
  dryRun: boolean;
  /** Status before. */
  before: S;
  /** What apply reported (empty for a dry run). */
  result: ApplyResult;
}

/**
 * Stops and removes a managed service: lock → status → prior state → one plan → apply
 * (or, for `dryRun`, the same plan). Fails when the service is not managed (any more).
 */
export async function uninstall<S extends ServiceStatus = ServiceStatus>(
  ctx: Context,
  driver: Driver,
  ref: ServiceRef,
  options: UninstallOptions<S> = {},
): Promise<UninstallResult<S>> {
  const { keepFiles = false, force = false, dryRun = false } = options;
  // Invalid input (root needed) before the lock, as in install().
  driver.planDisable(ref, ctx, { keepFiles });
  const locked = async (): Promise<UninstallResult<S>> => {
    const before = await statusBefore(ctx, driver, ref, options.status);
    if (before === undefined) {
      throw new OperationError(
        `No service named "${ref.name}" is managed by autostart (removed meanwhile?)`,
        { hint: HINT_SEE_STATUS },
      );
    }
    const prior = priorOf(before);
    const plan = options.plan
      ? options.plan(prior, before)
      : driver.planDisable(ref, ctx, {
        keepFiles,
        ...(prior ? { prior } : {}),
      });
    const result = dryRun
      ? NOTHING
      : await apply(plan, applyOptions(ctx, driver, force, options.sleep));
    return { plan, dryRun, before, result };
  };
  return dryRun ? await locked() : await withLock(ctx, ref.condition, locked);
}

/** The typed result of {@link control}. */
export interface ControlResult {
  /** The plan applied. */
  plan: Plan;
  /** What apply reported. */
  result: ApplyResult;
}

/** Starts, stops or restarts a managed service under the scope's lock. */
export async function control(
  ctx: Context,
  driver: Driver,
  ref: ServiceRef,
  action: ControlAction,
  options: { sleep?: ApplyOptions["sleep"] } = {},
): Promise<ControlResult> {
  const plan = driver.planControl(ref, action, ctx);
  const result = await withLock(
    ctx,
    ref.condition,
    () => apply(plan, applyOptions(ctx, driver, false, options.sleep)),
  );
  return { plan, result };
}

/** The typed result of {@link query}. */
export interface QueryResult {
  /** Its status (`undefined`: not managed by this driver for that condition). */
  status: ServiceStatus | undefined;
  /** What its file holds (`null`: no file, or the driver cannot read it back). */
  read: ReadBack | null;
}

/**
 * Reads a service without changing anything: its status and what its managed file
 * holds (`show`, `export`). No lock: nothing is written.
 */
export async function query(
  ctx: Context,
  driver: Driver,
  ref: ServiceRef,
): Promise<QueryResult> {
  const [status] = await driver.status(ref.condition, ctx, [ref.name]);
  const read = status === undefined
    ? null
    : (await driver.readBack?.(ref, ctx)) ?? null;
  return { status, read };
}
