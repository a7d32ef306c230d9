/**
 * Pure renderer of the systemd unit of a Lima instance, `lima-vm@INSTANCE.service`, with
 * the keys `limactl autostart` writes (`ExecStart=LIMACTL start %i --foreground`,
 * `WorkingDirectory=%h`, `Type=simple`, `TimeoutSec=10`, `Restart=on-failure` or `no`,
 * `WantedBy=default.target`) so limactl recognises it, plus what Lima leaves out: the
 * "managed by autostart" marker and seal, `Environment=` lines (PATH, LIMA_HOME), a
 * restart delay that never gives up, and a boot flavour (a system unit with `User=`).
 *
 * @module
 */

import { seal, SEAL_PLACEHOLDER } from "../core/seal.ts";
import type { ServiceSpec } from "../core/spec.ts";
import {
  accountEnvRestartLines,
  escapeExecPath,
  SYSTEMD_MARKER,
} from "./systemd_unit.ts";

/** `Description=` of Lima's unit, kept so `systemctl status` reads the same. */
export const LIMA_UNIT_DESCRIPTION =
  "Lima - Linux virtual machines, with a focus on running containers.";

/** Unit name of a Lima instance: `lima-vm@INSTANCE.service` (Lima's own name). */
export function limaUnitName(instance: string): string {
  return `lima-vm@${instance}.service`;
}

/** The executable as Lima writes it (bare), quoted only when it needs to be. */
function execPath(path: string): string {
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(path) ? path : escapeExecPath(path);
}

/**
 * Renders the unit of a Lima instance. `spec.program` is limactl, `spec.args` are
 * `["start", INSTANCE, "--foreground"]` (written as `start %i --foreground`, which the
 * unit name turns into the instance), `spec.condition` says user unit (login) or system
 * unit (boot, with `User=`/`Group=` of `spec.runAs`).
 *
 * @example Usage
 * ```ts
 * import { renderLimaUnit } from "./lima_unit.ts";
 * const text = renderLimaUnit({
 *   name: "default", program: "/usr/local/bin/limactl", args: ["start", "default", "--foreground"],
 *   condition: "login", keepAlive: "on-failure", env: [], restartDelayMs: 2000, start: true,
 * });
 * console.assert(text.includes("ExecStart=/usr/local/bin/limactl start %i --foreground"));
 * ```
 */
export function renderLimaUnit(spec: ServiceSpec): string {
  const boot = spec.condition === "boot";
  const lines = [
    `${SYSTEMD_MARKER} (${SEAL_PLACEHOLDER}): do not edit; run "autostart lima enable ${spec.name}" again to change it.`,
    "[Unit]",
    `Description=${LIMA_UNIT_DESCRIPTION}`,
    "Documentation=man:lima(1)",
  ];
  if (boot) {
    lines.push("Wants=network-online.target", "After=network-online.target");
  }
  lines.push(
    // Never give up restarting: a crash loop must not end in a dead VM.
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    `ExecStart=${execPath(spec.program)} start %i --foreground`,
    // `~` is the home of User= in a system unit; %h would be root's there.
    `WorkingDirectory=${boot ? "~" : "%h"}`,
    "Type=simple",
    "TimeoutSec=10",
  );
  lines.push(
    ...accountEnvRestartLines(spec),
    "",
    "[Install]",
    `WantedBy=${boot ? "multi-user.target" : "default.target"}`,
    "",
  );
  return seal(lines.join("\n"));
}
