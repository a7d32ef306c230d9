/**
 * The state of OpenRC services: the managed init scripts (marker and seal checked) and
 * their state and runlevels from one `rc-status --all` ({@link parseRcStatus},
 * {@link openrcState}); and what a script holds ({@link openrcReadBack}).
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type {
  ServiceRef,
  ServiceState,
  ServiceStatus,
} from "../../core/driver.ts";
import { ownershipOf } from "../../core/ownership.ts";
import type { ReadBack } from "../../core/read_back.ts";
import type { Condition } from "../../core/spec.ts";
import {
  OPENRC_MARKER_TEXT,
  openrcServiceName,
  readOpenrcScript,
} from "../../templates/openrc_script.ts";
import { INIT_DIR, openrcScriptPath } from "./plan.ts";

/**
 * Parses `rc-status --all` (colours off): for each service, its state word and the
 * runlevels it is in.
 *
 * @example Usage
 * ```ts
 * import { parseRcStatus } from "./status.ts";
 * const s = parseRcStatus("Runlevel: default\n autostart-a   [  started  ]\n");
 * console.assert(s.get("autostart-a")?.state === "started");
 * ```
 */
export function parseRcStatus(
  text: string,
): Map<string, { state: string; runlevels: string[] }> {
  const out = new Map<string, { state: string; runlevels: string[] }>();
  let level = "";
  for (const line of text.split("\n")) {
    const h = /^(?:Dynamic )?Runlevel: (\S+)/.exec(line);
    if (h) {
      level = h[1]!;
      continue;
    }
    const m = /^\s+(\S+)\s+\[\s*([a-z ]+?)\s*\]/.exec(line);
    if (!m) continue;
    const e = out.get(m[1]!) ?? { state: m[2]!, runlevels: [] };
    e.runlevels.push(level);
    out.set(m[1]!, e);
  }
  return out;
}

/** Maps an OpenRC state word to the common state words. */
export function openrcState(word: string | undefined): ServiceState {
  switch (word) {
    case "started":
      return "running";
    case "starting":
    case "inactive":
      return "starting";
    case "stopped":
    case "stopping":
      return "stopped";
    case "crashed":
    case "failed":
      return "failed";
    case undefined:
      return "not-loaded";
    default:
      return "unknown";
  }
}

/** The managed OpenRC services (`names` only, if given), from one `rc-status --all`. */
export async function openrcStatus(
  condition: Condition,
  ctx: Context,
  names?: string[],
): Promise<ServiceStatus[]> {
  if (condition !== "boot") return [];
  const found: { name: string; file: string; drifted: boolean }[] = [];
  for (const f of await ctx.fs.list(INIT_DIR)) {
    const m = /^autostart-(.+)$/.exec(f);
    if (!m || (names && !names.includes(m[1]!))) continue;
    const text = await ctx.fs.readText(`${INIT_DIR}/${f}`).catch(() => null);
    // One look at the header and seal: ours, edited by hand since, or not ours.
    const own = text === null
      ? "foreign"
      : ownershipOf(text, OPENRC_MARKER_TEXT);
    if (own === "foreign") continue;
    found.push({
      name: m[1]!,
      file: `${INIT_DIR}/${f}`,
      drifted: own === "edited",
    });
  }
  if (found.length === 0) return [];
  const r = await ctx.runner.run(["rc-status", "--all"], {
    env: { EINFO_COLOR: "NO" },
  });
  const states = r.code === 0 ? parseRcStatus(r.stdout) : null;
  return found.map((f) => {
    const e = states?.get(openrcServiceName(f.name));
    return {
      name: f.name,
      driver: "openrc",
      condition,
      unit: openrcServiceName(f.name),
      file: f.file,
      state: states === null ? "unknown" : openrcState(e?.state),
      enabled: states === null ? null : e?.runlevels.includes("default") ??
        false,
      pid: null,
      restarts: null,
      lastExit: null,
      since: null,
      detail: [
        states === null
          ? `rc-status failed: ${r.stderr.trim()}`
          : e?.state ?? "not in any runlevel",
        f.drifted ? "init script edited by hand since autostart wrote it" : "",
      ].filter(Boolean).join(", "),
      drifted: f.drifted,
    };
  });
}

/** The fields of a managed service, read back from its init script, or `null`. */
export async function openrcReadBack(
  ref: ServiceRef,
  ctx: Context,
): Promise<ReadBack | null> {
  if (ref.condition !== "boot") return null;
  const file = openrcScriptPath(ref.name);
  const content = await ctx.fs.readText(file).catch(() => null);
  if (content === null || !content.includes(OPENRC_MARKER_TEXT)) return null;
  return {
    driver: "openrc",
    file,
    content,
    fields: readOpenrcScript(content),
  };
}
