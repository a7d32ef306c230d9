/**
 * `autostart lima enable|disable|status|logs INSTANCE`: a Lima VM started at login or boot,
 * with the files `limactl autostart` writes (same paths, labels and keys), so limactl
 * keeps seeing and stopping it, plus what Lima lacks: PATH with limactl's and qemu's
 * directories, LIMA_HOME carried into the service, boot on Linux, the init system's
 * own state, and feedback while the VM boots. The subcommands live in `lima/`.
 *
 * @module
 */

import { didYouMean } from "../suggest.ts";
import { UsageError } from "../../core/errors.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { limaDisable } from "./lima/disable.ts";
import { limaEnable } from "./lima/enable.ts";
import { limaLogs } from "./lima/logs.ts";
import { limaStatusCmd } from "./lima/status.ts";

export { DEFAULT_BOOT_TIMEOUT } from "./lima/enable.ts";
export { LIMA_STATUS_SCHEMA_VERSION } from "./lima/status.ts";

/** Options of `lima enable`. */
export const LIMA_ENABLE_OPTIONS = optionsOf("lima enable");

/** Options of `lima disable`. */
export const LIMA_DISABLE_OPTIONS = optionsOf("lima disable");

/** Options of `lima status`. */
export const LIMA_STATUS_OPTIONS = optionsOf("lima status");

/** Options of `lima logs`. */
export const LIMA_LOGS_OPTIONS = optionsOf("lima logs");

const USAGE =
  "usage: autostart lima enable|disable|status|logs INSTANCE [options] (see: autostart lima --help)";

/** Runs `lima`. */
export async function limaCommand(argv: string[], app: App): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "enable") {
    return await limaEnable(
      parseArgs(rest, LIMA_ENABLE_OPTIONS, "lima enable"),
      app,
    );
  }
  if (sub === "disable") {
    return await limaDisable(
      parseArgs(rest, LIMA_DISABLE_OPTIONS, "lima disable"),
      app,
    );
  }
  if (sub === "status" || sub === "list") {
    return await limaStatusCmd(
      parseArgs(rest, LIMA_STATUS_OPTIONS, "lima status"),
      app,
    );
  }
  if (sub === "logs") {
    return await limaLogs(
      parseArgs(rest, LIMA_LOGS_OPTIONS, "lima logs"),
      app,
    );
  }
  const guess = sub === undefined
    ? undefined
    : didYouMean(sub, ["enable", "disable", "status", "list", "logs"]);
  throw new UsageError(
    sub === undefined
      ? "Missing subcommand of lima"
      : `Unknown subcommand ${JSON.stringify(sub)} of lima`,
    guess ? `did you mean "lima ${guess}"? ${USAGE}` : USAGE,
  );
}
