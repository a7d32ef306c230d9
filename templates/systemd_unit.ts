/**
 * Pure renderer of systemd unit files for a {@link ServiceSpec}, and its reader. Every
 * user string goes through the escapers of `systemd_escape.ts`; the round trip through
 * a real systemd is pinned by the e2e tests.
 *
 * @module
 */

import { MARKER_TEXT, markerNote } from "../core/kit/marker.ts";
import { seal } from "../core/seal.ts";
import type { ServiceFields } from "../core/read_back.ts";
import type { ServiceSpec } from "../core/spec.ts";
import { backoffScript, wantsBackoff } from "./backoff_sh.ts";
import { logRotateScript } from "./log_rotate_sh.ts";
import {
  escapeEnvAssignment,
  escapeExecArg,
  escapeExecPath,
  escapePathSetting,
  formatTimespan,
  parseTimespan,
  unescapePathSetting,
  unquoteWords,
} from "./systemd_escape.ts";

/** First line of every unit autostart writes; its presence marks the file as ours. */
export const SYSTEMD_MARKER = `# ${MARKER_TEXT}`;

/** Text that must be in an existing unit for autostart to overwrite or remove it. */
export const SYSTEMD_MARKER_TEXT = MARKER_TEXT;

/** Unit name of a service: `autostart-NAME.service`. */
export function unitName(name: string): string {
  return `autostart-${name}.service`;
}

/** Service name of a unit name, or `null` when it is not one of ours. */
export function serviceNameOfUnit(unit: string): string | null {
  const m = /^autostart-(.+)\.service$/.exec(unit);
  return m ? m[1]! : null;
}

/**
 * The `[Service]` lines every autostart unit shares: `User=`/`Group=` of a boot
 * service's account, one `Environment=` per variable (escaped), `EnvironmentFile=` of
 * the env-file copy when `envFile` is given, and the keep-alive policy (`Restart=`,
 * `RestartSec=`).
 */
export function accountEnvRestartLines(
  spec: ServiceSpec,
  envFile?: string,
): string[] {
  const lines: string[] = [];
  if (spec.condition === "boot" && spec.runAs) {
    lines.push(`User=${spec.runAs.name}`, `Group=${spec.runAs.group}`);
  }
  for (const [k, v] of spec.env) {
    lines.push(`Environment=${escapeEnvAssignment(k, v)}`);
  }
  if (envFile !== undefined) {
    // Read by systemd (as root) at each start; the values never appear in this
    // world-readable file nor in `systemctl show -p Environment`.
    lines.push(`EnvironmentFile=${escapePathSetting(envFile)}`);
  }
  lines.push(
    `Restart=${spec.keepAlive === "false" ? "no" : spec.keepAlive}`,
    `RestartSec=${formatTimespan(spec.restartDelayMs)}`,
  );
  return lines;
}

/**
 * The `ExecStartPre=` line that rotates a `--log-dir` file at each start
 * ({@link logRotateScript}; `-`: a failed rotation never keeps the service from
 * starting): as the service's user, or with `asRoot` as root (`+`), for a boot
 * service whose log directory is root's only. The file is an argument, escaped like
 * every `ExecStart=` word, never part of the script.
 */
export function logRotateLine(logFile: string, asRoot = false): string {
  return `ExecStartPre=-${asRoot ? "+" : ""}/bin/sh -c ${
    escapeExecArg(logRotateScript())
  } autostart-log-rotate ${escapeExecArg(logFile)}`;
}

/** First systemd version with `RestartSteps=` and `RestartMaxDelaySec=`. */
export const SYSTEMD_BACKOFF_VERSION = 254;

/** What a unit depends on besides the spec. */
export interface UnitOptions {
  /**
   * The systemd version the unit is for (`systemctl --version`); `null` or absent when
   * unknown: the unit then uses what every version understands.
   */
  systemdVersion?: number | null;
  /** The copy of the service's `--env-file` (`core/env_file.ts`), as `EnvironmentFile=`. */
  envFile?: string;
}

