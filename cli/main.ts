/**
 * The command line as a function: `run(argv, options)` returns the exit code. `main.ts`
 * only wires it to the process; tests call it directly with fake IO and context.
 *
 * @module
 */

import { type Context, createContext } from "../core/context.ts";
import { UsageError } from "../core/errors.ts";
import type { Registry } from "../core/registry.ts";
import { builtinRegistry } from "../drivers/mod.ts";
import type { App, Command } from "./app.ts";
import { completionsCommand } from "./commands/completions.ts";
import { controlCommand } from "./commands/control.ts";
import { disableCommand } from "./commands/disable.ts";
import { driversCommand } from "./commands/drivers.ts";
import { enableCommand } from "./commands/enable.ts";
import { limaCommand } from "./commands/lima.ts";
import { statusCommand } from "./commands/status.ts";
import { COMMAND_HELP, MAIN_HELP } from "./help.ts";
import { denoIo, type Io, printError } from "./output.ts";

/** Commands by name. */
export const COMMANDS: Record<string, Command> = {
  enable: enableCommand,
  disable: disableCommand,
  status: statusCommand,
  list: statusCommand,
  start: controlCommand("start"),
  stop: controlCommand("stop"),
  restart: controlCommand("restart"),
  drivers: driversCommand,
  lima: limaCommand,
  completions: completionsCommand(() => Object.keys(COMMANDS)),
};

/** Options of {@link run}; everything defaults to the real process. */
export interface RunOptions {
  /** Output streams. */
  io?: Io;
  /** Environment. */
  env?: Record<string, string>;
  /** Context factory (tests inject fakes here). */
  context?: () => Promise<Context>;
  /** Registry factory. */
  registry?: () => Promise<Registry>;
  /** Product version. */
  version?: string;
}

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

/**
 * Runs the command line.
 *
 * @example Usage
 * ```ts ignore
 * const code = await run(["status", "--json"]);
 * Deno.exit(code);
 * ```
 */
export async function run(
  argv: string[],
  options: RunOptions = {},
): Promise<number> {
  const env = options.env ?? Deno.env.toObject();
  const io = options.io ?? denoIo(env);
  const app: App = {
    io,
    env,
    version: options.version ?? "0.0.0",
    context: once(options.context ?? (() => createContext())),
    registry: once(
      options.registry ?? (() => Promise.resolve(builtinRegistry())),
    ),
  };
  const json = argv.includes("--json");
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === "--help" || cmd === "-h") {
      io.out(MAIN_HELP);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === "--version" || cmd === "-V" || cmd === "version") {
      io.out(`autostart ${app.version}\n`);
      return 0;
    }
    if (cmd === "help") {
      const topic = rest[0];
      io.out(topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic]! : MAIN_HELP);
      return 0;
    }
    const command = COMMANDS[cmd];
    if (!command) {
      throw new UsageError(
        `Unknown command ${JSON.stringify(cmd)}`,
        `commands: ${Object.keys(COMMANDS).join(", ")}; see: autostart --help`,
      );
    }
    const dd = rest.indexOf("--");
    const own = dd < 0 ? rest : rest.slice(0, dd);
    if (own.includes("--help") || own.includes("-h")) {
      io.out(COMMAND_HELP[cmd] ?? MAIN_HELP);
      return 0;
    }
    return await command(rest, app);
  } catch (e) {
    return printError(io, e, json);
  }
}
