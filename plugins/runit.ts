/**
 * runit driver (a plugin compiled into autostart). A service is a directory
 * `STAGING/autostart-NAME` (`/etc/sv` for boot) holding an executable `run` script, a
 * `finish` script and a `log/run` script (svlogd), linked into the directory runsvdir
 * watches (`SVDIR`, default `/etc/service`; for login a per-user runsvdir on
 * `~/service`). runsvdir notices the link within 5 seconds and starts a runsv for it;
 * `sv` controls it and `sv status` reads the state of all services in one call.
 *
 * Keep-alive under runit, which restarts every service that exits while it is wanted up:
 * - `always`: runit's own behaviour; `finish` sleeps the restart delay, doubled after
 *   each restart in a row up to `--restart-max-delay` (crash-loop backoff).
 * - `on-failure`: `finish` receives the exit code; on a clean exit (0) it tells runsv
 *   "once" (`o` on `supervise/control`), so the service stays down until started again.
 * - `false`: `run` tells runsv "once" before it starts the program: it runs once when
 *   runsv starts (at boot or login) and is never restarted.
 * `--no-start` writes a `down` file: runsv does not start the service, now or at the
 * next boot, until `autostart start NAME` removes it.
 *
 * Environment: `SVDIR` (service directory), `AUTOSTART_RUNIT_SV_DIR` (where service
 * directories are written; default `/etc/sv`, or `~/.local/share/autostart/runit` for
 * login).
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type {
  Availability,
  ControlAction,
  Driver,
  LogOptions,
  PriorState,
  ServiceRef,
  ServiceState,
  ServiceStatus,
} from "../core/driver.ts";
import {
  envCopyPath,
  envCopyRemoveStep,
  envCopySteps,
  envFileNote,
} from "../core/env_file.ts";
import { UnsupportedError, UsageError } from "../core/errors.ts";
import type { Plan, RunStep, Step } from "../core/plan.ts";
import { ownershipOf } from "../core/ownership.ts";
import { checkSeal, seal, SEAL_PLACEHOLDER } from "../core/seal.ts";
import {
  type ReadBack,
  type ServiceFields,
  shStatements,
} from "../core/read_back.ts";
import {
  type Condition,
  type ServiceSpec,
  unsafeForRoot,
} from "../core/spec.ts";
import { backoffScript, wantsBackoff } from "../templates/backoff_sh.ts";
import {
  MARKER_TEXT,
  markerNote,
  requireRoot,
  shQuote,
} from "../core/plugins.ts";

/** Text that must be in an existing file for autostart to overwrite or remove it. */
export const RUNIT_MARKER_TEXT = MARKER_TEXT;

/** Seconds `sv` waits for a stop before it kills the service. */
export const SV_WAIT_SECONDS = 10;

/** Directory name of a service: `autostart-NAME`. */
export function runitServiceName(name: string): string {
  return `autostart-${name}`;
}

/** The directory runsvdir watches for a condition. */
export function runitSvDir(condition: Condition, ctx: Context): string {
  const env = ctx.env.SVDIR;
  if (env?.startsWith("/")) return env.replace(/(.)\/+$/, "$1");
  return condition === "boot" ? "/etc/service" : `${ctx.self.home}/service`;
}

/** Where service directories are written before they are linked into {@link runitSvDir}. */
export function runitStagingDir(condition: Condition, ctx: Context): string {
  const env = ctx.env.AUTOSTART_RUNIT_SV_DIR;
  if (env?.startsWith("/")) return env.replace(/(.)\/+$/, "$1");
  if (condition === "boot") return "/etc/sv";
  const data = ctx.env.XDG_DATA_HOME?.startsWith("/")
    ? ctx.env.XDG_DATA_HOME
    : `${ctx.self.home}/.local/share`;
  return `${data}/autostart/runit`;
}

/** Default directory of the svlogd logs of a service. */
export function runitLogDir(
  spec: Pick<ServiceSpec, "name" | "condition" | "logDir">,
  ctx: Context,
): string {
  if (spec.logDir !== undefined) return `${spec.logDir}/${spec.name}`;
  if (spec.condition === "boot") return `/var/log/autostart/${spec.name}`;
  const state = ctx.env.XDG_STATE_HOME?.startsWith("/")
    ? ctx.env.XDG_STATE_HOME
    : `${ctx.self.home}/.local/state`;
  return `${state}/autostart/log/${spec.name}`;
}

