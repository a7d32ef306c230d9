/**
 * OpenRC driver (a plugin compiled into autostart): boot services only, as
 * `/etc/init.d/autostart-NAME`, added to the `default` runlevel with `rc-update` and
 * controlled with `rc-service`. Status comes from one `rc-status --all`.
 *
 * Keep-alive `always` (supervise-daemon) and `false` (one start in the background);
 * `on-failure` is declined: supervise-daemon restarts a program whatever its exit code,
 * so a clean exit could not be told apart; selection then names the drivers that can.
 * `--stop-timeout` is the script's `retry` schedule.
 *
 * One concept per file: the init script, its reader and its escaper are
 * templates/openrc_script.ts and templates/openrc_eval.ts; here `plan.ts` (install,
 * remove, control), `status.ts` (`rc-status`, read-back), and this module, which
 * assembles the driver.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { Availability, Driver } from "../../core/driver.ts";
import { openrcPlan, openrcPlanControl, openrcPlanDisable } from "./plan.ts";
import { openrcReadBack, openrcStatus } from "./status.ts";
import { HINT_SEE_STATUS, HINT_USE_SUDO } from "../../core/errors.ts";

export {
  OPENRC_MARKER_TEXT,
  openrcLogFile,
  openrcRetry,
  openrcServiceName,
  readOpenrcScript,
  renderOpenrcScript,
} from "../../templates/openrc_script.ts";
export {
  checkEvalWord,
  evalWord,
  openrcValue,
  readOpenrcValue,
} from "../../templates/openrc_eval.ts";
export {
  INIT_DIR,
  openrcPlan,
  openrcPlanControl,
  openrcPlanDisable,
  openrcScriptPath,
} from "./plan.ts";
export {
  openrcReadBack,
  openrcState,
  openrcStatus,
  parseRcStatus,
} from "./status.ts";

/** Whether OpenRC runs here: Linux, with `/run/openrc/softlevel`. */
export async function openrcAvailable(ctx: Context): Promise<Availability> {
  if (ctx.os !== "linux") {
    return { available: false, reason: "the OpenRC plugin runs on Linux" };
  }
  if (!(await ctx.fs.exists("/run/openrc/softlevel"))) {
    return {
      available: false,
      reason: "OpenRC is not running here (no /run/openrc/softlevel)",
    };
  }
  return { available: true };
}

/** Turns a failed OpenRC command into a next step. */
export function explainOpenrc(
  argv: string[],
  r: { stderr: string },
): { hint: string } | undefined {
  if (/Permission denied|must be root/i.test(r.stderr)) {
    return { hint: HINT_USE_SUDO };
  }
  if (argv[0] === "rc-service" && /does not exist/.test(r.stderr)) {
    return { hint: HINT_SEE_STATUS };
  }
  return undefined;
}

/** The OpenRC driver. */
export const openrcDriver: Driver = {
  id: "openrc",
  description:
    "OpenRC init scripts (supervise-daemon) in /etc/init.d, default runlevel",
  platforms: ["linux"],
  conditions: ["boot"],
  keepAlive: ["false", "always"],
  // --stop-timeout is the script's `retry` schedule.
  features: ["stop-timeout", "env-file"],
  available: openrcAvailable,
  plan: openrcPlan,
  planDisable: openrcPlanDisable,
  planControl: openrcPlanControl,
  readBack: openrcReadBack,
  status: openrcStatus,
  explain: explainOpenrc,
};

export default openrcDriver;
