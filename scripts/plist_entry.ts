/**
 * Entry of the plist serializer's own bundle. `scripts/bundle.ts` bundles it apart and
 * embeds it in dist/autostart.js as a data: module that only the launchd drivers
 * import, so commands that do not need it neither parse nor evaluate its code.
 *
 * @module
 */

export { build, parse } from "plist";
