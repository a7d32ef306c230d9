/**
 * Shared test helpers: a fake context, an in-process CLI runner with captured output,
 * and golden-file comparison (`UPDATE_GOLDEN=1 deno task test` rewrites goldens).
 *
 * @module
 */

import { assertEquals } from "./assert.ts";
import type { Context, UserInfo } from "../core/context.ts";
import { FakeRunner, MemoryFs } from "../core/fake.ts";
import type { Registry } from "../core/registry.ts";
import type { ServiceSpec } from "../core/spec.ts";
import { run } from "../cli/main.ts";
import type { Clock } from "../cli/app.ts";
import { builtinRegistry } from "../cli/builtin_registry.ts";
import { seal, SEAL_PLACEHOLDER } from "../core/seal.ts";

/** Project root, ending in "/". */
export const ROOT = new URL("..", import.meta.url).pathname;

/** The path of `cmd` on PATH, or `null` when it is not installed. */
export function which(cmd: string): string | null {
  for (const d of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${d}/${cmd}`).isFile) return `${d}/${cmd}`;
    } catch { /* not here */ }
  }
  return null;
}

/** The user of fake contexts. */
export const ALICE: UserInfo = {
  name: "alice",
  uid: 1000,
  gid: 1000,
  group: "alice",
  home: "/home/alice",
};

/** A root account. */
export const ROOT_USER: UserInfo = {
  name: "root",
  uid: 0,
  gid: 0,
  group: "root",
  home: "/root",
};

/**
 * Text of a file autostart wrote (marker and seal on its first line, as every
 * renderer writes them), followed by `body`: what fixtures put on disk.
 */
export function managedText(body = ""): string {
  return seal(
    `# Managed by autostart (${SEAL_PLACEHOLDER}): test fixture\n${body}`,
  );
}

/** A plist autostart wrote for `label` (its `AutostartManaged` key, sealed). */
export function managedPlist(label: string): string {
  return seal(
    `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n` +
      `<key>Label</key>\n<string>${label}</string>\n` +
      `<key>AutostartManaged</key>\n` +
      `<string>Managed by autostart (${SEAL_PLACEHOLDER}): test fixture</string>\n` +
      `</dict>\n</plist>\n`,
  );
}

/**
 * Programs of a Debian machine (merged /usr: each in /bin and /usr/bin), which
 * {@link seedMachine} gives a {@link MemoryFs} so specs resolve there as on a host.
 */
export const MACHINE_PROGRAMS: readonly string[] = [
  ...["sh", "sleep", "true", "false", "echo", "cat", "env"].flatMap((
    n,
  ) => [`/bin/${n}`, `/usr/bin/${n}`]),
  "/usr/bin/python3",
];

/**
 * Gives an in-memory file system what every machine has: {@link MACHINE_PROGRAMS}
 * (root's, 0755), `/etc/passwd` (0644) and a `/tmp` directory. Returns it.
 */
export function seedMachine(fs: MemoryFs): MemoryFs {
  for (const p of MACHINE_PROGRAMS) {
    if (!fs.programs.has(p)) fs.addProgram(p);
  }
  if (!fs.programs.has("/etc/passwd")) {
    fs.addProgram("/etc/passwd", { mode: 0o644 }); // there, not executable
  }
  // /tmp exists, with the default owner and mode of MemoryFs's directories: tests
  // that want the real sticky 1777 say so (setInfo), as the hostile fixture does.
  fs.dirs.add("/tmp");
  return fs;
}

/**
 * A context with a recording runner and an in-memory filesystem that holds the
 * machine's programs ({@link seedMachine}).
 */
export function fakeContext(over: Partial<Context> = {}): Context & {
  runner: FakeRunner;
  fs: MemoryFs;
} {
  const fs = seedMachine((over.fs as MemoryFs | undefined) ?? new MemoryFs());
  for (
    const d of [
      "/run/systemd/system",
      "/run/user/1000/systemd/private",
      "/etc/systemd/system",
    ]
  ) {
    fs.dirs.add(d);
  }
  const users = [ALICE, ROOT_USER];
  const self = over.self ?? ALICE;
  fs.writer = { uid: self.uid, gid: self.gid };
  return {
    os: "linux",
    env: {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: ALICE.home,
      XDG_RUNTIME_DIR: "/run/user/1000",
    },
    cwd: "/home/alice",
    self: ALICE,
    sudoUser: undefined,
    lookupUser: (n: string) =>
      Promise.resolve(users.find((u) => u.name === n) ?? null),
    ...over,
    runner: (over.runner as FakeRunner | undefined) ?? new FakeRunner(),
    fs,
  };
}

/** Output of an in-process CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clock whose sleeps return at once and move its time forward. */
export function fakeClock(start = 1_700_000_000_000): Clock {
  let t = start;
  return {
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

/** Runs the CLI in-process against a context (waits use `clock`, by default a {@link fakeClock}). */
export async function runCli(
  argv: string[],
  ctx: Context,
  registry: Registry = builtinRegistry(),
  clock: Clock = fakeClock(),
): Promise<CliResult> {
  let stdout = "", stderr = "";
  const code = await run(argv, {
    io: {
      out: (t) => void (stdout += t),
      err: (t) => void (stderr += t),
      color: false,
      colorErr: false,
    },
    env: ctx.env,
    context: () => Promise.resolve(ctx),
    registry: () => Promise.resolve(registry),
    version: "0.0.0-test",
    clock,
  });
  return { code, stdout, stderr };
}

/** Compares `actual` with the golden file at `tests/golden/<name>`. */
export async function assertGolden(
  name: string,
  actual: string,
): Promise<void> {
  const path = `${ROOT}tests/golden/${name}`;
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(path);
  } catch {
    throw new Error(
      `golden file ${name} is missing: run UPDATE_GOLDEN=1 deno task test`,
    );
  }
  assertEquals(actual, expected, `golden ${name} differs`);
}

/**
 * The spec most tests start from: `web` runs `python3 -m http.server 8080` at login,
 * restarted on failure after 2 s.
 */
export function webSpec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: "web",
    program: "/usr/bin/python3",
    args: ["-m", "http.server", "8080"],
    condition: "login",
    keepAlive: "on-failure",
    env: [["PATH", "/usr/local/bin:/usr/bin:/bin"]],
    restartDelayMs: 2000,
    start: true,
    ...over,
  };
}
