/**
 * The Lima preset, pure part: turns a located Lima instance and the user's options into
 * a {@link ServiceSpec} with Lima's own identity (launchd label
 * `io.lima-vm.autostart.INSTANCE` / `io.lima-vm.daemon.INSTANCE`, systemd user unit
 * `lima-vm@INSTANCE.service`; the system unit is `lima-vm-boot@INSTANCE.service`, see
 * `limaBootUnitName()`), and into a plan: the driver's usual command sequence with
 * Lima's file contents (`templates/lima_unit.ts`, `templates/lima_plist.ts`). Using
 * Lima's names keeps `limactl start/stop` working with these services.
 *
 * @module
 */

import type { UserInfo } from "../core/context.ts";
import type { Context } from "../core/context.ts";
import type { Driver, PriorState } from "../core/driver.ts";
import { UnsupportedError, UsageError } from "../core/errors.ts";
import type { Plan, Step } from "../core/plan.ts";
import { parseDuration } from "../core/duration.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "../core/spec.ts";
import {
  type PlistCodec,
  renderLaunchdPlist,
} from "../templates/launchd_plist.ts";
import {
  buildLimaPlist,
  limaLabel,
  limaLaunchdLog,
} from "../templates/lima_plist.ts";
import {
  limaBootUnitName,
  limaUnitName,
  renderLimaUnit,
} from "../templates/lima_unit.ts";

/** The init-system flavours the preset writes, named after the driver that serves them. */
export type LimaFlavor = "systemd" | "launchd-agent" | "launchd-daemon";

/** The flavour of a driver, or an {@link UnsupportedError} (exit 3) for any other. */
export function limaFlavor(driver: Driver): LimaFlavor {
  if (
    driver.id === "systemd" || driver.id === "launchd-agent" ||
    driver.id === "launchd-daemon"
  ) {
    return driver.id;
  }
  throw new UnsupportedError(
    `The Lima preset cannot use the ${driver.id} driver`,
    "Lima instances are supported with systemd (Linux) and launchd (macOS)",
  );
}

/** The name of an instance's service: the unit name or the launchd label. */
export function limaIdentity(
  flavor: LimaFlavor,
  condition: Condition,
  instance: string,
): string {
  if (flavor === "systemd") {
    return condition === "boot"
      ? limaBootUnitName(instance)
      : limaUnitName(instance);
  }
  return limaLabel(instance, flavor === "launchd-daemon");
}

/**
 * Whether limactl counts this condition's file as "registered": only the login one
 * (the LaunchAgent or the systemd user unit). Lima's `IsRegistered` checks that file's
 * existence alone, on macOS too, where limactl can install the LaunchDaemon but never
 * counts it (lima-vm/lima pkg/autostart/managers.go, managers_darwin.go).
 */
export function limaKnows(condition: Condition): boolean {
  return condition === "login";
}

/**
 * The stop timeout of a Lima service unless the user gives one: 3m10s, the time
 * `limactl stop` itself waits for the host agent (pkg/instance/stop.go), which covers
 * a clean shutdown of a QEMU VM (up to 3 minutes) and of a VZ VM (30 seconds).
 * launchd's default would SIGKILL the VM after a few seconds.
 */
export const LIMA_STOP_TIMEOUT = "3m10s";

/**
 * Refuses keep-alive `always` for a Lima VM (exit 2): `limactl stop` ends the host agent
 * with exit 0, so `always` would start again a VM the user just stopped.
 */
export function limaKeepAlive(mode: KeepAliveMode): KeepAliveMode {
  if (mode === "always") {
    throw new UsageError(
      'Keep-alive "always" cannot be used for a Lima VM: "limactl stop" ends the VM\'s host agent with exit code 0, so "always" would start again a VM you just stopped',
      "use --keep-alive (= on-failure, the default: restarted when it crashes) or --keep-alive=false",
    );
  }
  return mode;
}

