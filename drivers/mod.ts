/**
 * The built-in drivers, in selection order, and a registry holding them.
 *
 * @module
 */

import type { Driver } from "../core/driver.ts";
import { Registry } from "../core/registry.ts";
import { BUILTIN_PLUGINS } from "../plugins/mod.ts";
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

/** A registry with the built-in drivers, then the plugins compiled in (`plugins/`). */
export function builtinRegistry(): Registry {
  const r = new Registry();
  for (const d of BUILTIN_DRIVERS) r.register(d);
  for (const p of BUILTIN_PLUGINS) r.register(p.driver, p.source);
  return r;
}
