/**
 * What the two launchd drivers share: paths, `launchctl` command lines, parsing of
 * `launchctl print` output into a {@link ServiceStatus}, and the translation of
 * launchctl's error numbers into advice. `launchd_agent.ts` (login, domain `gui/UID`)
 * and `launchd_daemon.ts` (boot, domain `system`) are each one call of
 * {@link createLaunchdDriver}.
 *
 * launchd is asynchronous: `bootout` returns before the job has exited (launchd sends
 * SIGTERM, then SIGKILL after the job's `ExitTimeOut`), and a `bootstrap` of the same
 * label meanwhile fails with 5 (or 37). So every `bootout` is followed by asking
 * `print TARGET` until it answers 113 (bounded, longer than the exit timeout), and
 * `bootstrap` is retried with back-off on 5/37 (Homebrew's services repeat `bootout`
 * while it answers 36 or the job is still loaded, for the same reason).
 *
 * Command lines (never legacy `load`/`unload`):
 * - enable: `bootout TARGET` (not loaded is fine), wait until it is gone, write the
 *   plist, `enable TARGET`, `bootstrap DOMAIN PLIST` (skipped with `--no-start`: the
 *   plist is then loaded at the next login/boot, or by `autostart start`).
 * - start: `enable TARGET`, `bootstrap DOMAIN PLIST` only when `print TARGET` answers
 *   113 (not loaded), then `kickstart TARGET` (as Lima and Homebrew: `enable` first,
 *   since a disabled label cannot be bootstrapped).
 * - restart: `enable TARGET`, then `kickstart -k TARGET` when `print TARGET` answers 0
 *   (loaded), else `bootstrap DOMAIN PLIST` (RunAtLoad starts it; a `kickstart -k`
 *   right after would kill the process launchd has just started).
 * - stop: `bootout TARGET` and wait until it is gone: the process is stopped and launchd
 *   forgets the job until the next login/boot (a `kill` would just be answered with a
 *   restart under KeepAlive).
 * - disable: `bootout TARGET`, wait until it is gone, then remove the plist
 *   (`--keep-files`: `disable TARGET` instead, so the kept plist is not loaded at the
 *   next login/boot).
 * - backups of replaced plists go to `Library/Application Support/autostart/backups`,
 *   never beside the plist: launchd reads every file in its directories.
 * - status: `print TARGET` per service (launchctl has no batch form of it; they run
 *   concurrently) plus one `print-disabled DOMAIN` for all.
 *
 * @module
 */

import { ownershipOf } from "../core/ownership.ts";
import {
  envCopyPath,
  envCopyRemoveStep,
  envCopySteps,
  envFileNote,
  envShellCommand,
} from "../core/env_file.ts";
import { checkSeal } from "../core/seal.ts";
import { UNTIL_TIMEOUT } from "../core/run_step.ts";
import type { CommandResult } from "../core/runner.ts";
import type { Context } from "../core/context.ts";
import type {
  Availability,
  Check,
  ControlAction,
  Driver,
  DriverFeature,
  LogOptions,
  PriorState,
  ServiceRef,
  ServiceState,
  ServiceStatus,
} from "../core/driver.ts";
import { unknownStatus } from "../core/driver.ts";
import { OperationError, UsageError } from "../core/errors.ts";
import { tailFiles } from "../core/log_tail.ts";
import { type LogFile, logSizeChecks } from "../core/log_size.ts";
import { wantsBackoff } from "../templates/backoff_sh.ts";
import {
  NEWSYSLOG_DIR,
  NEWSYSLOG_MARKER_TEXT,
  newsyslogPath,
  renderNewsyslogConf,
} from "../templates/newsyslog_conf.ts";
import type { Plan, RunStep, Step } from "../core/plan.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "../core/spec.ts";
import {
  buildLaunchdPlist,
  LAUNCHD_MARKER_TEXT,
  launchdLabel,
  loadPlistCodec,
  type PlistCodec,
  readLaunchdPlist,
  renderLaunchdPlist,
  serviceNameOfPlist,
  throttleSeconds,
} from "../templates/launchd_plist.ts";
import type { ReadBack } from "../core/read_back.ts";

/** Where launchctl lives on every macOS. */
export const LAUNCHCTL_PATH = "/bin/launchctl";

/** `bootout` exit codes that mean "it was not loaded" (3: No such process; 113: Could
 * not find specified service) or "already being unloaded" (36: Operation now in
 * progress). */
export const BOOTOUT_OK = [3, 36, 113] as const;

/** `bootstrap` exit codes that are retried: 5 (Input/output error) and 37 (Operation
 * already in progress) are what launchd answers while it still removes the previous
 * job of the label. */
export const BOOTSTRAP_BUSY = [5, 37] as const;

/** Pauses between the tries of a busy `bootstrap` (about 8 s in all). */
export const BOOTSTRAP_BACKOFF_MS = [250, 500, 1000, 2000, 4000] as const;

/** launchd's exit timeout when the plist sets no `ExitTimeOut` (`exit timeout = 5` in
 * `launchctl print`). */
export const DEFAULT_EXIT_TIMEOUT_MS = 5000;

