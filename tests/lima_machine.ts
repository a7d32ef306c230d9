/**
 * A Lima install in an in-memory file system, for unit tests of the Lima preset: a
 * LIMA_HOME with instances (each a directory with its `lima.yaml`) and a `limactl`.
 * Like the machine's programs (`MemoryFs.addProgram`), these are there before the
 * test and left out of `MemoryFs.snapshot()`, so "nothing written" stays `{}`.
 *
 * @module
 */

import { MemoryFs } from "../core/fake.ts";
import { ALICE } from "./helpers.ts";

/** Where {@link limaMachine} puts Lima. */
export interface LimaMachine {
  /** The directory of `limactl`. */
  bin: string;
  /** LIMA_HOME. */
  home: string;
  /** An environment naming them (PATH, HOME, XDG_RUNTIME_DIR, LIMA_HOME). */
  env: Record<string, string>;
  /** Adds this Lima install to `fs` (default: a new one) and returns it. */
  machine(fs?: MemoryFs): MemoryFs;
}

/**
 * Lima for alice: `limactl` (root's, 0755) in `bin` and LIMA_HOME `home` with
 * `instances` (directories of `owner`, default alice, each with a `lima.yaml`).
 *
 * @example Usage
 * ```ts
 * import { limaMachine } from "./lima_machine.ts";
 * const t = limaMachine({ instances: ["default"] });
 * const fs = t.machine();
 * console.assert(await fs.exists(`${t.home}/default/lima.yaml`));
 * ```
 */
export function limaMachine(
  options: {
    bin?: string;
    home?: string;
    instances?: string[];
    owner?: { uid: number; gid: number };
  } = {},
): LimaMachine {
  const bin = options.bin ?? "/opt/lima/bin";
  const home = options.home ?? `${ALICE.home}/lima`;
  const instances = options.instances ?? ["default", "dev"];
  const owner = options.owner ?? { uid: ALICE.uid, gid: ALICE.gid };
  return {
    bin,
    home,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: ALICE.home,
      XDG_RUNTIME_DIR: "/run/user/1000",
      LIMA_HOME: home,
    },
    machine(fs = new MemoryFs()) {
      fs.addProgram(`${bin}/limactl`);
      fs.setInfo(home, { ...owner, mode: 0o755 });
      for (const name of instances) {
        fs.setInfo(`${home}/${name}`, { ...owner, mode: 0o755 });
        fs.addProgram(`${home}/${name}/lima.yaml`, { ...owner, mode: 0o644 });
      }
      return fs;
    },
  };
}
