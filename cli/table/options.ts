/**
 * Options that several commands share, and their NAME argument. A command lists them
 * in its own options, giving its own description where the meaning differs
 * (`{ ...CONDITION, description }`).
 *
 * @module
 */

import type { OptionDef, PositionalDef } from "./types.ts";

/** The NAME of a managed service. */
export const NAME: PositionalDef = { name: "NAME", complete: "services" };

/** `--condition=login|boot`. */
export const CONDITION: OptionDef = {
  name: "condition",
  kind: "string",
  value: "login|boot",
  choices: ["login", "boot"],
  description: "which one, when NAME exists for both",
};

/** `--keep-alive[=MODE]` / `--no-keep-alive`. */
export const KEEP_ALIVE: OptionDef = {
  name: "keep-alive",
  kind: "optional",
  value: "MODE",
  choices: ["true", "false", "always", "on-failure"],
  default: "true",
  description: "true (= on-failure), false, always, on-failure",
  negated: "same as --keep-alive=false",
};

/** `--wait[=DURATION]` / `--no-wait` of the commands that start a service. */
export const WAIT: OptionDef = {
  name: "wait",
  kind: "optional",
  value: "DURATION",
  // `--wait 30s` as well as `--wait=30s`: the next word is its value when it is one.
  accepts: "duration",
  default: "5s",
  description: "how long to wait for it",
  negated: "return at once",
};

/** `--json`. */
export const JSON_OUTPUT: OptionDef = {
  name: "json",
  kind: "boolean",
  description: "print the result as JSON",
};

/** `--dry-run`. */
export const DRY_RUN: OptionDef = {
  name: "dry-run",
  kind: "boolean",
  description: "print the files and commands, change nothing",
};

/** `--stop-timeout=DURATION`. */
export const STOP_TIMEOUT: OptionDef = {
  name: "stop-timeout",
  kind: "string",
  value: "DURATION",
  default: "the init system's own",
  description:
    "on stop, wait this long after SIGTERM before SIGKILL, e.g. 30s, 3m10s",
};
