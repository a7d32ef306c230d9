/**
 * The launchd plist of a Lima instance as an object, with the keys `limactl autostart`
 * writes, in its order: `Label` (`io.lima-vm.autostart.INSTANCE` or
 * `io.lima-vm.daemon.INSTANCE`), `UserName` (daemon), `ProgramArguments`
 * `[LIMACTL, start, INSTANCE, --foreground]`, `RunAtLoad`, `KeepAlive`
 * (`{SuccessfulExit: false}` for keep-alive, absent without), `StandardErrorPath` /
 * `StandardOutPath` (`launchd.stderr.log` / `launchd.stdout.log`, relative to the
 * working directory), `WorkingDirectory` (the instance directory), `ProcessType`
 * `Background`. Added: the "managed by autostart" marker with its seal,
 * `ExitTimeOut` (the preset's stop timeout: launchd's default of a few seconds would
 * SIGKILL a VM that is shutting down) and `EnvironmentVariables` (PATH, LIMA_HOME).
 * Serialised by `renderLaunchdPlist()`.
 *
 * Facts about Lima (lima-vm/lima v2.2.0, pkg/autostart/launchd and
 * cmd/limactl/autostart_darwin.go): released Lima writes no `KeepAlive` (a VM that
 * crashes stays down); `KeepAlive {SuccessfulExit: false}` and
 * `limactl autostart enable --keep-alive` come from Lima PR #5086, not yet released.
 * `limactl autostart enable --condition=boot` installs the LaunchDaemon through sudo,
 * but limactl counts an instance as registered only when its LaunchAgent file exists
 * (any content): `limactl start/stop` never treat the LaunchDaemon as theirs.
 *
 * One departure for the daemon: launchd may open `StandardOutPath`/`StandardErrorPath`
 * as root, following symlinks, so a daemon's log files are never in the instance
 * directory (the user's, who could swap them for a symlink to any file root would then
 * create): they are `/Library/Logs/autostart/lima-INSTANCE.stderr.log` /
 * `.stdout.log`, in root's log directory, created for the user in advance.
 *
 * @module
 */

import { markerNote } from "../core/kit/marker.ts";
import type { ServiceSpec } from "../core/spec.ts";
import {
  exitTimeOut,
  keepAliveValue,
  LAUNCHD_MARKER_KEY,
  type PlistDict,
} from "./launchd_plist.ts";

/** Label prefix of Lima's LaunchAgents. */
export const LIMA_AGENT_PREFIX = "io.lima-vm.autostart.";

/** Label prefix of Lima's LaunchDaemons. */
export const LIMA_DAEMON_PREFIX = "io.lima-vm.daemon.";

/** Root's log directory, where a Lima daemon's launchd log files go. */
export const LIMA_DAEMON_LOG_DIR = "/Library/Logs/autostart";

/** The launchd log file (`stderr` or `stdout`) of a Lima instance's service. */
export function limaLaunchdLog(
  instance: string,
  instanceDir: string,
  daemon: boolean,
  stream: "stderr" | "stdout",
): string {
  return daemon
    ? `${LIMA_DAEMON_LOG_DIR}/lima-${instance}.${stream}.log`
    : `${instanceDir}/launchd.${stream}.log`;
}

/** launchd label of a Lima instance: agent for login, daemon for boot. */
export function limaLabel(instance: string, daemon: boolean): string {
  return `${daemon ? LIMA_DAEMON_PREFIX : LIMA_AGENT_PREFIX}${instance}`;
}

/**
 * Builds the plist object of a Lima instance. `spec.program` is limactl, `spec.args`
 * `["start", INSTANCE, "--foreground"]`, `spec.identity` the label; `instanceDir` is the
 * working directory (where the relative log paths land).
 *
 * @example Usage
 * ```ts
 * import { buildLimaPlist } from "./lima_plist.ts";
 * const obj = buildLimaPlist({
 *   name: "default", program: "/opt/homebrew/bin/limactl", args: ["start", "default", "--foreground"],
 *   condition: "login", keepAlive: "on-failure", env: [], restartDelayMs: 2000, start: true,
 *   identity: "io.lima-vm.autostart.default",
 * }, "/Users/a/.lima/default");
 * console.assert(obj.ProcessType === "Background");
 * ```
 */
export function buildLimaPlist(
  spec: ServiceSpec,
  instanceDir: string,
): PlistDict {
  const daemon = spec.condition === "boot";
  const obj: PlistDict = {
    Label: spec.identity ?? limaLabel(spec.name, daemon),
    [LAUNCHD_MARKER_KEY]: markerNote(`autostart lima enable ${spec.name}`),
  };
  if (daemon && spec.runAs) obj.UserName = spec.runAs.name;
  obj.ProgramArguments = [spec.program, ...spec.args];
  obj.RunAtLoad = true;
  if (spec.keepAlive !== "false") {
    obj.KeepAlive = keepAliveValue(spec.keepAlive);
  }
  obj.StandardErrorPath = daemon
    ? limaLaunchdLog(spec.name, instanceDir, true, "stderr")
    : "launchd.stderr.log";
  obj.StandardOutPath = daemon
    ? limaLaunchdLog(spec.name, instanceDir, true, "stdout")
    : "launchd.stdout.log";
  obj.WorkingDirectory = instanceDir;
  obj.ProcessType = "Background";
  if (spec.stopTimeoutMs !== undefined) {
    obj.ExitTimeOut = exitTimeOut(spec.stopTimeoutMs);
  }
  if (spec.env.length > 0) {
    obj.EnvironmentVariables = Object.fromEntries(spec.env);
  }
  return obj;
}
