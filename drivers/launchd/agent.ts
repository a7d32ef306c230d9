/**
 * launchd-agent driver: `login` services as LaunchAgents. The plist is
 * `~/Library/LaunchAgents/dev.autostart.NAME.plist`, loaded into the user's GUI domain
 * `gui/UID`, so the service runs while the user is logged in to the desktop. Logs go to
 * `~/Library/Logs/autostart/NAME.log` unless `--log-dir` says otherwise. Shared code:
 * `driver.ts` and the other files of this folder.
 *
 * @module
 */

import { createLaunchdDriver, type LaunchdDriver } from "./driver.ts";

/**
 * The launchd-agent driver (id `launchd-agent`, condition `login`).
 *
 * @example Usage
 * ```ts ignore
 * await launchdAgentDriver.prepare(ctx); // loads the plist serializer
 * const plan = launchdAgentDriver.plan(spec, ctx);
 * ```
 */
export const launchdAgentDriver: LaunchdDriver = createLaunchdDriver("agent");
