import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { fakeContext } from "../../tests/helpers.ts";
import { systemdDriver } from "./mod.ts";

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
