import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../../tests/assert.ts";
import { ALICE, fakeContext, ROOT_USER, runCli } from "../../tests/helpers.ts";
import { apply } from "../../core/apply.ts";
import type { Context } from "../../core/context.ts";
import { UsageError } from "../../core/errors.ts";
import { FakeRunner, type MemoryFs } from "../../core/fake.ts";
import { describePlan, type Plan } from "../../core/plan.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import { builtinRegistry } from "../../cli/builtin_registry.ts";
import { runitDriver } from "./mod.ts";
import { runitContext, spec } from "./_testing.ts";

Deno.test("runitDriver.plan() writes the service directory and links it (fresh)", async () => {
  const ctx = runitContext();
  const plan = runitDriver.plan(spec, ctx);
  await apply(plan, { runner: ctx.runner, fs: ctx.fs });
  assertEquals(ctx.runner.lines(), [
    "ln -s /etc/sv/autostart-web /etc/service/autostart-web",
  ]);
  const f = ctx.fs.files.get("/etc/sv/autostart-web/run");
  assertOk(f);
  assertEquals(f.mode, 0o755);
  assertEquals(ctx.fs.files.get("/etc/sv/autostart-web/finish")?.mode, 0o755);
  assertEquals(
    ctx.fs.files.get("/etc/sv/autostart-web/log/run")?.mode,
    0o755,
  );
  assertEquals(ctx.fs.files.has("/etc/sv/autostart-web/down"), false);
  assertOk(ctx.fs.dirs.has("/var/log/autostart/web"));
});

Deno.test("runitDriver.plan() --no-start writes a down file and says so", () => {
  const ctx = runitContext();
  const plan = runitDriver.plan({ ...spec, start: false }, ctx);
  assertMatch(describePlan(plan), /write \/etc\/sv\/autostart-web\/down/);
  assertMatch(plan.notes!.join("\n"), /will not start "web"/);
});

Deno.test("runitDriver.plan() of a running service rewrites the files and restarts it", async () => {
  const ctx = runitContext();
  await apply(
    runitDriver.plan(spec, ctx, { enabled: true, running: true }),
    { runner: ctx.runner, fs: ctx.fs },
  );
  assertEquals(ctx.runner.lines(), [
    "sv -w 10 force-stop /etc/sv/autostart-web",
    "sv up /etc/sv/autostart-web",
  ]);
});

Deno.test("runitDriver.plan() for boot needs root; login uses the user's directories", () => {
  assertThrows(
    () => runitDriver.plan(spec, runitContext({ self: ALICE })),
    UsageError,
  );
  const ctx = fakeContext();
  const plan = runitDriver.plan(
    { ...spec, condition: "login", runAs: undefined } as ServiceSpec,
    ctx,
  );
  const text = describePlan(plan);
  assertMatch(
    text,
    /write \/home\/alice\/\.local\/share\/autostart\/runit\/autostart-web\/run/,
  );
  assertMatch(text, /\/home\/alice\/service\/autostart-web/);
  assertMatch(text, /\/home\/alice\/\.local\/state\/autostart\/log\/web/);
});

Deno.test("runitDriver honours SVDIR and AUTOSTART_RUNIT_SV_DIR", () => {
  const ctx = runitContext({
    env: {
      PATH: "/usr/bin",
      SVDIR: "/tmp/svc/",
      AUTOSTART_RUNIT_SV_DIR: "/tmp/stage",
    },
  });
  const run = runitDriver.plan(spec, ctx).steps.find((s) => s.kind === "run");
  assertEquals(
    run?.kind === "run" && run.argv,
    ["ln", "-s", "/tmp/stage/autostart-web", "/tmp/svc/autostart-web"],
  );
});