/** The exit timeout assumed when it is not known (disable, stop, the job a re-enable
 * replaces): long enough for a Lima VM to shut down (about 190 s), the longest
 * autostart sets by itself. */
export const UNKNOWN_EXIT_TIMEOUT_MS = 190_000;

/** How much longer than the exit timeout to wait for launchd to let a job go. */
export const GONE_MARGIN_MS = 15_000;

/** How often to ask `print TARGET` whether a booted-out job is gone. */
export const GONE_POLL_MS = 250;

/** How many restarts in a row make a scheduled respawn "crash-looping". */
export const CRASH_LOOP_RESTARTS = 3;

/** The two kinds of launchd jobs autostart writes. */
export type LaunchdKind = "agent" | "daemon";

/** Everything fixed about one kind. */
interface KindInfo {
  id: string;
  condition: Condition;
  description: string;
}

const KINDS: Record<LaunchdKind, KindInfo> = {
  agent: {
    id: "launchd-agent",
    condition: "login",
    description:
      "launchd LaunchAgents in ~/Library/LaunchAgents, started at login (domain gui/UID)",
  },
  daemon: {
    id: "launchd-daemon",
    condition: "boot",
    description:
      "launchd LaunchDaemons in /Library/LaunchDaemons, started at boot (domain system)",
  },
};

/** Directory of the plists of a kind. */
export function plistDir(kind: LaunchdKind, ctx: Context): string {
  return kind === "daemon"
    ? "/Library/LaunchDaemons"
    : `${ctx.self.home}/Library/LaunchAgents`;
}

/** Default log directory of a kind (when `--log-dir` is not given). */
export function defaultLogDir(kind: LaunchdKind, ctx: Context): string {
  return kind === "daemon"
    ? "/Library/Logs/autostart"
    : `${ctx.self.home}/Library/Logs/autostart`;
}

/** Where backups of replaced plists go (never the plist directory, which launchd reads). */
export function backupDir(kind: LaunchdKind, ctx: Context): string {
  return kind === "daemon"
    ? "/Library/Application Support/autostart/backups"
    : `${ctx.self.home}/Library/Application Support/autostart/backups`;
}

/** launchd domain of a kind: `gui/UID` or `system`. */
export function launchdDomain(kind: LaunchdKind, ctx: Context): string {
  return kind === "daemon" ? "system" : `gui/${ctx.self.uid}`;
}

/** Service target `DOMAIN/LABEL` of a service. */
export function serviceTarget(
  kind: LaunchdKind,
  ctx: Context,
  name: string,
  label: string = launchdLabel(name),
): string {
  return `${launchdDomain(kind, ctx)}/${label}`;
}

/** The label of a service: its `identity` when it has one, else `dev.autostart.NAME`. */
export function labelOf(ref: { name: string; identity?: string }): string {
  return ref.identity ?? launchdLabel(ref.name);
}

/** Absolute path of a service's plist. */
export function plistPath(
  kind: LaunchdKind,
  ctx: Context,
  name: string,
  label: string = launchdLabel(name),
): string {
  return `${plistDir(kind, ctx)}/${label}.plist`;
}

function requireRoot(kind: LaunchdKind, ctx: Context, what: string) {
  if (kind === "daemon" && ctx.self.uid !== 0) {
    throw new UsageError(
      `${what} a boot service (LaunchDaemon) needs root`,
      "run the same command with sudo",
    );
  }
}

function launchctl(
  args: string[],
  title: string,
  extra: Partial<RunStep> = {},
): RunStep {
  return { kind: "run", argv: ["launchctl", ...args], title, ...extra };
}

/**
 * `bootout TARGET`, then `print TARGET` until it answers 113: launchd has let the job go
 * (it sends SIGTERM, and SIGKILL after the exit timeout, then forgets the job).
 */
function bootoutAndWait(
  target: string,
  exitTimeoutMs: number,
  title: string,
  extra: Partial<RunStep> = {},
): RunStep[] {
  return [
    launchctl(["bootout", target], title, {
      okCodes: [...BOOTOUT_OK],
      ...extra,
    }),
    launchctl(
      ["print", target],
      "wait until launchd has let the job go",
      {
        until: {
          codes: [113],
          pending: [0],
          timeoutMs: exitTimeoutMs + GONE_MARGIN_MS,
          intervalMs: GONE_POLL_MS,
          // The job's own exit timeout, as launchd has it, when it is longer (a
          // --stop-timeout above 190 s).
          longerFrom: {
            pattern: "^\\s*exit timeout = (\\d+)\\s*$",
            unitMs: 1000,
            marginMs: GONE_MARGIN_MS,
            what: `the job's exit timeout (launchctl print) + ${
              GONE_MARGIN_MS / 1000
            }s`,
          },
        },
        ...(extra.ignoreFailure ? { ignoreFailure: true } : {}),
      },
    ),
  ];
}

/** `bootstrap DOMAIN PLIST`, retried while launchd answers 5/37. */
function bootstrap(
  domain: string,
  path: string,
  title: string,
  extra: Partial<RunStep> = {},
): RunStep {
  return launchctl(["bootstrap", domain, path], title, {
    retry: { codes: [...BOOTSTRAP_BUSY], delaysMs: [...BOOTSTRAP_BACKOFF_MS] },
    ...extra,
  });
}

