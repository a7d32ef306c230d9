import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../../tests/assert.ts";
import {
  ALICE,
  fakeContext,
  managedText,
  ROOT_USER,
  webSpec,
} from "../../tests/helpers.ts";
import { apply } from "../../core/apply.ts";
import { parseEnvFile } from "../../core/env_file.ts";
import { UsageError } from "../../core/errors.ts";
import { systemdDriver } from "./mod.ts";

const spec = webSpec({ args: ["-m", "http.server"], env: [] });

Deno.test("systemdDriver.plan() for login writes a user unit, reloads, enables and starts", async () => {
  const ctx = fakeContext();
  const plan = systemdDriver.plan(spec, ctx);
  await apply(plan, { runner: ctx.runner, fs: ctx.fs });
  assertEquals(ctx.runner.lines(), [
    "systemctl --user daemon-reload",
    "systemctl --user enable --no-reload autostart-web.service",
    "systemctl --user reset-failed autostart-web.service",
    "systemctl --user --no-block restart autostart-web.service",
  ]);
  const file = ctx.fs.files.get(
    "/home/alice/.config/systemd/user/autostart-web.service",
  );
  assertOk(file);
  assertEquals(file.mode, 0o644);
  assertMatch(file.content, /WantedBy=default\.target/);
});

Deno.test("systemdDriver.plan() with --no-start only enables", async () => {
  const ctx = fakeContext();
  await apply(systemdDriver.plan({ ...spec, start: false }, ctx), {
    runner: ctx.runner,
    fs: ctx.fs,
  });
  assertEquals(ctx.runner.lines(), [
    "systemctl --user daemon-reload",
    "systemctl --user enable --no-reload autostart-web.service",
  ]);
});

Deno.test("systemdDriver.plan() honours XDG_CONFIG_HOME and sets XDG_RUNTIME_DIR when missing", () => {
  const ctx = fakeContext({ env: { XDG_CONFIG_HOME: "/cfg", PATH: "/bin" } });
  const plan = systemdDriver.plan(spec, ctx);
  const write = plan.steps.find((s) => s.kind === "write");
  assertEquals(write?.path, "/cfg/systemd/user/autostart-web.service");
  const run = plan.steps.find((s) => s.kind === "run");
  assertEquals(run?.kind === "run" && run.env, {
    XDG_RUNTIME_DIR: "/run/user/1000",
  });
});

Deno.test("systemdDriver.plan() for boot needs root and writes a system unit", async () => {
  assertThrows(
    () =>
      systemdDriver.plan(
        { ...spec, condition: "boot", runAs: ALICE },
        fakeContext(),
      ),
    UsageError,
  );
  const ctx = fakeContext({ self: ROOT_USER });
  await apply(
    systemdDriver.plan({ ...spec, condition: "boot", runAs: ALICE }, ctx),
    {
      runner: ctx.runner,
      fs: ctx.fs,
    },
  );
  assertEquals(ctx.runner.lines()[0], "systemctl daemon-reload");
  const unit =
    ctx.fs.files.get("/etc/systemd/system/autostart-web.service")?.content ??
      "";
  assertMatch(unit, /^User=alice$/m);
  assertMatch(unit, /^WantedBy=multi-user\.target$/m);
});

Deno.test("systemdDriver.plan() rolls back when starting fails", async () => {
  const ctx = fakeContext();
  ctx.runner.on(["systemctl", "--user", "--no-block", "restart"], {
    code: 1,
    stderr: "Job failed",
  });
  let error: unknown;
  try {
    await apply(systemdDriver.plan(spec, ctx), {
      runner: ctx.runner,
      fs: ctx.fs,
    });
  } catch (e) {
    error = e;
  }
  assertMatch(
    String(error),
    /Cannot start the service: systemctl --user --no-block restart autostart-web.service exited with code 1: Job failed/,
  );
  assertEquals(ctx.fs.files.size, 0, "unit file removed");
  assertEquals(ctx.runner.lines().slice(-2), [
    "systemctl --user disable autostart-web.service",
    "systemctl --user daemon-reload",
  ]);
});

Deno.test("systemdDriver.planDisable() stops, disables, removes and reloads", async () => {
  const path = "/home/alice/.config/systemd/user/autostart-web.service";
  const ctx = fakeContext();
  ctx.fs.files.set(path, { content: managedText(), mode: 0o644 });
  await apply(
    systemdDriver.planDisable({ name: "web", condition: "login" }, ctx),
    {
      runner: ctx.runner,
      fs: ctx.fs,
    },
  );
  assertEquals(ctx.runner.lines(), [
    "systemctl --user disable autostart-web.service",
    "systemctl --user stop autostart-web.service",
    "systemctl --user reset-failed autostart-web.service",
    "systemctl --user clean --what=runtime autostart-web.service",
    "systemctl --user daemon-reload",
  ]);
  assertEquals(ctx.fs.files.has(path), false);
});

