import { assertEquals } from "../../tests/assert.ts";
import { fixture } from "../../tests/launchd_helpers.ts";
import { parsePrint, parsePrintDisabled } from "./print.ts";

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
