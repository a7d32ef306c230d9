/**
 * The runit plugin's entry, kept at this path for `--plugin plugins/runit.ts` and for
 * importers: the driver lives in plugins/runit/ (mod.ts names its parts), its scripts in
 * templates/runit_scripts.ts.
 *
 * @module
 */

export { default, runitDriver } from "./runit/mod.ts";
