/**
 * Everything drivers may know about the invoking process, gathered once at start.
 * Plans are pure functions of a spec and this context, so tests build contexts by hand.
 *
 * @module
 */

import { denoFs, type FileSystem } from "./fs.ts";
import { fsLocker, type Locker } from "./lock.ts";
import type { PlanContext } from "./plan_context.ts";
import { denoRunner, type Runner } from "./runner.ts";
import type { UserInfo } from "./user_info.ts";

export type { PlanContext } from "./plan_context.ts";
export type { UserInfo } from "./user_info.ts";

/**
 * The invoking process and its effects: the facts of {@link PlanContext} plus the
 * injected runner, file system, account lookup and lock.
 */
export interface Context extends PlanContext {
  /** Runs commands. */
  runner: Runner;
  /** Reads and writes files. */
  fs: FileSystem;
  /** Looks up an account by name; `null` when there is none. */
  lookupUser(name: string): Promise<UserInfo | null>;
  /**
   * Takes the per-scope lock around changes (see `core/lock.ts`). Absent in hand-built
   * test contexts, which then run unlocked.
   */
  lock?: Locker;
}

/** Parses one `/etc/passwd` line (`name:x:uid:gid:gecos:home:shell`). */
export function parsePasswdLine(
  line: string,
): { name: string; uid: number; gid: number; home: string } | null {
  const f = line.split(":");
  if (f.length < 7) return null;
  const uid = Number(f[2]), gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  return { name: f[0]!, uid, gid, home: f[5]! };
}

/**
 * Looks a user up in `/etc/passwd` and `/etc/group` (no process started), falling back
 * to `getent` so accounts from other NSS sources (LDAP, ...) are found too.
 */
export async function lookupUserWith(
  runner: Runner,
  fs: FileSystem,
  name: string,
): Promise<UserInfo | null> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name)) return null;
  const numeric = /^\d+$/.test(name);
  const matches = (l: string) => {
    const f = l.split(":");
    return numeric ? f[2] === name : f[0] === name;
  };
  let entry: string | null | undefined =
    ((await fs.readText("/etc/passwd")) ?? "")
      .split("\n").find(matches);
  if (entry === undefined) entry = await getent(runner, "passwd", name);
  const p = entry ? parsePasswdLine(entry) : null;
  if (!p) return null;
  const gid = String(p.gid);
  let groupLine: string | null | undefined =
    ((await fs.readText("/etc/group")) ?? "")
      .split("\n").find((l) => l.split(":")[2] === gid);
  if (groupLine === undefined) groupLine = await getent(runner, "group", gid);
  const group = groupLine?.split(":")[0] || gid;
  return { ...p, group };
}

/** The entry's line, or `null` when it is missing or getent is unavailable. */
async function getent(
  runner: Runner,
  db: string,
  key: string,
): Promise<string | null> {
  const r = await runner.run(["getent", db, key]);
  if (r.code !== 0) return null;
  return r.stdout.split("\n")[0] || null;
}

/**
 * Parses the output of `dscl . -read /Users/NAME KEY...`: one `Key: value` per line,
 * or `Key:` with the value on the following line(s) indented by a space (dscl does
 * that for values with spaces, e.g. a home `/Users/Example User`).
 *
 * @example Usage
 * ```ts
 * import { parseDscl } from "./context.ts";
 * const m = parseDscl("UniqueID: 501\nNFSHomeDirectory:\n /Users/Example User\n");
 * console.assert(m.get("NFSHomeDirectory") === "/Users/Example User");
 * ```
 */
export function parseDscl(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let key: string | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith(" ")) {
      if (key !== null) {
        const prev = out.get(key) ?? "";
        out.set(key, prev === "" ? line.slice(1) : `${prev} ${line.slice(1)}`);
      }
      continue;
    }
    const m = /^([A-Za-z0-9_:]+?):(?: (.*))?$/.exec(line);
    if (!m) {
      key = null;
      continue;
    }
    key = m[1]!;
    out.set(key, m[2] ?? "");
  }
  return out;
}

/** Names of macOS's well-known groups, for when `id -gn` cannot answer. */
const DARWIN_GROUPS: Record<number, string> = { 0: "wheel", 20: "staff" };

