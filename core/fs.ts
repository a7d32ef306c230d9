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
 * {@link rootOnlyProblem} says whether a directory may hold files root opens.
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

/** What {@link FileSystem.stat} says about a path (the path itself: a symlink is not followed). */
export interface FileInfo {
  /** Kind of entry. */
  type: "file" | "dir" | "symlink" | "other";
  /** Permission bits (`0o7777` part of st_mode). */
  mode: number;
  /** Owner. */
  uid: number;
  /** Group. */
  gid: number;
  /**
   * Size in bytes (of the entry itself). Given by {@link denoFs} and `MemoryFs`;
   * log tailing needs it (a file system without it tails nothing).
   */
  size?: number;
  /**
   * The file's identity (inode number) where the system has one: it changes when a
   * file is replaced (a rotated log), not when it is appended to.
   */
  ino?: number;
}

/** A lock held on a file ({@link FileSystem.tryLock}). */
export interface FileLock {
  /** Drops the lock (idempotent). */
  release(): void;
}

/** File operations used to apply plans. */
export interface FileSystem {
  /** Contents of a text file, or `null` when it does not exist. */
  readText(path: string): Promise<string | null>;
  /**
   * Up to `length` bytes of the file at `path` from byte `offset` (fewer at its end),
   * or `null` when it does not exist. Log tailing reads files this way, a piece at a
   * time, never whole.
   */
  readBytes(
    path: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array | null>;
  /** Writes `content` to `path` atomically with the given mode and owner. */
  writeAtomic(
    path: string,
    content: string,
    options: WriteOptions,
  ): Promise<void>;
  /**
   * Creates an empty file exclusively (never through a symlink) with this mode and
   * owner, given through its handle; returns `false`, changing nothing, when something
   * is already there.
   */
  createFile(path: string, options: WriteOptions): Promise<boolean>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /**
   * Creates a directory and its parents; returns the directories it created. `owner`
   * applies to the last directory only, and only when this call created it (handed
   * over through a handle, never by path); parents stay the writer's.
   */
  mkdirp(
    path: string,
    options?: { mode?: number; owner?: Owner },
  ): Promise<string[]>;
  /** Type, mode and owner of `path` itself (lstat), or `null` when nothing is there. */
  stat(path: string): Promise<FileInfo | null>;
  /** `path` with every symlink resolved (it must exist). */
  realPath(path: string): Promise<string>;
  /**
   * Takes an exclusive advisory lock (`flock`) on the file at `path`, created with
   * mode 0600 when missing, without waiting: the held lock, or `null` when another
   * holder has it. The kernel drops it when its holder dies (`core/lock.ts` polls it).
   */
  tryLock(path: string): Promise<FileLock | null>;
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
  /**
   * Size in bytes of the regular file at `path` (not following a final symlink), or
   * `null` when there is none. Optional: used by `doctor` only.
   */
  size?(path: string): Promise<number | null>;
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

/**
 * Groups whose write access to a directory does not make it unsafe for root: gid 0
 * (root, wheel); on macOS admin (80), which owns /Library/Logs and whose members may
 * become root anyway; on Linux also the group of a root-owned /var/log, which the
 * system already trusts with its logs (Ubuntu: root:syslog 0775).
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
 * import { rootOnlyProblem } from "./fs.ts";
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
