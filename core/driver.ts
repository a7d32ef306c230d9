/**
 * The driver contract: one init system, one object. A driver declares what it can do
 * (platforms, conditions, keep-alive modes), says whether it can work here and why not,
 * turns a validated spec into a {@link Plan} without side effects, and reads the real
 * state of its services in one batched call.
 *
 * @module
 */

import type { Context, PlanContext } from "./context.ts";
import type { Plan } from "./plan.ts";
import type { ReadBack } from "./read_back.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "./spec/types.ts";

/**
 * Turns a failed command into a message and a next step, when the driver knows better.
 * `result` is what the runner answered (a `CommandResult`, named by its shape so the
 * contract imports nothing of the executor).
 */
export type Explain = (
  argv: string[],
  result: { code: number; stdout: string; stderr: string },
) => { message?: string; hint?: string } | undefined;

/**
 * Optional things a driver can honour beyond conditions and keep-alive modes. A spec
 * that asks for one its driver lacks is refused (exit 3), never silently dropped.
 * - `stop-timeout`: `--stop-timeout`, how long a stop waits before SIGKILL.
 * - `env-file`: `--env-file`, whose values it keeps from other users: a 0600 copy
 *   (`core/env_file.ts`) read at each start by the init system (systemd
 *   `EnvironmentFile=`) or by a shell running as the service's user (runit, OpenRC,
 *   launchd), never written into the service file.
 */
export type DriverFeature = "stop-timeout" | "env-file";

/** Every {@link DriverFeature}, in the order `drivers` lists them. */
export const DRIVER_FEATURES: readonly DriverFeature[] = [
  "stop-timeout",
  "env-file",
];

/** The features a spec asks of its driver. */
export function featuresOf(
  spec: Pick<ServiceSpec, "stopTimeoutMs" | "envFile">,
): DriverFeature[] {
  const out: DriverFeature[] = [];
  if (spec.stopTimeoutMs !== undefined) out.push("stop-timeout");
  if (spec.envFile !== undefined) out.push("env-file");
  return out;
}

/** Whether a driver can work on this machine, and why not. */
export interface Availability {
  /** True when the init system is present and reachable. */
  available: boolean;
  /** Why it is not available (or a note when it is). */
  reason?: string;
}

/**
 * A service as a driver addresses it: by its name, or by its `identity` (the unit name
 * or launchd label) when that is not derived from the name, as for a preset's services
 * (Lima's `lima-vm@INSTANCE.service`, `io.lima-vm.autostart.INSTANCE`). `statusOf`,
 * `logs`, `readBack` and the plans all take one.
 */
export interface ServiceRef {
  /** Service name. */
  name: string;
  /** Its condition. */
  condition: Condition;
  /** Init-system name when it is not derived from `name` (see `ServiceSpec.identity`). */
  identity?: string;
}

/**
 * What exists of a service before an operation (read from {@link Driver.status}), so a
 * plan can put it back exactly when a later step fails: a re-enable of a running
 * service that fails must leave the previous version enabled and running.
 */
export interface PriorState {
  /** It starts at login/boot. */
  enabled: boolean;
  /** Its process is up (running, starting or crash-looping). */
  running: boolean;
}

/** Control actions on an installed service. */
export type ControlAction = "start" | "stop" | "restart";

/**
 * The state of a service, the same words on every driver:
 * - `running`: its process is up.
 * - `starting`: being started or waiting to be restarted after a crash.
 * - `stopped`: loaded, not running, not failed (e.g. exited cleanly, or stopped).
 * - `failed`: the init system marks it failed.
 * - `crash-looping`: keeps being restarted after crashes.
 * - `not-loaded`: its file exists but the init system does not know it.
 * - `unknown`: the init system could not be asked (reason in `detail`).
 */
export type ServiceState =
  | "running"
  | "starting"
  | "stopped"
  | "failed"
  | "crash-looping"
  | "not-loaded"
  | "unknown";

