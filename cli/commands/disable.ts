/**
 * `autostart disable NAME [--condition=...] [--keep-files] [--dry-run] [--json]`
 * and `autostart disable --all [--condition=...] [--yes]`
 *
 * @module
 */

import { AutostartError, UsageError } from "../../core/errors.ts";
import { uninstall } from "../../core/operations.ts";
import { describePlan } from "../../core/plan.ts";
import { type Condition, parseCondition } from "../../core/spec.ts";
import type { App } from "../app.ts";
import { parseArgs, type ParsedArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { collect, locate, type Located, targetOf } from "../locate.ts";
import { palette } from "../output.ts";

/** Runs `disable`. */
export async function disableCommand(
  argv: string[],
  app: App,
): Promise<number> {
  const a = parseArgs(argv, optionsOf("disable"), "disable");
  if (a.values.all === true) return await disableAll(a, app);
  if (a.values.yes === true) {
    throw new UsageError(
      "--yes goes with --all",
      "disable one service: autostart disable NAME; every one: autostart disable --all --yes",
    );
  }
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
    disabledLine({ driver, status }, a.values["keep-files"] === true, p.green),
  );
  for (const w of result.warnings) app.io.err(`${p.yellow("warning")}: ${w}\n`);
  return 0;
}

/** The line printed for a disabled service. */
function disabledLine(
  { driver, status }: Located,
  keepFiles: boolean,
  green: (t: string) => string,
): string {
  return `${green("Disabled")} "${status.name}" (${driver.id}): stopped${
    keepFiles ? `; file kept at ${status.file}` : `; removed ${status.file}`
  }.\n`;
}

/**
 * The scope of `disable --all`: the `--condition` given, else what the caller can
 * change: boot services as root (sudo), login services otherwise.
 */
export function allScope(
  condition: Condition | undefined,
  uid: number,
): Condition {
  return condition ?? (uid === 0 ? "boot" : "login");
}

/**
 * `disable --all`: every service autostart manages in the scope, each through the
 * same per-service path as `disable NAME`. Asks on a terminal; elsewhere needs `--yes`
 * (exit 2 before anything is touched). A service that fails does not stop the others;
 * the exit code is then 1 and each failure is named.
 */
async function disableAll(a: ParsedArgs, app: App): Promise<number> {
  if (a.positionals.length) {
    throw new UsageError(
      `Give either NAME or --all, not both (got ${
        JSON.stringify(a.positionals[0])
      })`,
      "usage: autostart disable --all [--condition=login|boot] [--yes]",
    );
  }
  const ctx = await app.context();
  const condition = allScope(
    a.values.condition === undefined
      ? undefined
      : parseCondition(a.values.condition as string),
    ctx.self.uid,
  );
  const keepFiles = a.values["keep-files"] === true;
  const json = a.values.json === true;
  const dryRun = a.values["dry-run"] === true;
  const sudo = condition === "boot" ? "sudo " : "";
  const found = (await collect(app, { condition }))
    .sort((x, y) => x.status.name < y.status.name ? -1 : 1);
  const other = condition === "boot" ? "login" : "boot";
  const elsewhere = (await collect(app, { condition: other, fast: true }))
    .length;
  const leftNote = elsewhere
    ? `${elsewhere} ${other} service(s) were left alone: ${
      other === "boot" ? "sudo " : ""
    }autostart disable --all --condition=${other}`
    : null;
  if (found.length === 0) {
    if (json) {
      app.io.out(
        JSON.stringify(
          { ok: true, condition, removed: [], failed: [] },
          null,
          2,
        ) +
          "\n",
      );
    } else {
      app.io.out(`No ${condition} services are managed by autostart.\n`);
      if (leftNote) app.io.out(`note: ${leftNote}\n`);
    }
    return 0;
  }
  const names = found.map((f) => f.status.name);
  // Planned before asking: what cannot be done here (a boot service without root)
  // fails now, with nothing touched.
  const plans = found.map(({ driver, status }) =>
    driver.planDisable(
      { name: status.name, condition: status.condition },
      ctx,
      { keepFiles },
    )
  );
  if (dryRun) {
    if (json) {
      app.io.out(JSON.stringify({ dryRun: true, plans }, null, 2) + "\n");
    } else {
      plans.forEach((plan, i) => {
        app.io.out(
          `# dry run: ${found[i]!.driver.id} would do this to disable "${
            names[i]
          }"\n${describePlan(plan)}\n`,
        );
      });
    }
    return 0;
  }
  if (a.values.yes !== true) {
    const list = names.map((n) => `"${n}"`).join(", ");
    if (!app.io.confirm) {
      throw new UsageError(
        `disable --all would remove ${found.length} ${condition} service(s) (${list}) and cannot ask here: standard input is not a terminal`,
        `add --yes to confirm: ${sudo}autostart disable --all --condition=${condition} --yes`,
      );
    }
    const yes = await app.io.confirm(
      `Remove ${found.length} ${condition} service(s) managed by autostart: ${list}?`,
    );
    if (!yes) {
      app.io.err("Nothing was changed.\n");
      return 1;
    }
  }
  const p = palette(app.io.color);
  const removed: { name: string; driver: string; file: string | null }[] = [];
  const failed: { name: string; error: string }[] = [];
  for (const l of found) {
    try {
      // The same operation as `disable NAME`, one service at a time.
      const { result } = await uninstall(ctx, l.driver, {
        name: l.status.name,
        condition: l.status.condition,
      }, {
        keepFiles,
        force: a.values.force === true,
        ...(app.clock ? { sleep: app.clock.sleep } : {}),
      });
      removed.push({
        name: l.status.name,
        driver: l.driver.id,
        file: keepFiles ? null : l.status.file,
      });
      if (!json) {
        app.io.out(disabledLine(l, keepFiles, p.green));
        for (const w of result.warnings) {
          app.io.err(`${p.yellow("warning")}: ${w}\n`);
        }
      }
    } catch (e) {
      if (!(e instanceof AutostartError)) throw e;
      failed.push({ name: l.status.name, error: e.message });
      if (!json) {
        app.io.err(
          `${p.red("error")}: cannot disable "${l.status.name}": ${e.message}${
            e.hint ? `\n${p.bold("hint")}: ${e.hint}` : ""
          }\n`,
        );
      }
    }
  }
  if (json) {
    app.io.out(
      JSON.stringify(
        { ok: failed.length === 0, condition, removed, failed },
        null,
        2,
      ) + "\n",
    );
  } else {
    app.io.out(
      `${removed.length} of ${found.length} ${condition} service(s) disabled.\n`,
    );
    if (leftNote) app.io.out(`note: ${leftNote}\n`);
  }
  return failed.length ? 1 : 0;
}
