// A Lima service through install()/uninstall(): for every flavour and every prior
// state, the plan a dry run returns is the plan a real run applies, command for
// command and file for file (the cases of core/operations_test.ts, with the preset's
// own status and plan).
import { assertEquals, assertOk } from "../tests/assert.ts";
import type { Context } from "../core/context.ts";
import type { FakeRunner, MemoryFs } from "../core/fake.ts";
import { pendingPath } from "../core/lock.ts";
import { install, uninstall } from "../core/operations.ts";
import type { Plan, WriteStep } from "../core/plan.ts";
import type { Condition } from "../core/spec.ts";
import { builtinRegistry } from "../cli/builtin_registry.ts";
import { loadPlistCodec } from "../templates/launchd_plist.ts";
import {
  ALICE,
  fakeContext,
  managedText,
  ROOT_USER,
} from "../tests/helpers.ts";
import { limaContent, limaFlavor, limaSpec } from "./lima.ts";
import { limaInstall, limaUninstall } from "./lima_install.ts";
import type { ResolvedLima } from "./lima_resolve.ts";

type Ctx = Context & { runner: FakeRunner; fs: MemoryFs };

const rootCtx = (over: Partial<Context> = {}) =>
  fakeContext({
    self: ROOT_USER,
    sudoUser: ALICE.name,
    env: { PATH: "/usr/bin:/bin", HOME: "/root" },
    ...over,
  });

/** launchd answers `print` with 113: the job is not loaded (gone after a bootout). */
function gone(ctx: Ctx): Ctx {
  ctx.runner.on(["launchctl", "print"], { code: 113 });
  return ctx;
}

const TARGETS: { driver: string; condition: Condition; context(): Ctx }[] = [
  { driver: "systemd", condition: "login", context: () => fakeContext() },
  { driver: "systemd", condition: "boot", context: () => rootCtx() },
  {
    driver: "launchd-agent",
    condition: "login",
    context: () => gone(fakeContext({ os: "darwin" })),
  },
  {
    driver: "launchd-daemon",
    condition: "boot",
    context: () => gone(rootCtx({ os: "darwin" })),
  },
];

const PRIORS = [
  "absent",
  "running",
  "stopped",
  "drifted",
  "written by limactl (adopted)",
  "boot unit under its earlier name",
  "up to date, running",
  "up to date, stopped",
] as const;

const DIR = "/home/alice/.lima/dev";

/** `lima enable dev` resolved by hand (no limactl on disk needed). */
async function resolved(
  driverId: string,
  condition: Condition,
  ctx: Context,
  stopTimeoutMs = 190_000,
): Promise<ResolvedLima> {
  const driver = builtinRegistry().get(driverId)!;
  const flavor = limaFlavor(driver);
  await driver.prepare?.(ctx);
  const codec = flavor === "systemd" ? undefined : await loadPlistCodec();
  const spec = limaSpec(flavor, {
    instance: "dev",
    limactl: "/usr/local/bin/limactl",
    instanceDir: DIR,
    path: "/usr/local/bin:/usr/bin:/bin",
    condition,
    keepAlive: "on-failure",
    runAs: ALICE,
    start: true,
    stopTimeoutMs,
  });
  return {
    spec,
    driver,
    flavor,
    limactl: "/usr/local/bin/limactl",
    home: { given: undefined, dir: "/home/alice/.lima" },
    instanceDir: DIR,
    content: limaContent(flavor, spec, DIR, codec),
  };
}

/** The command lines and file writes a plan makes, in order. */
function runs(plan: Plan): string[] {
  return plan.steps.flatMap((s) =>
    s.kind === "run" ? [...(s.when ? [s.when.argv] : []), s.argv] : []
  ).map((argv) => argv.join(" "));
}

/** Puts a file as autostart writes it: the step's mode and owner. */
function put(ctx: Ctx, path: string, content: string, like?: WriteStep) {
  ctx.fs.files.set(path, {
    content,
    mode: like?.mode ?? 0o644,
    ...(like?.owner ? { owner: like.owner } : {}),
  });
}

