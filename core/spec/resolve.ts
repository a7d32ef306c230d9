/**
 * Resolution of an {@link EnableRequest} against the invoking process: the program
 * found on PATH, the working directory checked, the `--env-file` read, the account of
 * a boot service looked up, and a root service checked for what another user could
 * change. Every look at the disk goes through the injected `ctx.fs` (stat, realPath,
 * readText), so tests resolve against an in-memory file system.
 *
 * @module
 */

import type { Context } from "../context.ts";
import { ENV_COPY_MARKER, parseEnvFile } from "../env_file.ts";
import { UsageError } from "../errors.ts";
import { denoFs, type FileInfo, type FileSystem } from "../fs.ts";
import { rootServiceProblems } from "../root_safety.ts";
import {
  checkPathSetting,
  checkText,
  checkValue,
  MAX_TOTAL_BYTES,
  utf8Length,
} from "./limits.ts";
import {
  absolutePath,
  parseCondition,
  parseEnvPair,
  parseKeepAlive,
  parseName,
  parseRestartDelays,
  parseStopTimeout,
} from "./parse.ts";
import type { EnableRequest, EnvFileSpec, ServiceSpec } from "./types.ts";
import type { UserInfo } from "../user_info.ts";

/**
 * What `path` leads to, symlinks followed (as `stat(2)`), or `null` when nothing is
 * there (or a link leads nowhere).
 */
export async function statFollow(
  fs: FileSystem,
  path: string,
): Promise<FileInfo | null> {
  try {
    return await fs.stat(await fs.realPath(path));
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
  fs: FileSystem,
): Promise<string> {
  checkText("program", program);
  if (program === "") {
    throw new UsageError("Invalid command: the program is empty");
  }
  if (program.includes("/")) {
    const abs = absolutePath(cwd, program);
    const st = await statFollow(fs, abs);
    if (!st) {
      throw new UsageError(`Program not found: ${JSON.stringify(program)}`);
    }
    if (st.type !== "file") {
      throw new UsageError(
        `Program ${JSON.stringify(program)} is not a regular file`,
      );
    }
    if ((st.mode & 0o111) === 0) {
      throw new UsageError(
        `Program ${JSON.stringify(program)} is not executable`,
        `make it executable: chmod +x ${abs}`,
      );
    }
    return abs;
  }
  for (const dir of pathVar.split(":")) {
    if (!dir.startsWith("/")) continue;
    const st = await statFollow(fs, `${dir}/${program}`);
    if (st?.type === "file" && (st.mode & 0o111) !== 0) {
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
 * owned by root and not writable by group or others. Looks through `fs` (default: the
 * real file system).
 *
 * @example Usage
 * ```ts ignore
 * await unsafeForRoot("/usr/bin/python3", ctx.fs); // null
 * await unsafeForRoot("/tmp/x.sh", ctx.fs); // "/tmp is writable by group or others"
 * ```
 */
export async function unsafeForRoot(
  path: string,
  fs: FileSystem = denoFs,
): Promise<string | null> {
  const paths = [path];
  const real = await fs.realPath(path).catch(() => null);
  if (real !== null && real !== path) paths.push(real);
  for (const p of paths) {
    for (let q = p;; q = q.slice(0, Math.max(q.lastIndexOf("/"), 1))) {
      const st = await statFollow(fs, q);
      if (!st) return `${q} cannot be checked`;
      if (st.uid !== 0) return `${q} is owned by uid ${st.uid}, not root`;
      if ((st.mode & 0o022) !== 0) {
        return `${q} is writable by group or others (mode ${
          (st.mode & 0o7777).toString(8).padStart(4, "0")
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
    const st = await statFollow(ctx.fs, cwd);
    if (st?.type !== "dir") {
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
    let text: string | null;
    try {
      text = await ctx.fs.readText(source);
    } catch (e) {
      throw new UsageError(
        `Cannot read --env-file ${JSON.stringify(req.envFile)}: ${
          (e as Error).message
        }`,
      );
    }
    if (text === null) {
      throw new UsageError(
        `Cannot read --env-file ${JSON.stringify(req.envFile)}: no such file`,
        `give the path of an existing file (relative paths start at ${ctx.cwd})`,
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
    ctx.fs,
  );

  checkPathSetting("program path", resolved);
  const total = [
    resolved,
    ...args,
    ...[...env].flat(),
    ...(envFile?.vars.flat() ?? []),
  ].reduce(
    (n, v) => n + utf8Length(v) + 1,
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
    const why = await unsafeForRoot(resolved, ctx.fs);
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
    const problems = await rootServiceProblems(
      spec,
      (path) => unsafeForRoot(path, ctx.fs),
      (path) => ctx.fs.exists(path),
    );
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
