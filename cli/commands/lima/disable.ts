/**
 * `autostart lima disable INSTANCE`: every condition's Lima service of the instance
 * (or the one given) through `uninstall()` with the preset's status and plan.
 *
 * @module
 */

import { OperationError } from "../../../core/errors.ts";
import { uninstall } from "../../../core/operations.ts";
import { describePlan, type Plan } from "../../../core/plan.ts";
import type { Condition } from "../../../core/spec.ts";
import { foreignError, limaUninstall } from "../../../presets/lima_install.ts";
import { limaRef } from "../../../presets/lima_status.ts";
import type { App } from "../../app.ts";
import type { ParsedArgs } from "../../args.ts";
import { palette } from "../../output.ts";
import { instanceServices, oneInstance } from "./words.ts";

/** Runs `lima disable` on parsed arguments. */
export async function limaDisable(a: ParsedArgs, app: App): Promise<number> {
  const v = a.values;
  const instance = oneInstance(a.positionals, "disable");
  const json = v.json === true;
  const dryRun = v["dry-run"] === true;
  const { ctx, found } = await instanceServices(a, app, instance);
  if (found.length === 0) {
    throw new OperationError(
      `Lima instance "${instance}" has no service to disable${
        v.condition === undefined ? "" : ` for condition ${v.condition}`
      }`,
      { hint: `see: autostart lima status ${instance}` },
    );
  }
  for (const f of found) {
    if (f.status.owner === "limactl" && v.adopt !== true) {
      throw foreignError(f.status, "removed");
    }
  }
  // Pure: refuses (e.g. a boot service without root) before anything is changed.
  for (const f of found) {
    f.driver.planDisable(
      limaRef(f.driver, f.status.condition, instance, f.status.unit),
      ctx,
    );
  }
  const done: {
    condition: Condition;
    driver: string;
    removed: string | null;
    warnings: string[];
    plan: Plan;
  }[] = [];
  for (const f of found) {
    const c = f.status.condition;
    const r = await uninstall(
      ctx,
      f.driver,
      limaRef(f.driver, c, instance, f.status.unit),
      {
        dryRun,
        force: v.adopt === true,
        ...(app.clock ? { sleep: app.clock.sleep } : {}),
        ...limaUninstall(f.driver, c, instance, ctx),
      },
    );
    done.push({
      condition: c,
      driver: f.driver.id,
      removed: r.before.file,
      warnings: r.result.warnings,
      plan: r.plan,
    });
  }
  if (dryRun) {
    if (json) {
      const plans = done.map((d) => d.plan);
      app.io.out(JSON.stringify({ dryRun: true, plans }, null, 2) + "\n");
    } else {
      for (const d of done) {
        app.io.out(
          `# dry run: ${d.driver} would do this to disable Lima instance "${instance}"\n`,
        );
        app.io.out(describePlan(d.plan) + "\n");
      }
    }
    return 0;
  }
  if (json) {
    const disabled = done.map(({ plan: _p, ...d }) => d);
    app.io.out(
      JSON.stringify({ ok: true, instance, disabled }, null, 2) + "\n",
    );
    return 0;
  }
  const p = palette(app.io.color);
  for (const d of done) {
    app.io.out(
      `${
        p.green("Disabled")
      } Lima instance "${instance}" (${d.driver}, ${d.condition}): stopped; removed ${d.removed}.\n`,
    );
    for (const w of d.warnings) app.io.err(`${p.yellow("warning")}: ${w}\n`);
  }
  return 0;
}
