import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import {
  ALICE,
  fakeContext,
  managedPlist,
  managedText,
  ROOT_USER,
  runCli,
} from "../../tests/helpers.ts";
import { MemoryFs } from "../../core/fake.ts";
import { type LimaMachine, limaMachine } from "../../tests/lima_machine.ts";

Deno.test("lima: misuse exits 2 and runs nothing", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  for (
    const argv of [
      ["lima"],
      ["lima", "frob"],
      ["lima", "enable"],
      ["lima", "enable", "a", "b"],
      ["lima", "enable", "../x"],
      ["lima", "enable", "default", "--condition=sometimes"],
      ["lima", "enable", "default", "--keep-alive=maybe"],
      ["lima", "enable", "default", "--timeout=soon"],
      ["lima", "enable", "default", "--user=bob"],
      ["lima", "disable"],
      ["lima", "status", "a", "b"],
    ]
  ) {
    const r = await runCli(argv, ctx);
    assertEquals(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assertMatch(r.stderr, /^error: /);
  }
  assertEquals(ctx.runner.calls, []);
  assertEquals(ctx.fs.snapshot(), {});
});

Deno.test("lima enable (systemd, login): Lima's user unit, then reload, enable, restart", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  ctx.runner.on(["systemctl", "--user", "show"], { stdout: "" });
  const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
  assertEquals(r.code, 0, r.stderr);
  const unit = "lima-vm@default.service";
  assertEquals(ctx.runner.lines().filter((l) => !l.includes(" show ")), [
    "systemctl --user daemon-reload",
    `systemctl --user enable --no-reload ${unit}`,
    `systemctl --user reset-failed ${unit}`,
    `systemctl --user --no-block restart ${unit}`,
  ]);
  const text = ctx.fs.files.get(`/home/alice/.config/systemd/user/${unit}`)!
    .content;
  assertMatch(
    text,
    new RegExp(`^ExecStart=${t.bin}/limactl start %i --foreground$`, "m"),
  );
  assertMatch(text, new RegExp(`^Environment="LIMA_HOME=${t.home}"$`, "m"));
  assertMatch(
    r.stdout,
    /Enabled Lima instance "default" \(systemd, lima-vm@default\.service/,
  );
});

Deno.test("lima enable (systemd, boot) under sudo: a system unit with User= of the sudo user", async () => {
  const t = limaMachine();
  const ctx = fakeContext({
    self: ROOT_USER,
    sudoUser: "alice",
    env: { ...t.env, HOME: "/root", SUDO_USER: "alice" },
    fs: t.machine(),
  });
  const r = await runCli(
    ["lima", "enable", "dev", "--condition=boot", "--no-wait", "--json"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assertEquals(
    [doc.unit, doc.file, doc.condition, doc.instanceDir],
    [
      "lima-vm-boot@dev.service",
      "/etc/systemd/system/lima-vm-boot@dev.service",
      "boot",
      `${t.home}/dev`,
    ],
  );
  const text = ctx.fs.files.get(doc.file)!.content;
  assertMatch(text, /^User=alice$/m);
  assertMatch(text, /^WantedBy=multi-user\.target$/m);
  assertOk(
    ctx.runner.lines().includes(
      "systemctl --no-block restart lima-vm-boot@dev.service",
    ),
  );
});

Deno.test("lima enable --dry-run prints the plan and changes nothing", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  const r = await runCli(["lima", "enable", "default", "--dry-run"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /^# dry run: systemd would do this for Lima instance "default"/,
  );
  assertMatch(
    r.stdout,
    /write \/home\/alice\/\.config\/systemd\/user\/lima-vm@default\.service/,
  );
  // It reads the service's state to plan from it, as a real run does; it changes
  // nothing.
  assertEquals(
    ctx.runner.lines().filter((l) => !/^systemctl --user show /.test(l)),
    [],
  );
  assertEquals(ctx.fs.snapshot(), {});
});

Deno.test("lima enable rolls back when starting fails", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  ctx.runner.on(["systemctl", "--user", "--no-block", "restart"], {
    code: 1,
    stderr: "Job failed",
  });
  const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
  assertEquals(r.code, 1);
  assertMatch(
    r.stderr,
    /Cannot start the service: systemctl --user --no-block restart lima-vm@default\.service exited with code 1: Job failed/,
  );
  assertEquals(ctx.fs.snapshot(), {});
  assertOk(
    ctx.runner.lines().includes(
      "systemctl --user disable lima-vm@default.service",
    ),
  );
});

Deno.test("lima disable of an instance without a service exits 1 and says so", async () => {
  const ctx = fakeContext({ fs: new MemoryFs() });
  const r = await runCli(["lima", "disable", "default"], ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /Lima instance "default" has no service to disable/);
});

Deno.test("lima on a platform without a driver exits 3", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ os: "windows", env: t.env, fs: t.machine() });
  const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
  assertEquals(r.code, 3, r.stderr);
  assertMatch(
    r.stderr,
    /Lima preset cannot use the unsupported driver|does not support windows|no driver/,
  );
});

