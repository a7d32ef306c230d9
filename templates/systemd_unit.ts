/**
 * Pure renderer of systemd unit files for a {@link ServiceSpec}, and the escapers it
 * uses. Every user string goes through {@link escapeExecArg} or {@link escapeEnvAssignment};
 * the round trip through a real systemd is pinned by the e2e tests.
 *
 * @module
 */

import { seal, SEAL_PLACEHOLDER } from "../core/seal.ts";
import type { ServiceSpec } from "../core/spec.ts";

/** First line of every unit autostart writes; its presence marks the file as ours. */
export const SYSTEMD_MARKER = "# Managed by autostart";

/** Text that must be in an existing unit for autostart to overwrite or remove it. */
export const SYSTEMD_MARKER_TEXT = "Managed by autostart";

/** Unit name of a service: `autostart-NAME.service`. */
export function unitName(name: string): string {
  return `autostart-${name}.service`;
}

/** Service name of a unit name, or `null` when it is not one of ours. */
export function serviceNameOfUnit(unit: string): string | null {
  const m = /^autostart-(.+)\.service$/.exec(unit);
  return m ? m[1]! : null;
}

function escapeCommon(s: string, dollar: boolean): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "%") out += "%%";
    else if (ch === "$" && dollar) out += "$$";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) {
      out += "\\x" + c.toString(16).padStart(2, "0");
    } else out += ch;
  }
  return out;
}

/**
 * Quotes the executable of `ExecStart=`: like {@link escapeExecArg} but `$` stays single,
 * since systemd expands no variables in the executable path (and would look for `$$`).
 * The path must not contain `"`, `'` or `\`, which systemd refuses there (checked by
 * the driver before rendering).
 */
export function escapeExecPath(path: string): string {
  return `"${escapeCommon(path, false)}"`;
}

/** Characters systemd refuses in the executable path of `ExecStart=` (checked with systemd 252). */
export const EXEC_PATH_FORBIDDEN: RegExp = /["'\\]/;

/**
 * Quotes one `ExecStart=` word so systemd passes it to the program exactly: wrapped in
 * double quotes, `\` and `"` backslash-escaped, control characters C-escaped, `%`
 * doubled (specifiers) and `$` doubled (variable expansion).
 *
 * @example Usage
 * ```ts
 * import { escapeExecArg } from "./systemd_unit.ts";
 * console.assert(escapeExecArg('say "hi" 100% $HOME') === '"say \\"hi\\" 100%% $$HOME"');
 * ```
 */
export function escapeExecArg(arg: string): string {
  return `"${escapeCommon(arg, true)}"`;
}

/**
 * Quotes one `Environment=` assignment: `"KEY=VALUE"` with `\`, `"` and control
 * characters escaped and `%` doubled. `$` is literal there (systemd does not expand it).
 */
export function escapeEnvAssignment(key: string, value: string): string {
  return `"${key}=${escapeCommon(value, false)}"`;
}

/** Escapes a path setting (`WorkingDirectory=`, `append:`): `%` doubled. */
export function escapePathSetting(path: string): string {
  return path.replaceAll("%", "%%");
}

/** Formats milliseconds as a systemd time span (`2s`, `500ms`). */
export function formatTimespan(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The `[Service]` lines every autostart unit shares: `User=`/`Group=` of a boot
 * service's account, one `Environment=` per variable (escaped), and the keep-alive
 * policy (`Restart=`, `RestartSec=`).
 */
export function accountEnvRestartLines(spec: ServiceSpec): string[] {
  const lines: string[] = [];
  if (spec.condition === "boot" && spec.runAs) {
    lines.push(`User=${spec.runAs.name}`, `Group=${spec.runAs.group}`);
  }
  for (const [k, v] of spec.env) {
    lines.push(`Environment=${escapeEnvAssignment(k, v)}`);
  }
  lines.push(
    `Restart=${spec.keepAlive === "false" ? "no" : spec.keepAlive}`,
    `RestartSec=${formatTimespan(spec.restartDelayMs)}`,
  );
  return lines;
}

/**
 * `TimeoutStopSec=` of a spec's `--stop-timeout` (none when it is not given: systemd's
 * default, `DefaultTimeoutStopSec=`, 90 s unless the admin changed it, applies).
 */
export function stopTimeoutLines(spec: ServiceSpec): string[] {
  return spec.stopTimeoutMs === undefined
    ? []
    : [`TimeoutStopSec=${formatTimespan(spec.stopTimeoutMs)}`];
}

/**
 * Renders the unit file of a service.
 *
 * @example Usage
 * ```ts
 * import { renderSystemdUnit } from "./systemd_unit.ts";
 * const text = renderSystemdUnit({
 *   name: "web", program: "/usr/bin/python3", args: ["-m", "http.server"],
 *   condition: "login", keepAlive: "on-failure", env: [], restartDelayMs: 2000, start: true,
 * });
 * console.assert(text.includes("Restart=on-failure"));
 * ```
 */
export function renderSystemdUnit(spec: ServiceSpec): string {
  const boot = spec.condition === "boot";
  const lines = [
    `${SYSTEMD_MARKER} (${SEAL_PLACEHOLDER}): do not edit; run "autostart enable ${spec.name}" again to change it.`,
    "[Unit]",
    `Description=autostart: ${spec.name}`,
  ];
  if (boot) {
    lines.push("Wants=network-online.target", "After=network-online.target");
  }
  lines.push(
    // Never give up restarting: a crash loop must not end in a dead service.
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=exec",
    `ExecStart=${
      [escapeExecPath(spec.program), ...spec.args.map(escapeExecArg)].join(" ")
    }`,
  );
  if (spec.cwd !== undefined) {
    lines.push(`WorkingDirectory=${escapePathSetting(spec.cwd)}`);
  }
  lines.push(...accountEnvRestartLines(spec), ...stopTimeoutLines(spec));
  if (spec.logDir !== undefined) {
    const log = escapePathSetting(`${spec.logDir}/${spec.name}.log`);
    lines.push(`StandardOutput=append:${log}`, `StandardError=append:${log}`);
  }
  lines.push(
    "",
    "[Install]",
    `WantedBy=${boot ? "multi-user.target" : "default.target"}`,
    "",
  );
  return seal(lines.join("\n"));
}
