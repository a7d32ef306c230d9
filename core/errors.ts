/**
 * Typed errors and the exit codes they map to.
 *
 * - {@link UsageError}: invalid input; exit 2; nothing was written.
 * - {@link OperationError}: the init system (or the filesystem) said no; exit 1.
 * - {@link UnsupportedError}: the platform or condition is not supported; exit 3.
 *
 * @module
 */

/** Process exit codes used by the command line. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unsupported: 3,
} as const;

/** The next step when the init system has no such service: where to see those that exist. */
export const HINT_SEE_STATUS =
  "see `autostart status` for the services that exist";

/** The next step when the init system refuses for want of root. */
export const HINT_USE_SUDO = "run the same command with sudo";

/** Base class of every error autostart reports to the user. */
export class AutostartError extends Error {
  /** Exit code the command line ends with. */
  readonly exitCode: number;
  /** What the user can do next, printed after the message. */
  readonly hint: string | undefined;

  /**
   * @param message One line saying what failed.
   * @param exitCode Exit code for the process.
   * @param hint The next step for the user.
   */
  constructor(message: string, exitCode: number, hint?: string) {
    super(message);
    this.name = "AutostartError";
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/**
 * Invalid input: bad name, unknown option, missing command. Raised before any file is
 * touched.
 *
 * @example Usage
 * ```ts
 * import { UsageError } from "./errors.ts";
 * const err = new UsageError('Invalid name "../x": a name cannot contain "/"');
 * console.assert(err.exitCode === 2);
 * ```
 */
export class UsageError extends AutostartError {
  /** @param message What is wrong with the input. @param hint How to fix it. */
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
    this.name = "UsageError";
  }
}

/** The asked platform, condition or keep-alive mode cannot be served here. */
export class UnsupportedError extends AutostartError {
  /** @param message What is not supported. @param hint What is supported instead. */
  constructor(message: string, hint?: string) {
    super(message, ExitCode.unsupported, hint);
    this.name = "UnsupportedError";
  }
}

/** Details of a command that failed, kept for the report. */
export interface FailedCommand {
  /** The command line as run. */
  argv: string[];
  /** Its exit code. */
  code: number;
  /** What it printed on stderr (trimmed). */
  stderr: string;
  /** What it printed on stdout (trimmed). */
  stdout: string;
}

/**
 * An operation failed: a command of the init system exited non-zero, or a file could
 * not be written. Carries the failed command and what the init system said.
 */
export class OperationError extends AutostartError {
  /** The command that failed, when a command failed. */
  readonly command: FailedCommand | undefined;
  /** Problems met while rolling back earlier steps. */
  rollbackProblems: string[] = [];

  /**
   * @param message What failed.
   * @param options The failed command and the next step.
   */
  constructor(
    message: string,
    options: { command?: FailedCommand; hint?: string } = {},
  ) {
    super(message, ExitCode.failed, options.hint);
    this.name = "OperationError";
    this.command = options.command;
  }
}

/** Another autostart holds the lock of this scope for longer than we waited. */
export class BusyError extends OperationError {
  /** @param message What is busy. @param hint What to do. */
  constructor(message: string, hint?: string) {
    super(message, hint === undefined ? {} : { hint });
    this.name = "BusyError";
  }
}
