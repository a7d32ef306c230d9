/**
 * The launchd driver class: one for both kinds (agent and daemon), tying together the
 * paths, plans, status, logs and doctor of this folder.
 *
 * @module
 */

import type { Context, PlanContext } from "../../core/context.ts";
import type {
  Availability,
  Check,
  ControlAction,
  Driver,
  DriverFeature,
  LogOptions,
  PriorState,
  ServiceRef,
  ServiceStatus,
} from "../../core/driver.ts";
import type { Plan } from "../../core/plan.ts";
import type { ReadBack } from "../../core/read_back.ts";
import type { Condition, KeepAliveMode, ServiceSpec } from "../../core/spec.ts";
import {
  LAUNCHD_MARKER_TEXT,
  loadPlistCodec,
  type PlistCodec,
  readLaunchdPlist,
} from "../../templates/launchd_plist.ts";
import { launchdDiagnose } from "./doctor.ts";
import { explainLaunchctl } from "./explain.ts";
import { launchdLogs } from "./logs.ts";
import {
  defaultLogDir,
  KINDS,
  LAUNCHCTL_PATH,
  type LaunchdKind,
  plistPath,
} from "./paths.ts";
import { planControl, planDisable, planEnable } from "./plan.ts";
import { launchdStatus, launchdStatusOf } from "./status.ts";

/** Keep-alive modes launchd honours exactly (KeepAlive false / {SuccessfulExit} / true). */
const KEEP_ALIVE: readonly KeepAliveMode[] = ["false", "on-failure", "always"];

/**
 * A launchd driver. One class for both kinds; its only state is the plist serializer,
 * loaded once by {@link LaunchdDriver.prepare} (a memo of an immutable module).
 */
export class LaunchdDriver implements Driver {
  /** Agent (login) or daemon (boot). */
  readonly kind: LaunchdKind;
  readonly id: string;
  readonly description: string;
  readonly platforms: readonly string[] = ["darwin"];
  readonly conditions: readonly Condition[];
  readonly keepAlive: readonly KeepAliveMode[] = KEEP_ALIVE;
  /** `--stop-timeout` is the plist's `ExitTimeOut`. */
  readonly features: readonly DriverFeature[] = ["stop-timeout", "env-file"];
  #codec: PlistCodec | undefined;

  /**
   * @param kind Agent or daemon.
   * @param codec A plist serializer, when the caller has one (tests); otherwise
   * {@link LaunchdDriver.prepare} loads npm `plist`.
   */
  constructor(kind: LaunchdKind, codec?: PlistCodec) {
    this.kind = kind;
    this.id = KINDS[kind].id;
    this.description = KINDS[kind].description;
    this.conditions = [KINDS[kind].condition];
    this.#codec = codec;
  }

  /** Loads the plist serializer that {@link LaunchdDriver.plan} uses. */
  async prepare(_ctx?: Context): Promise<void> {
    await this.#loadCodec();
  }

  async #loadCodec(): Promise<PlistCodec> {
    return this.#codec ??= await loadPlistCodec();
  }

  async available(ctx: Context): Promise<Availability> {
    if (ctx.os !== "darwin") {
      return { available: false, reason: "launchd runs on macOS only" };
    }
    if (!(await ctx.fs.exists(LAUNCHCTL_PATH))) {
      return {
        available: false,
        reason: `launchctl is missing (no ${LAUNCHCTL_PATH})`,
      };
    }
    return { available: true };
  }

  plan(spec: ServiceSpec, ctx: PlanContext, prior?: PriorState): Plan {
    return planEnable(this, this.#codec, spec, ctx, prior);
  }

  planDisable(
    ref: ServiceRef,
    ctx: PlanContext,
    options: { keepFiles?: boolean } = {},
  ): Plan {
    return planDisable(this, ref, ctx, options);
  }

  planControl(ref: ServiceRef, action: ControlAction, ctx: PlanContext): Plan {
    return planControl(this, ref, action, ctx);
  }

  async readBack(ref: ServiceRef, ctx: Context): Promise<ReadBack | null> {
    const k = this.kind;
    if (ref.condition !== KINDS[k].condition) return null;
    const file = plistPath(k, ctx, ref);
    const content = await ctx.fs.readText(file).catch(() => null);
    if (content === null || !content.includes(LAUNCHD_MARKER_TEXT)) return null;
    const codec = await this.#loadCodec();
    const fields = readLaunchdPlist(codec.parse(content), {
      daemon: k === "daemon",
      defaultLogFile: `${defaultLogDir(k, ctx)}/${ref.name}.log`,
    });
    return { driver: this.id, file, content, fields };
  }

  status(
    condition: Condition,
    ctx: Context,
    names?: string[],
  ): Promise<ServiceStatus[]> {
    return launchdStatus(this, condition, ctx, names);
  }

  statusOf(
    refs: readonly ServiceRef[],
    ctx: Context,
  ): Promise<ServiceStatus[]> {
    return launchdStatusOf(this, refs, ctx);
  }

  fileOf(ref: ServiceRef, ctx: Context): string {
    return plistPath(this.kind, ctx, ref);
  }

  advise(spec: ServiceSpec, _ctx: Context): Promise<string[]> {
    if (this.kind !== "agent") return Promise.resolve([]);
    return Promise.resolve([
      `"${spec.name}" runs while you are logged in to the Mac's desktop and stops when you log out.`,
      `To run it at boot without a login, use: sudo autostart enable ${spec.name} --condition=boot ...`,
    ]);
  }

  explain = explainLaunchctl;

  /**
   * The last lines of the files named by the plist's StandardOutPath and
   * StandardErrorPath, then (with `follow`) what is appended to them.
   */
  async *logs(
    ref: ServiceRef,
    options: LogOptions,
    ctx: Context,
  ): AsyncGenerator<string> {
    const codec = await this.#loadCodec();
    yield* launchdLogs(this, codec, ref, options, ctx);
  }

  /** launchd's checks for `autostart doctor`. */
  diagnose(ctx: Context): Promise<Check[]> {
    return launchdDiagnose(this, () => this.#loadCodec(), ctx);
  }
}

/** Makes the driver of one kind. */
export function createLaunchdDriver(
  kind: LaunchdKind,
  codec?: PlistCodec,
): LaunchdDriver {
  return new LaunchdDriver(kind, codec);
}
