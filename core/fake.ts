/**
 * Test doubles for drivers and plans: {@link FakeRunner} records ordered command lines
 * and answers from rules; {@link MemoryFs} keeps files in memory and can fail on demand.
 * Exported so plugin authors can test their drivers the same way.
 *
 * @module
 */

import type {
  FileInfo,
  FileLock,
  FileSystem,
  Owner,
  WriteOptions,
} from "./fs.ts";
import { dirname } from "./fs.ts";
import {
  type CommandResult,
  type Runner,
  type RunOptions,
  StreamError,
  type StreamOptions,
} from "./runner.ts";

/** A rule of {@link FakeRunner}: the first rule whose `match` accepts the argv answers. */
export interface FakeRule {
  /** Prefix of the command line (each element equal), or a predicate. */
  match: string[] | ((argv: string[]) => boolean);
  /** The answer: a result, or a function of the argv. */
  result: Partial<CommandResult> | ((argv: string[]) => Partial<CommandResult>);
}

/**
 * A runner that records every command line and answers from rules (default: exit 0, no
 * output).
 *
 * @example Usage
 * ```ts
 * import { FakeRunner } from "./fake.ts";
 * const r = new FakeRunner([{ match: ["systemctl", "start"], result: { code: 1, stderr: "no" } }]);
 * const res = await r.run(["systemctl", "start", "x"]);
 * console.assert(res.code === 1 && r.lines()[0] === "systemctl start x");
 * ```
 */
export class FakeRunner implements Runner {
  /** Every call, in order. */
  readonly calls: { argv: string[]; options: RunOptions }[] = [];
  /** Rules, first match wins. */
  readonly rules: FakeRule[];

  /** @param rules Answers to give. */
  constructor(rules: FakeRule[] = []) {
    this.rules = rules;
  }

  /** Adds a rule in front of the others. */
  on(match: FakeRule["match"], result: FakeRule["result"]): this {
    this.rules.unshift({ match, result });
    return this;
  }

  /** Recorded command lines joined with spaces, for compact assertions. */
  lines(): string[] {
    return this.calls.map((c) => c.argv.join(" "));
  }

  run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    this.calls.push({ argv: [...argv], options });
    for (const rule of this.rules) {
      const ok = typeof rule.match === "function"
        ? rule.match(argv)
        : rule.match.every((m, i) => argv[i] === m);
      if (!ok) continue;
      const r = typeof rule.result === "function"
        ? rule.result(argv)
        : rule.result;
      return Promise.resolve({
        code: r.code ?? 0,
        stdout: r.stdout ?? "",
        stderr: r.stderr ?? "",
      });
    }
    return Promise.resolve({ code: 0, stdout: "", stderr: "" });
  }

  /**
   * Answers from the same rules as {@link FakeRunner.run}: yields the stdout lines, then
   * throws {@link StreamError} when the code is not 0. The call is recorded with its
   * options (an `env`, a `signal`).
   */
  async *stream(
    argv: string[],
    options: StreamOptions = {},
  ): AsyncGenerator<string> {
    const { signal, ...rest } = options;
    const r = await this.run(argv, rest);
    const call = this.calls[this.calls.length - 1]!;
    if (signal) call.options = { ...call.options, signal } as RunOptions;
    const lines = r.stdout === ""
      ? []
      : r.stdout.replace(/\n$/, "").split("\n");
    for (const line of lines) {
      if (signal?.aborted) return;
      yield line;
    }
    if (r.code !== 0 && !signal?.aborted) {
      throw new StreamError(argv, r.code, r.stderr);
    }
  }
}

/** A file kept by {@link MemoryFs}. */
export interface MemoryFile {
  /** Contents. */
  content: string;
  /** Permission bits. */
  mode: number;
  /** Owner, when one was set. */
  owner?: Owner;
}

/**
 * An in-memory filesystem. `failOn` makes an operation throw, to test rollback.
 */
