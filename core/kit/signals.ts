/**
 * Signal names and numbers. Numbers differ between Linux and macOS above 6 (SIGBUS is
 * 7 on Linux, 10 on macOS; 10 is SIGUSR1 on Linux), so every lookup names its platform:
 * systemd reports Linux numbers, launchd macOS ones, and a process's own wait status
 * the numbers of the machine it runs on.
 *
 * @module
 */

/** The platforms whose signal numbers are known. */
export type SignalPlatform = "linux" | "darwin";

/** Signals numbered the same on Linux and macOS (1–6, 8, 9, 11, 13–15). */
const SHARED: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  FPE: 8,
  KILL: 9,
  SEGV: 11,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
};

/** The other Linux signals (signal(7), `kill -l`). */
const LINUX: Readonly<Record<string, number>> = {
  ...SHARED,
  BUS: 7,
  USR1: 10,
  USR2: 12,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
};

/** The other macOS signals (`<sys/signal.h>`, signal(3)). */
const DARWIN: Readonly<Record<string, number>> = {
  ...SHARED,
  EMT: 7,
  BUS: 10,
  SYS: 12,
  URG: 16,
  STOP: 17,
  TSTP: 18,
  CONT: 19,
  CHLD: 20,
  TTIN: 21,
  TTOU: 22,
  IO: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  INFO: 29,
  USR1: 30,
  USR2: 31,
};

/** Aliases accepted by {@link signalNumber} (Linux: `POLL` = `IO`, `IOT` = `ABRT`). */
const ALIASES: Readonly<Record<string, string>> = { POLL: "IO", IOT: "ABRT" };

const TABLES: Readonly<
  Record<SignalPlatform, Readonly<Record<string, number>>>
> = { linux: LINUX, darwin: DARWIN };

const NAMES: Readonly<Record<SignalPlatform, ReadonlyMap<number, string>>> = {
  linux: new Map(Object.entries(LINUX).map(([k, v]) => [v, k])),
  darwin: new Map(Object.entries(DARWIN).map(([k, v]) => [v, k])),
};

/**
 * The name (without `SIG`) of a signal number, or `undefined` when the number is not a
 * signal of that platform.
 *
 * @param n The signal number, as the init system reports it.
 * @param platform Whose numbering: `linux` (systemd, runit, OpenRC) or `darwin` (launchd).
 * @returns e.g. `TERM`, `BUS`, or `undefined`.
 *
 * @example Usage
 * ```ts
 * import { signalName } from "./signals.ts";
 * console.assert(signalName(10, "linux") === "USR1");
 * console.assert(signalName(10, "darwin") === "BUS");
 * ```
 */
export function signalName(
  n: number,
  platform: SignalPlatform,
): string | undefined {
  return NAMES[platform].get(n);
}

/**
 * The number of a signal name (`SIGTERM`, `TERM` or `sigterm`), or `undefined` when the
 * platform has no such signal.
 *
 * @param name The signal's name, with or without `SIG`.
 * @param platform Whose numbering.
 * @returns e.g. 15 for `SIGTERM`.
 *
 * @example Usage
 * ```ts
 * import { signalNumber } from "./signals.ts";
 * console.assert(signalNumber("SIGKILL", "linux") === 9);
 * console.assert(signalNumber("USR1", "darwin") === 30);
 * ```
 */
export function signalNumber(
  name: string,
  platform: SignalPlatform,
): number | undefined {
  const bare = name.toUpperCase().replace(/^SIG/, "");
  return TABLES[platform][ALIASES[bare] ?? bare];
}

/**
 * How a death by signal is shown: `signal TERM`, or `signal 64` for a number the
 * platform does not name.
 *
 * @example Usage
 * ```ts
 * import { signalText } from "./signals.ts";
 * console.assert(signalText(9, "linux") === "signal KILL");
 * ```
 */
export function signalText(n: number, platform: SignalPlatform): string {
  return `signal ${signalName(n, platform) ?? n}`;
}

/** The signal numbering of the machine this process runs on. */
export function hostSignalPlatform(): SignalPlatform {
  return Deno.build.os === "darwin" ? "darwin" : "linux";
}
