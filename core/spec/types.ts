/**
 * The types of a service description: {@link ServiceSpec} (validated and resolved) and
 * {@link EnableRequest} (what the command line asks for, before validation), with the
 * conditions and keep-alive modes. No logic and no imports but types: every module may
 * import it.
 *
 * @module
 */

import type { UserInfo } from "../user_info.ts";

/** When a service starts: at the user's login, or at boot. */
export type Condition = "login" | "boot";

/** Every condition, in the order help text lists them. */
export const CONDITIONS: readonly Condition[] = ["login", "boot"];

/**
 * When a service is restarted.
 * - `false`: run once at login/boot, never restarted.
 * - `on-failure`: restarted when it exits non-zero or is killed by a signal.
 * - `always`: restarted whatever the exit.
 */
export type KeepAliveMode = "false" | "on-failure" | "always";

/** Every keep-alive mode. */
export const KEEP_ALIVE_MODES: readonly KeepAliveMode[] = [
  "false",
  "on-failure",
  "always",
];

/** A service, validated and resolved: absolute paths, checked strings. */
export interface ServiceSpec {
  /** Short name: `[A-Za-z0-9][A-Za-z0-9_.-]*`, not ending in `.`, at most `MAX_NAME_LENGTH` chars. */
  name: string;
  /** Absolute path of the program. */
  program: string;
  /** Arguments after the program. */
  args: string[];
  /** When it starts. */
  condition: Condition;
  /** When it is restarted. */
  keepAlive: KeepAliveMode;
  /**
   * Environment variables given with `--env`, in the order given, plus PATH (unless
   * `--path default` or the env file sets it). They are written into the service file.
   */
  env: [string, string][];
  /**
   * Variables of `--env-file`, read once at enable (names also given with `--env` left
   * out: `--env` wins). Drivers keep them out of world-readable files: a 0600 copy read
   * at each start by the init system (systemd `EnvironmentFile=`) or by a shell running
   * as the service's user (runit, OpenRC, launchd); see `core/env_file.ts`.
   */
  envFile?: EnvFileSpec;
  /** Absolute working directory. */
  cwd?: string;
  /** Account a boot service runs as. Login services run as the invoking user. */
  runAs?: UserInfo;
  /** Absolute directory for the service's log files (driver default when absent). */
  logDir?: string;
  /** Pause before a restart, in milliseconds. */
  restartDelayMs: number;
  /**
   * How long a stop waits for the program to exit after SIGTERM before it is killed
   * (launchd `ExitTimeOut`, systemd `TimeoutStopSec=`), in milliseconds. Absent: the
   * init system's default.
   */
  stopTimeoutMs?: number;
  /**
   * Longest pause before a restart in a crash loop, in milliseconds: the pause doubles
   * from `restartDelayMs` after each restart in a row, up to this. Absent (or not
   * above `restartDelayMs`): no backoff, every restart waits `restartDelayMs`.
   */
  restartMaxDelayMs?: number;
  /** Start now, as well as at login/boot. */
  start: boolean;
  /**
   * Init-system name to use instead of the one derived from `name`: the systemd unit
   * (`lima-vm@default.service`) or the launchd label (`io.lima-vm.autostart.default`).
   * Set by presets that must match another tool's names; absent for plain services.
   */
  identity?: string;
}

/** The variables of an `--env-file`, and where they came from. */
export interface EnvFileSpec {
  /** Absolute path of the user's file (for messages; never read again). */
  source: string;
  /** Assignments in file order, checked like `--env` values. */
  vars: [string, string][];
}

/** What the command line asks for, before validation. */
export interface EnableRequest {
  name: string;
  command: string[];
  condition?: string | undefined;
  keepAlive?: string | boolean | undefined;
  env?: string[] | undefined;
  envFile?: string | undefined;
  cwd?: string | undefined;
  path?: string | undefined;
  user?: string | undefined;
  logDir?: string | undefined;
  restartDelay?: string | undefined;
  /** `--stop-timeout`: absent leaves the init system's default. */
  stopTimeout?: string | undefined;
  restartMaxDelay?: string | undefined;
  start?: boolean | undefined;
  /** Accept a root-run program that a non-root user could replace. */
  allowUnsafe?: boolean | undefined;
}
