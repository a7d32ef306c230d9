import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "../tests/assert.ts";
import { fakeContext } from "../tests/helpers.ts";
import { builtinRegistry } from "../cli/builtin_registry.ts";
import { systemdDriver } from "../drivers/mod.ts";
import type { Driver } from "./driver.ts";
import { UnsupportedError, UsageError } from "./errors.ts";
import { Registry, validateDriver } from "./registry.ts";

const fakeDriver = (over: Partial<Driver>): Driver => ({
  ...systemdDriver,
  id: "fake",
  description: "fake",
  ...over,
});

Deno.test("validateDriver() lists every problem of a malformed driver", () => {
  assertEquals(validateDriver(null), ["it is not an object"]);
  const problems = validateDriver({
    id: "Bad Id",
    platforms: "linux",
    conditions: ["sometimes"],
    keepAlive: [],
  });
  assertEquals(problems.length >= 5, true, problems.join("\n"));
  assertMatch(problems.join("\n"), /id "Bad Id"/);
  assertMatch(problems.join("\n"), /conditions has unknown values sometimes/);
  assertMatch(problems.join("\n"), /method plan\(\) is missing/);
  assertEquals(validateDriver(systemdDriver), []);
});

Deno.test("Registry.register() rejects duplicates and malformed drivers", () => {
  const r = new Registry();
  r.register(systemdDriver);
  assertThrows(
    () => r.register(systemdDriver, "x.ts"),
    /x\.ts: id "systemd" is already registered/,
  );
  assertThrows(
    () => r.register({ id: "" } as unknown as Driver, "y.ts"),
    /Invalid driver from y\.ts/,
  );
});

Deno.test("Registry.select() picks systemd on linux for both conditions", async () => {
  const r = builtinRegistry();
  assertEquals(
    (await r.select({ condition: "login" }, fakeContext())).id,
    "systemd",
  );
  assertEquals(
    (await r.select({ condition: "boot" }, fakeContext())).id,
    "systemd",
  );
});

Deno.test("Registry.select() on an unsupported platform exits 3 naming what is supported", async () => {
  const e = await builtinRegistry().select(
    { condition: "login" },
    fakeContext({ os: "windows" }),
  ).catch((e) => e);
  assertEquals(e instanceof UnsupportedError, true);
  assertEquals(e.exitCode, 3);
  assertMatch(e.message, /supported: Linux with systemd .*macOS with launchd/);
});

Deno.test("Registry.select() names the drivers that can serve an unsupported mode", async () => {
  const r = new Registry();
  r.register(
    fakeDriver({ id: "bootonly", conditions: ["boot"], keepAlive: ["always"] }),
  );
  r.register(systemdDriver);
  const e = await r.select({
    condition: "boot",
    keepAlive: "on-failure",
    driverId: "bootonly",
  }, fakeContext())
    .catch((e) => e);
  assertEquals(e instanceof UnsupportedError, true);
  assertMatch(
    e.message,
    /Keep-alive "on-failure" is not supported by bootonly/,
  );
  assertMatch(e.hint, /drivers that can: systemd/);
  const e2 = await r.select(
    { condition: "login", driverId: "bootonly" },
    fakeContext(),
  ).catch((e) => e);
  assertMatch(e2.message, /Condition "login" is not supported by bootonly/);
});

Deno.test("Registry.select() rejects an unknown --driver with exit 2", async () => {
  await assertRejects(
    () =>
      builtinRegistry().select(
        { condition: "login", driverId: "nope" },
        fakeContext(),
      ),
    UsageError,
  );
});

Deno.test("Registry.select() explains an unavailable init system", async () => {
  const ctx = fakeContext();
  ctx.fs.dirs.delete("/run/systemd/system");
  const e = await builtinRegistry().select({ condition: "boot" }, ctx).catch((
    e,
  ) => e);
  assertEquals(e.exitCode, 3);
  assertMatch(e.message, /systemd: systemd is not running as init/);
  const dry = await builtinRegistry().select({
    condition: "boot",
    ignoreAvailability: true,
  }, ctx);
  assertEquals(dry.id, "systemd");
});
