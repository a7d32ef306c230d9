/**
 * OpenRC driver (a plugin compiled into autostart): boot services only, as
 * `/etc/init.d/autostart-NAME`, added to the `default` runlevel with `rc-update` and
 * controlled with `rc-service`. Status comes from one `rc-status --all`.
 *
 * Keep-alive: `always` runs the program under `supervise-daemon`, which restarts it
 * whenever it exits (`respawn_delay` from the restart delay, `respawn_max=0`: never give
 * up). `false` starts it once in the background with `start-stop-daemon`.
 * `on-failure` is declined: supervise-daemon restarts a program whatever its exit code,
 * so a clean exit could not be told apart; selection then names the drivers that can.
 * `--stop-timeout` becomes `retry="TERM/SECONDS/KILL/5"`, which both supervise-daemon
 * and start-stop-daemon follow on every stop (OpenRC sh/supervise-daemon.sh,
 * sh/start-stop-daemon.sh), shutdown included.
 *
 * openrc-run passes `command`, `command_args`, `command_user`, `directory` and the log
 * paths through `eval`, so each value holds words quoted for sh (and the assignment is
 * quoted again): {@link openrcValue}.
 *
 * @module
 */

import { wantsBackoff } from "../templates/backoff_sh.ts";
import {
  MARKER_TEXT,
  markerNote,
  requireRoot,
  shQuote,
} from "../core/plugins.ts";
import type { Context } from "../core/context.ts";
import type {
  Availability,
  ControlAction,
  Driver,
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
import { UsageError } from "../core/errors.ts";
import type { Plan, RunStep, Step } from "../core/plan.ts";
import { ownershipOf } from "../core/ownership.ts";
import { checkSeal, seal } from "../core/seal.ts";
import {
  type ReadBack,
  type ServiceFields,
  shStatements,
} from "../core/read_back.ts";
import type { Condition, ServiceSpec } from "../core/spec.ts";

/** Text that must be in an existing script for autostart to overwrite or remove it. */
export const OPENRC_MARKER_TEXT = MARKER_TEXT;

/** Directory of init scripts. */
export const INIT_DIR = "/etc/init.d";

/** Service name of a service: `autostart-NAME`. */
export function openrcServiceName(name: string): string {
  return `autostart-${name}`;
}

/** Quotes text for a double-quoted sh assignment (`\`, `"`, `$` and backquote escaped). */
export function dqQuote(text: string): string {
  return `"${text.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * Quotes one word for openrc-run's `eval $command_args`: the value is word-split (and
 * then joined with single spaces) before `eval` parses it, so it must hold no run of
 * whitespace. Every ASCII character other than letters, digits and `_./,:@+-` gets a
 * backslash, a space becomes `' '` (so no two spaces ever touch), the empty word is
 * `''`. Tabs and newlines cannot survive the splitting and are refused by the driver
 * ({@link checkEvalWord}).
 */
export function evalWord(word: string): string {
  if (word === "") return "''";
  return word.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x7f]/g,
    (c) =>
      c === " "
        ? "' '" // never a bare space: it would merge with a separator
        : /[A-Za-z0-9_.\/,:@+-]/.test(c)
        ? c
        : `\\${c}`,
  );
}

/** Refuses what openrc-run's eval cannot pass exactly: a tab or a newline. */
export function checkEvalWord(what: string, word: string): string {
  if (/[\t\n]/.test(word)) {
    throw new UsageError(
      `Invalid ${what} for OpenRC: it contains a tab or a newline, which openrc-run's eval cannot pass exactly`,
      "pass the value through a file or an environment variable (--env), or use another driver",
    );
  }
  return word;
}

/**
 * The right-hand side of an assignment that openrc-run later `eval`s: each word quoted
 * with {@link evalWord}, then the whole quoted again for the assignment.
 *
 * @example Usage
 * ```ts
 * import { openrcValue } from "./openrc.ts";
 * console.assert(openrcValue(["a b", "it's"]) === `"a' 'b it\\\\'s"`);
 * ```
 */
export function openrcValue(words: string[]): string {
  return dqQuote(words.map(evalWord).join(" "));
}

/**
 * The `retry` schedule of a stop timeout: `TERM/SECONDS/KILL/5` (whole seconds, rounded
 * up). openrc-run hands it to `supervise-daemon --retry` (keep-alive always) and to
 * `start-stop-daemon --stop --retry` (otherwise): SIGTERM, wait, SIGKILL, wait.
 */