// ---------------------------------------------------------------------------
// launchctl print

/**
 * Parses `launchctl print DOMAIN/LABEL` output into its top-level `key = value` fields.
 * Nested blocks such as `arguments = { ... }`, `environment = { ... }` or coalitions
 * (which repeat keys like `state`) are skipped. The structure is read from the
 * indentation, never by counting braces: a block is `KEY = {` followed by deeper lines
 * and closed by a `}` at its own indentation, so an argument or an environment value
 * that ends in `{` or starts with `}` cannot shift the fields. The first occurrence of
 * a key wins.
 *
 * @example Usage
 * ```ts
 * import { parsePrint } from "./_launchd.ts";
 * const f = parsePrint("gui/501/x = {\n\tstate = running\n\tpid = 42\n}\n");
 * console.assert(f.get("pid") === "42");
 * ```
 */
export function parsePrint(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const lines = text.split("\n").map((raw) => {
    const indent = /^[ \t]*/.exec(raw)![0];
    return { indent: indent.replaceAll("\t", "    ").length, line: raw.trim() };
  }).filter((l) => l.line !== "");
  if (lines.length === 0) return fields;
  // `TARGET = {` ... `}` around everything: the fields are the lines one level in.
  const wrapped = /=\s*\{$/.test(lines[0]!.line) &&
    (lines[1]?.indent ?? 0) > lines[0]!.indent;
  const body = wrapped ? lines.slice(1) : lines;
  const top = body[0]?.indent ?? 0;
  for (let i = 0; i < body.length; i++) {
    const { indent, line } = body[i]!;
    if (indent !== top) continue;
    const next = body[i + 1];
    const opens = /^[^=]+ = \{$/.test(line) && next !== undefined &&
      (next.indent > indent || (next.indent === indent && next.line === "}"));
    if (opens) {
      // Skip to the `}` at this block's own indentation.
      let j = i + 1;
      while (
        j < body.length &&
        !(body[j]!.indent === indent && body[j]!.line === "}")
      ) j++;
      i = j;
      continue;
    }
    const k = line.indexOf(" = ");
    if (k <= 0) continue;
    const key = line.slice(0, k).trim();
    if (!fields.has(key)) fields.set(key, line.slice(k + 3).trim());
  }
  return fields;
}

/**
 * Parses `launchctl print-disabled DOMAIN` into label → disabled. Newer macOS prints
 * `"label" => disabled|enabled`, older `"label" => true|false` (true = disabled).
 */
export function parsePrintDisabled(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const line of text.split("\n")) {
    const m = /^\s*"([^"]+)"\s*=>\s*(\w+)/.exec(line);
    if (!m) continue;
    out.set(m[1]!, m[2] === "disabled" || m[2] === "true");
  }
  return out;
}

const SIGNALS: Record<number, string> = {
  1: "HUP",
  2: "INT",
  3: "QUIT",
  4: "ILL",
  5: "TRAP",
  6: "ABRT",
  8: "FPE",
  9: "KILL",
  10: "BUS",
  11: "SEGV",
  13: "PIPE",
  14: "ALRM",
  15: "TERM",
};

/** How the last run ended, from the print fields; `failed` when it was not a clean exit. */
export function lastExitOf(
  fields: Map<string, string>,
): { text: string | null; failed: boolean } {
  const signal = fields.get("last terminating signal");
  if (signal !== undefined) {
    const n = Number(/(\d+)\s*$/.exec(signal)?.[1]);
    return {
      text: `signal ${Number.isFinite(n) ? SIGNALS[n] ?? n : signal}`,
      failed: true,
    };
  }
  const code = fields.get("last exit code");
  const m = code === undefined ? null : /^(-?\d+)(?::\s*(.+))?$/.exec(code);
  if (m) {
    const n = Number(m[1]);
    return {
      text: `exit ${n}${m[2] ? ` (${m[2]})` : ""}`,
      failed: n !== 0,
    };
  }
  const reason = fields.get("last exit reason");
  if (reason !== undefined) return { text: `killed: ${reason}`, failed: true };
  return { text: null, failed: false };
}

/**
 * Maps the result of `launchctl print TARGET` to a {@link ServiceStatus}.
 * @param r The command's result (exit 113 / "Could not find service" = not loaded).
 * @param base Name, condition, unit (label) and file.
 * @param driver Driver id.
 * @param enabled From `print-disabled`; `null` when unknown.
 */