Deno.test("systemdDriver.plan() keeps --env-file values in a 0600 copy referenced by EnvironmentFile=", async () => {
  const secret: [string, string][] = [["API_TOKEN", 's3cr"t $x\nline2']];
  const withFile = {
    ...spec,
    condition: "boot" as const,
    runAs: ALICE,
    env: [["PORT", "8080"]] as [string, string][],
    envFile: { source: "/home/alice/app.env", vars: secret },
  };
  const ctx = fakeContext({ self: ROOT_USER });
  const plan = systemdDriver.plan(withFile, ctx);
  await apply(plan, { runner: ctx.runner, fs: ctx.fs });
  const unit =
    ctx.fs.files.get("/etc/systemd/system/autostart-web.service")!.content;
  assertMatch(unit, /^Environment="PORT=8080"$/m);
  assertMatch(unit, /^EnvironmentFile=\/etc\/autostart\/env\/web\.env$/m);
  assertEquals(unit.includes("s3cr"), false);
  const copy = ctx.fs.files.get("/etc/autostart/env/web.env")!;
  assertEquals(copy.mode, 0o600);
  assertEquals(copy.owner, undefined); // root's: systemd reads it as root
  assertMatch(copy.content, /^# Managed by autostart/);
  assertEquals(parseEnvFile(copy.content, "copy"), secret);
  assertOk(plan.notes?.some((n) => n.includes("/etc/autostart/env/web.env")));
  // disable removes the copy with the unit
  const off = systemdDriver.planDisable(withFile, ctx);
  await apply(off, { runner: ctx.runner, fs: ctx.fs });
  assertEquals(ctx.fs.files.has("/etc/autostart/env/web.env"), false);
});

Deno.test("systemdDriver.plan() for login keeps the copy under ~/.config/autostart/env, and a re-enable without --env-file removes it", async () => {
  const ctx = fakeContext();
  const withFile = {
    ...spec,
    envFile: {
      source: "/home/alice/app.env",
      vars: [["A", "1"]] as [
        string,
        string,
      ][],
    },
  };
  await apply(systemdDriver.plan(withFile, ctx), {
    runner: ctx.runner,
    fs: ctx.fs,
  });
  const path = "/home/alice/.config/autostart/env/web.env";
  assertEquals(ctx.fs.files.get(path)?.mode, 0o600);
  await apply(
    systemdDriver.plan(spec, ctx, { enabled: true, running: true }),
    { runner: ctx.runner, fs: ctx.fs },
  );
  assertEquals(ctx.fs.files.has(path), false);
  const unit = ctx.fs.files.get(
    "/home/alice/.config/systemd/user/autostart-web.service",
  )!.content;
  assertEquals(unit.includes("EnvironmentFile="), false);
});

Deno.test("systemdDriver.planControl(): a start ends a crash-loop pause first; restart and stop do not need to", () => {
  const ctx = fakeContext();
  const lines = (action: "start" | "stop" | "restart") =>
    systemdDriver.planControl({ name: "web", condition: "login" }, action, ctx)
      .steps.map((s) => s.kind === "run" ? s.argv.join(" ") : s.kind);
  assertEquals(lines("start"), [
    "systemctl --user reset-failed autostart-web.service",
    "systemctl --user kill --kill-who=control --signal=SIGTERM autostart-web.service",
    "systemctl --user --no-block start autostart-web.service",
  ]);
  assertEquals(lines("restart"), [
    "systemctl --user reset-failed autostart-web.service",
    "systemctl --user --no-block restart autostart-web.service",
  ]);
  assertEquals(lines("stop"), ["systemctl --user stop autostart-web.service"]);
  // Nothing to end is the usual answer: it never fails the start.
  const kill = systemdDriver.planControl(
    { name: "web", condition: "login" },
    "start",
    ctx,
  ).steps[1]!;
  assertOk(kill.kind === "run" && kill.ignoreFailure === true);
  assertEquals(kill.kind === "run" && kill.okCodes, [1, 5]);
});

Deno.test("systemdDriver.planControl() leaves the control process of a unit autostart did not name alone", () => {
  const ctx = fakeContext();
  const plan = systemdDriver.planControl(
    {
      name: "default",
      condition: "login",
      identity: "lima-vm@default.service",
    },
    "start",
    ctx,
  );
  assertEquals(
    plan.steps.map((s) => s.kind === "run" ? s.argv.join(" ") : s.kind),
    [
      "systemctl --user reset-failed lima-vm@default.service",
      "systemctl --user --no-block start lima-vm@default.service",
    ],
  );
});
