/**
 * The "Managed by autostart" marker: every file autostart writes carries it (with the
 * file's seal), and without `--force` autostart never overwrites or removes a file that
 * lacks it. One definition for every driver, template and plugin.
 *
 * @module
 */

import { SEAL_PLACEHOLDER } from "../seal.ts";

/** The words every managed file contains. */
export const MARKER_TEXT = "Managed by autostart";

/**
 * The marker sentence of a generated file, seal placeholder included (the renderer
 * seals the file afterwards): `Managed by autostart (SEAL): do not edit; run "COMMAND"
 * again to change it.` Comment characters (`# `) are the caller's.
 *
 * @param command The command that regenerates the file, e.g. `autostart enable web`.
 * @returns The sentence, without a comment prefix or newline.
 *
 * @example Usage
 * ```ts
 * import { markerNote } from "./marker.ts";
 * console.assert(markerNote("autostart enable web").includes('run "autostart enable web" again'));
 * ```
 */
export function markerNote(command: string): string {
  return `${MARKER_TEXT} (${SEAL_PLACEHOLDER}): do not edit; run "${command}" again to change it.`;
}
