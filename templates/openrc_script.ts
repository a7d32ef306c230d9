/**
 * Pure renderer of the OpenRC init script of a boot service, `/etc/init.d/autostart-NAME`
 * ({@link renderOpenrcScript}), and its reader ({@link readOpenrcScript}). Values that
 * openrc-run evaluates are quoted by templates/openrc_eval.ts; the eval round trip is
 * run in a real sh by `templates/openrc_script_test.ts`.
 *
 * Keep-alive: `always` runs the program under `supervise-daemon`, which restarts it
 * whenever it exits (`respawn_delay` from the restart delay, `respawn_max=0`: never give
 * up). `false` starts it once in the background with `start-stop-daemon`.
 * `--stop-timeout` becomes `retry="TERM/SECONDS/KILL/5"`, which both supervise-daemon
 * and start-stop-daemon follow on every stop (OpenRC sh/supervise-daemon.sh,
 * sh/start-stop-daemon.sh), shutdown included.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import { MARKER_TEXT, markerNote } from "../core/kit/marker.ts";
import { shQuote } from "../core/kit/sh_quote.ts";
import { type ServiceFields, shStatements } from "../core/read_back.ts";
import { seal } from "../core/seal.ts";
import type { ServiceSpec } from "../core/spec.ts";
import {
  checkEvalWord,
  dqQuote,
  openrcValue,
  readOpenrcValue,
} from "./openrc_eval.ts";

/** Text that must be in an existing script for autostart to overwrite or remove it. */
export const OPENRC_MARKER_TEXT: string = MARKER_TEXT;

/** Service name of a service: `autostart-NAME`. */
export function openrcServiceName(name: string): string {
  return `autostart-${name}`;
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
 * import { renderOpenrcScript } from "./openrc_script.ts";
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
