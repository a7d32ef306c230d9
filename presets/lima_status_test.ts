import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import type { Driver } from "../core/driver.ts";
import { UnsupportedError } from "../core/errors.ts";
import { fakeContext } from "../tests/helpers.ts";
import { systemdDriver } from "../drivers/systemd/mod.ts";
import { limaStatus } from "./lima_status.ts";

Deno.test("limaStatus() asks the driver for the instance's unit by its identity (statusOf), limactl's file included", async () => {
  const ctx = fakeContext();
  const file = "/home/alice/.config/systemd/user/lima-vm@dev.service";
  ctx.fs.files.set(file, { content: "[Service]\n", mode: 0o644 });
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout:
      "Id=lima-vm@dev.service\nLoadState=loaded\nActiveState=active\nSubState=running\nMainPID=9\n\n",
  });
  const s = await limaStatus(systemdDriver, "login", "dev", ctx);
  assertEquals(
    [s.instance, s.unit, s.file, s.owner, s.state, s.pid],
    ["dev", "lima-vm@dev.service", file, "limactl", "running", 9],
  );
});

Deno.test("limaStatus() through a driver without statusOf (a plugin's) is refused with a clear error, nothing run", async () => {
  const ctx = fakeContext();
  // The systemd driver as a plugin written without the refs member would be: it
  // answers by name only.
  const { statusOf: _, ...rest } = systemdDriver;
  const byName: Driver = rest;
  const e = await limaStatus(byName, "login", "dev", ctx).catch((e) => e);
  assertOk(e instanceof UnsupportedError, String(e));
  assertEquals(e.exitCode, 3);
  assertMatch(
    e.message,
    /The Lima preset cannot use the systemd driver: it cannot report a service by its unit name/,
  );
  assertEquals(ctx.runner.lines(), []);
});