export function openrcRetry(stopTimeoutMs: number): string {
  return `TERM/${Math.max(1, Math.ceil(stopTimeoutMs / 1000))}/KILL/5`;
}

/**
 * Log file of a service: `--log-dir/NAME.log`, by default in a directory of its own,
 * `/var/log/autostart/NAME/NAME.log`. start-stop-daemon and supervise-daemon open
 * `output_log` after switching to `command_user` (OpenRC src/start-stop-daemon,
 * src/supervise-daemon: setuid, then open), so that directory is the service user's
 * while the shared `/var/log/autostart` above it stays root's.
 */
export function openrcLogFile(
  spec: Pick<ServiceSpec, "name" | "logDir">,
): string {
  return `${spec.logDir ?? `/var/log/autostart/${spec.name}`}/${spec.name}.log`;
}

/**
 * Renders the init script of a service.
 *
 * @example Usage
 * ```ts
 * import { renderOpenrcScript } from "./openrc.ts";
 * const text = renderOpenrcScript({
 *   name: "web", program: "/usr/bin/python3", args: ["-m", "http.server"],
 *   condition: "boot", keepAlive: "always", env: [], restartDelayMs: 2000, start: true,
 * });
 * console.assert(text.includes("supervisor=supervise-daemon"));
 * ```
 */
export function renderOpenrcScript(
  spec: ServiceSpec,
  options: { envFile?: string } = {},
): string {
  checkEvalWord("program", spec.program);
  spec.args.forEach((a, i) => checkEvalWord(`argument ${i + 1}`, a));
  const switchUser = spec.runAs !== undefined && spec.runAs.uid !== 0;
  const sourced = options.envFile === undefined
    ? []
    : ["set -a", `. ${shQuote(options.envFile)}`, "set +a"];
  const exports = spec.env.map(([k, v]) => `export ${k}=${shQuote(v)}`);
  // A service of another user gets its environment from a shell that runs as that user
  // (command_user), never through openrc-run and supervise-daemon, which run as root.
  const wrapped = switchUser && sourced.length + exports.length > 0;
  for (const [k, v] of wrapped ? spec.env : []) {
    if (/[\t\n]/.test(v)) {
      throw new UsageError(
        `Invalid value of ${k} for OpenRC: it contains a tab or a newline, and a service of another user gets its --env values through openrc-run's eval, which cannot pass them exactly`,
        "put the variable in a file and pass --env-file FILE (read by the service's user, any value)",
      );
    }
  }
  const command = wrapped
    ? [
      "/bin/sh",
      "-c",
      [...sourced, ...exports, 'exec "$0" "$@"'].join("; "),
      spec.program,
      ...spec.args,
    ]
    : [spec.program, ...spec.args];
  if (spec.cwd !== undefined) checkEvalWord("--cwd", spec.cwd);
  const log = openrcLogFile(spec);
  const lines = [
    "#!/sbin/openrc-run",
    `# ${markerNote(`autostart enable ${spec.name}`)}`,
    "# openrc-run evaluates these values with eval: each holds words quoted for sh.",
    "",
    `description=${dqQuote(`autostart: ${spec.name}`)}`,
  ];
  if (spec.keepAlive === "always") {
    lines.push(
      "supervisor=supervise-daemon",
      `respawn_delay=${Math.max(1, Math.ceil(spec.restartDelayMs / 1000))}`,
      "# Never give up restarting: a crash loop must not end in a dead service.",
      "respawn_max=0",
    );
  } else {
    lines.push(
      "# Keep-alive false: started once in the background, never restarted.",
      "command_background=yes",
      `pidfile=${dqQuote(`/run/${openrcServiceName(spec.name)}.pid`)}`,
    );
  }
  if (spec.stopTimeoutMs !== undefined) {
    lines.push(
      "# Stop (--stop-timeout): SIGTERM, wait for the program to exit, then SIGKILL.",
      `retry=${dqQuote(openrcRetry(spec.stopTimeoutMs))}`,
    );
  }
  lines.push(`command=${openrcValue([command[0]!])}`);
  if (command.length > 1) {
    lines.push(`command_args=${openrcValue(command.slice(1))}`);
  }
  if (spec.runAs && spec.runAs.uid !== 0) {
    lines.push(
      `command_user=${openrcValue([`${spec.runAs.name}:${spec.runAs.group}`])}`,
    );
  }
  if (spec.cwd !== undefined) {
    lines.push(`directory=${openrcValue([spec.cwd])}`);
  }
  lines.push(
    `output_log=${openrcValue([log])}`,
    `error_log=${openrcValue([log])}`,
  );
  if (!wrapped && sourced.length + exports.length > 0) {
    lines.push(
      "",
      "# Environment of the program (it runs as root, like this script).",
    );
    lines.push(...sourced, ...exports);
  }
  lines.push("", "depend() {", "\tuse net", "}", "");
  return seal(lines.join("\n"));
}