/**
 * Tells runsv "once" (run, do not restart) and waits until it has read the command
 * (`supervise/stat` then says "want down"): otherwise runsv may see the program exit
 * first and restart it.
 */
const ONCE = [
  "printf o >supervise/control",
  "i=0",
  'while [ "$i" -lt 100 ]; do',
  "  read -r stat <supervise/stat",
  '  case $stat in *"want down"*) break ;; esac',
  "  sleep 0.1",
  "  i=$((i + 1))",
  "done",
];

function header(spec: ServiceSpec, what: string): string[] {
  return [
    "#!/bin/sh",
    `# ${markerNote(`autostart enable ${spec.name}`)}`,
    `# ${what}`,
  ];
}

/** The account a boot service switches to with chpst, or `null` (login, or root). */
function switchUser(spec: ServiceSpec): string | null {
  if (spec.condition !== "boot" || !spec.runAs || spec.runAs.uid === 0) {
    return null;
  }
  return `${spec.runAs.name}:${spec.runAs.group}`;
}

/**
 * Renders the `run` script: stderr joined to stdout (for svlogd), the working directory,
 * the environment (`options.envFile`, the 0600 copy of `--env-file`, sourced with
 * `set -a`; then `export` lines), then `exec` of the program with every word quoted for
 * sh. A boot service of another user goes through `chpst -u USER:GROUP` first, and its
 * environment is set by a shell running as that user (never in root's processes).
 *
 * @example Usage
 * ```ts
 * import { renderRunitRun } from "./runit.ts";
 * const text = renderRunitRun({
 *   name: "web", program: "/usr/bin/python3", args: ["-m", "http.server"],
 *   condition: "boot", keepAlive: "always", env: [], restartDelayMs: 2000, start: true,
 * });
 * console.assert(text.includes("exec '/usr/bin/python3' '-m' 'http.server'"));
 * ```
 */
export function renderRunitRun(
  spec: ServiceSpec,
  options: { envFile?: string } = {},
): string {
  const lines = header(
    spec,
    `runit service "${
      runitServiceName(spec.name)
    }": starts at ${spec.condition}, keep-alive ${spec.keepAlive}.`,
  );
  lines.push("exec 2>&1");
  if (spec.keepAlive === "false") {
    lines.push(
      "# Keep-alive false: tell runsv to run this once, never to restart it.",
      ...ONCE,
    );
  }
  const user = switchUser(spec);
  if (user !== null) {
    lines.push(
      "# Find chpst before the service's PATH applies; keep it where no variable can change it.",
      'set -- "$(command -v chpst)"',
      '[ -n "$1" ] || { echo "autostart: chpst (runit) is not in PATH" >&2; exit 111; }',
    );
  }
  if (spec.cwd !== undefined) lines.push(`cd ${shQuote(spec.cwd)} || exit 111`);
  const env = [
    ...(options.envFile === undefined
      ? []
      : ["set -a", `. ${shQuote(options.envFile)}`, "set +a"]),
    ...spec.env.map(([k, v]) => `export ${k}=${shQuote(v)}`),
  ];
  const words = [spec.program, ...spec.args].map(shQuote).join(" ");
  if (user === null) {
    lines.push(...env, `exec ${words}`, "");
  } else {
    // The environment is set by a shell that runs as the service's user, after chpst
    // switched to it: no variable (LD_PRELOAD, ...) ever reaches root's chpst, and the
    // env file (0600, the user's) is read by that user.
    const inner = [...env, 'exec "$0" "$@"'].join("\n");
    lines.push(
      env.length === 0
        ? `exec "$1" -u ${shQuote(user)} ${words}`
        : `exec "$1" -u ${shQuote(user)} /bin/sh -c ${shQuote(inner)} ${words}`,
      "",
    );
  }
  return seal(lines.join("\n"));
}

/**
 * State file of the crash-loop backoff, in runsv's own state directory of the service
 * (`finish` runs in the service directory), which disable removes with the rest of
 * runsv's state.
 */
export const RUNIT_BACKOFF_FILE = "./supervise/autostart-backoff";

