import { assertEquals } from "../tests/assert.ts";
import { ALICE, assertGolden, webSpec } from "../tests/helpers.ts";
import type { ServiceSpec } from "../core/spec.ts";
import {
  escapeEnvAssignment,
  escapeExecArg,
  formatTimespan,
  renderSystemdUnit,
  serviceNameOfUnit,
  unitName,
} from "./systemd_unit.ts";

const base = webSpec();

for (const condition of ["login", "boot"] as const) {
  for (const keepAlive of ["false", "on-failure", "always"] as const) {
    Deno.test(`renderSystemdUnit() ${condition} × keep-alive ${keepAlive} matches its golden file`, async () => {
      const spec: ServiceSpec = {
        ...base,
        condition,
        keepAlive,
        ...(condition === "boot" ? { runAs: ALICE } : {}),
      };
      await assertGolden(
        `systemd/${condition}-${keepAlive}.service`,
        renderSystemdUnit(spec),
      );
    });
  }
}

Deno.test("renderSystemdUnit() with awkward arguments, env, cwd and logs matches its golden file", async () => {
  const spec: ServiceSpec = {
    ...base,
    program: "/opt/my app/bin/run",
    args: [
      "two words",
      "'single'",
      '"double"',
      "back\\slash",
      "100%",
      "%h",
      "$HOME",
      "${X}",
      "new\nline",
      "tab\t",
      ";",
      "",
      "ünïcödé ✓",
      "\x01",
    ],
    env: [["A", "x y"], ["B", `q"uo\\te`], ["C", "$HOME %h"], ["D", "l1\nl2"]],
    cwd: "/srv/100% data",
    logDir: "/var/log/my%app",
    restartDelayMs: 500,
  };
  await assertGolden("systemd/awkward.service", renderSystemdUnit(spec));
});

Deno.test("escapeExecArg() quotes, escapes and doubles % and $", () => {
  assertEquals(escapeExecArg("a b"), '"a b"');
  assertEquals(escapeExecArg('"\\'), '"\\"\\\\"');
  assertEquals(escapeExecArg("%h$X"), '"%%h$$X"');
  assertEquals(escapeExecArg("\n\t\r\x1b"), '"\\n\\t\\r\\x1b"');
  assertEquals(escapeExecArg(""), '""');
});

Deno.test("escapeEnvAssignment() keeps $ literal and doubles %", () => {
  assertEquals(escapeEnvAssignment("K", "$X %h"), '"K=$X %%h"');
});

Deno.test("formatTimespan() prints whole seconds or milliseconds", () => {
  assertEquals(formatTimespan(2000), "2s");
  assertEquals(formatTimespan(1500), "1500ms");
  assertEquals(formatTimespan(0), "0s");
});

Deno.test("unitName() and serviceNameOfUnit() are inverse", () => {
  assertEquals(unitName("web"), "autostart-web.service");
  assertEquals(serviceNameOfUnit("autostart-web.service"), "web");
  assertEquals(serviceNameOfUnit("other.service"), null);
});
