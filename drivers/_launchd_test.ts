import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { fixture } from "../tests/launchd_helpers.ts";
import {
  explainLaunchctl,
  lastExitOf,
  parsePrint,
  parsePrintDisabled,
  toLaunchdStatus,
} from "./_launchd.ts";

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

Deno.test("parsePrint() reads top-level fields and skips nested blocks", () => {
  const f = parsePrint(fixture("print_agent_running_after_sigterm.txt"));
  assertEquals(f.get("state"), "running"); // not the coalitions' "active"
  assertEquals(f.get("pid"), "16090");
  assertEquals(f.get("runs"), "2");
  assertEquals(f.get("last terminating signal"), "Terminated: 15");
  assertEquals(f.get("type"), "LaunchAgent");
  assertEquals(f.has("XPC_SERVICE_NAME"), false);
  assertEquals(f.has("ID"), false);
});

Deno.test("parsePrint() accepts space-indented output and bare key lines", () => {
  const f = parsePrint(fixture("print_daemon_spawn_scheduled.txt"));
  assertEquals(f.get("state"), "spawn scheduled");
  assertEquals(f.get("last exit code"), "78: EX_CONFIG");
  assertEquals(parsePrint("state = running\npid = 42\n").get("pid"), "42");
});

Deno.test("parsePrint() is not shifted by values that end in { or start with }", () => {
  // The real output of a running agent, with arguments and environment values that a
  // brace counter takes for block boundaries.
  const text = fixture("print_agent_running.txt")
    .replace("\t\t-l\n", "\t\t-l\n\t\tsh -c {\n\t\t}\n\t\t} {\n")
    .replace(
      "\t\tOSLogRateLimit => 64\n",
      "\t\tOPEN => {\n\t\tCLOSE => }\n\t\tOSLogRateLimit => 64\n",
    );
  for (const t of [text, text.replaceAll("\t", "    ")]) {
    const f = parsePrint(t);
    assertEquals(f.get("state"), "running");
    assertEquals(f.get("pid"), "9183");
    assertEquals(f.get("runs"), "4");
    assertEquals(f.get("exit timeout"), "5");
    assertEquals(f.get("last exit code"), "2");
    assertEquals(f.has("OPEN"), false);
    assertEquals(f.has("path") && f.get("path")!.endsWith(".plist"), true);
  }
  // A top-level value that is just "{" is a value, not a block.
  const g = parsePrint(
    "x = {\n\tprogram = {\n\tstate = running\n\tpid = 7\n}\n",
  );
  assertEquals([g.get("program"), g.get("state"), g.get("pid")], [
    "{",
    "running",
    "7",
  ]);
});

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
  assertEquals(f("last exit reason", "OS_REASON_CODESIGNING"), {
    text: "killed: OS_REASON_CODESIGNING",
    failed: true,
  });
});

Deno.test("parsePrintDisabled() reads the new and the old format", () => {
  assertEquals(
    [...parsePrintDisabled(fixture("print_disabled_new.txt"))],
    [["com.example.watchdog", true]],
  );
  assertEquals(
    [...parsePrintDisabled(fixture("print_disabled_old.txt"))],
    [["com.test.disabled", true], ["com.test.foo", false]],
  );
});

Deno.test("explainLaunchctl() explains each documented launchctl error", () => {
  const agent = "gui/501/dev.autostart.web";
  const plist = "/Users/alice/Library/LaunchAgents/dev.autostart.web.plist";
  const cases: [string[], number, string, RegExp, RegExp][] = [
    [
      ["launchctl", "bootstrap", "gui/501", plist],
      5,
      "Bootstrap failed: 5: Input/output error",
      /also after waiting: there may be no desktop login session for gui\/501 .*the plist may be invalid/,
      /launchctl print gui\/501` fails .*--condition=boot.*plutil -lint .*dev\.autostart\.web\.plist/,
    ],
    [
      ["launchctl", "bootstrap", "system", "/Library/LaunchDaemons/x.plist"],
      5,
      "Bootstrap failed: 5: Input/output error",
      /also after waiting: the plist may be invalid/,
      /plutil -lint \/Library\/LaunchDaemons\/x\.plist/,
    ],
    [
      ["launchctl", "print", agent],
      124,
      "timed out: it still exited with code 0 after 20s",
      /still has the job dev\.autostart\.web in gui\/501/,
      /launchctl print gui\/501\/dev\.autostart\.web/,
    ],
    [
      ["launchctl", "bootstrap", "gui/501", plist],
      37,
      "Bootstrap failed: 37: Operation already in progress",
      /still busy/,
      /wait a few seconds/,
    ],
    [
      ["launchctl", "kickstart", agent],
      113,
      'Could not find service "dev.autostart.web" in domain for port',
      /no service dev\.autostart\.web loaded in gui\/501/,
      /autostart start web/,
    ],
    [
      [
        "launchctl",
        "bootstrap",
        "system",
        "/Library/LaunchDaemons/dev.autostart.web.plist",
      ],
      119,
      "Bootstrap failed: 119: Service is disabled",
      /disabled/,
      /sudo launchctl enable system\/dev\.autostart\.web/,
    ],
    [
      ["launchctl", "kill", "SIGTERM", agent],
      3,
      "No such process",
      /not running or not loaded/,
      /autostart status web/,
    ],
    [
      [
        "launchctl",
        "bootstrap",
        "system",
        "/Library/LaunchDaemons/dev.autostart.web.plist",
      ],
      122,
      "Bootstrap failed: 122: Path had bad ownership/permissions",
      /ownership or permissions/,
      /chown root:wheel/,
    ],
    [
      ["launchctl", "bootstrap", "gui/501", plist],
      125,
      "Bootstrap failed: 125: Domain does not support specified action",
      /no GUI login session/,
      /--condition=boot/,
    ],
    [
      ["launchctl", "bootstrap", "gui/501", plist],
      112,
      "Could not find domain for user gui: 501",
      /no GUI login session/,
      /log in/,
    ],
  ];
  for (const [argv, code, stderr, message, hint] of cases) {
    const x = explainLaunchctl(argv, { code, stdout: "", stderr });
    assertOk(x, `no explanation for ${code}`);
    assertMatch(x.message ?? "", message, `message for ${code}`);
    assertMatch(x.hint ?? "", hint, `hint for ${code}`);
  }
  // The number in "Bootstrap failed: N:" wins over a generic exit code.
  assertMatch(
    explainLaunchctl(["launchctl", "bootstrap", "gui/501", plist], {
      code: 1,
      stdout: "",
      stderr: "Bootstrap failed: 5: Input/output error",
    })?.message ?? "",
    /error 5/,
  );
  assertEquals(
    explainLaunchctl(["systemctl", "start"], {
      code: 5,
      stdout: "",
      stderr: "",
    }),
    undefined,
  );
});
