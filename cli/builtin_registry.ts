/**
 * The registry autostart starts with: the built-in drivers (`drivers/mod.ts`), then
 * the plugins compiled in (`plugins/mod.ts`). Assembled here, at start-up, so that
 * neither folder imports the other; `--plugin` and `AUTOSTART_PLUGINS` add to it later
 * (`core/plugins.ts`).
 *
 * @module
 */

import { type Registry, registryOf } from "../core/registry.ts";
import { BUILTIN_DRIVERS } from "../drivers/mod.ts";
import { BUILTIN_PLUGINS } from "../plugins/mod.ts";

/**
 * A registry with the built-in drivers, then the plugins compiled in (`plugins/`).
 *
 * @example Usage
 * ```ts ignore
 * const driver = await builtinRegistry().select({ condition: "login" }, ctx);
 * ```
 */
export function builtinRegistry(): Registry {
  return registryOf(BUILTIN_DRIVERS, BUILTIN_PLUGINS);
}
