/**
 * What the runit driver's tests share: a boot spec and a machine with runit (sv on
 * PATH, a runsvdir watching /etc/service, as root), all in memory.
 *
 * @module
 */

import { fakeContext, ROOT_USER } from "../../tests/helpers.ts";
import type { Context } from "../../core/context.ts";
import { MemoryFs } from "../../core/fake.ts";

// A boot service of root, keep-alive on-failure, with a PATH.
export { RUNIT_SPEC as spec } from "../../templates/_testing.ts";

/** A machine with runit: sv on PATH and a runsvdir on /etc/service (root). */
export function runitContext(over: Partial<Context> = {}) {
  const fs = new MemoryFs({
    "/usr/bin/sv": "",
    "/proc/1/cmdline": "runsvdir\0-P\0/etc/service\0log: ...\0",
    "/proc/1/status": "Name:\trunsvdir\nUid:\t0\t0\t0\t0\n",
    "/proc/2/cmdline": "bash\0",
  });
  fs.dirs.add("/etc/service");
  const ctx = fakeContext({
    self: ROOT_USER,
    env: { PATH: "/usr/bin:/bin", HOME: "/root" },
    fs,
    ...over,
  });
  // Parents of every directory exist too (as on a real disk).
  for (const d of [...fs.dirs]) {
    for (
      let p = d;
      p.lastIndexOf("/") > 0;
      p = p.slice(0, p.lastIndexOf("/"))
    ) {
      fs.dirs.add(p.slice(0, p.lastIndexOf("/")));
    }
  }
  return ctx;
}
