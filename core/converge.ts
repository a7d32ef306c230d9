/**
 * `apply`: converges this machine to a manifest through the same operations as
 * `enable` and `disable` ({@link install}, {@link uninstall}: same lock, same plans,
 * same rollback). Every entry is resolved first (an invalid one stops everything before
 * a change: {@link ManifestError}, exit 2); then each service is created, updated or
 * left alone (its files compared byte for byte with what the plan would write), and
 * with `prune` each managed service absent from the manifest is removed. A service that
 * fails is rolled back alone and reported; the others are still applied.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Driver, ServiceStatus } from "./driver.ts";
import { AutostartError, UsageError } from "./errors.ts";
import type { PriorState } from "./driver.ts";
import type { Plan } from "./plan.ts";
import {
  type CheckedEntry,
  type ManifestEntry,
  ManifestError,
  type ManifestProblem,
  requestOf,
} from "./manifest.ts";
import { install, type InstallOptions, uninstall } from "./operations.ts";
import type { FieldChange } from "./read_back.ts";
import type { Registry } from "./registry.ts";
import { type Condition, resolveSpec, type ServiceSpec } from "./spec.ts";

/** What apply did (or, with `check`, would do) to one service. */
export type ApplyAction =
  | "created"
  | "updated"
  | "unchanged"
  | "removed"
  | "failed";

/** The outcome of one service. */
export interface ServiceOutcome {
  /** Service name. */
  name: string;
  /** Its condition. */
  condition: string;
  /** Driver id (`null` when none could be chosen). */
  driver: string | null;
  /** What happened. */
  action: ApplyAction;
  /** Why it failed, or what changed, in words (`null` when there is nothing to say). */
  reason: string | null;
  /** Fields that differ from the installed version (updated), masked secrets. */
  changes: FieldChange[];
}

/** The result of {@link converge}. */
export interface ConvergeResult {
  /** Something was (or, with `check`, would be) changed. */
  changed: boolean;
  /** Nothing was changed: `check` mode. */
  check: boolean;
  /** One outcome per manifest service, then the removed ones. */
  services: ServiceOutcome[];
}

/** Options of {@link converge}. */
export interface ConvergeOptions {
  /** Remove managed services that the manifest does not list. */
  prune?: boolean;
  /** Change nothing; report what would change. */
  check?: boolean;
  /** Directory relative paths of the manifest are resolved against. */
  baseDir: string;
  /** The manifest file, for messages. */
  file: string;
  /** Only the services of this condition (and, with `prune`, only its scope). */
  condition?: Condition;
  /** Problems already found in the file (reported with the others; nothing applied). */
  problems?: ManifestProblem[];
  /**
   * Resolves a preset entry (`lima: INSTANCE`) to what `install()` needs; given by the
   * caller so core does not import presets. Throws `UsageError` for a bad entry.
   */
  preset?: (
    entry: ManifestEntry,
    ctx: Context,
    loose: boolean,
  ) => Promise<PresetInstall>;
}

/** A preset entry resolved: its spec, driver, and its own status and plan. */
export interface PresetInstall {
  /** The spec. */
  spec: ServiceSpec;
  /** The driver. */
  driver: Driver;
  /** The preset's status (`undefined`: not installed). */
  status: () => Promise<ServiceStatus | undefined>;
  /** The preset's plan for a prior state. */
  plan: (prior?: PriorState) => Plan;
}

/** The service index of a problem's path (`services[3].x` → 3; others first). */
function indexOf(path: string): number {
  const m = /^services\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) : -1;
}

