/**
 * The file system as drivers, plans and `apply()` see it: the {@link FileSystem}
 * interface and the types of its answers. No code: the real one is `denoFs`
 * (`core/fs.ts`), the test double `MemoryFs` (`core/fake.ts`).
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
