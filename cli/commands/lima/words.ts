/**
 * What the `lima` subcommands share: the one INSTANCE argument, and words for who
 * wrote a Lima service's file.
 *
 * @module
 */

import { UsageError } from "../../../core/errors.ts";
import { parseName } from "../../../core/spec.ts";
import type { LimaStatus } from "../../../presets/lima_status.ts";

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