Deno.test("lima list runs lima status; a misspelt subcommand gets a suggestion", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  const status = await runCli(["lima", "status", "--json"], ctx);
  const list = await runCli(["lima", "list", "--json"], ctx);
  assertEquals(list.code, 0, list.stderr);
  assertEquals(list.stdout, status.stdout);
  const bad = await runCli(["lima", "list", "--jsn"], ctx);
  assertEquals(bad.code, 2);
  assertMatch(
    bad.stderr,
    /for lima status\n.*see: autostart lima status --help/,
  );
  const typo = await runCli(["lima", "stauts"], ctx);
  assertEquals(typo.code, 2);
  assertMatch(typo.stderr, /did you mean "lima status"\?/);
});

Deno.test("lima status lists every instance with both conditions", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  const r = await runCli(["lima", "status", "--json"], ctx);
  assertEquals(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assertEquals(doc.instances.map((i: { instance: string }) => i.instance), [
    "default",
    "dev",
  ]);
  assertEquals(
    doc.instances[0].services.map((s: { condition: string; owner: null }) => [
      s.condition,
      s.owner,
    ]),
    [["login", null], ["boot", null]],
  );
  const unknown = await runCli(["lima", "status", "nope"], ctx);
  assertEquals(unknown.code, 2);
  assertMatch(unknown.stderr, /existing instances: default, dev/);
});

Deno.test("lima disable without sudo refuses before touching anything when a boot service exists", async () => {
  const login = "/home/alice/.config/systemd/user/lima-vm@default.service";
  const boot = "/etc/systemd/system/lima-vm@default.service";
  const fs = new MemoryFs({
    [login]: managedText(),
    [boot]: managedText(),
  });
  const ctx = fakeContext({ fs });
  const r = await runCli(["lima", "disable", "default"], ctx);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /needs root/);
  assertEquals(Object.keys(fs.snapshot()).sort(), [boot, login]);
  assertEquals(
    ctx.runner.lines().filter((l) => !l.includes(" show ")),
    [],
  );
  const one = await runCli(
    ["lima", "disable", "default", "--condition=login"],
    ctx,
  );
  assertEquals(one.code, 0, one.stderr);
  assertEquals(Object.keys(fs.snapshot()), [boot]);
});

Deno.test("lima enable --keep-alive=always exits 2 saying why, and runs nothing", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  const r = await runCli(
    ["lima", "enable", "default", "--keep-alive=always"],
    ctx,
  );
  assertEquals(r.code, 2, r.stderr);
  assertMatch(
    r.stderr,
    /Keep-alive "always" cannot be used for a Lima VM: "limactl stop" ends the VM's host agent with exit code 0/,
  );
  assertMatch(r.stderr, /hint: use --keep-alive \(= on-failure/);
  assertEquals(ctx.runner.calls, []);
  assertEquals(ctx.fs.snapshot(), {});
});