for (const t of TARGETS) {
  for (const prior of PRIORS) {
    const legacy = prior === "boot unit under its earlier name";
    if (legacy && !(t.driver === "systemd" && t.condition === "boot")) {
      continue;
    }
    Deno.test(`install() of a Lima service on ${t.driver} (${t.condition}), prior ${prior}: the dry-run plan is the applied plan`, async () => {
      const r = await resolved(t.driver, t.condition, t.context());
      const older = await resolved(t.driver, t.condition, t.context(), 60_000);
      const adopt = prior === "written by limactl (adopted)";
      const setUp = () => {
        const ctx = t.context();
        const fresh = limaInstall(r, ctx, { adopt }).plan();
        const writes = fresh.steps.filter((s) => s.kind === "write");
        const main = writes[0]!;
        const file = main.path;
        if (prior === "running" || prior === "stopped") {
          put(ctx, file, older.content, main);
        } else if (prior === "drifted") {
          // Edited by hand: the seal breaks.
          put(ctx, file, r.content.replace("/usr/local/bin/", "/opt/"), main);
        } else if (adopt) {
          put(ctx, file, "[Service]\nExecStart=limactl start dev\n");
        } else if (legacy) {
          put(ctx, "/etc/systemd/system/lima-vm@dev.service", managedText());
        } else if (prior.startsWith("up to date")) {
          for (const w of writes) put(ctx, w.path, w.content, w);
        }
        const hooks = limaInstall(r, ctx, { adopt });
        const running = prior === "running" || prior === "up to date, running";
        const status = async () => {
          const s = await hooks.status();
          // The init system's answer, as the prior state needs it.
          return s && {
            ...s,
            state: running ? "running" as const : "stopped" as const,
            enabled: true,
            pid: running ? 42 : null,
          };
        };
        return { ctx, hooks: { status, plan: hooks.plan } };
      };
      const sleep = () => Promise.resolve();
      const a = setUp();
      const dry = await install(a.ctx, r.driver, r.spec, {
        dryRun: true,
        force: adopt,
        ...a.hooks,
      });
      const asked = a.ctx.runner.lines();
      assertOk(
        asked.every((l) => / (show|print|print-disabled) /.test(l)),
        `a dry run only asks: ${asked.join("\n")}`,
      );
      const b = setUp();
      const done = await install(b.ctx, r.driver, r.spec, {
        force: adopt,
        sleep,
        ...b.hooks,
      });
      assertEquals(done.plan, dry.plan);
      assertEquals(done.action, dry.action);
      // What really ran after the same questions is what the dry run showed.
      const lines = b.ctx.runner.lines();
      assertEquals(lines.slice(0, asked.length), asked);
      assertEquals(lines.slice(asked.length), runs(dry.plan));
      for (const s of dry.plan.steps) {
        if (s.kind === "write") {
          assertEquals(b.ctx.fs.files.get(s.path)?.content, s.content);
        }
      }
      const expected = prior === "absent"
        ? "created"
        : prior.startsWith("up to date")
        ? "unchanged"
        : "updated";
      assertEquals(done.action, expected);
      if (prior === "up to date, running") assertEquals(done.plan.steps, []);
      if (prior === "up to date, stopped") {
        assertOk(done.startedNow);
        assertOk(!dry.plan.steps.some((s) => s.kind === "write"));
      }
      if (legacy) {
        // The unit under the earlier name is stopped and removed first.
        const all = runs(dry.plan);
        const off = all.findIndex((l) =>
          l.includes(" disable ") && l.endsWith(" lima-vm@dev.service")
        );
        const on = all.findIndex((l) => l.endsWith("lima-vm-boot@dev.service"));
        assertOk(off >= 0 && off < on, all.join("\n"));
        assertEquals(
          b.ctx.fs.files.has("/etc/systemd/system/lima-vm@dev.service"),
          false,
        );
      }
      if (adopt) assertEquals(done.result.backups.length, 1);
    });
  }
}

for (const t of TARGETS) {
  for (const prior of ["running", "stopped"] as const) {
    Deno.test(`uninstall() of a Lima service on ${t.driver} (${t.condition}), prior ${prior}: the dry-run plan is the applied plan`, async () => {
      const r = await resolved(t.driver, t.condition, t.context());
      const setUp = () => {
        const ctx = t.context();
        for (const w of limaInstall(r, ctx, { adopt: false }).plan().steps) {
          if (w.kind === "write") put(ctx, w.path, w.content, w);
        }
        const hooks = limaUninstall(r.driver, t.condition, "dev", ctx);
        const status = async () => {
          const s = await hooks.status();
          return s && {
            ...s,
            state: prior,
            enabled: true,
            pid: prior === "running" ? 42 : null,
          };
        };
        return { ctx, hooks: { status, plan: hooks.plan } };
      };
      const sleep = () => Promise.resolve();
      const a = setUp();
      const dry = await uninstall(a.ctx, r.driver, r.spec, {
        dryRun: true,
        ...a.hooks,
      });
      const asked = a.ctx.runner.lines();
      const b = setUp();
      const done = await uninstall(b.ctx, r.driver, r.spec, {
        sleep,
        ...b.hooks,
      });
      assertEquals(done.plan, dry.plan);
      const lines = b.ctx.runner.lines();
      assertEquals(lines.slice(0, asked.length), asked);
      assertEquals(lines.slice(asked.length), runs(dry.plan));
      assertOk(dry.plan.steps.length > 0);
      assertEquals(b.ctx.fs.files.has(done.before.file!), false);
    });
  }
}

Deno.test("install() of a Lima service: an interrupted run's pending marker is the unit's, not that of a service named like the instance", async () => {
  const setUp = async (pendingName: string) => {
    const ctx = fakeContext();
    const r = await resolved("systemd", "login", ctx);
    for (const w of limaInstall(r, ctx, { adopt: false }).plan().steps) {
      if (w.kind === "write") put(ctx, w.path, w.content, w);
    }
    put(ctx, pendingPath("login", ctx, "systemd", pendingName), "1\n");
    const hooks = limaInstall(r, ctx, { adopt: false });
    const status = async () => {
      const s = await hooks.status();
      return s && { ...s, state: "running" as const, enabled: true, pid: 42 };
    };
    return await install(ctx, r.driver, r.spec, {
      dryRun: true,
      status,
      plan: hooks.plan,
    });
  };
  // Left by an interrupted `lima enable dev`: redone in full.
  assertEquals((await setUp("lima-vm@dev.service")).action, "updated");
  // Left by an interrupted `autostart enable dev`: not this service's.
  assertEquals((await setUp("dev")).action, "unchanged");
});
