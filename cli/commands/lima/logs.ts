/**
 * `autostart lima logs INSTANCE [-f] [-n N] [--since T] [--all] [--condition=...]`:
 * the output of an instance's service (the host agent's, `limactl start --foreground`),
 * read by its driver under Lima's unit or label, whoever wrote the file.
 *
 * @module
 */

import { OperationError, UsageError } from "../../../core/errors.ts";
import { limaRef } from "../../../presets/lima_status.ts";
import type { App } from "../../app.ts";
import type { ParsedArgs } from "../../args.ts";
import { logsRequestOf, printLogs } from "../logs.ts";
import { instanceServices, oneInstance } from "./words.ts";

/** Runs `lima logs` on parsed arguments. */
export async function limaLogs(a: ParsedArgs, app: App): Promise<number> {
  const instance = oneInstance(a.positionals, "logs");
  const req = logsRequestOf(a, `autostart lima logs ${instance} -n 50`);
  const { found } = await instanceServices(a, app, instance);
  if (found.length === 0) {
    throw new OperationError(
      `Lima instance "${instance}" has no service${
        a.values.condition === undefined
          ? ""
          : ` for condition ${a.values.condition}`
      } to show the log of`,
      { hint: `see: autostart lima status ${instance}` },
    );
  }
  if (found.length > 1) {
    throw new UsageError(
      `Lima instance "${instance}" has a service for more than one condition (${
        found.map((f) => f.status.condition).join(", ")
      })`,
      `add --condition=login or --condition=boot: autostart lima logs ${instance} --condition=login`,
    );
  }
  const { driver, status } = found[0]!;
  return await printLogs(
    app,
    driver,
    limaRef(driver, status.condition, instance, status.unit),
    status.unit,
    req,
  );
}
