/**
 * Test helpers for the launchd drivers: macOS contexts on the launchd model
 * (`tests/launchd_model.ts`: a MemoryFs with `/bin/launchctl`, alice with uid 501, or
 * root under sudo), and the `launchctl` output fixtures of `tests/fixtures/launchctl/`
 * (see the README there for where each came from).
 *
 * @module
 */

import { apply, type ApplyOptions, type ApplyResult } from "../core/apply.ts";
import type { Context } from "../core/context.ts";
import { MemoryFs } from "../core/fake.ts";
import type { Plan } from "../core/plan.ts";
import { explainLaunchctl } from "../drivers/launchd/mod.ts";
import type { ServiceSpec } from "../core/spec.ts";
import { logWrapperCommand } from "../templates/launchd_log_wrapper.ts";
import { type CliResult, webSpec } from "./helpers.ts";
import {
  LaunchdModel,
  MAC_ALICE,
  MAC_ROOT,
  type ModelOptions,
} from "./launchd_model.ts";

export { MAC_ALICE, MAC_ROOT };

/** alice's LaunchAgents directory. */
export const AGENT_DIR = "/Users/alice/Library/LaunchAgents";
/** The plist of alice's agent "web". */
export const WEB_PLIST = `${AGENT_DIR}/dev.autostart.web.plist`;
/** The service target of alice's agent "web". */
export const WEB_TARGET = "gui/501/dev.autostart.web";

/** alice's login service "web" (python's http.server) with her Homebrew PATH. */
export function agentWebSpec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return webSpec({
    env: [["PATH", "/opt/homebrew/bin:/usr/bin:/bin"]],
    ...over,
  });
}

/** A boot service "tunnel" (cloudflared) that runs as alice. */
export function tunnelSpec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: "tunnel",
    program: "/usr/local/bin/cloudflared",
    args: ["tunnel", "run"],
    condition: "boot",
    keepAlive: "always",
    env: [],
    restartDelayMs: 5000,
    start: true,
    runAs: MAC_ALICE,
    ...over,
  };
}

/**
 * The ProgramArguments of alice's agent NAME: the command behind the wrapper that
 * rotates its default log at each start.
 */
export function agentArgv(command: string[], name = "web"): string[] {
  return logWrapperCommand(
    `/Users/alice/Library/Logs/autostart/${name}.log`,
    command,
  );
}

/** A darwin context on a launchd model, with the model at hand. */
export type MacContext = Context & {
  runner: LaunchdModel["runner"];
  fs: MemoryFs;
  model: LaunchdModel;
};

/**
 * A darwin context of alice on a fresh launchd model (its runner answers launchctl,
 * dscl and id; `ctx.runner.on()` makes a command answer something else).
 */
export function macContext(
  over: Partial<Context> = {},
  options: ModelOptions = {},
): MacContext {
  const fs = (over.fs as MemoryFs | undefined) ??
    new MemoryFs({ "/bin/launchctl": "" });
  const uid = over.self?.uid ?? MAC_ALICE.uid;
  const model = new LaunchdModel({ uid, fs, ...options });
  const ctx = model.context({ self: MAC_ALICE, sudoUser: undefined, ...over });
  return { ...ctx, runner: model.runner, fs, model };
}

/** A darwin context of `sudo autostart ...` run by alice, on a fresh launchd model. */
export function macRootContext(
  over: Partial<Context> = {},
  options: ModelOptions = {},
): MacContext {
  return macContext({
    self: MAC_ROOT,
    sudoUser: "alice",
    env: {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: MAC_ROOT.home,
      SUDO_USER: "alice",
    },
    ...over,
  }, options);
}

/** Applies a launchd plan on the context's model, sleeping on its virtual clock. */
export function applyMac(
  plan: Plan,
  ctx: MacContext,
  options: Partial<ApplyOptions> = {},
): Promise<ApplyResult> {
  return apply(plan, {
    runner: ctx.runner,
    fs: ctx.fs,
    sleep: ctx.model.clock.sleep,
    explain: explainLaunchctl,
    ...options,
  });
}

/** Runs the CLI in-process on the context's model and virtual clock. */
export function macCli(argv: string[], ctx: MacContext): Promise<CliResult> {
  return ctx.model.cli(argv, ctx);
}

/** Text of a fixture under tests/fixtures/launchctl/. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(
    new URL(`./fixtures/launchctl/${name}`, import.meta.url),
  );
}