/** Which field of an entry a resolution error is about. */
function fieldOf(message: string): string {
  if (/--cwd/.test(message)) return "cwd";
  if (/--env-file/.test(message)) return "envFile";
  if (/--log-dir/.test(message)) return "logDir";
  if (/--path/.test(message)) return "path";
  if (/--user|user|boot service as root|login service/i.test(message)) {
    return "user";
  }
  if (/value of|--env/.test(message)) return "env";
  if (/^Refusing to run "/.test(message)) return "command";
  if (/program|command|argument/i.test(message)) return "command";
  if (/name/i.test(message)) return "name";
  return "";
}

interface Resolved {
  index: number;
  spec: ServiceSpec;
  driver: Driver | null;
  failure: string | null;
  /** A preset's status and plan (Lima). */
  preset?: Pick<InstallOptions, "status" | "plan">;
}

/**
 * Converges to a checked manifest. Throws {@link ManifestError} (nothing applied) when
 * an entry cannot be resolved here (program not found, no such directory, unknown
 * user or driver); otherwise returns one outcome per service.
 */
export async function converge(
  ctx: Context,
  registry: Registry,
  entries: CheckedEntry[],
  options: ConvergeOptions,
): Promise<ConvergeResult> {
  const { prune = false, check = false } = options;
  const problems: ManifestProblem[] = [...(options.problems ?? [])];
  const resolved: Resolved[] = [];
  const here = { ...ctx, cwd: options.baseDir };
  for (const { index, entry } of entries) {
    if (
      options.condition !== undefined &&
      (entry.condition ?? "login") !== options.condition
    ) continue;
    const at = `services[${index}]`;
    if (entry.lima !== undefined) {
      try {
        if (!options.preset) {
          throw new UsageError("Preset entries are not supported here");
        }
        const li = await options.preset(entry, here, check);
        li.plan(); // pure: what the driver refuses is found now
        resolved.push({
          index,
          spec: li.spec,
          driver: li.driver,
          failure: null,
          preset: { status: li.status, plan: li.plan },
        });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        const f = /limactl|instance/i.test(e.message)
          ? "lima"
          : fieldOf(e.message);
        problems.push({ path: f ? `${at}.${f}` : at, message: e.message });
      }
      continue;
    }
    let spec: ServiceSpec;
    try {
      spec = await resolveSpec(requestOf(entry), here);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const f = fieldOf(e.message);
      problems.push({ path: f ? `${at}.${f}` : at, message: e.message });
      continue;
    }
    try {
      const driver = await registry.select({
        condition: spec.condition,
        keepAlive: spec.keepAlive,
        driverId: entry.driver,
        ignoreAvailability: check,
      }, ctx);
      // Plans are pure: one now finds what the driver refuses (a path systemd
      // cannot run, root needed) before anything is applied, as enable would.
      await driver.prepare?.(ctx);
      driver.plan(spec, ctx);
      resolved.push({ index, spec, driver, failure: null });
    } catch (e) {
      if (e instanceof UsageError) {
        const f = /driver/i.test(e.message) ? "driver" : fieldOf(e.message);
        problems.push({ path: f ? `${at}.${f}` : at, message: e.message });
      } else if (e instanceof AutostartError) {
        resolved.push({ index, spec, driver: null, failure: e.message });
      } else throw e;
    }
  }
  if (problems.length) {
    problems.sort((a, b) => indexOf(a.path) - indexOf(b.path));
    const scope = problems.some((p) =>
      /login service belongs|needs root|boot service as root/.test(p.message)
    );
    throw new ManifestError(
      options.file,
      problems,
      scope
        ? "nothing was applied; a login service is applied by its user and a boot service as root: autostart apply FILE --condition=login, and sudo autostart apply FILE --condition=boot"
        : undefined,
    );
  }

  const services: ServiceOutcome[] = [];
  for (const r of resolved) {
    const base = {
      name: r.spec.name,
      condition: r.spec.condition,
      driver: r.driver?.id ?? null,
    };
    if (r.driver === null) {
      services.push({
        ...base,
        action: "failed",
        reason: r.failure,
        changes: [],
      });
      continue;
    }
    try {
      const done = await install(ctx, r.driver, r.spec, {
        dryRun: check,
        startStopped: false,
        ...r.preset,
      });
      services.push({
        ...base,
        action: done.action,
        reason: done.action === "updated" && done.changes.length === 0
          ? done.before?.drifted
            ? "its file had been edited by hand"
            : done.before?.enabled === false
            ? "it was not enabled"
            : "its files differed"
          : null,
        changes: done.changes,
      });
    } catch (e) {
      services.push({
        ...base,
        action: "failed",
        reason: describeError(e),
        changes: [],
      });
    }
  }

  if (prune) {
    const wanted = new Set(
      resolved.map((r) => `${r.spec.name}@${r.spec.condition}`),
    );
    const all = await managed(ctx, registry, options.condition);
    for (const { driver, status } of all) {
      if (wanted.has(`${status.name}@${status.condition}`)) continue;
      const base = {
        name: status.name,
        condition: status.condition,
        driver: driver.id,
        changes: [],
      };
      try {
        await uninstall(ctx, driver, status, { dryRun: check });
        services.push({ ...base, action: "removed", reason: null });
      } catch (e) {
        services.push({ ...base, action: "failed", reason: describeError(e) });
      }
    }
  }
  return {
    changed: services.some((s) =>
      s.action !== "unchanged" && s.action !== "failed"
    ),
    check,
    services,
  };
}

/** An error in one line, with its hint. */
function describeError(e: unknown): string {
  if (e instanceof AutostartError) {
    return e.hint ? `${e.message} (${e.hint})` : e.message;
  }
  return (e as Error).message ?? String(e);
}

/**
 * Every service autostart manages on this platform (files with the marker), with its
 * driver: only these can be pruned, never a file autostart did not write.
 */
export async function managed(
  ctx: Context,
  registry: Registry,
  only?: Condition,
): Promise<{ driver: Driver; status: ServiceStatus }[]> {
  const out: { driver: Driver; status: ServiceStatus }[] = [];
  for (const driver of registry.forPlatform(ctx.os)) {
    for (const condition of driver.conditions) {
      if (only !== undefined && condition !== only) continue;
      if (condition === "boot" && ctx.self.uid !== 0) continue;
      for (const status of await driver.status(condition, ctx)) {
        out.push({ driver, status });
      }
    }
  }
  return out;
}
