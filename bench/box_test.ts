import { assertEquals, assertMatch } from "../tests/assert.ts";
import { statusShowProperty, unitName, unitText } from "./box.ts";

Deno.test("statusShowProperty() is the --property= of the show that status runs", async () => {
  const p = await statusShowProperty();
  assertMatch(p, /^--property=Id,/);
  for (const key of ["ActiveState", "SubState", "MainPID", "NRestarts"]) {
    assertMatch(p, new RegExp(`[=,]${key}(,|$)`));
  }
});

Deno.test("unitName() and unitText() are the unit enable writes, from the driver's plan", () => {
  assertEquals(unitName("batch0001"), "autostart-batch0001.service");
  const text = unitText("raw", 1000);
  assertMatch(text, /^ExecStart="\/bin\/sleep" "infinity"$/m);
  assertMatch(text, /^RestartSec=1s?$/m);
});
