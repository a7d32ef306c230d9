/**
 * The runit plugin's entry, kept at this path (`plugins/mod.ts` and `autostart
 * drivers` name it, importers use it): the driver lives in plugins/runit/ (mod.ts
 * names its parts), its scripts in templates/runit_scripts.ts.
 *
 * @module
 */

export { default, runitDriver } from "./runit/mod.ts";
