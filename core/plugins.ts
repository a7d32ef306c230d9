/**
 * Plugins: drivers that live outside `drivers/`. A plugin is a module whose default
 * export is a {@link Driver}, or a function that receives the {@link PluginApi} and
 * returns one (or a promise of one). The plugins in `plugins/` are compiled in and
 * registered after the built-in drivers; more can be loaded at run time with
 * `--plugin PATH_OR_URL` or `AUTOSTART_PLUGINS` (under `deno run` and the bundled file).
 *
 * Every plugin is checked with `validateDriver()` when it is registered. A plugin that
 * cannot be imported or is malformed is recorded as a {@link RegistryProblem} (path and
 * what is wrong) and the other drivers keep working.
 *
 * @example A plugin in one file
 * ```ts ignore
 * import type { PluginApi } from "./plugins.ts";
 * export default (api: PluginApi) => ({
 *   id: "echo",
 *   description: "prints what it would do",
 *   platforms: ["linux"],
 *   conditions: ["login"],
 *   keepAlive: ["always"],
 *   available: () => Promise.resolve({ available: true }),
 *   plan: (spec) => ({ driver: "echo", service: spec.name, steps: [] }),
 *   planDisable: (ref) => ({ driver: "echo", service: ref.name, steps: [] }),
 *   planControl: (ref) => ({ driver: "echo", service: ref.name, steps: [] }),
 *   status: () => Promise.resolve([]),
 * });
 * ```
 *
 * @module
 */

import type { Driver } from "./driver.ts";
import { OperationError, UnsupportedError, UsageError } from "./errors.ts";
import type { Registry, RegistryProblem } from "./registry.ts";
import { checkSeal, seal, SEAL_PLACEHOLDER } from "./seal.ts";

/** Version of {@link PluginApi}; raised when it changes incompatibly. */
export const PLUGIN_API_VERSION = 1;

/**
 * What a plugin factory receives: the helpers a driver needs that a file outside the
 * project cannot import (a runtime plugin of the bundled file has no access to its
 * modules).
 */
export interface PluginApi {
  /** {@link PLUGIN_API_VERSION} of the host. */
  apiVersion: number;
  /** The product version. */
  version: string;
  /** Seals a generated file: replaces {@link SEAL_PLACEHOLDER} with the file's hash. */
  seal: (text: string) => string;
  /** `intact`, `drifted` or `none`: was a sealed file edited by hand? */
  checkSeal: (text: string) => "intact" | "drifted" | "none";
  /** The placeholder a renderer puts where the seal goes. */
  sealPlaceholder: string;
  /** The marker text every managed file must contain ("Managed by autostart"). */
  markerText: string;
  /** Quotes one word for a POSIX shell with single quotes. */
  shQuote: (word: string) => string;
  /** Error classes: invalid input (exit 2), unsupported (exit 3), failed (exit 1). */
  errors: {
    UsageError: typeof UsageError;
    UnsupportedError: typeof UnsupportedError;
    OperationError: typeof OperationError;
  };
}

/** The default export of a plugin module. */
export type PluginExport =
  | Driver
  | ((api: PluginApi) => Driver | Promise<Driver>);

/** Marker text of managed files (same words as the built-in drivers). */
export const MARKER_TEXT = "Managed by autostart";

/**
 * Quotes one word for a POSIX shell: wrapped in single quotes, each `'` written as
 * `'\''`. Every byte but NUL survives exactly (newlines included).
 *
 * @example Usage
 * ```ts
 * import { shQuote } from "./plugins.ts";
 * console.assert(shQuote("it's") === "'it'\\''s'");
 * ```
 */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The {@link PluginApi} of this build. */
export function pluginApi(version = "0.0.0"): PluginApi {
  return {
    apiVersion: PLUGIN_API_VERSION,
    version,
    seal,
    checkSeal,
    sealPlaceholder: SEAL_PLACEHOLDER,
    markerText: MARKER_TEXT,
    shQuote,
    errors: { UsageError, UnsupportedError, OperationError },
  };
}

