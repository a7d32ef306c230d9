/**
 * What a service that runs as root must not depend on: anything another user can
 * change. `resolveSpec()` checks the program itself ({@link ServiceSpec.program}); this
 * module checks the rest of what the service runs with:
 *
 * - every `PATH` entry (from `--env`, `--env-file` or the captured PATH): it must be
 *   absolute, and the directory (or, when it does not exist yet, its nearest existing
 *   parent) and every directory above it owned by root and not writable by group or
 *   others (`/usr/local/bin` is fine, `~/bin` or `/tmp` are not);
 * - the working directory (`--cwd`), the same way;
 * - every argument that names an existing file or directory: an absolute path, a path
 *   relative to the working directory (`/` when none), or the value of `--opt=/path`;
 * - no `LD_*` / `DYLD_*` variable (they choose the code the dynamic loader puts into
 *   a root process).
 *
 * `--allow-unsafe` skips these checks. Arguments that are not paths on this machine
 * (a URL, a port, a path created later) cannot be judged and are not checked.
 *
 * @module
 */

import { absolutePath } from "./spec/parse.ts";
import type { ServiceSpec } from "./spec/types.ts";

/** Says why `path` is unsafe for root, or `null` (see `unsafeForRoot` in spec.ts). */
export type RootCheck = (path: string) => Promise<string | null>;

/** Whether anything exists at a path (a dangling symlink counts). */
export type Exists = (path: string) => Promise<boolean>;

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * The reasons a root service built from `spec` would run something another user can
 * change (empty when none), each naming what and why.
 *
 * @param spec The service (its program is checked elsewhere).
 * @param unsafe The ownership check of one path.
 * @param exists Whether a path exists.
 *
 * @example Usage
 * ```ts ignore
 * const problems = await rootServiceProblems(spec, unsafeForRoot, exists);
 * ```
 */
export async function rootServiceProblems(
  spec: ServiceSpec,
  unsafe: RootCheck,
  exists: Exists,
): Promise<string[]> {
  const out: string[] = [];
  const env = [...(spec.envFile?.vars ?? []), ...spec.env];
  const loader = env.map(([k]) => k).filter((k) => /^(?:LD|DYLD)_/.test(k));
  if (loader.length > 0) {
    out.push(
      `${
        [...new Set(loader)].join(", ")
      } would choose the code the dynamic loader puts into a root process`,
    );
  }
  const path = new Map(env).get("PATH");
  if (path !== undefined) {
    for (const entry of new Set(path.split(":"))) {
      if (!entry.startsWith("/")) {
        out.push(
          `PATH entry ${
            JSON.stringify(entry)
          } is relative: it names a different directory in every working directory`,
        );
        continue;
      }
      let dir = entry;
      while (dir !== "/" && !(await exists(dir))) dir = parentOf(dir);
      const why = await unsafe(dir);
      if (why !== null) {
        out.push(
          `PATH entry ${entry}${
            dir === entry ? "" : ` (missing; its parent ${dir})`
          }: ${why}`,
        );
      }
    }
  }
  if (spec.cwd !== undefined) {
    const why = await unsafe(spec.cwd);
    if (why !== null) out.push(`working directory ${spec.cwd}: ${why}`);
  }
  const base = spec.cwd ?? "/";
  for (const [i, arg] of spec.args.entries()) {
    const candidates: string[] = [];
    if (arg.startsWith("/")) candidates.push(arg);
    else if (!arg.startsWith("-") && arg !== "") {
      candidates.push(absolutePath(base, arg));
    }
    const eq = arg.indexOf("=");
    if (arg.startsWith("-") && eq > 0 && arg[eq + 1] === "/") {
      candidates.push(arg.slice(eq + 1));
    }
    for (const c of candidates) {
      if (!(await exists(c))) continue;
      const why = await unsafe(c);
      if (why !== null) {
        out.push(`argument ${i + 1} (${c}): ${why}`);
      }
    }
  }
  return out;
}
