// `autostart lima logs INSTANCE`: the driver reads the log of Lima's unit or label
// (the service's ref identity), not autostart-INSTANCE.
import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { MemoryFs } from "../../../core/fake.ts";
import { registryOf } from "../../../core/registry.ts";
import { BUILTIN_DRIVERS } from "../../../drivers/mod.ts";
import { loadPlistCodec } from "../../../templates/launchd_plist.ts";
import { limaContent, limaSpec } from "../../../presets/lima.ts";
import {
  ALICE,
  fakeContext,
  managedText,
  runCli,
} from "../../../tests/helpers.ts";

const LOGIN = "/home/alice/.config/systemd/user/lima-vm@default.service";
const BOOT = "/etc/systemd/system/lima-vm-boot@default.service";

Deno.test("lima logs reads the journal of Lima's user unit: the host agent's own lines", async () => {
  const ctx = fakeContext({ fs: new MemoryFs({ [LOGIN]: managedText() }) });
  ctx.runner.on(["journalctl"], { stdout: "booting\nREADY\n" });
  const r = await runCli(["lima", "logs", "default", "-n", "2"], ctx);
  assertEquals([r.code, r.stdout], [0, "booting\nREADY\n"], r.stderr);
  assertEquals(
    ctx.runner.lines().filter((l) => l.startsWith("journalctl")),
    [
      "journalctl --lines=2 --no-pager --quiet --output=short-iso _SYSTEMD_USER_UNIT=lima-vm@default.service _UID=1000",
    ],
  );
  const all = await runCli(["lima", "logs", "default", "--all"], ctx);
  assertEquals(all.code, 0, all.stderr);
  assertEquals(
    ctx.runner.lines().filter((l) => l.startsWith("journalctl")).at(-1),
    "journalctl --lines=100 --no-pager --quiet --output=short-iso --user-unit=lima-vm@default.service",
  );
});

Deno.test("lima logs of a file limactl wrote reads it too (reading changes nothing)", async () => {
  const ctx = fakeContext({
    fs: new MemoryFs({ [LOGIN]: "[Service]\nExecStart=limactl start %i\n" }),
  });
  ctx.runner.on(["journalctl"], { stdout: "x\n" });
  const r = await runCli(["lima", "logs", "default", "-n", "1"], ctx);
  assertEquals([r.code, r.stdout], [0, "x\n"], r.stderr);
});

Deno.test("lima logs with a service for both conditions asks which (exit 2); --condition picks the boot unit", async () => {
  const ctx = fakeContext({
    fs: new MemoryFs({ [LOGIN]: managedText(), [BOOT]: managedText() }),
  });
  ctx.runner.on(["journalctl"], { stdout: "" });
  const r = await runCli(["lima", "logs", "default"], ctx);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(
    r.stderr,
    /Lima instance "default" has a service for more than one condition \(login, boot\)/,
  );
  assertEquals(
    ctx.runner.lines().filter((l) => l.startsWith("journalctl")),
    [],
  );
  const boot = await runCli(
    ["lima", "logs", "default", "--condition=boot", "-n", "3"],
    ctx,
  );
  assertEquals(boot.code, 0, boot.stderr);
  assertEquals(
    ctx.runner.lines().filter((l) => l.startsWith("journalctl")),
    [
      "journalctl --lines=3 --no-pager --quiet --output=short-iso _SYSTEMD_UNIT=lima-vm-boot@default.service",
    ],
  );
});

Deno.test("lima logs without a service exits 1; a bad -n exits 2", async () => {
  const ctx = fakeContext({ fs: new MemoryFs() });
  const r = await runCli(["lima", "logs", "default"], ctx);
  assertEquals(r.code, 1);
  assertMatch(
    r.stderr,
    /Lima instance "default" has no service to show the log of/,
  );
  assertMatch(r.stderr, /hint: see: autostart lima status default/);
  const bad = await runCli(["lima", "logs", "default", "-n", "x"], ctx);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /e\.g\. autostart lima logs default -n 50/);
  const none = await runCli(["lima", "logs"], ctx);
  assertEquals(none.code, 2);
});

Deno.test("lima logs on macOS tails the LaunchAgent's log files in the instance directory", async () => {
  const dir = "/Users/alice/.lima/default";
  const spec = limaSpec("launchd-agent", {
    instance: "default",
    limactl: "/opt/homebrew/bin/limactl",
    instanceDir: dir,
    path: "/opt/homebrew/bin:/usr/bin:/bin",
    condition: "login",
    keepAlive: "on-failure",
    start: true,
  });
  const plist = limaContent(
    "launchd-agent",
    spec,
    dir,
    await loadPlistCodec(),
  );
  const home = "/Users/alice";
  const ctx = fakeContext({
    os: "darwin",
    self: { ...ALICE, home, uid: 501 },
    env: { HOME: home, PATH: "/usr/bin:/bin" },
    fs: new MemoryFs({
      [`${home}/Library/LaunchAgents/io.lima-vm.autostart.default.plist`]:
        plist,
      [`${dir}/launchd.stdout.log`]: "out 1\nout 2\n",
      [`${dir}/launchd.stderr.log`]: "err 1\n",
    }),
  });
  ctx.runner.on(["launchctl", "print"], { code: 113 });
  const r = await runCli(["lima", "logs", "default", "-n", "5"], ctx);
  assertEquals(r.code, 0, r.stderr);
  for (const line of ["out 1", "out 2", "err 1"]) {
    assertMatch(r.stdout, new RegExp(`^${line}$`, "m"));
  }
});

Deno.test("logs and lima logs name the unit when the driver cannot show logs (exit 3)", async () => {
  const noLogs = registryOf(
    BUILTIN_DRIVERS.map((d) =>
      Object.assign(Object.create(d), { logs: undefined })
    ),
  );
  const ctx = fakeContext({
    fs: new MemoryFs({
      "/home/alice/.config/systemd/user/autostart-web.service": managedText(),
      [LOGIN]: managedText(),
    }),
  });
  const web = await runCli(["logs", "web"], ctx, noLogs);
  assertEquals([web.code, web.stdout], [3, ""]);
  assertEquals(
    web.stderr,
    'error: The systemd driver cannot show logs\nhint: see its own tools for the output of "web" (autostart-web.service)\n',
  );
  const lima = await runCli(["lima", "logs", "default"], ctx, noLogs);
  assertEquals([lima.code, lima.stdout], [3, ""]);
  assertEquals(
    lima.stderr,
    'error: The systemd driver cannot show logs\nhint: see its own tools for the output of "default" (lima-vm@default.service)\n',
  );
});
