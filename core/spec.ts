/**
 * The validated description of a service: {@link ServiceSpec}. Everything a user types
 * goes through {@link resolveSpec} (or the `parse*` helpers) before any driver sees it,
 * so drivers can trust names, paths and strings. Bad input raises {@link UsageError}
 * (exit 2) before a file is touched.
 *
 * @module
 */

import type { Context, UserInfo } from "./context.ts";
import { ENV_COPY_MARKER, parseEnvFile } from "./env_file.ts";
import { UsageError } from "./errors.ts";
import { parseDuration } from "./duration.ts";

/** Durations are parsed in `core/duration.ts`; re-exported for existing callers. */
export { parseDuration };
import { rootServiceProblems } from "./root_safety.ts";

/** When a service starts: at the user's login, or at boot. */
export type Condition = "login" | "boot";

/** Every condition, in the order help text lists them. */
export const CONDITIONS: readonly Condition[] = ["login", "boot"];

/**
 * When a service is restarted.
 * - `false`: run once at login/boot, never restarted.
 * - `on-failure`: restarted when it exits non-zero or is killed by a signal.
 * - `always`: restarted whatever the exit.
 */
export type KeepAliveMode = "false" | "on-failure" | "always";

/** Every keep-alive mode. */
export const KEEP_ALIVE_MODES: readonly KeepAliveMode[] = [
  "false",
  "on-failure",
  "always",
];

/** A service, validated and resolved: absolute paths, checked strings. */
export interface ServiceSpec {
  /** Short name: `[A-Za-z0-9][A-Za-z0-9_.-]*`, not ending in `.`, at most {@link MAX_NAME_LENGTH} chars. */
  name: string;
  /** Absolute path of the program. */
  program: string;
  /** Arguments after the program. */
  args: string[];
  /** When it starts. */
  condition: Condition;
  /** When it is restarted. */
  keepAlive: KeepAliveMode;
  /**
   * Environment variables given with `--env`, in the order given, plus PATH (unless
   * `--path default` or the env file sets it). They are written into the service file.
   */
  env: [string, string][];
  /**
   * Variables of `--env-file`, read once at enable (names also given with `--env` left
   * out: `--env` wins). Drivers keep them out of world-readable files: a 0600 copy read
   * at each start by the init system (systemd `EnvironmentFile=`) or by a shell running
   * as the service's user (runit, OpenRC, launchd); see `core/env_file.ts`.
   */
  envFile?: EnvFileSpec;
  /** Absolute working directory. */
  cwd?: string;
  /** Account a boot service runs as. Login services run as the invoking user. */
  runAs?: UserInfo;
  /** Absolute directory for the service's log files (driver default when absent). */
  logDir?: string;
  /** Pause before a restart, in milliseconds. */
  restartDelayMs: number;
  /**
   * How long a stop waits for the program to exit after SIGTERM before it is killed
   * (launchd `ExitTimeOut`, systemd `TimeoutStopSec=`), in milliseconds. Absent: the
   * init system's default.
   */
  stopTimeoutMs?: number;
  /**
   * Longest pause before a restart in a crash loop, in milliseconds: the pause doubles
   * from `restartDelayMs` after each restart in a row, up to this. Absent (or not
   * above `restartDelayMs`): no backoff, every restart waits `restartDelayMs`.
   */
  restartMaxDelayMs?: number;
  /** Start now, as well as at login/boot. */
  start: boolean;
  /**
   * Init-system name to use instead of the one derived from `name`: the systemd unit
   * (`lima-vm@default.service`) or the launchd label (`io.lima-vm.autostart.default`).
   * Set by presets that must match another tool's names; absent for plain services.
   */
  identity?: string;
}

/** The variables of an `--env-file`, and where they came from. */
export interface EnvFileSpec {
  /** Absolute path of the user's file (for messages; never read again). */
  source: string;
  /** Assignments in file order, checked like `--env` values. */
  vars: [string, string][];
}

/** Longest accepted service name. */
export const MAX_NAME_LENGTH = 64;

const UNIT_SUFFIXES = [
  "service",
  "socket",
  "target",
  "timer",
  "mount",
  "automount",
  "path",
  "slice",
  "scope",
  "device",
  "swap",
  "plist",
];

/**
 * Checks a service name and returns it. Names become file names and unit names, so
 * the charset is narrow: letters, digits, `_`, `-`, `.`; starting with a letter or digit.
 *
 * @example Usage
 * ```ts
 * import { parseName } from "./spec.ts";
 * console.assert(parseName("web-1") === "web-1");
 * ```
 */
