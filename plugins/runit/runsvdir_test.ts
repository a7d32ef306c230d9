import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { ALICE, fakeContext, ROOT_USER } from "../../tests/helpers.ts";
import { denoFs } from "../../core/fs.ts";
import { runitDriver } from "./mod.ts";
import { parseRunsvdirCmdline, unsafeEnvDirs } from "./runsvdir.ts";
import { runitContext } from "./_testing.ts";

Deno.test("runitDriver.available() needs sv and a runsvdir on the service directory", async () => {
  assertEquals(await runitDriver.available(runitContext(), "boot"), {
    available: true,
  });
  const none = runitContext();
  none.fs.files.delete("/proc/1/cmdline");
  const a = await runitDriver.available(none, "boot");
  assertEquals(a.available, false);
  assertMatch(a.reason!, /no runsvdir watches \/etc\/service/);
  const nosv = runitContext();
  nosv.fs.files.delete("/usr/bin/sv");
  assertMatch(
    (await runitDriver.available(nosv, "boot")).reason!,
    /apt-get install runit/,
  );
  const login = await runitDriver.available(
    runitContext({
      self: ALICE,
      env: { PATH: "/usr/bin", HOME: "/home/alice" },
    }),
    "login",
  );
  assertMatch(login.reason!, /per-user runsvdir/);
  assertEquals(
    parseRunsvdirCmdline("/usr/bin/runsvdir\0-P\0/etc/service\0log: x\0"),
    "/etc/service",
  );
  assertEquals(parseRunsvdirCmdline("bash\0"), null);
});

Deno.test("runitDriver is not available for boot services when SVDIR or AUTOSTART_RUNIT_SV_DIR is a directory others can write", async () => {
  const ctx = (env: Record<string, string>) => ({
    ...fakeContext({ self: ROOT_USER, env: { PATH: "/usr/bin", ...env } }),
    fs: denoFs,
  });
  const stage = await unsafeEnvDirs(
    "boot",
    ctx({ AUTOSTART_RUNIT_SV_DIR: "/tmp/autostart-no-such/sv" }),
  );
  assertMatch(
    stage ?? "",
    /^AUTOSTART_RUNIT_SV_DIR=\/tmp\/autostart-no-such\/sv cannot hold boot services: \/tmp is writable by group or others/,
  );
  assertMatch(
    (await unsafeEnvDirs("boot", ctx({ SVDIR: "/var/tmp" }))) ?? "",
    /^SVDIR=\/var\/tmp cannot hold boot services/,
  );
  assertEquals(
    await unsafeEnvDirs("boot", ctx({ SVDIR: "/etc/service" })),
    null,
  );
  // login services live in the user's own directories
  assertEquals(
    await unsafeEnvDirs("login", ctx({ AUTOSTART_RUNIT_SV_DIR: "/tmp/x" })),
    null,
  );
  const a = await runitDriver.available(
    ctx({ AUTOSTART_RUNIT_SV_DIR: "/tmp/x" }),
    "boot",
  );
  assertEquals(a.available, false);
});