export class MemoryFs implements FileSystem {
  /** Files by absolute path. */
  readonly files: Map<string, MemoryFile> = new Map();
  /** Directories that exist. */
  readonly dirs: Set<string> = new Set(["/"]);
  /** Return true to make that operation on that path throw. */
  failOn: ((op: string, path: string) => boolean) | undefined;
  /**
   * Owner and mode of directories, by path (default: root's, 0755); files keep theirs
   * in {@link MemoryFile}.
   */
  readonly dirInfo: Map<string, { uid: number; gid: number; mode: number }> =
    new Map();
  /** Owner of what is written without an explicit owner (the writing process). */
  writer: Owner = { uid: 0, gid: 0 };
  /**
   * Programs the machine has besides its files (`/bin/sh`, ...), by path: `stat`,
   * `exists` and `realPath` see them (so a spec resolves its program here), while
   * {@link MemoryFs.files} and {@link MemoryFs.snapshot} leave them out. See
   * {@link MemoryFs.addProgram}.
   */
  readonly programs: Map<string, { uid: number; gid: number; mode: number }> =
    new Map();

  /** @param files Initial files. */
  constructor(files: Record<string, string> = {}) {
    for (const [p, c] of Object.entries(files)) {
      this.files.set(p, { content: c, mode: 0o644 });
      this.#addDirs(dirname(p));
    }
  }

  /**
   * Adds an executable the machine has (default: root's, mode 0755), for specs to
   * resolve; its directories exist as root's 0755 unless set otherwise.
   *
   * @example Usage
   * ```ts
   * import { MemoryFs } from "./fake.ts";
   * const fs = new MemoryFs().addProgram("/bin/sh");
   * console.assert((await fs.stat("/bin/sh"))?.mode === 0o755);
   * ```
   */
  addProgram(
    path: string,
    info: Partial<{ uid: number; gid: number; mode: number }> = {},
  ): this {
    this.programs.set(path, { uid: 0, gid: 0, mode: 0o755, ...info });
    return this;
  }

