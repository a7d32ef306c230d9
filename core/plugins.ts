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
import { envCopyPath, envCopySteps } from "./env_file.ts";
import { OperationError, UnsupportedError, UsageError } from "./errors.ts";
import * as kit from "./kit/mod.ts";
import type { Registry, RegistryProblem } from "./registry.ts";
import { checkSeal, seal, SEAL_PLACEHOLDER } from "./seal.ts";
import { unsafeForRoot } from "./spec.ts";

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
  /**
   * The marker sentence of a generated file (marker, seal placeholder, "do not edit;
   * run COMMAND again"): put it in a comment on the first line, then seal the file.
   */
  markerNote: typeof kit.markerNote;
  /** Throws the usage error (exit 2) for a boot service planned without root. */
  requireRoot: typeof kit.requireRoot;
  /** The name of a signal number (`linux` or `darwin` numbering). */
  signalName: typeof kit.signalName;
  /** Whether restarts and uptime say "crash-looping" (the same rule as every driver). */
  isCrashLooping: typeof kit.isCrashLooping;
  /** `Promise.all(items.map(f))` with a bound on calls in flight (default 8). */
  mapLimited: typeof kit.mapLimited;
  /**
   * The steps that write a service's 0600 env-file copy (for a driver that declares
   * the `env-file` feature), and the copy's path.
   */
  envCopySteps: typeof envCopySteps;
  /** Where a service's env-file copy is kept. */
  envCopyPath: typeof envCopyPath;
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

/**
 * The marker text and shell quoting, as this module exported them before the driver
 * kit (`core/kit/`) held them; the compiled-in plugins import the kit itself, runtime
 * plugins get it through {@link PluginApi}.
 */
export { MARKER_TEXT, shQuote } from "./kit/mod.ts";