function requireBoot(condition: Condition) {
  if (condition !== "boot") {
    throw new UsageError(
      "The OpenRC driver serves boot services only",
      "use --condition=boot",
    );
  }
}

function cmd(argv: string[], title: string, extra: Partial<RunStep> = {}) {
  return { kind: "run", argv, title, ...extra } as RunStep;
}

/**
 * Parses `rc-status --all` (colours off): for each service, its state word and whether
 * it is in the `default` runlevel.
 */
export function parseRcStatus(
  text: string,
): Map<string, { state: string; runlevels: string[] }> {
  const out = new Map<string, { state: string; runlevels: string[] }>();
  let level = "";
  for (const line of text.split("\n")) {
    const h = /^(?:Dynamic )?Runlevel: (\S+)/.exec(line);
    if (h) {
      level = h[1]!;
      continue;
    }
    const m = /^\s+(\S+)\s+\[\s*([a-z ]+?)\s*\]/.exec(line);
    if (!m) continue;
    const e = out.get(m[1]!) ?? { state: m[2]!, runlevels: [] };
    e.runlevels.push(level);
    out.set(m[1]!, e);
  }
  return out;
}

/** Maps an OpenRC state word to the common state words. */
export function openrcState(word: string | undefined): ServiceState {
  switch (word) {
    case "started":
      return "running";
    case "starting":
    case "inactive":
      return "starting";
    case "stopped":
    case "stopping":
      return "stopped";
    case "crashed":
    case "failed":
      return "failed";
    case undefined:
      return "not-loaded";
    default:
      return "unknown";
  }
}