  #addDirs(dir: string) {
    for (let d = dir; d !== "/"; d = dirname(d)) this.dirs.add(d);
  }

  #check(op: string, path: string) {
    if (this.failOn?.(op, path)) {
      throw new Error(`injected failure: ${op} ${path}`);
    }
  }

  #inodes = new Map<string, number>();
  #nextInode = 1;

  /** The identity of the file at `path`: a new one each time it is replaced. */
  #inode(path: string, renew = false): number {
    let n = this.#inodes.get(path);
    if (n === undefined || renew) {
      n = this.#nextInode++;
      this.#inodes.set(path, n);
    }
    return n;
  }

  size(path: string): Promise<number | null> {
    const f = this.files.get(path);
    return Promise.resolve(
      f === undefined ? null : new TextEncoder().encode(f.content).length,
    );
  }

  readText(path: string): Promise<string | null> {
    this.#check("read", path);
    return Promise.resolve(this.files.get(path)?.content ?? null);
  }

  readBytes(
    path: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array | null> {
    this.#check("read", path);
    const f = this.files.get(path);
    if (f === undefined) return Promise.resolve(null);
    const bytes = new TextEncoder().encode(f.content);
    return Promise.resolve(bytes.slice(offset, offset + length));
  }

  writeAtomic(
    path: string,
    content: string,
    { mode, owner }: WriteOptions,
  ): Promise<void> {
    this.#check("write", path);
    if (!this.dirs.has(dirname(path))) {
      return Promise.reject(
        new Deno.errors.NotFound(`No such directory: ${dirname(path)}`),
      );
    }
    this.files.set(path, { content, mode, ...(owner ? { owner } : {}) });
    this.#inode(path, true); // a rename puts a new file in place
    return Promise.resolve();
  }

  createFile(path: string, { mode, owner }: WriteOptions): Promise<boolean> {
    this.#check("create", path);
    if (this.files.has(path) || this.dirs.has(path)) {
      return Promise.resolve(false);
    }
    if (!this.dirs.has(dirname(path))) {
      return Promise.reject(
        new Deno.errors.NotFound(`No such directory: ${dirname(path)}`),
      );
    }
    this.files.set(path, { content: "", mode, ...(owner ? { owner } : {}) });
    this.#inode(path, true);
    return Promise.resolve(true);
  }

  remove(path: string): Promise<void> {
    this.#check("remove", path);
    this.files.delete(path);
    this.#inodes.delete(path);
    return Promise.resolve();
  }

  mkdirp(
    path: string,
    options: { mode?: number; owner?: Owner } = {},
  ): Promise<string[]> {
    this.#check("mkdir", path);
    const created: string[] = [];
    for (let d = path; d !== "/" && !this.dirs.has(d); d = dirname(d)) {
      created.unshift(d);
    }
    for (const d of created) this.dirs.add(d);
    const mode = options.mode ?? 0o755;
    for (const d of created) {
      const owner = d === path ? options.owner : undefined;
      this.dirInfo.set(d, { uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, mode });
    }
    return Promise.resolve(created);
  }

  /** Sets the owner or mode a directory or file reports (for ownership checks in tests). */
  setInfo(
    path: string,
    info: Partial<{ uid: number; gid: number; mode: number }>,
  ): void {
    const f = this.files.get(path);
    if (f) {
      f.mode = info.mode ?? f.mode;
      f.owner = {
        uid: info.uid ?? f.owner?.uid ?? 0,
        gid: info.gid ?? f.owner?.gid ?? 0,
      };
      return;
    }
    this.#addDirs(path);
    const d = this.dirInfo.get(path) ?? { uid: 0, gid: 0, mode: 0o755 };
    this.dirInfo.set(path, { ...d, ...info });
  }

  stat(path: string): Promise<FileInfo | null> {
    const program = this.files.has(path) ? undefined : this.programs.get(path);
    if (program) return Promise.resolve({ type: "file", size: 0, ...program });
    const f = this.files.get(path);
    if (f) {
      return Promise.resolve({
        type: "file",
        mode: f.mode,
        uid: f.owner?.uid ?? this.writer.uid,
        gid: f.owner?.gid ?? this.writer.gid,
        size: new TextEncoder().encode(f.content).length,
        ino: this.#inode(path),
      });
    }
    const prefix = path === "/" ? "/" : `${path}/`;
    if (
      !this.dirs.has(path) &&
      ![...this.dirs, ...this.files.keys(), ...this.programs.keys()].some((p) =>
        p.startsWith(prefix)
      )
    ) return Promise.resolve(null);
    const d = this.dirInfo.get(path) ?? { uid: 0, gid: 0, mode: 0o755 };
    return Promise.resolve({ type: "dir", size: 0, ...d });
  }

  /** No symlinks here: the path itself, when something is there (as `realpath(3)`). */
  async realPath(path: string): Promise<string> {
    if (path === "/" || await this.exists(path)) return path;
    throw new Deno.errors.NotFound(`No such file or directory: ${path}`);
  }

  /** Paths locked with {@link MemoryFs.tryLock} and not released yet. */
  readonly locked: Set<string> = new Set();

  /** Locks in this object (the file is created 0600 when missing, as on disk). */
  tryLock(path: string): Promise<FileLock | null> {
    this.#check("lock", path);
    if (!this.dirs.has(dirname(path))) {
      return Promise.reject(
        new Deno.errors.NotFound(`No such directory: ${dirname(path)}`),
      );
    }
    if (!this.files.has(path)) {
      this.files.set(path, { content: "", mode: 0o600 });
      this.#inode(path, true);
    }
    if (this.locked.has(path)) return Promise.resolve(null);
    this.locked.add(path);
    let held = true;
    return Promise.resolve({
      release: () => {
        if (held) this.locked.delete(path);
        held = false;
      },
    });
  }

  rmdir(path: string): Promise<void> {
    const busy = [...this.files.keys(), ...this.dirs].some((p) =>
      p.startsWith(path + "/")
    );
    if (!busy) this.dirs.delete(path);
    return Promise.resolve();
  }

  list(path: string): Promise<string[]> {
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (dirname(p) === path && p !== "/") names.add(p.slice(path.length + 1));
    }
    return Promise.resolve([...names].sort());
  }

  exists(path: string): Promise<boolean> {
    const prefix = `${path}/`;
    return Promise.resolve(
      this.files.has(path) || this.dirs.has(path) || this.programs.has(path) ||
        [...this.programs.keys()].some((p) => p.startsWith(prefix)),
    );
  }

  /** Writable unless `failOn("write", path)` says otherwise. */
  writable(path: string): Promise<boolean> {
    return Promise.resolve(!this.failOn?.("write", path));
  }

  /** Paths and contents, for snapshots. */
  snapshot(): Record<string, string> {
    return Object.fromEntries(
      [...this.files].map(([p, f]) => [p, f.content]).sort(),
    );
  }
}
