import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../tests/assert.ts";
import {
  ALICE,
  fakeContext,
  managedText,
  ROOT_USER,
  webSpec,
} from "../tests/helpers.ts";
import { apply } from "../core/apply.ts";
import { parseEnvFile } from "../core/env_file.ts";
import { UsageError } from "../core/errors.ts";
import {
  parseListUnits,
  parseShow,
  systemdDriver,
  toStatus,
} from "./systemd.ts";

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

Deno.test("systemdDriver.status() reads all units in one systemctl show", async () => {
  const dir = "/home/alice/.config/systemd/user";
  const ctx = fakeContext();
  for (const n of ["a", "b"]) {
    ctx.fs.files.set(`${dir}/autostart-${n}.service`, {
      content: managedText(),
      mode: 0o644,
    });
  }
  ctx.fs.files.set(`${dir}/autostart-foreign.service`, {
    content: "[Service]\n",
    mode: 0o644,
  });
  ctx.fs.files.set("/proc/uptime", { content: "1000.00 5.00\n", mode: 0o444 });
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: [
      "Id=autostart-a.service",
      "LoadState=loaded",
      "ActiveState=active",
      "SubState=running",
      "UnitFileState=enabled",
      "MainPID=42",
      "NRestarts=0",
      "ExecMainCode=0",
      "ExecMainStatus=0",
      "StateChangeTimestampMonotonic=900000000",
      "",
      "Id=autostart-b.service",
      "LoadState=loaded",
      "ActiveState=failed",
      "SubState=failed",
      "UnitFileState=enabled",
      "MainPID=0",
      "NRestarts=0",
      "ExecMainCode=1",
      "ExecMainStatus=3",
      "ExecMainPID=77",
      "",
    ].join("\n"),
  });
  const list = await systemdDriver.status("login", ctx);
  assertEquals(ctx.runner.calls.length, 1, "one call for all units");
  assertEquals(ctx.runner.calls[0]!.argv.slice(-3), [
    "--",
    "autostart-a.service",
    "autostart-b.service",
  ]);
  assertEquals(list.map((s) => [s.name, s.state, s.pid, s.lastExit]), [
    ["a", "running", 42, null],
    ["b", "failed", null, "exit 3"],
  ]);
  // Whose end lastExit is: the wait after a restart tells the replaced run by it.
  assertEquals(list.map((s) => s.exitedPid), [undefined, 77]);
  assertOk(
    list[0]!.since &&
      Math.abs(Date.now() - 100_000 - Date.parse(list[0]!.since)) < 2000,
  );
});

Deno.test("toStatus() maps systemd states to autostart states", () => {
  const base = {
    name: "x",
    condition: "login" as const,
    unit: "u",
    file: null,
    drifted: false,
  };
  const st = (p: Record<string, string>) =>
    toStatus(
      new Map(Object.entries({ LoadState: "loaded", ...p })),
      base,
      null,
      Date.now(),
    ).state;
  assertEquals(st({ LoadState: "not-found" }), "not-loaded");
  assertEquals(st({ ActiveState: "inactive", SubState: "dead" }), "stopped");
  assertEquals(
    st({ ActiveState: "activating", SubState: "auto-restart", NRestarts: "1" }),
    "starting",
  );
  assertEquals(
    st({ ActiveState: "activating", SubState: "auto-restart", NRestarts: "7" }),
    "crash-looping",
  );
  assertEquals(
    st({ ActiveState: "activating", SubState: "start", NRestarts: "7" }),
    "crash-looping",
  );
  assertEquals(
    st({ ActiveState: "activating", SubState: "start", NRestarts: "0" }),
    "starting",
  );
  assertEquals(st({ ActiveState: "failed" }), "failed");
  assertEquals(st({ ActiveState: "active", SubState: "running" }), "running");
});

Deno.test("systemdDriver.status() flags a unit edited by hand as drifted", async () => {
  const ctx = fakeContext();
  const plan = systemdDriver.plan(spec, ctx);
  await apply(plan, { runner: ctx.runner, fs: ctx.fs });
  const path = "/home/alice/.config/systemd/user/autostart-web.service";
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: "Id=autostart-web.service\nLoadState=loaded\n",
  });
  assertEquals((await systemdDriver.status("login", ctx))[0]!.drifted, false);
  const f = ctx.fs.files.get(path)!;
  f.content = f.content.replace("Restart=on-failure", "Restart=always");
  const [s] = await systemdDriver.status("login", ctx);
  assertEquals(s!.drifted, true);
  assertMatch(s!.detail, /edited by hand/);
});

Deno.test("parseShow() splits blocks on blank lines", () => {
  const blocks = parseShow("Id=a\nX=1\n\nId=b\nX=a=b\n");
  assertEquals(blocks.map((b) => Object.fromEntries(b)), [{ Id: "a", X: "1" }, {
    Id: "b",
    X: "a=b",
  }]);
});

