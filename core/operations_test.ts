// install()/uninstall() plan once: for every driver and every prior state, the plan a
// dry run returns is the plan a real run applies, command for command and file for file.
import { assertEquals, assertOk } from "../tests/assert.ts";
import type { Context } from "./context.ts";
import type { Driver, ServiceStatus } from "./driver.ts";
import type { FakeRunner, MemoryFs } from "./fake.ts";
import { UsageError } from "./errors.ts";
import { install, uninstall } from "./operations.ts";
import type { Plan, WriteStep } from "./plan.ts";
import type { ServiceSpec } from "./spec.ts";
import { builtinRegistry } from "../cli/builtin_registry.ts";
import { ALICE, fakeContext, ROOT_USER, webSpec } from "../tests/helpers.ts";
import { IN_PROCESS_TARGETS } from "../tests/hostile/corpus.ts";

/** A driver whose status() answers `status` (a prior state), everything else real. */
function withStatus(d: Driver, status: () => ServiceStatus[]): Driver {
  const w: Driver = {
    id: d.id,
    description: d.description,
    platforms: d.platforms,
    conditions: d.conditions,
    keepAlive: d.keepAlive,
    available: d.available.bind(d),
    plan: d.plan.bind(d),
    planDisable: d.planDisable.bind(d),
    planControl: d.planControl.bind(d),
    status: () => Promise.resolve(status()),
  };
  if (d.prepare) w.prepare = d.prepare.bind(d);
  if (d.readBack) w.readBack = d.readBack.bind(d);
  if (d.explain) w.explain = d.explain;
  return w;
}

interface Target {
  driver: string;
  context(): Context & { runner: FakeRunner; fs: MemoryFs };
  spec: ServiceSpec;
}

const rootCtx = (over: Partial<Context> = {}) =>
  fakeContext({
    self: ROOT_USER,
    sudoUser: ALICE.name,
    env: { PATH: "/usr/bin:/bin", HOME: "/root" },
    ...over,
  });

/** launchd answers `print` with 113: the job is not loaded (gone after a bootout). */
function gone<C extends { runner: FakeRunner }>(ctx: C): C {
  ctx.runner.on(["launchctl", "print"], { code: 113 });
  return ctx;
}

/** Waits of run steps (`until`, `retry`) take no time here. */
const sleep = () => Promise.resolve();

const TARGETS: Target[] = [
  { driver: "systemd", context: () => fakeContext(), spec: webSpec() },
  {
    driver: "systemd",
    context: () => rootCtx(),
    spec: webSpec({ condition: "boot", runAs: ALICE }),
  },
  {
    driver: "launchd-agent",
    context: () => gone(fakeContext({ os: "darwin" })),
    spec: webSpec(),
  },
  {
    driver: "launchd-daemon",
    context: () => gone(rootCtx({ os: "darwin" })),
    spec: webSpec({ condition: "boot", runAs: ALICE }),
  },
  {
    driver: "runit",
    context: () =>
      IN_PROCESS_TARGETS.find((t) => t.driver === "runit")!.context(
        "user",
      ) as Context & { runner: FakeRunner; fs: MemoryFs },
    spec: webSpec({ keepAlive: "always" }),
  },
  {
    driver: "openrc",
    context: () => rootCtx(),
    spec: webSpec({ condition: "boot", keepAlive: "always", runAs: ALICE }),
  },
];

const PRIORS = [
  "absent",
  "running",
  "stopped",
  "drifted",
  "foreign file",
  "up to date, running",
  "up to date, stopped",
] as const;

function statusOf(
  spec: ServiceSpec,
  driver: string,
  file: string,
  prior: typeof PRIORS[number],
): ServiceStatus[] {
  if (prior === "absent" || prior === "foreign file") return [];
  const running = prior === "running" || prior === "up to date, running";
  return [{
    name: spec.name,
    driver,
    condition: spec.condition,
    unit: spec.name,
    file,
    state: running ? "running" : "stopped",
    enabled: true,
    pid: running ? 42 : null,
    restarts: 0,
    lastExit: null,
    since: null,
    detail: "",
    drifted: prior === "drifted",
  }];
}

/** The command lines and file writes a plan makes, in order. */
function effects(plan: Plan): string[] {
  return plan.steps.flatMap((s) =>
    s.kind === "run"
      // A step with a `when` probe runs the probe first (answered so the step runs).
      ? [
        ...(s.when ? [`run ${s.when.argv.join(" ")}`] : []),
        `run ${s.argv.join(" ")}`,
      ]
      : s.kind === "write"
      ? [`write ${s.path}`]
      : []
  );
}

