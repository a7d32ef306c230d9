import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { explainLaunchctl } from "./explain.ts";

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
