import { assertEquals } from "../tests/assert.ts";
import { ALICE, assertGolden, webSpec } from "../tests/helpers.ts";
import type { ServiceSpec } from "../core/spec.ts";
import {
  escapeEnvAssignment,
  escapeExecArg,
  formatTimespan,
} from "./systemd_escape.ts";
import {
  readSystemdUnit,
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

Deno.test("renderSystemdUnit() backs off with an ExecStartPre= before systemd 254 (golden)", async () => {
  const spec: ServiceSpec = { ...base, restartMaxDelayMs: 60_000 };
  const text = renderSystemdUnit(spec, { systemdVersion: 252 });
  await assertGolden("systemd/login-on-failure-backoff-252.service", text);
  assertEquals(renderSystemdUnit(spec), text, "unknown version: the same");
  // A longer cap gives the start the time of the pause.
  const long = renderSystemdUnit({ ...spec, restartMaxDelayMs: 600_000 });
  assertEquals(/^TimeoutStartSec=688s$/m.test(long), true, long);
  // The state file follows the command: a changed command starts a fresh count.
  const other = renderSystemdUnit({
    ...spec,
    args: ["-m", "http.server", "9"],
  });
  const file = (t: string) => /restarts-([0-9a-f]{8})/.exec(t)?.[1];
  assertEquals(file(text) !== undefined && file(text) !== file(other), true);
});

Deno.test("renderSystemdUnit() uses RestartSteps=/RestartMaxDelaySec= from systemd 254 (golden)", async () => {
  const spec: ServiceSpec = { ...base, restartMaxDelayMs: 60_000 };
  const text = renderSystemdUnit(spec, { systemdVersion: 254 });
  await assertGolden("systemd/login-on-failure-backoff-254.service", text);
  assertEquals(/ExecStartPre|RuntimeDirectory/.test(text), false);
  // 2s doubling to 60s: 5 steps (2·2^5 = 64 ≥ 60).
  assertEquals(/^RestartSteps=5$/m.test(text), true);
  assertEquals(/^RestartMaxDelaySec=60s$/m.test(text), true);
});

Deno.test("renderSystemdUnit() has no backoff without restarts or with the cap at the delay", () => {
  for (
    const spec of [
      { ...base, keepAlive: "false" as const, restartMaxDelayMs: 60_000 },
      { ...base, restartMaxDelayMs: 2000 },
      base,
    ]
  ) {
    const text = renderSystemdUnit(spec, { systemdVersion: 252 });
    assertEquals(/ExecStartPre|RestartSteps/.test(text), false);
  }
});

Deno.test("renderSystemdUnit() backoff script carries no user string, only numbers and a hash", () => {
  const pre = (spec: ServiceSpec) =>
    /^ExecStartPre=.*$/m.exec(renderSystemdUnit(spec))![0]
      .replace(/restarts-[0-9a-f]{8}/, "restarts-HASH");
  const plain = pre({ ...base, restartMaxDelayMs: 60_000 });
  const hostile = pre({
    ...base,
    name: "evil",
    program: "/opt/$(id)/run",
    args: ['"; touch /tmp/pwned; "', "$HOME", "%h"],
    env: [["X", "`id`"]],
    cwd: "/srv/x",
    restartMaxDelayMs: 60_000,
  });
  assertEquals(hostile, plain);
});

Deno.test("readSystemdUnit() records the EnvironmentFile= copy, apart from Environment=", () => {
  const copy = "/home/alice/.config/autostart/env/my web.env";
  const f = readSystemdUnit(renderSystemdUnit(base, { envFile: copy }));
  assertEquals(f.envFile, copy);
  assertEquals(f.env, base.env);
  assertEquals(readSystemdUnit(renderSystemdUnit(base)).envFile, undefined);
});
