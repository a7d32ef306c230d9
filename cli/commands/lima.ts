/**
 * `autostart lima enable|disable|status INSTANCE`: a Lima VM started at login or boot,
 * with the files `limactl autostart` writes (same paths, labels and keys), so limactl
 * keeps seeing and stopping it, plus what Lima lacks: PATH with limactl's and qemu's
 * directories, LIMA_HOME carried into the service, boot on Linux, the init system's
 * own state, and feedback while the VM boots.
 *
 * @module
 */

import { didYouMean } from "../suggest.ts";
import { apply, writeIsCurrent } from "../../core/apply.ts";
import type { Context, UserInfo } from "../../core/context.ts";
import type { Driver } from "../../core/driver.ts";
import { OperationError, UsageError } from "../../core/errors.ts";
import { withLock } from "../../core/lock.ts";
import { describePlan } from "../../core/plan.ts";
import {
  type Condition,
  CONDITIONS,
  parseCondition,
  parseKeepAlive,
  parseName,
  parseStopTimeout,
} from "../../core/spec.ts";
import { parseDuration } from "../../core/duration.ts";
import type { DriverFeature } from "../../core/driver.ts";
import type { Plan } from "../../core/plan.ts";
import { loadPlistCodec } from "../../templates/launchd_plist.ts";
import { limaLaunchdLog } from "../../templates/lima_plist.ts";
import { legacyLimaBootUnitName } from "../../templates/lima_unit.ts";
import {
  LIMA_STOP_TIMEOUT,
  limaContent,
  limaFlavor,
  limaIdentity,
  limaKeepAlive,
  limaKnows,
  limaPlan,
  limaSpec,
} from "../../presets/lima.ts";
import {
  type HostAgent,
  hostAgent,
  runsUnder,
} from "../../presets/lima_running.ts";
import {
  findLimactl,
  instanceDir,
  limaHome,
  listInstances,
  servicePath,
} from "../../presets/lima_locate.ts";
import { type LimaStatus, limaStatus } from "../../presets/lima_status.ts";
import { waitForBoot } from "../../presets/lima_wait.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { palette } from "../output.ts";
import { keepAliveWords, priorOf } from "./enable.ts";

/** Options of `lima enable`. */
export const LIMA_ENABLE_OPTIONS = optionsOf("lima enable");

/** Options of `lima disable`. */
export const LIMA_DISABLE_OPTIONS = optionsOf("lima disable");

/** Options of `lima status`. */
export const LIMA_STATUS_OPTIONS = optionsOf("lima status");

/** Version of the `lima status --json` document. */
export const LIMA_STATUS_SCHEMA_VERSION = 1;

/** How long `lima enable` waits for the VM by default (as `limactl start` does). */
export const DEFAULT_BOOT_TIMEOUT = "10m";

const USAGE =
  "usage: autostart lima enable|disable|status INSTANCE [options] (see: autostart lima --help)";

/** Runs `lima`. */
export async function limaCommand(argv: string[], app: App): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "enable") return await limaEnable(rest, app);
  if (sub === "disable") return await limaDisable(rest, app);
  if (sub === "status" || sub === "list") return await limaStatusCmd(rest, app);
  const guess = sub === undefined
    ? undefined
    : didYouMean(sub, ["enable", "disable", "status", "list"]);
  throw new UsageError(
    sub === undefined
      ? "Missing subcommand of lima"
      : `Unknown subcommand ${JSON.stringify(sub)} of lima`,
    guess ? `did you mean "lima ${guess}"? ${USAGE}` : USAGE,
  );
}

function oneInstance(positionals: string[], sub: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length ? "Give exactly one INSTANCE" : "Missing INSTANCE",
      `usage: autostart lima ${sub} INSTANCE`,
    );
  }
  return parseName(positionals[0]!);
}