/**
 * Renders the `finish` script, run by runsv after each exit of `run` with the exit code
 * (`-1` after a signal): nothing after a requested stop; for on-failure a clean exit
 * makes the service "once" (not restarted); otherwise it sleeps the restart delay, or
 * with a backoff the delay doubled per restart in a row, capped ({@link backoffScript}).
 */
export function renderRunitFinish(spec: ServiceSpec): string {
  const lines = header(
    spec,
    "Runs after each exit of ./run: $1 is its exit code (-1 when a signal ended it).",
  );
  const backoff = wantsBackoff(spec);
  lines.push(
    "# A requested stop (sv down / exit): nothing to decide, no delay.",
    "stat=",
    "read -r stat <supervise/stat",
    backoff
      ? `case $stat in *"want down"* | *"want exit"*) rm -f ${RUNIT_BACKOFF_FILE}; exit 0 ;; esac`
      : 'case $stat in *"want down"* | *"want exit"*) exit 0 ;; esac',
  );
  if (spec.keepAlive === "on-failure") {
    lines.push(
      "# Keep-alive on-failure: a clean exit means the program chose to stop.",
      'if [ "$1" = 0 ]; then',
      ...ONCE.map((l) => `  ${l}`),
      "  exit 0",
      "fi",
    );
  }
  const delay = Math.ceil(spec.restartDelayMs / 1000);
  if (backoff) {
    lines.push(
      `# Restart delay, doubled after each restart in a row up to ${
        spec.restartMaxDelayMs! / 1000
      }s (runsv itself waits 1 second);`,
      `# counted in ${RUNIT_BACKOFF_FILE}, which a requested stop removes.`,
      backoffScript({
        stateFile: RUNIT_BACKOFF_FILE,
        delayMs: spec.restartDelayMs,
        maxMs: spec.restartMaxDelayMs!,
        alreadyWaitedMs: 1000,
      }),
      "exit 0",
    );
  } else if (spec.keepAlive !== "false" && delay > 1) {
    lines.push(
      "# Restart delay (runsv itself waits 1 second between starts).",
      `exec sleep ${delay}`,
    );
  } else lines.push("exit 0");
  lines.push("");
  return seal(lines.join("\n"));
}

/** Renders `log/run`: svlogd with timestamps into the service's log directory. */
export function renderRunitLog(spec: ServiceSpec, logDir: string): string {
  const lines = header(spec, `logs: ${logDir}`);
  const user = switchUser(spec);
  lines.push(
    `exec ${user === null ? "" : `chpst -u ${shQuote(user)} `}svlogd -tt ${
      shQuote(logDir)
    }`,
    "",
  );
  return seal(lines.join("\n"));
}

/** Renders the `down` file of a service enabled with `--no-start`. */
export function renderRunitDown(spec: ServiceSpec): string {
  return seal(
    `# ${RUNIT_MARKER_TEXT} (${SEAL_PLACEHOLDER}): runsv does not start "${spec.name}" while this file exists; "autostart start ${spec.name}" removes it.\n`,
  );
}

/** Removes a directory when it is empty; one that holds other files stays (exit 1). */
function rmdirIfEmpty(dir: string): RunStep {
  return {
    kind: "run",
    argv: ["rmdir", "--", dir],
    okCodes: [1],
    title: `remove ${dir} if nothing else is in it`,
  };
}

function sv(args: string[], title: string, extra: Partial<RunStep> = {}) {
  return { kind: "run", argv: ["sv", ...args], title, ...extra } as RunStep;
}

const W = ["-w", String(SV_WAIT_SECONDS)];

/** Paths of one service. */
function paths(ref: ServiceRef, ctx: Context) {
  const dir = `${runitStagingDir(ref.condition, ctx)}/${
    runitServiceName(ref.name)
  }`;
  return {
    dir,
    link: `${runitSvDir(ref.condition, ctx)}/${runitServiceName(ref.name)}`,
    run: `${dir}/run`,
    finish: `${dir}/finish`,
    logRun: `${dir}/log/run`,
    down: `${dir}/down`,
  };
}

const remove = (path: string): Step => ({
  kind: "remove",
  path,
  marker: RUNIT_MARKER_TEXT,
});

/** A runsvdir process: its user and the directory it watches. */
export interface Runsvdir {
  /** Process id. */
  pid: number;
  /** Real user id. */
  uid: number;
  /** Directory argument. */
  dir: string;
}

