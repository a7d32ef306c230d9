/**
 * The plugins compiled into autostart: drivers for init systems beyond the built-in
 * ones, registered after them (so they are chosen only where the built-ins are not
 * available, or with `--driver ID`).
 *
 * @module
 */

import type { Driver } from "../core/driver.ts";
import { openrcDriver } from "./openrc.ts";
import { runitDriver } from "./runit.ts";

export { openrcDriver } from "./openrc.ts";
export { runitDriver } from "./runit.ts";

/** A compiled-in plugin: its driver and where it comes from. */
export interface BuiltinPlugin {
  /** The driver. */
  driver: Driver;
  /** Its module, for `drivers` and messages. */
  source: string;
}

/** Compiled-in plugins, in the order selection tries them. */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  { driver: runitDriver, source: "plugins/runit.ts" },
  { driver: openrcDriver, source: "plugins/openrc.ts" },
];