Deno.test("systemdDriver.available() explains a missing systemd and user manager", async () => {
  const ctx = fakeContext();
  assertEquals((await systemdDriver.available(ctx, "login")).available, true);
  ctx.fs.dirs.delete("/run/user/1000/systemd/private");
  const a = await systemdDriver.available(ctx, "login");
  assertEquals(a.available, false);
  assertMatch(a.reason ?? "", /loginctl enable-linger alice/);
  ctx.fs.dirs.delete("/run/systemd/system");
  assertMatch(
    (await systemdDriver.available(ctx, "boot")).reason ?? "",
    /not running as init/,
  );
});

Deno.test("systemdDriver.advise() shows the linger command when lingering is off", async () => {
  const ctx = fakeContext();
  const notes = await systemdDriver.advise!(spec, ctx);
  assertMatch(notes.join("\n"), /sudo loginctl enable-linger alice/);
  ctx.fs.files.set("/var/lib/systemd/linger/alice", {
    content: "",
    mode: 0o644,
  });
  assertEquals(await systemdDriver.advise!(spec, ctx), []);
});

Deno.test("systemdDriver.programLine() tells the program's lines from the manager's", () => {
  assertOk(
    !systemdDriver.programLine!(
      "2024-05-01T10:00:00+0000 vm systemd[111]: Started autostart-web.service.",
    ),
  );
  assertOk(
    systemdDriver.programLine!(
      "2024-05-01T10:00:00+0000 vm sh[42]: cannot open /etc/broken.conf",
    ),
  );
});
Deno.test("systemdDriver.status() of 500 services runs one systemctl command", async () => {
  const dir = "/home/alice/.config/systemd/user";
  const ctx = fakeContext();
  for (let i = 0; i < 500; i++) {
    ctx.fs.files.set(`${dir}/autostart-s${i}.service`, {
      content: managedText(),
      mode: 0o644,
    });
  }
  ctx.runner.on(["systemctl", "--user", "show"], { stdout: "" });
  assertEquals((await systemdDriver.status("login", ctx)).length, 500);
  ctx.runner.on(["systemctl", "--user", "list-units"], { stdout: "" });
  assertEquals(
    (await systemdDriver.status("login", ctx, undefined, { fast: true }))
      .length,
    500,
  );
  assertEquals(ctx.runner.lines().map((l) => l.split(" ").slice(0, 3)), [
    ["systemctl", "--user", "show"],
    ["systemctl", "--user", "list-units"],
  ]);
});

Deno.test("systemdDriver.status({fast}) takes states from list-units, PIDs from cgroups, enabled from .wants", async () => {
  const dir = "/home/alice/.config/systemd/user";
  const ctx = fakeContext();
  const file = (path: string, content: string) =>
    ctx.fs.files.set(path, { content, mode: 0o644 });
  for (const n of ["a", "b", "c", "d"]) {
    file(`${dir}/autostart-${n}.service`, managedText());
  }
  file(`${dir}/default.target.wants/autostart-a.service`, "");
  file(`${dir}/default.target.wants/autostart-b.service`, "");
  file("/sys/fs/cgroup/cgroup.procs", "");
  file("/proc/1/cgroup", "0::/init.scope\n");
  const app =
    "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice";
  file(`${app}/autostart-a.service/cgroup.procs`, "4242\n4250\n");
  ctx.runner.on(["systemctl", "--user", "list-units"], {
    stdout: [
      "autostart-a.service loaded active   running autostart: a",
      "autostart-b.service loaded failed   failed  autostart: b",
      "autostart-c.service not-found inactive dead autostart-c.service",
      "",
    ].join("\n"),
  });
  const list = await systemdDriver.status("login", ctx, undefined, {
    fast: true,
  });
  assertEquals(ctx.runner.lines(), [
    "systemctl --user list-units --all --plain --no-legend --full -- autostart-*.service",
  ]);
  assertEquals(
    list.map((s) => [s.name, s.state, s.pid, s.enabled, s.restarts]),
    [
      ["a", "running", 4242, true, null],
      ["b", "failed", null, true, null],
      ["c", "not-loaded", null, false, null],
      ["d", "stopped", null, false, null],
    ],
  );
  // Asked by name: those units only, in the same one call.
  await systemdDriver.status("login", ctx, ["a"], { fast: true });
  assertEquals(
    ctx.runner.lines()[1],
    "systemctl --user list-units --all --plain --no-legend --full -- autostart-a.service",
  );
});

Deno.test("parseListUnits() reads plain list-units lines, with or without a bullet", () => {
  const m = parseListUnits(
    "autostart-a.service loaded active running autostart: a b\n" +
      "\u25cf autostart-b.service not-found inactive dead autostart-b.service\n\n",
  );
  assertEquals(Object.fromEntries(m), {
    "autostart-a.service": { load: "loaded", active: "active", sub: "running" },
    "autostart-b.service": {
      load: "not-found",
      active: "inactive",
      sub: "dead",
    },
  });
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
