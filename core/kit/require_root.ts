/**
 * The root check every driver makes before it plans a boot service: the files live
 * where only root may write and the init system's system manager answers only root.
 *
 * @module
 */

import { HINT_USE_SUDO, UsageError } from "../errors.ts";

/** What {@link requireRoot} needs to know about the caller. */
export interface Caller {
  /** Who runs autostart. */
  self: { uid: number };
}

/**
 * Throws a {@link UsageError} (exit 2, nothing written) when a boot service is planned
 * by someone who is not root; does nothing for a login service or for root.
 *
 * @param condition `boot` needs root; `login` does not.
 * @param ctx The caller (a {@link Caller}: any context with `self.uid`).
 * @param what The action, capitalised: `Installing`, `Removing`, `Starting`...
 * @param subject How the service is named in the message (default `a boot service`).
 * @throws {UsageError} `Installing a boot service needs root`, with "run the same
 *   command with sudo" as the next step.
 *
 * @example Usage
 * ```ts
 * import { requireRoot } from "./require_root.ts";
 * requireRoot("login", { self: { uid: 1000 } }, "Installing"); // fine
 * try {
 *   requireRoot("boot", { self: { uid: 1000 } }, "Installing");
 * } catch (e) {
 *   console.assert((e as Error).message === "Installing a boot service needs root");
 * }
 * ```
 */
export function requireRoot(
  condition: "login" | "boot",
  ctx: Caller,
  what: string,
  subject = "a boot service",
): void {
  if (condition === "boot" && ctx.self.uid !== 0) {
    throw new UsageError(
      `${what} ${subject} needs root`,
      HINT_USE_SUDO,
    );
  }
}
