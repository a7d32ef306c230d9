/**
 * The command line as a function: `run(argv, options)` returns the exit code. `main.ts`
 * only wires it to the process; tests call it directly with fake IO and context.
 *
 * @module
 */

import { type Context, createContext } from "../core/context.ts";
import { UsageError } from "../core/errors.ts";
import {
  ignoredEnvPluginsNote,
  loadPlugins,
  requestedPlugins,
} from "../core/plugins.ts";
import type { Registry } from "../core/registry.ts";
import { builtinRegistry } from "./builtin_registry.ts";
import type { App, Clock, Command } from "./app.ts";
import { applyCommand } from "./commands/apply.ts";
import { completionsCommand } from "./commands/completions.ts";
import { controlCommand } from "./commands/control.ts";
import { disableCommand } from "./commands/disable.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { driversCommand } from "./commands/drivers.ts";
import { enableCommand } from "./commands/enable.ts";
import { exportCommand } from "./commands/export.ts";
import { limaCommand } from "./commands/lima.ts";
import { logsCommand } from "./commands/logs.ts";
import { manCommand } from "./commands/man.ts";
import { showCommand } from "./commands/show.ts";
import { statusCommand } from "./commands/status.ts";
import { helpOf, renderMainHelp } from "./help.ts";
import { denoIo, type Io, printError } from "./output.ts";
import { didYouMean } from "./suggest.ts";

/**
 * What runs each command of the table (cli/table/), by name and alias, in the table's
 * order; `help` is answered by {@link run} itself.
 */
export const COMMANDS: Record<string, Command> = {
  enable: enableCommand,
  disable: disableCommand,
  status: statusCommand,
  list: statusCommand,
  start: controlCommand("start"),
  stop: controlCommand("stop"),
  restart: controlCommand("restart"),
  logs: logsCommand,
  show: showCommand,
  export: exportCommand,
  apply: applyCommand,
  doctor: doctorCommand,
  drivers: driversCommand,
  lima: limaCommand,
  completions: completionsCommand,
  man: manCommand,
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
  /** Clock of waits (tests inject one that does not sleep). */
  clock?: Clock;
}

/**
 * Takes the global `--plugin PATH_OR_URL` options (repeatable, anywhere before `--`)
 * out of `argv`.
 */
export function takePluginOptions(
  argv: string[],
): { plugins: string[]; argv: string[] } {
  const plugins: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (w === "--plugin") {
      const v = argv[i + 1];
      if (v === undefined || v === "--") {
        throw new UsageError(
          "Option --plugin needs a value",
          "usage: autostart --plugin PATH_OR_URL COMMAND ...",
        );
      }
      plugins.push(v);
      i++;
    } else if (w.startsWith("--plugin=")) plugins.push(w.slice(9));
    else rest.push(w);
  }
  return { plugins, argv: rest };
}

/** The error of a command that does not exist, with the closest one when it is a typo. */
function unknownCommand(word: string): UsageError {
  const names = Object.keys(COMMANDS);
  const guess = didYouMean(word, [...names, "help"]);
  return new UsageError(
    `Unknown command ${JSON.stringify(word)}`,
    `${guess ? `did you mean "${guess}"? ` : ""}commands: ${
      names.join(", ")
    }; see: autostart --help`,
  );
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
  const json = argv.includes("--json");
  let plugins: string[];
  try {
    ({ plugins, argv } = takePluginOptions(argv));
  } catch (e) {
    return printError(io, e, json);
  }
  const version = options.version ?? "0.0.0";
  const baseRegistry = options.registry ??
    (() => Promise.resolve(builtinRegistry()));
  const context = once(options.context ?? (() => createContext()));
  const app: App = {
    io,
    env,
    version,
    context,
    // Plugins load with the registry, on first use: --version and --help load nothing.
    registry: once(async () => {
      const registry = await baseRegistry();
      const envPlugins = (env.AUTOSTART_PLUGINS ?? "").trim() !== "";
      if (plugins.length === 0 && !envPlugins) return registry;
      const asRoot = (await context()).self.uid === 0;
      const note = ignoredEnvPluginsNote(env, asRoot);
      if (note !== null) io.err(`note: ${note}\n`);
      const wanted = requestedPlugins(plugins, env, asRoot);
      if (wanted.length === 0) return registry;
      const problems = await loadPlugins(wanted, registry, {
        cwd: Deno.cwd(),
        version,
        asRoot,
      });
      for (const p of problems) {
        io.err(
          `warning: plugin ${p.source}: ${p.message} (the other drivers still work)\n`,
        );
      }
      return registry;
    }),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === "--help" || cmd === "-h") {
      io.out(renderMainHelp());
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === "--version" || cmd === "-V" || cmd === "version") {
      io.out(`autostart ${app.version}\n`);
      return 0;
    }
    if (cmd === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        io.out(renderMainHelp());
        return 0;
      }
      const help = helpOf(topic);
      if (help === undefined) throw unknownCommand(topic);
      io.out(help);
      return 0;
    }
    // Own entries only: "constructor" or "toString" are no commands.
    const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (!command) throw unknownCommand(cmd);
    const dd = rest.indexOf("--");
    const own = dd < 0 ? rest : rest.slice(0, dd);
    if (own.includes("--help") || own.includes("-h")) {
      io.out(helpOf(cmd) ?? renderMainHelp());
      return 0;
    }
    return await command(rest, app);
  } catch (e) {
    return printError(io, e, json);
  }
}