for (const t of TARGETS) {
  for (const prior of PRIORS) {
    Deno.test(`install() on ${t.driver} (${t.spec.condition}), prior ${prior}: the dry-run plan is the applied plan`, async () => {
      const registry = builtinRegistry();
      const real = registry.get(t.driver)!;
      // The files of the current spec and of an older version of it.
      const probe = t.context();
      const fresh = await install(probe, real, t.spec, { dryRun: true, sleep });
      const writes = fresh.plan.steps.filter((s) => s.kind === "write");
      const main = writes[0]!;
      const older = await install(
        t.context(),
        real,
        { ...t.spec, args: ["-m", "http.server", "9090"] },
        { dryRun: true },
      );
      const setUp = () => {
        const ctx = t.context();
        // Files as autostart writes them: the step's mode and owner.
        const put = (path: string, content: string, like?: WriteStep) =>
          ctx.fs.files.set(path, {
            content,
            mode: like?.mode ?? 0o644,
            ...(like?.owner ? { owner: like.owner } : {}),
          });
        if (prior === "running" || prior === "stopped") {
          for (const w of older.plan.steps) {
            if (w.kind === "write") put(w.path, w.content, w);
          }
        } else if (prior === "drifted") {
          for (const w of writes) {
            if (w.kind === "write") put(w.path, w.content, w);
          }
          put(
            main.path,
            main.kind === "write" ? `${main.content}# edit\n` : "",
          );
        } else if (prior === "foreign file") {
          put(main.path, "[Service]\nExecStart=/bin/foreign\n");
        } else if (prior.startsWith("up to date")) {
          for (const w of writes) {
            if (w.kind === "write") put(w.path, w.content, w);
          }
        }
        const driver = withStatus(
          real,
          () => statusOf(t.spec, t.driver, main.path, prior),
        );
        return { ctx, driver };
      };
      const force = prior === "foreign file";
      const a = setUp();
      const dry = await install(a.ctx, a.driver, t.spec, {
        dryRun: true,
        force,
      });
      assertEquals(a.ctx.runner.lines(), [], "a dry run runs nothing");
      const b = setUp();
      const done = await install(b.ctx, b.driver, t.spec, { force, sleep });
      assertEquals(done.plan, dry.plan);
      assertEquals(done.action, dry.action);
      // What really ran is what the dry run showed.
      assertEquals(
        b.ctx.runner.lines().map((l) => `run ${l}`),
        effects(dry.plan).filter((e) => e.startsWith("run ")),
      );
      for (const s of dry.plan.steps) {
        if (s.kind === "write") {
          assertEquals(b.ctx.fs.files.get(s.path)?.content, s.content);
        }
      }
      const expected = prior === "absent" || prior === "foreign file"
        ? "created"
        : prior.startsWith("up to date")
        ? "unchanged"
        : "updated";
      assertEquals(done.action, expected);
      if (prior === "running" || prior === "stopped") {
        assertEquals(
          done.changes.map((c) => c.field),
          ["command"],
          "the change report names the field that changed",
        );
      }
      if (prior === "up to date, running") assertEquals(done.plan.steps, []);
      if (t.driver === "runit" && prior === "running") {
        // The bug this layer fixes: the dry run printed `ln -s` while the real run
        // stopped the old version and started the new one.
        const runs = effects(dry.plan).join("\n");
        assertOk(/sv -w 10 force-stop/.test(runs) && /sv up/.test(runs), runs);
        assertOk(!/ln -s /.test(runs), runs);
      }
    });
  }
}

for (const t of TARGETS) {
  for (const prior of ["running", "stopped"] as const) {
    Deno.test(`uninstall() on ${t.driver} (${t.spec.condition}), prior ${prior}: the dry-run plan is the applied plan`, async () => {
      const real = builtinRegistry().get(t.driver)!;
      const fresh = await install(t.context(), real, t.spec, { dryRun: true });
      const setUp = () => {
        const ctx = t.context();
        for (const w of fresh.plan.steps) {
          if (w.kind === "write") {
            ctx.fs.files.set(w.path, {
              content: w.content,
              mode: w.mode,
              ...(w.owner ? { owner: w.owner } : {}),
            });
          }
        }
        const main = fresh.plan.steps.find((s) => s.kind === "write")!;
        const driver = withStatus(
          real,
          () => statusOf(t.spec, t.driver, main.path, prior),
        );
        return { ctx, driver };
      };
      const a = setUp();
      const dry = await uninstall(a.ctx, a.driver, t.spec, {
        dryRun: true,
        sleep,
      });
      assertEquals(a.ctx.runner.lines(), []);
      const b = setUp();
      const done = await uninstall(b.ctx, b.driver, t.spec, { sleep });
      assertEquals(done.plan, dry.plan);
      assertEquals(
        b.ctx.runner.lines().map((l) => `run ${l}`),
        effects(dry.plan).filter((e) => e.startsWith("run ")),
      );
      assertOk(dry.plan.steps.length > 0);
    });
  }
}

Deno.test("install() and uninstall() refuse what the driver refuses (root needed) before taking the lock", async () => {
  const locked: string[] = [];
  const ctx = fakeContext({
    lock: (path) => {
      locked.push(path);
      return Promise.reject(new Error(`cannot create ${path}`));
    },
  });
  const driver = builtinRegistry().get("systemd")!;
  const spec = webSpec({ condition: "boot", runAs: ALICE });
  for (
    const op of [
      () => install(ctx, driver, spec),
      () => uninstall(ctx, driver, spec),
    ]
  ) {
    const e = await op().then(() => null, (x) => x);
    assertOk(e instanceof UsageError, String(e));
    assertOk(/needs root/.test(e.message), e.message);
  }
  assertEquals(locked, []);
});
