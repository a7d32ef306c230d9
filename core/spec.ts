/**
 * The validated description of a service: {@link ServiceSpec}. Everything a user types
 * goes through {@link resolveSpec} (or the `parse*` helpers) before any driver sees it,
 * so drivers can trust names, paths and strings. Bad input raises `UsageError`
 * (exit 2) before a file is touched.
 *
 * The public surface of four modules: `spec/types.ts` (the types), `spec/parse.ts`
 * (pure parsers), `spec/limits.ts` (limits and text checks) and `spec/resolve.ts`
 * (resolution against the process and its file system).
 *
 * @module
 */

export { parseDuration } from "./duration.ts";
export {
  checkPathSetting,
  checkText,
  checkValue,
  DEFAULT_RESTART_DELAY_MS,
  DEFAULT_RESTART_MAX_DELAY_MS,
  MAX_NAME_LENGTH,
  MAX_TOTAL_BYTES,
  MAX_VALUE_BYTES,
  MIN_RESTART_DELAY_MS,
  MIN_STOP_TIMEOUT_MS,
  utf8Length,
} from "./spec/limits.ts";
export {
  absolutePath,
  parseCondition,
  parseEnvPair,
  parseKeepAlive,
  parseName,
  parseRestartDelays,
  parseStopTimeout,
} from "./spec/parse.ts";
export {
  resolveProgram,
  resolveSpec,
  statFollow,
  unsafeForRoot,
} from "./spec/resolve.ts";
export {
  type Condition,
  CONDITIONS,
  type EnableRequest,
  type EnvFileSpec,
  KEEP_ALIVE_MODES,
  type KeepAliveMode,
  type ServiceSpec,
} from "./spec/types.ts";
