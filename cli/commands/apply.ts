/**
 * `autostart apply FILE [--prune] [--check] [--condition=...] [--json]`: converges this
 * machine to a manifest (see core/converge.ts). Exit 0 when converged, 1 when a service
 * failed (the others are still applied), 2 for an invalid manifest (nothing applied).
 *
 * @module
 */

import { converge, type ConvergeResult } from "../../core/converge.ts";
import { UsageError } from "../../core/errors.ts";
import { checkManifest } from "../../core/manifest.ts";
import {
  absolutePath,
  parseCondition,
  parseDuration,
  parseKeepAlive,
  parseStopTimeout,
  unsafeForRoot,
} from "../../core/spec.ts";
import { resolveLima } from "../../presets/lima_apply.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { palette } from "../output.ts";

/** Version of the `apply --json` document. */
export const APPLY_SCHEMA_VERSION = 1;

/** Reads all of standard input. */
async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

/** Renders the human report of an apply. */
export function renderApply(r: ConvergeResult, color: boolean): string {
  const p = palette(color);
  const paint = {
    created: p.green,
    updated: p.yellow,
    unchanged: p.dim,
    removed: p.yellow,
    failed: p.red,
  };
  const width = Math.max(0, ...r.services.map((s) => s.name.length));
  const lines: string[] = [];
  for (const s of r.services) {
    const word = r.check && s.action !== "unchanged" && s.action !== "failed"
      ? `would be ${s.action}`
      : s.action;
    lines.push(
      `${paint[s.action](word.padEnd(r.check ? 20 : 9))} ${
        s.name.padEnd(width)
      }  (${s.driver ?? "no driver"}, ${s.condition})${
        s.reason ? `: ${s.reason}` : ""
      }`,
    );
    for (const c of s.changes) {
      lines.push(
        `    ${c.field}: ${c.before ?? "(not set)"} -> ${
          c.after ?? "(not set)"
        }`,
      );
    }
  }
  const n =
    r.services.filter((s) => s.action !== "unchanged" && s.action !== "failed")
      .length;
  const failed = r.services.filter((s) => s.action === "failed").length;
  lines.push(
    r.check
      ? `Check: ${n} of ${r.services.length} services would change${
        failed ? `, ${failed} would fail` : ""
      }; nothing was changed.`
      : `${
        n
          ? `Changed ${n} of ${r.services.length} services`
          : `Nothing changed (${
            r.services.length - failed
          } services up to date)`
      }${failed ? `; ${failed} failed` : ""}.`,
  );
  return lines.join("\n") + "\n";
}

/** Runs `apply`. */
export async function applyCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, optionsOf("apply"), "apply");
  if (a.positionals.length !== 1) {
    throw new UsageError(
      a.positionals.length ? "Give exactly one FILE" : "Missing FILE",
      "usage: autostart apply FILE [--prune] [--check] [--json] (FILE - reads standard input)",
    );
  }
  const ctx = await app.context();
  const given = a.positionals[0]!;
  const file = given === "-" ? "-" : absolutePath(ctx.cwd, given);
  // Root applies what the manifest says (programs, accounts): a manifest another user
  // could change would let that user choose what root runs.
  if (file !== "-" && ctx.self.uid === 0) {
    const why = await unsafeForRoot(file, ctx.fs).catch(() => null);
    // Nothing there: reading it fails below with its own message.
    if (why !== null && (await ctx.fs.stat(file)) !== null) {
      throw new UsageError(
        `Refusing to apply ${
          JSON.stringify(given)
        } as root: ${why}, so another user could change what root applies`,
        "keep the manifest where only root can write it, e.g. /etc/autostart/services.json (root-owned, mode 0644, in root-owned directories)",
      );
    }
  }
  let text: string | null;
  try {
    text = file === "-" ? await readStdin() : await ctx.fs.readText(file);
  } catch (e) {
    throw new UsageError(
      `Cannot read the manifest ${JSON.stringify(given)}: ${
        (e as Error).message
      }`,
    );
  }
  if (text === null) {
    throw new UsageError(
      `Cannot read the manifest ${
        JSON.stringify(given)
      }: ${file} does not exist`,
      "give the path of a manifest file (see `autostart export`), or - to read standard input",
    );
  }
  const { entries, problems } = checkManifest(text, given);
  const condition = a.values.condition === undefined
    ? undefined
    : parseCondition(a.values.condition as string);
  const result = await converge(ctx, await app.registry(), entries, {
    prune: a.values.prune === true,
    check: a.values.check === true,
    baseDir: file === "-"
      ? ctx.cwd
      : file.slice(0, file.lastIndexOf("/")) || "/",
    file: given,
    problems,
    ...(condition ? { condition } : {}),
    preset: async (entry, here, loose) =>
      await resolveLima(
        {
          instance: entry.lima!,
          condition: parseCondition(entry.condition ?? "login"),
          keepAlive: parseKeepAlive(entry.keepAlive ?? true),
          restartDelayMs: parseDuration(entry.restartDelay ?? "2s"),
          ...(entry.stopTimeout !== undefined
            ? { stopTimeoutMs: parseStopTimeout(entry.stopTimeout) }
            : {}),
          start: entry.start !== false,
          ...(entry.user !== undefined ? { user: entry.user } : {}),
          ...(entry.driver !== undefined ? { driverId: entry.driver } : {}),
        },
        here,
        await app.registry(),
        loose,
      ),
  });
  if (a.values.json) {
    app.io.out(
      JSON.stringify(
        { schemaVersion: APPLY_SCHEMA_VERSION, ...result },
        null,
        2,
      ) + "\n",
    );
  } else {
    app.io.out(renderApply(result, app.io.color));
  }
  return result.services.some((s) => s.action === "failed") ? 1 : 0;
}
