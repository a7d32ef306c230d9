/**
 * `autostart enable NAME [options] -- COMMAND [ARGS...]`
 *
 * @module
 */

import { apply, type ApplyResult, writeIsCurrent } from "../../core/apply.ts";
import type { Context } from "../../core/context.ts";
import {
  type Driver,
  featuresOf,
  type PriorState,
  type ServiceStatus,
} from "../../core/driver.ts";
import { OperationError, UsageError } from "../../core/errors.ts";
import { basename } from "../../core/fs.ts";
import { pendingPath, withLock } from "../../core/lock.ts";
import { describePlan, type Plan } from "../../core/plan.ts";
import { resolveSpec, type ServiceSpec } from "../../core/spec.ts";
import type { App } from "../app.ts";
import { type OptionSpec, parseArgs } from "../args.ts";
import { palette } from "../output.ts";
import { WAIT_OPTION, waitAfterStart, waitMsOf } from "../start_wait.ts";
import type { WaitOutcome } from "../../core/wait.ts";

/** The `--keep-alive[=true|false|always|on-failure]` option. */
export const KEEP_ALIVE_OPTION: OptionSpec = {
  name: "keep-alive",
  kind: "optional",
  choices: ["true", "false", "always", "on-failure"],
};

/** Options of `enable`. */
export const ENABLE_OPTIONS: OptionSpec[] = [
  { name: "condition", kind: "string" },
  KEEP_ALIVE_OPTION,
  { name: "env", kind: "list", short: "e" },
  { name: "env-file", kind: "string" },
  { name: "cwd", kind: "string" },
  { name: "path", kind: "string" },
  { name: "user", kind: "string" },
  { name: "log-dir", kind: "string" },
  { name: "restart-delay", kind: "string" },
  { name: "stop-timeout", kind: "string" },
  { name: "driver", kind: "string" },
  { name: "start", kind: "boolean" },
  { name: "force", kind: "boolean" },
  { name: "allow-unsafe", kind: "boolean" },
  { name: "dry-run", kind: "boolean" },
  { name: "json", kind: "boolean" },
  WAIT_OPTION,
];

/** Human words for a keep-alive mode. */
export function keepAliveWords(mode: string): string {
  return mode === "always"
    ? "restarted whenever it exits"
    : mode === "on-failure"
    ? "restarted when it fails"
    : "not restarted";
}

