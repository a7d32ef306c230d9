/**
 * The built-in drivers, in selection order. The registry that holds them with the
 * compiled-in plugins is assembled in `cli/builtin_registry.ts`: drivers never import
 * plugins.
 *
 * @module
 */

import type { Driver } from "../core/driver.ts";
import { launchdAgentDriver, launchdDaemonDriver } from "./launchd/mod.ts";
import { systemdDriver } from "./systemd/mod.ts";
import { unsupportedDriver } from "./unsupported.ts";

export { launchdAgentDriver, launchdDaemonDriver } from "./launchd/mod.ts";
export { systemdDriver } from "./systemd/mod.ts";
export { unsupportedDriver } from "./unsupported.ts";

/** Built-in drivers, in the order selection tries them. */
export const BUILTIN_DRIVERS: readonly Driver[] = [
  systemdDriver,
  launchdAgentDriver,
  launchdDaemonDriver,
  unsupportedDriver,
];
