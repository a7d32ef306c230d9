/**
 * Reading `systemctl show`: the properties asked for, the parser of its output, and
 * the mapping of one unit's properties to a {@link ServiceStatus}.
 *
 * @module
 */

import type { ServiceState, ServiceStatus } from "../../core/driver.ts";
import { isCrashLooping, signalText } from "../../core/kit/mod.ts";

/** Properties read by `status`, in one `systemctl show` call. */
export const SHOW_PROPERTIES = [
  "Id",
  "LoadState",
  "ActiveState",
  "SubState",
  "UnitFileState",
  "MainPID",
  "NRestarts",
  "ExecMainCode",
  "ExecMainStatus",
  "ExecMainPID",
  "StateChangeTimestampMonotonic",
  "NeedDaemonReload",
] as const;

/** Parses the output of `systemctl show` for several units into property maps. */
export function parseShow(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") {
      if (cur.size) blocks.push(cur);
      cur = new Map();
      continue;
    }
    const i = line.indexOf("=");
    if (i > 0) cur.set(line.slice(0, i), line.slice(i + 1));
  }
  if (cur.size) blocks.push(cur);
  return blocks;
}

/**
 * Maps the properties of one unit to a {@link ServiceStatus}.
 * @param props Properties from `systemctl show`.
 * @param base Name, condition, unit and file.
 * @param uptimeSec Seconds since boot (to turn monotonic timestamps into dates).
 * @param nowMs Current time.
 */
export function toStatus(
  props: Map<string, string>,
  base: Pick<ServiceStatus, "name" | "condition" | "unit" | "file" | "drifted">,
  uptimeSec: number | null,
  nowMs: number,
): ServiceStatus {
  const load = props.get("LoadState") ?? "";
  const active = props.get("ActiveState") ?? "";
  const sub = props.get("SubState") ?? "";
  const unitFile = props.get("UnitFileState") ?? "";
  const pid = Number(props.get("MainPID") ?? 0) || null;
  const nr = props.get("NRestarts");
  const restarts = nr === undefined || nr === "" ? null : Number(nr);
  const code = Number(props.get("ExecMainCode") ?? 0);
  const st = Number(props.get("ExecMainStatus") ?? 0);
  const lastExit = code === 1
    ? `exit ${st}`
    : code === 2 || code === 3
    ? `${signalText(st, "linux")}${code === 3 ? " (core dumped)" : ""}`
    : null;
  const exitedPid = lastExit === null
    ? 0
    : Number(props.get("ExecMainPID") ?? 0) || 0;
  const mono = Number(props.get("StateChangeTimestampMonotonic") ?? 0);
  const since = mono > 0 && uptimeSec !== null
    ? new Date(nowMs - (uptimeSec * 1000 - mono / 1000)).toISOString()
    : null;
  const sinceSec = since ? (nowMs - Date.parse(since)) / 1000 : Infinity;
  let state: ServiceState;
  if (load !== "loaded") state = "not-loaded";
  else if (active === "failed") state = "failed";
  else if (active === "activating") {
    // Between two crashes a unit is "activating": waiting out its restart delay
    // (auto-restart) or running its start again (start, start-pre). Either way, with
    // several restarts behind it, it is looping.
    state = isCrashLooping({ restarts }) ? "crash-looping" : "starting";
  } else if (active === "active" || active === "reloading") {
    state = isCrashLooping({ restarts, upSec: sinceSec })
      ? "crash-looping"
      : "running";
  } else state = "stopped";
  const enabled = unitFile === ""
    ? null
    : unitFile.startsWith("enabled") || unitFile === "linked";
  const detail = [
    load === "loaded" ? `${active} (${sub})` : `${load || "unknown"}`,
    unitFile,
    props.get("NeedDaemonReload") === "yes"
      ? "changed on disk: run daemon-reload"
      : "",
    base.drifted ? "unit file edited by hand since autostart wrote it" : "",
  ].filter(Boolean).join(", ");
  return {
    ...base,
    driver: "systemd",
    state,
    enabled,
    pid: state === "running" || state === "crash-looping" ? pid : null,
    restarts,
    lastExit,
    ...(exitedPid > 0 ? { exitedPid } : {}),
    since,
    detail,
  };
}
