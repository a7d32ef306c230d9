/**
 * A real systemd for e2e tests: booted as PID 1 of a private pid+mount namespace on an
 * overlay of `/` with private `/tmp` and `/run` and in a cgroup subtree of its own
 * (see tests/sandbox/boot.sh), so the host is never touched and two boxes (two test
 * runs at once) never share a unit's cgroup; the subtree is removed when it stops.
 * The project directory is bind-mounted at its own path, and `/usr/local/bin/autostart`
 * inside runs the bundled single file (dist/autostart.js).
 *
 * Needs root, `unshare`, `nsenter` and systemd; {@link sandboxSupport} says why not.
 *
 * @module
 */

import { ROOT } from "./helpers.ts";

/** Output of a command run in the box. */
export interface BoxResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link Sandbox.exec}. */
export interface ExecOptions {
  /** Run as this user (with a login-like environment and XDG_RUNTIME_DIR). */
  user?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Text for standard input. */
  stdin?: string;
}

/** A running sandboxed systemd. */
export interface Sandbox {
  /** Host PID of the box's systemd. */
  pid: number;
  /** Runs a command inside (argv, no shell). */
  exec(argv: string[], options?: ExecOptions): Promise<BoxResult>;
  /** Runs a shell script inside (for test set-up only; never for the tool's inputs). */
  sh(script: string, options?: ExecOptions): Promise<BoxResult>;
  /** Runs the bundled autostart inside. */
  autostart(args: string[], options?: ExecOptions): Promise<BoxResult>;
  /** Starts a command inside without waiting (stdout and stderr piped). */
  spawn(argv: string[], options?: ExecOptions): Deno.ChildProcess;
  /** Creates a user with a lingering systemd user manager; returns its uid. */
  addUser(name: string, options?: { linger?: boolean }): Promise<number>;
  /** `systemctl show -p PROP --value UNIT` (with `--user` when `user` is given). */
  prop(unit: string, prop: string, user?: string): Promise<string>;
  /**
   * Sends `signal` to one process inside. Refuses anything but a real PID: `kill -9 0`
   * (an empty MainPID read as 0) would kill the test run itself.
   */
  kill(pid: string | number, signal?: string): Promise<void>;
  /** Waits until `check` returns a value (not undefined/false), or throws after `ms`. */
  waitFor<T>(
    what: string,
    check: () => Promise<T | undefined | false>,
    ms?: number,
  ): Promise<T>;
  /** Kills the box (everything in it dies with its PID 1). */
  stop(): Promise<void>;
}

const DENO = Deno.execPath();
const BUNDLE = `${ROOT}dist/autostart.js`;
/**
 * Where the box sees the Deno binary and the bundle: bound in by root at boot, so a
 * user inside can run them wherever the checkout lives (even under a directory that
 * user cannot enter, such as /root).
 */
const BOX_TOOLS = "/opt/autostart-test";

/**
 * The only environment a command in the box starts with (plus HOME/USER/LOGNAME,
 * XDG_RUNTIME_DIR for users, and what a test passes): never the caller's PATH, TERM,
 * NO_COLOR or locale, so a test behaves the same from any shell.
 */
export const BOX_ENV = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  LANG: "C.UTF-8",
  TERM: "dumb",
} as const;

/** Whether a sandboxed systemd can run here, and why not. */
export function sandboxSupport(): { ok: boolean; why: string } {
  if (Deno.build.os !== "linux") return { ok: false, why: "not Linux" };
  if (Deno.uid() !== 0) {
    return { ok: false, why: "needs root (unshare, mount)" };
  }
  for (
    const p of ["/usr/bin/unshare", "/usr/bin/nsenter", "/lib/systemd/systemd"]
  ) {
    try {
      Deno.statSync(p);
    } catch {
      return { ok: false, why: `${p} is missing` };
    }
  }
  try {
    Deno.statSync(BUNDLE);
  } catch {
    return { ok: false, why: `${BUNDLE} is missing: run deno task bundle` };
  }
  return { ok: true, why: "" };
}

const dec = new TextDecoder();

async function hostRun(argv: string[], stdin?: string): Promise<BoxResult> {
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: { PATH: BOX_ENV.PATH },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await child.output();
  return {
    code: o.code,
    stdout: dec.decode(o.stdout),
    stderr: dec.decode(o.stderr),
  };
}

