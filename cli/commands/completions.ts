/**
 * `autostart completions bash|zsh|fish`: prints a shell completion script.
 *
 * The scripts are rendered from the command table (cli/table/) by cli/completion/,
 * loaded here only, so a new option or command shows up in completion without editing
 * either. Managed service names are completed by running `autostart status --fast
 * --json` at completion time and picking the `"name": "..."` lines with sed or fish's
 * `string` (no jq needed); Lima instances with `limactl list --quiet`.
 *
 * @module
 */

import { UsageError } from "../../core/errors.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { type Shell, SHELLS } from "../completion/model.ts";
import { optionsOf, TABLE } from "../table/mod.ts";

/** Runs `completions`. */
export async function completionsCommand(
  argv: string[],
  app: App,
): Promise<number> {
  const a = parseArgs(argv, optionsOf("completions"), "completions");
  const shell = a.positionals[0];
  if (shell === undefined || a.positionals.length > 1) {
    throw new UsageError(
      shell === undefined
        ? "Missing shell"
        : `Unexpected argument ${JSON.stringify(a.positionals[1])}`,
      `usage: autostart completions ${SHELLS.join("|")}`,
    );
  }
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(
      `Unknown shell ${JSON.stringify(shell)}`,
      `choose one of: ${SHELLS.join(", ")}`,
    );
  }
  const registry = await app.registry();
  const drivers = registry.all().map((d) => d.id).filter((id) =>
    id !== "unsupported"
  );
  const { renderCompletions } = await import("../completion/mod.ts");
  app.io.out(
    renderCompletions(shell as Shell, TABLE, drivers),
  );
  return 0;
}