/** Parses a `/proc/PID/cmdline` of runsvdir (`runsvdir [-P] DIR [log...]`). */
export function parseRunsvdirCmdline(cmdline: string): string | null {
  const argv = cmdline.split("\0").filter((a, i, all) =>
    !(a === "" && i === all.length - 1)
  );
  if (!/(^|\/)runsvdir$/.test(argv[0] ?? "")) return null;
  const rest = argv.slice(1).filter((a) => a !== "-P");
  return rest[0] ?? null;
}

/** The runsvdir processes of this machine, read from `/proc`. */
export async function findRunsvdirs(ctx: Context): Promise<Runsvdir[]> {
  const out: Runsvdir[] = [];
  let entries: string[];
  try {
    entries = await ctx.fs.list("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const cmd = await ctx.fs.readText(`/proc/${e}/cmdline`).catch(() => null);
    if (!cmd || !cmd.includes("runsvdir")) continue;
    const dir = parseRunsvdirCmdline(cmd);
    if (dir === null) continue;
    const st = await ctx.fs.readText(`/proc/${e}/status`).catch(() => null);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(st ?? "")?.[1] ?? NaN);
    out.push({
      pid: Number(e),
      uid,
      dir: dir.replace(/(.)\/+$/, "$1"),
    });
  }
  return out;
}

async function onPath(ctx: Context, program: string): Promise<boolean> {
  for (const d of (ctx.env.PATH ?? "/usr/bin:/bin").split(":")) {
    if (d.startsWith("/") && (await ctx.fs.exists(`${d}/${program}`))) {
      return true;
    }
  }
  return false;
}

/** One service's line of `sv status`, parsed. */
export interface SvStatus {
  /** `run`, `down`, `finish`, or `fail`/`warning` when runsv cannot be asked. */
  state: string;
  /** Process id, when one runs. */
  pid: number | null;
  /** Seconds in this state. */
  seconds: number | null;
  /** The rest of the line: "normally up", "want up", ... */
  flags: string[];
  /** The line itself (service part). */
  text: string;
}

/**
 * Parses the line `sv status DIR` printed for `dir`, e.g.
 * `run: /etc/sv/x: (pid 42) 7s; run: log: (pid 41) 7s` or
 * `fail: /etc/sv/x: runsv not running`.
 */
export function parseSvStatus(output: string, dir: string): SvStatus | null {
  for (const line of output.split("\n")) {
    const m = /^([a-z]+): (.*)$/.exec(line);
    if (!m || !m[2]!.startsWith(`${dir}: `)) continue;
    const body = m[2]!.slice(dir.length + 2).split("; ")[0]!;
    const pid = /\(pid (\d+)\)/.exec(body);
    const secs = /(?:^|\) )(\d+)s\b/.exec(body);
    const flags = body.replace(/^\(pid \d+\) /, "").replace(/^\d+s/, "")
      .split(",").map((s) => s.trim()).filter(Boolean);
    return {
      state: m[1]!,
      pid: pid ? Number(pid[1]) : null,
      seconds: secs ? Number(secs[1]) : null,
      flags,
      text: `${m[1]}: ${body}`,
    };
  }
  return null;
}

/** Maps a parsed `sv status` line to the common state words. */
export function runitState(s: SvStatus | null): ServiceState {
  if (s === null) return "unknown";
  if (s.state === "run") return "running";
  if (s.state === "finish") return "starting";
  if (s.state === "down") {
    return s.flags.includes("want up") ? "starting" : "stopped";
  }
  return "not-loaded";
}

function explain(argv: string[], r: { stderr: string; stdout: string }) {
  const said = `${r.stderr}\n${r.stdout}`;
  if (/unable to open supervise\/ok|runsv not running/.test(said)) {
    return {
      hint:
        "runsv does not supervise this service yet: is runsvdir running on SVDIR? (runsvdir picks up a new service within 5 seconds)",
    };
  }
  if (argv[0] === "ln" && /File exists/.test(said)) {
    return {
      hint: `${
        argv[argv.length - 1]
      } already exists and is not autostart's: move it away, then retry`,
    };
  }
  if (/Permission denied|Operation not permitted/.test(said)) {
    return { hint: "run the same command with sudo" };
  }
  return undefined;
}

