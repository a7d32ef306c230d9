/**
 * The other user, for security tests in the real-systemd sandbox (tests/sandbox.ts).
 * autostart runs as root; these helpers let a test create an unprivileged user in the
 * box, act as that user (own a directory, plant a symlink, swap a directory in a loop)
 * and look at the result as root.
 *
 * Stable API (shared by every suite under tests/security/):
 * - {@link addAttacker}: create the user (no login shell needed, no linger unless asked).
 * - {@link Attacker.sh} / {@link Attacker.exec} / {@link Attacker.autostart}: run as
 *   that user.
 * - {@link Attacker.loop}: a shell loop run by that user in the background until stopped.
 * - {@link race}: a bounded race: the attacker's loop runs while root repeats the victim
 *   operation `tries` times; reports whether (and at which try) the attack won.
 * - {@link statIn}: owner, mode and type of a path in the box, without following a
 *   final symlink.
 *
 * @module
 */

import type { BoxResult, Sandbox } from "../sandbox.ts";

/** An unprivileged user of the box. */
export interface Attacker {
  /** Login name. */
  name: string;
  /** Numeric user id. */
  uid: number;
  /** Numeric id of its primary group. */
  gid: number;
  /** Runs a shell script as this user (bash -c). */
  sh(script: string, env?: Record<string, string>): Promise<BoxResult>;
  /** Runs a command as this user (argv, no shell). */
  exec(argv: string[], env?: Record<string, string>): Promise<BoxResult>;
  /** Runs the bundled autostart as this user. */
  autostart(args: string[], env?: Record<string, string>): Promise<BoxResult>;
  /**
   * Starts `body` as this user in a loop (`while not stopped; do body; done`) in the
   * background; bounded by `maxSeconds` (default 300) even if never stopped.
   */
  loop(body: string, maxSeconds?: number): Promise<BackgroundLoop>;
}

/** A loop started by {@link Attacker.loop}. */
export interface BackgroundLoop {
  /** Stops the loop and waits for it; returns how many rounds it ran. */
  stop(): Promise<number>;
}

