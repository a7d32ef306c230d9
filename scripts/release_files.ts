/**
 * Release packaging: names of the release files, `.tar.gz` / `.zip` archives that hold
 * one executable named `autostart` (`autostart.exe` on Windows), and the `SHA256SUMS`
 * file in `sha256sum` format. Pure TypeScript (no tar/zip/sha256sum programs needed),
 * and it works on any files, so tests run it on fake binaries.
 *
 * Release layout (what `scripts/install.sh` and the Homebrew formula expect), under
 * `https://github.com/autostart-dev/autostart/releases/download/vVERSION/`:
 *
 * ```
 * autostart-VERSION-TARGET.tar.gz    autostart (mode 0755) and its man page autostart.1 (0644)
 * autostart-VERSION-TARGET.zip       Windows: autostart.exe
 * autostart-VERSION-TARGET[.exe]     the bare executables
 * SHA256SUMS                         "HEX  autostart-VERSION-TARGET.tar.gz" per archive
 * ```
 *
 * @module
 */

/** The targets of a release, as `deno compile --target` names them. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** A release target. */
export type Target = typeof TARGETS[number];

/** Whether a target builds a Windows executable. */
export function isWindows(target: string): boolean {
  return target.includes("windows");
}

/**
 * Name of the bare executable of a target.
 *
 * @example Usage
 * ```ts
 * import { binaryName } from "./release_files.ts";
 * console.assert(binaryName("0.1.0", "x86_64-pc-windows-msvc") ===
 *   "autostart-0.1.0-x86_64-pc-windows-msvc.exe");
 * ```
 */
export function binaryName(version: string, target: string): string {
  return `autostart-${version}-${target}${isWindows(target) ? ".exe" : ""}`;
}

/**
 * Name of the archive of a target: `.zip` for Windows, `.tar.gz` otherwise.
 *
 * @example Usage
 * ```ts
 * import { archiveName } from "./release_files.ts";
 * console.assert(archiveName("0.1.0", "aarch64-apple-darwin") ===
 *   "autostart-0.1.0-aarch64-apple-darwin.tar.gz");
 * ```
 */
export function archiveName(version: string, target: string): string {
  return `autostart-${version}-${target}${
    isWindows(target) ? ".zip" : ".tar.gz"
  }`;
}

/** Lowercase hex SHA-256 of bytes. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    data as Uint8Array<ArrayBuffer>,
  );
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Formats `sha256sum` output: one `HEX  NAME` line per file, sorted by name.
 *
 * @param entries file name → hex digest
 * @returns the file text
 */
export function formatSha256Sums(entries: Record<string, string>): string {
  return Object.keys(entries).sort().map((n) => `${entries[n]}  ${n}\n`)
    .join("");
}

/**
 * Parses `sha256sum` output (text `HEX  NAME` or binary `HEX *NAME` lines).
 *
 * @param text the SHA256SUMS file
 * @returns file name → lowercase hex digest
 * @throws Error on a line that is not a checksum line
 */
export function parseSha256Sums(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trimEnd());
    if (!m) {
      throw new Error(
        `SHA256SUMS line ${i + 1} is not "HEX  NAME": ${JSON.stringify(line)}`,
      );
    }
    out[m[2]!] = m[1]!.toLowerCase();
  }
  return out;
}

async function compress(
  data: Uint8Array,
  format: "gzip" | "deflate-raw",
): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** One regular file of a tar archive. */
export interface TarEntry {
  /** Its name inside the archive (at most 100 bytes). */
  name: string;
  /** Its content. */
  data: Uint8Array;
  /** Its permission bits, e.g. 0o755. */
  mode: number;
}

/** The 512-byte ustar header of one entry. */
function tarHeader(entry: TarEntry, mtime: number): Uint8Array {
  const enc = new TextEncoder();
  const header = new Uint8Array(512);
  const put = (offset: number, text: string) =>
    header.set(enc.encode(text), offset);
  if (enc.encode(entry.name).length > 100) {
    throw new Error(`tar entry name is longer than 100 bytes: ${entry.name}`);
  }
  put(0, entry.name);
  put(100, octal(entry.mode & 0o7777, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(entry.data.length, 12));
  put(136, octal(Math.floor(mtime), 12));
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\0");
  put(263, "00");
  put(265, "root");
  put(297, "root");
  const sum = header.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return header;
}

/**
 * A gzip-compressed ustar archive of regular files, in the order given.
 *
 * @param entries the files
 * @param mtime their modification time, seconds since the epoch
 * @returns the `.tar.gz` bytes
 */
export async function tarGzFiles(
  entries: readonly TarEntry[],
  mtime = 0,
): Promise<Uint8Array> {
  const size = entries.reduce(
    (n, e) => n + 512 + Math.ceil(e.data.length / 512) * 512,
    1024,
  );
  const tar = new Uint8Array(size);
  let at = 0;
  for (const e of entries) {
    tar.set(tarHeader(e, mtime), at);
    tar.set(e.data, at + 512);
    at += 512 + Math.ceil(e.data.length / 512) * 512;
  }
  return await compress(tar, "gzip");
}

/**
 * A gzip-compressed ustar archive holding one regular file.
 *
 * @param name the file's name inside the archive (at most 100 bytes)
 * @param data its content
 * @param mode its permission bits, e.g. 0o755
 * @param mtime its modification time, seconds since the epoch
 * @returns the `.tar.gz` bytes
 */
export async function tarGz(
  name: string,
  data: Uint8Array,
  mode = 0o755,
  mtime = 0,
): Promise<Uint8Array> {
  return await tarGzFiles([{ name, data, mode }], mtime);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (as zip and gzip use it). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function dosTime(mtime: number): { time: number; date: number } {
  const d = new Date(Math.max(mtime, 315532800) * 1000); // zip starts at 1980
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) |
      Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) |
      d.getUTCDate(),
  };
}

