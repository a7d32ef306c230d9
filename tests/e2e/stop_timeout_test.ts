// --stop-timeout in a real systemd: a program that needs 3 seconds to shut down after
// SIGTERM finishes cleanly with --stop-timeout=30s, and one that needs 20 seconds is
// killed with --stop-timeout=1s (a wide margin: a systemd starved of CPU by a loaded
// machine handles its timer late); without the option the unit keeps systemd's default.
import { assertEquals, assertOk } from "../assert.ts";
import { E2E, sharedBox } from "./_box.ts";

const asRoot = { env: { TERM: "dumb", NO_COLOR: "1", LANG: "C.UTF-8" } };

/** Traps SIGTERM (then says it is ready), takes $2 s to "save its state", writes it, exits 0. */
const SLOW_STOP = `#!/bin/sh
name="$1"
rm -f "/var/tmp/slowstop.$name" "/var/tmp/slowstop.$name.ready"
trap 'sleep "$2"; echo clean > "/var/tmp/slowstop.$name"; exit 0' TERM
: > "/var/tmp/slowstop.$name.ready"
sleep 100000 &
wait
`;

const box = sharedBox(async (b) => {
  const r = await b.sh(
    "cat > /usr/local/bin/slowstop && chmod 755 /usr/local/bin/slowstop",
    { stdin: SLOW_STOP },
  );
  assertEquals(r.code, 0, r.stderr);
});

async function enable(name: string, shutdown: number, extra: string[]) {
  const b = await box.get();
  const r = await b.autostart([
    "enable",
    name,
    "--condition=boot",
    "--user=root",
    ...extra,
    "--",
    "/usr/local/bin/slowstop",
    name,
    String(shutdown),
  ], asRoot);
  assertEquals(r.code, 0, r.stderr);
}

/**
 * Stops the service once its program is ready, waits for the unit to stop and asserts
 * systemd's Result; when it differs, the failure shows what systemd saw.
 */
async function stopAndExpect(name: string, expected: string) {
  const b = await box.get();
  const unit = `autostart-${name}.service`;
  // A SIGTERM before the trap is set ends the shell at once (a clean stop for
  // systemd): stop only once the program says it is ready.
  await b.waitFor(
    `${name} to set its trap`,
    async () =>
      (await b.exec(["test", "-e", `/var/tmp/slowstop.${name}.ready`])).code ===
        0,
  );
  const r = await b.autostart(["stop", name], asRoot);
  assertEquals(r.code, 0, r.stderr);
  await b.waitFor(
    `${unit} to stop`,
    async () =>
      !["active", "deactivating"].includes(await b.prop(unit, "ActiveState")),
    40_000,
  );
  const result = await b.prop(unit, "Result");
  if (result !== expected) {
    // What systemd saw: states, the main process's end, and the unit's journal.
    const props = await b.exec([
      "systemctl",
      "show",
      "-p",
      "ActiveState,SubState,Result,NRestarts,ExecMainCode,ExecMainStatus,InvocationID",
      unit,
    ]);
    const log = await b.exec([
      "journalctl",
      "-u",
      unit,
      "--no-pager",
      "-n",
      "40",
    ]);
    assertEquals(result, expected, `${props.stdout}\n${log.stdout}`);
  }
}

Deno.test({
  name:
    "stop-timeout: --stop-timeout=30s lets it finish (TimeoutStopSec=30s, clean exit)",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("patient", 3, ["--stop-timeout=30s"]);
    const unit = "autostart-patient.service";
    assertEquals(await b.prop(unit, "TimeoutStopUSec"), "30s");
    await stopAndExpect("patient", "success");
    const saved = await b.exec(["cat", "/var/tmp/slowstop.patient"]);
    assertEquals(saved.stdout.trim(), "clean", "it finished its shutdown");
  },
});

Deno.test({
  name: "stop-timeout: --stop-timeout=1s kills it before it is done",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("hasty", 20, ["--stop-timeout=1s"]);
    assertEquals(
      await b.prop("autostart-hasty.service", "TimeoutStopUSec"),
      "1s",
    );
    await stopAndExpect("hasty", "timeout");
    const saved = await b.exec(["test", "-e", "/var/tmp/slowstop.hasty"]);
    assertOk(saved.code !== 0, "killed before it wrote its state");
  },
});

Deno.test({
  name: "stop-timeout: without the option the unit keeps systemd's default",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("plain", 3, []);
    const text = await b.exec([
      "cat",
      "/etc/systemd/system/autostart-plain.service",
    ]);
    assertOk(!text.stdout.includes("TimeoutStopSec"), text.stdout);
    const dflt = await b.exec([
      "systemctl",
      "show",
      "-p",
      "DefaultTimeoutStopUSec",
      "--value",
    ]);
    assertEquals(
      await b.prop("autostart-plain.service", "TimeoutStopUSec"),
      dflt.stdout.trim(),
    );
    const r = await b.autostart(["disable", "plain"], asRoot);
    assertEquals(r.code, 0, r.stderr);
  },
});

Deno.test({
  name: "stop-timeout: stop the sandbox",
  ...E2E,
  fn: () => box.stop(),
});
