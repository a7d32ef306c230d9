import {
  assertEquals,
  assertMatch,
  assertOk,
  assertRejects,
  assertThrows,
} from "../../tests/assert.ts";
import { ALICE, fakeContext, ROOT_USER, runCli } from "../../tests/helpers.ts";
import { apply } from "../../core/apply.ts";
import { UsageError } from "../../core/errors.ts";
import { MemoryFs } from "../../core/fake.ts";
import { openrcDriver } from "./mod.ts";
import { OPENRC_SPEC as spec } from "../../templates/_testing.ts";

Deno.test("openrcDriver declines on-failure and login, naming the drivers that can", async () => {
  assertEquals(openrcDriver.keepAlive.includes("on-failure"), false);
  const fs = new MemoryFs({ "/run/openrc/softlevel": "default\n" });
  const ctx = fakeContext({ self: ROOT_USER, sudoUser: "alice", fs });
  const r = await runCli(
    ["enable", "web", "--driver=openrc", "--condition=boot", "--", "/bin/sh"],
    ctx,
  );
  assertEquals(r.code, 3);
  assertMatch(r.stderr, /Keep-alive "on-failure" is not supported by openrc/);
  assertMatch(r.stderr, /drivers that can: systemd, runit/);
  const l = await runCli(
    [
      "enable",
      "web",
      "--driver=openrc",
      "--keep-alive=always",
      "--",
      "/bin/sh",
    ],
    fakeContext({ fs }),
  );
  assertEquals(l.code, 3);
  assertMatch(l.stderr, /Condition "login" is not supported by openrc/);
  const ok = await runCli(
    [
      "enable",
      "web",
      "--driver=openrc",
      "--condition=boot",
      "--keep-alive=always",
      "--",
      "/bin/sh",
    ],
    ctx,
  );
  assertEquals(ok.code, 0, ok.stderr);
  // (then the wait reads the state with rc-status)
  assertEquals(
    ctx.runner.lines().filter((l) => !l.startsWith("rc-status")).slice(-2),
    [
      "rc-update add autostart-web default",
      "rc-service autostart-web restart",
    ],
  );
});

Deno.test("openrcDriver plans: enable rolls back, disable removes, control uses rc-service", async () => {
  const ctx = fakeContext({ self: ROOT_USER });
  ctx.runner.on(["rc-service", "autostart-web", "restart"], {
    code: 1,
    stderr: "ERROR: autostart-web failed to start",
  });
  let error = "";
  await apply(openrcDriver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs })
    .catch((e) => error = String(e));
  assertMatch(
    error,
    /Cannot start the service: rc-service autostart-web restart/,
  );
  assertEquals(ctx.fs.files.has("/etc/init.d/autostart-web"), false);
  assertEquals(ctx.runner.lines().slice(-1), [
    "rc-update del autostart-web default",
  ]);

  const ok = fakeContext({ self: ROOT_USER });
  await apply(openrcDriver.plan(spec, ok), { runner: ok.runner, fs: ok.fs });
  assertEquals(ok.fs.files.get("/etc/init.d/autostart-web")?.mode, 0o755);
  assertOk(ok.fs.dirs.has("/var/log/autostart"));
  ok.runner.calls.length = 0;
  await apply(
    openrcDriver.planDisable({ name: "web", condition: "boot" }, ok),
    { runner: ok.runner, fs: ok.fs },
  );
  assertEquals(ok.runner.lines(), [
    "rc-update del autostart-web default",
    "rc-service autostart-web stop",
  ]);
  assertEquals(ok.fs.files.has("/etc/init.d/autostart-web"), false);
  assertEquals(
    openrcDriver.planControl({ name: "web", condition: "boot" }, "restart", ok)
      .steps.map((s) => s.kind === "run" ? s.argv.join(" ") : s.kind),
    ["rc-service autostart-web restart"],
  );
  assertThrows(() => openrcDriver.plan(spec, fakeContext()), UsageError);
});

Deno.test("openrcDriver.plan(): the service user gets its own log directory; /var/log/autostart stays root's", async () => {
  // start-stop-daemon and supervise-daemon open output_log after switching to
  // command_user (OpenRC src/start-stop-daemon: setuid, then open).
  const ctx = fakeContext({ self: ROOT_USER });
  const alice = { ...spec, runAs: ALICE };
  const mkdir = openrcDriver.plan(alice, ctx).steps.find((s) =>
    s.kind === "mkdir" && s.path.startsWith("/var/log")
  );
  assertEquals(mkdir, {
    kind: "mkdir",
    path: "/var/log/autostart/web",
    owner: { uid: ALICE.uid, gid: ALICE.gid },
    secure: true,
  });
  await apply(openrcDriver.plan(alice, ctx), {
    runner: ctx.runner,
    fs: ctx.fs,
  });
  assertEquals((await ctx.fs.stat("/var/log/autostart"))?.uid, 0);
  assertEquals((await ctx.fs.stat("/var/log/autostart/web"))?.uid, ALICE.uid);
  // a shared log root a user took over (an older autostart gave it away) is refused
  const old = fakeContext({ self: ROOT_USER });
  old.fs.setInfo("/var/log/autostart", { uid: ALICE.uid, gid: ALICE.gid });
  await assertRejects(
    () =>
      apply(openrcDriver.plan({ ...alice, name: "api" }, old), {
        runner: old.runner,
        fs: old.fs,
      }),
    /\/var\/log\/autostart .*owned by uid 1000, not root/,
  );
});

Deno.test("openrcDriver.plan() says supervise-daemon cannot back off, instead of dropping the cap", () => {
  const ctx = fakeContext({ self: ROOT_USER });
  const withCap = openrcDriver.plan(
    { ...spec, restartMaxDelayMs: 60_000 },
    ctx,
  );
  assertMatch(
    withCap.notes?.join("\n") ?? "",
    /supervise-daemon has no backoff: "web" is restarted every \d+s/,
  );
  assertEquals(openrcDriver.plan(spec, ctx).notes, undefined);
});

Deno.test("openrcDriver.plan() keeps the env-file note beside the backoff note", () => {
  const ctx = fakeContext({ self: ROOT_USER });
  const plan = openrcDriver.plan({
    ...spec,
    restartMaxDelayMs: 60_000,
    envFile: { source: "/root/app.env", vars: [["API_TOKEN", "x"]] },
  }, ctx);
  const notes = plan.notes?.join("\n") ?? "";
  assertMatch(notes, /\/etc\/autostart\/env\/web\.env \(mode 0600/);
  assertMatch(notes, /supervise-daemon has no backoff/);
});
