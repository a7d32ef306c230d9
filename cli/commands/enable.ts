/**
 * `autostart enable NAME [options] -- COMMAND [ARGS...]`
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import { featuresOf } from "../../core/driver.ts";
import { UsageError } from "../../core/errors.ts";
import { basename } from "../../core/fs.ts";
import { install } from "../../core/operations.ts";
import { looksSecret } from "../../core/env_file.ts";
import { describePlan, type Plan, printablePlan } from "../../core/plan.ts";
import type { FieldChange } from "../../core/read_back.ts";
import { resolveSpec } from "../../core/spec.ts";
import type { App } from "../app.ts";
import { parseArgs, unexpectedArgument } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { palette } from "../output.ts";
import { waitAfterStart, waitMsOf } from "../start_wait.ts";
import type { WaitOutcome } from "../../core/wait.ts";

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
  const a = parseArgs(argv, optionsOf("enable"), "enable");
  const v = a.values;
  if (a.positionals.length === 0) {
    throw new UsageError(
      "Missing NAME",
      "usage: autostart enable NAME [options] -- COMMAND",
    );
  }
  if (a.positionals.length > 1) {
    throw unexpectedArgument(
      a,
      1,
      "enable",
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
    restartMaxDelay: v["restart-max-delay"] as string | undefined,
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
  const warnings = publicEnvWarnings((v.env as string[] | undefined) ?? []);
  for (const w of warnings) {
    app.io.err(`${palette(app.io.color).yellow("warning")}: ${w}\n`);
  }
  const json = v.json === true;
  const waitMs = waitMsOf(v.wait);
  const p = palette(app.io.color);
  const done = await install(ctx, driver, spec, {
    force: v.force === true,
    dryRun: v["dry-run"] === true,
    ...(app.clock ? { sleep: app.clock.sleep } : {}),
    // What a re-enable replaces, said before it is replaced.
    ...(json ? {} : {
      beforeApply: (changes: FieldChange[]) =>
        app.io.out(describeChanges(changes, p)),
    }),
  });
  const { plan, result } = done;
  if (done.dryRun) {
    if (json) {
      const shown = spec.envFile === undefined ? spec : {
        ...spec,
        envFile: {
          ...spec.envFile,
          vars: spec.envFile.vars.map(([k]) => [k, "(hidden)"]),
        },
      };
      app.io.out(
        JSON.stringify(
          {
            dryRun: true,
            action: done.action,
            changes: done.changes,
            spec: shown,
            plan: printablePlan(plan),
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      app.io.out(
        done.action === "unchanged" && plan.steps.length === 0
          ? `# dry run: "${spec.name}" is already enabled and up to date (${driver.id}); nothing to do\n`
          : `# dry run: ${driver.id} would do this for "${spec.name}"\n${
            describeChanges(done.changes, p)
          }${describePlan(plan)}\n`,
      );
    }
    return 0;
  }
  const upToDate = done.action === "unchanged";
  const startedNow = done.startedNow;
  const notes = [
    ...(plan.notes ?? []),
    ...(driver.advise ? await driver.advise(spec, ctx) : []),
  ];
  const file = plan.steps.find((s) => s.kind === "write")?.path ??
    done.before?.file ?? null;
  // Wait only when this run started it (a running, up-to-date service is left alone).
  const waited = spec.start && (!upToDate || startedNow)
    ? await waitAfterStart(app, driver, spec, ctx, waitMs, {
      replaced: () => replacedSince(plan, ctx),
      // A running service is replaced: its old process's end is not a failure.
      priorPid: done.before?.state === "running" ? done.before.pid : null,
      // It existed: the start stops whatever run it had (even one caught starting).
      replacesRun: done.before != null && done.before.state !== "not-loaded",
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
          action: done.action,
          upToDate,
          started: spec.start,
          startedNow,
          state: waited?.status?.state ?? null,
          changes: done.changes,
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

/**
 * The field-by-field changes of a re-enable, one line each (secret-looking values
 * masked), or "" when nothing changed or the service is new.
 */
export function describeChanges(
  changes: FieldChange[],
  p: ReturnType<typeof palette>,
): string {
  if (changes.length === 0) return "";
  const show = (v: string | null) => v === null ? "(not set)" : v;
  return `Changes to the installed service:\n${
    changes.map((c) =>
      `  ${p.bold(c.field)}: ${show(c.before)} ${p.dim("->")} ${
        show(c.after)
      }\n`
    ).join("")
  }`;
}

/**
 * Warnings about values other users can read: `--env` names that look secret (they land
 * in a world-readable service file and in `systemctl show -p Environment`).
 */
export function publicEnvWarnings(envOptions: string[]): string[] {
  const out: string[] = [];
  const secret = envOptions
    .map((pair) => pair.slice(0, Math.max(pair.indexOf("="), 0)))
    .filter((k) => k !== "" && looksSecret(k));
  if (secret.length > 0) {
    out.push(
      `${
        [...new Set(secret)].join(", ")
      } given with --env: its value is written into the service file, which every user can read (and into \`systemctl show -p Environment\`); put secrets in a file and pass --env-file FILE instead`,
    );
  }
  return out;
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

export { priorOf } from "../../core/operations.ts";
