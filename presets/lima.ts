/**
 * The Lima preset, pure part: turns a located Lima instance and the user's options into
 * a {@link ServiceSpec} with Lima's own identity (launchd label
 * `io.lima-vm.autostart.INSTANCE` / `io.lima-vm.daemon.INSTANCE`, systemd unit
 * `lima-vm@INSTANCE.service`), and into a plan: the driver's usual command sequence
 * with Lima's file contents (`templates/lima_unit.ts`, `templates/lima_plist.ts`).
 * Using Lima's names keeps `limactl start/stop` working with these services.
 *
 * @module
 */

import type { UserInfo } from "../core/context.ts";
import type { Context } from "../core/context.ts";
import type { Driver, PriorState } from "../core/driver.ts";
import { UnsupportedError } from "../core/errors.ts";
import type { Plan } from "../core/plan.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "../core/spec.ts";
import {
  type PlistCodec,
  renderLaunchdPlist,
} from "../templates/launchd_plist.ts";
import { buildLimaPlist, limaLabel } from "../templates/lima_plist.ts";
import { limaUnitName, renderLimaUnit } from "../templates/lima_unit.ts";

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

/** Lima's name of an instance's service: the unit name or the launchd label. */
export function limaIdentity(flavor: LimaFlavor, instance: string): string {
  return flavor === "systemd"
    ? limaUnitName(instance)
    : limaLabel(instance, flavor === "launchd-daemon");
}

/** Whether limactl itself looks at this flavour's file ("registered" in Lima's sense). */
export function limaKnows(flavor: LimaFlavor, condition: Condition): boolean {
  return flavor !== "systemd" || condition === "login";
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
    start: req.start,
    identity: limaIdentity(flavor, req.instance),
  };
  if (req.runAs !== undefined && req.condition === "boot") {
    spec.runAs = req.runAs;
  }
  // launchd drivers create their log directory; Lima's logs go to the instance dir.
  if (flavor !== "systemd") spec.logDir = req.instanceDir;
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
  const steps = plan.steps.map((s) =>
    s.kind === "write" ? { ...s, content } : s
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
