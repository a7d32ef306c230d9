/**
 * The manifest of `autostart export` and `autostart apply`: a versioned JSON document
 * listing services with exactly the fields `enable` takes (schema:
 * docs/manifest.schema.json). {@link parseManifest} checks its shape and every value
 * with the same parsers as the command line (core/spec.ts), and reports every problem
 * with its path in the file (`services[3].command`); {@link entryOfFields} turns a
 * managed file read back ({@link ServiceFields}) into an entry, so export → apply
 * recreates the same files.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import type { ServiceFields } from "./read_back.ts";
import {
  checkPathSetting,
  checkText,
  checkValue,
  DEFAULT_RESTART_MAX_DELAY_MS,
  type EnableRequest,
  parseCondition,
  parseDuration,
  parseEnvPair,
  parseKeepAlive,
  parseName,
  parseStopTimeout,
} from "./spec.ts";

/** The manifest version this autostart reads and writes. */
export const MANIFEST_VERSION = 1;

/** One service of a manifest, as written in the file. */
export interface ManifestEntry {
  /** Service name (`enable NAME`). */
  name?: string;
  /** Program and arguments (`-- COMMAND ARGS...`). */
  command?: string[];
  /** `--condition`. */
  condition?: string;
  /** `--keep-alive` (true, false, always, on-failure). */
  keepAlive?: string | boolean;
  /** `--restart-delay`, e.g. "2s". */
  restartDelay?: string;
  /** `--restart-max-delay`, e.g. "5m": the cap of the crash-loop backoff. */
  restartMaxDelay?: string;
  /** `--stop-timeout`, e.g. "30s". */
  stopTimeout?: string;
  /** `--env`, as an object (order kept). */
  env?: Record<string, string>;
  /** `--env-file` (relative to the manifest's directory). */
  envFile?: string;
  /** `--cwd` (relative to the manifest's directory). */
  cwd?: string;
  /** `--path inherit|default`. */
  path?: string;
  /** `--user`. */
  user?: string;
  /** `--log-dir` (relative to the manifest's directory). */
  logDir?: string;
  /** `--driver`. */
  driver?: string;
  /** `false`: `--no-start`. */
  start?: boolean;
  /** Preset: the Lima instance of `autostart lima enable INSTANCE`. */
  lima?: string;
}

/** A manifest as written in the file. */
export interface Manifest {
  /** Always {@link MANIFEST_VERSION}. */
  version: number;
  /** The services. */
  services: ManifestEntry[];
}

/** One problem of a manifest, with its path in the file. */
export interface ManifestProblem {
  /** Where: `services[3].command`. */
  path: string;
  /** What is wrong. */
  message: string;
}

/** A manifest that cannot be applied: every problem with its path (exit 2). */
export class ManifestError extends UsageError {
  /** Every problem found. */
  readonly problems: ManifestProblem[];
  /**
   * @param file The manifest file.
   * @param problems What is wrong, where.
   * @param hint The next step, when a better one than fixing the file is known.
   */
  constructor(file: string, problems: ManifestProblem[], hint?: string) {
    super(
      `Invalid manifest ${file}${
        problems.length > 1 ? ` (${problems.length} problems)` : ""
      }:${
        problems.length > 1
          ? problems.map((p) => `\n  ${p.path}: ${p.message}`).join("")
          : ` ${problems[0]?.path}: ${problems[0]?.message}`
      }`,
      hint ??
        "fix the manifest (schema: docs/manifest.schema.json); nothing was applied",
    );
    this.name = "ManifestError";
    this.problems = problems;
  }
}

type Kind = "string" | "strings" | "boolean" | "keepAlive" | "env";

/**
 * Every field of an entry: its JSON kind and the command-line check of its value (the
 * same parser `enable` uses). A new `enable` option is one line here, one in
 * {@link requestOf}, and one in {@link entryOfFields}.
 */
export const MANIFEST_FIELDS: Record<
  keyof ManifestEntry,
  { kind: Kind; check?: (v: never) => unknown }