/**
 * Why runit cannot honour `--stop-timeout`: runsv has no per-service stop timeout. On
 * `sv down` it sends SIGTERM (then SIGCONT) and waits without end; only the program
 * that stops it chooses a deadline (`sv -w SECONDS force-stop`), and at shutdown that is
 * runit's stage 3, with one wait for every service (runsv(8), sv(8)).
 */
export function stopTimeoutUnsupported(): UnsupportedError {
  return new UnsupportedError(
    "--stop-timeout is not supported by runit: runsv has no per-service stop timeout (sv down waits without end; at shutdown runit's stage 3 gives every service the same wait)",
    "leave out --stop-timeout, or use a driver that supports it (see: autostart drivers)",
  );
}

/**
 * Why a directory taken from the environment (`SVDIR`, `AUTOSTART_RUNIT_SV_DIR`) cannot
 * hold root's boot services, or `null`: root writes run scripts there that runsv runs
 * as root, so it (or, when missing, its nearest existing parent) and every directory
 * above must be owned by root and not writable by group or others.
 */
export async function unsafeEnvDirs(
  condition: Condition,
  ctx: Context,
): Promise<string | null> {
  if (condition !== "boot" || ctx.self.uid !== 0) return null;
  for (const name of ["SVDIR", "AUTOSTART_RUNIT_SV_DIR"]) {
    const value = ctx.env[name];
    if (!value?.startsWith("/")) continue;
    let dir = value.replace(/(.)\/+$/, "$1");
    while (dir !== "/" && !(await ctx.fs.exists(dir))) {
      dir = dir.slice(0, Math.max(dir.lastIndexOf("/"), 1));
    }
    const why = await unsafeForRoot(dir);
    if (why !== null) {
      return `${name}=${value} cannot hold boot services: ${why}, so another user could change what root runs; use a directory only root can write`;
    }
  }
  return null;
}