/**
 * Looks a user up in Open Directory, as macOS keeps them (its `/etc/passwd` lists no
 * normal users and it has no `getent`): `dscl . -read /Users/NAME UniqueID
 * PrimaryGroupID NFSHomeDirectory` (only the keys used: an account may lack others,
 * such as UserShell), and `id -gn NAME` for the group's name (`staff`, not "20"). A
 * numeric name is a uid, turned into a name by `id -un UID`.
 */
export async function lookupUserDarwin(
  runner: Runner,
  name: string,
): Promise<UserInfo | null> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name)) return null;
  if (/^\d+$/.test(name)) {
    const r = await runner.run(["id", "-un", name]);
    const n = r.stdout.trim();
    if (r.code !== 0 || n === "" || /^\d+$/.test(n)) return null;
    name = n;
  }
  const r = await runner.run([
    "dscl",
    ".",
    "-read",
    `/Users/${name}`,
    "UniqueID",
    "PrimaryGroupID",
    "NFSHomeDirectory",
  ]);
  if (r.code !== 0) return null;
  const f = parseDscl(r.stdout);
  const uid = Number(f.get("UniqueID")), gid = Number(f.get("PrimaryGroupID"));
  const home = f.get("NFSHomeDirectory") ?? "";
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || !home) return null;
  const g = await runner.run(["id", "-gn", name]);
  const group = (g.code === 0 && g.stdout.trim()) || DARWIN_GROUPS[gid] ||
    String(gid);
  return { name, uid, gid, group, home };
}

/**
 * The invoking user on macOS, from one `id` (`uid=501(alice) gid=20(staff) ...`);
 * the home is `HOME` for a normal user, else Open Directory's.
 */
export async function darwinSelf(
  runner: Runner,
  env: Record<string, string>,
): Promise<UserInfo | null> {
  const r = await runner.run(["id"]);
  const m = /uid=(\d+)\(([^)]*)\)\s+gid=(\d+)\(([^)]*)\)/.exec(r.stdout);
  if (r.code !== 0 || !m) return null;
  const uid = Number(m[1]), gid = Number(m[3]);
  const self = { name: m[2]!, uid, gid, group: m[4]!, home: env.HOME ?? "/" };
  if (uid === 0 || !env.HOME) {
    self.home = (await lookupUserDarwin(runner, self.name))?.home ?? self.home;
  }
  return self;
}

/**
 * The account lookup of a platform, the one place that chooses: Open Directory on
 * macOS, `/etc/passwd` and `getent` elsewhere.
 */
export function userLookup(
  os: string,
  runner: Runner,
  fs: FileSystem,
): (name: string) => Promise<UserInfo | null> {
  return os === "darwin"
    ? (name) => lookupUserDarwin(runner, name)
    : (name) => lookupUserWith(runner, fs, name);
}

/** Builds the context of the running process (`os` is for tests: another platform's lookups). */
export async function createContext(
  options: { runner?: Runner; fs?: FileSystem; os?: string } = {},
): Promise<Context> {
  const runner = options.runner ?? denoRunner;
  const fs = options.fs ?? denoFs;
  const env = Deno.env.toObject();
  const uid = Deno.uid() ?? 0;
  const os = options.os ?? Deno.build.os;
  const lookupUser = userLookup(os, runner, fs);
  const found = os === "darwin"
    ? await darwinSelf(runner, env)
    : await lookupUser(String(uid));
  const self = found ?? {
    name: env.USER ?? env.LOGNAME ?? String(uid),
    uid,
    gid: Deno.gid() ?? uid,
    group: String(Deno.gid() ?? uid),
    home: env.HOME ?? "/",
  };
  if (env.HOME && uid !== 0) self.home = env.HOME;
  const sudoUser = uid === 0 && env.SUDO_USER && env.SUDO_USER !== "root"
    ? env.SUDO_USER
    : undefined;
  return {
    os,
    env,
    cwd: Deno.cwd(),
    self,
    sudoUser,
    runner,
    fs,
    lookupUser,
    lock: fsLocker(fs),
  };
}