/**
 * A zip archive holding one deflated file, with its Unix mode recorded.
 *
 * @param name the file's name inside the archive
 * @param data its content
 * @param mode its permission bits, e.g. 0o755
 * @param mtime its modification time, seconds since the epoch
 * @returns the `.zip` bytes
 */
export async function zip(
  name: string,
  data: Uint8Array,
  mode = 0o755,
  mtime = 0,
): Promise<Uint8Array> {
  const nameBytes = new TextEncoder().encode(name);
  const body = await compress(data, "deflate-raw");
  const crc = crc32(data);
  const { time, date } = dosTime(mtime);
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 20, true); // version needed: 2.0 (deflate)
  local.setUint16(6, 0x0800, true); // UTF-8 names
  local.setUint16(8, 8, true); // deflate
  local.setUint16(10, time, true);
  local.setUint16(12, date, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, body.length, true);
  local.setUint32(22, data.length, true);
  local.setUint16(26, nameBytes.length, true);
  local.setUint16(28, 0, true);
  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(4, (3 << 8) | 20, true); // made by Unix, 2.0
  central.setUint16(6, 20, true);
  central.setUint16(8, 0x0800, true);
  central.setUint16(10, 8, true);
  central.setUint16(12, time, true);
  central.setUint16(14, date, true);
  central.setUint32(16, crc, true);
  central.setUint32(20, body.length, true);
  central.setUint32(24, data.length, true);
  central.setUint16(28, nameBytes.length, true);
  central.setUint32(38, ((0o100000 | (mode & 0o7777)) << 16) >>> 0, true);
  central.setUint32(42, 0, true); // offset of the local header
  const centralOffset = 30 + nameBytes.length + body.length;
  const centralSize = 46 + nameBytes.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, centralOffset, true);
  const parts = [
    new Uint8Array(local.buffer),
    nameBytes,
    body,
    new Uint8Array(central.buffer),
    nameBytes,
    new Uint8Array(end.buffer),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One executable to package. */
export interface ReleaseBinary {
  /** Its target, e.g. "x86_64-unknown-linux-gnu". */
  target: string;
  /** Path of the executable. */
  path: string;
}

/** Options of {@link packageRelease}. */
export interface PackageOptions {
  /** Directory the archives and SHA256SUMS are written to. */
  outDir: string;
  /** Release version, without a leading "v". */
  version: string;
  /** Time stamp of the archived files (seconds); default: SOURCE_DATE_EPOCH or each file's mtime. */
  mtime?: number;
  /** The man page put beside the executable in each `.tar.gz`; default: `autostart man`'s. */
  manPage?: string;
}

/** What {@link packageRelease} wrote. */
export interface PackageResult {
  /** Paths of the archives, in the order of the binaries. */
  archives: string[];
  /** Path of SHA256SUMS. */
  sums: string;
  /** Archive name → hex digest. */
  digests: Record<string, string>;
}

/**
 * Packs each executable into its archive (`autostart` and the man page
 * `autostart.1` inside a `.tar.gz`, or `autostart.exe` inside a `.zip` for Windows)
 * and writes `SHA256SUMS` over the archives. Archives are written to a temporary
 * name and renamed.
 *
 * @param binaries the executables, one per target
 * @param options output directory and version
 * @returns the files written
 * @example Usage
 * ```ts ignore
 * await packageRelease(
 *   [{ target: "x86_64-unknown-linux-gnu", path: "dist/release/autostart-0.1.0-x86_64-unknown-linux-gnu" }],
 *   { outDir: "dist/release", version: "0.1.0" },
 * );
 * ```
 */
export async function packageRelease(
  binaries: readonly ReleaseBinary[],
  options: PackageOptions,
): Promise<PackageResult> {
  const { outDir, version } = options;
  await Deno.mkdir(outDir, { recursive: true });
  const epoch = Deno.env.get("SOURCE_DATE_EPOCH");
  const man = new TextEncoder().encode(
    options.manPage ?? await manPageOf(version),
  );
  const digests: Record<string, string> = {};
  const archives: string[] = [];
  for (const b of binaries) {
    const data = await Deno.readFile(b.path);
    const stat = await Deno.stat(b.path);
    const mtime = options.mtime ??
      (epoch ? Number(epoch) : (stat.mtime?.getTime() ?? 0) / 1000);
    const win = isWindows(b.target);
    const bytes = win
      ? await zip("autostart.exe", data, 0o755, mtime)
      : await tarGzFiles([
        { name: "autostart", data, mode: 0o755 },
        { name: MAN_PAGE, data: man, mode: 0o644 },
      ], mtime);
    const name = archiveName(version, b.target);
    const path = `${outDir}/${name}`;
    await writeAtomic(path, bytes);
    digests[name] = await sha256Hex(bytes);
    archives.push(path);
  }
  const sums = `${outDir}/SHA256SUMS`;
  await writeAtomic(
    sums,
    new TextEncoder().encode(formatSha256Sums(digests)),
  );
  return { archives, sums, digests };
}

/** Name of the man page in the release archives (the Homebrew formula installs it). */
export const MAN_PAGE = "autostart.1";

/** The man page of a version, as `autostart man` prints it. */
async function manPageOf(version: string): Promise<string> {
  const [{ renderMan }, { TABLE }] = await Promise.all([
    import("../cli/man.ts"),
    import("../cli/table/mod.ts"),
  ]);
  return renderMan(TABLE, version);
}

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
