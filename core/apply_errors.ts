/**
 * The errors {@link apply} raises: a failed command (what the init system said, and the
 * driver's explanation) and a failed file operation.
 *
 * @module
 */

import { OperationError } from "./errors.ts";
import type { Explain } from "./driver.ts";
import type { RunStep } from "./plan.ts";
import type { CommandResult } from "./runner.ts";

/** Output of a command cut to 2,000 characters for a message. */
export function trimOutput(s: string): string {
  const t = s.trim();
  return t.length > 2000 ? `${t.slice(0, 2000)}...` : t;
}

/** Error for a command step that failed. */
export function commandError(
  step: RunStep,
  r: CommandResult,
  explain?: Explain,
): OperationError {
  const said = trimOutput(r.stderr) || trimOutput(r.stdout) || "(no output)";
  const x = explain?.(step.argv, r);
  const base = `Cannot ${step.title}: ${
    step.argv.join(" ")
  } exited with code ${r.code}: ${said}`;
  const message = x?.message ? `${base}\n${x.message}` : base;
  const hint = x?.hint;
  return new OperationError(message, {
    command: {
      argv: step.argv,
      code: r.code,
      stderr: trimOutput(r.stderr),
      stdout: trimOutput(r.stdout),
    },
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Error for a file operation that failed, with a hint when permission was denied. */
export function fsError(
  what: string,
  path: string,
  e: unknown,
): OperationError {
  const msg = e instanceof Error ? e.message : String(e);
  const denied = e instanceof Deno.errors.PermissionDenied ||
    /permission denied/i.test(msg);
  return new OperationError(
    `Cannot ${what} ${path}: ${msg}`,
    denied
      ? { hint: "check the permissions of the directory, or run with sudo" }
      : {},
  );
}
