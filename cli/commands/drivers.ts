/**
 * `autostart drivers [--json]`: the registry, with availability here.
 *
 * @module
 */

import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { palette, table } from "../output.ts";

/** Runs `drivers`. */
export async function driversCommand(
  argv: string[],
  app: App,
): Promise<number> {
  const a = parseArgs(argv, optionsOf("drivers"), "drivers");
  const ctx = await app.context();
  const registry = await app.registry();
  const rows = await Promise.all(
    registry.all().map(async (d) => {
      const onPlatform = d.platforms.includes(ctx.os);
      const conds = await Promise.all(
        d.conditions.map(async (c) =>
          [c, onPlatform ? await d.available(ctx, c) : null] as const
        ),
      );
      const ok = conds.some(([, x]) => x?.available);
      const reasons = [
        ...new Set(
          conds.filter(([, x]) => x && !x.available).map(([c, x]) =>
            `${c}: ${x!.reason}`
          ),
        ),
      ];
      return {
        id: d.id,
        source: registry.sourceOf(d.id) ?? "built-in",
        description: d.description,
        platforms: [...d.platforms],
        conditions: [...d.conditions],
        keepAlive: [...d.keepAlive],
        features: [...(d.features ?? [])],
        available: ok,
        reason: onPlatform
          ? (reasons.length ? reasons.join("; ") : null)
          : `runs on ${d.platforms.join(", ")}, not ${ctx.os}`,
      };
    }),
  );
  if (a.values.json) {
    app.io.out(
      JSON.stringify(
        { platform: ctx.os, drivers: rows, problems: registry.problems() },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  const p = palette(app.io.color);
  app.io.out(
    table(
      [
        "DRIVER",
        "PLATFORMS",
        "CONDITIONS",
        "KEEP-ALIVE",
        "FEATURES",
        "AVAILABLE",
      ],
      rows.map((r) => [
        r.id,
        r.platforms.join(","),
        r.conditions.join(","),
        r.keepAlive.join(","),
        r.features.join(",") || "-",
        r.available
          ? p.green("yes")
          : p.dim("no") + (r.reason ? ` (${r.reason})` : ""),
      ]),
      p.bold,
    ),
  );
  for (const x of registry.problems()) {
    app.io.out(`${p.yellow("not loaded")}: plugin ${x.source}: ${x.message}\n`);
  }
  return 0;
}