export function parseName(name: string): string {
  const shown = JSON.stringify(name);
  if (name === "") throw new UsageError("Invalid name: the name is empty");
  if (name.length > MAX_NAME_LENGTH) {
    throw new UsageError(
      `Invalid name ${
        shown.slice(0, 40)
      }...: longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (name.includes("/")) {
    throw new UsageError(`Invalid name ${shown}: it cannot contain "/"`);
  }
  if (
    !/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/.test(name) ||
    name.includes("..")
  ) {
    throw new UsageError(
      `Invalid name ${shown}: use letters, digits, "_", "-" and "." only, starting with a letter or digit and not ending in "."`,
    );
  }
  const suffix = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  if (name.includes(".") && UNIT_SUFFIXES.includes(suffix)) {
    throw new UsageError(
      `Invalid name ${shown}: it cannot end in ".${suffix}"`,
    );
  }
  return name;
}

/** Parses `--condition`. */
export function parseCondition(value: string): Condition {
  if (value === "login" || value === "boot") return value;
  throw new UsageError(
    `Invalid condition ${JSON.stringify(value)}: use "login" or "boot"`,
  );
}

/**
 * Parses `--keep-alive`. `true` (and a bare `--keep-alive`) means `on-failure`: a clean
 * exit means the program chose to stop.
 */
export function parseKeepAlive(value: string | boolean): KeepAliveMode {
  if (value === true || value === "true" || value === "on-failure") {
    return "on-failure";
  }
  if (value === false || value === "false" || value === "no") return "false";
  if (value === "always") return "always";
  throw new UsageError(
    `Invalid keep-alive ${
      JSON.stringify(value)
    }: use true, false, always or on-failure`,
  );
}

/** Shortest `--stop-timeout`: launchd counts whole seconds, and 0 means "never kill". */
export const MIN_STOP_TIMEOUT_MS = 1000;

/**
 * Parses `--stop-timeout`: 1 second to 24 hours. 0 is refused: launchd and systemd
 * read it as "wait forever", which can hold up a shutdown without end.
 */
export function parseStopTimeout(value: string): number {
  return parseDuration(value, {
    what: "--stop-timeout",
    minMs: MIN_STOP_TIMEOUT_MS,
  });
}

/** Shortest restart delay: faster restarts only flood the log and the machine. */
export const MIN_RESTART_DELAY_MS = 100;

/** Default pause before a restart. */
export const DEFAULT_RESTART_DELAY_MS = 2000;

/** Default longest pause before a restart in a crash loop (`--restart-max-delay`). */
export const DEFAULT_RESTART_MAX_DELAY_MS = 60_000;

/**
 * Parses `--restart-delay` and `--restart-max-delay`: the delay at least
 * {@link MIN_RESTART_DELAY_MS}, the cap at least the delay (exit 2 otherwise).
 *
 * @example Usage
 * ```ts
 * import { parseRestartDelays } from "./spec.ts";
 * const d = parseRestartDelays("500ms", undefined);
 * console.assert(d.restartDelayMs === 500 && d.restartMaxDelayMs === 60_000);
 * ```
 */
export function parseRestartDelays(
  delay: string | undefined,
  maxDelay: string | undefined,
): { restartDelayMs: number; restartMaxDelayMs: number } {
  const restartDelayMs = delay === undefined
    ? DEFAULT_RESTART_DELAY_MS
    : parseDuration(delay, { what: "--restart-delay" });
  if (restartDelayMs < MIN_RESTART_DELAY_MS) {
    throw new UsageError(
      `Invalid --restart-delay ${
        JSON.stringify(delay)
      }: at least ${MIN_RESTART_DELAY_MS}ms, or a crashing program is restarted hundreds of times a second`,
      "e.g. --restart-delay 2s (the default); crash loops back off up to --restart-max-delay",
    );
  }
  const restartMaxDelayMs = maxDelay === undefined
    ? Math.max(DEFAULT_RESTART_MAX_DELAY_MS, restartDelayMs)
    : parseDuration(maxDelay, { what: "--restart-max-delay" });
  if (restartMaxDelayMs < restartDelayMs) {
    throw new UsageError(
      `Invalid --restart-max-delay ${
        JSON.stringify(maxDelay)
      }: shorter than the restart delay (${restartDelayMs}ms)`,
      "give a cap at least as long as --restart-delay; equal to it turns the backoff off",
    );
  }
  return { restartDelayMs, restartMaxDelayMs };
}

/** Checks that a user string can be stored and passed exactly: no NUL, valid Unicode. */
export function checkText(what: string, value: string): string {
  if (value.includes("\0")) {
    throw new UsageError(`Invalid ${what}: it contains a NUL character`);
  }
  if (!value.isWellFormed()) {
    throw new UsageError(
      `Invalid ${what}: it is not valid Unicode (lone surrogate)`,
    );
  }
  // U+FDD0..U+FDEF and U+xFFFE/U+xFFFF: systemd refuses them as "not UTF-8 clean" and
  // XML (plists) forbids U+FFFE/U+FFFF, so they could never be delivered.
  if (
    /[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/
      .test(value)
  ) {
    throw new UsageError(
      `Invalid ${what}: it contains a Unicode noncharacter (such as U+FFFF)`,
    );
  }
  return value;
}

/**
 * Longest argument or environment value, in UTF-8 bytes. Linux refuses to exec a single
 * string over 128 KiB, and systemd reads unit lines of at most 1 MiB (escaping can make
 * a value 4 times longer), so longer values are refused here rather than failing later.
 */
export const MAX_VALUE_BYTES = 65_536;

/** Longest command line plus environment, in UTF-8 bytes (same reasons). */
export const MAX_TOTAL_BYTES = 200_000;

const utf8 = new TextEncoder();

/** Checks a user string like {@link checkText} and that it is at most {@link MAX_VALUE_BYTES}. */
export function checkValue(what: string, value: string): string {
  checkText(what, value);
  const n = utf8.encode(value).length;
  if (n > MAX_VALUE_BYTES) {
    throw new UsageError(
      `Invalid ${what}: ${n} bytes long, at most ${MAX_VALUE_BYTES} are accepted`,
    );
  }
  return value;
}

/**
 * Checks a path that goes into a unit file or plist as a plain setting (working
 * directory, log directory): absolute, no control characters, and not ending in a
 * backslash or whitespace (systemd joins a line ending in `\` with the next one and
 * strips trailing whitespace, so such a path would silently change meaning).
 */
export function checkPathSetting(what: string, path: string): string {
  checkText(what, path);
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) {
    throw new UsageError(
      `Invalid ${what} ${
        JSON.stringify(path)
      }: it contains a control character`,
    );
  }
  if (/[\\ \t]$/.test(path)) {
    throw new UsageError(
      `Invalid ${what} ${
        JSON.stringify(path)
      }: it cannot end in a backslash or a space`,
    );
  }
  return path;
}

/** Parses one `KEY=VALUE` into a checked pair. */
export function parseEnvPair(pair: string, where = "--env"): [string, string] {
  const i = pair.indexOf("=");
  const key = i < 0 ? pair : pair.slice(0, i);
  if (i < 0) {
    throw new UsageError(
      `Invalid ${where} ${JSON.stringify(pair)}: expected KEY=VALUE`,
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    throw new UsageError(
      `Invalid ${where} ${JSON.stringify(pair.slice(0, 60))}: ${
        JSON.stringify(key)
      } is not a valid variable name (letters, digits and "_", not starting with a digit)`,
    );
  }
  return [key, checkValue(`value of ${key}`, pair.slice(i + 1))];
}

/** What the command line asks for, before validation. */
export interface EnableRequest {
  name: string;
  command: string[];
  condition?: string | undefined;
  keepAlive?: string | boolean | undefined;
  env?: string[] | undefined;
  envFile?: string | undefined;
  cwd?: string | undefined;
  path?: string | undefined;
  user?: string | undefined;
  logDir?: string | undefined;
  restartDelay?: string | undefined;
  /** `--stop-timeout`: absent leaves the init system's default. */
  stopTimeout?: string | undefined;
  restartMaxDelay?: string | undefined;
  start?: boolean | undefined;
  /** Accept a root-run program that a non-root user could replace. */
  allowUnsafe?: boolean | undefined;
}

/** Joins `path` onto `base` unless it is absolute, and normalises `.`/`..`. */
export function absolutePath(base: string, path: string): string {
  const parts: string[] = [];
  for (
    const p of (path.startsWith("/") ? path : `${base}/${path}`).split("/")
  ) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch {
    return null;
  }
}

/**
 * Finds a program: a path with a `/` is taken relative to `cwd`; a bare name is looked
 * up in `PATH`. Returns the absolute path of an executable regular file.
 */
export async function resolveProgram(
  program: string,
  pathVar: string,
  cwd: string,
): Promise<string> {
  checkText("program", program);
  if (program === "") {
    throw new UsageError("Invalid command: the program is empty");
  }
  if (program.includes("/")) {
    const abs = absolutePath(cwd, program);
    const st = await statOrNull(abs);
    if (!st) {
      throw new UsageError(`Program not found: ${JSON.stringify(program)}`);
    }
    if (!st.isFile) {
      throw new UsageError(
        `Program ${JSON.stringify(program)} is not a regular file`,
      );
    }
    if (((st.mode ?? 0) & 0o111) === 0) {
      throw new UsageError(
        `Program ${JSON.stringify(program)} is not executable`,
        `make it executable: chmod +x ${abs}`,
      );
    }
    return abs;
  }
  for (const dir of pathVar.split(":")) {
    if (!dir.startsWith("/")) continue;
    const st = await statOrNull(`${dir}/${program}`);
    if (st?.isFile && ((st.mode ?? 0) & 0o111) !== 0) {
      return `${dir}/${program}`;
    }
  }
  throw new UsageError(
    `Program not found: ${JSON.stringify(program)} is not in PATH`,
    "give the program's absolute path",
  );
}

/**
 * Why a program run as root could be replaced by another user, or `null` when it is
 * safe: the file (and the file a symlink points to) and every directory above it must be
 * owned by root and not writable by group or others.
 *
 * @example Usage
 * ```ts ignore
 * await unsafeForRoot("/usr/bin/python3"); // null
 * await unsafeForRoot("/tmp/x.sh"); // "/tmp is writable by group or others"
 * ```
 */
export async function unsafeForRoot(path: string): Promise<string | null> {
  const paths = [path];
  const real = await Deno.realPath(path).catch(() => null);
  if (real !== null && real !== path) paths.push(real);
  for (const p of paths) {
    for (let q = p;; q = q.slice(0, Math.max(q.lastIndexOf("/"), 1))) {
      const st = await statOrNull(q);
      if (!st) return `${q} cannot be checked`;
      if (st.uid !== 0) return `${q} is owned by uid ${st.uid}, not root`;
      if (((st.mode ?? 0) & 0o022) !== 0) {
        return `${q} is writable by group or others (mode ${
          ((st.mode ?? 0) & 0o7777).toString(8).padStart(4, "0")
        })`;
      }
      if (q === "/") break;
    }
  }
  return null;
}

/**
 * Validates an {@link EnableRequest} and resolves it against the invoking process:
 * program path, working directory, env file, the account of a boot service.
 * Throws {@link UsageError} on the first problem, before anything is written.
 */
export async function resolveSpec(
  req: EnableRequest,
  ctx: Context,
): Promise<ServiceSpec> {
  const name = parseName(req.name);
  const condition = parseCondition(req.condition ?? "login");
  const keepAlive = parseKeepAlive(req.keepAlive ?? true);
  const stopTimeoutMs = req.stopTimeout === undefined
    ? undefined
    : parseStopTimeout(req.stopTimeout);
  const { restartDelayMs, restartMaxDelayMs } = parseRestartDelays(
    req.restartDelay,
    req.restartMaxDelay,
  );
  const pathMode = req.path ?? "inherit";
  if (pathMode !== "inherit" && pathMode !== "default") {
    throw new UsageError(
      `Invalid --path ${JSON.stringify(pathMode)}: use "inherit" or "default"`,
    );
  }
  const [program, ...args] = req.command;
  if (program === undefined) {
    throw new UsageError(
      "Missing command: give the program after --",
      `example: autostart enable ${name} -- /usr/bin/python3 -m http.server 8080`,
    );
  }
  args.forEach((a, i) => checkValue(`argument ${i + 1}`, a));

  let cwd: string | undefined;
  if (req.cwd !== undefined) {
    cwd = checkPathSetting("--cwd", absolutePath(ctx.cwd, req.cwd));
    const st = await statOrNull(cwd);
    if (!st?.isDirectory) {
      throw new UsageError(
        `Invalid --cwd ${JSON.stringify(req.cwd)}: no such directory`,
      );
    }
  }

  const env = new Map<string, string>();
  for (const pair of req.env ?? []) {
    const [k, v] = parseEnvPair(pair);
    env.set(k, v);
  }
  let envFile: EnvFileSpec | undefined;
  if (req.envFile !== undefined) {
    const source = absolutePath(ctx.cwd, req.envFile);
    let text: string;
    try {
      text = await Deno.readTextFile(source);
    } catch (e) {
      throw new UsageError(
        `Cannot read --env-file ${JSON.stringify(req.envFile)}: ${
          (e as Error).message
        }`,
      );
    }
    const vars = parseEnvFile(text, req.envFile)
      .map(([k, v]) =>
        [k, checkValue(`value of ${k} in --env-file`, v)] as [string, string]
      )
      .filter(([k]) => !env.has(k));
    // A copy autostart wrote (what `export` names): it keeps naming the user's file,
    // so enabling from the copy again rewrites it unchanged.
    const copied = text.startsWith(`# ${ENV_COPY_MARKER} (`)
      ? /^# A copy of (.+), read at enable; /m.exec(text)?.[1]
      : undefined;
    envFile = { source: copied ?? source, vars };
  }
  const fileHas = (k: string) => envFile?.vars.some(([n]) => n === k) ?? false;
  if (
    pathMode === "inherit" && !env.has("PATH") && !fileHas("PATH") &&
    ctx.env.PATH
  ) {
    env.set("PATH", checkText("PATH", ctx.env.PATH));
  }

  let logDir: string | undefined;
  if (req.logDir !== undefined) {
    logDir = checkPathSetting("--log-dir", absolutePath(ctx.cwd, req.logDir));
  }

  let runAs: UserInfo | undefined;
  if (condition === "boot") {
    const who = req.user ?? ctx.sudoUser ??
      (ctx.self.uid === 0 ? undefined : ctx.self.name);
    if (who === undefined) {
      throw new UsageError(
        "Refusing to run a boot service as root without being asked",
        "run through sudo as the user the service is for, or pass --user NAME (--user root to really run it as root)",
      );
    }
    const u = await ctx.lookupUser(who);
    if (!u) throw new UsageError(`Unknown user ${JSON.stringify(who)}`);
    runAs = u;
  } else if (ctx.sudoUser !== undefined) {
    throw new UsageError(
      "A login service belongs to the user who logs in: run it without sudo",
      `run as ${ctx.sudoUser} without sudo, or use --condition=boot for a service started at boot`,
    );
  } else if (req.user !== undefined && req.user !== ctx.self.name) {
    throw new UsageError(
      "--user applies to boot services only: a login service runs as the user who logs in",
      `run autostart as ${req.user}, or use --condition=boot`,
    );
  }

  const resolved = await resolveProgram(
    program,
    env.get("PATH") ?? envFile?.vars.find(([k]) => k === "PATH")?.[1] ??
      ctx.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    ctx.cwd,
  );

  checkPathSetting("program path", resolved);
  const total = [
    resolved,
    ...args,
    ...[...env].flat(),
    ...(envFile?.vars.flat() ?? []),
  ].reduce(
    (n, v) => n + utf8.encode(v).length + 1,
    0,
  );
  if (total > MAX_TOTAL_BYTES) {
    throw new UsageError(
      `Invalid command: arguments and environment are ${total} bytes long, at most ${MAX_TOTAL_BYTES} are accepted`,
      "pass large data in a file instead",
    );
  }
  const asRoot = condition === "boot" ? runAs?.uid === 0 : ctx.self.uid === 0;
  if (asRoot && !req.allowUnsafe) {
    const why = await unsafeForRoot(resolved);
    if (why !== null) {
      throw new UsageError(
        `Refusing to run ${
          JSON.stringify(resolved)
        } as root: ${why}, so another user could replace what root runs`,
        "make the program and its directories owned by root and writable only by root, or pass --allow-unsafe",
      );
    }
  }

  const spec: ServiceSpec = {
    name,
    program: resolved,
    args,
    condition,
    keepAlive,
    env: [...env.entries()],
    restartDelayMs,
    restartMaxDelayMs,
    start: req.start ?? true,
  };
  if (envFile !== undefined) spec.envFile = envFile;
  if (cwd !== undefined) spec.cwd = cwd;
  if (runAs !== undefined) spec.runAs = runAs;
  if (logDir !== undefined) spec.logDir = logDir;
  if (stopTimeoutMs !== undefined) spec.stopTimeoutMs = stopTimeoutMs;
  if (asRoot && !req.allowUnsafe) {
    const problems = await rootServiceProblems(spec, unsafeForRoot, pathExists);
    if (problems.length > 0) {
      throw new UsageError(
        `Refusing a root service that depends on what another user can change:\n  ${
          problems.join("\n  ")
        }`,
        "use root-owned directories and files that only root can write (for PATH: --path default, or --env PATH=/usr/local/bin:/usr/bin:/bin), drop LD_*/DYLD_* variables, or pass --allow-unsafe",
      );
    }
  }
  return spec;
}
