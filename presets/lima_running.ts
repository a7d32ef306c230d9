/**
 * Is a Lima VM already running, and by whom? Lima's host agent writes its PID to
 * `INSTANCE_DIR/ha.pid` and removes it when it exits; Lima counts the instance as
 * running while that process lives (lima-vm/lima pkg/store/instance.go `ReadPIDFile`:
 * a PID file whose process is gone is stale). `limactl start X --foreground` of a VM
 * that runs already says "already running" and exits 0, so a service started then
 * would end at once and leave the VM unmanaged: `lima enable` asks first.
 *
 * @module
 */

import type { Context } from "../core/context.ts";

/** A live host agent of an instance. */
export interface HostAgent {
  /** Its process id (from `ha.pid`). */
  pid: number;
  /** Its command name as `ps` shows it (e.g. "limactl"). */
  command: string;
  /**
   * The innermost systemd unit it runs in (`lima-vm@default.service`,
   * `session-3.scope`), read from `/proc/PID/cgroup`; `null` where there is none
   * (macOS, or no systemd).
   */
  unit: string | null;
}

/**
 * The innermost unit (`.service` or `.scope`) of a `/proc/PID/cgroup` text: the
 * systemd hierarchy (`0::` or `name=systemd`), last path element that is a unit.
 *
 * @example Usage
 * ```ts
 * import { unitOfCgroup } from "./lima_running.ts";
 * const text = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/lima-vm@default.service\n";
 * console.assert(unitOfCgroup(text) === "lima-vm@default.service");
 * ```
 */
export function unitOfCgroup(text: string): string | null {
  let found: string | null = null;
  for (const line of text.split("\n")) {
    const m = /^\d+:(?:name=systemd)?:(\/.*)$/.exec(line);
    if (!m) continue;
    for (const part of m[1]!.split("/")) {
      if (/\.(service|scope)$/.test(part)) found = part;
    }
    if (found !== null) return found;
  }
  return found;
}

/**
 * The live host agent of the instance in `instanceDir`, or `null` when there is no
 * `ha.pid` or its process is gone. Liveness is asked of `ps -o comm= -p PID` (macOS
 * and Linux alike, and through the injected runner).
 */
export async function hostAgent(
  instanceDir: string,
  ctx: Context,
): Promise<HostAgent | null> {
  const text = await ctx.fs.readText(`${instanceDir}/ha.pid`).catch(() => null);
  const pid = Number(text?.trim());
  if (text === null || !Number.isSafeInteger(pid) || pid <= 0) return null;
  const r = await ctx.runner.run(["ps", "-o", "comm=", "-p", String(pid)]);
  const command = r.stdout.trim();
  if (r.code !== 0 || command === "") return null;
  const cgroup = await ctx.fs.readText(`/proc/${pid}/cgroup`).catch(() => null);
  return {
    pid,
    command: command.slice(command.lastIndexOf("/") + 1),
    unit: cgroup === null ? null : unitOfCgroup(cgroup),
  };
}

/**
 * Whether the host agent is the service's own process: the service runs
 * `limactl start INSTANCE --foreground`, which becomes the host agent in the same
 * process, so its main PID is the one in `ha.pid`.
 */
export function runsUnder(
  agent: HostAgent,
  service: { state: string; pid: number | null },
): boolean {
  return service.pid === agent.pid &&
    ["running", "starting", "crash-looping"].includes(service.state);
}
