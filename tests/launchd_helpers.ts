/**
 * Test helpers for the launchd drivers: a macOS-like fake context (MemoryFs with
 * `/bin/launchctl`, a user with uid 501) and the `launchctl` output fixtures of
 * `tests/fixtures/launchctl/` (see the README there for where each came from).
 *
 * @module
 */

import type { Context, UserInfo } from "../core/context.ts";
import type { FakeRunner, MemoryFs } from "../core/fake.ts";
import { MemoryFs as Mem } from "../core/fake.ts";
import { denoFs, type FileSystem } from "../core/fs.ts";
import { denoRunner, type Runner } from "../core/runner.ts";
import { fakeContext } from "./helpers.ts";

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

/** A darwin context with a recording runner and a MemoryFs holding /bin/launchctl. */
export function macContext(over: Partial<Context> = {}): Context & {
  runner: FakeRunner;
  fs: MemoryFs;
} {
  const fs = (over.fs as MemoryFs | undefined) ??
    new Mem({ "/bin/launchctl": "" });
  const users = [MAC_ALICE, MAC_ROOT];
  return fakeContext({
    os: "darwin",
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: MAC_ALICE.home },
    cwd: MAC_ALICE.home,
    self: MAC_ALICE,
    lookupUser: (n: string) =>
      Promise.resolve(
        users.find((u) => u.name === n || String(u.uid) === n) ?? null,
      ),
    ...over,
    fs,
  });
}

/** A darwin context of `sudo autostart ...` run by alice. */
export function macRootContext(over: Partial<Context> = {}): Context & {
  runner: FakeRunner;
  fs: MemoryFs;
} {
  return macContext({
    self: MAC_ROOT,
    sudoUser: "alice",
    env: {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: MAC_ROOT.home,
      SUDO_USER: "alice",
    },
    ...over,
  });
}

/** Text of a fixture under tests/fixtures/launchctl/. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(
    new URL(`./fixtures/launchctl/${name}`, import.meta.url),
  );
}

/** Separates arguments in the fake's log (arguments never contain it). */
const SEP = "\u001f";

/**
 * A recording fake `launchctl`: keeps just enough state to act like launchd
 * (bootstrap loads, bootout unloads, print answers 113 for unknown services), takes
 * failures from a scenario directory (`SCEN/<subcommand>.code`, `.out`, `.err`) and
 * runs `SCEN/on-bootstrap` (sh) after a bootstrap when it exists.
 */
const FAKE_LAUNCHCTL = (log: string, scen: string, state: string) =>
  `#!/bin/sh
# Recording fake launchctl written by tests/launchd_helpers.ts.
log='${log}'; scen='${scen}'; state='${state}'
# One write per call: status runs two launchctl at once.
us=$(printf '\\037'); line=""
for a in "$@"; do line="$line$a$us"; done
printf '%s\\n' "$line" >> "$log"
sub="$1"
if [ -f "$scen/$sub.code" ]; then
  [ -f "$scen/$sub.out" ] && cat "$scen/$sub.out"
  [ -f "$scen/$sub.err" ] && cat "$scen/$sub.err" >&2
  exit "$(cat "$scen/$sub.code")"
fi
label_of() { printf '%s' "$1" | sed 's|^.*/||'; }
case "$sub" in
  bootstrap)
    label=$(basename "$3" .plist)
    if [ -f "$state/$label" ]; then
      echo "Bootstrap failed: 5: Input/output error" >&2; exit 5
    fi
    [ -f "$3" ] || { echo "Bootstrap failed: 2: No such file or directory" >&2; exit 2; }
    touch "$state/$label"
    [ -f "$scen/on-bootstrap" ] && sh "$scen/on-bootstrap" ;;
  bootout)
    label=$(label_of "$2")
    [ -f "$state/$label" ] || { echo "Boot-out failed: 3: No such process" >&2; exit 3; }
    rm -f "$state/$label" ;;
  kickstart)
    eval "t=\\$$#"; label=$(label_of "$t")
    [ -f "$state/$label" ] || { echo "Could not find service \\"$label\\" in domain for port" >&2; exit 113; } ;;
  print)
    label=$(label_of "$2")
    if [ ! -f "$state/$label" ]; then
      echo "Bad request." >&2
      echo "Could not find service \\"$label\\" in domain for port" >&2
      exit 113
    fi
    cat "$scen/print.running" ;;
  print-disabled)
    printf 'disabled services = {\\n}\\n' ;;
  enable|disable) ;;
  *) echo "fake launchctl: unexpected subcommand $sub" >&2; exit 64 ;;
esac
exit 0
`;

/** A temporary home with the fake `launchctl` on PATH, and a darwin context using it. */
export interface LaunchctlRig {
  ctx: Context;
  home: string;
  root: string;
  /** Where the fake `launchctl` is (put other fakes here too). */
  bin: string;
  /** The scenario directory (see {@link launchctlRig}). */
  scen: string;
  /** Recorded argv lists, oldest first. */
  calls(): string[][];
  /** Forgets recorded calls. */
  reset(): void;
  /** Makes a subcommand answer with this code (and stderr). */
  fail(sub: string, code: number, stderr: string): void;
  cleanup(): Promise<void>;
}

/**
 * Makes a {@link LaunchctlRig} under a new temporary directory; `cleanup()` removes it.
 * @param homeName Name of the home directory inside it.
 */
export async function launchctlRig(homeName = "home"): Promise<LaunchctlRig> {
  const root = await Deno.makeTempDir({ prefix: "autostart-launchctl-" });
  const bin = `${root}/bin`, scen = `${root}/scen`, state = `${root}/state`;
  const home = `${root}/${homeName}`;
  for (const d of [bin, scen, state, home]) await Deno.mkdir(d);
  const log = `${root}/calls.log`;
  await Deno.writeTextFile(log, "");
  await Deno.writeTextFile(
    `${bin}/launchctl`,
    FAKE_LAUNCHCTL(log, scen, state),
    {
      mode: 0o755,
    },
  );
  await Deno.writeTextFile(
    `${scen}/print.running`,
    fixture("print_agent_running.txt"),
  );
  const runner: Runner = {
    run: (argv, options = {}) =>
      denoRunner.run(argv, {
        ...options,
        env: { ...options.env, PATH: `${bin}:/usr/bin:/bin` },
      }),
    stream: (argv, options = {}) =>
      denoRunner.stream(argv, {
        ...options,
        env: { ...options.env, PATH: `${bin}:/usr/bin:/bin` },
      }),
  };
  const fs: FileSystem = {
    ...denoFs,
    exists: (p) =>
      p === "/bin/launchctl" ? Promise.resolve(true) : denoFs.exists(p),
  };
  const ctx: Context = {
    os: "darwin",
    env: { PATH: "/usr/bin:/bin", HOME: home },
    cwd: home,
    self: { ...MAC_ALICE, home },
    sudoUser: undefined,
    runner,
    fs,
    lookupUser: (n) =>
      Promise.resolve(n === "alice" ? { ...MAC_ALICE, home } : null),
  };
  return {
    ctx,
    home,
    root,
    bin,
    scen,
    calls: () =>
      Deno.readTextFileSync(log).split("\n").filter(Boolean).map((l) =>
        l.split(SEP).slice(0, -1)
      ),
    reset: () => Deno.writeTextFileSync(log, ""),
    fail: (sub, code, stderr) => {
      Deno.writeTextFileSync(`${scen}/${sub}.code`, String(code));
      Deno.writeTextFileSync(`${scen}/${sub}.err`, stderr + "\n");
    },
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}