/** A located Lima instance plus what the user asked for. */
export interface LimaRequest {
  /** Instance name. */
  instance: string;
  /** Absolute path of limactl. */
  limactl: string;
  /** The instance directory (symlinks resolved). */
  instanceDir: string;
  /** LIMA_HOME to carry into the service (when the user set one). */
  limaHome?: string;
  /** PATH to give the service. */
  path: string;
  /** When it starts. */
  condition: Condition;
  /** When it is restarted. */
  keepAlive: KeepAliveMode;
  /** Account of a boot service. */
  runAs?: UserInfo;
  /** Start now. */
  start: boolean;
  /** Pause before a restart. */
  restartDelayMs?: number;
  /** How long a stop waits before SIGKILL (default {@link LIMA_STOP_TIMEOUT}). */
  stopTimeoutMs?: number;
}

/**
 * The spec of a Lima instance's service for a flavour.
 *
 * @example Usage
 * ```ts
 * import { limaSpec } from "./lima.ts";
 * const spec = limaSpec("systemd", {
 *   instance: "default", limactl: "/usr/local/bin/limactl", instanceDir: "/home/a/.lima/default",
 *   path: "/usr/local/bin:/usr/bin:/bin", condition: "login", keepAlive: "on-failure", start: true,
 * });
 * console.assert(spec.identity === "lima-vm@default.service");
 * ```
 */
export function limaSpec(flavor: LimaFlavor, req: LimaRequest): ServiceSpec {
  const env: [string, string][] = [["PATH", req.path]];
  if (req.limaHome !== undefined) env.push(["LIMA_HOME", req.limaHome]);
  const spec: ServiceSpec = {
    name: req.instance,
    program: req.limactl,
    args: ["start", req.instance, "--foreground"],
    condition: req.condition,
    keepAlive: req.keepAlive,
    env,
    restartDelayMs: req.restartDelayMs ?? 2000,
    stopTimeoutMs: req.stopTimeoutMs ?? parseDuration(LIMA_STOP_TIMEOUT),
    start: req.start,
    identity: limaIdentity(flavor, req.condition, req.instance),
  };
  if (req.runAs !== undefined && req.condition === "boot") {
    spec.runAs = req.runAs;
  }
  // launchd drivers create their log directory; an agent's logs go to the instance
  // dir, a daemon's to root's /Library/Logs/autostart (the driver's default): launchd
  // may open them as root (templates/lima_plist.ts).
  if (flavor !== "systemd" && req.condition === "login") {
    spec.logDir = req.instanceDir;
  }
  return spec;
}

/** The file contents of a Lima instance's service (`codec` is needed for launchd). */
export function limaContent(
  flavor: LimaFlavor,
  spec: ServiceSpec,
  instanceDir: string,
  codec?: PlistCodec,
): string {
  if (flavor === "systemd") return renderLimaUnit(spec);
  if (codec === undefined) {
    throw new TypeError("limaContent: a plist codec is needed for launchd");
  }
  return renderLaunchdPlist(buildLimaPlist(spec, instanceDir), codec);
}

/**
 * The enable plan: `driver.plan()` for the spec (Lima's identity gives the paths and
 * command lines), with the written file's content replaced by Lima's.
 */
export function limaPlan(
  driver: Driver,
  spec: ServiceSpec,
  content: string,
  ctx: Context,
  prior?: PriorState,
): Plan {
  const plan = driver.plan(spec, ctx, prior);
  const steps = plan.steps.flatMap((s): Step[] =>
    s.kind === "write"
      ? [{ ...s, content }]
      // A daemon's log file made the user's in advance: Lima's two files instead.
      : s.kind === "create"
      ? (["stdout", "stderr"] as const).map((stream) => ({
        ...s,
        path: limaLaunchdLog(spec.name, "", true, stream),
      }))
      : [s]
  );
  const notes = spec.start ? [] : [
    `"${spec.name}" is not started now (--no-start); it starts at the next ${
      spec.condition === "boot" ? "boot" : "login"
    }`,
  ];
  const out: Plan = { ...plan, steps };
  if (notes.length) out.notes = notes;
  else delete out.notes;
  return out;
}