/** What a driver reports about one managed service. */
export interface ServiceStatus {
  /** Service name. */
  name: string;
  /** Driver id. */
  driver: string;
  /** Condition it starts on. */
  condition: Condition;
  /** Init-system name: unit name or launchd label. */
  unit: string;
  /** The managed file, when it exists. */
  file: string | null;
  /** Normalised state. */
  state: ServiceState;
  /** Starts at login/boot. `null` when unknown. */
  enabled: boolean | null;
  /** Main process id, when running. */
  pid: number | null;
  /** Restarts since it was started. `null` when the init system does not say. */
  restarts: number | null;
  /** How the last run ended: "exit 1", "signal KILL"; `null` when it has not ended. */
  lastExit: string | null;
  /**
   * The process whose end {@link lastExit} describes, when the init system says
   * (systemd's `ExecMainPID`). A wait after a restart uses it to tell the end of the
   * process it replaced from a failure of the new one.
   */
  exitedPid?: number;
  /** When it entered its current state (ISO 8601), when known. */
  since: string | null;
  /** The init system's own words, e.g. "active (running)". */
  detail: string;
  /** The managed file was edited by hand since autostart wrote it (its seal broke). */
  drifted: boolean;
}

/** Options of {@link Driver.status} and {@link Driver.statusOf}. */
export interface StatusOptions {
  /**
   * State, PID and enabled only, from the init system's cheapest source (systemd: one
   * `list-units` call and the services' cgroups): restarts, last exit, uptime and
   * crash-loop detection are left out (`null`). Drivers without a cheaper source
   * ignore it.
   */
  fast?: boolean;
}

/**
 * The status of a managed service whose init system could not be asked: every fact
 * unknown, and why in `detail`.
 *
 * @example Usage
 * ```ts ignore
 * if (!a.available) return found.map((f) => unknownStatus({ ...f, condition }, "systemd", a.reason ?? "not reachable"));
 * ```
 */
export function unknownStatus(
  base: Pick<ServiceStatus, "name" | "condition" | "unit" | "file" | "drifted">,
  driver: string,
  detail: string,
): ServiceStatus {
  return {
    ...base,
    driver,
    state: "unknown",
    enabled: null,
    pid: null,
    restarts: null,
    lastExit: null,
    since: null,
    detail,
  };
}

/** Options of {@link Driver.logs}. */
export interface LogOptions {
  /** Number of recent lines. */
  lines: number;
  /** Keep streaming new lines. */
  follow: boolean;
  /** Only lines since this time (a journalctl time such as "10 min ago"). */
  since?: string;
  /** Ends a follow (Ctrl-C): the iteration then finishes without an error. */
  signal?: AbortSignal;
  /**
   * The init system's notes about the service too ("Starting...", "exited with...");
   * absent: the program's own output only, `lines` of it. Drivers whose log holds
   * only the program's output ignore it.
   */
  all?: boolean;
}

/** Outcome of one {@link Check}: fine, worth knowing, or broken. */
export type CheckLevel = "ok" | "warn" | "fail";

/** One finding of `autostart doctor`. */
export interface Check {
  /** Stable id, e.g. "systemd.user-manager". */
  id: string;
  /** What was checked, as a short title. */
  title: string;
  /** Its outcome. */
  level: CheckLevel;
  /** What was found. */
  detail: string;
  /** How to fix it (absent when `ok`). */
  fix?: string;
}

/**
 * An init-system backend. Built-in drivers live in `drivers/`, extra ones in `plugins/`;
 * both are registered the same way.
 */
