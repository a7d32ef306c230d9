import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { fixture } from "../../tests/launchd_helpers.ts";
import { lastExitOf, toLaunchdStatus } from "./status.ts";

const BASE = {
  name: "web",
  condition: "login" as const,
  unit: "dev.autostart.web",
  file: "/Users/alice/Library/LaunchAgents/dev.autostart.web.plist",
  drifted: false,
};

function status(stdout: string, code = 0, stderr = "", enabled = true) {
  return toLaunchdStatus(
    { code, stdout, stderr },
    BASE,
    "launchd-agent",
    enabled,
  );
}

Deno.test("toLaunchdStatus() maps a running agent (real macOS 26 output)", () => {
  const s = status(fixture("print_agent_running.txt"));
  assertEquals(
    [s.state, s.pid, s.restarts, s.lastExit, s.enabled],
    ["running", 9183, 3, "exit 2", true],
  );
  assertEquals(s.driver, "launchd-agent");
  assertMatch(s.detail, /running, runs 4/);
});

Deno.test("toLaunchdStatus() maps a running daemon that never exited", () => {
  const s = status(fixture("print_daemon_running.txt"));
  assertEquals(
    [s.state, s.pid, s.restarts, s.lastExit],
    ["running", 54109, 0, null],
  );
});

Deno.test("toLaunchdStatus() names the signal of the last run", () => {
  const s = status(fixture("print_agent_running_after_sigterm.txt"));
  assertEquals([s.state, s.pid, s.lastExit], ["running", 16090, "signal TERM"]);
});

Deno.test("toLaunchdStatus() maps not running after a clean exit to stopped", () => {
  const s = status(fixture("print_agent_not_running_exit0.txt"));
  assertEquals(
    [s.state, s.pid, s.restarts, s.lastExit],
    ["stopped", null, 2, "exit 0"],
  );
});

Deno.test("toLaunchdStatus() maps not running after a failure to failed", () => {
  const s = status(
    "x = {\n\tstate = not running\n\truns = 1\n\tlast exit code = 1\n}\n",
  );
  assertEquals([s.state, s.lastExit], ["failed", "exit 1"]);
});

Deno.test("toLaunchdStatus() maps spawn scheduled after many failures to crash-looping", () => {
  const s = status(fixture("print_daemon_spawn_scheduled.txt"));
  assertEquals(
    [s.state, s.pid, s.restarts, s.lastExit],
    ["crash-looping", null, 53, "exit 78 (EX_CONFIG)"],
  );
  const first = status(
    "x = {\n\tstate = spawn scheduled\n\truns = 1\n\tlast exit code = 1\n}\n",
  );
  assertEquals(first.state, "starting");
});

Deno.test("toLaunchdStatus() maps a plist launchd does not know to not-loaded, never running", () => {
  const s = status("", 113, fixture("print_not_found.stderr"));
  assertEquals([s.state, s.pid, s.lastExit], ["not-loaded", null, null]);
  assertMatch(s.detail, /not loaded/);
  // Same answer when launchctl exits 1 but says so (older releases).
  assertEquals(
    status("", 1, fixture("print_not_found.stderr")).state,
    "not-loaded",
  );
  const off = status("", 113, "Could not find service", false);
  assertMatch(off.detail, /disabled/);
});

Deno.test("toLaunchdStatus() reports other print failures as unknown with what launchctl said", () => {
  const s = status("", 125, "Domain does not support specified action");
  assertEquals(s.state, "unknown");
  assertMatch(s.detail, /code 125: Domain does not support/);
});

Deno.test("lastExitOf() reads every shape launchd prints", () => {
  const f = (k: string, v: string) => lastExitOf(new Map([[k, v]]));
  assertEquals(f("last exit code", "(never exited)"), {
    text: null,
    failed: false,
  });
  assertEquals(f("last exit code", "0"), { text: "exit 0", failed: false });
  assertEquals(f("last exit code", "78: EX_CONFIG"), {
    text: "exit 78 (EX_CONFIG)",
    failed: true,
  });
  assertEquals(f("last terminating signal", "Killed: 9"), {
    text: "signal KILL",
    failed: true,
  });
  // macOS numbers: 10 is BUS and 30 USR1 there (USR1 and PWR on Linux).
  assertEquals(
    f("last terminating signal", "Bus error: 10").text,
    "signal BUS",
  );
  assertEquals(
    f("last terminating signal", "User defined signal 1: 30").text,
    "signal USR1",
  );
  assertEquals(f("last terminating signal", "Signal: 99").text, "signal 99");
  assertEquals(f("last exit reason", "OS_REASON_CODESIGNING"), {
    text: "killed: OS_REASON_CODESIGNING",
    failed: true,
  });
});
