/**
 * Everything drivers may know about the invoking process, gathered once at start.
 * Plans are pure functions of a spec and this context, so tests build contexts by hand.
 *
 * @module
 */

import { denoFs, type FileSystem } from "./fs.ts";
import { fileLocker, type Locker } from "./lock.ts";
import { denoRunner, type Runner } from "./runner.ts";

/** A user account. */
export interface UserInfo {
  /** Login name. */
  name: string;
  /** Numeric user id. */
  uid: number;
  /** Numeric id of the primary group. */
  gid: number;
  /** Name of the primary group. */
  group: string;
  /** Home directory. */
  home: string;
}

/** The invoking process and its effects. */
export interface Context {
  /** `Deno.build.os` value: "linux", "darwin", ... */
  os: string;
  /** Environment of the invoking process (read-only snapshot). */
  env: Record<string, string>;
  /** Working directory of the invoking process. */
  cwd: string;
  /** The account running autostart. */
  self: UserInfo;
  /** The user who ran `sudo autostart ...`, when autostart runs under sudo. */
  sudoUser: string | undefined;
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

/** Builds the context of the running process. */
export async function createContext(
  options: { runner?: Runner; fs?: FileSystem } = {},
): Promise<Context> {
  const runner = options.runner ?? denoRunner;
  const fs = options.fs ?? denoFs;
  const env = Deno.env.toObject();
  const uid = Deno.uid() ?? 0;
  const lookupUser = (name: string) => lookupUserWith(runner, fs, name);
  const self = (await lookupUser(String(uid))) ?? {
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
    os: Deno.build.os,
    env,
    cwd: Deno.cwd(),
    self,
    sudoUser,
    runner,
    fs,
    lookupUser,
    lock: fileLocker,
  };
}
