/**
 * The OpenRC plugin's entry, kept at this path (`plugins/mod.ts` and `autostart
 * drivers` name it, importers use it): the driver lives in plugins/openrc/ (mod.ts
 * names its parts), its init script in templates/openrc_script.ts.
 *
 * @module
 */

export { default, openrcDriver } from "./openrc/mod.ts";
