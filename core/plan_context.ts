/**
 * What a pure function may know about the invoking process: the part of the
 * context without effects (no runner, no file system, no lock, no account lookup).
 * `Driver.plan()` and the helpers it calls (paths of env-file copies, state
 * directories) take this type, so the compiler refuses a plan that runs a command or
 * touches a file. A leaf module: `core/context.ts` extends it with the effects.
 *
 * @module
 */

import type { UserInfo } from "./user_info.ts";

/** The invoking process, as plans see it: facts only, no effects. */
export interface PlanContext {
  /** `Deno.build.os` value: "linux", "darwin", ... */
  os: string;
  /** Environment of the invoking process (read-only snapshot). */
  env: Record<string, string>;
  /** Working directory of the invoking process. */
  cwd: string;
  /** The account running autostart. */
  self: UserInfo;
  /** The user who ran `sudo autostart ...`, when autostart runs under sudo. */
  sudoUser: string | undefined;
}
