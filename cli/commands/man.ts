/**
 * `autostart man`: prints the manual page `autostart.1` (read it with
 * `autostart man | man -l -`). The renderer is loaded here only.
 *
 * @module
 */

import type { App } from "../app.ts";
import { parseArgs, unexpectedArgument } from "../args.ts";
import { optionsOf, TABLE } from "../table/mod.ts";

/** Runs `man`. */
export async function manCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, optionsOf("man"), "man");
  if (a.positionals.length) {
    throw unexpectedArgument(a, 0, "man", "usage: autostart man");
  }
  const { renderMan } = await import("../man.ts");
  app.io.out(renderMan(TABLE, app.version));
  return 0;
}
