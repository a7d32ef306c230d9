/**
 * `autostart enable NAME [options] -- COMMAND [ARGS...]`
 *
 * @module
 */

import { apply } from "../../core/apply.ts";
import { UsageError } from "../../core/errors.ts";
import { describePlan } from "../../core/plan.ts";
import { resolveSpec } from "../../core/spec.ts";
import type { App } from "../app.ts";
import { type OptionSpec, parseArgs } from "../args.ts";
import { palette } from "../output.ts";

/** Options of `enable`. */
export const ENABLE_OPTIONS: OptionSpec[] = [
  { name: "condition", kind: "string" },
  {
    name: "keep-alive",
    kind: "optional",
    choices: ["true", "false", "always", "on-failure"],
  },
  { name: "env", kind: "list", short: "e" },
  { name: "env-file", kind: "string" },
  { name: "cwd", kind: "string" },
  { name: "path", kind: "string" },
  { name: "user", kind: "string" },
  { name: "log-dir", kind: "string" },
  { name: "restart-delay", kind: "string" },
  { name: "driver", kind: "string" },
  { name: "start", kind: "boolean" },
  { name: "force", kind: "boolean" },
  { name: "dry-run", kind: "boolean" },
  { name: "json", kind: "boolean" },
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
    start: v.start as boolean | undefined,
  }, ctx);
  const registry = await app.registry();
  const driver = await registry.select({
    condition: spec.condition,
    keepAlive: spec.keepAlive,
    driverId: v.driver as string | undefined,
    ignoreAvailability: v["dry-run"] === true,
  }, ctx);
  await driver.prepare?.(ctx);
  const plan = driver.plan(spec, ctx);
  const json = v.json === true;
  if (v["dry-run"]) {
    if (json) {
      app.io.out(JSON.stringify({ dryRun: true, spec, plan }, null, 2) + "\n");
    } else {
      app.io.out(`# dry run: ${driver.id} would do this for "${spec.name}"\n`);
      app.io.out(describePlan(plan) + "\n");
    }
    return 0;
  }
  const result = await apply(plan, {
    runner: ctx.runner,
    fs: ctx.fs,
    force: v.force === true,
    ...(driver.explain ? { explain: driver.explain } : {}),
  });
  const notes = [
    ...(plan.notes ?? []),
    ...(driver.advise ? await driver.advise(spec, ctx) : []),
  ];
  const file = plan.steps.find((s) => s.kind === "write")?.path ?? null;
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
          started: spec.start,
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
  app.io.out(
    `${
      p.green("Enabled")
    } "${spec.name}" (${driver.id}, ${file}): starts ${when}, ${
      keepAliveWords(spec.keepAlive)
    }${spec.start ? "; started now" : "; not started now (--no-start)"}.\n`,
  );
  for (const b of result.backups) {
    app.io.out(`The previous file was kept as ${b}\n`);
  }
  for (const w of result.warnings) app.io.err(`${p.yellow("warning")}: ${w}\n`);
  for (const n of notes) app.io.out(`${p.dim("note")}: ${n}\n`);
  return 0;
}
