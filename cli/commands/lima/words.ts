/**
 * What the `lima` subcommands share: the one INSTANCE argument, the instance's
 * services that `--condition` names, and words for who wrote a Lima service's file.
 *
 * @module
 */

import type { Context } from "../../../core/context.ts";
import type { Driver } from "../../../core/driver.ts";
import { UsageError } from "../../../core/errors.ts";
import { CONDITIONS, parseCondition, parseName } from "../../../core/spec.ts";
import {
  filedLimaServices,
  type LimaStatus,
} from "../../../presets/lima_status.ts";
import type { App } from "../../app.ts";
import type { ParsedArgs } from "../../args.ts";

/** The one INSTANCE of `lima SUB INSTANCE`, validated (exit 2 otherwise). */
export function oneInstance(positionals: string[], sub: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length ? "Give exactly one INSTANCE" : "Missing INSTANCE",
      `usage: autostart lima ${sub} INSTANCE`,
    );
  }
  return parseName(positionals[0]!);
}

/** Who wrote a Lima service's file, in words. */
export function ownerWords(s: Pick<LimaStatus, "owner">): string {
  return s.owner === "limactl"
    ? "written by limactl"
    : s.owner === "autostart"
    ? "managed by autostart"
    : "not installed";
}

/**
 * The services of `instance` that have a file (whoever wrote it), for the condition
 * `--condition` gives or for both.
 */
export async function instanceServices(
  a: ParsedArgs,
  app: App,
  instance: string,
): Promise<{
  ctx: Context;
  found: { driver: Driver; status: LimaStatus }[];
}> {
  const conditions = a.values.condition === undefined
    ? CONDITIONS
    : [parseCondition(a.values.condition as string)];
  const ctx = await app.context();
  const registry = await app.registry();
  return {
    ctx,
    found: await filedLimaServices(registry, ctx, instance, conditions),
  };
}
