import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { fakeContext, managedText, webSpec } from "../../tests/helpers.ts";
import { apply } from "../../core/apply.ts";
import { systemdDriver } from "./mod.ts";
import { parseListUnits } from "./status.ts";

const spec = webSpec({ args: ["-m", "http.server"], env: [] });

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

Deno.test("systemdDriver.statusOf() answers one status per ref, in order, under its identity, whoever wrote the file", async () => {
  const ctx = fakeContext();
  const userDir = "/home/alice/.config/systemd/user";
  // limactl's own unit: no marker, still answered (status() would skip it).
  ctx.fs.files.set(`${userDir}/lima-vm@dev.service`, {
    content: "[Service]\nExecStart=/bin/true\n",
    mode: 0o644,
  });
  const show = (id: string, active: string, sub: string) =>
    [
      `Id=${id}`,
      "LoadState=loaded",
      `ActiveState=${active}`,
      `SubState=${sub}`,
      "UnitFileState=enabled",
      "MainPID=0",
      "",
    ].join("\n") + "\n";
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: show("lima-vm@dev.service", "active", "running"),
  });
  ctx.runner.on(["systemctl", "show"], {
    stdout: show("lima-vm-web.service", "failed", "failed") +
      show("autostart-x.service", "inactive", "dead"),
  });
  const list = await systemdDriver.statusOf!([
    { name: "web", condition: "boot", identity: "lima-vm-web.service" },
    { name: "dev", condition: "login", identity: "lima-vm@dev.service" },
    { name: "x", condition: "boot" },
  ], ctx);
  assertEquals(
    list.map((s) => [s.name, s.condition, s.unit, s.file, s.state]),
    [
      ["web", "boot", "lima-vm-web.service", null, "failed"],
      [
        "dev",
        "login",
        "lima-vm@dev.service",
        `${userDir}/lima-vm@dev.service`,
        "running",
      ],
      ["x", "boot", "autostart-x.service", null, "stopped"],
    ],
  );
  const shows = ctx.runner.calls.filter((c) => c.argv.includes("show"));
  assertEquals(shows.length, 2, "one systemctl show per condition");
  // status() by name never answers for a file this tool did not write.
  assertEquals(await systemdDriver.status("login", ctx), []);
});
