/**
 * `autostart start|stop|restart NAME [--condition=...]`
 *
 * @module
 */

import { control } from "../../core/operations.ts";
import type { ControlAction } from "../../core/driver.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { locate, targetOf } from "../locate.ts";
import { palette } from "../output.ts";
import { waitAfterStart, waitMsOf } from "../start_wait.ts";
import { startedWords } from "./enable.ts";

const DONE: Record<ControlAction, string> = {
  start: "Started",
  stop: "Stopped",
  restart: "Restarted",
};

/** Makes the command for one control action. */
export function controlCommand(action: ControlAction) {
  const options = optionsOf(action);
  return async (argv: string[], app: App): Promise<number> => {
    const a = parseArgs(argv, options, action);
    const { name, condition } = targetOf(a, `autostart ${action} NAME`);
    const ctx = await app.context();
    const { driver, status } = await locate(app, name, condition);
    await control(
      ctx,
      driver,
      { name, condition: status.condition },
      action,
      app.clock ? { sleep: app.clock.sleep } : {},
    );
    const waited = action === "stop" ? null : await waitAfterStart(
      app,
      driver,
      { name, condition: status.condition },
      ctx,
      waitMsOf(a.values.wait),
      // restart replaces the running process; its end is not a failure.
      action === "restart"
        ? {
          replacesRun: true,
          ...(status.state === "running" ? { priorPid: status.pid } : {}),
        }
        : {},
    );
    if (a.values.json) {
      app.io.out(
        JSON.stringify({
          ok: true,
          name,
          action,
          driver: driver.id,
          state: waited?.status?.state ?? null,
        }) + "\n",
      );
    } else {
      app.io.out(
        `${palette(app.io.color).green(DONE[action])} "${name}" (${driver.id})${
          waited ? startedWords(waited.outcome) : ""
        }.\n`,
      );
    }
    return 0;
  };
}
