/**
 * `autostart lima logs INSTANCE [-f] [-n N] [--since T] [--all] [--condition=...]`:
 * the output of an instance's service (the host agent's, `limactl start --foreground`),
 * read by its driver under Lima's unit or label, whoever wrote the file.
 *
 * @module
 */

import type { Driver } from "../../../core/driver.ts";
import { OperationError, UsageError } from "../../../core/errors.ts";
import { CONDITIONS, parseCondition } from "../../../core/spec.ts";
import { limaDriver } from "../../../presets/lima_resolve.ts";
import {
  limaRef,
  type LimaStatus,
  limaStatus,
} from "../../../presets/lima_status.ts";
import type { App } from "../../app.ts";
import type { ParsedArgs } from "../../args.ts";
import { logsRequestOf, printLogs } from "../logs.ts";
import { oneInstance } from "./words.ts";

/** Runs `lima logs` on parsed arguments. */
export async function limaLogs(a: ParsedArgs, app: App): Promise<number> {
  const instance = oneInstance(a.positionals, "logs");
  const req = logsRequestOf(a, `autostart lima logs ${instance} -n 50`);
  const conditions = a.values.condition === undefined
    ? CONDITIONS
    : [parseCondition(a.values.condition as string)];
  const ctx = await app.context();
  const registry = await app.registry();
  const found: { driver: Driver; status: LimaStatus }[] = [];
  for (const condition of conditions) {
    const driver = await limaDriver(registry, ctx, { condition, loose: true });
    const status = await limaStatus(driver, condition, instance, ctx);
    if (status.owner !== null) found.push({ driver, status });
  }
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
    req,
  );
}
