/**
 * The other commands: export, apply, lima, completions, man, help.
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
} from "./options.ts";
import { LOGS } from "./inspect.ts";
import type { CommandDef } from "./types.ts";

/** `autostart export`. */
export const EXPORT: CommandDef = {
  name: "export",
  summary:
    "Prints a manifest (JSON, schema: docs/manifest.schema.json) of the services autostart manages, read from the files it wrote",
  usage: ["export [NAME...] [--condition=login|boot]"],
  synopsis: ["export [NAME...] [--condition=login|boot] > services.json"],
  description: [
    'Prints a manifest (JSON, schema: docs/manifest.schema.json) of the services autostart manages, read from the files it wrote. "autostart apply" of it on another machine recreates the same services.',
  ],
  positionals: [NAME],
  options: [{ ...CONDITION, description: "only this condition" }],
  examples: [
    "autostart export > services.json",
    "sudo autostart export --condition=boot > boot-services.json",
  ],
};

/** `autostart apply`. */
export const APPLY: CommandDef = {
  name: "apply",
  summary: 'Makes this machine match a manifest (see "autostart export")',
  usage: ["apply FILE [options]"],
  synopsis: ["apply FILE [--prune] [--check] [--json]"],
  description: [
    'Makes this machine match a manifest (see "autostart export"): creates what is missing, updates what differs, leaves what is equal untouched (no reload, no restart). Relative paths in the manifest are relative to its directory; FILE - reads standard input. Exit 0 when converged, 1 when a service failed (the others are still applied), 2 for an invalid manifest (nothing applied).',
  ],
  positionals: [{ name: "FILE", complete: "files" }],
  options: [
    {
      name: "prune",
      kind: "boolean",
      description:
        "also disable managed services the manifest lacks (never files autostart did not write)",
    },
    {
      name: "check",
      kind: "boolean",
      description: "change nothing; report what would change",
    },
    {
      ...CONDITION,
      description:
        "only the services of this condition (and, with --prune, only this scope)",
    },
    {
      ...JSON_OUTPUT,
      description: 'print {"changed": ..., "services": [...]}',
    },
  ],
  examples: [
    "autostart apply services.json",
    "autostart apply services.json --check",
    "sudo autostart apply services.json --condition=boot --prune --json",
  ],
};

const INSTANCE = { name: "INSTANCE", complete: "instances" } as const;

