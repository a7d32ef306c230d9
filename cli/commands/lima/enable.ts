/**
 * `autostart lima enable INSTANCE`: parse, resolve the instance, call `install()` with
 * the Lima preset's status and plan (presets/lima_install.ts), print, then wait for
 * the VM to boot.
 *
 * @module
 */

import { parseDuration } from "../../../core/duration.ts";
import { install } from "../../../core/operations.ts";
import { describePlan } from "../../../core/plan.ts";
import {
  parseCondition,
  parseKeepAlive,
  parseStopTimeout,
} from "../../../core/spec.ts";
import { limaLaunchdLog } from "../../../templates/lima_plist.ts";
import { LIMA_STOP_TIMEOUT, limaKeepAlive } from "../../../presets/lima.ts";
import { limaInstall } from "../../../presets/lima_install.ts";
import { resolveLimaRequest } from "../../../presets/lima_resolve.ts";
import { limaStatus } from "../../../presets/lima_status.ts";
import { waitForBoot } from "../../../presets/lima_wait.ts";
import type { App } from "../../app.ts";
import type { ParsedArgs } from "../../args.ts";
import { palette } from "../../output.ts";
import { keepAliveWords } from "../enable.ts";
import { oneInstance } from "./words.ts";

/** How long `lima enable` waits for the VM by default (as `limactl start` does). */
export const DEFAULT_BOOT_TIMEOUT = "10m";

/** Runs `lima enable` on parsed arguments. */
export async function limaEnable(a: ParsedArgs, app: App): Promise<number> {
  const v = a.values;
  const instance = oneInstance(a.positionals, "enable");
  const condition = parseCondition((v.condition as string) ?? "login");
  const keepAlive = limaKeepAlive(parseKeepAlive(
    (v["keep-alive"] as string | boolean | undefined) ?? true,
  ));
  const timeoutMs = parseDuration(
    (v.timeout as string) ?? DEFAULT_BOOT_TIMEOUT,
    { what: "--timeout" },
  );
  const stopTimeoutMs = parseStopTimeout(
    (v["stop-timeout"] as string | undefined) ?? LIMA_STOP_TIMEOUT,
  );
  const start = v.start !== false;
  const wait = start && v.wait !== false;
  const json = v.json === true;
  const dryRun = v["dry-run"] === true;
  const adopt = v.adopt === true;
  const ctx = await app.context();
  const r = await resolveLimaRequest(
    {
      instance,
      condition,
      keepAlive,
      start,
      stopTimeoutMs,
      loose: dryRun,
    },
    ctx,
    await app.registry(),
  );
  const { spec, driver, instanceDir: dir } = r;
  const hooks = limaInstall(r, ctx, { adopt });
  const done = await install(ctx, driver, spec, {
    force: adopt,
    dryRun,
    ...(app.clock ? { sleep: app.clock.sleep } : {}),
    status: hooks.status,
    plan: hooks.plan,
  });
  const { plan } = done;
  if (done.dryRun) {
    if (json) {
      app.io.out(
        JSON.stringify(
          { dryRun: true, action: done.action, spec, plan },
          null,
          2,
        ) + "\n",
      );
    } else if (plan.steps.length === 0) {
      app.io.out(
        `# dry run: Lima instance "${instance}" is already enabled and up to date (${driver.id}); nothing to do\n`,
      );
    } else {
      app.io.out(
        `# dry run: ${driver.id} would do this for Lima instance "${instance}"\n`,
      );
      app.io.out(describePlan(plan) + "\n");
    }
    return 0;
  }
  const seen = hooks.seen()!;
  const upToDate = done.action === "unchanged";
  const p = palette(app.io.color);
  const file = plan.steps.find((s) => s.kind === "write")?.path ??
    done.before?.file ?? null;
  const adopted = seen.now.owner === "limactl";
  const when = condition === "boot" ? "at boot" : "at login";
  const started = start && (!upToDate || done.startedNow);
  const { warnings, backups } = done.result;
  if (!json) {
    if (upToDate) {
      app.io.out(
        `Lima instance "${instance}" is already enabled and up to date (${driver.id}, ${file})${
          done.startedNow ? "; it was not running, started it now" : ""
        }.\n`,
      );
    } else {
      app.io.out(
        `${
          p.green("Enabled")
        } Lima instance "${instance}" (${driver.id}, ${spec.identity}, ${file}): starts ${when}, ${
          keepAliveWords(keepAlive)
        }${start ? "; started now" : "; not started now (--no-start)"}.\n`,
      );
    }
    if (adopted) {
      app.io.out(
        `Took over the file limactl had written; the old one was kept as ${
          backups[0] ?? `${file}.autostart-backup`
        }\n`,
      );
    }
    for (const w of warnings) app.io.err(`${p.yellow("warning")}: ${w}\n`);
    for (const n of plan.notes ?? []) app.io.out(`${p.dim("note")}: ${n}\n`);
  }
  let running: boolean | null = null;
  let waitedMs: number | null = null;
  let problem: string | null = null;
  if (wait && started) {
    if (!json) {
      app.io.err(
        `Waiting for "${instance}" to boot (up to ${
          Math.round(timeoutMs / 1000)
        }s; progress in ${dir}/ha.stderr.log; --no-wait to skip)...\n`,
      );
    }
    const w = await waitForBoot({
      read: () => ctx.fs.readText(`${dir}/ha.stdout.log`).catch(() => null),
      check: async () => {
        const s = await limaStatus(driver, condition, instance, ctx);
        return ["failed", "stopped", "not-loaded"].includes(s.state)
          ? `the service is ${s.state}${s.lastExit ? ` (${s.lastExit})` : ""}`
          : null;
      },
      offset: seen.log.length,
      before: seen.log,
      // The service's own host agent is replaced: it writes "exiting" first.
      restarting: seen.agent !== null && !seen.outside,
      timeoutMs,
    });
    running = w.outcome === "running";
    waitedMs = w.waitedMs;
    if (!running) {
      problem = w.outcome === "timeout"
        ? `"${instance}" is not running after ${
          Math.round(w.waitedMs / 1000)
        }s (${w.detail})`
        : `"${instance}" did not boot: ${w.detail}`;
    } else if (!json) {
      app.io.out(
        `Lima instance "${instance}" is running (booted in ${
          Math.round(w.waitedMs / 1000)
        }s).\n`,
      );
    }
  }
  if (json) {
    app.io.out(
      JSON.stringify(
        {
          ok: problem === null,
          instance,
          driver: driver.id,
          condition,
          keepAlive,
          unit: spec.identity,
          file,
          limactl: r.limactl,
          limaHome: r.home.given ?? null,
          instanceDir: dir,
          adopted,
          upToDate,
          started,
          running,
          waitedMs,
          ...(problem ? { problem } : {}),
          warnings,
          backups,
        },
        null,
        2,
      ) + "\n",
    );
  }
  if (problem !== null) {
    if (!json) {
      app.io.err(
        `${p.red("error")}: ${problem}; the service stays enabled\n${
          p.bold("hint")
        }: see ${dir}/ha.stderr.log and ${
          r.flavor === "systemd"
            ? `journalctl ${
              condition === "login" ? "--user " : ""
            }-u ${spec.identity}`
            : limaLaunchdLog(instance, dir, condition === "boot", "stderr")
        }; check with: autostart lima status ${instance}\n`,
      );
    }
    return 1;
  }
  return 0;
}