> = {
  name: { kind: "string", check: (v: string) => parseName(v) },
  command: { kind: "strings" },
  condition: { kind: "string", check: (v: string) => parseCondition(v) },
  keepAlive: { kind: "keepAlive", check: (v: string) => parseKeepAlive(v) },
  restartDelay: { kind: "string", check: (v: string) => parseDuration(v) },
  restartMaxDelay: { kind: "string", check: (v: string) => parseDuration(v) },
  stopTimeout: { kind: "string", check: (v: string) => parseStopTimeout(v) },
  env: { kind: "env" },
  envFile: { kind: "string", check: (v: string) => checkText("envFile", v) },
  cwd: { kind: "string", check: (v: string) => checkText("cwd", v) },
  path: {
    kind: "string",
    check: (v: string) => {
      if (v !== "inherit" && v !== "default") {
        throw new UsageError(
          `use "inherit" or "default", not ${JSON.stringify(v)}`,
        );
      }
    },
  },
  user: { kind: "string", check: (v: string) => checkText("user", v) },
  logDir: { kind: "string", check: (v: string) => checkText("logDir", v) },
  driver: { kind: "string" },
  start: { kind: "boolean" },
  lima: { kind: "string", check: (v: string) => parseName(v) },
};

function kindOk(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof v === "string";
    case "strings":
      return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "boolean":
      return typeof v === "boolean";
    case "keepAlive":
      return typeof v === "boolean" || typeof v === "string";
    case "env":
      return typeof v === "object" && v !== null && !Array.isArray(v) &&
        Object.values(v).every((x) => typeof x === "string");
  }
}

const KIND_WORDS: Record<Kind, string> = {
  string: "a string",
  strings: "an array of strings",
  boolean: "true or false",
  keepAlive: 'true, false, "always" or "on-failure"',
  env: "an object of string values",
};

/** The message of an error without its "Invalid X: " lead when the path says X. */
function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A validated entry: its index, and the entry. */
export interface CheckedEntry {
  /** Position in `services`. */
  index: number;
  /** The entry as written. */
  entry: ManifestEntry;
}

/**
 * Parses and checks a manifest's text: JSON, version, shape, every field's value with
 * the command line's parsers, and that no service appears twice. Throws
 * {@link ManifestError} listing every problem (with its path) when any is found.
 *
 * @example Usage
 * ```ts
 * import { parseManifest } from "./manifest.ts";
 * const m = parseManifest('{"version":1,"services":[{"name":"web","command":["/bin/sleep","9"]}]}', "m.json");
 * console.assert(m[0]!.entry.name === "web");
 * ```
 */
export function parseManifest(text: string, file: string): CheckedEntry[] {
  const { entries, problems } = checkManifest(text, file);
  if (problems.length) throw new ManifestError(file, problems);
  return entries;
}

/**
 * Like {@link parseManifest}, but returns the entries that are valid with the problems
 * of the others (so `apply` can also resolve the valid ones and report every problem of
 * the file at once). Throws {@link ManifestError} only when the file is not a manifest
 * at all (not JSON, no `services` array).
 */
