/**
 * Facts of the operating system that are not an init system's: where runtime state
 * lives and which groups the system trusts with root's directories. With the user
 * lookup of `core/context.ts` and driver selection in `core/registry.ts`, this is the
 * only place that looks at the platform (`os` is a `Deno.build.os` value).
 *
 * @module
 */

import type { FileSystem } from "./file_system.ts";

/**
 * The system's runtime directory, emptied at boot and writable by root only:
 * `/run` on Linux, `/var/run` elsewhere (macOS, the BSDs).
 *
 * @example Usage
 * ```ts
 * import { systemRuntimeDir } from "./platform.ts";
 * systemRuntimeDir("linux"); // "/run"
 * systemRuntimeDir("darwin"); // "/var/run"
 * ```
 */
export function systemRuntimeDir(os: string): string {
  return os === "linux" ? "/run" : "/var/run";
}

/**
 * A user's runtime directory when `$XDG_RUNTIME_DIR` is not set: on Linux
 * `/run/user/UID` (systemd-logind's), elsewhere none (`null`).
 *
 * @example Usage
 * ```ts
 * import { userRuntimeDir } from "./platform.ts";
 * userRuntimeDir("linux", 1000); // "/run/user/1000"
 * userRuntimeDir("darwin", 501); // null
 * ```
 */
export function userRuntimeDir(os: string, uid: number): string | null {
  return os === "linux" ? `/run/user/${uid}` : null;
}

/**
 * Groups whose write access to a directory does not make it unsafe for root: gid 0
 * (root, wheel); on macOS admin (80), which owns /Library/Logs and whose members may
 * become root anyway; on Linux also the group of a root-owned /var/log, which the
 * system already trusts with its logs (Ubuntu: root:syslog 0775).
 *
 * @example Usage
 * ```ts
 * import { trustedGroups } from "./platform.ts";
 * import { MemoryFs } from "./fake.ts";
 * await trustedGroups(new MemoryFs(), "darwin"); // [0, 80]
 * ```
 */
export async function trustedGroups(
  fs: FileSystem,
  os: string = Deno.build.os,
): Promise<number[]> {
  if (os === "darwin") return [0, 80];
  const varLog = await fs.stat("/var/log").catch(() => null);
  return varLog?.type === "dir" && varLog.uid === 0 && varLog.gid !== 0
    ? [0, varLog.gid]
    : [0];
}
