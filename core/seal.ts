/**
 * Content seals: every file autostart writes carries `autostart-hash:<16 hex>`, a hash
 * of the file's own text (with the hash field zeroed). A file edited by hand no longer
 * matches its seal, so `status` can say it drifted. Not a security measure: a quick,
 * dependency-free check of "is this still what we wrote".
 *
 * @module
 */

/** Placeholder a renderer puts where the seal goes. */
export const SEAL_PLACEHOLDER = "autostart-hash:0000000000000000";

const SEAL_RE = /autostart-hash:([0-9a-f]{16})/;

/**
 * A 64-bit non-cryptographic checksum of the UTF-16 code units of `text`, as 16 hex
 * digits: two 32-bit multiply-xor lanes in the style of FNV-1a (the first lane is
 * FNV-1a's 32-bit step; the second mixes in the first). It detects edits, not forgery:
 * anyone who can write the file can also write a matching seal. It is synchronous and
 * needs no import, which is why it is not SHA-256 (Web Crypto's digest is async).
 */
export function contentHash(text: string): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h1 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") +
    (h2 >>> 0).toString(16).padStart(8, "0");
}

/**
 * Replaces the placeholder in `text` with the hash of `text`.
 *
 * @example Usage
 * ```ts
 * import { checkSeal, seal, SEAL_PLACEHOLDER } from "./seal.ts";
 * const text = seal(`# ${SEAL_PLACEHOLDER}\nExecStart=/bin/true\n`);
 * console.assert(checkSeal(text) === "intact");
 * console.assert(checkSeal(text.replace("true", "false")) === "drifted");
 * ```
 */
export function seal(text: string): string {
  if (!text.includes(SEAL_PLACEHOLDER)) {
    throw new TypeError("seal: the text has no seal placeholder");
  }
  return text.replace(SEAL_PLACEHOLDER, `autostart-hash:${contentHash(text)}`);
}

/** `intact` when the seal matches, `drifted` when the text changed, `none` without a seal. */
export function checkSeal(text: string): "intact" | "drifted" | "none" {
  const m = SEAL_RE.exec(text);
  if (!m) return "none";
  const zeroed = text.replace(SEAL_RE, SEAL_PLACEHOLDER);
  return contentHash(zeroed) === m[1] ? "intact" : "drifted";
}
