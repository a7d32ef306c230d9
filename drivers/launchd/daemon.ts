/**
 * launchd-daemon driver: `boot` services as LaunchDaemons. The plist is
 * `/Library/LaunchDaemons/dev.autostart.NAME.plist`, owned root:wheel with mode 0644,
 * loaded into the `system` domain, with `UserName`/`GroupName` of the invoking user
 * (SUDO_USER) or `--user`. Needs root (sudo). Logs go to
 * `/Library/Logs/autostart/NAME.log` unless `--log-dir` says otherwise. Shared code:
 * `driver.ts` and the other files of this folder.
 *
 * @module
 */

import { createLaunchdDriver, type LaunchdDriver } from "./driver.ts";

/**
 * The launchd-daemon driver (id `launchd-daemon`, condition `boot`).
 *
 * @example Usage
 * ```ts ignore
 * await launchdDaemonDriver.prepare(ctx); // loads the plist serializer
 * const plan = launchdDaemonDriver.plan(spec, ctx); // throws UsageError unless root
 * ```
 */
export const launchdDaemonDriver: LaunchdDriver = createLaunchdDriver("daemon");
