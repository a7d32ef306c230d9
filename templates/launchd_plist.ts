/**
 * launchd property lists for a {@link ServiceSpec}: {@link buildLaunchdPlist} is a pure
 * function from the spec to the plist *object*; the XML text is made by a real plist
 * serializer (npm `plist`), never by pasting user values into a template. The serializer
 * is loaded on demand with {@link loadPlistCodec} so that commands which never write a
 * plist (and every command on Linux) do not pay for it at startup.
 *
 * @module
 */

import { MARKER_TEXT, markerNote } from "../core/kit/marker.ts";
import { seal, SEAL_PLACEHOLDER } from "../core/seal.ts";
import { UsageError } from "../core/errors.ts";
import { parseEnvShellCommand } from "../core/env_file.ts";
import type { ServiceFields } from "../core/read_back.ts";
import type { KeepAliveMode, ServiceSpec } from "../core/spec.ts";
import {
  logWrapperCommand,
  parseLogWrapperCommand,
} from "./launchd_log_wrapper.ts";

/** Prefix of every label autostart owns: `dev.autostart.NAME`. */
export const LABEL_PREFIX = "dev.autostart.";

/** Key of the marker entry that every plist autostart writes carries. */
export const LAUNCHD_MARKER_KEY = "AutostartManaged";

/** Text that must be in an existing plist for autostart to overwrite or remove it. */
export const LAUNCHD_MARKER_TEXT = MARKER_TEXT;

/** A plist value as the serializer takes it. */
export type PlistValue =
  | string
  | number
  | boolean
  | PlistValue[]
  | { [key: string]: PlistValue };

/** A plist dictionary. */
export type PlistDict = { [key: string]: PlistValue };

/** Serializes and parses XML property lists (the npm `plist` package's shape). */
export interface PlistCodec {
  /** Object to XML text. */
  build(value: PlistDict): string;
  /** XML text to object. */
  parse(text: string): unknown;
}

/**
 * Loads the plist serializer (npm `plist`). Kept out of every static import chain of
 * `main.ts`: the launchd drivers call it from their `prepare()` hook.
 */
export async function loadPlistCodec(): Promise<PlistCodec> {
  const m = await import("plist");
  return {
    build: (v) => m.build(v as Parameters<typeof m.build>[0]),
    parse: (t) => m.parse(t),
  };
}

/** launchd label of a service: `dev.autostart.NAME`. */
export function launchdLabel(name: string): string {
  return `${LABEL_PREFIX}${name}`;
}

/** Plist file name of a service: `dev.autostart.NAME.plist`. */
export function plistFileName(name: string): string {
  return `${launchdLabel(name)}.plist`;
}

/** Service name of a plist file name, or `null` when it is not one of ours. */
export function serviceNameOfPlist(file: string): string | null {
  if (!file.startsWith(LABEL_PREFIX) || !file.endsWith(".plist")) return null;
  const name = file.slice(LABEL_PREFIX.length, -".plist".length);
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) ? name : null;
}

/** launchd `KeepAlive` value of a keep-alive mode. */
export function keepAliveValue(mode: KeepAliveMode): PlistValue {
  if (mode === "false") return false;
  if (mode === "on-failure") return { SuccessfulExit: false };
  return true;
}

/** launchd `ThrottleInterval` (whole seconds, at least 1) of a restart delay. */
export function throttleSeconds(restartDelayMs: number): number {
  return Math.max(1, Math.ceil(restartDelayMs / 1000));
}

/**
 * launchd `ExitTimeOut` (whole seconds, rounded up, at least 1) of a stop timeout:
 * launchd sends SIGTERM, waits this long, then SIGKILL (launchd.plist(5); 0 would mean
 * "forever", which `--stop-timeout` refuses).
 */
export function exitTimeOut(stopTimeoutMs: number): number {
  return Math.max(1, Math.ceil(stopTimeoutMs / 1000));
}

/** Where the files of one plist point. */
export interface PlistPaths {
  /** launchd label. */
  label: string;
  /** Absolute path of the combined stdout/stderr log file. */
  logFile: string;
  /**
   * A LaunchDaemon (adds `UserName`/`GroupName` from `spec.runAs`; newsyslog rotates
   * its log). A LaunchAgent runs its program through the log-rotating wrapper of
   * templates/launchd_log_wrapper.ts instead.
   */
  daemon: boolean;
}

// XML 1.0 allows TAB, LF, CR and everything from U+0020 except the non-characters
// U+FFFE and U+FFFF (lone surrogates are rejected earlier, by checkText).
// deno-lint-ignore no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function checkXml(what: string, value: string): string {
  const m = NOT_XML.exec(value);
  if (m) {
    const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(
      4,
      "0",
    );
    throw new UsageError(
      `Invalid ${what}: it contains the character U+${code}, which a launchd plist (XML) cannot hold`,
      "remove the control character, or pass the value through a wrapper script",
    );
  }
  return value;
}