export interface Driver {
  /** Unique id: lowercase letters, digits and `-` (e.g. "systemd", "launchd-agent"). */
  readonly id: string;
  /** One line saying what it manages. */
  readonly description: string;
  /** `Deno.build.os` values it runs on. */
  readonly platforms: readonly string[];
  /** Conditions it can serve. */
  readonly conditions: readonly Condition[];
  /** Keep-alive modes it can honour exactly. */
  readonly keepAlive: readonly KeepAliveMode[];
  /** Optional features it honours (absent: none); shown by `drivers`. */
  readonly features?: readonly DriverFeature[];
  /** Is the init system present and reachable here? Cheap; no side effects. */
  available(ctx: Context, condition?: Condition): Promise<Availability>;
  /**
   * Loads what {@link Driver.plan} needs that is too heavy to load at startup (e.g. a
   * serializer module) or must be asked of the init system (e.g. its version). Callers
   * await it once before `plan()`, with the spec about to be planned when there is one,
   * so only what that spec needs is asked; drivers that need nothing leave it out.
   */
  prepare?(ctx: Context, spec?: ServiceSpec): Promise<void>;
  /**
   * Pure: the files and commands that install and start `spec`. `prior` (absent: no
   * service yet) says what a rollback must restore. Its context has no runner, no
   * file system, no lock and no account lookup ({@link PlanContext}), and the member
   * is a function-typed property (a method's parameters would be compared loosely), so
   * a driver whose plan asks for a full `Context` does not compile.
   */
  readonly plan: (
    spec: ServiceSpec,
    ctx: PlanContext,
    prior?: PriorState,
  ) => Plan;
  /**
   * Pure: the steps that stop and remove a service (`keepFiles` keeps its file; `prior`
   * says what a rollback must restore, absent: enabled and running).
   */
  readonly planDisable: (
    ref: ServiceRef,
    ctx: PlanContext,
    options?: { keepFiles?: boolean; prior?: PriorState },
  ) => Plan;
  /** Pure: the steps of start, stop or restart. */
  readonly planControl: (
    ref: ServiceRef,
    action: ControlAction,
    ctx: PlanContext,
  ) => Plan;
  /**
   * Managed services of a condition (the files this tool wrote, marker checked), with
   * their real state, read in as few init-system calls as possible (one for all).
   * `names` limits the answer; absent means all.
   */
  status(
    condition: Condition,
    ctx: Context,
    names?: string[],
    options?: StatusOptions,
  ): Promise<ServiceStatus[]>;
  /**
   * One status per ref, in order, for the service under the ref's identity whoever
   * wrote its file (a preset's, or one another tool wrote): `file` is that file when it
   * exists (`null` when not), and the state is the init system's answer for that unit
   * or label. Refs of a condition the driver does not serve have none.
   *
   * Optional: only a driver whose services can have a name other than the one it
   * derives (a unit name, a launchd label) can answer it; the runit and OpenRC
   * plugins, and plugins written before it existed, address services by name alone
   * and leave it out. Callers that need it (presets) refuse such a driver with an
   * `UnsupportedError` (exit 3), as for a missing {@link Driver.fileOf}.
   */
  statusOf?(
    refs: readonly ServiceRef[],
    ctx: Context,
    options?: StatusOptions,
  ): Promise<ServiceStatus[]>;
  /**
   * Pure: where the file of `ref` is (under its identity when it has one), whether or
   * not it exists; presets read through it the file they or another tool wrote.
   */
  fileOf?(ref: ServiceRef, ctx: Context): string;
  /**
   * Reads back what the managed file of a service holds: the fields `enable` took
   * (`show`, `export`, the change report of a re-enable). `null` when there is no
   * managed file (or it lacks the marker). Read-only.
   */
  readBack?(ref: ServiceRef, ctx: Context): Promise<ReadBack | null>;
  /** Advice printed after a successful enable (e.g. how to start at boot without login). */
  advise?(spec: ServiceSpec, ctx: Context): Promise<string[]>;
  /** Translates a failed command of this driver into a message and a next step. */
  explain?: Explain;
  /** Streams the service's log lines. */
  logs?(
    ref: ServiceRef,
    options: LogOptions,
    ctx: Context,
  ): AsyncIterable<string>;
  /**
   * Whether a line of {@link Driver.logs} is the program's own output rather than a
   * note of the init system. A failed start waits (bounded) for the program's last
   * words when the init system's notes reach the log first. Absent: every line is.
   */
  programLine?(line: string): boolean;
  /**
   * The driver's own health checks for `autostart doctor`: init system reachable,
   * directories writable, managed files drifted or orphaned, ... (read-only).
   */
  diagnose?(ctx: Context): Promise<Check[]>;
}
