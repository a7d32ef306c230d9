/**
 * A `lima: INSTANCE` entry of a manifest as an install: the same spec, file content,
 * status and plan as `autostart lima enable INSTANCE` (presets/lima_install.ts), so a
 * file limactl wrote is refused (adopting one stays an explicit
 * `autostart lima enable --adopt`).
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type { PresetInstall } from "../core/converge.ts";
import type { Registry } from "../core/registry.ts";
import { limaInstall } from "./lima_install.ts";
import { type LimaRequestOptions, resolveLimaRequest } from "./lima_resolve.ts";

/**
 * What a Lima entry asks for, validated: a {@link LimaRequestOptions} without `loose`
 * (the caller's to choose), with its restart delay always given.
 */
export type LimaEntry =
  & Omit<LimaRequestOptions, "loose" | "restartDelayMs">
  & { restartDelayMs: number };

/**
 * Resolves a Lima entry as `autostart lima enable` does: the account, limactl, the
 * instance directory, the service's PATH, the driver; throws `UsageError` for what is
 * wrong in the entry.
 */
export async function resolveLima(
  e: LimaEntry,
  ctx: Context,
  registry: Registry,
  loose: boolean,
): Promise<PresetInstall> {
  const r = await resolveLimaRequest({ ...e, loose }, ctx, registry);
  const hooks = limaInstall(r, ctx, { adopt: false });
  return {
    spec: r.spec,
    driver: r.driver,
    plan: hooks.plan,
    status: hooks.status,
  };
}