/**
 * Whether this process is a `deno compile` executable, judged from the main module's
 * URL: compiled programs run their modules from a virtual directory
 * (`/tmp/deno-compile-NAME/...`, or `$deno$` in old releases).
 */
export function isCompiledBinary(
  mainModule: string = Deno.mainModule,
): boolean {
  return /\/deno-compile-[^/]*\//.test(mainModule) ||
    mainModule.includes("$deno$");
}

/**
 * The plugins asked for: `AUTOSTART_PLUGINS` (paths separated by `:`) first, then each
 * `--plugin`. Empty entries are skipped.
 */
export function requestedPlugins(
  options: string[],
  env: Record<string, string>,
): string[] {
  const fromEnv = (env.AUTOSTART_PLUGINS ?? "").split(":").filter((s) =>
    s.trim() !== ""
  );
  return [...fromEnv, ...options];
}

/** A path or URL as an import specifier (relative paths against `cwd`). */
export function pluginUrl(spec: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return spec;
  const abs = spec.startsWith("/") ? spec : `${cwd.replace(/\/$/, "")}/${spec}`;
  return new URL(`file://${abs.split("/").map(encodeURIComponent).join("/")}`)
    .href;
}

/** Options of {@link loadPlugins}. */
export interface LoadOptions {
  /** Directory relative paths are taken from. */
  cwd: string;
  /** The product version (given to factories). */
  version?: string;
  /** Imports a module (tests replace it). */
  importer?: (url: string) => Promise<Record<string, unknown>>;
  /** Running as a compiled executable (default: detected). */
  compiled?: boolean;
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0]!.trim();
}

/**
 * Turns a module's exports into a driver, or says what is wrong.
 * @returns the driver, or a one-line problem
 */
export async function driverOfModule(
  mod: Record<string, unknown>,
  api: PluginApi,
): Promise<Driver | string> {
  if (!("default" in mod) || mod.default === undefined) {
    return "it has no default export (export default a Driver, or a function returning one)";
  }
  let value: unknown = mod.default;
  if (typeof value === "function") {
    try {
      value = await (value as (api: PluginApi) => unknown)(api);
    } catch (e) {
      return `its default export threw: ${firstLine(e)}`;
    }
  }
  return value as Driver;
}

/**
 * Imports each plugin and registers its driver. Never throws for a broken plugin: the
 * problems are recorded in the registry and returned.
 *
 * @example Usage
 * ```ts ignore
 * const problems = await loadPlugins(["./my_driver.ts"], registry, { cwd: Deno.cwd() });
 * for (const p of problems) console.error(`warning: plugin ${p.source}: ${p.message}`);
 * ```
 */
export async function loadPlugins(
  specs: string[],
  registry: Registry,
  options: LoadOptions,
): Promise<RegistryProblem[]> {
  const problems: RegistryProblem[] = [];
  const api = pluginApi(options.version);
  const compiled = options.compiled ?? isCompiledBinary();
  const importer = options.importer ??
    ((url: string) => import(url) as Promise<Record<string, unknown>>);
  for (const spec of specs) {
    const fail = (message: string) => {
      const p = { source: spec, message };
      problems.push(p);
      registry.addProblem(p);
    };
    if (compiled) {
      fail(
        "a compiled autostart executable cannot import plugins at run time; run autostart with `deno run` (or the bundled autostart.js), or build an executable with the plugin in plugins/",
      );
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = await importer(pluginUrl(spec, options.cwd));
    } catch (e) {
      fail(`cannot be imported: ${firstLine(e)}`);
      continue;
    }
    const driver = await driverOfModule(mod, api);
    if (typeof driver === "string") {
      fail(driver);
      continue;
    }
    try {
      registry.register(driver, spec);
    } catch (e) {
      fail(firstLine(e).replace(/^Invalid driver from .*?: /, ""));
    }
  }
  return problems;
}