/** The account a Lima service runs as (as `resolveSpec` decides for any service). */
async function accountFor(
  condition: Condition,
  ctx: Context,
): Promise<UserInfo> {
  if (condition === "login") {
    if (ctx.sudoUser !== undefined) {
      throw new UsageError(
        "A login service belongs to the user who logs in: run it without sudo",
        `run as ${ctx.sudoUser} without sudo, or use --condition=boot to start the VM at boot`,
      );
    }
    return ctx.self;
  }
  const who = ctx.sudoUser ?? (ctx.self.uid === 0 ? undefined : ctx.self.name);
  if (who === undefined) {
    throw new UsageError(
      "Refusing to run a Lima VM as root",
      "run through sudo as the user who owns the instance: sudo autostart lima enable INSTANCE --condition=boot",
    );
  }
  const u = await ctx.lookupUser(who);
  if (!u) throw new UsageError(`Unknown user ${JSON.stringify(who)}`);
  if (u.uid === 0) {
    // lima-vm/lima cmd/limactl/main.go: "limactl: must not run as the root user".
    throw new UsageError(
      "Refusing to run a Lima VM as root: limactl refuses to run as the root user",
      "run sudo from the account that owns the instance (not from a root shell): sudo autostart lima enable INSTANCE --condition=boot",
    );
  }
  return u;
}

/** The driver of a condition (by declarations when `loose`), as a Lima flavour. */
async function driverFor(
  app: App,
  ctx: Context,
  condition: Condition,
  loose: boolean,
  keepAlive?: ReturnType<typeof parseKeepAlive>,
  features?: DriverFeature[],
): Promise<Driver> {
  const registry = await app.registry();
  const d = await registry.select({
    condition,
    ignoreAvailability: loose,
    ...(keepAlive ? { keepAlive } : {}),
    ...(features ? { features } : {}),
  }, ctx);
  limaFlavor(d);
  return d;
}

function ownerWords(s: Pick<LimaStatus, "owner">): string {
  return s.owner === "limactl"
    ? "written by limactl"
    : s.owner === "autostart"
    ? "managed by autostart"
    : "not installed";
}

function foreignError(s: LimaStatus, verb: string): OperationError {
  return new OperationError(
    `${s.file} was written by limactl, not autostart: left alone (nothing ${verb})`,
    {
      hint: `pass --adopt to let autostart ${
        verb === "changed" ? "replace" : "remove"
      } it (keeping Lima's ${s.unit}, so limactl start/stop keep working), or manage it with: limactl autostart ${
        verb === "changed" ? "enable" : "disable"
      } ${s.instance}`,
    },
  );
}

const RUNNING = new Set(["running", "starting", "crash-looping"]);

