// `status --fast` in a real systemd, login and boot scopes: the same states, PIDs and
// enabled flags as the full status (which reads `systemctl show`), from one
// `list-units` call and the units' cgroups.
import { assertEquals, assertOk } from "../assert.ts";
import { E2E, json, sharedBox } from "./_box.ts";

const box = sharedBox(async (b) => {
  await b.addUser("u1");
});
const u1 = { user: "u1" };

interface StatusDoc {
  services: {
    name: string;
    state: string;
    pid: number | null;
    enabled: boolean | null;
    restarts: number | null;
    condition: string;
  }[];
}

const view = (d: StatusDoc) =>
  d.services.map((s) => [s.name, s.condition, s.state, s.pid, s.enabled]);

Deno.test({
  name: "status --fast: same state, PID and enabled as the full status",
  ...E2E,
  async fn() {
    const b = await box.get();
    for (const args of [["run1"], ["idle", "--no-start"], ["gone"]]) {
      const r = await b.autostart(
        ["enable", ...args, "--", "/bin/sleep", "infinity"],
        u1,
      );
      assertEquals(r.code, 0, r.stderr);
    }
    // A stopped one, and one not enabled (its symlink removed by hand).
    assertEquals((await b.autostart(["stop", "gone"], u1)).code, 0);
    await b.exec(
      ["systemctl", "--user", "disable", "autostart-idle.service"],
      u1,
    );
    const full = json<StatusDoc>(await b.autostart(["status", "--json"], u1));
    const fast = json<StatusDoc>(
      await b.autostart(["status", "--fast", "--json"], u1),
    );
    assertEquals(view(fast), view(full));
    const run1 = fast.services.find((s) => s.name === "run1")!;
    assertEquals(run1.state, "running");
    assertEquals(
      String(run1.pid),
      await b.prop("autostart-run1.service", "MainPID", "u1"),
    );
    assertEquals(run1.restarts, null, "--fast leaves restarts out");
    assertOk(full.services.find((s) => s.name === "run1")!.restarts === 0);
    const one = json<StatusDoc>(
      await b.autostart(["status", "--fast", "idle", "--json"], u1),
    );
    assertEquals(view(one), [["idle", "login", "stopped", null, false]]);
  },
});

Deno.test({
  name: "status --fast: boot services (system manager)",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart([
      "enable",
      "sys1",
      "--condition=boot",
      "--user=u1",
      "--",
      "/bin/sleep",
      "infinity",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const full = json<StatusDoc>(
      await b.autostart(["status", "--condition=boot", "--json"]),
    );
    const fast = json<StatusDoc>(
      await b.autostart(["status", "--condition=boot", "--fast", "--json"]),
    );
    assertEquals(view(fast), view(full));
    assertEquals(
      String(fast.services[0]!.pid),
      await b.prop("autostart-sys1.service", "MainPID"),
    );
  },
});

Deno.test({
  name: "status --fast: stop the sandbox",
  ...E2E,
  fn: () => box.stop(),
});
