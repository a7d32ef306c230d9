/**
 * The driver registry: built-in drivers and plugins, validated on registration, and the
 * choice of a driver from platform + condition + keep-alive mode + availability (or an
 * explicit `--driver ID`).
 *
 * @module
 */

import type { Context } from "./context.ts";
import {
  type Availability,
  type Driver,
  DRIVER_FEATURES,
  type DriverFeature,
} from "./driver.ts";
import { UnsupportedError, UsageError } from "./errors.ts";
import {
  type Condition,
  CONDITIONS,
  KEEP_ALIVE_MODES,
  type KeepAliveMode,
} from "./spec.ts";

/** Lists what is wrong with a would-be driver; empty when it is well-formed. */
export function validateDriver(d: unknown): string[] {
  const problems: string[] = [];
  if (typeof d !== "object" || d === null) return ["it is not an object"];
  const o = d as Record<string, unknown>;
  if (typeof o.id !== "string" || !/^[a-z][a-z0-9-]{0,39}$/.test(o.id)) {
    problems.push(
      `id ${JSON.stringify(o.id)} must be lowercase letters, digits and "-"`,
    );
  }
  if (typeof o.description !== "string") {
    problems.push("description must be a string");
  }
  const list = (key: string, allowed?: readonly string[]) => {
    const v = o[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      problems.push(`${key} must be an array of strings`);
    } else if (allowed) {
      const bad = v.filter((x) => !allowed.includes(x));
      if (bad.length) {
        problems.push(
          `${key} has unknown values ${bad.join(", ")} (known: ${
            allowed.join(", ")
          })`,
        );
      }
    }
  };
  list("platforms");
  list("conditions", CONDITIONS);
  list("keepAlive", KEEP_ALIVE_MODES);
  if (o.features !== undefined) list("features", DRIVER_FEATURES);
  for (const key of ["platforms", "conditions", "keepAlive"]) {
    if (Array.isArray(o[key]) && (o[key] as unknown[]).length === 0) {
      problems.push(`${key} is empty`);
    }
  }
  for (
    const m of ["available", "plan", "planDisable", "planControl", "status"]
  ) {
    if (typeof o[m] !== "function") problems.push(`method ${m}() is missing`);
  }
  for (const m of ["prepare", "advise", "explain", "logs"]) {
    if (o[m] !== undefined && typeof o[m] !== "function") {
      problems.push(`${m} must be a function when present`);
    }
  }
  return problems;
}

/** A plugin that could not be registered: where it came from and what is wrong. */
export interface RegistryProblem {
  /** The path or URL of the plugin. */
  source: string;
  /** What is wrong, one line. */
  message: string;
}

/** A driver compiled in from a module of its own (a plugin), and where it comes from. */
export interface BuiltinPlugin {
  /** The driver. */
  driver: Driver;
  /** Its module, for `drivers` and messages. */
  source: string;
}

/**
 * A registry holding `drivers` (registered as "built-in"), then `plugins` (registered
 * with their source): the one place built-ins and plugins are put together, so
 * `drivers/` never needs to know `plugins/`. Throws `TypeError` for a malformed one.
 *
 * @example Usage
 * ```ts ignore
 * const registry = registryOf(BUILTIN_DRIVERS, BUILTIN_PLUGINS);
 * ```
 */
export function registryOf(
  drivers: readonly Driver[],
  plugins: readonly BuiltinPlugin[] = [],
): Registry {
  const r = new Registry();
  for (const d of drivers) r.register(d);
  for (const p of plugins) r.register(p.driver, p.source);
  return r;
}

/** What to select a driver for. */
export interface Selection {
  /** The condition asked for. */
  condition: Condition;
  /** The keep-alive mode asked for, when it matters. */
  keepAlive?: KeepAliveMode;
  /** Features the spec needs (see `featuresOf()`); a driver without one is refused. */
  features?: readonly DriverFeature[];
  /** An explicit `--driver`. */
  driverId?: string | undefined;
  /** Choose by declarations only, even if the init system is not reachable (dry runs). */
  ignoreAvailability?: boolean;
}

/**
 * Holds drivers by id. The built-ins are just the first registrations.
 *
 * @example Usage
 * ```ts ignore
 * const registry = new Registry();
 * registry.register(systemdDriver);
 * const driver = await registry.select({ condition: "login" }, ctx);
 * ```
 */
export class Registry {
  readonly #drivers: Driver[] = [];
  readonly #sources = new Map<string, string>();
  readonly #problems: RegistryProblem[] = [];

  /**
   * Adds a driver after checking it. Throws `TypeError` naming what is wrong.
   * @param driver The driver.
   * @param source Where it came from, for messages.
   */
  register(driver: Driver, source = "built-in"): void {
    const problems = validateDriver(driver);
    if (problems.length) {
      throw new TypeError(
        `Invalid driver from ${source}: ${problems.join("; ")}`,
      );
    }
    if (this.get(driver.id)) {
      throw new TypeError(
        `Invalid driver from ${source}: id "${driver.id}" is already registered`,
      );
    }
    this.#drivers.push(driver);
    this.#sources.set(driver.id, source);
  }

  /** Where a registered driver came from ("built-in", "plugins/runit.ts", a path). */
  sourceOf(id: string): string | undefined {
    return this.#sources.get(id);
  }

