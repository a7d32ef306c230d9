/**
 * A plan is what a driver wants done, as data: files to write or remove and commands to
 * run, in order. Drivers build plans with pure functions; `apply()` performs them. Plans
 * print for `--dry-run` and compare in tests.
 *
 * @module
 */

import { shellQuote } from "./kit/sh_quote.ts";
import type { Owner } from "./fs.ts";

/** Write a file atomically. */
export interface WriteStep {
  kind: "write";
  /** Absolute path. */
  path: string;
  /** Full contents. */
  content: string;
  /** Permission bits. */
  mode: number;
  /** Owner, when it must differ from the writer. */
  owner?: Owner;
  /**
   * Text an existing file must contain to be overwritten without `--force` (the
   * "managed by autostart" marker).
   */
  marker: string;
  /**
   * Where the backup of a replaced file goes (`DIR/NAME.autostart-backup`, directory
   * created with mode 0700), when not beside the file: launchd, for one, reads every
   * file in `~/Library/LaunchAgents`.
   */
  backupDir?: string;
  /**
   * The content holds secrets (`NAME="VALUE"` lines of an env-file copy): printed
   * plans ({@link describePlan}, `--dry-run`) show the names, not the values.
   */
  secret?: boolean;
}

/** Remove a file that carries the marker. */
export interface RemoveStep {
  kind: "remove";
  /** Absolute path. */
  path: string;
  /** Text the file must contain to be removed without `--force`. */
  marker: string;
  /**
   * Where the backup goes when the file is kept before removal (foreign with
   * `--force`, or edited by hand), when not beside the file (see {@link WriteStep}).
   */
  backupDir?: string;
}

/** Create a directory (and parents) if missing. */
export interface MkdirStep {
  kind: "mkdir";
  /** Absolute path. */
  path: string;
  /** Permission bits of created directories. */
  mode?: number;
  /**
   * Owner of the directory itself when this step creates it (never of its parents),
   * for a writer that runs as that user (svlogd, a service's own log file).
   */
  owner?: Owner;
  /**
   * Root creates or opens files here (a boot service's logs): `apply()` refuses, before
   * any step, a path whose existing directories are not root's or are writable by
   * another user (only the last may belong to `owner`). See `rootOnlyProblem()`.
   */
  secure?: boolean;
}

/**
 * Create an empty file if it is missing, for a writer that runs as `owner` (a
 * LaunchDaemon's log file, which launchd may open as the service's user): created
 * exclusively, never through a symlink, and handed over through its handle. An existing
 * file is left as it is (its content is a log).
 */
export interface CreateStep {
  kind: "create";
  /** Absolute path, in a directory only root can change. */
  path: string;
  /** Permission bits. */
  mode: number;
  /** Owner. */
  owner: Owner;
}

/** Run a command. */
export interface RunStep {
  kind: "run";
  /** Command line; never passed through a shell. */
  argv: string[];
  /** Extra environment for the command. */
  env?: Record<string, string>;
  /** Exit codes that count as success besides 0. */
  okCodes?: number[];
  /** Failure is reported as a warning and the plan goes on. */
  ignoreFailure?: boolean;
  /** Command that undoes this one, run when a later step fails. */
  undo?: string[];
  /**
   * Run it only when this probe exits with one of `codes` (e.g. `launchctl bootstrap`
   * only when `launchctl print TARGET` answers 113, not loaded); otherwise skip it.
   */
  when?: { argv: string[]; codes: number[] };
  /**
   * Run it again every `intervalMs` until it exits with one of `codes` (which then
   * count as success), for at most `timeoutMs`, as long as it answers one of
   * `pending` (any other answer is a failure at once; absent: keep asking) — e.g.
   * `launchctl print TARGET` until 113 while it answers 0: the job a `bootout`
   * stopped has really left launchd.
   */
  until?: {
    codes: number[];
    timeoutMs: number;
    intervalMs: number;
    pending?: number[];
    /**
     * A longer bound the first answer may give: the number the first group of
     * `pattern` (a multi-line regular expression) finds in its stdout, times `unitMs`,
     * plus `marginMs` — e.g. `exit timeout = N` in `launchctl print TARGET`, the time
     * launchd gives that very job. `what` says it in `--dry-run`.
     */
    longerFrom?: {
      pattern: string;
      unitMs: number;
      marginMs: number;
      what: string;
    };
  };
  /**
   * Run it again after each of `delaysMs` in turn while it exits with one of `codes`
   * (e.g. `bootstrap` answering 5 while launchd still removes the previous job).
   */
  retry?: { codes: number[]; delaysMs: number[] };
  /** Short description for reports: "reload systemd", "start the service". */
  title: string;
}

