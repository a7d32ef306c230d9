/**
 * Finding a Lima installation on this machine: limactl (PATH, then Homebrew's
 * `/opt/homebrew/bin` and `/usr/local/bin`), LIMA_HOME (default `~/.lima`, symlinks
 * resolved), the instances in it, and the PATH a service needs so that limactl finds
 * its helpers (the directories of limactl and qemu; launchd's own PATH lacks them).
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import { absolutePath, checkPathSetting, checkText } from "../core/spec.ts";

/** Where Homebrew puts programs (Apple silicon, Intel). */
export const HOMEBREW_BINS: readonly string[] = [
  "/opt/homebrew/bin",
  "/usr/local/bin",
];

/** Directories every service PATH ends with. */
export const BASE_PATH: readonly string[] = [
  "/usr/local/bin",
  "/usr/bin",
  "/bin",
  "/usr/sbin",
  "/sbin",
];

async function executable(path: string): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

async function isDir(path: string): Promise<boolean> {
  return await Deno.stat(path).then((s) => s.isDirectory, () => false);
}

/** The absolute directories of a PATH value, in order. */
export function pathDirs(pathVar: string | undefined): string[] {
  return (pathVar ?? "").split(":").filter((d) => d.startsWith("/"));
}

/** The first executable `name` in `dirs`, or `null`. */
export async function findProgram(
  name: string,
  dirs: readonly string[],
): Promise<string | null> {
  for (const d of dirs) {
    const p = `${d.replace(/\/+$/, "")}/${name}`;
    if (await executable(p)) return p;
  }
  return null;
}

/**
 * Finds limactl: `PATH`, then Homebrew's directories. The path is kept as found (not
 * resolved), so a Homebrew upgrade, which moves the real file, does not break the
 * service.
 */
export async function findLimactl(
  pathVar: string | undefined,
): Promise<string> {
  const dirs = [...pathDirs(pathVar), ...HOMEBREW_BINS];
  const found = await findProgram("limactl", dirs);
  if (found === null) {
    throw new UsageError(
      `Cannot find limactl in PATH or in ${HOMEBREW_BINS.join(", ")}`,
      "install Lima (https://lima-vm.io), or add the directory of limactl to PATH",
    );
  }
  return checkPathSetting("limactl path", found);
}

/**
 * The PATH of the service: limactl's directory, qemu's (found by `qemu-img`), the
 * invoking PATH, existing Homebrew directories, then the system directories; each once.
 */
export async function servicePath(
  limactl: string,
  pathVar: string | undefined,
): Promise<string> {
  const dirs = [...pathDirs(pathVar), ...HOMEBREW_BINS];
  const qemu = await findProgram("qemu-img", dirs);
  const brew: string[] = [];
  for (const d of HOMEBREW_BINS) if (await isDir(d)) brew.push(d);
  const all = [
    limactl.slice(0, limactl.lastIndexOf("/")) || "/",
    ...(qemu ? [qemu.slice(0, qemu.lastIndexOf("/")) || "/"] : []),
    ...pathDirs(pathVar),
    ...brew,
    ...BASE_PATH,
  ].map((d) => d.length > 1 ? d.replace(/\/+$/, "") : d);
  return checkText("PATH", [...new Set(all)].join(":"));
}

/** Where an instance's files are. */
export interface LimaHome {
  /** LIMA_HOME as the user gave it (absolute), or `undefined` for the default. */
  given: string | undefined;
  /** The directory, symlinks resolved (the default `HOME/.lima` when not given). */
  dir: string;
}

/**
 * LIMA_HOME of the account the service is for: the `LIMA_HOME` variable (relative to
 * `cwd`), else `HOME/.lima`; symlinks resolved when it exists.
 */
export async function limaHome(
  env: Record<string, string>,
  home: string,
  cwd: string,
): Promise<LimaHome> {
  const given = env.LIMA_HOME ? absolutePath(cwd, env.LIMA_HOME) : undefined;
  if (given !== undefined) checkPathSetting("LIMA_HOME", given);
  const raw = given ?? `${home}/.lima`;
  const dir = await Deno.realPath(raw).catch(() => raw);
  return { given, dir };
}

/** Names of the instances in a LIMA_HOME (directories holding `lima.yaml`), sorted. */
export async function listInstances(limaHomeDir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(limaHomeDir)) {
      if (e.name.startsWith("_") || e.name.startsWith(".")) continue;
      if (
        await Deno.stat(`${limaHomeDir}/${e.name}/lima.yaml`).then(
          () => true,
          () => false,
        )
      ) {
        out.push(e.name);
      }
    }
  } catch {
    // no LIMA_HOME: no instances
  }
  return out.sort();
}

/**
 * The directory of an instance (symlinks resolved), or a {@link UsageError} (exit 2)
 * naming the instances that do exist.
 */
export async function instanceDir(
  home: LimaHome,
  instance: string,
): Promise<string> {
  const dir = `${home.dir}/${instance}`;
  if (await Deno.stat(`${dir}/lima.yaml`).then(() => true, () => false)) {
    return await Deno.realPath(dir).catch(() => dir);
  }
  const existing = await listInstances(home.dir);
  throw new UsageError(
    `Unknown Lima instance ${JSON.stringify(instance)}: no ${dir}/lima.yaml`,
    existing.length
      ? `existing instances in ${home.dir}: ${existing.join(", ")}`
      : `there are no instances in ${home.dir}; create one with: limactl create --name=${instance}`,
  );
}