/** `autostart lima enable|disable|status|logs`. */
export const LIMA: CommandDef = {
  name: "lima",
  summary:
    "Starts a Lima VM at login or at boot with the files limactl itself writes",
  usage: [
    "lima enable INSTANCE [options]",
    "lima disable INSTANCE [--condition=login|boot] [--adopt]",
    "lima status [INSTANCE] [--json]",
    "lima logs INSTANCE [-f] [-n LINES] [--since TIME] [--all]",
  ],
  synopsis: ["lima enable|disable|status|logs INSTANCE [options]"],
  description: [
    'Starts a Lima VM at login or at boot with the files limactl itself writes (io.lima-vm.autostart.INSTANCE / io.lima-vm.daemon.INSTANCE for launchd, lima-vm@INSTANCE.service for systemd), so "limactl start/stop" keep working. The service gets a PATH that finds limactl and qemu, and LIMA_HOME when it is set. On Linux, --condition=boot installs a system unit, lima-vm-boot@INSTANCE.service, that runs as the sudo user. Keep-alive "always" is refused: "limactl stop" ends the VM with exit code 0, and "always" would start it again.',
  ],
  positionals: [],
  options: [],
  commands: [
    {
      name: "enable",
      summary: "Starts the VM INSTANCE at login or at boot",
      usage: ["lima enable INSTANCE [options]"],
      description: ["Starts the VM INSTANCE at login or at boot."],
      positionals: [INSTANCE],
      options: [
        {
          ...CONDITION,
          default: "login",
          description: "when it starts; boot needs sudo",
        },
        KEEP_ALIVE,
        {
          name: "adopt",
          kind: "boolean",
          description: "take over a file written by limactl (a backup is kept)",
        },
        {
          name: "start",
          kind: "boolean",
          negated: "install, but do not start now",
        },
        {
          name: "wait",
          kind: "boolean",
          negated: "do not wait for the VM to boot",
        },
        {
          name: "timeout",
          kind: "string",
          value: "DURATION",
          default: "10m",
          description: "how long to wait for the VM",
        },
        {
          ...STOP_TIMEOUT,
          default: '3m10s, as long as "limactl stop" waits',
          description:
            "how long a stop waits for the VM to shut down before SIGKILL",
        },
        DRY_RUN,
        JSON_OUTPUT,
      ],
      examples: [
        "autostart lima enable default",
        "sudo autostart lima enable default --condition=boot",
      ],
    },
    {
      name: "disable",
      summary: "Stops the VM's service and removes it from login/boot",
      usage: ["lima disable INSTANCE [--condition=login|boot] [--adopt]"],
      description: ["Stops the VM's service and removes it from login/boot."],
      positionals: [INSTANCE],
      options: [
        {
          ...CONDITION,
          description: "which one, when INSTANCE exists for both",
        },
        {
          name: "adopt",
          kind: "boolean",
          description: "also remove a file written by limactl",
        },
        DRY_RUN,
        JSON_OUTPUT,
      ],
      examples: ["autostart lima disable default"],
    },
    {
      name: "status",
      aliases: ["list"],
      summary: "Shows the Lima VMs started at login or boot, and their state",
      usage: ["lima status [INSTANCE] [--json]"],
      description: [
        "Shows the Lima VMs started at login or boot, and their state.",
      ],
      positionals: [INSTANCE],
      options: [JSON_OUTPUT],
      examples: ["autostart lima status default"],
    },
    {
      name: "logs",
      summary: "Shows the output of the VM's service (its host agent)",
      usage: ["lima logs INSTANCE [-f] [-n LINES] [--since TIME] [--all]"],
      description: [
        'Shows the output of the VM\'s service (its host agent): what "limactl start --foreground" prints, read like "autostart logs" under Lima\'s unit or label, also for a service limactl wrote: the journal of lima-vm@INSTANCE.service or lima-vm-boot@INSTANCE.service, the launchd log files on macOS. Lima\'s own events stay in INSTANCE_DIR/ha.stdout.log.',
      ],
      positionals: [INSTANCE],
      options: [
        ...LOGS.options.filter((o) => o.name !== "condition"),
        {
          ...CONDITION,
          description: "which one, when INSTANCE has a service for both",
        },
      ],
      examples: [
        "autostart lima logs default -n 20",
        "autostart lima logs default -f",
      ],
    },
  ],
  examples: [
    "autostart lima enable default",
    "sudo autostart lima enable default --condition=boot",
    "autostart lima status default",
    "autostart lima logs default -n 20",
    "autostart lima disable default",
  ],
};

/** `autostart completions`. */
export const COMPLETIONS: CommandDef = {
  name: "completions",
  summary: "Prints a shell completion script",
  usage: ["completions bash|zsh|fish"],
  synopsis: ["completions bash|zsh|fish"],
  description: [
    'Prints a shell completion script: commands, options, option values, and the names of the services autostart manages (read as you type with the cheap "autostart status --fast --json").',
  ],
  notes: ["Homebrew installs these scripts for you."],
  sections: [{
    title: "Setup",
    lines: [
      "bash  echo 'source <(autostart completions bash)' >> ~/.bashrc",
      "zsh   echo 'source <(autostart completions zsh)' >> ~/.zshrc   (after compinit)",
      "      or save it as _autostart in a directory of $fpath",
      "fish  autostart completions fish > ~/.config/fish/completions/autostart.fish",
    ],
  }],
  positionals: [{ name: "SHELL", complete: "shells" }],
  options: [],
  examples: [],
};

/** `autostart man`. */
export const MAN: CommandDef = {
  name: "man",
  summary: "Prints the manual page autostart.1 (roff)",
  usage: ["man"],
  synopsis: ["man"],
  description: [
    "Prints the manual page autostart.1 (roff), made from the same command table as --help. Read it with: autostart man | man -l -",
  ],
  positionals: [],
  options: [],
  examples: ["autostart man | man -l -", "autostart man > autostart.1"],
};

/** `autostart help`. */
export const HELP: CommandDef = {
  name: "help",
  summary: "Show the help of a command",
  usage: ["help [COMMAND]"],
  synopsis: ["help [COMMAND]"],
  description: [
    "Show the help of a command: of COMMAND, or the list of commands.",
  ],
  positionals: [{ name: "COMMAND", complete: "commands" }],
  options: [],
  examples: ["autostart help enable"],
};
