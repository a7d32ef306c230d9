/**
 * Finding where a managed service lives: which driver and condition have its file.
 *
 * @module
 */

import type { Driver, ServiceStatus, StatusOptions } from "../core/driver.ts";
import { HINT_SEE_STATUS, OperationError, UsageError } from "../core/errors.ts";
import { type Condition, parseCondition, parseName } from "../core/spec.ts";
import { type ParsedArgs, unexpectedArgument } from "./args.ts";
import type { App } from "./app.ts";

/**
 * The one service a command acts on: its NAME (exactly one positional) and its
 * `--condition`, when given. Exit 2 otherwise.
 * @param usage The command's usage line, for the hint.
 */
export function targetOf(
  a: ParsedArgs,
  usage: string,
): { name: string; condition: Condition | undefined } {
  if (a.positionals.length > 1) {
    throw unexpectedArgument(
      a,
      1,
      usage.split(" ").slice(1, 2).join(""),
      `give exactly one NAME; usage: ${usage}`,
    );
  }
  if (a.positionals.length === 0) {
    throw new UsageError("Missing NAME", `usage: ${usage}`);
  }
  return {
    name: parseName(a.positionals[0]!),
    condition: a.values.condition === undefined
      ? undefined
      : parseCondition(a.values.condition as string),
  };
}

/** A service found on this machine, with its driver. */
export interface Located {
  /** Its driver. */
  driver: Driver;
  /** Its current status. */
  status: ServiceStatus;
}

/**
 * Status of managed services on every available driver and condition of this platform.
 * `names` limits the answer; `condition` limits the scopes looked at; `fast` asks for
 * the cheap state/PID view (see {@link StatusOptions}).
 */
export async function collect(
  app: App,
  options: {
    names?: string[];
    condition?: Condition;
    driverId?: string;
    fast?: StatusOptions["fast"];
  } = {},
): Promise<Located[]> {
  const ctx = await app.context();
  const registry = await app.registry();
  const drivers = options.driverId !== undefined
    ? [registry.get(options.driverId)].filter((d): d is Driver =>
      d !== undefined
    )
    : registry.forPlatform(ctx.os);
  const jobs: Promise<Located[]>[] = [];
  for (const driver of drivers) {
    for (const condition of driver.conditions) {
      if (options.condition && condition !== options.condition) continue;
      jobs.push(
        driver.status(
          condition,
          ctx,
          options.names,
          options.fast ? { fast: true } : undefined,
        ).then((list) => list.map((status) => ({ driver, status }))),
      );
    }
  }
  return (await Promise.all(jobs)).flat();
}

/** Finds exactly one managed service by name, or explains why not. */
export async function locate(
  app: App,
  name: string,
  condition?: Condition,
): Promise<Located> {
  const found = await collect(app, {
    names: [name],
    ...(condition ? { condition } : {}),
  });
  if (found.length === 0) {
    throw new OperationError(
      `No service named "${name}" is managed by autostart${
        condition ? ` for condition ${condition}` : ""
      }`,
      // A Lima VM's service is Lima's, addressed by its instance.
      { hint: `${HINT_SEE_STATUS} (\`autostart lima status\` for Lima's VMs)` },
    );
  }
  if (found.length > 1) {
    throw new UsageError(
      `"${name}" exists for more than one condition (${
        found.map((f) => f.status.condition).join(", ")
      })`,
      "add --condition=login or --condition=boot",
    );
  }
  return found[0]!;
}