export function toLaunchdStatus(
  r: CommandResult,
  base: Pick<ServiceStatus, "name" | "condition" | "unit" | "file" | "drifted">,
  driver: string,
  enabled: boolean | null,
): ServiceStatus {
  const common = {
    ...base,
    driver,
    enabled,
    restarts: null,
    lastExit: null,
    since: null,
    pid: null,
  };
  if (r.code !== 0) {
    const said = (r.stderr || r.stdout).trim().split("\n").pop() ?? "";
    if (r.code === 113 || /could not find service/i.test(r.stderr)) {
      return {
        ...common,
        state: "not-loaded",
        detail: enabled === false
          ? "not loaded (disabled in launchd)"
          : "not loaded (stopped, or waiting for the next login/boot)",
      };
    }
    return {
      ...common,
      state: "unknown",
      detail: `launchctl print exited with code ${r.code}: ${said}`,
    };
  }
  const f = parsePrint(r.stdout);
  const raw = f.get("state") ?? "";
  const runsText = f.get("runs");
  const runs = runsText === undefined ? null : Number(runsText);
  const restarts = runs === null || !Number.isFinite(runs)
    ? null
    : Math.max(0, runs - 1);
  const exit = lastExitOf(f);
  const pidNum = Number(f.get("pid") ?? 0);
  const pid = Number.isInteger(pidNum) && pidNum > 0 ? pidNum : null;
  let state: ServiceState;
  if (raw === "running") state = pid === null ? "starting" : "running";
  else if (
    raw === "spawn scheduled" || raw === "xpcproxy" || raw === "spawning"
  ) {
    state = exit.failed && (restarts ?? 0) >= CRASH_LOOP_RESTARTS
      ? "crash-looping"
      : "starting";
  } else if (
    raw === "not running" || raw === "waiting" || raw === "exited"
  ) {
    state = exit.failed ? "failed" : "stopped";
  } else state = "unknown";
  const detail = [
    raw || "no state",
    runs === null ? "" : `runs ${runs}`,
    f.get("last exit reason")
      ? `last exit reason ${f.get("last exit reason")}`
      : "",
    enabled === false ? "disabled in launchd" : "",
    base.drifted ? "plist edited by hand since autostart wrote it" : "",
  ].filter(Boolean).join(", ");
  return {
    ...common,
    state,
    pid: state === "running" ? pid : null,
    restarts,
    lastExit: exit.text,
    detail,
  };
}

// ---------------------------------------------------------------------------
// errors

/** The launchd error number in a launchctl failure ("Bootstrap failed: 5: ..."). */
function errorNumber(r: CommandResult): number {
  const m = /failed: (\d+):/.exec(r.stderr) ?? /^(\d+): /m.exec(r.stderr);
  return m ? Number(m[1]) : r.code;
}

/**
 * Translates a failed launchctl command into what happened and what to do.
 *
 * @example Usage
 * ```ts
 * import { explainLaunchctl } from "./_launchd.ts";
 * const x = explainLaunchctl(["launchctl", "kickstart", "gui/501/dev.autostart.web"],
 *   { code: 113, stdout: "", stderr: "Could not find service" });
 * console.assert(x?.message?.includes("not loaded"));
 * ```
 */