/**
 * Builds the plist object of a service. Pure: the same spec and paths give the same
 * object. Every user string is checked to be representable in XML (control characters
 * other than tab, newline and carriage return are refused with a {@link UsageError}).
 *
 * @example Usage
 * ```ts
 * import { buildLaunchdPlist, launchdLabel } from "./launchd_plist.ts";
 * const obj = buildLaunchdPlist({
 *   name: "web", program: "/usr/bin/python3", args: ["-m", "http.server"],
 *   condition: "login", keepAlive: "on-failure", env: [], restartDelayMs: 2000, start: true,
 * }, { label: launchdLabel("web"), logFile: "/Users/a/Library/Logs/autostart/web.log", daemon: false });
 * console.assert(obj.Label === "dev.autostart.web");
 * ```
 */
export function buildLaunchdPlist(
  spec: ServiceSpec,
  paths: PlistPaths,
): PlistDict {
  const log = checkXml("--log-dir", paths.logFile);
  const command = [
    checkXml("program", spec.program),
    ...spec.args.map((a, i) => checkXml(`argument ${i + 1}`, a)),
  ];
  const obj: PlistDict = {
    Label: paths.label,
    [LAUNCHD_MARKER_KEY]: markerNote(`autostart enable ${spec.name}`),
    // An agent's log has no newsyslog: the wrapper rotates it at each start.
    ProgramArguments: paths.daemon ? command : logWrapperCommand(log, command),
    RunAtLoad: true,
    KeepAlive: keepAliveValue(spec.keepAlive),
    ThrottleInterval: throttleSeconds(spec.restartDelayMs),
  };
  if (spec.stopTimeoutMs !== undefined) {
    obj.ExitTimeOut = exitTimeOut(spec.stopTimeoutMs);
  }
  if (spec.cwd !== undefined) {
    obj.WorkingDirectory = checkXml("--cwd", spec.cwd);
  }
  if (spec.env.length > 0) {
    const env: PlistDict = {};
    for (const [k, v] of spec.env) env[k] = checkXml(`value of ${k}`, v);
    obj.EnvironmentVariables = env;
  }
  if (paths.daemon && spec.runAs) {
    obj.UserName = spec.runAs.name;
    obj.GroupName = spec.runAs.group;
  }
  obj.StandardOutPath = log;
  obj.StandardErrorPath = log;
  obj.ProcessType = "Background";
  return obj;
}

/**
 * Serializes a plist object to XML text (ending in a newline) with `codec`, sealing it
 * with its content hash when the object carries the seal placeholder (core/seal.ts).
 */
export function renderLaunchdPlist(obj: PlistDict, codec: PlistCodec): string {
  // XML parsers may turn a raw NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR into a line
  // feed (XML 1.1 line-end rules); as character references they stay exact. They only
  // ever come from user values, never from the markup.
  const built = codec.build(obj).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `&#x${c.charCodeAt(0).toString(16)};`,
  );
  const text = built.endsWith("\n") ? built : `${built}\n`;
  return text.includes(SEAL_PLACEHOLDER) ? seal(text) : text;
}

/**
 * Reads back the fields of a service from a plist object that {@link buildLaunchdPlist}
 * built (parsed with {@link PlistCodec.parse}): its inverse, key by key. The restart
 * delay is what `ThrottleInterval` keeps (whole seconds); `defaultLogFile` is the log
 * file of the service without `--log-dir`.
 */
export function readLaunchdPlist(
  plist: unknown,
  options: { daemon: boolean; defaultLogFile: string },
): ServiceFields {
  const o = (plist ?? {}) as Record<string, unknown>;
  const written = Array.isArray(o.ProgramArguments)
    ? o.ProgramArguments.map(String)
    : [];
  // An agent's log rotation, then `--env-file`: /bin/sh reads the copy, then execs
  // the real program.
  const raw = options.daemon
    ? written
    : parseLogWrapperCommand(written)?.command ?? written;
  const wrapped = parseEnvShellCommand(raw);
  const argv = wrapped?.command ?? raw;
  const name = String(o.Label ?? "").replace(LABEL_PREFIX, "");
  const ka = o.KeepAlive;
  const f: ServiceFields = {
    name,
    program: argv[0] ?? "",
    args: argv.slice(1),
    condition: options.daemon ? "boot" : "login",
    keepAlive: ka === true
      ? "always"
      : typeof ka === "object" && ka !== null
      ? "on-failure"
      : "false",
    env: Object.entries(
      (o.EnvironmentVariables ?? {}) as Record<string, unknown>,
    ).map(([k, v]) => [k, String(v)]),
    restartDelayMs: Number(o.ThrottleInterval ?? 10) * 1000,
  };
  if (wrapped) f.envFile = wrapped.copy;
  if (typeof o.WorkingDirectory === "string") f.cwd = o.WorkingDirectory;
  if (typeof o.ExitTimeOut === "number") f.stopTimeoutMs = o.ExitTimeOut * 1000;
  if (options.daemon) f.user = String(o.UserName ?? "root");
  const log = o.StandardOutPath;
  if (typeof log === "string" && log !== options.defaultLogFile) {
    f.logDir = log.slice(0, log.lastIndexOf("/"));
  }
  return f;
}