Deno.test("runitDriver.planDisable() unlinks, stops runsv, removes the files it wrote and the emptied directories", async () => {
  const ctx = runitContext();
  await apply(runitDriver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs });
  ctx.runner.calls.length = 0;
  await apply(
    runitDriver.planDisable({ name: "web", condition: "boot" }, ctx),
    { runner: ctx.runner, fs: ctx.fs },
  );
  assertEquals(ctx.runner.lines(), [
    "rm -f /etc/service/autostart-web",
    "sv -w 10 force-shutdown /etc/sv/autostart-web",
    "rm -rf -- /etc/sv/autostart-web/supervise /etc/sv/autostart-web/log/supervise",
    "rmdir -- /etc/sv/autostart-web/log",
    "rmdir -- /etc/sv/autostart-web",
  ]);
  assertEquals(
    Object.keys(ctx.fs.snapshot()).filter((p) => p.startsWith("/etc/sv")),
    [],
  );
});

Deno.test("runitDriver.planDisable() keeps a backup and the user's files in the service directory", async () => {
  const ctx = runitContext();
  await apply(runitDriver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs });
  ctx.fs.files.set("/etc/sv/autostart-web/notes.txt", {
    content: "mine",
    mode: 0o644,
  });
  // a hand edit of run: backed up before removal
  const run = ctx.fs.files.get("/etc/sv/autostart-web/run")!;
  run.content = run.content.replace("exec 2>&1", "exec 2>&1\necho edited");
  const r = await apply(
    runitDriver.planDisable({ name: "web", condition: "boot" }, ctx),
    { runner: ctx.runner, fs: ctx.fs },
  );
  assertEquals(r.backups, ["/etc/sv/autostart-web/run.autostart-backup"]);
  assertEquals(
    Object.keys(ctx.fs.snapshot()).filter((p) => p.startsWith("/etc/sv")),
    [
      "/etc/sv/autostart-web/notes.txt",
      "/etc/sv/autostart-web/run.autostart-backup",
    ],
  );
  assertEquals(
    ctx.runner.lines().some((l) => l === "rm -rf -- /etc/sv/autostart-web"),
    false,
  );
});

Deno.test("runitDriver.planControl() maps start/stop/restart to sv", () => {
  const ctx = runitContext();
  const ref = { name: "web", condition: "boot" as const };
  const lines = (a: "start" | "stop" | "restart") =>
    runitDriver.planControl(ref, a, ctx).steps.map((s) =>
      s.kind === "run" ? s.argv.join(" ") : `${s.kind} ${s.path}`
    );
  assertEquals(lines("stop"), ["sv -w 10 force-stop /etc/sv/autostart-web"]);
  assertEquals(lines("start"), [
    "remove /etc/sv/autostart-web/down",
    "sv up /etc/sv/autostart-web",
  ]);
  assertEquals(lines("restart"), [
    "remove /etc/sv/autostart-web/down",
    "sv -w 10 force-stop /etc/sv/autostart-web",
    "sv up /etc/sv/autostart-web",
  ]);
});

/**
 * A model of the link and runsv state behind the runner, so a rollback can be checked:
 * `ln -s` / `ln -sfn` create the link, `rm -f` removes it, `rm -rf` removes files.
 */
function modelRunner(fs: MemoryFs, failAt: string | null) {
  const links = new Set<string>();
  const runner = new FakeRunner([{
    match: () => true,
    result: (argv) => {
      const line = argv.join(" ");
      if (line === failAt) return { code: 1, stderr: "injected failure" };
      if (argv[0] === "ln") links.add(argv[argv.length - 1]!);
      if (argv[0] === "rm" && argv[1] === "-f") links.delete(argv[2]!);
      if (argv[0] === "rm" && argv[1] === "-rf") {
        const dir = argv[3]!;
        for (const p of [...fs.files.keys()]) {
          if (p.startsWith(dir + "/")) fs.files.delete(p);
        }
        for (const d of [...fs.dirs]) {
          if (d === dir || d.startsWith(dir + "/")) fs.dirs.delete(d);
        }
      }
      return { code: 0 };
    },
  }]);
  return { runner, links };
}

function stepKey(s: Plan["steps"][number]): string {
  return s.kind === "run" ? s.argv.join(" ") : `${s.kind} ${s.path}`;
}

