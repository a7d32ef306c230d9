/**
 * systemd driver. `login` → a user unit in `~/.config/systemd/user` run by the user's
 * manager (`systemctl --user`), wanted by `default.target`; `boot` → a system unit in
 * `/etc/systemd/system` with `User=`/`Group=` of the invoking user, wanted by
 * `multi-user.target`. Status comes from one `systemctl show` for all units of a scope
 * (or, with `--fast`, one `systemctl list-units` and the units' cgroups).
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type {
  Availability,
  Check,
  ControlAction,
  Driver,
  LogOptions,
  PriorState,
  ServiceRef,
  ServiceState,
  ServiceStatus,
  StatusOptions,
} from "../core/driver.ts";
import { unknownStatus } from "../core/driver.ts";
import {
  envCopyPath,
  envCopyRemoveStep,
  envCopySteps,
  envFileNote,
} from "../core/env_file.ts";
import { OperationError, UsageError } from "../core/errors.ts";
import {
  CRASH_LOOP_RESTARTS,
  isCrashLooping,
  mapLimited,
  requireRoot,
  signalText,
} from "../core/kit/mod.ts";
import { tailFiles } from "../core/log_tail.ts";
import { type LogFile, logSizeChecks, mebibytes } from "../core/log_size.ts";
import {
  LOG_ROTATE_BYTES,
  LOG_ROTATE_KEEP,
} from "../templates/log_rotate_sh.ts";
import { StreamError } from "../core/runner.ts";
import { ownershipOf } from "../core/ownership.ts";
import { checkSeal } from "../core/seal.ts";
import type { Plan, Step } from "../core/plan.ts";
import type { ReadBack } from "../core/read_back.ts";
import type { Condition, ServiceSpec } from "../core/spec.ts";
import {
  EXEC_PATH_FORBIDDEN,
  formatTimespan,
  readSystemdUnit,
  renderSystemdUnit,
  serviceNameOfUnit,
  SYSTEMD_BACKOFF_VERSION,
  SYSTEMD_MARKER_TEXT,
  unitName,
} from "../templates/systemd_unit.ts";
import { backoffDelays, wantsBackoff } from "../templates/backoff_sh.ts";

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

/** Directory of the unit files of a condition. */
export function unitDir(condition: Condition, ctx: Context): string {
  if (condition === "boot") return "/etc/systemd/system";
  const config = ctx.env.XDG_CONFIG_HOME?.startsWith("/")
    ? ctx.env.XDG_CONFIG_HOME
    : `${ctx.self.home}/.config`;
  return `${config}/systemd/user`;
}

/** The runtime directory of the invoking user (where the user manager's socket lives). */
function runtimeDir(ctx: Context): string {
  return ctx.env.XDG_RUNTIME_DIR || `/run/user/${ctx.self.uid}`;
}

/** `systemctl` (plus `--user`) for a condition. */
export function systemctl(condition: Condition): string[] {
  return condition === "boot" ? ["systemctl"] : ["systemctl", "--user"];
}

/** Environment `systemctl --user` needs when the caller's session did not set it. */
function userEnv(
  condition: Condition,
  ctx: Context,
): Record<string, string> | undefined {
  if (condition === "boot" || ctx.env.XDG_RUNTIME_DIR) return undefined;
  return { XDG_RUNTIME_DIR: runtimeDir(ctx) };
}

function run(
  condition: Condition,
  ctx: Context,
  args: string[],
  title: string,
  extra: Partial<Extract<Step, { kind: "run" }>> = {},
): Step {
  const env = userEnv(condition, ctx);
  return {
    kind: "run",
    argv: [...systemctl(condition), ...args],
    title,
    ...(env ? { env } : {}),
    ...extra,
  };
}

/**
 * Commands run after a rollback: reload (so systemd sees the restored files), then start
 * the service again when it was running before (the restored version; `start` does
 * nothing to a service that is still up).
 */
function restoreAfterRollback(
  c: Condition,
  ctx: Context,
  unit: string,
  prior: PriorState | undefined,
): NonNullable<Plan["afterRollback"]> {
  const env = userEnv(c, ctx);
  const e = env ? { env } : {};
  return [
    { argv: [...systemctl(c), "daemon-reload"], ...e },
    ...(prior?.running
      ? [{ argv: [...systemctl(c), "start", unit], ...e }]
      : []),
  ];
}

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

/** How many restarts in a row make a service "crash-looping" (from the driver kit). */
export { CRASH_LOOP_RESTARTS };

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

