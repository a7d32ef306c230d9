/**
 * Entry point of the `autostart` command line: parse argv, run, exit with the code.
 *
 * @module
 */

import config from "./deno.json" with { type: "json" };
import { run } from "./cli/main.ts";

if (import.meta.main) {
  Deno.exit(await run(Deno.args, { version: config.version }));
}