export function explainLaunchctl(
  argv: string[],
  r: CommandResult,
): { message?: string; hint?: string } | undefined {
  if (argv[0] !== "launchctl" && argv[0] !== LAUNCHCTL_PATH) return undefined;
  const sub = argv[1] ?? "";
  const target = argv.find((a) => /^(gui\/\d+|system)\/./.test(a)) ?? "";
  const domain = sub === "bootstrap"
    ? argv[2] ?? ""
    : target.replace(/\/[^/]*$/, "");
  const plist = sub === "bootstrap" ? argv[3] ?? "" : "";
  const label = target.slice(domain.length + 1) ||
    (plist.split("/").pop() ?? "").replace(/\.plist$/, "");
  const name = label.startsWith("dev.autostart.")
    ? label.slice("dev.autostart.".length)
    : label;
  const daemon = domain === "system";
  if (sub === "print" && r.code === UNTIL_TIMEOUT) {
    return {
      message:
        `launchd still has the job ${label} in ${domain}: it has not exited since it was told to stop (launchd sends SIGTERM, then SIGKILL after its ExitTimeOut)`,
      hint: `see what it is doing with: ${
        daemon ? "sudo " : ""
      }launchctl print ${target}; then run the same command again`,
    };
  }
  const n = errorNumber(r);
  switch (n) {
    case 5:
      // launchd tells only root why; a user hears 5 for every cause, among them a
      // gui/UID domain without a desktop session (logged in over ssh).
      if (sub === "bootstrap" && domain.startsWith("gui/")) {
        return {
          message:
            `launchd refused to load the plist (error 5, Input/output error), also after waiting: there may be no desktop login session for ${domain} (ssh sessions have none), the plist may be invalid, or launchd still holds the previous job of this label`,
          hint:
            `\`launchctl print ${domain}\` fails when there is no desktop session: then log in to the Mac's desktop as this user, or use --condition=boot for a service started at boot; else check the plist with: plutil -lint ${
              plist || "PLIST"
            }, and what launchd holds with: launchctl print ${domain}/${label}`,
        };
      }
      return sub === "bootstrap"
        ? {
          message:
            "launchd refused to load the plist (error 5, Input/output error), also after waiting: the plist may be invalid, or launchd still holds the previous job of this label",
          hint: `check the plist with: plutil -lint ${
            plist || "PLIST"
          }, and what launchd holds with: ${
            daemon ? "sudo " : ""
          }launchctl print ${
            domain || "DOMAIN"
          }/${label}; then run the same command again`,
        }
        : {
          message:
            "launchd could not complete the request (error 5, Input/output error)",
          hint: "wait a few seconds and run the same command again",
        };
    case 37:
      return {
        message:
          "launchd is still busy with this service (error 37, Operation already in progress)",
        hint: "wait a few seconds and run the same command again",
      };
    case 113:
      return {
        message:
          `launchd has no service ${label} loaded in ${domain} (error 113, Could not find specified service)`,
        hint:
          `load and start it with: autostart start ${name}; see its state with: autostart status ${name}`,
      };
    case 119:
      return {
        message:
          `the service is disabled in launchd's overrides (error 119, Service is disabled)`,
        hint: `enable it again with: ${
          daemon ? "sudo " : ""
        }launchctl enable ${domain}/${label}, then run the same command again`,
      };
    case 3:
      return {
        message:
          "the service has no process to act on (error 3, No such process): it is not running or not loaded",
        hint: `see its state with: autostart status ${name}`,
      };
    case 122:
      return {
        message:
          "launchd refused the plist because of its ownership or permissions (error 122)",
        hint: daemon
          ? `a LaunchDaemon must be owned by root:wheel and not writable by others: sudo chown root:wheel ${
            plist || "PLIST"
          } && sudo chmod 644 ${plist || "PLIST"}`
          : `a LaunchAgent must be owned by you and not writable by others: chmod 644 ${
            plist || "PLIST"
          }`,
      };
    case 112:
    case 125:
      return {
        message: daemon
          ? `launchd has no domain ${domain} here (error ${n})`
          : `there is no GUI login session for ${domain} (error ${n}): LaunchAgents run in the desktop session of a logged-in user, which ssh sessions do not have`,
        hint: daemon
          ? "run the command on the Mac itself with sudo"
          : "log in to the Mac's desktop as this user and run it again, or use --condition=boot for a service started at boot",
      };
    case 109:
      return {
        message: "launchd says the plist is invalid (error 109)",
        hint: `check it with: plutil -lint ${plist || "PLIST"}`,
      };
    case 111:
      return {
        message: "launchd says the program is missing or invalid (error 111)",
        hint:
          "check that the program exists and is executable, then enable the service again",
      };
    case 114:
    case 115:
      return {
        message: `launchd does not know the ${
          n === 114 ? "user" : "group"
        } the service runs as (error ${n})`,
        hint: "enable it again with --user NAME of an existing account",
      };
    case 1:
    case 150:
      if (/not permitted|privilege/i.test(r.stderr)) {
        return { hint: "run the same command with sudo" };
      }
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// the driver

/** Keep-alive modes launchd honours exactly (KeepAlive false / {SuccessfulExit} / true). */
const KEEP_ALIVE: readonly KeepAliveMode[] = ["false", "on-failure", "always"];

/**
 * A launchd driver. One class for both kinds; its only state is the plist serializer,
 * loaded once by {@link LaunchdDriver.prepare} (a memo of an immutable module).
 */
export class LaunchdDriver implements Driver {
  /** Agent (login) or daemon (boot). */
  readonly kind: LaunchdKind;
  readonly id: string;
  readonly description: string;
  readonly platforms: readonly string[] = ["darwin"];
  readonly conditions: readonly Condition[];
  readonly keepAlive: readonly KeepAliveMode[] = KEEP_ALIVE;
  /** `--stop-timeout` is the plist's `ExitTimeOut`. */
  readonly features: readonly DriverFeature[] = ["stop-timeout", "env-file"];
  #codec: PlistCodec | undefined;

  /**
   * @param kind Agent or daemon.
   * @param codec A plist serializer, when the caller has one (tests); otherwise
   * {@link LaunchdDriver.prepare} loads npm `plist`.
   */
  constructor(kind: LaunchdKind, codec?: PlistCodec) {
    this.kind = kind;
    this.id = KINDS[kind].id;
    this.description = KINDS[kind].description;
    this.conditions = [KINDS[kind].condition];
    this.#codec = codec;
  }

  /** Loads the plist serializer that {@link LaunchdDriver.plan} uses. */
  async prepare(_ctx?: Context): Promise<void> {
    this.#codec ??= await loadPlistCodec();
  }

  async available(ctx: Context): Promise<Availability> {
    if (ctx.os !== "darwin") {
      return { available: false, reason: "launchd runs on macOS only" };
    }
    if (!(await ctx.fs.exists(LAUNCHCTL_PATH))) {
      return {
        available: false,
        reason: `launchctl is missing (no ${LAUNCHCTL_PATH})`,
      };
    }
    return { available: true };
  }

  plan(spec: ServiceSpec, ctx: Context, prior?: PriorState): Plan {
    const k = this.kind;
    requireRoot(k, ctx, "Installing");
    if (spec.condition !== KINDS[k].condition) {
      throw new UsageError(
        `${this.id} serves condition "${
          KINDS[k].condition
        }", not "${spec.condition}"`,
      );
    }
    if (this.#codec === undefined) {
      throw new TypeError(
        `${this.id}: call \`await driver.prepare(ctx)\` before plan()`,
      );
    }
    const domain = launchdDomain(k, ctx);
    const target = serviceTarget(k, ctx, spec.name, labelOf(spec));
    const path = plistPath(k, ctx, spec.name, labelOf(spec));
    const logDir = spec.logDir ?? defaultLogDir(k, ctx);
    // Who opens StandardOutPath for a daemon is not documented: root (reported for
    // today's launchd, without O_NOFOLLOW) or the UserName user (launchd's last open
    // source). Safe either way: the directory stays root's (never handed to the
    // service's user, refused when another user could change it), and the file is
    // the user's, made in advance, where the user cannot swap it for a symlink.
    const secure = k === "daemon" ? { secure: true } : {};
    // launchd has no EnvironmentFile, and what a plist's EnvironmentVariables hold is
    // shown by `launchctl print` ("environment = {...}"), which anyone may run on the
    // system domain (launchctl(1)). So the env file's values are a 0600 copy read by
    // /bin/sh, running as the service's user, before it execs the program.
    const copy = spec.envFile === undefined
      ? undefined
      : envCopyPath(spec, ctx);
    const runAs = k === "daemon" && spec.runAs && spec.runAs.uid !== 0
      ? { uid: spec.runAs.uid, gid: spec.runAs.gid }
      : undefined;
    const { envFile: _, ...plain } = spec;
    const obj = buildLaunchdPlist(
      copy === undefined ? spec : {
        ...plain,
        program: "/bin/sh",
        args: envShellCommand(copy, [spec.program, ...spec.args]).slice(1),
      },
      {
        label: labelOf(spec),
        logFile: `${logDir}/${spec.name}.log`,
        daemon: k === "daemon",
      },
    );
    // The job being replaced exits within its own plist's ExitTimeOut, which the plan
    // does not know (an earlier enable may have set a longer one, or a hand edit): wait
    // as long as for stop/disable, or the new stop timeout when that is longer. The
    // wait ends as soon as launchd answers 113, so the bound costs nothing otherwise.
    const exitTimeoutMs = Math.max(
      UNKNOWN_EXIT_TIMEOUT_MS,
      spec.stopTimeoutMs ?? 0,
    );
    const steps: Step[] = [
      { kind: "mkdir", path: plistDir(k, ctx), ...secure },
      { kind: "mkdir", path: logDir, ...secure },
      ...(runAs
        ? [{
          kind: "create" as const,
          path: `${logDir}/${spec.name}.log`,
          mode: 0o644,
          owner: runAs,
        }]
        : []),
      // A rollback puts the previous plist back and loads it again if it was running.
      ...bootoutAndWait(
        target,
        exitTimeoutMs,
        "unload the previous version",
        prior?.running
          ? { undo: ["launchctl", "bootstrap", domain, path] }
          : {},
      ),
      {
        kind: "write",
        path,
        content: renderLaunchdPlist(obj, this.#codec),
        mode: 0o644,
        ...(k === "daemon" ? { owner: { uid: 0, gid: 0 } } : {}),
        marker: LAUNCHD_MARKER_TEXT,
        backupDir: backupDir(k, ctx),
      },
      // The copy, owned by the user the program runs as (who reads it).
      ...envCopySteps(spec, ctx, runAs),
      // A copy left by an earlier enable with --env-file goes with it.
      ...(prior !== undefined && copy === undefined
        ? [envCopyRemoveStep(spec, ctx)]
        : []),
      launchctl(["enable", target], "enable the service"),
    ];
    const notes: string[] = copy === undefined ? [] : envFileNote(
      spec,
      `${copy} (mode 0600; launchd has no EnvironmentFile key, so /bin/sh reads it at each start, as the service's user, before the program)`,
    );
    if (wantsBackoff(spec)) {
      notes.push(
        `launchd has no backoff: "${spec.name}" is restarted at most every ${
          throttleSeconds(spec.restartDelayMs)
        }s (ThrottleInterval) however long it keeps crashing; --restart-max-delay has no effect here`,
      );
    }
    // A daemon's log is rotated by newsyslog (root's); an agent has no such tool
    // without sudo, so doctor watches its size (see docs: log rotation).
    if (k === "daemon" && spec.identity === undefined) {
      const owner = spec.runAs
        ? `${spec.runAs.name}:${spec.runAs.group}`
        : "root:wheel";
      const conf = renderNewsyslogConf(
        spec.name,
        `${logDir}/${spec.name}.log`,
        owner,
      );
      if (conf !== null) {
        steps.splice(
          steps.length - 1,
          0,
          { kind: "mkdir", path: NEWSYSLOG_DIR },
          {
            kind: "write",
            path: newsyslogPath(labelOf(spec)),
            content: conf,
            mode: 0o644,
            owner: { uid: 0, gid: 0 },
            marker: NEWSYSLOG_MARKER_TEXT,
            // newsyslog reads every file of its directory: backups go elsewhere.
            backupDir: backupDir(k, ctx),
          },
        );
      } else {
        notes.push(
          `newsyslog cannot rotate ${logDir}/${spec.name}.log (its path has a space): it grows until you trim it; autostart doctor warns over 50 MiB`,
        );
      }
    }
    if (spec.start) {
      steps.push(
        bootstrap(domain, path, "load and start the service", {
          undo: ["launchctl", "bootout", target],
        }),
      );
    } else {
      notes.push(
        `"${spec.name}" is not loaded now (--no-start): launchd loads it at the next ${
          k === "daemon" ? "boot" : "login"
        }, or now with: autostart start ${spec.name}`,
      );
    }
    return {
      driver: this.id,
      service: spec.name,
      steps,
      ...(notes.length ? { notes } : {}),
    };
  }

  planDisable(
    ref: ServiceRef,
    ctx: Context,
    options: { keepFiles?: boolean } = {},
  ): Plan {
    const k = this.kind;
    requireRoot(k, ctx, "Removing");
    const target = serviceTarget(k, ctx, ref.name, labelOf(ref));
    const steps: Step[] = bootoutAndWait(
      target,
      UNKNOWN_EXIT_TIMEOUT_MS,
      "stop and unload the service",
      { ignoreFailure: true },
    );
    if (options.keepFiles) {
      steps.push(
        launchctl(["disable", target], "keep launchd from loading it again"),
      );
    } else {
      steps.push({
        kind: "remove",
        path: plistPath(k, ctx, ref.name, labelOf(ref)),
        marker: LAUNCHD_MARKER_TEXT,
        // A plist edited by hand is kept before removal, where launchd does not look.
        backupDir: backupDir(k, ctx),
      }, envCopyRemoveStep(ref, ctx));
      if (k === "daemon" && ref.identity === undefined) {
        steps.push({
          kind: "remove",
          path: newsyslogPath(labelOf(ref)),
          marker: NEWSYSLOG_MARKER_TEXT,
        });
      }
    }
    return { driver: this.id, service: ref.name, steps };
  }

  planControl(ref: ServiceRef, action: ControlAction, ctx: Context): Plan {
    const k = this.kind;
    requireRoot(k, ctx, action === "stop" ? "Stopping" : "Starting");
    const target = serviceTarget(k, ctx, ref.name, labelOf(ref));
    const domain = launchdDomain(k, ctx);
    // Load it only when launchd does not have it: 5 from bootstrap is ambiguous
    // (disabled, still being booted out, bad plist), so ask first.
    const print = ["launchctl", "print", target];
    const enable = launchctl(["enable", target], "enable the service");
    const load = bootstrap(
      domain,
      plistPath(k, ctx, ref.name, labelOf(ref)),
      "load the service",
      { when: { argv: print, codes: [113] } },
    );
    // restart: `kickstart -k` only a job launchd has; one it loads now is started by
    // RunAtLoad, and -k would kill that fresh process (launchctl(1): "kill the running
    // instance before restarting the service").
    const steps: Step[] = action === "stop"
      ? bootoutAndWait(target, UNKNOWN_EXIT_TIMEOUT_MS, "stop the service")
      : action === "start"
      ? [enable, load, launchctl(["kickstart", target], "start the service")]
      : [
        enable,
        launchctl(["kickstart", "-k", target], "restart the service", {
          when: { argv: print, codes: [0] },
        }),
        load,
      ];
    return { driver: this.id, service: ref.name, steps };
  }

  async readBack(ref: ServiceRef, ctx: Context): Promise<ReadBack | null> {
    const k = this.kind;
    if (ref.condition !== KINDS[k].condition) return null;
    const file = plistPath(k, ctx, ref.name, labelOf(ref));
    const content = await ctx.fs.readText(file).catch(() => null);
    if (content === null || !content.includes(LAUNCHD_MARKER_TEXT)) return null;
    await this.prepare(ctx);
    const fields = readLaunchdPlist(this.#codec!.parse(content), {
      daemon: k === "daemon",
      defaultLogFile: `${defaultLogDir(k, ctx)}/${ref.name}.log`,
    });
    return { driver: this.id, file, content, fields };
  }

  async status(
    condition: Condition,
    ctx: Context,
    names?: string[],
  ): Promise<ServiceStatus[]> {
    const k = this.kind;
    if (condition !== KINDS[k].condition) return [];
    const dir = plistDir(k, ctx);
    const found: {
      name: string;
      unit: string;
      file: string;
      drifted: boolean;
    }[] = [];
    for (const f of await ctx.fs.list(dir)) {
      const name = serviceNameOfPlist(f);
      if (name === null || (names && !names.includes(name))) continue;
      const content = await ctx.fs.readText(`${dir}/${f}`).catch(() => null);
      if (
        content === null ||
        ownershipOf(content, LAUNCHD_MARKER_TEXT) === "foreign"
      ) continue;
      found.push({
        name,
        unit: launchdLabel(name),
        file: `${dir}/${f}`,
        drifted: checkSeal(content) === "drifted",
      });
    }
    if (found.length === 0) return [];
    const a = await this.available(ctx);
    if (!a.available) {
      return found.map((f) =>
        unknownStatus(
          { ...f, condition },
          this.id,
          a.reason ?? "launchd is not reachable",
        )
      );
    }
    const domain = launchdDomain(k, ctx);
    const [disabled, ...prints] = await Promise.all([
      ctx.runner.run(["launchctl", "print-disabled", domain]),
      ...found.map((f) =>
        ctx.runner.run(["launchctl", "print", `${domain}/${f.unit}`])
      ),
    ]);
    const off = disabled!.code === 0
      ? parsePrintDisabled(disabled!.stdout)
      : null;
    return found.map((f, i) =>
      toLaunchdStatus(
        prints[i]!,
        { ...f, condition },
        this.id,
        off === null ? null : !(off.get(f.unit) ?? false),
      )
    );
  }

  advise(spec: ServiceSpec, _ctx: Context): Promise<string[]> {
    if (this.kind !== "agent") return Promise.resolve([]);
    return Promise.resolve([
      `"${spec.name}" runs while you are logged in to the Mac's desktop and stops when you log out.`,
      `To run it at boot without a login, use: sudo autostart enable ${spec.name} --condition=boot ...`,
    ]);
  }

  explain = explainLaunchctl;

  /**
   * The last lines of the files named by the plist's StandardOutPath and
   * StandardErrorPath, then (with `follow`) what is appended to them.
   */
  async *logs(
    ref: ServiceRef,
    options: LogOptions,
    ctx: Context,
  ): AsyncGenerator<string> {
    if (options.since !== undefined) {
      throw new UsageError(
        `--since cannot be used with ${this.id}: its log files have no timestamps`,
        "use -n to choose how many lines to show",
      );
    }
    const path = plistPath(this.kind, ctx, ref.name);
    const text = await ctx.fs.readText(path);
    if (text === null) {
      throw new OperationError(`Cannot read ${path}: it does not exist`, {
        hint: "see `autostart status` for the services that exist",
      });
    }
    await this.prepare(ctx);
    const files = logPathsOfPlist(this.#codec!.parse(text));
    if (files.length === 0) {
      throw new OperationError(
        `"${ref.name}" has no log file: ${path} sets neither StandardOutPath nor StandardErrorPath`,
        {
          hint:
            `enable it again with autostart (it always sets a log file), e.g. with --log-dir DIR`,
        },
      );
    }
    yield* tailFiles(files, {
      lines: options.lines,
      follow: options.follow,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** launchd's checks for `autostart doctor`. */
  async diagnose(ctx: Context): Promise<Check[]> {
    const k = this.kind;
    const a = await this.available(ctx);
    const checks: Check[] = [{
      id: `${this.id}.launchctl`,
      title: "launchd",
      level: a.available ? "ok" : "fail",
      detail: a.available ? "launchctl is present" : a.reason ?? "unavailable",
      ...(a.available ? {} : { fix: "autostart needs launchd on macOS" }),
    }];
    if (!a.available) return checks;
    const sudo = k === "daemon" ? "sudo " : "";
    const cond = k === "daemon" ? " --condition=boot" : "";
    // Older versions kept backups beside the plist, where launchd reads them.
    const dir = plistDir(k, ctx);
    for (const f of await ctx.fs.list(dir).catch(() => [])) {
      if (!f.includes(".autostart-backup")) continue;
      checks.push({
        id: `${this.id}.backup-in-plist-dir`,
        title: `backup ${f}`,
        level: "warn",
        detail:
          `${dir}/${f} is a backup autostart kept beside the plists, where launchd reads it`,
        fix: `${sudo}mkdir -p "${
          backupDir(k, ctx)
        }" && ${sudo}mv "${dir}/${f}" "${backupDir(k, ctx)}/"`,
      });
    }
    const logs: LogFile[] = [];
    for (const s of await this.status(KINDS[k].condition, ctx)) {
      const text = s.file
        ? await ctx.fs.readText(s.file).catch(() => null)
        : null;
      if (text !== null) {
        await this.prepare(ctx);
        let paths: string[] = [];
        try {
          paths = logPathsOfPlist(this.#codec!.parse(text));
        } catch {
          // an unreadable plist is reported by status; nothing to measure
        }
        for (const file of paths) {
          logs.push({
            name: s.name,
            file,
            fix: k === "daemon"
              ? `newsyslog rotates it over 10 MiB, but the program writes to the file it opened until its next start: ${sudo}autostart restart ${s.name}${cond}`
              : `launchd agents have no log rotation: stop it, trim the file (: > ${file}), and start it again: autostart restart ${s.name}`,
          });
        }
      }
      if (s.drifted) {
        checks.push({
          id: `${this.id}.drifted`,
          title: `"${s.name}" plist`,
          level: "warn",
          detail: `${s.file} was edited by hand since autostart wrote it`,
          fix:
            `run the autostart enable command of "${s.name}" again to rewrite it, or remove it: ${sudo}autostart disable ${s.name}${cond}`,
        });
      }
      if (s.state === "not-loaded" && s.enabled !== false) {
        checks.push({
          id: `${this.id}.not-loaded`,
          title: `"${s.name}" job`,
          level: "warn",
          detail: `${s.file} exists but launchd has not loaded it`,
          fix: `${sudo}autostart start ${s.name}${cond}`,
        });
      }
    }
    checks.push(...await logSizeChecks(this.id, logs, ctx));
    return checks;
  }
}

/** The log files a plist names (StandardOutPath, StandardErrorPath), without repeats. */
export function logPathsOfPlist(plist: unknown): string[] {
  if (typeof plist !== "object" || plist === null) return [];
  const o = plist as Record<string, unknown>;
  const out: string[] = [];
  for (const k of ["StandardOutPath", "StandardErrorPath"]) {
    const v = o[k];
    if (typeof v === "string" && v !== "" && !out.includes(v)) out.push(v);
  }
  return out;
}

/** Makes the driver of one kind. */
export function createLaunchdDriver(
  kind: LaunchdKind,
  codec?: PlistCodec,
): LaunchdDriver {
  return new LaunchdDriver(kind, codec);
}