Deno.test("lima enable --stop-timeout replaces the 3m10s default; a bad one exits 2", async () => {
  const t = limaMachine();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  const dflt = await runCli(["lima", "enable", "default", "--dry-run"], ctx);
  assertMatch(dflt.stdout, /^ {4}TimeoutStopSec=190s$/m);
  const r = await runCli(
    ["lima", "enable", "default", "--stop-timeout=5m", "--dry-run"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /^ {4}TimeoutStopSec=300s$/m);
  const bad = await runCli(
    ["lima", "enable", "default", "--stop-timeout=0"],
    ctx,
  );
  assertEquals(bad.code, 2, bad.stderr);
  assertMatch(bad.stderr, /for --stop-timeout: at least 1s/);
  assertEquals(ctx.fs.snapshot(), {});
});

/** A context whose instance "default" has a live host agent with pid 4242. */
function withHostAgent(
  t: LimaMachine,
  mainPid: number | null,
) {
  const dir = `${t.home}/default`;
  const fs = t.machine(new MemoryFs({ [`${dir}/ha.pid`]: "4242\n" }));
  const ctx = fakeContext({ env: t.env, fs });
  ctx.runner.on(["ps", "-o", "comm=", "-p", "4242"], { stdout: "limactl\n" });
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: mainPid === null ? "" : [
      "Id=lima-vm@default.service",
      "LoadState=loaded",
      "ActiveState=active",
      "SubState=running",
      "UnitFileState=enabled",
      `MainPID=${mainPid}`,
      "",
    ].join("\n"),
  });
  return ctx;
}

Deno.test("lima enable of a VM running outside autostart exits 1, writes nothing and says how to hand it over", async () => {
  const t = limaMachine();
  const ctx = withHostAgent(t, null);
  const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
  assertEquals(r.code, 1, r.stderr);
  assertMatch(
    r.stderr,
    /Lima instance "default" is already running outside autostart \(host agent pid 4242, limactl\): nothing changed/,
  );
  assertMatch(
    r.stderr,
    /hint: hand it over: limactl stop default && autostart lima enable default; or keep it running as it is and let autostart start it from the next login: autostart lima enable default --no-start/,
  );
  assertEquals(Object.keys(ctx.fs.snapshot()), [
    `${t.home}/default/ha.pid`,
  ]);
  assertEquals(
    ctx.runner.lines().filter((l) => !/ show |^ps /.test(l)),
    [],
    "nothing was started",
  );
  // --no-start installs it and says the VM runs outside until then.
  const later = await runCli(
    ["lima", "enable", "default", "--no-start"],
    ctx,
  );
  assertEquals(later.code, 0, later.stderr);
  assertMatch(
    later.stdout,
    /note: "default" is running outside autostart now \(host agent pid 4242\); the service takes it over from the next login, or now after: limactl stop default && autostart lima enable default/,
  );
});

Deno.test("lima enable of a VM its own service runs is not refused", async () => {
  const t = limaMachine();
  const ctx = withHostAgent(t, 4242);
  const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
  assertEquals(r.code, 0, r.stderr);
});

