/**
 * The commands that look: status, logs, show, doctor, drivers.
 *
 * @module
 */

import { CONDITION, JSON_OUTPUT, NAME } from "./options.ts";
import type { CommandDef } from "./types.ts";

/** `autostart status` (alias `list`). */
export const STATUS: CommandDef = {
  name: "status",
  aliases: ["list"],
  summary:
    "Shows the managed services and their real state, as the init system reports it",
  usage: ["status [NAME...] [options]     (alias: list)"],
  synopsis: ["status [NAME...] [--fast] [--json] (alias: list)"],
  description: [
    "Shows the managed services and their real state, as the init system reports it.",
    "Columns: NAME, STATE, PID, UPTIME, RESTARTS (since it was last started), LAST EXIT (how its last run ended), CONDITION, DRIVER. Colour only on a terminal, never with NO_COLOR.",
  ],
  sections: [{
    title: "States",
    lines: [
      "running        its process is up",
      "starting       being started, or waiting to be restarted after an exit",
      "stopped        not running, and did not fail (stopped, or exited with 0)",
      "failed         its last run failed and it is not being restarted",
      "crash-looping  it keeps dying and being restarted (3 restarts or more)",
      "not-loaded     its file exists but the init system has not loaded it",
      "unknown        the init system could not be asked",
      '"(drifted)" after a state: its file was edited by hand since autostart wrote it',
    ],
  }],
  positionals: [NAME],
  options: [
    { ...CONDITION, description: "only this condition" },
    {
      name: "fast",
      kind: "boolean",
      description:
        "state and PID only, from the init system's cheapest source: much faster with many services (no restarts, last exit, uptime, or crash-looping)",
    },
    { ...JSON_OUTPUT, description: "print as JSON (schema: docs/json.md)" },
  ],
  examples: [
    "autostart status",
    "autostart status web --json",
    "NO_COLOR=1 autostart status",
    "autostart status --fast",
  ],
};

/** `autostart logs`. */
export const LOGS: CommandDef = {
  name: "logs",
  summary: "Shows the output of NAME",
  usage: ["logs NAME [options]"],
  synopsis: ["logs NAME [-f] [-n LINES] [--since TIME] [--all]"],
  description: [
    "Shows the output of NAME: from the journal on systemd (or its --log-dir file), from its log file on macOS. With -f, keeps showing new lines until Ctrl-C. Only the program's own lines, unless --all: then the init system's notes about it too (started, exited with status 1, scheduled restart...).",
  ],
  positionals: [NAME],
  options: [
    {
      name: "lines",
      kind: "string",
      short: "n",
      value: "N",
      default: "100",
      description: "how many recent lines of the program",
    },
    {
      name: "all",
      kind: "boolean",
      description: "include the init system's notes (systemd journal)",
    },
    {
      name: "follow",
      kind: "boolean",
      short: "f",
      description: "keep showing new lines; Ctrl-C stops (exit 0)",
    },
    {
      name: "since",
      kind: "string",
      value: "TIME",
      description:
        'only lines since TIME (systemd journal only): 10m, 2h, 1d, "today", "2024-05-01 10:00"',
    },
    CONDITION,
  ],
  examples: [
    "autostart logs web",
    "autostart logs web -n 20",
    "autostart logs web -f",
    "autostart logs web --since 1h",
    "autostart logs web --all -n 20",
  ],
};

/** `autostart show`. */
export const SHOW: CommandDef = {
  name: "show",
  summary: "Shows what NAME runs, read back from the file autostart wrote",
  usage: ["show NAME [options]"],
  synopsis: ["show NAME [--file] [--reveal] [--json]"],
  description: [
    "Shows what NAME runs, read back from the file autostart wrote: the command and its arguments, working directory, environment, condition, keep-alive, restart delay, account, log directory, the file and the state. Values of variables whose names look secret (TOKEN, SECRET, PASSWORD, KEY, ...) are masked.",
  ],
  positionals: [NAME],
  options: [
    CONDITION,
    {
      name: "file",
      kind: "boolean",
      description: "print the file itself (secret values masked)",
    },
    {
      name: "reveal",
      kind: "boolean",
      description: "show secret-looking values as they are",
    },
    { ...JSON_OUTPUT, description: "print as JSON" },
  ],
  examples: [
    "autostart show web",
    "autostart show web --file",
    "sudo autostart show tunnel --json --reveal",
  ],
};

/** `autostart doctor`. */
export const DOCTOR: CommandDef = {
  name: "doctor",
  summary: "Checks what makes services start or not",
  usage: ["doctor [--json]"],
  synopsis: ["doctor [--json]"],
  description: [
    "Checks what makes services start or not: the init system is reachable (on systemd: the user manager, XDG_RUNTIME_DIR, the user bus), lingering for login services, unit/plist directories writable, PATH of the service manager against yours, managed files edited by hand (drifted) or orphaned, plugins that failed to load. Each problem comes with how to fix it.",
    "Exit 0 when nothing fails (warnings allowed), 1 when a check fails.",
  ],
  positionals: [],
  options: [{
    ...JSON_OUTPUT,
    description: "print as JSON (schema: docs/json.md)",
  }],
  examples: ["autostart doctor", "autostart doctor --json"],
};

/** `autostart drivers`. */
export const DRIVERS: CommandDef = {
  name: "drivers",
  summary:
    "Lists the drivers: platforms, conditions, keep-alive modes, and whether each is available here (and why not)",
  usage: ["drivers [--json]"],
  synopsis: ["drivers [--json]"],
  description: [
    "Lists the drivers: platforms, conditions, keep-alive modes, and whether each is available here (and why not).",
  ],
  positionals: [],
  options: [JSON_OUTPUT],
  examples: ["autostart drivers --json"],
};