  /**
   * Records a plugin that could not be registered, so `drivers` and an unknown
   * `--driver` can say why it is missing.
   */
  addProblem(problem: RegistryProblem): void {
    this.#problems.push(problem);
  }

  /** Plugins that could not be registered, in the order they were tried. */
  problems(): readonly RegistryProblem[] {
    return this.#problems;
  }

  /** The driver with that id. */
  get(id: string): Driver | undefined {
    return this.#drivers.find((d) => d.id === id);
  }

  /** Every driver, in registration order. */
  all(): readonly Driver[] {
    return this.#drivers;
  }

  /** Drivers that run on this platform. */
  forPlatform(os: string): Driver[] {
    return this.#drivers.filter((d) => d.platforms.includes(os));
  }

  /**
   * Picks the driver for a selection: the explicit one, or the first driver of this
   * platform that supports the condition and mode and is available. Throws
   * {@link UnsupportedError} (exit 3) naming what is supported otherwise.
   */
  async select(sel: Selection, ctx: Context): Promise<Driver> {
    if (sel.driverId !== undefined) {
      const d = this.get(sel.driverId);
      if (!d) {
        const broken = this.#problems.map((p) => `${p.source} (${p.message})`);
        throw new UsageError(
          `Unknown driver "${sel.driverId}"`,
          `known drivers: ${
            this.#drivers.map((x) => x.id).join(", ")
          } (see: autostart drivers)${
            broken.length
              ? `; plugins that failed to load: ${broken.join("; ")}`
              : ""
          }`,
        );
      }
      this.#check(d, sel, ctx.os);
      if (!sel.ignoreAvailability) {
        await this.#ensureAvailable(d, ctx, sel.condition);
      }
      return d;
    }
    const onPlatform = this.forPlatform(ctx.os);
    if (onPlatform.length === 0) {
      const known = this.#drivers.map((d) =>
        `${d.id} (${d.platforms.join(", ")})`
      );
      throw new UnsupportedError(
        `autostart does not support ${ctx.os}`,
        `supported: ${known.join("; ")}`,
      );
    }
    const fit = onPlatform.filter((d) => d.conditions.includes(sel.condition));
    if (fit.length === 0) {
      const other = onPlatform.map((d) =>
        `${d.id} serves ${d.conditions.join(" and ")}`
      );
      throw new UnsupportedError(
        `Condition "${sel.condition}" is not supported on ${ctx.os}`,
        `${other.join("; ")}`,
      );
    }
    if (sel.ignoreAvailability) {
      this.#check(fit[0]!, sel, ctx.os);
      return fit[0]!;
    }
    const reasons: string[] = [];
    for (const d of fit) {
      const a = await d.available(ctx, sel.condition);
      if (a.available) {
        this.#check(d, sel, ctx.os);
        return d;
      }
      reasons.push(`${d.id}: ${a.reason ?? "unavailable"}`);
    }
    throw new UnsupportedError(
      `No driver can serve "${sel.condition}" here: ${reasons.join("; ")}`,
      "run `autostart doctor` to see what is missing",
    );
  }

  #check(d: Driver, sel: Selection, os: string) {
    if (!d.platforms.includes(os)) {
      throw new UnsupportedError(
        `Driver ${d.id} does not run on ${os} (it runs on ${
          d.platforms.join(", ")
        })`,
        this.#alternatives(os, sel),
      );
    }
    if (!d.conditions.includes(sel.condition)) {
      throw new UnsupportedError(
        `Condition "${sel.condition}" is not supported by ${d.id} (it serves ${
          d.conditions.join(", ") || "nothing"
        })`,
        this.#alternatives(os, sel),
      );
    }
    if (sel.keepAlive !== undefined && !d.keepAlive.includes(sel.keepAlive)) {
      throw new UnsupportedError(
        `Keep-alive "${sel.keepAlive}" is not supported by ${d.id} (it supports ${
          d.keepAlive.join(", ")
        })`,
        this.#alternatives(os, sel),
      );
    }
    const missing = (sel.features ?? []).filter((f) =>
      !(d.features ?? []).includes(f)
    );
    if (missing.length) {
      throw new UnsupportedError(
        `--${missing.join(", --")} is not supported by ${d.id}${
          d.features?.length ? ` (it supports ${d.features.join(", ")})` : ""
        }`,
        this.#alternatives(os, sel),
      );
    }
  }

  #alternatives(os: string, sel: Selection): string {
    const can = this.forPlatform(os).filter((d) =>
      d.conditions.includes(sel.condition) &&
      (sel.keepAlive === undefined || d.keepAlive.includes(sel.keepAlive)) &&
      (sel.features ?? []).every((f) => (d.features ?? []).includes(f))
    );
    return can.length
      ? `drivers that can: ${
        can.map((d) => d.id).join(", ")
      } (choose one with --driver ID; see: autostart drivers)`
      : `no driver on ${os} supports that`;
  }

  async #ensureAvailable(
    d: Driver,
    ctx: Context,
    condition: Condition,
  ): Promise<Availability> {
    const a = await d.available(ctx, condition);
    if (!a.available) {
      throw new UnsupportedError(
        `Driver ${d.id} is not available here: ${a.reason ?? "unknown reason"}`,
        "run `autostart doctor` to see what is missing",
      );
    }
    return a;
  }
}
