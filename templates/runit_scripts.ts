/**
 * Pure renderers of the files of a runit service directory for a {@link ServiceSpec}
 * (`run`, `finish`, `log/run`, `down`), and {@link readRunitFiles}, their reader. Every
 * user string is quoted for sh with the kit's `shQuote` (core/kit/sh_quote.ts); `templates/runit_scripts_test.ts`
 * runs the scripts in a real sh and compares them with golden files.
 *
 * Keep-alive under runit, which restarts every service that exits while it is wanted up:
 * - `always`: runit's own behaviour; `finish` sleeps the restart delay, doubled after
 *   each restart in a row up to `--restart-max-delay` (crash-loop backoff).
 * - `on-failure`: `finish` receives the exit code; on a clean exit (0) it tells runsv
 *   "once" (`o` on `supervise/control`), so the service stays down until started again.
 * - `false`: `run` tells runsv "once" before it starts the program: it runs once when
 *   runsv starts (at boot or login) and is never restarted.
 *
 * @module
 */

import { MARKER_TEXT, markerNote } from "../core/kit/marker.ts";
import { shQuote } from "../core/kit/sh_quote.ts";
import { type ServiceFields, shStatements } from "../core/read_back.ts";
import { seal, SEAL_PLACEHOLDER } from "../core/seal.ts";
import type { ServiceSpec } from "../core/spec.ts";
import { backoffScript, wantsBackoff } from "./backoff_sh.ts";

/** Text that must be in an existing file for autostart to overwrite or remove it. */
export const RUNIT_MARKER_TEXT: string = MARKER_TEXT;

/** Directory name of a service: `autostart-NAME`. */
export function runitServiceName(name: string): string {
  return `autostart-${name}`;
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

/**
 * The account a boot service switches to with chpst (`USER:GROUP`), or `null` (login,
 * or root): the run and log scripts switch to it, and the driver gives it the log
 * directory and the env-file copy.
 */
export function runitUser(spec: ServiceSpec): string | null {
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
 * import { renderRunitRun } from "./runit_scripts.ts";
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
  const user = runitUser(spec);
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
 *
 * @example Usage
 * ```ts
 * import { renderRunitFinish } from "./runit_scripts.ts";
 * const text = renderRunitFinish({
 *   name: "web", program: "/bin/sleep", args: ["9"], condition: "boot",
 *   keepAlive: "always", env: [], restartDelayMs: 5000, start: true,
 * });
 * console.assert(text.includes("exec sleep 5"));
 * ```
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

/**
 * Renders `log/run`: svlogd with timestamps into the service's log directory (as the
 * service's user, for a boot service of another user). Its `# logs:` line is where
 * {@link runitLogDirOf} finds the directory again.
 */
export function renderRunitLog(spec: ServiceSpec, logDir: string): string {
  const lines = header(spec, `logs: ${logDir}`);
  const user = runitUser(spec);
  lines.push(
    `exec ${user === null ? "" : `chpst -u ${shQuote(user)} `}svlogd -tt ${
      shQuote(logDir)
    }`,
    "",
  );
  return seal(lines.join("\n"));
}

/** The log directory a `log/run` script written by {@link renderRunitLog} names, or `null`. */
export function runitLogDirOf(logRun: string): string | null {
  return /^# logs: (.*)$/m.exec(logRun)?.[1] ?? null;
}

/** Renders the `down` file of a service enabled with `--no-start`. */
export function renderRunitDown(spec: ServiceSpec): string {
  return seal(
    `# ${RUNIT_MARKER_TEXT} (${SEAL_PLACEHOLDER}): runsv does not start "${spec.name}" while this file exists; "autostart start ${spec.name}" removes it.\n`,
  );
}

/** The condition a `run` script written by {@link renderRunitRun} says it starts at. */
export function runitConditionOf(run: string): "boot" | "login" | null {
  const said = /starts at (boot|login)\b/.exec(run)?.[1];
  return said === "boot" || said === "login" ? said : null;
}

/**
 * Reads back the fields of a service from the files {@link renderRunitRun},
 * {@link renderRunitFinish}, {@link renderRunitLog} and {@link renderRunitDown} wrote
 * (the inverse of the renderers; the restart delay as `finish` keeps it, in whole
 * seconds, 1 s being runsv's own pause). `defaultLogDir` is the log directory of the
 * service without `--log-dir` (the driver's default).
 *
 * @example Usage
 * ```ts
 * import { readRunitFiles, renderRunitRun } from "./runit_scripts.ts";
 * const spec = {
 *   name: "web", program: "/bin/sleep", args: ["9"], condition: "boot" as const,
 *   keepAlive: "always" as const, env: [], restartDelayMs: 2000, start: true,
 * };
 * const f = readRunitFiles({ run: renderRunitRun(spec), finish: null, logRun: null }, "/l", false);
 * console.assert(f.program === "/bin/sleep" && f.args[0] === "9");
 * ```
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
  const logs = runitLogDirOf(files.logRun ?? "");
  if (logs !== null && logs !== defaultLogDir) {
    f.logDir = logs.slice(0, logs.lastIndexOf("/"));
  }
  if (down) f.start = false;
  return f;
}
