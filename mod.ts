/**
 * autostart as a library: the spec, the driver contract, the registry, plans and
 * their application, and the built-in drivers.
 *
 * @example Usage
 * ```ts ignore
 * import { builtinRegistry, createContext, resolveSpec, apply } from "./mod.ts";
 * const ctx = await createContext();
 * const spec = await resolveSpec({ name: "web", command: ["python3", "-m", "http.server"] }, ctx);
 * const driver = await builtinRegistry().select({ condition: spec.condition }, ctx);
 * await driver.prepare?.(ctx); // loads what plan() needs (e.g. the plist serializer)
 * await apply(driver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs });
 * ```
 *
 * @module
 */

export {
  apply,
  type ApplyOptions,
  type ApplyResult,
  BACKUP_SUFFIX,
  nextBackupPath,
} from "./core/apply.ts";
export {
  type Context,
  createContext,
  type PlanContext,
  type UserInfo,
} from "./core/context.ts";
export type {
  Availability,
  Check,
  CheckLevel,
  ControlAction,
  Driver,
  DriverFeature,
  LogOptions,
  PriorState,
  ServiceRef,
  ServiceState,
  ServiceStatus,
  StatusOptions,
} from "./core/driver.ts";
export { DRIVER_FEATURES, featuresOf } from "./core/driver.ts";
export {
  type DurationOptions,
  formatDuration,
  parseDuration,
} from "./core/duration.ts";
export {
  AutostartError,
  BusyError,
  ExitCode,
  OperationError,
  UnsupportedError,
  UsageError,
} from "./core/errors.ts";
export {
  envCopyPath,
  envShellCommand,
  looksSecret,
  parseEnvFile,
  parseEnvShellCommand,
  renderEnvFile,
} from "./core/env_file.ts";
export { FakeRunner, MemoryFs } from "./core/fake.ts";
export {
  denoFs,
  type FileInfo,
  type FileLock,
  type FileSystem,
  rootOnlyProblem,
} from "./core/fs.ts";
export {
  fileLocker,
  fsLocker,
  type HeldLock,
  type Locker,
  lockPath,
  memoryLocker,
  withLock,
} from "./core/lock.ts";
export { lastLines, tailFiles, type TailOptions } from "./core/log_tail.ts";
export {
  converge,
  type ConvergeOptions,
  type ConvergeResult,
  type ServiceOutcome,
} from "./core/converge.ts";
export {
  entryOfFields,
  type Manifest,
  type ManifestEntry,
  ManifestError,
  parseManifest,
} from "./core/manifest.ts";
export {
  control,
  install,
  type InstallResult,
  query,
  type QueryResult,
  uninstall,
  type UninstallResult,
} from "./core/operations.ts";
export { type Ownership, ownershipOf } from "./core/ownership.ts";
export { describePlan, type Plan, type Step } from "./core/plan.ts";
export {
  isCompiledBinary,
  loadPlugins,
  PLUGIN_API_VERSION,
  type PluginApi,
  pluginApi,
  type PluginExport,
  shQuote,
} from "./core/plugins.ts";
export {
  type CrashLoopEvidence,
  isCrashLooping,
  mapLimited,
  MARKER_TEXT,
  markerNote,
  requireRoot,
  shellQuote,
  signalName,
  signalNumber,
  type SignalPlatform,
} from "./core/kit/mod.ts";
export {
  diffFields,
  fieldsOfSpec,
  type ReadBack,
  type ServiceFields,
} from "./core/read_back.ts";
export {
  type BuiltinPlugin,
  Registry,
  registryOf,
  type RegistryProblem,
  validateDriver,
} from "./core/registry.ts";
export {
  bufferedStream,
  type CommandResult,
  denoRunner,
  type Runner,
  StreamError,
  type StreamOptions,
} from "./core/runner.ts";
export {
  type Condition,
  type EnvFileSpec,
  type KeepAliveMode,
  parseName,
  resolveSpec,
  type ServiceSpec,
} from "./core/spec.ts";
export {
  waitForService,
  type WaitOptions,
  type WaitOutcome,
  type WaitResult,
} from "./core/wait.ts";
export { BUILTIN_DRIVERS, systemdDriver } from "./drivers/mod.ts";
export { builtinRegistry } from "./cli/builtin_registry.ts";
export { BUILTIN_PLUGINS, openrcDriver, runitDriver } from "./plugins/mod.ts";
export { run } from "./cli/main.ts";
