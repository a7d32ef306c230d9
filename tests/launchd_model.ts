/**
 * A small model of launchd, for testing the launchd drivers and the Lima preset without
 * a Mac. It answers `launchctl`, `dscl` and `id` the way macOS does, from state it
 * keeps, not from what autostart expects. Every behaviour cites its public source in
 * `tests/fixtures/launchctl/README.md` (the [n] below):
 *
 * - domains `system` and `gui/UID`, each with its jobs; `system` changes need root,
 *   `gui/UID` belongs to that user, and without a desktop session (ssh, or `gui/0`
 *   under sudo) `bootstrap`, `bootout`, `enable`, `disable` and `kickstart` in it fail
 *   with 125 [6];
 * - a `bootstrap` by anyone but root that fails answers 5 whatever the cause, with
 *   "Try re-running the command as root for richer errors." [11];
 * - `bootstrap DOMAIN PLIST` reads the plist from the file system: LaunchDaemons must be
 *   owned by root, LaunchAgents by the user or root, neither group/world-writable
 *   (else 122) [4]; a missing file is 2, an unreadable plist 5; a label that is still
 *   loaded answers 5 [1], one still being booted out 5 (or 37 with `busyCode`) [2],
 *   a disabled one 5 (119 on older macOS) [3];
 * - `bootout TARGET` is asynchronous [2]: it returns at once, the job gets SIGTERM, then
 *   SIGKILL after its `ExitTimeOut` (default 5 s, `exit timeout = 5` in `print`; 0 means
 *   never) [5], and
 *   launchd keeps the job a settle window longer; `print` still shows it and a second
 *   `bootout` answers 36 meanwhile [7]; a label not loaded answers 3 [8];
 * - the enable/disable override database: `enable`/`disable TARGET` persist across
 *   bootstrap and bootout, and `print-disabled` lists them [3];
 * - `kickstart [-k] TARGET` (113 when not loaded), KeepAlive restarts after a crash
 *   with `ThrottleInterval`, `print` built from the job's state in the format of the
 *   real fixtures [9];
 * - `dscl . -read /Users/NAME ...` and `id` answer from the model's users [10].
 *
 * Time is virtual: {@link LaunchdModel.clock} is handed to the CLI, whose waits advance
 * it, so no test sleeps for real seconds.
 *
 * @module
 */

import { parse } from "plist";
import type { Clock } from "../cli/app.ts";
import type { Context, UserInfo } from "../core/context.ts";
import { userLookup } from "../core/context.ts";
import { type FakeRule, MemoryFs } from "../core/fake.ts";
import type { FileSystem } from "../core/fs.ts";
import type { Registry } from "../core/registry.ts";
import {
  bufferedStream,
  type CommandResult,
  type Runner,
} from "../core/runner.ts";
import { builtinRegistry } from "../cli/builtin_registry.ts";
import { type CliResult, runCli, seedMachine } from "./helpers.ts";

/** The file facts launchd checks before it loads a plist. */
export interface PlistFile {
  content: string;
  mode: number;
  uid: number;
  gid: number;
}

/** How a program behaves under launchd. */
export interface Program {
  /** Milliseconds it needs to exit after SIGTERM (`Infinity`: it ignores SIGTERM). */
  stopMs: number;
  /** Called when launchd starts it (e.g. a Lima host agent writing its first event). */
  onSpawn?: (job: Job) => void | Promise<void>;
}

/** A job launchd has loaded. */
export interface Job {
  domain: string;
  label: string;
  path: string;
  plist: Record<string, unknown>;
  state: "running" | "not running" | "spawn scheduled";
  pid: number | null;
  runs: number;
  /** How the last run ended. */
  lastExit: { code: number } | { signal: number } | null;
  /** When a scheduled respawn happens. */
  respawnAt: number | null;
  /** Set by `bootout`: when the process ends (and how), and when launchd forgets it. */
  bootout: { exitAt: number; signal: 9 | 15; goneAt: number } | null;
}

/** A process that ended, for assertions (`signal` 9 = SIGKILL after ExitTimeOut). */
export interface Ended {
  label: string;
  pid: number;
  signal: number | null;
  code: number | null;
  at: number;
}

