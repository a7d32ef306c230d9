/**
 * What the tests of the runit and OpenRC templates (and of their plugins) share: the
 * specs they render, and the POSIX shell that runs the scripts.
 *
 * @module
 */

import { ALICE, ROOT_USER, webSpec, which } from "../tests/helpers.ts";
import type { ServiceSpec } from "../core/spec.ts";

/** A runit boot service of root, keep-alive on-failure, with a PATH. */
export const RUNIT_SPEC: ServiceSpec = webSpec({
  condition: "boot",
  env: [["PATH", "/usr/bin:/bin"]],
  runAs: ROOT_USER,
});

/** An OpenRC boot service of alice, keep-alive always, no environment. */
export const OPENRC_SPEC: ServiceSpec = webSpec({
  condition: "boot",
  keepAlive: "always",
  env: [],
  runAs: ALICE,
});

/** The shell openrc-run and runsv use on Debian (dash), or `sh`. */
export function posixSh(): string {
  return which("dash") ?? "sh";
}
