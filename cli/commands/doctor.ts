/**
 * `autostart doctor [--json]`: the checks that explain "why doesn't it start": each
 * driver of this platform says whether its init system is reachable and runs its own
 * checks ({@link Driver.diagnose}); plugin load problems are reported too. Exit 1 when a
 * check fails, 0 otherwise (warnings included).
 *
 * @module
 */

import type { Check, Driver } from "../../core/driver.ts";
import { UsageError } from "../../core/errors.ts";
import type { Context } from "../../core/context.ts";
import type { Registry } from "../../core/registry.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { palette } from "../output.ts";

/** Version of the `doctor --json` document (see docs/json.md). */
export const DOCTOR_SCHEMA_VERSION = 1;

/** A check with the driver that made it. */
export interface DriverCheck extends Check {
  /** Driver id, or "autostart" for checks of the tool itself. */
  driver: string;
}

/** Every check of every driver of this platform. */
export async function runChecks(
  registry: Registry,
  ctx: Context,
): Promise<DriverCheck[]> {
  const out: DriverCheck[] = [];
  const drivers: Driver[] = registry.forPlatform(ctx.os);
  if (drivers.length === 0) {
    out.push({
      driver: "autostart",
      id: "autostart.platform",
      title: "platform",
      level: "fail",
      detail: `no driver runs on ${ctx.os}`,
      fix: "see `autostart drivers` for the supported platforms",
    });
  }
  for (const d of drivers) {
    if (d.diagnose) {
      for (const c of await d.diagnose(ctx)) out.push({ driver: d.id, ...c });
      continue;
    }
    for (const condition of d.conditions) {
      // A driver without checks of its own is one option among others here (runit
      // on a systemd machine): its absence is a fact, not a fault.
      const a = await d.available(ctx, condition);
      out.push({
        driver: d.id,
        id: `${d.id}.available`,
        title: `${d.id} for ${condition}`,
        level: "ok",
        detail: a.available
          ? "available"
          : `not in use here: ${a.reason ?? "not available"}`,
      });
    }
  }
  for (const p of registry.problems()) {
    out.push({
      driver: "autostart",
      id: "autostart.plugin",
      title: "plugin",
      level: "fail",
      detail: `${p.source}: ${p.message}`,
      fix: "fix or remove the plugin module",
    });
  }
  return out;
}

/** Runs `doctor`. */
export async function doctorCommand(
  argv: string[],
  app: App,
): Promise<number> {
  const a = parseArgs(argv, optionsOf("doctor"), "doctor");
  if (a.positionals.length) {
    throw new UsageError(
      `Unexpected argument ${JSON.stringify(a.positionals[0])}`,
      "usage: autostart doctor [--json]",
    );
  }
  const ctx = await app.context();
  const checks = await runChecks(await app.registry(), ctx);
  const failed = checks.filter((c) => c.level === "fail").length;
  const warned = checks.filter((c) => c.level === "warn").length;
  if (a.values.json) {
    app.io.out(
      JSON.stringify(
        {
          schemaVersion: DOCTOR_SCHEMA_VERSION,
          ok: failed === 0,
          checks,
        },
        null,
        2,
      ) + "\n",
    );
    return failed ? 1 : 0;
  }
  const p = palette(app.io.color);
  const mark = {
    ok: p.green("ok  "),
    warn: p.yellow("warn"),
    fail: p.red("FAIL"),
  };
  for (const c of checks) {
    app.io.out(`${mark[c.level]}  ${c.title}: ${c.detail}\n`);
    if (c.fix && c.level !== "ok") app.io.out(`      fix: ${c.fix}\n`);
  }
  app.io.out(
    failed
      ? `\n${failed} problem(s) to fix${
        warned ? `, ${warned} warning(s)` : ""
      }.\n`
      : `\n${
        warned ? `No problems; ${warned} warning(s).` : "Everything looks fine."
      }\n`,
  );
  return failed ? 1 : 0;
}