/** The model's runner: a {@link Runner} that records, like FakeRunner. */
export interface ModelRunner extends Runner {
  /** Every call, in order. */
  calls: { argv: string[] }[];
  /** Recorded command lines joined with spaces. */
  lines(): string[];
  /** Makes commands matching `match` answer `result` instead of the model. */
  on(match: FakeRule["match"], result: FakeRule["result"]): ModelRunner;
}

/** Options of {@link LaunchdModel}. */
export interface ModelOptions {
  /** The uid running launchctl (501, or 0 under sudo). */
  uid?: number;
  /** The accounts of Open Directory. */
  users?: UserInfo[];
  /** Whether `gui/UID` has a desktop session (false: logged in over ssh only). */
  guiSession?: boolean;
  /** Reads a plist as launchd sees it; default: from `fs` (a MemoryFs). */
  stat?: (path: string) => Promise<PlistFile | null>;
  /** The file system of the context (default: a MemoryFs with /bin/launchctl). */
  fs?: FileSystem;
  /** How long launchd keeps a job after its process ended on bootout (default 1 s). */
  settleMs?: number;
  /** What `bootstrap` answers root while the label is being booted out: 5 (default) or 37. */
  busyCode?: 5 | 37;
  /** What `bootstrap` answers root for a disabled label: 5 (default) or 119. */
  disabledCode?: 5 | 119;
  /** Answers commands other than launchctl, dscl and id (default: 127). */
  fallback?: Runner;
}

/** A macOS user. */
export const MAC_ALICE: UserInfo = {
  name: "alice",
  uid: 501,
  gid: 20,
  group: "staff",
  home: "/Users/alice",
};

/** macOS root. */
export const MAC_ROOT: UserInfo = {
  name: "root",
  uid: 0,
  gid: 0,
  group: "wheel",
  home: "/var/root",
};

const GROUPS: Record<number, string> = { 0: "wheel", 20: "staff" };

/** launchd's default exit timeout, in ms ([5]). */
export const DEFAULT_EXIT_TIMEOUT_MS = 5000;

/** launchd's default ThrottleInterval, in ms (launchd.plist(5)). */
const DEFAULT_THROTTLE_MS = 10_000;

const ok = (stdout = ""): CommandResult => ({ code: 0, stdout, stderr: "" });
const fail = (code: number, stderr: string): CommandResult => ({
  code,
  stdout: "",
  stderr: stderr + "\n",
});

/** The model. */
export class LaunchdModel {
  /** Virtual time, ms since the epoch. */
  now = 1_700_000_000_000;
  /** Every command line run, in order. */
  readonly calls: { argv: string[] }[] = [];
  /**
   * Answers given instead of the model's, first match wins (added with
   * {@link LaunchdModel.on}): for what launchd does that the model does not (an
   * unknown error, output from a real Mac).
   */
  readonly rules: FakeRule[] = [];
  /** Loaded jobs by `DOMAIN/LABEL`. */
  readonly jobs: Map<string, Job> = new Map();
  /** The override database: `DOMAIN/LABEL` → disabled. */
  readonly overrides: Map<string, boolean> = new Map();
  /** Processes that ended, oldest first. */
  readonly ended: Ended[] = [];
  /** The runner to hand to the code under test (`lines()` and `on()` as FakeRunner's). */
  readonly runner: ModelRunner;
  /** The clock to hand to the CLI: its sleeps advance {@link LaunchdModel.now}. */
  readonly clock: Clock;
  /** The file system of {@link LaunchdModel.context}. */
  readonly fs: FileSystem;
  uid: number;
  guiSession: boolean;
  readonly users: UserInfo[];
  readonly #programs = new Map<string, Program>();
  readonly #stat: (path: string) => Promise<PlistFile | null>;
  readonly #o: ModelOptions;
  #nextPid = 4000;

  /** @param o Options. */
  constructor(o: ModelOptions = {}) {
    this.#o = o;
    this.uid = o.uid ?? 501;
    this.guiSession = o.guiSession ?? true;
    this.users = o.users ?? [MAC_ALICE, MAC_ROOT];
    this.fs = o.fs ?? new MemoryFs({ "/bin/launchctl": "" });
    if (this.fs instanceof MemoryFs) seedMachine(this.fs);
    this.#stat = o.stat ?? memoryStat(this.fs as MemoryFs, () => this.uid);
    const run = (argv: string[]) => this.#run(argv);
    this.runner = {
      run,
      stream: bufferedStream(run),
      calls: this.calls,
      lines: () => this.lines(),
      on: (match, result) => {
        this.on(match, result);
        return this.runner;
      },
    };
    this.clock = {
      now: () => this.now,
      sleep: async (ms) => {
        await this.advance(ms);
      },
    };
  }

