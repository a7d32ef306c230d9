/**
 * `autostart disable NAME [--condition=...] [--keep-files] [--dry-run] [--json]`
 *
 * @module
 */

import { uninstall } from "../../core/operations.ts";
import { describePlan } from "../../core/plan.ts";
import type { App } from "../app.ts";
import { type OptionSpec, parseArgs } from "../args.ts";
import { locate, targetOf } from "../locate.ts";
import { palette } from "../output.ts";

/** Options of `disable`. */
export const DISABLE_OPTIONS: OptionSpec[] = [
  { name: "condition", kind: "string" },
  { name: "keep-files", kind: "boolean" },
  { name: "dry-run", kind: "boolean" },
  { name: "force", kind: "boolean" },
  { name: "json", kind: "boolean" },
];

/** Runs `disable`. */
export async function disableCommand(
  argv: string[],
  app: App,
): Promise<number> {
  const a = parseArgs(argv, DISABLE_OPTIONS, "disable");
  const { name, condition } = targetOf(a, "autostart disable NAME");
  const ctx = await app.context();
  const { driver, status } = await locate(app, name, condition);
  const ref = { name, condition: status.condition };
  const json = a.values.json === true;
  const { plan, dryRun, result } = await uninstall(ctx, driver, ref, {
    keepFiles: a.values["keep-files"] === true,
    force: a.values.force === true,
    dryRun: a.values["dry-run"] === true,
    ...(app.clock ? { sleep: app.clock.sleep } : {}),
  });
  if (dryRun) {
    if (json) {
      app.io.out(JSON.stringify({ dryRun: true, plan }, null, 2) + "\n");
    } else {
      app.io.out(
        `# dry run: ${driver.id} would do this to disable "${name}"\n`,
      );
      app.io.out(describePlan(plan) + "\n");
    }
    return 0;
  }
  if (json) {
    app.io.out(
      JSON.stringify(
        {
          ok: true,
          name,
          driver: driver.id,
          condition: status.condition,
          removed: a.values["keep-files"] ? null : status.file,
          warnings: result.warnings,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  const p = palette(app.io.color);
  app.io.out(
    `${p.green("Disabled")} "${name}" (${driver.id}): stopped${
      a.values["keep-files"]
        ? `; file kept at ${status.file}`
        : `; removed ${status.file}`
    }.\n`,
  );
  for (const w of result.warnings) app.io.err(`${p.yellow("warning")}: ${w}\n`);
  return 0;
}
