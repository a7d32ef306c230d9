/**
 * The launchd drivers: `launchd-agent` (login, LaunchAgents in the domain `gui/UID`)
 * and `launchd-daemon` (boot, LaunchDaemons in the domain `system`), each one call of
 * {@link createLaunchdDriver}. One concept per file:
 *
 * - `paths.ts`: kinds, directories, labels, domains and service targets;
 * - `launchctl.ts`: `launchctl` steps, the wait after `bootout` and the retried
 *   `bootstrap` (launchd is asynchronous);
 * - `plan.ts`: enable, disable, start, stop, restart;
 * - `print.ts`, `status.ts`: `launchctl print` parsing and the state of services;
 * - `explain.ts`: launchctl's error numbers as advice;
 * - `logs.ts`, `doctor.ts`: `autostart logs` and `autostart doctor`;
 * - `driver.ts`: the driver class that ties them together.
 *
 * @module
 */

export { launchdAgentDriver } from "./agent.ts";
export { launchdDaemonDriver } from "./daemon.ts";
export { explainLaunchctl } from "./explain.ts";
export { parsePrint } from "./print.ts";
export { toLaunchdStatus } from "./status.ts";