/** The runit driver. */
export const runitDriver: Driver = {
  id: "runit",
  description:
    "runit services: a run script linked into the directory runsvdir watches (SVDIR)",
  platforms: ["linux"],
  conditions: ["boot", "login"],
  keepAlive: ["false", "on-failure", "always"],
  // --env-file: a 0600 copy read by the run script as the service's user.
  features: ["env-file"],

  async available(ctx: Context, condition?: Condition): Promise<Availability> {
    if (ctx.os !== "linux") {
      return { available: false, reason: "the runit plugin runs on Linux" };
    }
    if (!(await onPath(ctx, "sv"))) {
      return {
        available: false,
        reason:
          "runit is not installed (no sv in PATH; Debian: apt-get install runit)",
      };
    }
    const c = condition ?? "boot";
    const unsafe = await unsafeEnvDirs(c, ctx);
    if (unsafe !== null) return { available: false, reason: unsafe };
    const dir = runitSvDir(c, ctx);
    const all = await findRunsvdirs(ctx);
    const mine = all.filter((p) =>
      p.dir === dir && (c === "boot" || p.uid === ctx.self.uid)
    );
    if (mine.length > 0) return { available: true };
    if (c === "login") {
      return {
        available: false,
        reason:
          `no runsvdir of ${ctx.self.name} watches ${dir}: login services need a per-user runsvdir (e.g. a boot service running "chpst -u ${ctx.self.name} runsvdir ${dir}"), or SVDIR set to the directory it watches`,
      };
    }
    return {
      available: false,
      reason: `no runsvdir watches ${dir}${
        all.length
          ? ` (runsvdir runs on ${all.map((p) => p.dir).join(", ")})`
          : ""
      }: start runit, or set SVDIR to the directory runsvdir watches`,
    };
  },

  plan(spec: ServiceSpec, ctx: Context, prior?: PriorState): Plan {
    if (spec.stopTimeoutMs !== undefined) throw stopTimeoutUnsupported();
    requireRoot(spec.condition, ctx, "Installing");
    const p = paths(spec, ctx);
    const logDir = runitLogDir(spec, ctx);
    const owner = switchUser(spec) !== null && spec.runAs
      ? { owner: { uid: spec.runAs.uid, gid: spec.runAs.gid } }
      : {};
    const envFile = spec.envFile === undefined
      ? undefined
      : envCopyPath(spec, ctx);
    const file = (path: string, content: string, mode = 0o755): Step => ({
      kind: "write",
      path,
      content,
      mode,
      marker: RUNIT_MARKER_TEXT,
    });
    // svlogd runs as the service's user (chpst -u) in a directory of its own; every
    // directory above it stays root's (checked for boot services, where root creates it).
    const secure = spec.condition === "boot" ? { secure: true } : {};
    const steps: Step[] = [
      { kind: "mkdir", path: `${p.dir}/log`, mode: 0o755 },
      { kind: "mkdir", path: logDir, mode: 0o755, ...owner, ...secure },
      file(
        p.run,
        renderRunitRun(spec, envFile === undefined ? {} : { envFile }),
      ),
      file(p.finish, renderRunitFinish(spec)),
      file(p.logRun, renderRunitLog(spec, logDir)),
      // The env file's values: a 0600 copy owned by the user the program runs as,
      // who reads it after chpst switched to them.
      ...envCopySteps(spec, ctx, owner.owner),
      ...(prior !== undefined && envFile === undefined
        ? [envCopyRemoveStep(spec, ctx)]
        : []),
      spec.start ? remove(p.down) : file(p.down, renderRunitDown(spec), 0o644),
    ];
    const afterRollback: NonNullable<Plan["afterRollback"]> = [];
    const notes: string[] = envFile === undefined ? [] : envFileNote(
      spec,
      `${envFile} (mode 0600, read by the run script at each start)`,
    );
    if (!prior?.enabled && !prior?.running) {
      // runsvdir starts a runsv for the link within 5 seconds; without a down file
      // runsv starts the service right away.
      steps.push({
        kind: "run",
        argv: ["ln", "-s", p.dir, p.link],
        title: "link the service into the runsvdir directory",
        undo: ["rm", "-f", p.link],
      });
      notes.push(
        spec.start
          ? "runsvdir starts it within 5 seconds."
          : `runit will not start "${spec.name}" (not at boot either) until: autostart start ${spec.name}`,
      );
    } else {
      if (!prior.enabled) {
        steps.push({
          kind: "run",
          argv: ["ln", "-sfn", p.dir, p.link],
          title: "link the service into the runsvdir directory",
        });
      }
      if (spec.start && prior.running) {
        // Stop (waiting for finish), then up: the new run script starts.
        steps.push(
          sv([...W, "force-stop", p.dir], "stop the old version"),
          sv(["up", p.dir], "start the service"),
        );
      } else if (spec.start) {
        // Not running: up. When runsvdir has not picked the service up yet, sv cannot
        // reach it, and runsv starts the new version when it does.
        steps.push(
          sv(["up", p.dir], "start the service", { ignoreFailure: true }),
        );
      }
      if (prior.running) afterRollback.push({ argv: ["sv", "up", p.dir] });
    }
    return {
      driver: "runit",
      service: spec.name,
      steps,
      ...(afterRollback.length ? { afterRollback } : {}),
      ...(notes.length ? { notes } : {}),
    };
  },

  planDisable(
    ref: ServiceRef,
    ctx: Context,
    options: { keepFiles?: boolean; prior?: PriorState } = {},
  ): Plan {
    requireRoot(ref.condition, ctx, "Removing");
    const p = paths(ref, ctx);
    const prior = options.prior ?? { enabled: true, running: true };
    // Unlink first so runsvdir does not start a new runsv, then make runsv stop the
    // service and exit (waiting, killing it after the timeout).
    const steps: Step[] = [
      {
        kind: "run",
        argv: ["rm", "-f", p.link],
        title: "unlink the service from the runsvdir directory",
        ...(prior.enabled ? { undo: ["ln", "-sfn", p.dir, p.link] } : {}),
      },
      sv(
        [...W, "force-shutdown", p.dir],
        "stop the service and its runsv",
        prior.running ? {} : { ignoreFailure: true },
      ),
    ];
    if (!options.keepFiles) {
      // Only what autostart wrote, and runsv's state of this service: a backup or a
      // file of the user's in the service directory stays, and so does the directory.
      steps.push(
        remove(p.run),
        remove(p.finish),
        remove(p.logRun),
        remove(p.down),
        envCopyRemoveStep(ref, ctx),
        {
          kind: "run",
          argv: [
            "rm",
            "-rf",
            "--",
            `${p.dir}/supervise`,
            `${p.dir}/log/supervise`,
          ],
          title: "remove the runsv state of the service",
        },
        rmdirIfEmpty(`${p.dir}/log`),
        rmdirIfEmpty(p.dir),
      );
    }
    return {
      driver: "runit",
      service: ref.name,
      steps,
      ...(prior.running
        ? { afterRollback: [{ argv: ["sv", "up", p.dir] }] }
        : {}),
    };
  },

  planControl(ref: ServiceRef, action: ControlAction, ctx: Context): Plan {
    requireRoot(
      ref.condition,
      ctx,
      action === "stop" ? "Stopping" : "Starting",
    );
    const p = paths(ref, ctx);
    const steps: Step[] = [];
    if (action === "stop") {
      steps.push(sv([...W, "force-stop", p.dir], "stop the service"));
    } else {
      steps.push(remove(p.down));
      if (action === "restart") {
        steps.push(sv([...W, "force-stop", p.dir], "stop the service"));
      }
      steps.push(sv(["up", p.dir], "start the service"));
    }
    return { driver: "runit", service: ref.name, steps };
  },

  async status(
    condition: Condition,
    ctx: Context,
    names?: string[],
  ): Promise<ServiceStatus[]> {
    const staging = runitStagingDir(condition, ctx);
    const found: {
      name: string;
      dir: string;
      file: string;
      drifted: boolean;
      enabled: boolean;
    }[] = [];
    for (const entry of await ctx.fs.list(staging)) {
      const m = /^autostart-(.+)$/.exec(entry);
      if (!m || (names && !names.includes(m[1]!))) continue;
      const ref = { name: m[1]!, condition };
      const p = paths(ref, ctx);
      const run = await ctx.fs.readText(p.run).catch(() => null);
      if (run === null || ownershipOf(run, RUNIT_MARKER_TEXT) === "foreign") {
        continue;
      }
      // SVDIR and AUTOSTART_RUNIT_SV_DIR may serve both conditions: the run script
      // says which one a service belongs to.
      const said = /starts at (boot|login)\b/.exec(run)?.[1];
      if (said !== undefined && said !== condition) continue;
      const files = await Promise.all(
        [p.finish, p.logRun].map((f) => ctx.fs.readText(f).catch(() => null)),
      );
      found.push({
        name: ref.name,
        dir: p.dir,
        file: p.run,
        drifted: [run, ...files].some((t) =>
          t !== null && checkSeal(t) === "drifted"
        ),
        enabled: (await ctx.fs.exists(p.link)) &&
          !(await ctx.fs.exists(p.down)),
      });
    }
    if (found.length === 0) return [];
    const r = await ctx.runner.run([
      "sv",
      "status",
      ...found.map((f) => f.dir),
    ]);
    const now = Date.now();
    return found.map((f) => {
      const s = parseSvStatus(r.stdout, f.dir);
      const state = r.code === 127 ? "unknown" : runitState(s);
      const detail = [
        s?.text ?? (r.stderr.trim() || `sv status exited with code ${r.code}`),
        f.enabled ? "" : "not linked into the runsvdir directory, or down",
        f.drifted ? "a file was edited by hand since autostart wrote it" : "",
      ].filter(Boolean).join(", ");
      return {
        name: f.name,
        driver: "runit",
        condition,
        unit: runitServiceName(f.name),
        file: f.file,
        state,
        enabled: f.enabled,
        pid: state === "running" ? s?.pid ?? null : null,
        restarts: null,
        lastExit: null,
        since: s?.seconds != null
          ? new Date(now - s.seconds * 1000).toISOString()
          : null,
        detail,
        drifted: f.drifted,
      };
    });
  },

  async readBack(ref: ServiceRef, ctx: Context): Promise<ReadBack | null> {
    const p = paths(ref, ctx);
    const run = await ctx.fs.readText(p.run).catch(() => null);
    if (run === null || !run.includes(RUNIT_MARKER_TEXT)) return null;
    const [finish, logRun] = await Promise.all(
      [p.finish, p.logRun].map((f) => ctx.fs.readText(f).catch(() => null)),
    );
    const defaultLog = runitLogDir(
      { name: ref.name, condition: ref.condition },
      ctx,
    );
    const fields = readRunitFiles(
      { run, finish: finish ?? null, logRun: logRun ?? null },
      defaultLog,
      await ctx.fs.exists(p.down),
    );
    return { driver: "runit", file: p.run, content: run, fields };
  },

  async *logs(
    ref: ServiceRef,
    options: LogOptions,
    ctx: Context,
  ): AsyncIterable<string> {
    const p = paths(ref, ctx);
    const logRun = await ctx.fs.readText(p.logRun);
    const dir = /^# logs: (.*)$/m.exec(logRun ?? "")?.[1];
    if (dir === undefined) {
      throw new UsageError(
        `"${ref.name}" has no runit log service (no ${p.logRun})`,
      );
    }
    const file = `${dir}/current`;
    let text = (await ctx.fs.readText(file)) ?? "";
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const l of lines.slice(-options.lines)) yield l;
    while (options.follow) {
      await new Promise((r) => setTimeout(r, 500));
      const next = (await ctx.fs.readText(file)) ?? "";
      // svlogd rotates `current` away: start again from the new file.
      const added = next.startsWith(text) ? next.slice(text.length) : next;
      text = next;
      for (const l of added.split("\n").filter(Boolean)) yield l;
    }
  },

  explain,
};