async function limaEnable(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, LIMA_ENABLE_OPTIONS, "lima enable");
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
  const ctx = await app.context();
  const account = await accountFor(condition, ctx);
  const limactl = await findLimactl(ctx.env.PATH);
  const home = await limaHome(ctx.env, account.home, ctx.cwd);
  const dir = await instanceDir(home, instance);
  const path = await servicePath(limactl, ctx.env.PATH);
  const driver = await driverFor(
    app,
    ctx,
    condition,
    v["dry-run"] === true,
    keepAlive,
    ["stop-timeout"],
  );
  const flavor = limaFlavor(driver);
  await driver.prepare?.(ctx);
  const codec = flavor === "systemd" ? undefined : await loadPlistCodec();
  const spec = limaSpec(flavor, {
    instance,
    limactl,
    instanceDir: dir,
    ...(home.given !== undefined ? { limaHome: home.given } : {}),
    path,
    condition,
    keepAlive,
    runAs: account,
    start,
    stopTimeoutMs,
  });
  const content = limaContent(flavor, spec, dir, codec);
  if (v["dry-run"]) {
    const plan = limaPlan(driver, spec, content, ctx);
    if (json) {
      app.io.out(JSON.stringify({ dryRun: true, spec, plan }, null, 2) + "\n");
    } else {
      app.io.out(
        `# dry run: ${driver.id} would do this for Lima instance "${instance}"\n`,
      );
      app.io.out(describePlan(plan) + "\n");
    }
    return 0;
  }
  const haLog = `${dir}/ha.stdout.log`;
  const outcome = await withLock(ctx, condition, async () => {
    const now = await limaStatus(driver, condition, instance, ctx);
    if (now.owner === "limactl" && v.adopt !== true) {
      throw foreignError(now, "changed");
    }
    const agent = await hostAgent(dir, ctx);
    const outside = agent !== null && !runsUnder(agent, now);
    if (outside && start) {
      throw runningOutside(instance, condition, agent, ctx.sudoUser);
    }
    const before = (await ctx.fs.readText(haLog).catch(() => null)) ?? "";
    const offset = before.length;
    // A boot unit under the name earlier versions used is replaced, not kept beside.
    const legacy = now.owner === "autostart" && now.unit !== spec.identity;
    const prior = now.owner === null || legacy ? undefined : priorOf(now);
    let plan = limaPlan(driver, spec, content, ctx, prior);
    if (legacy) plan = replacing(driver, now, plan, ctx);
    if (outside) {
      plan.notes = [
        ...(plan.notes ?? []),
        `"${instance}" is running outside autostart now (host agent pid ${
          agent!.pid
        }); the service takes it over from the next ${
          condition === "boot" ? "boot" : "login"
        }, or now after: limactl stop ${instance} && ${
          enableCommandLine(instance, condition)
        }`,
      ];
    }
    const write = plan.steps.find((s) => s.kind === "write");
    // Content, mode and owner (a plist made group-writable is not up to date).
    const upToDate = !legacy && now.owner === "autostart" &&
      now.content === content && now.enabled === true && !now.drifted &&
      (write === undefined ||
        await writeIsCurrent(ctx.fs, write, ctx.self.uid));
    if (upToDate && (!start || RUNNING.has(now.state))) {
      return {
        upToDate,
        startedNow: false,
        offset,
        before,
        restarting: false,
        plan,
        result: null,
        now,
      };
    }
    const result = await apply(
      upToDate ? driver.planControl(spec, "start", ctx) : plan,
      {
        runner: ctx.runner,
        fs: ctx.fs,
        ...(app.clock ? { sleep: app.clock.sleep } : {}),
        force: v.adopt === true,
        ...(driver.explain ? { explain: driver.explain } : {}),
      },
    );
    return {
      upToDate,
      startedNow: upToDate,
      offset,
      before,
      // The service's own host agent is replaced: it writes "exiting" first.
      restarting: agent !== null && !outside,
      plan,
      result,
      now,
    };
  });
  const p = palette(app.io.color);
  const file = outcome.plan.steps.find((s) => s.kind === "write")?.path ?? null;
  const adopted = outcome.now.owner === "limactl";
  const when = condition === "boot" ? "at boot" : "at login";
  const started = start && (!outcome.upToDate || outcome.startedNow);
  if (!json) {
    if (outcome.upToDate) {
      app.io.out(
        `Lima instance "${instance}" is already enabled and up to date (${driver.id}, ${file})${
          outcome.startedNow ? "; it was not running, started it now" : ""
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
          outcome.result?.backups[0] ?? `${file}.autostart-backup`
        }\n`,
      );
    }
    for (const w of outcome.result?.warnings ?? []) {
      app.io.err(`${p.yellow("warning")}: ${w}\n`);
    }
    for (const n of outcome.plan.notes ?? []) {
      app.io.out(`${p.dim("note")}: ${n}\n`);
    }
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
    const r = await waitForBoot({
      read: () => ctx.fs.readText(haLog).catch(() => null),
      check: async () => {
        const s = await limaStatus(driver, condition, instance, ctx);
        return ["failed", "stopped", "not-loaded"].includes(s.state)
          ? `the service is ${s.state}${s.lastExit ? ` (${s.lastExit})` : ""}`
          : null;
      },
      offset: outcome.offset,
      before: outcome.before,
      restarting: outcome.restarting,
      timeoutMs,
    });
    running = r.outcome === "running";
    waitedMs = r.waitedMs;
    if (!running) {
      problem = r.outcome === "timeout"
        ? `"${instance}" is not running after ${
          Math.round(r.waitedMs / 1000)
        }s (${r.detail})`
        : `"${instance}" did not boot: ${r.detail}`;
    } else if (!json) {
      app.io.out(
        `Lima instance "${instance}" is running (booted in ${
          Math.round(r.waitedMs / 1000)
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
          limactl,
          limaHome: home.given ?? null,
          instanceDir: dir,
          adopted,
          upToDate: outcome.upToDate,
          started,
          running,
          waitedMs,
          ...(problem ? { problem } : {}),
          warnings: outcome.result?.warnings ?? [],
          backups: outcome.result?.backups ?? [],
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
          flavor === "systemd"
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

/** How to run `lima enable` again for this instance and condition. */
function enableCommandLine(instance: string, condition: Condition): string {
  return condition === "boot"
    ? `sudo autostart lima enable ${instance} --condition=boot`
    : `autostart lima enable ${instance}`;
}

/**
 * The error for a VM that runs already, not under this service (exit 1, nothing
 * written): its service's `limactl start --foreground` would say "already running" and
 * exit 0, and the VM would go on unmanaged.
 */
function runningOutside(
  instance: string,
  condition: Condition,
  agent: HostAgent,
  sudoUser: string | undefined,
): OperationError {
  const other: Condition = condition === "boot" ? "login" : "boot";
  const inOther = agent.unit === limaIdentity("systemd", other, instance) ||
    agent.unit === legacyLimaBootUnitName(instance) && other === "boot";
  const where = inOther
    ? `in its ${other} service ${agent.unit}`
    : `outside autostart${agent.unit ? ` (in ${agent.unit})` : ""}`;
  const enable = enableCommandLine(instance, condition);
  const handOver = !inOther
    ? `limactl stop ${instance} && ${enable}`
    : other === "boot"
    ? `sudo autostart lima disable ${instance} --condition=boot && ${enable}`
    : sudoUser
    ? `as ${sudoUser} (without sudo): autostart lima disable ${instance} --condition=login; then: ${enable}`
    : `autostart lima disable ${instance} --condition=login && ${enable}`;
  return new OperationError(
    `Lima instance "${instance}" is already running ${where} (host agent pid ${agent.pid}, ${agent.command}): nothing changed. Started now, this service would find it running ("limactl start" says so and exits 0) and end at once, ${
      inOther
        ? `while the VM stays with the ${other} service`
        : "leaving the VM unmanaged"
    }`,
    {
      hint:
        `hand it over: ${handOver}; or keep it running as it is and let autostart start it from the next ${
          condition === "boot" ? "boot" : "login"
        }: ${enableCommandLine(instance, condition)} --no-start`,
    },
  );
}

/**
 * `plan` preceded by the removal of the unit `now` describes (the boot unit's earlier
 * name, `lima-vm@INSTANCE.service`): stopped, disabled and removed first, restored by
 * the rollback when a later step fails.
 */
function replacing(
  driver: Driver,
  now: LimaStatus,
  plan: Plan,
  ctx: Context,
): Plan {
  const file = plan.steps.find((s) => s.kind === "write")?.path;
  const old = driver.planDisable(
    { name: now.instance, condition: now.condition, identity: now.unit },
    ctx,
    { prior: priorOf(now) ?? { enabled: false, running: false } },
  );
  return {
    ...plan,
    steps: [...old.steps, ...plan.steps],
    afterRollback: [
      ...(old.afterRollback ?? []),
      ...(plan.afterRollback ?? []),
    ],
    notes: [
      ...(plan.notes ?? []),
      `replaced ${now.file} (the name earlier versions of autostart gave the boot unit) with ${file}`,
    ],
  };
}

async function limaDisable(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, LIMA_DISABLE_OPTIONS, "lima disable");
  const v = a.values;
  const instance = oneInstance(a.positionals, "disable");
  const conditions = v.condition === undefined
    ? CONDITIONS
    : [parseCondition(v.condition as string)];
  const json = v.json === true;
  const ctx = await app.context();
  const found: { driver: Driver; status: LimaStatus }[] = [];
  for (const c of conditions) {
    const driver = await driverFor(app, ctx, c, true);
    const status = await limaStatus(driver, c, instance, ctx);
    if (status.owner !== null) found.push({ driver, status });
  }
  if (found.length === 0) {
    throw new OperationError(
      `Lima instance "${instance}" has no service to disable${
        v.condition === undefined ? "" : ` for condition ${v.condition}`
      }`,
      { hint: `see: autostart lima status ${instance}` },
    );
  }
  for (const f of found) {
    if (f.status.owner === "limactl" && v.adopt !== true) {
      throw foreignError(f.status, "removed");
    }
  }
  // Pure: refuses (e.g. a boot service without root) before anything is changed.
  const plans = found.map((f) =>
    f.driver.planDisable(
      {
        name: instance,
        condition: f.status.condition,
        identity: f.status.unit,
      },
      ctx,
    )
  );
  if (v["dry-run"]) {
    if (json) {
      app.io.out(JSON.stringify({ dryRun: true, plans }, null, 2) + "\n");
    } else {
      for (const [i, plan] of plans.entries()) {
        app.io.out(
          `# dry run: ${
            found[i]!.driver.id
          } would do this to disable Lima instance "${instance}"\n`,
        );
        app.io.out(describePlan(plan) + "\n");
      }
    }
    return 0;
  }
  const done: {
    condition: Condition;
    driver: string;
    removed: string | null;
    warnings: string[];
  }[] = [];
  for (const f of found) {
    const c = f.status.condition;
    const result = await withLock(ctx, c, async () => {
      const now = await limaStatus(f.driver, c, instance, ctx);
      if (now.owner === null) return null;
      const prior = priorOf(now);
      return await apply(
        f.driver.planDisable(
          { name: instance, condition: c, identity: now.unit },
          ctx,
          prior ? { prior } : {},
        ),
        {
          runner: ctx.runner,
          fs: ctx.fs,
          ...(app.clock ? { sleep: app.clock.sleep } : {}),
          force: v.adopt === true,
          ...(f.driver.explain ? { explain: f.driver.explain } : {}),
        },
      );
    });
    done.push({
      condition: c,
      driver: f.driver.id,
      removed: f.status.file,
      warnings: result?.warnings ?? [],
    });
  }
  if (json) {
    app.io.out(
      JSON.stringify({ ok: true, instance, disabled: done }, null, 2) + "\n",
    );
    return 0;
  }
  const p = palette(app.io.color);
  for (const d of done) {
    app.io.out(
      `${
        p.green("Disabled")
      } Lima instance "${instance}" (${d.driver}, ${d.condition}): stopped; removed ${d.removed}.\n`,
    );
    for (const w of d.warnings) app.io.err(`${p.yellow("warning")}: ${w}\n`);
  }
  return 0;
}

async function limaStatusCmd(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, LIMA_STATUS_OPTIONS, "lima status");
  if (a.positionals.length > 1) {
    throw new UsageError(
      "Give at most one INSTANCE",
      "usage: autostart lima status [INSTANCE]",
    );
  }
  const ctx = await app.context();
  const home = await limaHome(ctx.env, ctx.self.home, ctx.cwd);
  const existing = await listInstances(home.dir);
  const names = a.positionals.length
    ? [parseName(a.positionals[0]!)]
    : existing;
  const drivers: [Condition, Driver][] = [];
  for (const c of CONDITIONS) {
    drivers.push([c, await driverFor(app, ctx, c, true)]);
  }
  const instances = [];
  for (const instance of names) {
    const services = await Promise.all(
      drivers.map(([c, d]) => limaStatus(d, c, instance, ctx)),
    );
    const known = existing.includes(instance);
    if (!known && services.every((s) => s.owner === null)) {
      throw new UsageError(
        `Unknown Lima instance ${JSON.stringify(instance)} in ${home.dir}`,
        existing.length
          ? `existing instances: ${existing.join(", ")}`
          : `there are no instances in ${home.dir}`,
      );
    }
    instances.push({
      instance,
      instanceDir: known ? `${home.dir}/${instance}` : null,
      services: services.map(({ content: _c, ...s }) => s),
    });
  }
  if (a.values.json) {
    app.io.out(
      JSON.stringify(
        {
          schemaVersion: LIMA_STATUS_SCHEMA_VERSION,
          limaHome: home.dir,
          instances,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  if (instances.length === 0) {
    app.io.out(`No Lima instances in ${home.dir}.\n`);
    return 0;
  }
  const p = palette(app.io.color);
  for (const i of instances) {
    app.io.out(
      `${p.bold(`Lima instance "${i.instance}"`)}${
        i.instanceDir ? ` (${i.instanceDir})` : " (instance directory missing)"
      }\n`,
    );
    for (const s of i.services) {
      const state = s.owner === null && !RUNNING.has(s.state)
        ? "-"
        : `${s.state}${s.enabled === true ? ", enabled" : ""}${
          s.pid ? `, pid ${s.pid}` : ""
        }${s.restarts ? `, ${s.restarts} restarts` : ""}`;
      const lima = limaKnows(s.condition)
        ? `limactl: ${s.limaRegistered ? "registered" : "not registered"}`
        : "limactl: counts only login services as registered";
      app.io.out(
        `  ${s.condition.padEnd(5)}  ${state.padEnd(24)}  ${s.unit} (${
          ownerWords(s)
        }${s.drifted ? ", edited by hand" : ""}); ${lima}\n`,
      );
      if (
        s.owner === "autostart" && s.condition === "boot" &&
        s.unit === legacyLimaBootUnitName(i.instance)
      ) {
        app.io.out(
          `         ${
            p.yellow("note")
          }: the name earlier versions gave the boot unit, under which "limactl stop" fails; rename it: sudo autostart lima enable ${i.instance} --condition=boot\n`,
        );
      }
    }
  }
  return 0;
}
