/**
 * The command table: every command, sub-command, argument, option and example of the
 * command line, as plain data. The parser reads each command's options from it
 * ({@link optionsOf}); `--help` (cli/help.ts), the completion scripts
 * (cli/completion/) and the man page (cli/man.ts) are rendered from it, each taking the
 * table as a parameter. Adding an option is one entry in a command's `options`.
 *
 * @module
 */

import { DOCTOR, DRIVERS, LOGS, SHOW, STATUS } from "./inspect.ts";
import { APPLY, COMPLETIONS, EXPORT, HELP, LIMA, MAN } from "./more.ts";
import { DISABLE, ENABLE, RESTART, START, STOP } from "./services.ts";
import type { CommandDef, CommandTable, OptionDef } from "./types.ts";

export type {
  CommandDef,
  CommandTable,
  Completion,
  EnvDef,
  HelpSection,
  OptionDef,
  PositionalDef,
} from "./types.ts";

/** The command line of autostart. */
export const TABLE: CommandTable = {
  program: "autostart",
  summary: "start any program at login or at boot, and keep it alive",
  description: [
    "autostart makes any program start at login or at boot, and keeps it alive, with one command that behaves the same on macOS (launchd: a LaunchAgent for login, a LaunchDaemon for boot) and on Linux (systemd: a user unit for login, a system unit for boot); runit and OpenRC come as plugins.",
    'Every file it writes carries a "managed by autostart" marker; it never overwrites a file without it unless told to (--force, which keeps a backup), and it removes only files it wrote. Boot services need sudo; they run as the invoking user (SUDO_USER) unless --user says otherwise.',
  ],
  commands: [
    ENABLE,
    DISABLE,
    STATUS,
    START,
    STOP,
    RESTART,
    LOGS,
    SHOW,
    EXPORT,
    APPLY,
    DOCTOR,
    DRIVERS,
    LIMA,
    COMPLETIONS,
    MAN,
    HELP,
  ],
  globalOptions: [{
    name: "plugin",
    kind: "list",
    value: "PATH_OR_URL",
    complete: "files",
    description:
      'load a driver plugin (repeatable; also AUTOSTART_PLUGINS, paths separated by ":"); see plugins/README.md. As root: AUTOSTART_PLUGINS is ignored, a file must be one only root can change, a URL must be https://...#sha256-BASE64',
  }],
  examples: [
    "autostart enable web -- python3 -m http.server 8080",
    "sudo autostart enable tunnel --condition=boot -- /usr/local/bin/tunnel --port 22",
    "autostart status",
    "autostart logs web -f",
    "autostart doctor",
    "autostart disable web",
  ],
  exitCodes: [
    { code: 0, meaning: "ok" },
    { code: 1, meaning: "the operation failed" },
    { code: 2, meaning: "invalid input (nothing written)" },
    { code: 3, meaning: "not supported here" },
  ],
  environment: [
    {
      name: "AUTOSTART_PLUGINS",
      description:
        'driver plugins to load, paths or URLs separated by ":" (ignored as root)',
    },
    {
      name: "AUTOSTART_LOCK_TIMEOUT",
      description:
        "how long to wait for another autostart working on the same scope (e.g. 2m)",
    },
    {
      name: "SUDO_USER",
      description: "the account boot services run as, unless --user is given",
    },
    {
      name: "NO_COLOR",
      description: "when set, output is never coloured",
    },
    {
      name: "FORCE_COLOR",
      description:
        "colour even when not on a terminal (0 or false: never colour)",
    },
    {
      name: "XDG_RUNTIME_DIR",
      description: "where the systemd user manager is reached (login services)",
    },
    {
      name: "XDG_CONFIG_HOME",
      description:
        "instead of ~/.config for systemd user units and autostart's own files",
    },
    {
      name: "LIMA_HOME",
      description:
        "where Lima keeps its instances; carried into the services of autostart lima",
    },
  ],
  files: [
    {
      path: "~/.config/systemd/user/autostart-NAME.service",
      description: "a login service on Linux (systemd user unit)",
    },
    {
      path: "/etc/systemd/system/autostart-NAME.service",
      description: "a boot service on Linux (systemd system unit)",
    },
    {
      path: "~/Library/LaunchAgents/dev.autostart.NAME.plist",
      description: "a login service on macOS (LaunchAgent)",
    },
    {
      path: "/Library/LaunchDaemons/dev.autostart.NAME.plist",
      description: "a boot service on macOS (LaunchDaemon)",
    },
    {
      path: "~/.config/autostart/env/NAME.env",
      description:
        "the copy of a login service's --env-file (mode 0600); /etc/autostart/env/NAME.env for boot services",
    },
  ],
  seeAlso: [
    "systemctl(1)",
    "journalctl(1)",
    "systemd.service(5)",
    "launchctl(1)",
    "launchd.plist(5)",
    "limactl(1)",
  ],
};

/**
 * The command a path of words names (`["lima", "enable"]`), by name or alias.
 *
 * @param path the command's words, e.g. `["status"]` or `["lima", "enable"]`
 * @param table the table to look in
 * @returns the command, or `undefined` when there is none
 */
export function commandOf(
  path: readonly string[],
  table: CommandTable = TABLE,
): CommandDef | undefined {
  let list: readonly CommandDef[] = table.commands;
  let found: CommandDef | undefined;
  for (const word of path) {
    found = list.find((c) => c.name === word || c.aliases?.includes(word));
    if (!found) return undefined;
    list = found.commands ?? [];
  }
  return found;
}

/**
 * The options of a command, as `parseArgs()` takes them.
 *
 * @param command the command's words, space-separated: "enable", "lima enable"
 * @param table the table to look in
 * @returns its options
 * @throws TypeError when the table has no such command (a programming error)
 * @example Usage
 * ```ts
 * import { optionsOf } from "./mod.ts";
 * console.assert(optionsOf("enable").some((o) => o.name === "keep-alive"));
 * ```
 */
export function optionsOf(
  command: string,
  table: CommandTable = TABLE,
): readonly OptionDef[] {
  const c = commandOf(command.split(" "), table);
  if (!c) throw new TypeError(`command table: no command "${command}"`);
  return c.options;
}

/**
 * Every name a command answers to at the top level, in table order, aliases after
 * their command (`status`, `list`).
 *
 * @param table the table
 * @returns the names
 */
export function commandNames(table: CommandTable = TABLE): string[] {
  return table.commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
}