  /** Makes commands matching `match` answer `result` instead of the model. */
  on(match: FakeRule["match"], result: FakeRule["result"]): this {
    this.rules.unshift({ match, result });
    return this;
  }

  /** Recorded command lines joined with spaces. */
  lines(): string[] {
    return this.calls.map((c) => c.argv.join(" "));
  }

  /** Sets how the program of a label behaves (default: exits at once on SIGTERM). */
  program(label: string, p: Program): this {
    this.#programs.set(label, p);
    return this;
  }

  /** Moves time forward, letting launchd act (kills, removals, respawns). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    // Step through each event in order, so the state between them is right too.
    await this.#settle();
    for (let next = this.#nextEvent(); next !== null && next <= end;) {
      this.now = next;
      await this.#settle();
      next = this.#nextEvent();
    }
    this.now = end;
    await this.#settle();
  }

  /** The process of a running job dies (`kill -9`, a crash): KeepAlive decides. */
  async kill(target: string, signal = 9): Promise<void> {
    const job = this.jobs.get(target);
    if (!job || job.pid === null) throw new Error(`no process for ${target}`);
    this.#end(job, { signal });
    const ka = job.plist.KeepAlive;
    const again = ka === true ||
      (typeof ka === "object" && ka !== null &&
        (ka as Record<string, unknown>).SuccessfulExit === false);
    if (again && job.bootout === null) {
      const t = job.plist.ThrottleInterval;
      job.state = "spawn scheduled";
      job.respawnAt = this.now +
        (typeof t === "number" ? t * 1000 : DEFAULT_THROTTLE_MS);
    }
    await this.#settle();
  }

  /** The context of autostart run by this model's user, on this model. */
  context(over: Partial<Context> = {}): Context {
    const self = this.users.find((u) => u.uid === this.uid) ?? MAC_ALICE;
    return {
      os: "darwin",
      env: {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: self.home,
        ...(this.uid === 0 ? { SUDO_USER: "alice" } : {}),
      },
      cwd: self.home,
      self,
      sudoUser: this.uid === 0 ? "alice" : undefined,
      runner: this.runner,
      fs: this.fs,
      // The same lookup as on a Mac: through dscl and id, answered by this model.
      lookupUser: userLookup("darwin", this.runner, this.fs),
      ...over,
    };
  }

  /** Runs the CLI in-process on this model, on its virtual clock. */
  cli(
    argv: string[],
    ctx: Context = this.context(),
    registry: Registry = builtinRegistry(),
  ): Promise<CliResult> {
    return runCli(argv, ctx, registry, this.clock);
  }

  /** Command lines that change launchd (no print, print-disabled, dscl, id). */
  changes(): string[] {
    return this.calls.map((c) => c.argv).filter((a) =>
      a[0] === "launchctl" && a[1] !== "print" && a[1] !== "print-disabled"
    ).map((a) => a.slice(1).join(" "));
  }

  // -------------------------------------------------------------------------

