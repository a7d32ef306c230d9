/**
 * Backups of files autostart replaces or removes: `PATH.autostart-backup`, then
 * `PATH.autostart-backup.N` when that name is taken; a backup is never overwritten.
 *
 * @module
 */

import { basename, dirname, type FileSystem } from "./fs.ts";
import { fsError } from "./apply_errors.ts";

/** Suffix of the backup kept when `--force` takes over a foreign file. */
export const BACKUP_SUFFIX = ".autostart-backup";

/**
 * The first free backup name for `path` in `dir` (default: beside it):
 * `NAME.autostart-backup`, then `NAME.autostart-backup.1`, `.2`, ... An existing
 * backup is never reused.
 */
export async function nextBackupPath(
  fs: FileSystem,
  path: string,
  dir: string = dirname(path),
): Promise<string> {
  const base = `${dir === "/" ? "" : dir}/${basename(path)}${BACKUP_SUFFIX}`;
  for (let n = 0;; n++) {
    const candidate = n === 0 ? base : `${base}.${n}`;
    if (!(await fs.exists(candidate))) return candidate;
  }
}

/**
 * Keeps `content` (the file at `path` before autostart replaces or removes it) under
 * the first free backup name, beside the file or in `dir` (created 0700).
 */
export async function keepBackup(
  fs: FileSystem,
  path: string,
  content: string,
  dir?: string,
): Promise<string> {
  try {
    if (dir) await fs.mkdirp(dir, { mode: 0o700 });
    const backup = await nextBackupPath(fs, path, dir);
    await fs.writeAtomic(backup, content, { mode: 0o600 });
    return backup;
  } catch (e) {
    throw fsError("back up", path, e);
  }
}