export default runitDriver;

/**
 * Reads back the fields of a service from the files {@link renderRunitRun},
 * {@link renderRunitFinish}, {@link renderRunitLog} and {@link renderRunitDown} wrote
 * (the inverse of the renderers; the restart delay as `finish` keeps it, in whole
 * seconds, 1 s being runsv's own pause). `defaultLogDir` is the log directory of the
 * service without `--log-dir` ({@link runitLogDir}).
 */
export function readRunitFiles(
  files: { run: string; finish: string | null; logRun: string | null },
  defaultLogDir: string,
  down: boolean,
): ServiceFields {
  const head =
    /runit service "autostart-(.+)": starts at (boot|login), keep-alive ([a-z-]+)\./
      .exec(files.run);
  const f: ServiceFields = {
    name: head?.[1] ?? "",
    program: "",
    args: [],
    condition: head?.[2] === "boot" ? "boot" : "login",
    keepAlive: (head?.[3] ?? "false") as ServiceFields["keepAlive"],
    env: [],
    restartDelayMs: 1000,
  };
  for (const words of shStatements(files.run)) {
    const [w0, w1] = words;
    if (w0 === "cd" && w1 !== undefined) f.cwd = w1;
    else if (w0 === "." && w1 !== undefined) f.envFile = w1;
    else if (w0 === "export" && w1 !== undefined) {
      const i = w1.indexOf("=");
      f.env.push([w1.slice(0, i), w1.slice(i + 1)]);
    } else if (w0 === "exec" && w1 !== "2>&1") {
      let cmd = w1 === "$1" ? words.slice(4) : words.slice(1);
      if (w1 === "$1") f.user = (words[3] ?? "").split(":")[0]!;
      // Another user's service: its environment is set by `/bin/sh -c SCRIPT`.
      if (w1 === "$1" && cmd[0] === "/bin/sh" && cmd[1] === "-c") {
        for (const [i0, i1] of shStatements(cmd[2] ?? "")) {
          if (i0 === "." && i1 !== undefined) f.envFile = i1;
          if (i0 !== "export" || i1 === undefined) continue;
          const i = i1.indexOf("=");
          f.env.push([i1.slice(0, i), i1.slice(i + 1)]);
        }
        cmd = cmd.slice(3);
      }
      f.program = cmd[0] ?? "";
      f.args = cmd.slice(1);
    }
  }
  if (f.condition === "boot" && f.user === undefined) f.user = "root";
  const sleep = /^exec sleep (\d+)$/m.exec(files.finish ?? "");
  if (sleep) f.restartDelayMs = Number(sleep[1]) * 1000;
  // With a crash-loop backoff, the delay is where the doubling starts.
  const backoff = /\bd=(\d+); i=\d+/.exec(files.finish ?? "");
  if (backoff) f.restartDelayMs = Number(backoff[1]);
  // The cap of the backoff; without one, restarts keep the delay.
  const cap = /\[ \$d -lt (\d+) \]/.exec(files.finish ?? "");
  f.restartMaxDelayMs = cap ? Number(cap[1]) : f.restartDelayMs;
  const logs = /^# logs: (.*)$/m.exec(files.logRun ?? "")?.[1];
  if (logs !== undefined && logs !== defaultLogDir) {
    f.logDir = logs.slice(0, logs.lastIndexOf("/"));
  }
  if (down) f.start = false;
  return f;
}