/** The OpenRC driver. */
export const openrcDriver: Driver = {
  id: "openrc",
  description:
    "OpenRC init scripts (supervise-daemon) in /etc/init.d, default runlevel",
  platforms: ["linux"],
  conditions: ["boot"],
  keepAlive: ["false", "always"],
  // --stop-timeout is the script's `retry` schedule.
  features: ["stop-timeout", "env-file"],

  async available(ctx: Context): Promise<Availability> {
    if (ctx.os !== "linux") {
      return { available: false, reason: "the OpenRC plugin runs on Linux" };
    }
    if (!(await ctx.fs.exists("/run/openrc/softlevel"))) {
      return {
        available: false,
        reason: "OpenRC is not running here (no /run/openrc/softlevel)",
      };
    }
    return { available: true };
  },

  plan(spec: ServiceSpec, ctx: Context, prior?: PriorState): Plan {
    requireBoot(spec.condition);
    requireRoot("boot", ctx, "Installing");
    const svc = openrcServiceName(spec.name);
    const envFile = spec.envFile === undefined
      ? undefined
      : envCopyPath(spec, ctx);
    const log = openrcLogFile(spec);
    const logDir = log.slice(0, log.lastIndexOf("/"));
    const steps: Step[] = [
      { kind: "mkdir", path: INIT_DIR },
      {
        kind: "mkdir",
        path: logDir,
        ...(spec.runAs && spec.runAs.uid !== 0
          ? { owner: { uid: spec.runAs.uid, gid: spec.runAs.gid } }
          : {}),
        // Every directory above it stays root's: root creates it.
        secure: true,
      },
      {
        kind: "write",
        path: `${INIT_DIR}/${svc}`,
        content: renderOpenrcScript(
          spec,
          envFile === undefined ? {} : { envFile },
        ),
        mode: 0o755,
        marker: OPENRC_MARKER_TEXT,
      },
      // The env file's values: a 0600 copy owned by the user the program runs as.
      ...envCopySteps(
        spec,
        ctx,
        spec.runAs && spec.runAs.uid !== 0
          ? { uid: spec.runAs.uid, gid: spec.runAs.gid }
          : undefined,
      ),
      ...(prior !== undefined && envFile === undefined
        ? [envCopyRemoveStep(spec, ctx)]
        : []),
      cmd(
        ["rc-update", "add", svc, "default"],
        "add the service to the default runlevel",
        prior?.enabled ? {} : { undo: ["rc-update", "del", svc, "default"] },
      ),
    ];
    if (spec.start) {
      steps.push(
        cmd(
          ["rc-service", svc, "restart"],
          "start the service",
          prior?.running ? {} : { undo: ["rc-service", svc, "stop"] },
        ),
      );
    }
    const notes = envFile === undefined ? [] : envFileNote(
      spec,
      `${envFile} (mode 0600, read by the init script at each start)`,
    );
    return {
      driver: "openrc",
      service: spec.name,
      steps,
      ...(notes.length ? { notes } : {}),
      ...(prior?.running
        ? { afterRollback: [{ argv: ["rc-service", svc, "restart"] }] }
        : {}),
      // supervise-daemon has a fixed respawn_delay: say so rather than drop the cap.
      ...(wantsBackoff(spec)
        ? {
          notes: [
            `OpenRC's supervise-daemon has no backoff: "${spec.name}" is restarted every ${
              Math.max(1, Math.ceil(spec.restartDelayMs / 1000))
            }s (respawn_delay) however long it keeps crashing; --restart-max-delay has no effect here`,
          ],
        }
        : {}),
    };
  },

  planDisable(
    ref: ServiceRef,
    ctx: Context,
    options: { keepFiles?: boolean; prior?: PriorState } = {},
  ): Plan {
    requireBoot(ref.condition);
    requireRoot("boot", ctx, "Removing");
    const svc = openrcServiceName(ref.name);
    const prior = options.prior ?? { enabled: true, running: true };
    const steps: Step[] = [
      cmd(
        ["rc-update", "del", svc, "default"],
        "remove the service from the default runlevel",
        prior.enabled
          ? { undo: ["rc-update", "add", svc, "default"] }
          : { ignoreFailure: true },
      ),
      cmd(
        ["rc-service", svc, "stop"],
        "stop the service",
        prior.running
          ? { undo: ["rc-service", svc, "start"] }
          : { ignoreFailure: true },
      ),
    ];
    if (!options.keepFiles) {
      steps.push({
        kind: "remove",
        path: `${INIT_DIR}/${svc}`,
        marker: OPENRC_MARKER_TEXT,
      }, envCopyRemoveStep(ref, ctx));
    }
    return { driver: "openrc", service: ref.name, steps };
  },

  planControl(ref: ServiceRef, action: ControlAction, ctx: Context): Plan {
    requireBoot(ref.condition);
    requireRoot("boot", ctx, action === "stop" ? "Stopping" : "Starting");
    const svc = openrcServiceName(ref.name);
    return {
      driver: "openrc",
      service: ref.name,
      steps: [cmd(["rc-service", svc, action], `${action} the service`)],
    };
  },

  async readBack(ref: ServiceRef, ctx: Context): Promise<ReadBack | null> {
    if (ref.condition !== "boot") return null;
    const file = `${INIT_DIR}/${openrcServiceName(ref.name)}`;
    const content = await ctx.fs.readText(file).catch(() => null);
    if (content === null || !content.includes(OPENRC_MARKER_TEXT)) return null;
    return {
      driver: "openrc",
      file,
      content,
      fields: readOpenrcScript(content),
    };
  },

  async status(
    condition: Condition,
    ctx: Context,
    names?: string[],
  ): Promise<ServiceStatus[]> {
    if (condition !== "boot") return [];
    const found: { name: string; file: string; drifted: boolean }[] = [];
    for (const f of await ctx.fs.list(INIT_DIR)) {
      const m = /^autostart-(.+)$/.exec(f);
      if (!m || (names && !names.includes(m[1]!))) continue;
      const text = await ctx.fs.readText(`${INIT_DIR}/${f}`).catch(() => null);
      if (
        text === null || ownershipOf(text, OPENRC_MARKER_TEXT) === "foreign"
      ) {
        continue;
      }
      found.push({
        name: m[1]!,
        file: `${INIT_DIR}/${f}`,
        drifted: checkSeal(text) === "drifted",
      });
    }
    if (found.length === 0) return [];
    const r = await ctx.runner.run(["rc-status", "--all"], {
      env: { EINFO_COLOR: "NO" },
    });
    const states = r.code === 0 ? parseRcStatus(r.stdout) : null;
    return found.map((f) => {
      const e = states?.get(openrcServiceName(f.name));
      return {
        name: f.name,
        driver: "openrc",
        condition,
        unit: openrcServiceName(f.name),
        file: f.file,
        state: states === null ? "unknown" : openrcState(e?.state),
        enabled: states === null ? null : e?.runlevels.includes("default") ??
          false,
        pid: null,
        restarts: null,
        lastExit: null,
        since: null,
        detail: [
          states === null
            ? `rc-status failed: ${r.stderr.trim()}`
            : e?.state ?? "not in any runlevel",
          f.drifted
            ? "init script edited by hand since autostart wrote it"
            : "",
        ].filter(Boolean).join(", "),
        drifted: f.drifted,
      };
    });
  },

  explain(argv, r) {
    if (/Permission denied|must be root/i.test(r.stderr)) {
      return { hint: "run the same command with sudo" };
    }
    if (argv[0] === "rc-service" && /does not exist/.test(r.stderr)) {
      return { hint: "see `autostart status` for the services that exist" };
    }
    return undefined;
  },
};

