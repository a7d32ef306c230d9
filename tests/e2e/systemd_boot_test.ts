// Boot services in a real systemd: enable as root through sudo, run as the sudo user,
// crash and come back, keep-alive=false stays dead, crash loops never give up, disable
// leaves nothing behind.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { E2E, freePort, json, sharedBox } from "./_box.ts";

const box = sharedBox(async (b) => {
  uid = await b.addUser("u1", { linger: false });
});
const port = freePort();
const asSudo = { env: { SUDO_USER: "u1" } };
let uid = 0;

/**
 * The boot services the tests use: each test enables the ones it needs itself (an
 * enable of the same spec changes nothing), so it passes alone.
 */
const SPECS: Record<string, string[]> = {
  web: [
    "enable",
    "web",
    "--condition=boot",
    "--restart-delay=1s",
    "--",
    "/usr/bin/python3",
    "-m",
    "http.server",
    "--bind",
    "127.0.0.1",
    String(port),
  ],
  once: [
    "enable",
    "once",
    "--condition=boot",
    "--keep-alive=false",
    "--restart-delay=200ms",
    "--",
    "sleep",
    "1000",
  ],
  crash: [
    "enable",
    "crash",
    "--condition=boot",
    "--restart-delay=100ms",
    // No backoff: 20 restarts at the cap of 1 min would take 20 min; the backoff
    // has its own test (crash_logs_test.ts).
    "--restart-max-delay=100ms",
    "--no-wait", // it is meant to crash: this test is about the restarts
    "--",
    "/bin/false",
  ],
};
/** Enables one of SPECS through sudo and checks it succeeded. */
async function enable(name: keyof typeof SPECS) {
  const b = await box.get();
  const r = await b.autostart(SPECS[name]!, asSudo);
  assertEquals(r.code, 0, r.stderr);
  return r;
}

Deno.test({
  name: "boot: enable runs the program as the sudo user and it answers",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await enable("web");
    assertMatch(r.stdout, /Enabled "web"/);
    assertEquals(
      await b.prop("autostart-web.service", "ActiveState"),
      "active",
    );
    assertEquals(
      await b.prop("autostart-web.service", "UnitFileState"),
      "enabled",
    );
    const pid = await b.prop("autostart-web.service", "MainPID");
    const st = await b.exec(["stat", "-c", "%u", `/proc/${pid}`]);
    assertEquals(Number(st.stdout.trim()), uid, "runs as u1");
    const body = await b.waitFor("the port to answer", async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        return await res.text();
      } catch {
        return undefined;
      }
    });
    assertMatch(body, /Directory listing/);
  },
});

Deno.test({
  name: "boot: SIGKILL of the main process is restarted within RestartSec + 1s",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("web");
    const before = Number(await b.prop("autostart-web.service", "NRestarts"));
    const pid = await b.prop("autostart-web.service", "MainPID");
    const t0 = performance.now();
    await b.kill(pid);
    const newPid = await b.waitFor("a new main PID", async () => {
      const p = await b.prop("autostart-web.service", "MainPID");
      const a = await b.prop("autostart-web.service", "ActiveState");
      return a === "active" && p !== "0" && p !== pid ? p : undefined;
    }, 5000);
    const took = performance.now() - t0;
    console.log(
      `restart after SIGKILL: ${Math.round(took)} ms (RestartSec=1s)`,
    );
    assertOk(took < 2000, `restarted after ${took} ms`);
    assertOk(newPid !== pid);
    assertEquals(
      Number(await b.prop("autostart-web.service", "NRestarts")),
      before + 1,
    );
    const s = json<
      {
        services: {
          name: string;
          state: string;
          pid: number;
          restarts: number;
        }[];
      }
    >(
      await b.autostart(["status", "web", "--json"]),
    );
    assertEquals(s.services.length, 1);
    assertEquals(s.services[0]!.state, "running");
    assertEquals(String(s.services[0]!.pid), newPid);
    assertEquals(s.services[0]!.restarts, before + 1);
  },
});

