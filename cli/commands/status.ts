/**
 * `autostart status [NAME...] [--condition=...] [--fast] [--json]` (alias `list`).
 *
 * @module
 */

import type { ServiceStatus } from "../../core/driver.ts";
import { type Condition, parseCondition, parseName } from "../../core/spec.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { collect } from "../locate.ts";
import { type Paint, palette, shortDuration, table } from "../output.ts";

/** Version of the `status --json` document (see docs/json.md). */
export const STATUS_SCHEMA_VERSION = 1;

/** Colour of each state. */
function stateColor(state: string, p: ReturnType<typeof palette>): Paint {
  switch (state) {
    case "running":
      return p.green;
    case "failed":
    case "crash-looping":
      return p.red;
    case "starting":
    case "not-loaded":
    case "unknown":
      return p.yellow;
    default:
      return p.dim;
  }
}

/** Renders statuses as the human table. */
export function renderStatusTable(
  list: ServiceStatus[],
  color: boolean,
  nowMs: number,
): string {
  const p = palette(color);
  const rows = list.map((s) => [
    s.name,
    stateColor(s.state, p)(s.state) + (s.drifted ? p.yellow(" (drifted)") : ""),
    s.pid === null ? "-" : String(s.pid),
    s.since && (s.state === "running" || s.state === "crash-looping")
      ? shortDuration((nowMs - Date.parse(s.since)) / 1000)
      : "-",
    s.restarts === null ? "-" : String(s.restarts),
    s.lastExit ?? "-",
    s.condition,
    s.driver,
  ]);
  return table(
    [
      "NAME",
      "STATE",
      "PID",
      "UPTIME",
      "RESTARTS",
      "LAST EXIT",
      "CONDITION",
      "DRIVER",
    ],
    rows,
    p.bold,
  );
}

/**
 * What `status --condition C` says when nothing is under that filter: that none is
 * there, and how many are under the other condition (so "nothing" is not mistaken
 * for "autostart manages nothing").
 */
async function noneUnder(app: App, condition: Condition): Promise<string> {
  const sudo = condition === "boot" ? "sudo " : "";
  const others = (await collect(app, { fast: true })).length;
  return `No ${condition} services are managed by autostart${
    others ? ` (${others} under the other condition: autostart status)` : ""
  }. Add one with: ${sudo}autostart enable NAME --condition=${condition} -- COMMAND\n`;
}

/** Runs `status`. */
export async function statusCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, optionsOf("status"), "status");
  const names = a.positionals.map(parseName);
  const condition = a.values.condition === undefined
    ? undefined
    : parseCondition(a.values.condition as string);
  const list = await collect(app, {
    ...(names.length ? { names } : {}),
    ...(condition ? { condition } : {}),
    ...(a.values.fast === true ? { fast: true } : {}),
  });
  // One collator: the same order as localeCompare(), which builds one per call
  // (a tenth of the time of `status` with hundreds of services).
  const { compare } = new Intl.Collator();
  const statuses = list.map((l) => l.status).sort((x, y) =>
    compare(x.name, y.name) || compare(x.condition, y.condition)
  );
  const missing = names.filter((n) => !statuses.some((s) => s.name === n));
  if (a.values.json) {
    // What each runs, read back from its file (null where it cannot be read, and
    // with --fast, which reads nothing more than state and PID).
    const ctx = await app.context();
    const fast = a.values.fast === true;
    const runs = new Map(
      await Promise.all(list.map(async ({ driver, status }) => {
        const rb = fast
          ? null
          : await driver.readBack?.(status, ctx).catch(() => null);
        const f = rb?.fields;
        return [status, {
          command: f?.program ? [f.program, ...f.args] : null,
          cwd: f?.cwd ?? null,
        }] as const;
      })),
    );
    app.io.out(
      JSON.stringify(
        {
          schemaVersion: STATUS_SCHEMA_VERSION,
          services: statuses.map((s) => ({ ...s, ...runs.get(s) })),
          missing,
        },
        null,
        2,
      ) + "\n",
    );
  } else if (statuses.length === 0 && missing.length === 0) {
    app.io.out(
      condition === undefined
        ? "No services are managed by autostart. Add one with: autostart enable NAME -- COMMAND\n"
        : await noneUnder(app, condition),
    );
  } else {
    if (statuses.length) {
      app.io.out(renderStatusTable(statuses, app.io.color, Date.now()));
    }
    for (const n of missing) {
      app.io.err(
        `"${n}" is not managed by autostart${
          condition ? ` as a ${condition} service` : ""
        }\n`,
      );
    }
  }
  return missing.length ? 1 : 0;
}