/** Runs `enable`. */
export async function enableCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, ENABLE_OPTIONS, "enable");
  const v = a.values;
  if (a.positionals.length === 0) {
    throw new UsageError(
      "Missing NAME",
      "usage: autostart enable NAME [options] -- COMMAND",
    );
  }
  if (a.positionals.length > 1) {
    throw new UsageError(
      `Unexpected argument ${JSON.stringify(a.positionals[1])}`,
      "put the command after --: autostart enable NAME -- COMMAND ARGS...",
    );
  }
  const ctx = await app.context();
  const spec = await resolveSpec({
    name: a.positionals[0]!,
    command: a.rest,
    condition: v.condition as string | undefined,
    keepAlive: v["keep-alive"] as string | boolean | undefined,
    env: v.env as string[] | undefined,
    envFile: v["env-file"] as string | undefined,
    cwd: v.cwd as string | undefined,
    path: v.path as string | undefined,
    user: v.user as string | undefined,
    logDir: v["log-dir"] as string | undefined,
    restartDelay: v["restart-delay"] as string | undefined,
    stopTimeout: v["stop-timeout"] as string | undefined,
    start: v.start as boolean | undefined,
    allowUnsafe: v["allow-unsafe"] as boolean | undefined,
  }, ctx);
  const registry = await app.registry();
  const driver = await registry.select({
    condition: spec.condition,
    keepAlive: spec.keepAlive,
    features: featuresOf(spec),
    driverId: v.driver as string | undefined,
    ignoreAvailability: v["dry-run"] === true,
  }, ctx);
  await driver.prepare?.(ctx);
  const plan = driver.plan(spec, ctx);
  const json = v.json === true;
  const waitMs = waitMsOf(v.wait);
  if (v["dry-run"]) {
    if (json) {
      app.io.out(JSON.stringify({ dryRun: true, spec, plan }, null, 2) + "\n");
    } else {
      app.io.out(`# dry run: ${driver.id} would do this for "${spec.name}"\n`);
      app.io.out(describePlan(plan) + "\n");
    }
    return 0;
  }
  const outcome = await withLock(
    ctx,
    spec.condition,
    () => enableLocked(spec, driver, ctx, v.force === true, app),
  );
  const { result, upToDate, startedNow } = outcome;
  const notes = [
    ...(plan.notes ?? []),
    ...(driver.advise ? await driver.advise(spec, ctx) : []),
  ];
  const file = plan.steps.find((s) => s.kind === "write")?.path ?? null;
  // Wait only when this run started it (a running, up-to-date service is left alone).
  const waited = spec.start && (!upToDate || startedNow)
    ? await waitAfterStart(app, driver, spec, ctx, waitMs, {
      replaced: () => replacedSince(plan, ctx),
    })
    : null;
  if (json) {
    app.io.out(
      JSON.stringify(
        {
          ok: true,
          name: spec.name,
          driver: driver.id,
          condition: spec.condition,
          keepAlive: spec.keepAlive,
          file,
          upToDate,
          started: spec.start,
          startedNow,
          state: waited?.status?.state ?? null,
          replacedEdits: result.replacedEdits,
          warnings: result.warnings,
          backups: result.backups,
          notes,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  const p = palette(app.io.color);
  const when = spec.condition === "boot" ? "at boot" : "at login";
  if (upToDate) {
    app.io.out(
      `"${spec.name}" is already enabled and up to date (${driver.id}, ${file})${
        startedNow ? "; it was not running, started it now" : ""
      }.\n`,
    );
    return 0;
  }
  app.io.out(
    `${
      p.green("Enabled")
    } "${spec.name}" (${driver.id}, ${file}): starts ${when}, ${
      keepAliveWords(spec.keepAlive)
    }${
      !spec.start
        ? "; not started now (--no-start)"
        : waited === null
        ? "; started now"
        : startedWords(waited.outcome)
    }.\n`,
  );
  // A backup is named after its file, beside it or in the driver's backup directory.
  const backupOf = (f: string) =>
    result.backups.find((b) => basename(b).startsWith(basename(f)));
  for (const f of result.replacedEdits) {
    app.io.out(
      `${
        p.yellow("note")
      }: ${f} had been edited by hand; the edits were replaced (the edited file was kept as ${
        backupOf(f)
      })\n`,
    );
  }
  for (const b of result.backups) {
    if (result.replacedEdits.some((f) => backupOf(f) === b)) continue;
    app.io.out(`The previous file was kept as ${b}\n`);
  }
  for (const w of result.warnings) app.io.err(`${p.yellow("warning")}: ${w}\n`);
  for (const n of notes) app.io.out(`${p.dim("note")}: ${n}\n`);
  return 0;
}

/** How a started service was found after the wait. */
export function startedWords(outcome: WaitOutcome): string {
  return outcome === "running"
    ? "; running now"
    : outcome === "exited"
    ? "; it ran and exited cleanly"
    : outcome === "replaced"
    ? "; replaced meanwhile by another enable of the same name"
    : "; started, still starting (see: autostart status)";
}

/** Whether the file `plan` wrote now holds something else (another run replaced it). */
async function replacedSince(plan: Plan, ctx: Context): Promise<boolean> {
  const w = plan.steps.find((s) => s.kind === "write");
  if (!w || w.kind !== "write") return false;
  const now = await ctx.fs.readText(w.path).catch(() => null);
  return now !== w.content;
}

/** What {@link enableLocked} did. */
interface EnableOutcome {
  /** The apply result (empty when nothing was applied). */
  result: ApplyResult;
  /** The service was already installed exactly like this. */
  upToDate: boolean;
  /** An up-to-date service that was not running was started. */
  startedNow: boolean;
}

const RUNNING_STATES = new Set(["running", "starting", "crash-looping"]);

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
 * The part of enable that holds the scope's lock: read the current state, then either
 * say it is up to date (starting it if needed) or apply the plan, with a pending marker
 * so a run killed half-way is redone in full by the next.
 */
async function enableLocked(
  spec: ServiceSpec,
  driver: Driver,
  ctx: Context,
  force: boolean,
  app: App,
): Promise<EnableOutcome> {
  const applyOptions = {
    runner: ctx.runner,
    fs: ctx.fs,
    force,
    ...(app.clock ? { sleep: app.clock.sleep } : {}),
    ...(driver.explain ? { explain: driver.explain } : {}),
  };
  const [status] = await driver.status(spec.condition, ctx, [spec.name]);
  const marker = pendingPath(spec.condition, ctx, driver.id, spec.name);
  const pending = await ctx.fs.exists(marker);
  const plan = driver.plan(spec, ctx, priorOf(status));
  if (await isUpToDate(plan, status, ctx, pending)) {
    const running = RUNNING_STATES.has(status!.state);
    if (!spec.start || running) {
      return {
        result: { warnings: [], backups: [], replacedEdits: [] },
        upToDate: true,
        startedNow: false,
      };
    }
    const result = await apply(
      driver.planControl(spec, "start", ctx),
      applyOptions,
    );
    return { result, upToDate: true, startedNow: true };
  }
  try {
    await ctx.fs.mkdirp(marker.slice(0, marker.lastIndexOf("/")));
    await ctx.fs.writeAtomic(marker, `${Deno.pid}\n`, { mode: 0o600 });
  } catch (e) {
    throw new OperationError(
      `Cannot write ${marker}: ${(e as Error).message}`,
    );
  }
  let clean = true;
  try {
    return {
      result: await apply(plan, applyOptions),
      upToDate: false,
      startedNow: false,
    };
  } catch (e) {
    clean = !(e instanceof OperationError) || e.rollbackProblems.length === 0;
    throw e;
  } finally {
    // After a clean rollback the machine is as it was; otherwise the marker stays so
    // the next run redoes everything.
    if (clean) await ctx.fs.remove(marker).catch(() => {});
  }
}