Deno.test({
  name: "boot: --keep-alive=false stays dead after SIGKILL",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("once");
    assertEquals(await b.prop("autostart-once.service", "Restart"), "no");
    const pid = await b.prop("autostart-once.service", "MainPID");
    await b.kill(pid);
    await new Promise((res) => setTimeout(res, 1500));
    assertEquals(await b.prop("autostart-once.service", "MainPID"), "0");
    assertEquals(await b.prop("autostart-once.service", "NRestarts"), "0");
    const s = json<{ services: { state: string; lastExit: string }[] }>(
      await b.autostart(["status", "once", "--json"]),
    );
    assertEquals(s.services[0]!.state, "failed");
    assertEquals(s.services[0]!.lastExit, "signal KILL");
  },
});

Deno.test({
  name: "boot: a crash loop is still being restarted after 20 crashes",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("crash");
    const n = await b.waitFor("20 restarts", async () => {
      const v = Number(await b.prop("autostart-crash.service", "NRestarts"));
      return v >= 20 ? v : undefined;
    }, 20_000);
    await new Promise((res) => setTimeout(res, 500));
    const active = await b.prop("autostart-crash.service", "ActiveState");
    const after = Number(await b.prop("autostart-crash.service", "NRestarts"));
    console.log(
      `crash loop: NRestarts=${after} (was ${n} half a second earlier), ActiveState=${active}`,
    );
    assertOk(after > n, "still restarting");
    assertOk(active !== "failed", `not given up (ActiveState=${active})`);
    // Between two runs: while a new run starts, systemd has already forgotten the
    // last exit (ExecMainCode is reset), so look until a look lands between runs.
    const s = await b.waitFor("a look between two runs", async () => {
      const d = json<{ services: { state: string; lastExit: string }[] }>(
        await b.autostart(["status", "crash", "--json"]),
      );
      return d.services[0]!.lastExit !== null ? d : undefined;
    });
    assertEquals(s.services[0]!.state, "crash-looping");
    assertEquals(s.services[0]!.lastExit, "exit 1");
  },
});

Deno.test({
  name: "boot: enable without root exits 2, says to use sudo, writes nothing",
  ...E2E,
  async fn() {
    const b = await box.get();
    const before = (await b.exec(["ls", "/etc/systemd/system"])).stdout;
    const r = await b.autostart(
      ["enable", "nope", "--condition=boot", "--", "sleep", "1"],
      { user: "u1" },
    );
    assertEquals(r.code, 2);
    assertMatch(r.stderr, /sudo/);
    assertEquals((await b.exec(["ls", "/etc/systemd/system"])).stdout, before);
  },
});

Deno.test({
  name: "boot: disable stops the unit and leaves nothing behind",
  ...E2E,
  async fn() {
    const b = await box.get();
    for (const name of ["web", "once", "crash"]) await enable(name);
    for (const name of ["web", "once", "crash"]) {
      const r = await b.autostart(["disable", name]);
      assertEquals(r.code, 0, r.stderr);
      const unit = `autostart-${name}.service`;
      assertEquals(
        (await b.exec(["test", "-e", `/etc/systemd/system/${unit}`])).code,
        1,
      );
      assertEquals(
        (await b.exec([
          "test",
          "-e",
          `/etc/systemd/system/multi-user.target.wants/${unit}`,
        ])).code,
        1,
      );
      assertOk(
        (await b.exec(["systemctl", "cat", unit])).code !== 0,
        "systemctl cat fails",
      );
      assertOk(
        ["inactive", ""].includes(await b.prop(unit, "ActiveState")),
        "not active",
      );
    }
    const s = json<{ services: unknown[] }>(
      await b.autostart(["status", "--json"]),
    );
    assertEquals(s.services, []);
    const again = await b.autostart(["disable", "web"]);
    assertEquals(again.code, 1);
    assertMatch(again.stderr, /No service named "web"/);
  },
});

Deno.test({ name: "boot: stop the sandbox", ...E2E, fn: () => box.stop() });
