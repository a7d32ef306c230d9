/**
 * Pure renderer of the systemd unit of a Lima instance, `lima-vm@INSTANCE.service` (user
 * unit, login) or `lima-vm-boot@INSTANCE.service` (system unit, boot), with the keys
 * `limactl autostart` writes (`ExecStart=LIMACTL start %i --foreground`,
 * `WorkingDirectory=%h`, `Type=simple`, `TimeoutSec=10`, `Restart=on-failure` or `no`,
 * `WantedBy=default.target`) so limactl recognises it, plus what Lima leaves out: the
 * "managed by autostart" marker and seal, `Environment=` lines (PATH, LIMA_HOME), a
 * restart delay that never gives up, `TimeoutStopSec=` long enough for the VM to shut
 * down, and a boot flavour (a system unit with `User=`; Lima has none on Linux).
 *
 * Lima v2.2.0 writes a fixed `Restart=on-failure`; `Restart=no` (and
 * `limactl autostart enable --keep-alive`) come from Lima PR #5086, not yet released.
 *
 * @module
 */

import { markerNote } from "../core/kit/marker.ts";
import { seal } from "../core/seal.ts";
import type { ServiceSpec } from "../core/spec.ts";
import { escapeExecPath } from "./systemd_escape.ts";
import { accountEnvRestartLines, stopTimeoutLines } from "./systemd_unit.ts";

/** `Description=` of Lima's unit, kept so `systemctl status` reads the same. */
export const LIMA_UNIT_DESCRIPTION =
  "Lima - Linux virtual machines, with a focus on running containers.";

/** Unit name of a Lima instance's user unit: `lima-vm@INSTANCE.service` (Lima's own name). */
export function limaUnitName(instance: string): string {
  return `lima-vm@${instance}.service`;
}

/**
 * Unit name of a Lima instance's system unit (boot): `lima-vm-boot@INSTANCE.service`.
 * Not Lima's `lima-vm@`: the host agent reports the system unit it runs in
 * (`sd_pid_get_unit()`), and when that equals `lima-vm@INSTANCE.service`,
 * `limactl stop` runs `systemctl --user stop lima-vm@INSTANCE.service`, which fails for
 * a system unit (Lima pkg/autostart/systemd `RequestStop`). Under another name limactl
 * stops the VM itself (SIGINT to the host agent, which exits 0, so `Restart=on-failure`
 * leaves it stopped). Not `autostart-NAME.service` either: that is where plain
 * services live, and `autostart enable lima-X` would then overwrite the VM's unit.
 */
export function limaBootUnitName(instance: string): string {
  return `lima-vm-boot@${instance}.service`;
}

/**
 * The name autostart gave a Lima boot unit before it had its own
 * (`lima-vm@INSTANCE.service` in `/etc/systemd/system`): found by status and removed
 * by enable and disable, so an upgrade leaves one unit per instance.
 */
export function legacyLimaBootUnitName(instance: string): string {
  return limaUnitName(instance);
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
    `# ${markerNote(`autostart lima enable ${spec.name}`)}`,
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
    // Lima's own value, for starting; the stop timeout below overrides it for stops.
    "TimeoutSec=10",
  );
  lines.push(
    ...accountEnvRestartLines(spec),
    ...stopTimeoutLines(spec),
    "",
    "[Install]",
    `WantedBy=${boot ? "multi-user.target" : "default.target"}`,
    "",
  );
  return seal(lines.join("\n"));
}
