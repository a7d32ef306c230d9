/**
 * The driver kit: what every driver and plugin needs and must not repeat — the
 * managed-file marker, the root check, POSIX shell quoting, signal names, crash-loop
 * detection and bounded concurrency. Runtime plugins reach it through
 * `PluginApi` (`core/plugins.ts`).
 *
 * @module
 */

export { isCrashLooping } from "./crash_loop.ts";
export type { CrashLoopEvidence } from "./crash_loop.ts";
export { CRASH_LOOP_RESTARTS, CRASH_LOOP_UP_SEC } from "./crash_loop.ts";
export { DEFAULT_CONCURRENCY, mapLimited } from "./map_limited.ts";
export { MARKER_TEXT, markerNote } from "./marker.ts";
export { requireRoot } from "./require_root.ts";
export type { Caller } from "./require_root.ts";
export { shellQuote, shQuote } from "./sh_quote.ts";
export {
  hostSignalPlatform,
  signalName,
  signalNumber,
  signalText,
} from "./signals.ts";
export type { SignalPlatform } from "./signals.ts";
