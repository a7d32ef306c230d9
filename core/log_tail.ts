/**
 * Log files without loading them whole: the last lines are read backwards from the end
 * in blocks, and a follow polls the files' sizes and reads only what was appended
 * (starting again from the top when a file is truncated or replaced by a rotation).
 * Used by drivers whose services write plain files (launchd, systemd with --log-dir).
 * Every read goes through a {@link FileSystem} (`options.fs`: the context's, so tests
 * tail files of an in-memory one; default: the real one).
 *
 * @module
 */

import { denoFs, type FileSystem } from "./fs.ts";

/** Options of {@link tailFiles}. */
export interface TailOptions {
  /** How many of the last lines to give first. */
  lines: number;
  /** Keep giving appended lines until `signal` aborts. */
  follow: boolean;
  /** Ends a follow; the iteration then finishes normally. */
  signal?: AbortSignal;
  /** Milliseconds between two looks at the files while following (default 200). */
  pollMs?: number;
  /** Block size of backward reads (default 64 KiB). */
  blockSize?: number;
  /** Called with the size of every read, so tests can see how much was read. */
  onRead?: (bytes: number) => void;
  /** Where the files are read (give `ctx.fs`); default: the real file system. */
  fs?: FileSystem;
}

const decoder = new TextDecoder();

/** Size and identity of a file (symlinks followed), or `null` when it does not exist. */
async function statOf(
  fs: FileSystem,
  path: string,
): Promise<{ size: number; ino: number | null } | null> {
  let real: string;
  try {
    real = await fs.realPath(path);
  } catch {
    return null; // missing, or a link that leads nowhere
  }
  const s = await fs.stat(real);
  return s === null ? null : { size: s.size ?? 0, ino: s.ino ?? null };
}

/**
 * The last `n` lines of a file, read backwards from its end in blocks, and the size
 * the read stopped at (where a follow goes on). A missing file has no lines.
 *
 * @example Usage
 * ```ts ignore
 * const { lines } = await lastLines("/var/log/web.log", 20);
 * ```
 */
export async function lastLines(
  path: string,
  n: number,
  options: Pick<TailOptions, "blockSize" | "onRead" | "fs"> = {},
): Promise<{ lines: string[]; size: number }> {
  const fs = options.fs ?? denoFs;
  return await linesBefore(fs, path, await statOf(fs, path), n, options);
}

/** {@link lastLines} of a file whose {@link statOf} is `st` (`null`: missing). */
async function linesBefore(
  fs: FileSystem,
  path: string,
  st: { size: number } | null,
  n: number,
  options: Pick<TailOptions, "blockSize" | "onRead">,
): Promise<{ lines: string[]; size: number }> {
  const blockSize = options.blockSize ?? 64 * 1024;
  if (st === null) return { lines: [], size: 0 };
  const size = st.size;
  if (n <= 0 || size === 0) return { lines: [], size };
  const blocks: Uint8Array[] = [];
  let pos = size, newlines = 0;
  // n lines need n+1 newlines before them (the last byte may be a final "\n").
  while (pos > 0 && newlines <= n) {
    const len = Math.min(blockSize, pos);
    pos -= len;
    const buf = await readRange(fs, path, pos, pos + len, options.onRead);
    for (const b of buf) if (b === 10) newlines++;
    blocks.unshift(buf);
  }
  const all = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    all.set(b, o);
    o += b.length;
  }
  const text = decoder.decode(all).replace(/\n$/, "");
  const lines = text.split("\n");
  // The first line may be cut by the block boundary: drop it unless at the start.
  if (pos > 0) lines.shift();
  return { lines: lines.slice(-n), size };
}

/** Reads `[from, to)` of a file (empty when it is gone meanwhile). */
async function readRange(
  fs: FileSystem,
  path: string,
  from: number,
  to: number,
  onRead?: (bytes: number) => void,
): Promise<Uint8Array> {
  const out = await fs.readBytes(path, from, to - from) ?? new Uint8Array();
  onRead?.(out.length);
  return out;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * The last lines of one or more log files (the same file given twice counts once),
 * then, with `follow`, every line appended to any of them until `signal` aborts. A
 * file that does not exist yet is waited for; one that shrinks or is replaced (log
 * rotation) is read again from its start.
 */
export async function* tailFiles(
  paths: string[],
  options: TailOptions,
): AsyncGenerator<string> {
  const files = [...new Set(paths)];
  const { signal, onRead } = options;
  const fs = options.fs ?? denoFs;
  const state = new Map<string, { offset: number; ino: number | null }>();
  // One look at each file gives both where the follow starts and its identity.
  const firsts = await Promise.all(files.map(async (p) => {
    const st = await statOf(fs, p);
    const last = await linesBefore(fs, p, st, options.lines, options);
    return { ...last, ino: st?.ino ?? null };
  }));
  const initial = files.length === 1 ? firsts[0]!.lines : firsts.flatMap((
    f,
  ) => f.lines).slice(-options.lines);
  for (const [i, p] of files.entries()) {
    state.set(p, { offset: firsts[i]!.size, ino: firsts[i]!.ino });
  }
  for (const line of initial) {
    if (signal?.aborted) return;
    yield line;
  }
  if (!options.follow) return;
  const partial = new Map<string, string>();
  while (!signal?.aborted) {
    for (const p of files) {
      const st = await statOf(fs, p);
      const s = state.get(p)!;
      if (st === null) {
        s.offset = 0;
        s.ino = null;
        continue;
      }
      if (st.size < s.offset || (s.ino !== null && st.ino !== s.ino)) {
        s.offset = 0; // truncated or replaced
        partial.delete(p);
      }
      s.ino = st.ino;
      if (st.size === s.offset) continue;
      const bytes = await readRange(fs, p, s.offset, st.size, onRead);
      s.offset += bytes.length;
      const text = (partial.get(p) ?? "") +
        decoder.decode(bytes, { stream: false });
      const parts = text.split("\n");
      partial.set(p, parts.pop()!);
      for (const line of parts) {
        if (signal?.aborted) return;
        yield line;
      }
    }
    await sleep(options.pollMs ?? 200, signal);
  }
}