/** FNV-1a (32 bits) of a string, as 8 hex digits. */
function fnv32(text: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * How a crash loop backs off: with systemd >= 254, its own `RestartSteps=` (one step
 * per doubling) and `RestartMaxDelaySec=`; before, an `ExecStartPre=` run as the
 * service's user that sleeps the extra pause ({@link backoffScript}), counting in a
 * file of the service's runtime directory, kept across restarts and removed on stop;
 * an `ExecStop=` forgets the count when the stop was asked for while the program ran,
 * and the pause itself forgets it when a stop, restart or start asked for by hand
 * interrupts it (SIGTERM).
 * The file's name carries a hash of `execStart`, so a changed command starts a fresh
 * count. Empty when the spec does not back off.
 */
export function backoffLines(
  spec: ServiceSpec,
  execStart: string,
  options: UnitOptions = {},
): string[] {
  if (!wantsBackoff(spec)) return [];
  const max = spec.restartMaxDelayMs!;
  const base = spec.restartDelayMs;
  if ((options.systemdVersion ?? 0) >= SYSTEMD_BACKOFF_VERSION) {
    const steps = Math.max(1, Math.ceil(Math.log2(max / base)));
    return [
      `RestartSteps=${steps}`,
      `RestartMaxDelaySec=${formatTimespan(max)}`,
    ];
  }
  const stateFile = `"$RUNTIME_DIRECTORY/restarts-${fnv32(execStart)}"`;
  const script = backoffScript({
    stateFile,
    delayMs: base,
    maxMs: max,
    alreadyWaitedMs: base,
    atStart: true,
    interruptible: true,
  });
  const lines = [
    `# Backoff of crash loops (systemd < ${SYSTEMD_BACKOFF_VERSION} has no RestartSteps=): pauses double from ${
      formatTimespan(base)
    } up to ${formatTimespan(max)}.`,
    `RuntimeDirectory=autostart-${spec.name}`,
    "RuntimeDirectoryPreserve=restart",
    `ExecStartPre=-/bin/sh -c ${escapeExecArg(script)}`,
    // A stop asked for while the program runs ($MAINPID still set; systemd runs this
    // with it unset after a crash) is no crash: the next start begins a fresh count,
    // as systemd >= 254 does on a manual (re)start.
    `ExecStop=-/bin/sh -c ${
      escapeExecArg(`if [ -n "$MAINPID" ]; then rm -f ${stateFile}; fi`)
    }`,
  ];
  // The pause runs inside the start: give the start the time of the longest pause.
  if (max - base > 60_000) {
    lines.push(`TimeoutStartSec=${formatTimespan(max - base + 90_000)}`);
  }
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
 * Renders the unit file of a service. `options.envFile` is the path of the copy of its
 * `--env-file` (see `core/env_file.ts`), referenced with `EnvironmentFile=`.
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
export function renderSystemdUnit(
  spec: ServiceSpec,
  options: UnitOptions = {},
): string {
  const boot = spec.condition === "boot";
  const execStart = `ExecStart=${
    [escapeExecPath(spec.program), ...spec.args.map(escapeExecArg)].join(" ")
  }`;
  const lines = [
    `# ${markerNote(`autostart enable ${spec.name}`)}`,
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
    execStart,
  );
  if (spec.cwd !== undefined) {
    lines.push(`WorkingDirectory=${escapePathSetting(spec.cwd)}`);
  }
  lines.push(
    ...accountEnvRestartLines(spec, options.envFile),
    ...stopTimeoutLines(spec),
  );
  lines.push(...backoffLines(spec, execStart, options));
  if (spec.logDir !== undefined) {
    const log = escapePathSetting(`${spec.logDir}/${spec.name}.log`);
    lines.push(`StandardOutput=append:${log}`, `StandardError=append:${log}`);
    // systemd appends without bound: rotate at each start, as the service's user.
    // A boot service's log directory is root's only (checked before any write), so
    // there root rotates it ("+"); a login service's is the user's, who rotates it.
    lines.push(logRotateLine(`${spec.logDir}/${spec.name}.log`, boot));
  }
  lines.push(
    "",
    "[Install]",
    `WantedBy=${boot ? "multi-user.target" : "default.target"}`,
    "",
  );
  return seal(lines.join("\n"));
}

type Fields = ServiceFields;

/**
 * How each line of an autostart unit is read back: one entry per key {@link
 * renderSystemdUnit} writes (a new setting is one line here).
 */
export const SYSTEMD_READERS: Record<string, (f: Fields, v: string) => void> = {
  Description: (f, v) => (f.name = v.replace(/^autostart: /, "")),
  ExecStart: (f, v) => {
    const [program, ...args] = unquoteWords(v, (i) => i > 0);
    f.program = program ?? "";
    f.args = args;
  },
  WorkingDirectory: (f, v) => (f.cwd = unescapePathSetting(v)),
  EnvironmentFile: (f, v) => (f.envFile = unescapePathSetting(v)),
  User: (f, v) => (f.user = v),
  Environment: (f, v) => {
    const kv = unquoteWords(v, () => false)[0] ?? "";
    const i = kv.indexOf("=");
    f.env.push([kv.slice(0, i), kv.slice(i + 1)]);
  },
  Restart: (
    f,
    v,
  ) => (f.keepAlive = v === "no" ? "false" : v as Fields["keepAlive"]),
  RestartSec: (f, v) => (f.restartDelayMs = parseTimespan(v)),
  TimeoutStopSec: (f, v) => (f.stopTimeoutMs = parseTimespan(v)),
  RestartMaxDelaySec: (f, v) => (f.restartMaxDelayMs = parseTimespan(v)),
  StandardOutput: (f, v) => {
    const log = unescapePathSetting(v.replace(/^append:/, ""));
    f.logDir = log.slice(0, log.lastIndexOf("/"));
  },
  WantedBy: (
    f,
    v,
  ) => (f.condition = v === "multi-user.target" ? "boot" : "login"),
};

/**
 * Reads back the fields of a unit written by {@link renderSystemdUnit}: the inverse of
 * the renderer, key by key ({@link SYSTEMD_READERS}); unknown keys are left alone.
 *
 * @example Usage
 * ```ts
 * import { readSystemdUnit, renderSystemdUnit } from "./systemd_unit.ts";
 * const f = readSystemdUnit(renderSystemdUnit({
 *   name: "web", program: "/usr/bin/python3", args: ["-m", "http.server"],
 *   condition: "login", keepAlive: "on-failure", env: [], restartDelayMs: 2000, start: true,
 * }));
 * console.assert(f.args[1] === "http.server" && f.keepAlive === "on-failure");
 * ```
 */
export function readSystemdUnit(text: string): Fields {
  const f: Fields = {
    name: "",
    program: "",
    args: [],
    condition: "login",
    keepAlive: "false",
    env: [],
    restartDelayMs: 0,
  };
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i <= 0 || line.startsWith("#") || line.startsWith(";")) continue;
    SYSTEMD_READERS[line.slice(0, i)]?.(f, line.slice(i + 1));
  }
  // systemd < 254 has no RestartMaxDelaySec=: the backoff's comment line gives the cap.
  const pre = /^# Backoff of crash loops .* up to (\S+)\.$/m.exec(text);
  if (pre && f.restartMaxDelayMs === undefined) {
    f.restartMaxDelayMs = parseTimespan(pre[1]!);
  }
  f.restartMaxDelayMs ??= f.restartDelayMs;
  return f;
}
