/**
 * The commands that change services: enable, disable, start, stop, restart.
 *
 * @module
 */

import {
  CONDITION,
  DRY_RUN,
  JSON_OUTPUT,
  KEEP_ALIVE,
  NAME,
  STOP_TIMEOUT,
  WAIT,
} from "./options.ts";
import type { CommandDef } from "./types.ts";

/** `autostart enable`. */
export const ENABLE: CommandDef = {
  name: "enable",
  summary:
    "Installs NAME so it starts at login (default) or at boot, and starts it now",
  usage: ["enable NAME [options] -- COMMAND [ARGS...]"],
  synopsis: ["enable NAME [options] -- COMMAND [ARGS...]"],
  description: [
    "Installs NAME so it starts at login (default) or at boot, and starts it now. Running it again with the same NAME updates the service; with the same settings it changes nothing and says so.",
  ],
  positionals: [{ name: "NAME", complete: "none" }],
  options: [
    {
      ...CONDITION,
      default: "login",
      description: "when it starts; boot needs sudo",
    },
    KEEP_ALIVE,
    {
      name: "restart-delay",
      kind: "string",
      value: "DURATION",
      default: "2s",
      description: "pause before a restart, e.g. 2s, 500ms; at least 100ms",
    },
    {
      name: "restart-max-delay",
      kind: "string",
      value: "DURATION",
      default: "1m",
      description:
        "a crash loop doubles the pause after each restart up to this (equal to --restart-delay: no backoff); launchd has no backoff",
    },
    STOP_TIMEOUT,
    {
      name: "env",
      kind: "list",
      short: "e",
      value: "KEY=VALUE",
      description:
        "environment variable (repeatable); written into the service file, which every user can read: no secrets",
    },
    {
      name: "env-file",
      kind: "string",
      value: "FILE",
      complete: "files",
      description:
        `.env file (NAME=VALUE, 'single' or "double" quotes, export, # comments), read now; its values are kept in a copy only the service's user and root can read`,
    },
    {
      name: "cwd",
      kind: "string",
      value: "DIR",
      complete: "dirs",
      description: "working directory",
    },
    {
      name: "path",
      kind: "string",
      value: "inherit|default",
      choices: ["inherit", "default"],
      default: "inherit",
      description:
        "inherit stores your PATH in the service; default leaves the init system's own PATH",
    },
    {
      name: "user",
      kind: "string",
      value: "USER",
      complete: "users",
      default: "the sudo user",
      description: "account a boot service runs as",
    },
    {
      name: "log-dir",
      kind: "string",
      value: "DIR",
      complete: "dirs",
      description:
        "write the output to DIR/NAME.log (boot services: DIR and the directories above it must be root's only; rotated at start when over 10 MiB on systemd and for LaunchAgents)",
    },
    {
      name: "driver",
      kind: "string",
      value: "ID",
      complete: "drivers",
      description: "use this driver (see: autostart drivers)",
    },
    {
      name: "start",
      kind: "boolean",
      negated: "install, but do not start now",
    },
    {
      ...WAIT,
      description:
        "after starting, wait this long for it to be running or to fail; on failure show the last log lines and exit 1 (the service stays installed)",
      negated: "start it and return at once",
    },
    {
      name: "force",
      kind: "boolean",
      description: "take over a file not written by autostart (keeps a backup)",
    },
    {
      name: "allow-unsafe",
      kind: "boolean",
      description:
        "run as root what a non-root user could change (the program, PATH entries, --cwd, file arguments, LD_*)",
    },
    DRY_RUN,
    JSON_OUTPUT,
  ],
  examples: [
    "autostart enable web -- python3 -m http.server 8080",
    "autostart enable worker --keep-alive=always --env QUEUE=jobs -- ./worker.sh",
    "sudo autostart enable tunnel --condition=boot -- /usr/local/bin/tunnel",
    "autostart enable web --dry-run -- python3 -m http.server 8080",
  ],
};

/** `autostart disable`. */
export const DISABLE: CommandDef = {
  name: "disable",
  summary: "Stops NAME, removes it from login/boot and deletes its file",
  usage: [
    "disable NAME [options]",
    "disable --all [--condition=login|boot] [--yes] [options]",
  ],
  synopsis: [
    "disable NAME [--condition=login|boot] [--keep-files] [--dry-run]",
    "disable --all [--condition=login|boot] [--yes]",
  ],
  description: [
    "Stops NAME, removes it from login/boot and deletes its file.",
    "With --all, does that to every service autostart manages in one scope: the --condition given, else login services (boot services under sudo). It asks first on a terminal; elsewhere it needs --yes.",
  ],
  positionals: [NAME],
  options: [
    CONDITION,
    {
      name: "all",
      kind: "boolean",
      description: "every managed service of the scope",
    },
    {
      name: "yes",
      kind: "boolean",
      short: "y",
      description: "do not ask (needed with --all when not on a terminal)",
    },
    {
      name: "keep-files",
      kind: "boolean",
      description: "stop and disable, but keep the file",
    },
    {
      name: "force",
      kind: "boolean",
      description:
        "also remove a file not written by autostart (keeps a backup)",
    },
    DRY_RUN,
    JSON_OUTPUT,
  ],
  examples: [
    "autostart disable web",
    "sudo autostart disable tunnel --condition=boot",
    "autostart disable --all",
    "sudo autostart disable --all --condition=boot --yes",
  ],
};

/** `autostart start`. */
export const START: CommandDef = {
  name: "start",
  summary: "Starts NAME now, then waits until it is running or has failed",
  usage: ["start NAME [options]"],
  synopsis: ["start|stop|restart NAME [--wait=DURATION | --no-wait]"],
  description: [
    "Starts NAME now, then waits until it is running or has failed.",
  ],
  positionals: [NAME],
  options: [CONDITION, WAIT, JSON_OUTPUT],
  examples: ["autostart start web", "autostart start web --wait=30s"],
};

/** `autostart stop`. */
export const STOP: CommandDef = {
  name: "stop",
  summary: "Stops NAME now",
  usage: ["stop NAME [--condition=login|boot] [--json]"],
  description: [
    'Stops NAME now. It still starts at the next login/boot; use "disable" to remove it.',
  ],
  positionals: [NAME],
  // Accepted as by start and restart, for scripts that pass the same options to each.
  options: [CONDITION, { ...WAIT, hidden: true }, JSON_OUTPUT],
  examples: ["autostart stop web"],
};

/** `autostart restart`. */
export const RESTART: CommandDef = {
  name: "restart",
  summary:
    "Restarts NAME (starts it when it is not running), then waits until it is running or has failed",
  usage: ["restart NAME [options]"],
  description: [
    "Restarts NAME (starts it when it is not running), then waits until it is running or has failed.",
  ],
  positionals: [NAME],
  options: [CONDITION, WAIT, JSON_OUTPUT],
  examples: ["autostart restart web", "autostart restart web --no-wait"],
};
