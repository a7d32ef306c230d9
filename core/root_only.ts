/**
 * Whether a directory may hold files that root creates or opens: every directory on
 * the way owned by root and writable by nobody else, asked through a
 * {@link FileSystem}.
 *
 * @module
 */

import type { FileSystem } from "./file_system.ts";
import { trustedGroups } from "./platform.ts";

/**
 * Why `dir` may not hold files that root creates or opens, or `null` when it may.
 * Every existing directory from `/` down (symlinks resolved) must be owned by root and
 * writable by nobody else (group write only for {@link trustedGroups}); otherwise its
 * owner could swap a file or a directory on the way for a symlink and make root write
 * where they choose. With `lastOwner`, the directory itself may belong to that user
 * (its files are then written by a process running as that user, never by root).
 *
 * @example Usage
 * ```ts
 * import { rootOnlyProblem } from "./root_only.ts";
 * import { MemoryFs } from "./fake.ts";
 * const fs = new MemoryFs();
 * fs.setInfo("/srv/apps", { uid: 1001 });
 * console.assert((await rootOnlyProblem(fs, "/srv/apps/logs"))?.includes("/srv/apps"));
 * ```
 */
export async function rootOnlyProblem(
  fs: FileSystem,
  dir: string,
  options: { lastOwner?: number; trusted?: number[] } = {},
): Promise<string | null> {
  const trusted = options.trusted ?? await trustedGroups(fs);
  const parts = dir.split("/").filter(Boolean);
  // Component by component, as the kernel walks it: a symlink on the way is followed
  // only when root owns it (it sits in a directory checked before) and everything it
  // leads to passes the same check.
  for (let i = 0; i <= parts.length; i++) {
    const p = "/" + parts.slice(0, i).join("/");
    const info = await fs.stat(p);
    // The rest is missing: root creates it, in a directory only root can change.
    if (info === null) return null;
    const last = i === parts.length;
    const owner = last && options.lastOwner !== undefined
      ? { lastOwner: options.lastOwner }
      : {};
    if (info.type === "symlink") {
      if (info.uid !== 0) {
        return `${p} is a symbolic link owned by uid ${info.uid}, not root`;
      }
      let real: string;
      try {
        real = await fs.realPath(p);
      } catch (e) {
        return `${p} is a symbolic link that leads nowhere (${
          (e as Error).message
        })`;
      }
      const why = await rootOnlyProblem(fs, real, { trusted, ...owner });
      if (why !== null) return `${why} (${p} leads to ${real})`;
      continue;
    }
    if (info.type !== "dir") return `${p} is not a directory`;
    if (owner.lastOwner !== undefined && info.uid === owner.lastOwner) continue;
    if (info.uid !== 0) {
      return `${p}${
        last ? "" : ` (on the way to ${dir})`
      } is owned by uid ${info.uid}, not root`;
    }
    if (
      (info.mode & 0o002) !== 0 ||
      ((info.mode & 0o020) !== 0 && !trusted.includes(info.gid))
    ) {
      return `${p} is writable by ${
        (info.mode & 0o002) !== 0 ? "every user" : `group ${info.gid}`
      } (mode ${info.mode.toString(8).padStart(4, "0")})`;
    }
  }
  return null;
}
