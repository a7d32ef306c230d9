/**
 * The filesystem as drivers and `apply()` see it: a few operations, injected so tests
 * can fail any one of them. Writes are atomic (temporary file in the same directory,
 * then rename), so a reader never sees half a unit file.
 *
 * @module
 */

/** Owner of a written file. */
export interface Owner {
  /** Numeric user id. */
  uid: number;
  /** Numeric group id. */
  gid: number;
}

/** Options of {@link FileSystem.writeAtomic}. */
export interface WriteOptions {
  /** Permission bits, e.g. `0o644`. */
  mode: number;
  /** Owner to give the file (needs root); left as the writer when absent. */
  owner?: Owner;
}

/** File operations used to apply plans. */
export interface FileSystem {
  /** Contents of a text file, or `null` when it does not exist. */
  readText(path: string): Promise<string | null>;
  /** Writes `content` to `path` atomically with the given mode and owner. */
  writeAtomic(
    path: string,
    content: string,
    options: WriteOptions,
  ): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /** Creates a directory and its parents; returns the directories it created. */
  mkdirp(
    path: string,
    options?: { mode?: number; owner?: Owner },
  ): Promise<string[]>;
  /** Removes an empty directory; ignores a missing or non-empty one. */
  rmdir(path: string): Promise<void>;
  /** Names of the entries of a directory, or `[]` when it does not exist. */
  list(path: string): Promise<string[]>;
  /**
   * Whether something exists at `path` (a dangling symlink counts; a path this user
   * cannot reach does not).
   */
  exists(path: string): Promise<boolean>;
  /**
   * Whether this process could create files in directory `path` (or, when it does not
   * exist yet, in its nearest existing parent). Optional: used by `doctor` only.
   */
  writable?(path: string): Promise<boolean>;
}

/** Marker in the names of temporary files of {@link denoFs}'s atomic writes. */
export const TMP_INFIX = ".autostart-tmp-";

/**
 * Prefix of the temporary files an atomic write of `path` uses (`/d/.x.autostart-tmp-`):
 * a process killed between writing and renaming leaves one behind.
 */
export function tempPrefix(path: string): string {
  return `.${basename(path)}${TMP_INFIX}`;
}

/** Directory part of a path (`/a/b` → `/a`). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Last part of a path (`/a/b` → `b`). */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The real filesystem, on `Deno.*`. */
export const denoFs: FileSystem = {
  // Synchronous underneath: the files are small, and an async read goes through a
  // thread pool, which costs more than the read itself (status reads hundreds).
  // deno-lint-ignore require-await
  async readText(path) {
    try {
      return Deno.readTextFileSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
  },
  async writeAtomic(path, content, { mode, owner }) {
    const tmp = `${dirname(path)}/${tempPrefix(path)}${Deno.pid}`;
    try {
      await Deno.writeTextFile(tmp, content, { mode, create: true });
      await Deno.chmod(tmp, mode);
      if (owner) await Deno.chown(tmp, owner.uid, owner.gid);
      await Deno.rename(tmp, path);
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
  },
  async remove(path) {
    try {
      await Deno.remove(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  },
  async mkdirp(path, options = {}) {
    const created: string[] = [];
    let p = path;
    const missing: string[] = [];
    while (p !== "/" && !(await exists(p))) {
      missing.unshift(p);
      p = dirname(p);
    }
    for (const dir of missing) {
      await Deno.mkdir(dir, { mode: options.mode ?? 0o755 });
      if (options.owner) {
        await Deno.chown(dir, options.owner.uid, options.owner.gid);
      }
      created.push(dir);
    }
    return created;
  },
  async rmdir(path) {
    try {
      await Deno.remove(path);
    } catch {
      // missing or not empty: both fine
    }
  },
  async list(path) {
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(path)) names.push(e.name);
    } catch (e) {
      if (
        e instanceof Deno.errors.NotFound ||
        e instanceof Deno.errors.NotADirectory
      ) {
        return [];
      }
      throw e;
    }
    return names.sort();
  },
  exists,
  async writable(path) {
    let p = path;
    while (p !== "/" && !(await exists(p))) p = dirname(p);
    try {
      // access(2) semantics without a syscall binding: try to create and remove a file.
      const probe = `${p === "/" ? "" : p}/.autostart-probe-${Deno.pid}`;
      await Deno.writeFile(probe, new Uint8Array(), { createNew: true });
      await Deno.remove(probe);
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) return true;
      return false;
    }
  },
};

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    // A path this user cannot reach (a directory it may not search, a file where a
    // directory should be) is not there for it: nothing can be read or written there.
    if (
      e instanceof Deno.errors.NotFound ||
      e instanceof Deno.errors.PermissionDenied ||
      e instanceof Deno.errors.NotADirectory
    ) return false;
    throw e;
  }
}
