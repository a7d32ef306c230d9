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
