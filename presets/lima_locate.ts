/**
 * Finding a Lima installation on this machine: limactl (PATH, then Homebrew's
 * `/opt/homebrew/bin` and `/usr/local/bin`), LIMA_HOME (default `~/.lima`, symlinks
 * resolved), the instances in it, and the PATH a service needs so that limactl finds
 * its helpers (the directories of limactl and qemu; launchd's own PATH lacks them).
 * Every look at the disk goes through a `FileSystem` (last parameter: give `ctx.fs`).
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import type { FileSystem } from "../core/file_system.ts";
import {
  absolutePath,
  checkPathSetting,
  checkText,
  statFollow,
} from "../core/spec.ts";

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

async function executable(fs: FileSystem, path: string): Promise<boolean> {
  const st = await statFollow(fs, path);
  return st?.type === "file" && (st.mode & 0o111) !== 0;
}

async function isDir(fs: FileSystem, path: string): Promise<boolean> {
  return (await statFollow(fs, path))?.type === "dir";
}

/** The absolute directories of a PATH value, in order. */
export function pathDirs(pathVar: string | undefined): string[] {
  return (pathVar ?? "").split(":").filter((d) => d.startsWith("/"));
}

/** The first executable `name` in `dirs`, or `null`. */
export async function findProgram(
  name: string,
  dirs: readonly string[],
  fs: FileSystem,
): Promise<string | null> {
  for (const d of dirs) {
    const p = `${d.replace(/\/+$/, "")}/${name}`;
    if (await executable(fs, p)) return p;
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
  fs: FileSystem,
): Promise<string> {
  const dirs = [...pathDirs(pathVar), ...HOMEBREW_BINS];
  const found = await findProgram("limactl", dirs, fs);
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
  fs: FileSystem,
): Promise<string> {
  const dirs = [...pathDirs(pathVar), ...HOMEBREW_BINS];
  const qemu = await findProgram("qemu-img", dirs, fs);
  const brew: string[] = [];
  for (const d of HOMEBREW_BINS) if (await isDir(fs, d)) brew.push(d);
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
  fs: FileSystem,
): Promise<LimaHome> {
  const given = env.LIMA_HOME ? absolutePath(cwd, env.LIMA_HOME) : undefined;
  if (given !== undefined) checkPathSetting("LIMA_HOME", given);
  const raw = given ?? `${home}/.lima`;
  const dir = await fs.realPath(raw).catch(() => raw);
  return { given, dir };
}

/** Names of the instances in a LIMA_HOME (directories holding `lima.yaml`), sorted. */
export async function listInstances(
  limaHomeDir: string,
  fs: FileSystem,
): Promise<string[]> {
  const out: string[] = [];
  // No LIMA_HOME (or one this user cannot read): no instances.
  for (const name of await fs.list(limaHomeDir).catch(() => [])) {
    if (name.startsWith("_") || name.startsWith(".")) continue;
    if (await statFollow(fs, `${limaHomeDir}/${name}/lima.yaml`)) {
      out.push(name);
    }
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
  fs: FileSystem,
): Promise<string> {
  const dir = `${home.dir}/${instance}`;
  if (await statFollow(fs, `${dir}/lima.yaml`)) {
    return await fs.realPath(dir).catch(() => dir);
  }
  const existing = await listInstances(home.dir, fs);
  throw new UsageError(
    `Unknown Lima instance ${JSON.stringify(instance)}: no ${dir}/lima.yaml`,
    existing.length
      ? `existing instances in ${home.dir}: ${existing.join(", ")}`
      : `there are no instances in ${home.dir}; create one with: limactl create --name=${instance}`,
  );
}
