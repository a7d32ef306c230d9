/**
 * The systemd version, asked once per context (`systemctl --version`): only the
 * crash-loop backoff depends on it (`RestartSteps=` came in 254).
 *
 * @module
 */

import type { Context, PlanContext } from "../../core/context.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import { wantsBackoff } from "../../templates/backoff_sh.ts";

/** Parses the version number of `systemctl --version` (`systemd 252 (252.38-1~deb12u1)`). */
export function parseSystemdVersion(text: string): number | null {
  const m = /^systemd (\d+)\b/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** `systemctl --version` of each context, asked once (enable needs it, nothing else). */
const versions = new WeakMap<Context, Promise<number | null>>();

/** The version `prepare()` found, for the pure `plan()`. */
const preparedVersions = new WeakMap<PlanContext, number | null>();

/**
 * The systemd version here, from one `systemctl --version` through the context's
 * runner, cached per context; `null` when it cannot be told.
 */
export function systemdVersion(ctx: Context): Promise<number | null> {
  let v = versions.get(ctx);
  if (v === undefined) {
    v = ctx.runner.run(["systemctl", "--version"]).then(
      (r) => r.code === 0 ? parseSystemdVersion(r.stdout) : null,
      () => null,
    );
    versions.set(ctx, v);
  }
  return v;
}

/**
 * Asks the version before a plan that depends on it (a spec with a backoff), so that
 * the pure plan can read it with {@link preparedVersion}; nothing else pays for asking.
 */
export async function prepareVersion(
  ctx: Context,
  spec?: ServiceSpec,
): Promise<void> {
  if (spec && wantsBackoff(spec)) {
    preparedVersions.set(ctx, await systemdVersion(ctx));
  }
}

/** The version {@link prepareVersion} found for this context, or `null`. */
export function preparedVersion(ctx: PlanContext): number | null {
  return preparedVersions.get(ctx) ?? null;
}