Deno.test("runit enable and disable roll back completely when any step fails", async () => {
  const cases: {
    what: string;
    plan: (ctx: Context) => Plan;
    prior: boolean;
  }[] = [
    { what: "enable", plan: (c) => runitDriver.plan(spec, c), prior: false },
    {
      what: "re-enable",
      plan: (c) =>
        runitDriver.plan({ ...spec, args: ["x"] }, c, {
          enabled: true,
          running: true,
        }),
      prior: true,
    },
    {
      what: "disable",
      plan: (c) =>
        runitDriver.planDisable({ name: "web", condition: "boot" }, c),
      prior: true,
    },
  ];
  let checked = 0;
  for (const k of cases) {
    const steps = k.plan(runitContext()).steps;
    for (const step of steps) {
      const ctx = runitContext();
      const { runner, links } = modelRunner(ctx.fs, null);
      if (k.prior) {
        await apply(runitDriver.plan(spec, ctx), { runner, fs: ctx.fs });
      }
      const before = JSON.stringify([
        ctx.fs.snapshot(),
        [...ctx.fs.dirs].sort(),
        [...links].sort(),
      ]);
      const key = stepKey(step);
      const failing = modelRunner(ctx.fs, step.kind === "run" ? key : null);
      for (const l of links) failing.links.add(l);
      ctx.fs.failOn = step.kind === "run"
        ? undefined
        : (op, path) => path === step.path && op !== "read";
      let failed = false;
      try {
        await apply(k.plan(ctx), { runner: failing.runner, fs: ctx.fs });
      } catch {
        failed = true;
      }
      ctx.fs.failOn = undefined;
      if (!failed) continue; // a step that cannot fail (e.g. removing a missing file)
      const after = JSON.stringify([
        ctx.fs.snapshot(),
        [...ctx.fs.dirs].sort(),
        [...failing.links].sort(),
      ]);
      assertEquals(after, before, `${k.what}: failure at "${key}"`);
      checked++;
    }
  }
  assertOk(checked >= 10, `${checked} failure points checked`);
});

Deno.test("enable --driver=runit through the CLI, and exit 3 where runit is not running", async () => {
  const ctx = runitContext({ sudoUser: "alice" });
  const r = await runCli(
    ["enable", "web", "--driver=runit", "--condition=boot", "--", "/bin/sh"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /Enabled "web" \(runit/);
  const off = runitContext({ sudoUser: "alice" });
  off.fs.files.delete("/proc/1/cmdline");
  const r3 = await runCli(
    ["enable", "web", "--driver=runit", "--condition=boot", "--", "/bin/sh"],
    off,
  );
  assertEquals(r3.code, 3);
  assertMatch(r3.stderr, /Driver runit is not available here: no runsvdir/);
  assertOk(builtinRegistry().get("runit"));
});

Deno.test("runitDriver.plan() writes the env-file copy 0600, owned by the user the run script switches to", () => {
  const ctx = fakeContext({ self: ROOT_USER });
  const plan = runitDriver.plan({
    ...spec,
    condition: "boot",
    runAs: ALICE,
    envFile: { source: "/root/app.env", vars: [["API_TOKEN", "x"]] },
  }, ctx);
  const copy = plan.steps.find((s) =>
    s.kind === "write" && s.path === "/etc/autostart/env/web.env"
  );
  assertOk(copy?.kind === "write");
  assertEquals(copy.mode, 0o600);
  assertEquals(copy.owner, { uid: ALICE.uid, gid: ALICE.gid });
  // The service's own file comes first: enable names the first file it writes.
  const run = plan.steps.find((s) => s.kind === "write");
  assertEquals(run?.path, "/etc/sv/autostart-web/run");
  assertOk(run?.kind === "write" && !run.content.includes("API_TOKEN"));
  const off = runitDriver.planDisable({ name: "web", condition: "boot" }, ctx);
  assertOk(
    off.steps.some((s) =>
      s.kind === "remove" && s.path === "/etc/autostart/env/web.env"
    ),
  );
});