Deno.test("lima enable --condition=boot replaces the boot unit earlier versions named lima-vm@", async () => {
  const t = limaMachine();
  const legacy = "/etc/systemd/system/lima-vm@dev.service";
  const fs = t.machine(new MemoryFs({ [legacy]: managedText("[Unit]\n") }));
  const ctx = fakeContext({
    self: ROOT_USER,
    sudoUser: "alice",
    env: { ...t.env, HOME: "/root", SUDO_USER: "alice" },
    fs,
  });
  const s = await runCli(["lima", "status", "dev", "--json"], ctx);
  const boot = JSON.parse(s.stdout).instances[0].services[1];
  assertEquals([boot.unit, boot.file], ["lima-vm@dev.service", legacy]);
  assertMatch(
    (await runCli(["lima", "status", "dev"], ctx)).stdout,
    /note: the name earlier versions gave the boot unit, under which "limactl stop" fails; rename it: sudo autostart lima enable dev --condition=boot/,
  );
  const r = await runCli(
    ["lima", "enable", "dev", "--condition=boot", "--no-wait"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /replaced \/etc\/systemd\/system\/lima-vm@dev\.service/,
  );
  assertEquals(Object.keys(fs.snapshot()), [
    "/etc/systemd/system/lima-vm-boot@dev.service",
  ]);
  const lines = ctx.runner.lines().filter((l) => !l.includes(" show "));
  const off = lines.findIndex((l) =>
    l.includes("disable") && l.includes("lima-vm@dev.service")
  );
  const on = lines.findIndex((l) =>
    l.includes("restart lima-vm-boot@dev.service")
  );
  assertOk(off >= 0 && on > off, lines.join("\n"));
});

Deno.test('lima status on macOS: a LaunchDaemon is never "registered" for limactl', async () => {
  const t = limaMachine();
  const daemon = "/Library/LaunchDaemons/io.lima-vm.daemon.default.plist";
  const fs = t.machine(
    new MemoryFs({
      [daemon]: managedPlist("io.lima-vm.daemon.default"),
    }),
  );
  const ctx = fakeContext({
    os: "darwin",
    env: { ...t.env, HOME: "/Users/alice" },
    self: { ...ALICE, home: "/Users/alice", uid: 501 },
    fs,
  });
  const j = await runCli(["lima", "status", "default", "--json"], ctx);
  assertEquals(j.code, 0, j.stderr);
  const boot = JSON.parse(j.stdout).instances[0].services.find((
    x: { condition: string },
  ) => x.condition === "boot");
  assertEquals([boot.owner, boot.limaRegistered], ["autostart", false]);
  const human = await runCli(["lima", "status", "default"], ctx);
  assertMatch(
    human.stdout,
    /boot .*io\.lima-vm\.daemon\.default .*limactl: counts only login services as registered/,
  );
  assertOk(!/boot .*limactl: registered/.test(human.stdout), human.stdout);
});

Deno.test("lima enable --condition=boot of a VM its login service runs names that service and the way over", async () => {
  const t = limaMachine();
  const dir = `${t.home}/default`;
  const fs = t.machine(
    new MemoryFs({
      [`${dir}/ha.pid`]: "4242\n",
      "/proc/4242/cgroup":
        "0::/user.slice/user-1000.slice/user@1000.service/app.slice/lima-vm@default.service\n",
    }),
  );
  const ctx = fakeContext({
    self: ROOT_USER,
    sudoUser: "alice",
    env: { ...t.env, HOME: "/root", SUDO_USER: "alice" },
    fs,
  });
  ctx.runner.on(["ps", "-o", "comm=", "-p", "4242"], {
    stdout: "/usr/local/bin/limactl\n",
  });
  const r = await runCli(
    ["lima", "enable", "default", "--condition=boot", "--no-wait"],
    ctx,
  );
  assertEquals(r.code, 1, r.stderr);
  assertMatch(
    r.stderr,
    /Lima instance "default" is already running in its login service lima-vm@default\.service \(host agent pid 4242, limactl\): nothing changed/,
  );
  assertMatch(
    r.stderr,
    /hand it over: as alice \(without sudo\): autostart lima disable default --condition=login; then: sudo autostart lima enable default --condition=boot/,
  );
  assertEquals(Object.keys(fs.snapshot()).length, 2, "nothing written");
});

Deno.test("lima disable removes a boot unit earlier versions named lima-vm@", async () => {
  const t = limaMachine();
  const legacy = "/etc/systemd/system/lima-vm@dev.service";
  const fs = t.machine(new MemoryFs({ [legacy]: managedText("[Unit]\n") }));
  const ctx = fakeContext({
    self: ROOT_USER,
    sudoUser: "alice",
    env: { ...t.env, HOME: "/root", SUDO_USER: "alice" },
    fs,
  });
  const r = await runCli(
    ["lima", "disable", "dev", "--condition=boot"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertEquals(fs.snapshot(), {});
  assertOk(
    ctx.runner.lines().some((l) =>
      l.includes("disable") && l.endsWith("lima-vm@dev.service")
    ),
    ctx.runner.lines().join("\n"),
  );
});

Deno.test("lima enable --condition=boot from a root shell exits 2: limactl refuses to run as root", async () => {
  const t = limaMachine();
  const ctx = fakeContext({
    self: ROOT_USER,
    sudoUser: "root",
    env: { ...t.env, HOME: "/root", SUDO_USER: "root" },
    fs: t.machine(),
  });
  const r = await runCli(
    ["lima", "enable", "default", "--condition=boot"],
    ctx,
  );
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /limactl refuses to run as the root user/);
  assertEquals(ctx.fs.snapshot(), {});
  assertEquals(ctx.runner.calls, []);
});
