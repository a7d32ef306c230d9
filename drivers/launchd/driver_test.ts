import {
  assertEquals,
  assertMatch,
  assertRejects,
} from "../../tests/assert.ts";
import { fakeContext, runCli } from "../../tests/helpers.ts";
import { macCli, macContext } from "../../tests/launchd_helpers.ts";
import { MemoryFs } from "../../core/fake.ts";
import { builtinRegistry } from "../../cli/builtin_registry.ts";
import { launchdAgentDriver } from "./agent.ts";

await launchdAgentDriver.prepare();

Deno.test("launchdAgentDriver.available() needs macOS and /bin/launchctl", async () => {
  assertEquals(await launchdAgentDriver.available(macContext()), {
    available: true,
  });
  assertEquals(
    await launchdAgentDriver.available(macContext({ fs: new MemoryFs() })),
    { available: false, reason: "launchctl is missing (no /bin/launchctl)" },
  );
  assertEquals(await launchdAgentDriver.available(fakeContext()), {
    available: false,
    reason: "launchd runs on macOS only",
  });
});

Deno.test("Registry.select() on macOS picks launchd-agent for login and launchd-daemon for boot", async () => {
  const reg = builtinRegistry();
  const ctx = macContext();
  assertEquals(
    (await reg.select({ condition: "login" }, ctx)).id,
    "launchd-agent",
  );
  assertEquals(
    (await reg.select({ condition: "boot" }, ctx)).id,
    "launchd-daemon",
  );
  for (const keepAlive of ["false", "on-failure", "always"] as const) {
    assertEquals(
      (await reg.select({ condition: "login", keepAlive }, ctx)).id,
      "launchd-agent",
    );
  }
});

Deno.test("Registry.select() on linux never picks a launchd driver", async () => {
  const reg = builtinRegistry();
  assertEquals(
    (await reg.select({ condition: "login" }, fakeContext())).id,
    "systemd",
  );
  await assertRejects(
    () =>
      reg.select(
        { condition: "login", driverId: "launchd-agent" },
        fakeContext(),
      ),
    /does not run on linux/,
  );
});

Deno.test("drivers --json lists both launchd drivers with conditions and keep-alive modes", async () => {
  const mac = JSON.parse(
    (await macCli(["drivers", "--json"], macContext())).stdout,
  );
  const byId = (doc: { drivers: { id: string }[] }, id: string) =>
    doc.drivers.find((d) => d.id === id) as Record<string, unknown>;
  assertEquals(mac.platform, "darwin");
  for (
    const [id, cond] of [["launchd-agent", "login"], ["launchd-daemon", "boot"]]
  ) {
    const d = byId(mac, id!);
    assertEquals(d.conditions, [cond]);
    assertEquals(d.keepAlive, ["false", "on-failure", "always"]);
    assertEquals(d.platforms, ["darwin"]);
    assertEquals(d.available, true);
  }
  const linux = JSON.parse(
    (await runCli(["drivers", "--json"], fakeContext())).stdout,
  );
  const agent = byId(linux, "launchd-agent");
  assertEquals(agent.available, false);
  assertMatch(String(agent.reason), /runs on darwin, not linux/);
});

Deno.test("drivers on macOS without launchctl says why launchd is unavailable", async () => {
  const out = await macCli(
    ["drivers", "--json"],
    macContext({ fs: new MemoryFs() }),
  );
  const doc = JSON.parse(out.stdout);
  const agent = doc.drivers.find((d: { id: string }) =>
    d.id === "launchd-agent"
  );
  assertEquals(agent.available, false);
  assertMatch(agent.reason, /launchctl is missing/);
});