/** One step of a plan. */
export type Step = WriteStep | RemoveStep | MkdirStep | CreateStep | RunStep;

/** What a driver wants done for one operation on one service. */
export interface Plan {
  /** Driver that made it. */
  driver: string;
  /** Service name. */
  service: string;
  /** Steps, in order. */
  steps: Step[];
  /** Commands run after a rollback (e.g. `systemctl daemon-reload`). */
  afterRollback?: { argv: string[]; env?: Record<string, string> }[];
  /** Things the user should know (printed after success). */
  notes?: string[];
}

/** Quotes a word for display; it lives in the driver kit (`core/kit/sh_quote.ts`). */
export { shellQuote };

/** Renders a plan for `--dry-run`: the files with their contents, then the commands. */
export function describePlan(plan: Plan): string {
  const out: string[] = [];
  for (const s of plan.steps) {
    switch (s.kind) {
      case "mkdir":
        out.push(`mkdir -p ${shellQuote(s.path)}`);
        break;
      case "write":
        out.push(
          `write ${s.path} (mode ${s.mode.toString(8).padStart(4, "0")}${
            s.owner ? `, owner ${s.owner.uid}:${s.owner.gid}` : ""
          }):`,
        );
        out.push(
          ...(s.secret ? hideValues(s.content) : s.content).replace(/\n$/, "")
            .split("\n").map((l) => `    ${l}`),
        );
        break;
      case "remove":
        out.push(`remove ${s.path}`);
        break;
      case "create":
        out.push(
          `create ${s.path} if missing (mode ${
            s.mode.toString(8).padStart(4, "0")
          }, owner ${s.owner.uid}:${s.owner.gid})`,
        );
        break;
      case "run":
        out.push(
          `run ${s.argv.map(shellQuote).join(" ")}${
            s.ignoreFailure ? "  (may fail)" : ""
          }${runConditions(s)}`,
        );
        break;
    }
  }
  return out.join("\n");
}

/** The `when` / `until` / `retry` of a run step, as `--dry-run` shows them. */
function runConditions(s: RunStep): string {
  const out: string[] = [];
  if (s.when) {
    out.push(
      `only if ${s.when.argv.map(shellQuote).join(" ")} exits ${
        s.when.codes.join(" or ")
      }`,
    );
  }
  if (s.until) {
    out.push(
      `until it exits ${s.until.codes.join(" or ")}, up to ${
        Math.ceil(s.until.timeoutMs / 1000)
      }s${s.until.longerFrom ? ` or ${s.until.longerFrom.what}` : ""}`,
    );
  }
  if (s.retry) {
    out.push(
      `retried ${s.retry.delaysMs.length} times while it exits ${
        s.retry.codes.join(" or ")
      }`,
    );
  }
  return out.length ? `  (${out.join("; ")})` : "";
}

/**
 * An env-file copy with its values hidden: comment lines as they are, one
 * `NAME=(hidden)` per assignment (continuation lines of multi-line values dropped).
 */
export function hideValues(content: string): string {
  return content.split("\n").flatMap((l) => {
    if (l.startsWith("#") || l === "") return [l];
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l);
    return m ? [`${m[1]}=(hidden)`] : [];
  }).join("\n");
}

/**
 * A copy of `plan` for printing (`--dry-run --json`): the content of secret writes
 * with its values hidden ({@link hideValues}).
 */
export function printablePlan(plan: Plan): Plan {
  return {
    ...plan,
    steps: plan.steps.map((s) =>
      s.kind === "write" && s.secret
        ? { ...s, content: hideValues(s.content) }
        : s
    ),
  };
}
