/**
 * The plugins compiled into autostart: drivers for init systems beyond the built-in
 * ones, registered after them (so they are chosen only where the built-ins are not
 * available, or with `--driver ID`). `cli/builtin_registry.ts` puts them together with
 * the built-in drivers; `drivers/` does not import this module.
 *
 * @module
 */

import type { BuiltinPlugin } from "../core/registry.ts";
import { openrcDriver } from "./openrc.ts";
import { runitDriver } from "./runit.ts";

export { openrcDriver } from "./openrc.ts";
export { runitDriver } from "./runit.ts";

export type { BuiltinPlugin } from "../core/registry.ts";

/** Compiled-in plugins, in the order selection tries them. */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  { driver: runitDriver, source: "plugins/runit.ts" },
  { driver: openrcDriver, source: "plugins/openrc.ts" },
];
