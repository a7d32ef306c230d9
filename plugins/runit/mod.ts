/**
 * runit driver (a plugin compiled into autostart). A service is a directory
 * `STAGING/autostart-NAME` (`/etc/sv` for boot) holding an executable `run` script, a
 * `finish` script and a `log/run` script (svlogd), linked into the directory runsvdir
 * watches (`SVDIR`, default `/etc/service`; for login a per-user runsvdir on
 * `~/service`). runsvdir notices the link within 5 seconds and starts a runsv for it;
 * `sv` controls it and `sv status` reads the state of all services in one call.
 *
 * One concept per file: the scripts and their reader are templates/runit_scripts.ts
 * (keep-alive under runit is described there); here `paths.ts` (where things live),
 * `runsvdir.ts` (is runit serving here), `plan.ts` (install, remove, control),
 * `status.ts` (`sv status`, read-back), `logs.ts` (svlogd's files), and this module,
 * which assembles the driver and explains runit's failures.
 *
 * @module
 */

import type { Driver } from "../../core/driver.ts";
import { runitLogs } from "./logs.ts";
import { runitPlan, runitPlanControl, runitPlanDisable } from "./plan.ts";
import { runitAvailable } from "./runsvdir.ts";
import { runitReadBack, runitStatus } from "./status.ts";
import { HINT_USE_SUDO } from "../../core/errors.ts";

export {
  readRunitFiles,
  renderRunitDown,
  renderRunitFinish,
  renderRunitLog,
  renderRunitRun,
  RUNIT_BACKOFF_FILE,
  RUNIT_MARKER_TEXT,
  runitServiceName,
} from "../../templates/runit_scripts.ts";
export { runitLogs, sinceTime, svlogdTime } from "./logs.ts";
export {
  runitLogDir,
  type RunitPaths,
  runitPaths,
  runitStagingDir,
  runitSvDir,
} from "./paths.ts";
export {
  runitPlan,
  runitPlanControl,
  runitPlanDisable,
  stopTimeoutUnsupported,
  SV_WAIT_SECONDS,
} from "./plan.ts";
export {
  findRunsvdirs,
  parseRunsvdirCmdline,
  runitAvailable,
  type Runsvdir,
  unsafeEnvDirs,
} from "./runsvdir.ts";
export {
  parseSvStatus,
  runitReadBack,
  runitState,
  runitStatus,
  type SvStatus,
} from "./status.ts";

/**
 * Turns a failed runit command into a next step: runsv not supervising the service yet,
 * a link that is not autostart's, or a missing permission.
 */
export function explainRunit(
  argv: string[],
  r: { stderr: string; stdout: string },
): { hint: string } | undefined {
  const said = `${r.stderr}\n${r.stdout}`;
  if (/unable to open supervise\/ok|runsv not running/.test(said)) {
    return {
      hint:
        "runsv does not supervise this service yet: is runsvdir running on SVDIR? (runsvdir picks up a new service within 5 seconds)",
    };
  }
  if (argv[0] === "ln" && /File exists/.test(said)) {
    return {
      hint: `${
        argv[argv.length - 1]
      } already exists and is not autostart's: move it away, then retry`,
    };
  }
  if (/Permission denied|Operation not permitted/.test(said)) {
    return { hint: HINT_USE_SUDO };
  }
  return undefined;
}

/** The runit driver. */
export const runitDriver: Driver = {
  id: "runit",
  description:
    "runit services: a run script linked into the directory runsvdir watches (SVDIR)",
  platforms: ["linux"],
  conditions: ["boot", "login"],
  keepAlive: ["false", "on-failure", "always"],
  // --env-file: a 0600 copy read by the run script as the service's user.
  features: ["env-file"],
  available: runitAvailable,
  plan: runitPlan,
  planDisable: runitPlanDisable,
  planControl: runitPlanControl,
  status: runitStatus,
  readBack: runitReadBack,
  logs: runitLogs,
  explain: explainRunit,
};

export default runitDriver;