function findSystemd(dir: string): number | null {
  let best: number | null = null;
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.readLinkSync(`/proc/${e.name}/root`) !== `${dir}/root`) continue;
      if (Deno.readTextFileSync(`/proc/${e.name}/comm`).trim() !== "systemd") {
        continue;
      }
      const pid = Number(e.name);
      if (best === null || pid < best) best = pid;
    } catch {
      // process went away
    }
  }
  return best;
}

/**
 * Removes a stopped box's cgroup subtree (tests/sandbox/boot.sh starts each box in
 * `<hierarchy>/<box dir name>`) from every hierarchy, deepest first: a cgroup
 * directory goes only by rmdir, and only once its processes are gone. Returns whether
 * nothing is left.
 */
function removeCgroups(name: string): boolean {
  const rmTree = (path: string): boolean => {
    let ok = true;
    try {
      for (const e of Deno.readDirSync(path)) {
        if (e.isDirectory) ok = rmTree(`${path}/${e.name}`) && ok;
      }
      Deno.removeSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) ok = false;
    }
    return ok;
  };
  let ok = true;
  for (const h of cgroupHierarchies()) ok = rmTree(`${h}/${name}`) && ok;
  return ok;
}

/**
 * Where a box's cgroup subtree can be: `/sys/fs/cgroup` (cgroup v2) and each directory
 * below it (the hierarchies of cgroup v1 and hybrid). None without a cgroup file system.
 */
export function cgroupHierarchies(): string[] {
  try {
    return [
      "/sys/fs/cgroup",
      ...[...Deno.readDirSync("/sys/fs/cgroup")]
        .filter((e) => e.isDirectory).map((e) => `/sys/fs/cgroup/${e.name}`),
    ];
  } catch {
    return [];
  }
}