async function readUptime(ctx: Context): Promise<number | null> {
  const t = await ctx.fs.readText("/proc/uptime").catch(() => null);
  const v = t ? Number(t.split(" ")[0]) : NaN;
  return Number.isFinite(v) ? v : null;
}

/** A managed unit file found in the unit directory. */
interface ManagedUnit {
  name: string;
  unit: string;
  file: string;
  drifted: boolean;
}

/**
 * The managed unit files of a scope (marker checked, seal checked), read concurrently;
 * only files named like our units are opened.
 */
async function managedUnits(
  condition: Condition,
  ctx: Context,
  names?: string[],
): Promise<ManagedUnit[]> {
  const dir = unitDir(condition, ctx);
  const wanted = names ? new Set(names) : null;
  const candidates: { name: string; unit: string }[] = [];
  for (const f of await ctx.fs.list(dir)) {
    const name = serviceNameOfUnit(f);
    if (name === null || (wanted && !wanted.has(name))) continue;
    candidates.push({ name, unit: f });
  }
  const read = await mapLimited(
    candidates,
    (c) => ctx.fs.readText(`${dir}/${c.unit}`).catch(() => null),
  );
  const found: ManagedUnit[] = [];
  candidates.forEach((c, i) => {
    const content = read[i];
    if (
      content == null || ownershipOf(content, SYSTEMD_MARKER_TEXT) === "foreign"
    ) return;
    found.push({
      ...c,
      file: `${dir}/${c.unit}`,
      drifted: checkSeal(content) === "drifted",
    });
  });
  return found;
}

/** Load, active and sub state of one unit, from `systemctl list-units`. */
export interface ListedUnit {
  /** LoadState, e.g. "loaded". */
  load: string;
  /** ActiveState, e.g. "active". */
  active: string;
  /** SubState, e.g. "running". */
  sub: string;
}

/**
 * Parses `systemctl list-units --all --plain --no-legend --full` output
 * (`UNIT LOAD ACTIVE SUB DESCRIPTION...`) by unit name.
 */
export function parseListUnits(text: string): Map<string, ListedUnit> {
  const out = new Map<string, ListedUnit>();
  for (const raw of text.split("\n")) {
    const w = raw.replace(/^\s*[●*×]?\s*/, "").split(/\s+/);
    if (w.length < 4 || !w[0]) continue;
    out.set(w[0], { load: w[1]!, active: w[2]!, sub: w[3]! });
  }
  return out;
}

/**
 * The units of a scope matching `patterns` (names or globs), from one
 * `systemctl list-units` call; `units` is `null` when it failed (why in `stderr`).
 */
async function listUnits(
  condition: Condition,
  ctx: Context,
  patterns: string[],
): Promise<{ units: Map<string, ListedUnit> | null; stderr: string }> {
  const env = userEnv(condition, ctx);
  const r = await ctx.runner.run(
    [
      ...systemctl(condition),
      "list-units",
      "--all",
      "--plain",
      "--no-legend",
      "--full",
      "--",
      ...patterns,
    ],
    env ? { env } : {},
  );
  return r.code === 0
    ? { units: parseListUnits(r.stdout), stderr: "" }
    : { units: null, stderr: r.stderr.trim() };
}

/** Target whose `.wants/` directory holds the enable symlinks of a scope. */
function wantedBy(condition: Condition): string {
  return condition === "boot" ? "multi-user.target" : "default.target";
}

/**
 * Where a scope's unit cgroups live: the unified cgroup hierarchy (`/sys/fs/cgroup`, or
 * `/sys/fs/cgroup/unified` on hybrid systems, else systemd's v1 tree) plus the cgroup of
 * the system manager (from `/proc/1/cgroup`), plus the user manager's app slice for login.
 */
async function cgroupDir(
  condition: Condition,
  ctx: Context,
): Promise<string | null> {
  const mounts = [
    "/sys/fs/cgroup",
    "/sys/fs/cgroup/unified",
    "/sys/fs/cgroup/systemd",
  ];
  let mount: string | undefined;
  for (const m of mounts) {
    if (await ctx.fs.exists(`${m}/cgroup.procs`)) {
      mount = m;
      break;
    }
  }
  if (mount === undefined) return null;
  const own = await ctx.fs.readText("/proc/1/cgroup").catch(() => null);
  const line = own?.split("\n").find((l) =>
    mount.endsWith("/systemd")
      ? l.includes(":name=systemd:")
      : l.startsWith("0::")
  );
  if (!line) return null;
  const root = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1)
    .replace(/\/init\.scope$/, "").replace(/\/$/, "");
  const uid = ctx.self.uid;
  return condition === "boot"
    ? `${mount}${root}/system.slice`
    : `${mount}${root}/user.slice/user-${uid}.slice/user@${uid}.service/app.slice`;
}

