/**
 * The filesystem as drivers and `apply()` see it: a few operations, injected so tests
 * can fail any one of them. Writes are atomic (temporary file in the same directory,
 * then rename), so a reader never sees half a unit file.
 *
 * autostart runs as root, often in directories it did not create, so the real
 * filesystem ({@link denoFs}) never acts on a path another user could swap between two
 * system calls: the temporary file is created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`)
 * and given its mode and owner through its handle (`fchmod`/`fchown`), then synced
 * with its directory; a created directory is handed to its owner through a handle
 * opened with `O_DIRECTORY|O_NOFOLLOW`, and only the last one of a path is.
 * `rootOnlyProblem()` (`core/root_only.ts`) says whether a directory may hold files
 * root opens. The interface is in `core/file_system.ts`; both are re-exported here.
 *
 * @module
 */

import type { FileSystem, Owner } from "./file_system.ts";

export type {
  FileInfo,
  FileLock,
  FileSystem,
  Owner,
  WriteOptions,
} from "./file_system.ts";
export { rootOnlyProblem } from "./root_only.ts";

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
  async size(path) {
    const st = await Deno.lstat(path).catch(() => null);
    return st?.isFile ? st.size : null;
  },
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
  async readBytes(path, offset, length) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
    try {
      await file.seek(offset, Deno.SeekMode.Start);
      const out = new Uint8Array(length);
      let off = 0;
      while (off < length) {
        const got = await file.read(out.subarray(off));
        if (got === null) break;
        off += got;
      }
      return out.subarray(0, off);
    } finally {
      file.close();
    }
  },
  async writeAtomic(path, content, { mode, owner }) {
    const nfs = await nodeFs();
    const c = nfs.constants;
    const dir = dirname(path);
    const tmp = `${dir}/${tempPrefix(path)}${Deno.pid}-${randomSuffix()}`;
    let fd: number;
    try {
      // Exclusive and never through a symlink: a name planted in advance fails.
      fd = nfs.openSync(
        tmp,
        c.O_WRONLY | c.O_CREAT | c.O_EXCL | c.O_NOFOLLOW,
        0o600,
      );
    } catch (e) {
      throw denoError(e, `create ${tmp}`);
    }
    try {
      try {
        const bytes = new TextEncoder().encode(content);
        for (let off = 0; off < bytes.length;) {
          off += nfs.writeSync(fd, bytes, off, bytes.length - off);
        }
        // Owner first: chown clears set-id bits, and the mode is the last word.
        if (owner) {
          try {
            nfs.fchownSync(fd, owner.uid, owner.gid);
          } catch (e) {
            // Not root, putting back a file of its own whose group it is not in:
            // the file stays its own, which is what matters.
            if (Deno.uid() === 0 || owner.uid !== Deno.uid()) throw e;
          }
        }
        nfs.fchmodSync(fd, mode);
        nfs.fsyncSync(fd);
      } finally {
        nfs.closeSync(fd);
      }
      nfs.renameSync(tmp, path);
    } catch (e) {
      try {
        nfs.unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw denoError(e, `write ${path}`);
    }
    syncDir(nfs, dir);
  },
  async createFile(path, { mode, owner }) {
    const nfs = await nodeFs();
    const c = nfs.constants;
    let fd: number;
    try {
      fd = nfs.openSync(
        path,
        c.O_WRONLY | c.O_CREAT | c.O_EXCL | c.O_NOFOLLOW,
        0o600,
      );
    } catch (e) {
      if ((e as { code?: string }).code === "EEXIST") return false;
      throw denoError(e, `create ${path}`);
    }
    try {
      if (owner) nfs.fchownSync(fd, owner.uid, owner.gid);
      nfs.fchmodSync(fd, mode);
    } catch (e) {
      nfs.closeSync(fd);
      nfs.unlinkSync(path);
      throw denoError(e, `set the owner of ${path}`);
    }
    nfs.closeSync(fd);
    return true;
  },
  async remove(path) {
    try {
      await Deno.remove(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  },
  async mkdirp(path, options = {}) {
    const mode = options.mode ?? 0o755;
    const created: string[] = [];
    let p = path;
    const missing: string[] = [];
    while (p !== "/" && !(await exists(p))) {
      missing.unshift(p);
      p = dirname(p);
    }
    for (const dir of missing) {
      try {
        await Deno.mkdir(dir, { mode });
      } catch (e) {
        // Created meanwhile by someone else: not ours to chown or remove.
        if (e instanceof Deno.errors.AlreadyExists) continue;
        throw e;
      }
      created.push(dir);
    }
    if (options.owner && created[created.length - 1] === path) {
      await handOver(path, mode, options.owner);
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
  async stat(path) {
    try {
      const st = await Deno.lstat(path);
      return {
        type: st.isFile
          ? "file"
          : st.isDirectory
          ? "dir"
          : st.isSymlink
          ? "symlink"
          : "other",
        mode: (st.mode ?? 0) & 0o7777,
        uid: st.uid ?? -1,
        gid: st.gid ?? -1,
        size: st.size,
        ...(st.ino !== null ? { ino: st.ino } : {}),
      };
    } catch (e) {
      if (
        e instanceof Deno.errors.NotFound ||
        e instanceof Deno.errors.NotADirectory
      ) return null;
      throw e;
    }
  },
  realPath: (path) => Deno.realPath(path),
  async tryLock(path) {
    const file = await Deno.open(path, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    try {
      if (!(await file.tryLock(true))) {
        file.close();
        return null;
      }
    } catch (e) {
      file.close();
      throw e;
    }
    let held = true;
    return {
      release() {
        if (!held) return;
        held = false;
        try {
          file.close(); // closing the descriptor drops the flock
        } catch {
          // already closed
        }
      },
    };
  },
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

type NodeFs = typeof import("node:fs");
let nodeFsModule: NodeFs | undefined;

/** node:fs, for what `Deno.*` lacks (O_NOFOLLOW, fchown, fchmod, fsync of a directory). */
async function nodeFs(): Promise<NodeFs> {
  return nodeFsModule ??= await import("node:fs");
}

function randomSuffix(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** Turns a node:fs error into the matching `Deno.errors` class, naming what failed. */
function denoError(e: unknown, what: string): Error {
  const code = (e as { code?: string }).code;
  const msg = `${(e as Error).message ?? e}`;
  const m = `Cannot ${what}: ${msg}`;
  if (code === "ENOENT") return new Deno.errors.NotFound(m);
  if (code === "EACCES" || code === "EPERM") {
    return new Deno.errors.PermissionDenied(m);
  }
  if (code === "EEXIST") return new Deno.errors.AlreadyExists(m);
  if (code === "ELOOP") return new Deno.errors.FilesystemLoop(m);
  if (code === "ENOTDIR") return new Deno.errors.NotADirectory(m);
  return e instanceof Error ? e : new Error(m);
}

/** fsync of a directory, so a rename in it survives a power loss. Best effort. */
function syncDir(nfs: NodeFs, dir: string): void {
  let fd: number | undefined;
  try {
    fd = nfs.openSync(dir, nfs.constants.O_RDONLY | nfs.constants.O_DIRECTORY);
    nfs.fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the file itself is synced
  } finally {
    if (fd !== undefined) nfs.closeSync(fd);
  }
}

/**
 * Gives the directory this process just created at `path` to `owner`, through a
 * handle: opened with O_DIRECTORY|O_NOFOLLOW (a symlink put in its place fails), and
 * checked to be still ours (a directory someone else put there is refused).
 */
async function handOver(path: string, mode: number, owner: Owner) {
  const nfs = await nodeFs();
  const c = nfs.constants;
  let fd: number;
  try {
    fd = nfs.openSync(path, c.O_RDONLY | c.O_DIRECTORY | c.O_NOFOLLOW);
  } catch (e) {
    throw denoError(e, `open the directory ${path} to set its owner`);
  }
  try {
    const st = nfs.fstatSync(fd);
    if (!st.isDirectory() || st.uid !== Deno.uid()) {
      throw new Deno.errors.PermissionDenied(
        `Refusing to set the owner of ${path}: it was replaced while being created (now owned by uid ${st.uid})`,
      );
    }
    nfs.fchownSync(fd, owner.uid, owner.gid);
    nfs.fchmodSync(fd, mode);
  } catch (e) {
    throw denoError(e, `set the owner of ${path}`);
  } finally {
    nfs.closeSync(fd);
  }
}