/** Single-quotes a host path for the set-up script. */
const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Boots a sandboxed systemd and prepares it for autostart. */
export async function bootSandbox(): Promise<Sandbox> {
  const dir = await Deno.makeTempDir({ prefix: "autostart-box-" });
  const cgroup = dir.slice(dir.lastIndexOf("/") + 1); // as boot.sh names it
  const boot = new Deno.Command("setsid", {
    args: [
      "unshare",
      "--mount",
      "--pid",
      "--fork",
      "--propagation",
      "private",
      `${ROOT}tests/sandbox/boot.sh`,
      dir,
      ROOT.replace(/\/$/, ""),
    ],
    // unshare, mount and chroot live in sbin, which the caller's PATH may lack.
    env: { PATH: BOX_ENV.PATH },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let pid: number | null = null;
  const until = Date.now() + 20_000;
  while (pid === null && Date.now() < until) {
    await sleep(50);
    pid = findSystemd(dir);
  }
  if (pid === null) {
    const err = await boot.output().then((o) => dec.decode(o.stderr)).catch(
      () => "",
    );
    throw new Error(`sandbox: systemd did not start: ${err}`);
  }
  boot.stderr.cancel().catch(() => {});
  const enter = ["nsenter", "-t", String(pid), "-m", "-p", "-r", "-w", "--"];
  const users = new Map<string, number>();
  const wrap = (argv: string[], o: ExecOptions = {}) => {
    const env = Object.entries({ ...BOX_ENV, ...o.env }).map(([k, v]) =>
      `${k}=${v}`
    );
    if (o.user === undefined) {
      return [...enter, "env", "-i", "HOME=/root", ...env, ...argv];
    }
    const uid = users.get(o.user);
    return [
      ...enter,
      "runuser",
      "-u",
      o.user,
      "--",
      "env",
      "-i",
      `HOME=/home/${o.user}`,
      `USER=${o.user}`,
      `LOGNAME=${o.user}`,
      ...(uid === undefined ? [] : [`XDG_RUNTIME_DIR=/run/user/${uid}`]),
      ...env,
      ...argv,
    ];
  };
  const box: Sandbox = {
    pid,
    exec: (argv, o = {}) => hostRun(wrap(argv, o), o.stdin),
    sh: (script, o = {}) => hostRun(wrap(["bash", "-c", script], o), o.stdin),
    autostart: (args, o = {}) =>
      hostRun(wrap(["/usr/local/bin/autostart", ...args], o), o.stdin),
    spawn: (argv, o = {}) => {
      const full = wrap(argv, o);
      return new Deno.Command(full[0]!, {
        args: full.slice(1),
        env: { PATH: BOX_ENV.PATH },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    },
    async addUser(name, { linger = true } = {}) {
      const r = await box.sh(
        `id -u ${name} >/dev/null 2>&1 || useradd -m ${name}; ` +
          (linger ? `loginctl enable-linger ${name}; ` : "") + `id -u ${name}`,
      );
      if (r.code !== 0) {
        throw new Error(`sandbox: useradd ${name}: ${r.stderr}`);
      }
      const uid = Number(r.stdout.trim().split("\n").pop());
      users.set(name, uid);
      if (linger) {
        await box.waitFor(`user manager of ${name}`, async () => {
          const s = await box.exec(
            ["systemctl", "--user", "is-system-running"],
            { user: name },
          );
          return ["running", "degraded"].includes(s.stdout.trim());
        }, 15_000);
      }
      return uid;
    },
    async kill(pid, signal = "KILL") {
      const n = Number(pid);
      if (!Number.isInteger(n) || n <= 1) {
        throw new Error(`not a process to kill: ${JSON.stringify(pid)}`);
      }
      await box.exec(["kill", `-${signal}`, String(n)]);
    },
    async prop(unit, prop, user) {
      const r = await box.exec(
        [
          "systemctl",
          ...(user ? ["--user"] : []),
          "show",
          "-p",
          prop,
          "--value",
          unit,
        ],
        user ? { user } : {},
      );
      return r.stdout.trim();
    },
    async waitFor(what, check, ms = 10_000) {
      const end = Date.now() + ms;
      while (true) {
        const v = await check();
        if (v !== undefined && v !== false) return v as never;
        if (Date.now() > end) {
          throw new Error(`sandbox: timed out waiting for ${what}`);
        }
        await sleep(100);
      }
    },
    async stop() {
      try {
        Deno.kill(pid!, "SIGKILL");
      } catch {
        // already gone
      }
      await boot.status.catch(() => {});
      // The killed processes leave their cgroups as the kernel reaps them.
      for (let i = 0; i < 50 && !removeCgroups(cgroup); i++) await sleep(100);
      await Deno.remove(dir).catch(() => {});
    },
  };
  // A run that never reaches the file's last test (`deno test --filter`) stops the
  // box here: systemd and everything in its pid namespace, and the (empty on the host)
  // directory its private mounts hang on.
  const stopOnExit = () => {
    try {
      Deno.kill(pid!, "SIGKILL");
    } catch {
      // gone
    }
    removeCgroups(cgroup); // best effort: processes may still be exiting
    try {
      Deno.removeSync(dir);
    } catch {
      // already removed by stop(), or not empty yet: nothing more to do at exit
    }
  };
  globalThis.addEventListener("unload", stopOnExit);
  try {
    await box.waitFor("systemd to finish booting", async () => {
      const r = await box.exec(["systemctl", "is-system-running"]);
      return ["running", "degraded"].includes(r.stdout.trim());
    }, 30_000);
    const setup = await box.sh([
      `mkdir -p ${BOX_TOOLS}`,
      `touch ${BOX_TOOLS}/deno`,
      `mount --bind ${q(DENO)} ${BOX_TOOLS}/deno`,
      `cp ${q(BUNDLE)} ${BOX_TOOLS}/autostart.js`,
      `chmod 755 ${BOX_TOOLS}`,
      `chmod 644 ${BOX_TOOLS}/autostart.js`,
      `printf '#!/bin/sh\\nexec ${BOX_TOOLS}/deno run -A --quiet --no-config ${BOX_TOOLS}/autostart.js "$@"\\n' > /usr/local/bin/autostart`,
      "chmod 755 /usr/local/bin/autostart",
      "systemctl start dbus.service systemd-logind.service",
      // What systemd-journal-flush.service (masked here) does at boot: persistent
      // journal files, so each user can read the log of their own services.
      "journalctl --flush",
    ].join(" && "));
    if (setup.code !== 0) {
      throw new Error(`sandbox: set-up failed: ${setup.stderr}`);
    }
  } catch (e) {
    await box.stop();
    throw e;
  }
  return box;
}
