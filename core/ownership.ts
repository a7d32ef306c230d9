/**
 * Whether a file on disk is one autostart wrote. The marker must sit in the file's
 * header, next to a seal (core/seal.ts), exactly where every renderer puts it:
 *
 * - text files (units, scripts): the first line, or the second after a `#!` line, is a
 *   comment that starts with the marker and the seal:
 *   `# Managed by autostart (autostart-hash:0123456789abcdef): ...`;
 * - plists: the `AutostartManaged` key, first after `Label` in the top-level dict:
 *   `<key>AutostartManaged</key><string>Managed by autostart (autostart-hash:...)`.
 *
 * The marker text anywhere else (a comment further down, a value, an argument) does
 * not make a file ours: a foreign file is only taken over with `--force`, and a backup
 * is kept.
 *
 * @module
 */

import { checkSeal } from "./seal.ts";

/** What {@link ownershipOf} decided. */
export type Ownership = "ours" | "edited" | "foreign";

const SEAL_FIELD = /^ \(autostart-hash:[0-9a-f]{16}\)/;

const PLIST_HEADER = new RegExp(
  String
    .raw`^<\?xml[^\n]*\?>\s*(?:<!DOCTYPE[^>]*>\s*)?<plist[^>]*>\s*<dict>\s*` +
    String.raw`<key>Label</key>\s*<string>[^<]*</string>\s*` +
    String.raw`<key>AutostartManaged</key>\s*<string>([^<\n]*)</string>`,
);

/**
 * The header of `text` that must carry the marker (see the module doc): the text of
 * the first comment line (after `# `), or the plist's `AutostartManaged` string; `""`
 * when there is none.
 */
export function headerOf(text: string): string {
  if (text.startsWith("<?xml")) return PLIST_HEADER.exec(text)?.[1] ?? "";
  const lines = text.split("\n", 2);
  const line = (lines[0]?.startsWith("#!") ? lines[1] : lines[0]) ?? "";
  return line.startsWith("# ") ? line.slice(2) : "";
}

/**
 * Decides whether `text` is a file autostart wrote: `ours` (marker and seal in the
 * header, seal intact), `edited` (the same header, but the text changed since:
 * edited by hand) or `foreign`.
 *
 * @example Usage
 * ```ts
 * import { ownershipOf } from "./ownership.ts";
 * import { seal, SEAL_PLACEHOLDER } from "./seal.ts";
 * const ours = seal(`# Managed by autostart (${SEAL_PLACEHOLDER})\n[Service]\n`);
 * console.assert(ownershipOf(ours, "Managed by autostart") === "ours");
 * console.assert(ownershipOf(ours + "x\n", "Managed by autostart") === "edited");
 * console.assert(ownershipOf("[Service]\n# Managed by autostart\n", "Managed by autostart") === "foreign");
 * ```
 */
export function ownershipOf(text: string, marker: string): Ownership {
  const header = headerOf(text);
  if (
    !header.startsWith(marker) || !SEAL_FIELD.test(header.slice(marker.length))
  ) return "foreign";
  return checkSeal(text) === "intact" ? "ours" : "edited";
}
