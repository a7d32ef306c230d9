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
import { parseArgs, type ParsedArgs } from "../args.ts";
import { commandOf } from "../table/mod.ts";
import { limaDisable } from "./lima/disable.ts";
import { limaEnable } from "./lima/enable.ts";
import { limaLogs } from "./lima/logs.ts";
import { limaStatusCmd } from "./lima/status.ts";

/** What runs each subcommand of the table's `lima` entry, by its name. */
const SUBCOMMANDS: Record<
  string,
  (a: ParsedArgs, app: App) => Promise<number>
> = {
  enable: limaEnable,
  disable: limaDisable,
  status: limaStatusCmd,
  logs: limaLogs,
};

const USAGE =
  "usage: autostart lima enable|disable|status|logs INSTANCE [options] (see: autostart lima --help)";

/** Runs `lima`. */
export async function limaCommand(argv: string[], app: App): Promise<number> {
  const [sub, ...rest] = argv;
  // By name or alias (`list`), parsed with that subcommand's options.
  const def = sub === undefined ? undefined : commandOf(["lima", sub]);
  const runSub = def && SUBCOMMANDS[def.name];
  if (def && runSub) {
    return await runSub(parseArgs(rest, def.options, `lima ${def.name}`), app);
  }
  const words = (commandOf(["lima"])?.commands ?? []).flatMap((c) => [
    c.name,
    ...(c.aliases ?? []),
  ]);
  const guess = sub === undefined ? undefined : didYouMean(sub, words);
  throw new UsageError(
    sub === undefined
      ? "Missing subcommand of lima"
      : `Unknown subcommand ${JSON.stringify(sub)} of lima`,
    guess ? `did you mean "lima ${guess}"? ${USAGE}` : USAGE,
  );
}
