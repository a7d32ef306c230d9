/**
 * What every command receives: output streams, the environment, and lazily built
 * context and registry (so `--version` and `--help` start nothing).
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import type { Registry } from "../core/registry.ts";
import type { Io } from "./output.ts";

/** Shared state of one command-line run. */
export interface App {
  /** Output streams. */
  io: Io;
  /** Environment of the process. */
  env: Record<string, string>;
  /** The product version. */
  version: string;
  /** The invoking process's context (built on first use). */
  context(): Promise<Context>;
  /** The driver registry (built on first use). */
  registry(): Promise<Registry>;
  /** The clock of waits (tests inject one that does not sleep); absent: real time. */
  clock?: Clock;
}

/** Time as waits see it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** A command: parses its own arguments, returns the exit code. */
export type Command = (argv: string[], app: App) => Promise<number>;