export function checkManifest(
  text: string,
  file: string,
): { entries: CheckedEntry[]; problems: ManifestProblem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(file, [{ path: "(file)", message: reason(e) }]);
  }
  const problems: ManifestProblem[] = [];
  const add = (path: string, message: string) =>
    problems.push({ path, message });
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new ManifestError(file, [{
      path: "(file)",
      message: 'expected an object {"version": 1, "services": [...]}',
    }]);
  }
  const d = doc as Record<string, unknown>;
  if (d.version !== MANIFEST_VERSION) {
    add(
      "version",
      `expected ${MANIFEST_VERSION}, found ${
        JSON.stringify(d.version ?? null)
      }`,
    );
  }
  for (const k of Object.keys(d)) {
    if (k !== "version" && k !== "services" && k !== "$schema") {
      add(k, "unknown field");
    }
  }
  if (!Array.isArray(d.services)) {
    add("services", "expected an array of services");
    throw new ManifestError(file, problems);
  }
  const out: CheckedEntry[] = [];
  const seen = new Map<string, number>();
  d.services.forEach((raw: unknown, i: number) => {
    const at = `services[${i}]`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      add(at, "expected an object");
      return;
    }
    const e = raw as Record<string, unknown>;
    let ok = true;
    for (const [k, v] of Object.entries(e)) {
      const f = Object.hasOwn(MANIFEST_FIELDS, k)
        ? MANIFEST_FIELDS[k as keyof ManifestEntry]
        : undefined;
      if (!f) {
        add(`${at}.${k}`, "unknown field");
        ok = false;
        continue;
      }
      if (!kindOk(f.kind, v)) {
        add(`${at}.${k}`, `expected ${KIND_WORDS[f.kind]}`);
        ok = false;
        continue;
      }
      try {
        (f.check as ((v: unknown) => unknown) | undefined)?.(v);
      } catch (err) {
        add(`${at}.${k}`, reason(err));
        ok = false;
      }
    }
    const entry = e as ManifestEntry;
    if (entry.lima !== undefined) {
      for (const k of ["command", "env", "envFile", "cwd", "path", "logDir"]) {
        if (k in entry) {
          add(`${at}.${k}`, "not allowed with lima (the preset sets it)");
          ok = false;
        }
      }
    } else {
      if (entry.name === undefined) {
        add(`${at}.name`, "missing (or give lima: INSTANCE)");
        ok = false;
      }
      if (entry.command === undefined || entry.command.length === 0) {
        add(`${at}.command`, "missing: give the program and its arguments");
        ok = false;
      } else if (Array.isArray(entry.command)) {
        entry.command.forEach((w, j) => {
          if (typeof w !== "string") return;
          try {
            checkValue(j === 0 ? "program" : `argument ${j}`, w);
          } catch (err) {
            add(`${at}.command[${j}]`, reason(err));
            ok = false;
          }
        });
      }
    }
    const env = kindOk("env", entry.env ?? {}) ? entry.env ?? {} : {};
    for (const [k, v] of Object.entries(env)) {
      try {
        parseEnvPair(`${k}=${v}`, "env");
      } catch (err) {
        add(`${at}.env.${k}`, reason(err));
        ok = false;
      }
    }
    for (const k of ["cwd", "logDir"] as const) {
      const v = entry[k];
      if (typeof v === "string" && v.startsWith("/")) {
        try {
          checkPathSetting(k, v);
        } catch (err) {
          add(`${at}.${k}`, reason(err));
          ok = false;
        }
      }
    }
    if (!ok) return;
    const key = `${
      entry.lima !== undefined ? `lima:${entry.lima}` : entry.name
    }@${entry.condition ?? "login"}`;
    const before = seen.get(key);
    if (before !== undefined) {
      add(at, `the same service as services[${before}] (name and condition)`);
      return;
    }
    seen.set(key, i);
    out.push({ index: i, entry });
  });
  return { entries: out, problems };
}

/** The `enable` request of a (non-Lima) entry. */
export function requestOf(entry: ManifestEntry): EnableRequest {
  return {
    name: entry.name ?? "",
    command: entry.command ?? [],
    condition: entry.condition,
    keepAlive: entry.keepAlive,
    env: Object.entries(entry.env ?? {}).map(([k, v]) => `${k}=${v}`),
    envFile: entry.envFile,
    cwd: entry.cwd,
    path: entry.path,
    user: entry.user,
    logDir: entry.logDir,
    restartDelay: entry.restartDelay,
    restartMaxDelay: entry.restartMaxDelay,
    stopTimeout: entry.stopTimeout,
    start: entry.start,
  };
}

/** Milliseconds as the shortest duration `parseDuration` reads back exactly. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * The manifest entry of a service read back from its file: every field explicit
 * (condition, keep-alive, delay, the account of a boot service), the PATH it stored in
 * `env` (or `path: "default"` when it stored none), so applying it elsewhere recreates
 * the same file.
 */
export function entryOfFields(f: ServiceFields, driver: string): ManifestEntry {
  const e: ManifestEntry = {
    name: f.name,
    command: [f.program, ...f.args],
    condition: f.condition,
    keepAlive: f.keepAlive,
    restartDelay: formatDuration(f.restartDelayMs),
  };
  if (f.env.length) e.env = Object.fromEntries(f.env);
  // The copy's path, never its values (they would become public `Environment=` lines):
  // `apply` on this machine reads the same copy; elsewhere, the operator ships the file.
  if (f.envFile !== undefined) e.envFile = f.envFile;
  if (!f.env.some(([k]) => k === "PATH")) e.path = "default";
  if (f.cwd !== undefined) e.cwd = f.cwd;
  if (f.user !== undefined) e.user = f.user;
  if (f.logDir !== undefined) e.logDir = f.logDir;
  // The cap only when it is not what enable picks anyway (it then backs off or not
  // exactly as the file does).
  if (
    f.restartMaxDelayMs !== undefined && f.keepAlive !== "false" &&
    f.restartMaxDelayMs !==
      Math.max(DEFAULT_RESTART_MAX_DELAY_MS, f.restartDelayMs)
  ) {
    e.restartMaxDelay = formatDuration(f.restartMaxDelayMs);
  }
  if (f.stopTimeoutMs !== undefined) {
    e.stopTimeout = formatDuration(f.stopTimeoutMs);
  }
  e.driver = driver;
  if (f.start === false) e.start = false;
  return e;
}