  /** The next moment something is due, after now. */
  #nextEvent(): number | null {
    let t: number | null = null;
    for (const j of this.jobs.values()) {
      const due = [
        j.bootout && j.pid !== null ? j.bootout.exitAt : null,
        j.bootout?.goneAt ?? null,
        j.respawnAt,
      ];
      for (const e of due) {
        if (e !== null && e > this.now && (t === null || e < t)) t = e;
      }
    }
    return t;
  }

  async #settle(): Promise<void> {
    for (const [key, j] of [...this.jobs]) {
      if (j.bootout) {
        if (j.pid !== null && this.now >= j.bootout.exitAt) {
          this.#end(j, { signal: j.bootout.signal });
        }
        if (this.now >= j.bootout.goneAt) this.jobs.delete(key);
      } else if (j.respawnAt !== null && this.now >= j.respawnAt) {
        j.respawnAt = null;
        await this.#spawn(j);
      }
    }
  }

  #end(job: Job, how: { code: number } | { signal: number }) {
    this.ended.push({
      label: job.label,
      pid: job.pid!,
      signal: "signal" in how ? how.signal : null,
      code: "code" in how ? how.code : null,
      at: this.now,
    });
    job.lastExit = how;
    job.pid = null;
    job.state = "not running";
  }

  async #spawn(job: Job): Promise<void> {
    job.pid = this.#nextPid++;
    job.runs++;
    job.state = "running";
    await this.#programs.get(job.label)?.onSpawn?.(job);
  }

  async #run(argv: string[]): Promise<CommandResult> {
    this.calls.push({ argv: [...argv] });
    await this.#settle();
    for (const rule of this.rules) {
      const hit = typeof rule.match === "function"
        ? rule.match(argv)
        : rule.match.every((m, i) => argv[i] === m);
      if (!hit) continue;
      const r = typeof rule.result === "function"
        ? rule.result(argv)
        : rule.result;
      return {
        code: r.code ?? 0,
        stdout: r.stdout ?? "",
        stderr: r.stderr ?? "",
      };
    }
    const [cmd, ...args] = argv;
    if (cmd === "launchctl" || cmd === "/bin/launchctl") {
      return await this.#launchctl(args);
    }
    if (cmd === "dscl") return this.#dscl(args);
    if (cmd === "id") return this.#id(args);
    if (this.#o.fallback) return await this.#o.fallback.run(argv);
    return fail(127, `${cmd}: command not found`);
  }

  /** Who may change a domain: root for `system`, the user (or root) for `gui/UID`. */
  #denied(domain: string): boolean {
    if (this.uid === 0) return false;
    if (domain === "system") return true;
    return domain !== `gui/${this.uid}`;
  }

  /** Whether `domain` is a `gui/UID` with no desktop session (ssh; root's gui/0). */
  #noSession(domain: string): boolean {
    const gui = /^gui\/(\d+)$/.exec(domain);
    return gui !== null && (!this.guiSession || gui[1] === "0");
  }

  async #launchctl(args: string[]): Promise<CommandResult> {
    const [sub = "", ...rest] = args;
    const target = rest[rest.length - 1] ?? "";
    const domain = sub === "bootstrap" || sub === "print-disabled"
      ? rest[0] ?? ""
      : target.replace(/\/[^/]*$/, "");
    const label = target.slice(domain.length + 1);
    // A gui/UID domain without a desktop session takes no changes: 125 [6].
    const verbs: Record<string, string> = {
      bootout: "Boot-out failed",
      enable: "Could not enable service",
      disable: "Could not disable service",
      kickstart: "Could not kickstart service",
    };
    if (verbs[sub] && this.#noSession(domain) && !this.#denied(domain)) {
      return fail(
        125,
        `${verbs[sub]}: 125: Domain does not support specified action`,
      );
    }
    switch (sub) {
      case "bootstrap":
        return await this.#bootstrap(domain, rest[1] ?? "");
      case "bootout": {
        if (this.#denied(domain)) {
          return fail(1, "Boot-out failed: 1: Operation not permitted");
        }
        const job = this.jobs.get(target);
        if (!job) return fail(3, "Boot-out failed: 3: No such process");
        if (job.bootout) {
          return fail(36, "Boot-out failed: 36: Operation now in progress");
        }
        const stopMs = this.#programs.get(label)?.stopMs ?? 0;
        const t = job.plist.ExitTimeOut;
        // launchd.plist(5): "The value zero is interpreted as infinity" [5].
        const timeout = typeof t !== "number"
          ? DEFAULT_EXIT_TIMEOUT_MS
          : t === 0
          ? Infinity
          : t * 1000;
        const running = job.pid !== null;
        const exitAt = this.now + (running ? Math.min(stopMs, timeout) : 0);
        job.respawnAt = null;
        job.bootout = {
          exitAt,
          signal: stopMs <= timeout ? 15 : 9,
          goneAt: running ? exitAt + (this.#o.settleMs ?? 1000) : this.now,
        };
        await this.#settle();
        return ok();
      }
      case "enable":
      case "disable":
        if (this.#denied(domain)) {
          return fail(
            1,
            `Could not ${sub} service: 1: Operation not permitted`,
          );
        }
        this.overrides.set(target, sub === "disable");
        return ok();
      case "kickstart": {
        if (this.#denied(domain)) {
          return fail(
            1,
            "Could not kickstart service: 1: Operation not permitted",
          );
        }
        const job = this.jobs.get(target);
        if (!job || job.bootout) {
          return fail(
            113,
            `Could not find service "${label}" in domain for port`,
          );
        }
        if (job.pid !== null && rest[0] === "-k") {
          this.#end(job, { signal: 15 });
        }
        if (job.pid === null) {
          job.respawnAt = null;
          await this.#spawn(job);
        }
        return ok();
      }
      case "print": {
        const job = this.jobs.get(target);
        if (!job) {
          return fail(
            113,
            `Bad request.\nCould not find service "${label}" in domain for ${
              domain === "system" ? "system" : "port"
            }`,
          );
        }
        return ok(this.#print(job));
      }
      case "print-disabled": {
        const lines = [...this.overrides].filter(([k]) =>
          k.startsWith(`${domain}/`)
        ).map(([k, off]) =>
          `\t"${k.slice(domain.length + 1)}" => ${off ? "disabled" : "enabled"}`
        );
        return ok(`disabled services = {\n${lines.join("\n")}\n}\n`);
      }
      default:
        return fail(64, `Unrecognized subcommand: ${sub}`);
    }
  }

  async #bootstrap(domain: string, path: string): Promise<CommandResult> {
    // launchd tells only root why a bootstrap failed; anyone else gets 5 and a
    // suggestion [11].
    const err = (n: number, what: string) =>
      this.uid !== 0 && n !== 1
        ? fail(
          5,
          "Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.",
        )
        : fail(n, `Bootstrap failed: ${n}: ${what}`);
    if (this.#denied(domain)) return err(1, "Operation not permitted");
    const gui = /^gui\/(\d+)$/.exec(domain);
    // root has no desktop session: gui/0 does not take jobs either [6].
    if (this.#noSession(domain)) {
      return err(125, "Domain does not support specified action");
    }
    const file = await this.#stat(path);
    if (file === null) return err(2, "No such file or directory");
    const owners = domain === "system" ? [0] : [0, Number(gui?.[1])];
    // launchctl(1): LaunchDaemons must be owned by root, LaunchAgents by the user
    // loading them (or root); no group or world writes.
    if (!owners.includes(file.uid) || (file.mode & 0o022) !== 0) {
      return err(122, "Path had bad ownership/permissions");
    }
    let plist: Record<string, unknown>;
    try {
      plist = parse(file.content) as Record<string, unknown>;
    } catch {
      return err(5, "Input/output error");
    }
    const label = plist.Label;
    if (typeof label !== "string" || label === "") {
      return err(5, "Input/output error");
    }
    const target = `${domain}/${label}`;
    const loaded = this.jobs.get(target);
    if (loaded?.bootout) {
      const busy = this.#o.busyCode ?? 5;
      return err(
        busy,
        busy === 5 ? "Input/output error" : "Operation already in progress",
      );
    }
    if (loaded) return err(5, "Input/output error");
    if (this.overrides.get(target) === true) {
      const n = this.#o.disabledCode ?? 5;
      return err(n, n === 5 ? "Input/output error" : "Service is disabled");
    }
    const job: Job = {
      domain,
      label,
      path,
      plist,
      state: "not running",
      pid: null,
      runs: 0,
      lastExit: null,
      respawnAt: null,
      bootout: null,
    };
    this.jobs.set(target, job);
    if (plist.RunAtLoad === true || plist.KeepAlive === true) {
      await this.#spawn(job);
    }
    return ok();
  }

  /** `launchctl print TARGET`, in the shape of the real fixtures. */
  #print(job: Job): string {
    const p = job.plist;
    const args = Array.isArray(p.ProgramArguments)
      ? p.ProgramArguments.map(String)
      : [];
    const env = (p.EnvironmentVariables ?? {}) as Record<string, string>;
    const t = p.ExitTimeOut;
    const ka = p.KeepAlive;
    const lines = [
      `${job.domain}/${job.label} = {`,
      `\tactive count = ${job.pid === null ? 0 : 1}`,
      `\tpath = ${job.path}`,
      `\ttype = ${job.domain === "system" ? "LaunchDaemon" : "LaunchAgent"}`,
      `\tstate = ${job.state}`,
      "",
      `\tprogram = ${args[0] ?? p.Program ?? ""}`,
      "\targuments = {",
      ...args.map((a) => `\t\t${a}`),
      "\t}",
      "",
      ...(typeof p.StandardOutPath === "string"
        ? [`\tstdout path = ${p.StandardOutPath}`]
        : []),
      ...(typeof p.StandardErrorPath === "string"
        ? [`\tstderr path = ${p.StandardErrorPath}`]
        : []),
      "\tdefault environment = {",
      "\t\tPATH => /usr/bin:/bin:/usr/sbin:/sbin",
      "\t}",
      "",
      "\tenvironment = {",
      ...Object.entries(env).map(([k, v]) => `\t\t${k} => ${v}`),
      `\t\tXPC_SERVICE_NAME => ${job.label}`,
      "\t}",
      "",
      `\tdomain = ${job.domain}`,
      ...(typeof p.UserName === "string" ? [`\tusername = ${p.UserName}`] : []),
      `\tminimum runtime = 10`,
      `\texit timeout = ${typeof t === "number" ? t : 5}`,
      `\truns = ${job.runs}`,
      ...(job.pid !== null ? [`\tpid = ${job.pid}`] : []),
      ...(job.lastExit === null
        ? ["\tlast exit code = (never exited)"]
        : "signal" in job.lastExit
        ? [
          `\tlast terminating signal = ${
            SIGNAL_NAMES[job.lastExit.signal] ?? "Signal"
          }: ${job.lastExit.signal}`,
        ]
        : [`\tlast exit code = ${job.lastExit.code}`]),
      "",
      `\tspawn type = daemon (3)`,
      `\tproperties = ${
        [ka ? "keepalive" : "", p.RunAtLoad ? "runatload" : ""].filter(Boolean)
          .join(" | ")
      }`,
      "}",
      "",
    ];
    return lines.join("\n");
  }

  #dscl(args: string[]): CommandResult {
    const m = /^\/Users\/(.+)$/.exec(args[2] ?? "");
    const u = args[0] === "." && args[1] === "-read" && m
      ? this.users.find((x) => x.name === m[1])
      : undefined;
    if (!u) {
      return fail(56, "<dscl_cmd> DS Error: -14136 (eDSRecordNotFound)");
    }
    // dscl writes a value with a space on the next line, indented by one space.
    const field = (k: string, v: string) =>
      v.includes(" ") ? `${k}:\n ${v}` : `${k}: ${v}`;
    const all: Record<string, string> = {
      NFSHomeDirectory: u.home,
      PrimaryGroupID: String(u.gid),
      UniqueID: String(u.uid),
      UserShell: "/bin/zsh",
    };
    const keys = args.slice(3).length ? args.slice(3) : Object.keys(all);
    return ok(
      keys.filter((k) => k in all).sort().map((k) => field(k, all[k]!)).join(
        "\n",
      ) + "\n",
    );
  }

  #id(args: string[]): CommandResult {
    const who = args.find((a) => !a.startsWith("-"));
    const u = who === undefined
      ? this.users.find((x) => x.uid === this.uid)
      : this.users.find((x) => x.name === who || String(x.uid) === who);
    if (!u) return fail(1, `id: ${who}: no such user`);
    const g = GROUPS[u.gid] ?? u.group;
    const flag = args.find((a) => a.startsWith("-")) ?? "";
    if (flag === "-un") return ok(`${u.name}\n`);
    if (flag === "-u") return ok(`${u.uid}\n`);
    if (flag === "-g") return ok(`${u.gid}\n`);
    if (flag === "-gn") return ok(`${g}\n`);
    return ok(
      `uid=${u.uid}(${u.name}) gid=${u.gid}(${g}) groups=${u.gid}(${g})\n`,
    );
  }
}

const SIGNAL_NAMES: Record<number, string> = { 9: "Killed", 15: "Terminated" };

/** Plist facts from a MemoryFs; a file without an owner belongs to its writer. */
export function memoryStat(
  fs: MemoryFs,
  writer: () => number,
): (path: string) => Promise<PlistFile | null> {
  return (path) => {
    const f = fs.files.get(path);
    if (!f) return Promise.resolve(null);
    const uid = f.owner?.uid ?? writer();
    const gid = f.owner?.gid ?? (uid === 0 ? 0 : 20);
    return Promise.resolve({ content: f.content, mode: f.mode, uid, gid });
  };
}

/** Plist facts from the real file system. */
export async function diskStat(path: string): Promise<PlistFile | null> {
  try {
    const st = await Deno.stat(path);
    return {
      content: await Deno.readTextFile(path),
      mode: (st.mode ?? 0o644) & 0o7777,
      uid: st.uid ?? 0,
      gid: st.gid ?? 0,
    };
  } catch {
    return null;
  }
}