/** Shell-quotes one word for set-up scripts (test code only; never the tool's inputs). */
export function q(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

let loops = 0;

/**
 * Creates (or reuses) the unprivileged user `name` in the box.
 *
 * @param box The sandbox.
 * @param name Login name (default `mallory`).
 * @param options `linger`: also start its systemd user manager (for login services).
 * @returns The attacker.
 */
export async function addAttacker(
  box: Sandbox,
  name = "mallory",
  options: { linger?: boolean } = {},
): Promise<Attacker> {
  const uid = await box.addUser(name, { linger: options.linger ?? false });
  const g = await box.exec(["id", "-g", name]);
  if (g.code !== 0) throw new Error(`attacker: id -g ${name}: ${g.stderr}`);
  const gid = Number(g.stdout.trim());
  const a: Attacker = {
    name,
    uid,
    gid,
    sh: (script, env = {}) => box.sh(script, { user: name, env }),
    exec: (argv, env = {}) => box.exec(argv, { user: name, env }),
    autostart: (args, env = {}) => box.autostart(args, { user: name, env }),
    async loop(body, maxSeconds = 300) {
      const id = `${Deno.pid}-${++loops}`;
      const stopFile = `/tmp/.attacker-stop-${id}`;
      const countFile = `/tmp/.attacker-count-${id}`;
      // The loop counts its rounds in a file it owns, so stop() can report them.
      const child = box.spawn([
        "timeout",
        String(maxSeconds),
        "bash",
        "-c",
        `n=0; while [ ! -e ${q(stopFile)} ]; do ${body}\n n=$((n+1)); done; ` +
        `echo $n > ${q(countFile)}`,
      ], { user: name });
      // Let it start before the victim runs.
      await box.waitFor(
        `the attacker loop ${id} to start`,
        async () =>
          (await box.exec(["pgrep", "-u", name, "-f", stopFile])).code === 0,
        10_000,
      ).catch(() => undefined);
      return {
        async stop() {
          await box.exec(["touch", stopFile]);
          await child.output();
          const n = await box.exec(["cat", countFile]);
          await box.exec(["rm", "-f", stopFile, countFile]);
          return Number(n.stdout.trim()) || 0;
        },
      };
    },
  };
  return a;
}

/** Result of {@link race}. */
export interface RaceResult {
  /** Whether the attack won at least once. */
  won: boolean;
  /** Victim runs done. */
  tries: number;
  /** 1-based try at which it first won. */
  wonAt?: number;
  /** Rounds the attacker's loop ran (0 when no loop was given). */
  rounds: number;
}

/** Options of {@link race}. */
export interface RaceOptions {
  /** How many times the victim operation runs (bounded: no timed assertion). */
  tries: number;
  /** Shell body the attacker repeats in the background during the whole race. */
  attackerLoop?: { attacker: Attacker; body: string };
  /** Brings the scene back to its start before each try (as root or attacker). */
  reset?: (i: number) => Promise<void>;
  /** The privileged operation under attack (e.g. `sudo autostart enable ...`). */
  victim: (i: number) => Promise<void>;
  /** Whether the attack succeeded after this try (e.g. a root-owned target exists). */
  won: (i: number) => Promise<boolean>;
  /** Stop at the first win (default true). */
  stopOnWin?: boolean;
}

/**
 * A bounded race: the attacker's loop runs while the victim operation is repeated
 * `tries` times; after each try, `won` decides. Never a timed assertion: it counts tries.
 *
 * @example Usage
 * ```ts ignore
 * const r = await race({
 *   tries: 30,
 *   attackerLoop: { attacker: a, body: "rm -rf /srv/x/d; ln -sfn /etc /srv/x/d; rm -f /srv/x/d; mkdir -p /srv/x/d" },
 *   victim: () => box.autostart([...]).then(() => {}),
 *   won: async () => (await statIn(box, "/etc")).uid !== 0,
 * });
 * assertEquals(r.won, false);
 * ```
 */
export async function race(options: RaceOptions): Promise<RaceResult> {
  const { tries, attackerLoop, reset, victim, won, stopOnWin = true } = options;
  const loop = attackerLoop
    ? await attackerLoop.attacker.loop(attackerLoop.body)
    : undefined;
  let wonAt: number | undefined;
  let done = 0;
  let rounds = 0;
  try {
    for (let i = 1; i <= tries; i++) {
      await reset?.(i);
      await victim(i);
      done = i;
      if (await won(i)) {
        wonAt ??= i;
        if (stopOnWin) break;
      }
    }
  } finally {
    if (loop) rounds = await loop.stop();
  }
  return wonAt === undefined
    ? { won: false, tries: done, rounds }
    : { won: true, tries: done, wonAt, rounds };
}

/** What {@link statIn} found. */
export interface PathInfo {
  /** Whether anything (a dangling symlink too) is at the path. */
  exists: boolean;
  /** Owner uid (-1 when missing). */
  uid: number;
  /** Group gid (-1 when missing). */
  gid: number;
  /** Permission bits, e.g. `0o644` (0 when missing). */
  mode: number;
  /** `file`, `dir`, `symlink`, `other` or `missing`. */
  type: "file" | "dir" | "symlink" | "other" | "missing";
}

/** Owner, mode and type of `path` inside the box (lstat: a final symlink is not followed). */
export async function statIn(box: Sandbox, path: string): Promise<PathInfo> {
  const r = await box.exec(["stat", "-c", "%u %g %a %F", "--", path]);
  if (r.code !== 0) {
    return { exists: false, uid: -1, gid: -1, mode: 0, type: "missing" };
  }
  const [uid, gid, mode, ...kind] = r.stdout.trim().split(" ");
  const k = kind.join(" ");
  return {
    exists: true,
    uid: Number(uid),
    gid: Number(gid),
    mode: parseInt(mode!, 8),
    type: k === "directory"
      ? "dir"
      : k === "symbolic link"
      ? "symlink"
      : k.startsWith("regular")
      ? "file"
      : "other",
  };
}