/**
 * `systemctl show`-like properties for the fast view: states from `list-units`, the
 * enable symlink in the target's `.wants/`, and a PID from the unit's cgroup (its
 * first process, the main one for a service that does not fork).
 */
async function fastProps(
  condition: Condition,
  ctx: Context,
  units: string[],
  listed: Map<string, ListedUnit>,
): Promise<Map<string, string>[]> {
  const dir = unitDir(condition, ctx);
  const [wants, cg] = await Promise.all([
    ctx.fs.list(`${dir}/${wantedBy(condition)}.wants`).catch(() => []),
    cgroupDir(condition, ctx),
  ]);
  const enabled = new Set(wants);
  return await mapLimited(units, async (unit) => {
    // systemd lists only units it holds in memory; it unloads an idle unit nothing
    // refers to, and `show` would load it from its file again: stopped, not missing.
    const l = listed.get(unit);
    const props = new Map<string, string>([
      ["LoadState", l?.load ?? "loaded"],
      ["ActiveState", l?.active ?? "inactive"],
      ["SubState", l?.sub ?? "dead"],
      ["UnitFileState", enabled.has(unit) ? "enabled" : "disabled"],
    ]);
    if (cg !== null && l && ["active", "reloading"].includes(l.active)) {
      const procs = await ctx.fs.readText(`${cg}/${unit}/cgroup.procs`)
        .catch(() => null);
      const pid = Number(procs?.split("\n")[0] ?? "");
      if (pid > 0) props.set("MainPID", String(pid));
    }
    return props;
  });
}

/** Translates common systemctl failures into advice. */
function explain(argv: string[], r: { stderr: string }) {
  const e = r.stderr;
  if (
    /Failed to connect to bus|No medium found|\$DBUS_SESSION_BUS_ADDRESS/.test(
      e,
    )
  ) {
    return {
      hint: argv.includes("--user")
        ? "the systemd user manager is not reachable: log in to a session (not su), or run `sudo loginctl enable-linger $USER` and retry"
        : "systemd is not reachable: is it running as init?",
    };
  }
  if (/Interactive authentication required|Access denied/.test(e)) {
    return { hint: "run the same command with sudo" };
  }
  if (/not found|not loaded/i.test(e)) {
    return { hint: "see `autostart status` for the services that exist" };
  }
  return undefined;
}

/** The log file of a unit written with `--log-dir` (`StandardOutput=append:FILE`). */
export function logFileOfUnit(text: string): string | null {
  const m = /^StandardOutput=append:(.+)$/m.exec(text);
  return m ? m[1]!.replaceAll("%%", "%") : null;
}

/**
 * `journalctl` arguments for a service's log. By default only the program's own lines:
 * a match on the journal's trusted fields of the writer, `_SYSTEMD_UNIT=` (boot) or
 * `_SYSTEMD_USER_UNIT=` and `_UID=` (login), so `--lines` counts the program's lines
 * and the manager's notes ("Starting...", "Main process exited...", logged by systemd
 * itself about the unit) are left out. With `all`, `--unit=` / `--user-unit=`: the
 * program's lines and the manager's notes.
 * @param uid The invoking user (whose user manager runs login services).
 */
export function journalctlArgs(
  ref: ServiceRef,
  options: Pick<LogOptions, "lines" | "follow" | "since" | "all">,
  uid: number,
): string[] {
  const unit = unitName(ref.name);
  const which = options.all
    ? [ref.condition === "boot" ? `--unit=${unit}` : `--user-unit=${unit}`]
    : ref.condition === "boot"
    ? [`_SYSTEMD_UNIT=${unit}`]
    : [`_SYSTEMD_USER_UNIT=${unit}`, `_UID=${uid}`];
  return [
    "journalctl",
    `--lines=${options.lines}`,
    ...(options.since !== undefined ? [`--since=${options.since}`] : []),
    ...(options.follow ? ["--follow"] : []),
    "--no-pager",
    "--quiet",
    "--output=short-iso",
    ...which,
  ];
}

/** A journal line (`--output=short-iso`) written by the service manager itself. */
const MANAGER_LINE = /^\S+ \S+ systemd\[\d+\]: /;

