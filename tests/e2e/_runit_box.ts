// A real runit for the e2e tests: runsvdir runs as an ordinary process on a temporary
// service directory (SVDIR, with the service directories in a temporary
// AUTOSTART_RUNIT_SV_DIR), and the bundled CLI is pointed at it. Every process started
// here is killed by RunitBox.stop().
import { ROOT } from "../helpers.ts";

/**
 * The environment of runsvdir (and so of every runsv and script) and of the CLI: set
 * here, never the caller's (a short PATH would hide chpst; a TERM of "dumb" or a
 * missing HOME would change the output).
 */
export const BOX_ENV: Record<string, string> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/root",
  TERM: "xterm",
  NO_COLOR: "1",
  LANG: "C.UTF-8",
};

export function has(cmd: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`] })
      .outputSync().success;
  } catch {
    return false;
  }
}

export const why = Deno.build.os !== "linux"
  ? "runit e2e runs on Linux"
  : Deno.uid() !== 0
  ? "runit e2e needs root (boot services, chpst)"
  : !has("runsvdir") || !has("sv") || !has("chpst")
  ? "runit is not installed (apt-get install runit; scripts/ci_deps.sh does it as root)"
  : "";
if (why) console.log(`skipped: ${why}`);

export const OPTS = {
  ignore: why !== "",
  sanitizeOps: false,
  sanitizeResources: false,
} as const;

const BUNDLE = `${ROOT}dist/autostart.js`;
/** What the tests run: the bundled file, or main.ts when there is none. */
export const ENTRY = await Deno.stat(BUNDLE).then(
  () => BUNDLE,
  () => `${ROOT}main.ts`,
);

/** One runsvdir on temporary directories, and the CLI pointed at it. */
export class RunitBox {
  readonly root: string;
  readonly svdir: string;
  readonly staging: string;
  #proc: Deno.ChildProcess;

  private constructor(root: string, proc: Deno.ChildProcess) {
    this.root = root;
    this.svdir = `${root}/service`;
    this.staging = `${root}/sv`;
    this.#proc = proc;
  }

  static async start(): Promise<RunitBox> {
    // Under /run (root's, 0755): boot services refuse a service directory below a
    // directory other users can write, such as /tmp.
    const root = await Deno.makeTempDir({
      dir: "/run",
      prefix: "autostart-runit-",
    });
    await Deno.chmod(root, 0o755);
    await Deno.mkdir(`${root}/service`);
    await Deno.mkdir(`${root}/sv`);
    const proc = new Deno.Command("runsvdir", {
      args: [`${root}/service`],
      clearEnv: true,
      env: BOX_ENV,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    return new RunitBox(root, proc);
  }

  /** Runs the CLI (bundled file) with SVDIR and the staging directory set. */
  async cli(
    argv: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", ENTRY, ...argv],
      clearEnv: true,
      env: {
        ...BOX_ENV,
        // Where Deno keeps its cache is the caller's choice.
        ...(Deno.env.get("DENO_DIR")
          ? { DENO_DIR: Deno.env.get("DENO_DIR")! }
          : {}),
        SVDIR: this.svdir,
        AUTOSTART_RUNIT_SV_DIR: this.staging,
        NO_COLOR: "1",
        ...env,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const d = new TextDecoder();
    return {
      code: out.code,
      stdout: d.decode(out.stdout),
      stderr: d.decode(out.stderr),
    };
  }

  /** `status --json` services by name. */
  async status(): Promise<
    Map<string, { state: string; pid: number | null; enabled: boolean }>
  > {
    const r = await this.cli(["status", "--json"]);
    const doc = JSON.parse(r.stdout) as {
      services: {
        name: string;
        state: string;
        pid: number | null;
        enabled: boolean;
        driver: string;
      }[];
    };
    return new Map(
      doc.services.filter((s) => s.driver === "runit").map((s) => [s.name, s]),
    );
  }

  /** Polls until `ok()` holds (runsvdir looks at its directory every 5 seconds). */
  async waitFor(what: string, ok: () => Promise<boolean>, ms = 20_000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** Stops runsvdir, then kills every process that still lives in these directories. */
  async stop(): Promise<void> {
    for (const d of await list(this.staging)) {
      await new Deno.Command("sv", {
        args: ["-w", "5", "force-shutdown", `${this.staging}/${d}`],
        stdout: "null",
        stderr: "null",
      }).output();
    }
    try {
      this.#proc.kill("SIGHUP"); // runsvdir: TERM to every runsv, then exit
    } catch { /* already gone */ }
    await this.#proc.status;
    for (const pid of await processesUnder(this.root)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }
}

export async function list(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch { /* missing */ }
  return out;
}

/** Processes whose command line or working directory lies under `root`. */
export async function processesUnder(root: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await list("/proc")) {
    if (!/^\d+$/.test(e) || Number(e) === Deno.pid) continue;
    const cmd = await Deno.readTextFile(`/proc/${e}/cmdline`).catch(() => "");
    const cwd = await Deno.readLink(`/proc/${e}/cwd`).catch(() => "");
    if (cmd.includes(root) || cwd.startsWith(root)) out.push(Number(e));
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    const st = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(st);
  } catch {
    return false;
  }
}

export function readProc(pid: number) {
  const raw = (f: string) => Deno.readFileSync(`/proc/${pid}/${f}`);
  const split0 = (b: Uint8Array) => {
    const parts = new TextDecoder().decode(b).split("\0");
    parts.pop();
    return parts;
  };
  return {
    cmdline: split0(raw("cmdline")),
    environ: split0(raw("environ")),
    cwd: Deno.readLinkSync(`/proc/${pid}/cwd`),
    uid: Deno.statSync(`/proc/${pid}`).uid ?? -1,
  };
}

export const SLEEP = ["/usr/bin/python3", "-c", "import time; time.sleep(1e6)"];