export default openrcDriver;

/** The words of an assignment value written by {@link openrcValue} (its inverse). */
export function readOpenrcValue(value: string): string[] {
  const inner = value.replace(/^"|"$/g, "").replace(/\\([\\"$`])/g, "$1");
  const words: string[] = [];
  let w = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (inner.startsWith("' '", i)) {
      w += " ";
      i += 2;
    } else if (inner.startsWith("''", i)) i++;
    else if (c === "\\") w += inner[++i] ?? "";
    else if (c === " ") {
      words.push(w);
      w = "";
    } else w += c;
  }
  words.push(w);
  return words;
}

/**
 * Reads back the fields of a service from the script {@link renderOpenrcScript} wrote
 * (its inverse; the restart delay is kept in whole seconds by `respawn_delay`).
 */
export function readOpenrcScript(text: string): ServiceFields {
  const f: ServiceFields = {
    name: "",
    program: "",
    args: [],
    condition: "boot",
    keepAlive: "false",
    env: [],
    restartDelayMs: 2000,
  };
  const value = (key: string) => {
    const m = new RegExp(`^${key}=([^\\n]*)$`, "m").exec(text);
    return m ? readOpenrcValue(m[1]!) : undefined;
  };
  f.name = (value("description")?.join(" ") ?? "").replace(/^autostart: /, "");
  if (/^supervisor=supervise-daemon$/m.test(text)) f.keepAlive = "always";
  const retry = /^retry="TERM\/(\d+)\/KILL\/5"$/m.exec(text);
  if (retry) f.stopTimeoutMs = Number(retry[1]) * 1000;
  const delay = /^respawn_delay=(\d+)$/m.exec(text);
  if (delay) f.restartDelayMs = Number(delay[1]) * 1000;
  f.program = value("command")?.[0] ?? "";
  f.args = value("command_args") ?? [];
  // Another user's service: its environment is set by `/bin/sh -c SCRIPT`.
  if (f.program === "/bin/sh" && f.args[0] === "-c" && f.args.length >= 3) {
    // One line: `export K='v'; ... exec "$0" "$@"`; each assignment ends in one `;`.
    const words = shStatements(f.args[1]!).flat();
    words.forEach((w, i) => {
      const a = words[i + 1];
      if (w === "." && a !== undefined) f.envFile = a.replace(/;$/, "");
      if (w !== "export" || a === undefined) return;
      const kv = a.replace(/;$/, "");
      f.env.push([kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]);
    });
    f.program = f.args[2]!;
    f.args = f.args.slice(3);
  }
  f.user = (value("command_user")?.[0] ?? "root").split(":")[0]!;
  const cwd = value("directory")?.[0];
  if (cwd !== undefined) f.cwd = cwd;
  const log = value("output_log")?.[0];
  if (log !== undefined && log !== openrcLogFile({ name: f.name })) {
    f.logDir = log.slice(0, log.lastIndexOf("/"));
  }
  const env = text.indexOf("\n# Environment of the program");
  if (env >= 0) {
    const part = text.slice(env, text.lastIndexOf("\ndepend() {"));
    for (const [w0, w1] of shStatements(part)) {
      if (w0 === "." && w1 !== undefined) f.envFile = w1;
      if (w0 !== "export" || w1 === undefined) continue;
      const i = w1.indexOf("=");
      f.env.push([w1.slice(0, i), w1.slice(i + 1)]);
    }
  }
  return f;
}