/** Turns a journalctl failure into an error with the next step. */
function journalError(e: StreamError, ref: ServiceRef): OperationError {
  const said = e.stderr.trim();
  const hint = /insufficient permissions|No journal files/i.test(said)
    ? ref.condition === "login"
      ? "the journal keeps no per-user files here: enable persistent storage (sudo mkdir -p /var/log/journal && sudo systemctl restart systemd-journald), or add yourself to the systemd-journal group"
      : "run the same command with sudo, or add yourself to the systemd-journal group"
    : /Failed to parse timestamp|--since/i.test(said)
    ? 'give --since a time journalctl understands, e.g. "10 min ago", "today", "2024-05-01 10:00"'
    : "see `autostart doctor`";
  return new OperationError(
    `Cannot read the log of "${ref.name}": ${
      e.argv.join(" ")
    } exited with code ${e.code}${said ? `: ${said.split("\n").pop()}` : ""}`,
    {
      command: { argv: e.argv, code: e.code, stderr: said, stdout: "" },
      hint,
    },
  );
}

async function* systemdLogs(
  ref: ServiceRef,
  options: LogOptions,
  ctx: Context,
): AsyncGenerator<string> {
  const file = `${unitDir(ref.condition, ctx)}/${unitName(ref.name)}`;
  const text = await ctx.fs.readText(file).catch(() => null);
  const logFile = text === null ? null : logFileOfUnit(text);
  if (logFile !== null) {
    if (options.since !== undefined) {
      throw new UsageError(
        `--since cannot be used with "${ref.name}": its output goes to ${logFile}, which has no timestamps`,
        "use -n to choose how many lines to show",
      );
    }
    yield* tailFiles([logFile], {
      lines: options.lines,
      follow: options.follow,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return;
  }
  try {
    yield* ctx.runner.stream(
      journalctlArgs(ref, options, ctx.self.uid),
      options.signal ? { signal: options.signal } : {},
    );
  } catch (e) {
    if (e instanceof StreamError) throw journalError(e, ref);
    throw e;
  }
}

/** `systemctl --user show-environment` PATH compared with the shell's. */
async function pathCheck(ctx: Context): Promise<Check> {
  const r = await ctx.runner.run(
    ["systemctl", "--user", "show-environment"],
    userEnv("login", ctx) ? { env: userEnv("login", ctx)! } : {},
  );
  const title = "PATH of login services";
  if (r.code !== 0) {
    return {
      id: "systemd.path",
      title,
      level: "warn",
      detail: `systemctl --user show-environment exited with code ${r.code}: ${
        r.stderr.trim() || r.stdout.trim()
      }`,
      fix: "see the check of the user manager above",
    };
  }
  const managerPath = /^PATH=(.*)$/m.exec(r.stdout)?.[1] ?? "";
  const mine = (ctx.env.PATH ?? "").split(":").filter(Boolean);
  const theirs = new Set(managerPath.split(":"));
  const missing = mine.filter((d) => !theirs.has(d));
  if (missing.length === 0) {
    return {
      id: "systemd.path",
      title,
      level: "ok",
      detail: `the user manager's PATH has every directory of yours`,
    };
  }
  return {
    id: "systemd.path",
    title,
    level: "warn",
    detail: `the user manager's PATH (${managerPath || "empty"}) lacks ${
      missing.join(", ")
    }`,
    fix:
      "services enabled with the default --path inherit carry your PATH and are not affected; for others, enable them again without --path default",
  };
}

/** Checks of the managed files of one condition: drifted, not loaded, orphaned. */
async function fileChecks(
  condition: Condition,
  ctx: Context,
  statuses: ServiceStatus[],
): Promise<Check[]> {
  const checks: Check[] = [];
  const sc = systemctl(condition).join(" ");
  const sudo = condition === "boot" ? "sudo " : "";
  const cond = condition === "boot" ? " --condition=boot" : "";
  const logs: LogFile[] = [];
  for (const s of statuses) {
    const text = s.file
      ? await ctx.fs.readText(s.file).catch(() => null)
      : null;
    const log = text === null ? null : logFileOfUnit(text);
    if (log !== null) {
      logs.push({
        name: s.name,
        file: log,
        fix: `it is rotated when over ${
          mebibytes(LOG_ROTATE_BYTES)
        } at each start: ${sudo}autostart restart ${s.name}${cond} (older parts are kept as ${log}.1 to .${LOG_ROTATE_KEEP}); or make the program less chatty`,
      });
    }
    if (s.drifted) {
      checks.push({
        id: "systemd.drifted",
        title: `"${s.name}" unit file`,
        level: "warn",
        detail: `${s.file} was edited by hand since autostart wrote it`,
        fix:
          `run the autostart enable command of "${s.name}" again to rewrite it (your edits are kept as a backup), or remove it: ${sudo}autostart disable ${s.name}${cond}`,
      });
    }
    if (s.state === "not-loaded") {
      checks.push({
        id: "systemd.not-loaded",
        title: `"${s.name}" unit`,
        level: "warn",
        detail: `${s.file} exists but systemd has not loaded it (${s.detail})`,
        fix:
          `${sudo}${sc} daemon-reload, then: ${sudo}autostart start ${s.name}`,
      });
    }
  }
  checks.push(...await logSizeChecks("systemd", logs, ctx));
  // Units systemd still knows (loaded, or enabled through a link) whose file is gone.
  const dir = unitDir(condition, ctx);
  const have = new Set(statuses.map((s) => s.unit));
  const listed = await listUnits(condition, ctx, ["autostart-*.service"]);
  const loaded = [...(listed.units?.keys() ?? [])]
    .filter((u) => serviceNameOfUnit(u) !== null);
  const wants = condition === "boot"
    ? "multi-user.target.wants"
    : "default.target.wants";
  const linked = (await ctx.fs.list(`${dir}/${wants}`).catch(() => []))
    .filter((u) => serviceNameOfUnit(u) !== null);
  for (const u of new Set([...loaded, ...linked])) {
    if (have.has(u) || (await ctx.fs.exists(`${dir}/${u}`))) continue;
    checks.push({
      id: "systemd.orphaned",
      title: `${u}`,
      level: "warn",
      detail: `systemd still knows ${u} (${
        linked.includes(u) ? `enabled through ${dir}/${wants}` : "loaded"
      }) but its unit file is gone`,
      fix: `${sudo}${sc} disable --now ${u}; ${sudo}${sc} daemon-reload`,
    });
  }
  return checks;
}

/** The health checks of systemd for `autostart doctor`. */
async function diagnose(ctx: Context): Promise<Check[]> {
  const checks: Check[] = [];
  if (!(await ctx.fs.exists("/run/systemd/system"))) {
    return [{
      id: "systemd.init",
      title: "systemd",
      level: "fail",
      detail: "systemd is not running as init here (no /run/systemd/system)",
      fix:
        "autostart needs systemd on Linux; on a machine or container without it, services cannot be enabled",
    }];
  }
  const version = await systemdVersion(ctx);
  checks.push({
    id: "systemd.init",
    title: "systemd",
    level: "ok",
    detail: `systemd${
      version === null ? "" : ` ${version}`
    } is running as init`,
  });
  checks.push({
    id: "systemd.backoff",
    title: "crash-loop backoff",
    level: "ok",
    detail: version !== null && version >= SYSTEMD_BACKOFF_VERSION
      ? `by systemd itself (RestartSteps=, RestartMaxDelaySec=)`
      : `by an ExecStartPre= step in each unit: systemd ${
        version ?? "(version unknown)"
      } has no RestartSteps= (it came in ${SYSTEMD_BACKOFF_VERSION}); units written before an upgrade keep it until enabled again`,
  });
  const user = ctx.self.name;
  const runtime = runtimeDir(ctx);
  const login = await systemdDriver.available(ctx, "login");
  const bus = await ctx.fs.exists(`${runtime}/bus`);
  if (!login.available) {
    checks.push({
      id: "systemd.user-manager",
      title: "systemd user manager",
      level: "fail",
      detail: `${login.reason}${
        ctx.env.XDG_RUNTIME_DIR ? "" : "; XDG_RUNTIME_DIR is not set"
      }`,
      fix:
        `log in through a real session (ssh or the desktop, not su), or run: sudo loginctl enable-linger ${user}`,
    });
  } else {
    checks.push({
      id: "systemd.user-manager",
      title: "systemd user manager",
      level: ctx.env.XDG_RUNTIME_DIR && bus ? "ok" : "warn",
      detail: `running (${runtime}/systemd/private)${
        ctx.env.XDG_RUNTIME_DIR ? "" : "; XDG_RUNTIME_DIR is not set"
      }${bus ? "" : `; no user bus at ${runtime}/bus`}`,
      ...(ctx.env.XDG_RUNTIME_DIR && bus ? {} : {
        fix:
          `autostart works around it; for systemctl --user itself, log in through a real session or export XDG_RUNTIME_DIR=${runtime}`,
      }),
    });
  }
  const login_ = login.available
    ? await systemdDriver.status("login", ctx)
    : [];
  const lingering = await ctx.fs.exists(`/var/lib/systemd/linger/${user}`);
  checks.push(
    lingering
      ? {
        id: "systemd.linger",
        title: "lingering",
        level: "ok",
        detail:
          `lingering is on for ${user}: login services start at boot and survive logout`,
      }
      : {
        id: "systemd.linger",
        title: "lingering",
        level: login_.length ? "warn" : "ok",
        detail: login_.length
          ? `lingering is off for ${user}: its ${login_.length} login service(s) start only when ${user} logs in and stop at logout`
          : `lingering is off for ${user} (no login services yet)`,
        ...(login_.length
          ? { fix: `sudo loginctl enable-linger ${user}` }
          : {}),
      },
  );
  for (const c of ["login", "boot"] as const) {
    const dir = unitDir(c, ctx);
    if ((c === "boot" && ctx.self.uid !== 0) || !ctx.fs.writable) continue;
    const ok = await ctx.fs.writable(dir);
    checks.push({
      id: `systemd.${c}-dir`,
      title: `${c} unit directory`,
      level: ok ? "ok" : "fail",
      detail: `${dir} is ${ok ? "" : "not "}writable`,
      ...(ok ? {} : {
        fix: c === "boot"
          ? "run autostart with sudo for boot services"
          : `make it yours: sudo chown -R ${user} ${dir}`,
      }),
    });
  }
  if (login.available) checks.push(await pathCheck(ctx));
  checks.push(...await fileChecks("login", ctx, login_));
  if (ctx.self.uid === 0) {
    checks.push(
      ...await fileChecks("boot", ctx, await systemdDriver.status("boot", ctx)),
    );
  }
  return checks;
}

/** Parses the version number of `systemctl --version` (`systemd 252 (252.38-1~deb12u1)`). */
export function parseSystemdVersion(text: string): number | null {
  const m = /^systemd (\d+)\b/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** `systemctl --version` of each context, asked once (enable needs it, nothing else). */
const versions = new WeakMap<Context, Promise<number | null>>();

/** The version `prepare()` found, for the pure `plan()`. */
const preparedVersions = new WeakMap<Context, number | null>();

/**
 * The systemd version here, from one `systemctl --version` through the context's
 * runner, cached per context; `null` when it cannot be told.
 */
export function systemdVersion(ctx: Context): Promise<number | null> {
  let v = versions.get(ctx);
  if (v === undefined) {
    v = ctx.runner.run(["systemctl", "--version"]).then(
      (r) => r.code === 0 ? parseSystemdVersion(r.stdout) : null,
      () => null,
    );
    versions.set(ctx, v);
  }
  return v;
}

/** Words for the pauses of a backoff: `2s, 4s, 8s, ... up to 1m`. */
function backoffWords(spec: ServiceSpec): string {
  const ds = backoffDelays(spec.restartDelayMs, spec.restartMaxDelayMs!, 4);
  const capped = ds.includes(spec.restartMaxDelayMs!);
  return `${
    ds.filter((d) => d < spec.restartMaxDelayMs!).map(formatTimespan).join(", ")
  }${capped ? ", then" : ", ..."} up to ${
    formatTimespan(spec.restartMaxDelayMs!)
  }`;
}

/** The systemd driver. */
export const systemdDriver: Driver = {
  id: "systemd",
  description: "systemd units: user units for login, system units for boot",
  platforms: ["linux"],
  conditions: ["login", "boot"],
  keepAlive: ["false", "on-failure", "always"],
  // --stop-timeout is TimeoutStopSec=.
  features: ["stop-timeout", "env-file"],

  async available(ctx: Context, condition?: Condition): Promise<Availability> {
    if (ctx.os !== "linux") {
      return { available: false, reason: "systemd runs on Linux only" };
    }
    if (!(await ctx.fs.exists("/run/systemd/system"))) {
      return {
        available: false,
        reason: "systemd is not running as init here (no /run/systemd/system)",
      };
    }
    if (condition === "login") {
      const sock = `${runtimeDir(ctx)}/systemd/private`;
      if (!(await ctx.fs.exists(sock))) {
        return {
          available: false,
          reason:
            `the systemd user manager of ${ctx.self.name} is not running (no ${sock}); log in, or run: sudo loginctl enable-linger ${ctx.self.name}`,
        };
      }
    }
    return { available: true };
  },

  async prepare(ctx: Context, spec?: ServiceSpec): Promise<void> {
    // Only a backoff depends on the version: nothing else pays for asking.
    if (spec && wantsBackoff(spec)) {
      preparedVersions.set(ctx, await systemdVersion(ctx));
    }
  },

  plan(spec: ServiceSpec, ctx: Context, prior?: PriorState): Plan {
    requireRoot(spec.condition, ctx, "Installing");
    const version = preparedVersions.get(ctx) ?? null;
    const notes: string[] = [];
    if (wantsBackoff(spec) && (version ?? 0) < SYSTEMD_BACKOFF_VERSION) {
      notes.push(
        `systemd ${
          version ?? "(version unknown)"
        } has no RestartSteps= (it came in ${SYSTEMD_BACKOFF_VERSION}): a crash loop of "${spec.name}" backs off in an ExecStartPre= step of its unit instead, pausing ${
          backoffWords(spec)
        }`,
      );
    }
    if (EXEC_PATH_FORBIDDEN.test(spec.program)) {
      throw new UsageError(
        `Invalid program path ${
          JSON.stringify(spec.program)
        }: systemd cannot run a program whose path contains a quote or a backslash`,
        "make a symlink to it with a plain name and give that instead",
      );
    }
    const c = spec.condition;
    const unit = spec.identity ?? unitName(spec.name);
    const dir = unitDir(c, ctx);
    // systemd opens `StandardOutput=append:` as root, before User= applies, and
    // follows symlinks (systemd/systemd#14385): a boot service's log directory stays
    // root's, and one another user could change is refused.
    const secure = c === "boot" ? { secure: true } : {};
    const steps: Step[] = [{ kind: "mkdir", path: dir, ...secure }];
    if (spec.logDir !== undefined) {
      steps.push({ kind: "mkdir", path: spec.logDir, ...secure });
    }
    const envFile = spec.envFile === undefined
      ? undefined
      : envCopyPath(spec, ctx);
    steps.push(
      {
        kind: "write",
        path: `${dir}/${unit}`,
        content: renderSystemdUnit(spec, {
          systemdVersion: version,
          ...(envFile === undefined ? {} : { envFile }),
        }),
        mode: 0o644,
        marker: SYSTEMD_MARKER_TEXT,
      },
      // The env file's values: a 0600 copy (root's for boot), read by systemd at start.
      ...envCopySteps(spec, ctx),
      // A copy left by an earlier enable with --env-file goes with it.
      ...(prior !== undefined && envFile === undefined
        ? [envCopyRemoveStep(spec, ctx)]
        : []),
      run(c, ctx, ["daemon-reload"], "reload systemd"),
      // A service that was enabled before stays enabled when a later step fails.
      // `--no-reload`: systemd read the unit just above; a second reload (which a
      // plain `enable` does) would double the cost of the whole command.
      run(
        c,
        ctx,
        ["enable", "--no-reload", unit],
        "enable the service",
        prior?.enabled ? {} : { undo: [...systemctl(c), "disable", unit] },
      ),
    );
    if (spec.start) {
      steps.push(
        run(c, ctx, ["reset-failed", unit], "clear a failed state", {
          okCodes: [1, 5],
        }),
        run(
          c,
          ctx,
          // --no-block: a program that dies at once is reported by the wait after the
          // start (with its log), not by a failed job that would roll the enable back.
          ["--no-block", "restart", unit],
          "start the service",
          prior?.running ? {} : { undo: [...systemctl(c), "stop", unit] },
        ),
      );
    }
    if (envFile !== undefined) {
      notes.push(...envFileNote(
        spec,
        `${envFile} (mode 0600, read by systemd at each start)`,
      ));
    }
    return {
      driver: "systemd",
      service: spec.name,
      steps,
      afterRollback: restoreAfterRollback(c, ctx, unit, prior),
      ...(notes.length ? { notes } : {}),
    };
  },

  planDisable(
    ref: ServiceRef,
    ctx: Context,
    options: { keepFiles?: boolean; prior?: PriorState } = {},
  ): Plan {
    requireRoot(ref.condition, ctx, "Removing");
    const c = ref.condition;
    const unit = ref.identity ?? unitName(ref.name);
    const prior = options.prior ?? { enabled: true, running: true };
    // Disable first and fail hard: removing the file of a unit that is still enabled
    // would leave systemd pointing at a missing file. A stop of a unit systemd has not
    // loaded (exit 5) is fine; a rollback starts it again when it was running.
    const steps: Step[] = [
      run(c, ctx, ["disable", unit], "disable the service", {
        ...(prior.enabled ? { undo: [...systemctl(c), "enable", unit] } : {}),
      }),
      run(c, ctx, ["stop", unit], "stop the service", { okCodes: [5] }),
      run(c, ctx, ["reset-failed", unit], "clear a failed state", {
        okCodes: [1, 5],
      }),
    ];
    if (!options.keepFiles) {
      steps.push(
        // The crash-loop count of systemd < 254 (RuntimeDirectory=): systemd keeps the
        // directory when the stop caught the unit between two restarts.
        run(
          c,
          ctx,
          ["clean", "--what=runtime", unit],
          "remove its runtime directory",
          { ignoreFailure: true },
        ),
        {
          kind: "remove",
          path: `${unitDir(c, ctx)}/${unit}`,
          marker: SYSTEMD_MARKER_TEXT,
        },
        envCopyRemoveStep(ref, ctx),
        run(c, ctx, ["daemon-reload"], "reload systemd"),
      );
    }
    return {
      driver: "systemd",
      service: ref.name,
      steps,
      afterRollback: restoreAfterRollback(c, ctx, unit, prior),
    };
  },

  planControl(ref: ServiceRef, action: ControlAction, ctx: Context): Plan {
    requireRoot(
      ref.condition,
      ctx,
      action === "stop" ? "Stopping" : "Starting",
    );
    const unit = ref.identity ?? unitName(ref.name);
    const steps: Step[] = [];
    if (action !== "stop") {
      steps.push(
        run(
          ref.condition,
          ctx,
          ["reset-failed", unit],
          "clear a failed state",
          {
            okCodes: [1, 5],
          },
        ),
      );
    }
    steps.push(
      run(
        ref.condition,
        ctx,
        action === "stop" ? [action, unit] : ["--no-block", action, unit],
        `${action} the service`,
      ),
    );
    return { driver: "systemd", service: ref.name, steps };
  },

  async status(
    condition: Condition,
    ctx: Context,
    names?: string[],
    options: StatusOptions = {},
  ): Promise<ServiceStatus[]> {
    const found = await managedUnits(condition, ctx, names);
    if (found.length === 0) return [];
    const unknown = (detail: string): ServiceStatus[] =>
      found.map((f) => unknownStatus({ ...f, condition }, "systemd", detail));
    const a = await this.available(ctx, condition);
    if (!a.available) return unknown(a.reason ?? "systemd is not reachable");
    const env = userEnv(condition, ctx);
    if (options.fast) {
      const listed = await listUnits(
        condition,
        ctx,
        names ? found.map((f) => f.unit) : ["autostart-*.service"],
      );
      if (listed.units === null) {
        return unknown(`systemctl list-units failed: ${listed.stderr}`);
      }
      const props = await fastProps(
        condition,
        ctx,
        found.map((f) => f.unit),
        listed.units,
      );
      const now = Date.now();
      return found.map((f, i) =>
        toStatus(props[i]!, { ...f, condition }, null, now)
      );
    }
    const [r, uptime] = await Promise.all([
      ctx.runner.run(
        [
          ...systemctl(condition),
          "show",
          `--property=${SHOW_PROPERTIES.join(",")}`,
          "--",
          ...found.map((f) => f.unit),
        ],
        env ? { env } : {},
      ),
      readUptime(ctx),
    ]);
    if (r.code !== 0) {
      return unknown(`systemctl show failed: ${r.stderr.trim()}`);
    }
    const byId = new Map(
      parseShow(r.stdout).map((p) => [p.get("Id") ?? "", p]),
    );
    const now = Date.now();
    return found.map((f) =>
      toStatus(byId.get(f.unit) ?? new Map(), { ...f, condition }, uptime, now)
    );
  },

  async readBack(ref: ServiceRef, ctx: Context): Promise<ReadBack | null> {
    const file = `${unitDir(ref.condition, ctx)}/${
      ref.identity ?? unitName(ref.name)
    }`;
    const content = await ctx.fs.readText(file).catch(() => null);
    if (content === null || !content.includes(SYSTEMD_MARKER_TEXT)) return null;
    return {
      driver: "systemd",
      file,
      content,
      fields: readSystemdUnit(content),
    };
  },

  async advise(spec: ServiceSpec, ctx: Context): Promise<string[]> {
    if (spec.condition !== "login") return [];
    const user = ctx.self.name;
    if (await ctx.fs.exists(`/var/lib/systemd/linger/${user}`)) return [];
    return [
      `"${spec.name}" starts when ${user} logs in and stops when the last session ends.`,
      `To start it at boot without a login, run: sudo loginctl enable-linger ${user}`,
    ];
  },

  explain,

  programLine(line: string): boolean {
    return !MANAGER_LINE.test(line);
  },

  logs(ref: ServiceRef, options: LogOptions, ctx: Context) {
    return systemdLogs(ref, options, ctx);
  },

  diagnose,
};