/** The {@link PluginApi} of this build. */
export function pluginApi(version = "0.0.0"): PluginApi {
  return {
    apiVersion: PLUGIN_API_VERSION,
    version,
    seal,
    checkSeal,
    sealPlaceholder: SEAL_PLACEHOLDER,
    markerText: kit.MARKER_TEXT,
    shQuote: kit.shQuote,
    markerNote: kit.markerNote,
    requireRoot: kit.requireRoot,
    signalName: kit.signalName,
    isCrashLooping: kit.isCrashLooping,
    mapLimited: kit.mapLimited,
    envCopySteps,
    envCopyPath,
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
 * `--plugin`. Empty entries are skipped. As root (`asRoot`), `AUTOSTART_PLUGINS` is
 * ignored: an environment variable (which sudo may keep from the user's environment)
 * must never choose the code root runs; only `--plugin`, checked by
 * {@link loadPlugins}, is taken.
 */
export function requestedPlugins(
  options: string[],
  env: Record<string, string>,
  asRoot = false,
): string[] {
  const fromEnv = asRoot
    ? []
    : (env.AUTOSTART_PLUGINS ?? "").split(":").filter((s) => s.trim() !== "");
  return [...fromEnv, ...options];
}

/** The note printed when root ignores `AUTOSTART_PLUGINS`, or `null` when it is unset. */
export function ignoredEnvPluginsNote(
  env: Record<string, string>,
  asRoot: boolean,
): string | null {
  if (!asRoot || (env.AUTOSTART_PLUGINS ?? "").trim() === "") return null;
  return "AUTOSTART_PLUGINS is ignored when autostart runs as root (the environment must not choose root's code); pass --plugin with a root-owned file or an https URL pinned with #sha256-BASE64";
}

/** An https URL and the SHA-256 its content must have (`URL#sha256-BASE64`). */
export interface PinnedUrl {
  /** The URL without the pin. */
  url: string;
  /** The expected digest, standard base64 (as in Subresource Integrity). */
  sha256: string;
}

/**
 * Splits `https://host/p.ts#sha256-BASE64` into the URL and its pin; `null` when there
 * is no `#sha256-` fragment. The pin is the base64 SHA-256 of the file, as
 * `openssl dgst -sha256 -binary p.ts | base64` prints it.
 */
export function parsePin(spec: string): PinnedUrl | null {
  const m = /^(.*)#sha256-([A-Za-z0-9+/]{43}=)$/.exec(spec);
  return m ? { url: m[1]!, sha256: m[2]! } : null;
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Base64 SHA-256 of some bytes. */
export async function sha256Base64(bytes: Uint8Array): Promise<string> {
  return base64(
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
    ),
  );
}

/** Fetches the bytes of an https URL: the final URL (after redirects) and the body. */
export type Fetcher = (
  url: string,
) => Promise<{ url: string; bytes: Uint8Array }>;

const denoFetcher: Fetcher = async (url) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return { url: res.url, bytes: new Uint8Array(await res.arrayBuffer()) };
};

/**
 * Fetches a pinned module, checks its bytes against the pin before anything runs, and
 * returns a `data:` URL of exactly those bytes (what is imported is what was checked).
 */
async function verifiedModule(
  pin: PinnedUrl,
  fetcher: Fetcher,
): Promise<string> {
  const got = await fetcher(pin.url);
  if (!got.url.startsWith("https://")) {
    throw new Error(`it was redirected to ${got.url}, which is not https`);
  }
  const digest = await sha256Base64(got.bytes);
  if (digest !== pin.sha256) {
    throw new Error(
      `its content does not match the pin: sha256-${digest}, expected sha256-${pin.sha256}`,
    );
  }
  const type = /\.m?js$/.test(new URL(pin.url).pathname)
    ? "application/javascript"
    : "application/typescript";
  return `data:${type};base64,${base64(got.bytes)}`;
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
  /**
   * Running as root: a plugin file must pass {@link LoadOptions.rootCheck} (owned by
   * root, writable by root only, and so are the directories above it), and a URL must
   * be https with a `#sha256-` pin.
   */
  asRoot?: boolean;
  /** Why a path is unsafe for root, or `null` (default: `unsafeForRoot`). */
  rootCheck?: (path: string) => Promise<string | null>;
  /** Fetches pinned URLs (tests replace it). */
  fetcher?: Fetcher;
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
    let url: string;
    try {
      url = await checkedPluginUrl(spec, options);
    } catch (e) {
      fail(`refused: ${firstLine(e)}`);
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = await importer(url);
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

/**
 * The URL to import for a `--plugin` value, after the checks: plain `http:` is refused
 * (anyone on the way could change the code); a `#sha256-` pinned https URL is fetched
 * and verified first ({@link parsePin}); as root, only a file that passes the root
 * check or a pinned https URL is accepted.
 * @throws {Error} saying why the plugin is refused
 */
export async function checkedPluginUrl(
  spec: string,
  options: LoadOptions,
): Promise<string> {
  const pin = parsePin(spec);
  if (pin !== null) {
    if (!pin.url.startsWith("https://")) {
      throw new Error("a pinned plugin URL must be https");
    }
    return await verifiedModule(pin, options.fetcher ?? denoFetcher);
  }
  const url = pluginUrl(spec, options.cwd);
  if (url.startsWith("http://")) {
    throw new Error(
      "plain http is refused (anyone on the way could change the code): use https, pinned with #sha256-BASE64",
    );
  }
  if (!options.asRoot) return url;
  if (!url.startsWith("file:")) {
    throw new Error(
      "as root, a plugin URL needs an integrity pin: https://.../plugin.ts#sha256-BASE64 (openssl dgst -sha256 -binary plugin.ts | base64)",
    );
  }
  const path = decodeURIComponent(new URL(url).pathname);
  const check = options.rootCheck ?? unsafeForRoot;
  const why = await check(path);
  if (why !== null) {
    throw new Error(
      `as root, a plugin file must be one only root can change: ${why}`,
    );
  }
  return url;
}
