// `--stop-timeout` on every driver: systemd TimeoutStopSec=, launchd ExitTimeOut,
// OpenRC's retry schedule, and runit's honest refusal; declared as a driver feature
// (shown by `drivers --json`, checked by selection) and absent from the files of
// services that do not ask for it (the plain goldens stay as they are).
import { parse } from "plist";
import {
  assertEquals,
  assertMatch,
  assertNoMatch,
  assertOk,
  assertThrows,
} from "../assert.ts";
import { ALICE, fakeContext, ROOT_USER, runCli, webSpec } from "../helpers.ts";
import { UnsupportedError } from "../../core/errors.ts";
import { Registry, validateDriver } from "../../core/registry.ts";
import { featuresOf } from "../../core/driver.ts";
import { builtinRegistry } from "../../cli/builtin_registry.ts";
import { systemdDriver } from "../../drivers/mod.ts";
import { renderSystemdUnit } from "../../templates/systemd_unit.ts";
import {
  buildLaunchdPlist,
  launchdLabel,
  loadPlistCodec,
  renderLaunchdPlist,
} from "../../templates/launchd_plist.ts";
import { renderOpenrcScript } from "../../templates/openrc_script.ts";
import { runitDriver } from "../../plugins/runit.ts";

const ENV = { TERM: "dumb", NO_COLOR: "1", LANG: "C.UTF-8" };

Deno.test("systemd: --stop-timeout becomes TimeoutStopSec=, nothing without it", () => {
  assertMatch(
    renderSystemdUnit(webSpec({ stopTimeoutMs: 190_000 })),
    /^TimeoutStopSec=190s$/m,
  );
  assertMatch(
    renderSystemdUnit(webSpec({ stopTimeoutMs: 1500 })),
    /^TimeoutStopSec=1500ms$/m,
  );
  assertNoMatch(renderSystemdUnit(webSpec()), /Timeout/);
});

Deno.test("launchd: --stop-timeout becomes ExitTimeOut in whole seconds, nothing without it", async () => {
  const codec = await loadPlistCodec();
  const paths = {
    label: launchdLabel("web"),
    logFile: "/Users/alice/Library/Logs/autostart/web.log",
    daemon: false,
  };
  const text = renderLaunchdPlist(
    buildLaunchdPlist(webSpec({ stopTimeoutMs: 20_000 }), paths),
    codec,
  );
  const obj = parse(text) as Record<string, unknown>;
  assertEquals(obj.ExitTimeOut, 20);
  assertMatch(text, /<key>ExitTimeOut<\/key>\s*<integer>20<\/integer>/);
  assertEquals(
    buildLaunchdPlist(webSpec({ stopTimeoutMs: 1200 }), paths).ExitTimeOut,
    2,
    "rounded up: never shorter than asked",
  );
  assertOk(!("ExitTimeOut" in buildLaunchdPlist(webSpec(), paths)));
});

Deno.test("OpenRC: --stop-timeout becomes retry=TERM/N/KILL/5 for both supervisors", () => {
  const base = webSpec({ condition: "boot", runAs: ALICE });
  for (const keepAlive of ["always", "false"] as const) {
    const text = renderOpenrcScript({
      ...base,
      keepAlive,
      stopTimeoutMs: 90_000,
    });
    assertMatch(text, /^retry="TERM\/90\/KILL\/5"$/m, keepAlive);
    assertNoMatch(renderOpenrcScript({ ...base, keepAlive }), /retry=/);
  }
});

Deno.test("runit: --stop-timeout is refused with exit 3 and the reason, never dropped", () => {
  const spec = webSpec({
    condition: "boot",
    runAs: ROOT_USER,
    stopTimeoutMs: 30_000,
  });
  const ctx = fakeContext({ self: ROOT_USER, env: { ...ENV, PATH: "/bin" } });
  assertThrows(
    () => runitDriver.plan(spec, ctx),
    (e) =>
      e instanceof UnsupportedError && e.exitCode === 3 &&
      /runsv has no per-service stop timeout/.test(e.message),
  );
  // Without it, runit plans as before.
  const { stopTimeoutMs: _, ...plain } = spec;
  assertOk(runitDriver.plan(plain, ctx).steps.length > 0);
});

Deno.test("drivers declare stop-timeout: drivers --json shows which can", async () => {
  const r = await runCli(
    ["drivers", "--json"],
    fakeContext({ env: { ...ENV, PATH: "/bin" } }),
  );
  assertEquals(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    drivers: { id: string; features: string[] }[];
  };
  const features = Object.fromEntries(
    doc.drivers.map((d) => [d.id, d.features]),
  );
  // (env-file: every built-in driver keeps --env-file values in a 0600 copy)
  assertEquals(features.systemd, ["stop-timeout", "env-file"]);
  assertEquals(features["launchd-agent"], ["stop-timeout", "env-file"]);
  assertEquals(features["launchd-daemon"], ["stop-timeout", "env-file"]);
  assertEquals(features.openrc, ["stop-timeout", "env-file"]);
  assertEquals(features.runit, ["env-file"]);
  const table = await runCli(
    ["drivers"],
    fakeContext({ env: { ...ENV, PATH: "/bin" } }),
  );
  assertMatch(table.stdout, /FEATURES/);
});

Deno.test("selection refuses a driver without the feature (exit 3) and names those with it", async () => {
  const r = new Registry();
  r.register({ ...runitDriver });
  r.register(systemdDriver);
  const e = await r.select({
    condition: "boot",
    driverId: "runit",
    features: featuresOf({ stopTimeoutMs: 5000 }),
    ignoreAvailability: true,
  }, fakeContext()).catch((e: unknown) => e) as UnsupportedError;
  assertOk(e instanceof UnsupportedError, String(e));
  assertMatch(e.message, /--stop-timeout is not supported by runit/);
  assertMatch(e.hint ?? "", /drivers that can: systemd/);
  assertEquals(featuresOf({}), []);
});

Deno.test("validateDriver() refuses unknown features", () => {
  assertMatch(
    validateDriver({ ...systemdDriver, features: ["teleport"] }).join("\n"),
    /features has unknown values teleport/,
  );
  assertEquals(validateDriver({ ...systemdDriver, features: undefined }), []);
});

Deno.test("enable --stop-timeout reaches the unit; a bad one exits 2 with nothing written", async () => {
  const ctx = fakeContext({ env: { ...fakeContext().env, ...ENV } });
  const r = await runCli(
    ["enable", "web", "--stop-timeout=3m10s", "--dry-run", "--", "sh"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /^ {4}TimeoutStopSec=190s$/m);
  for (
    const [bad, why] of [
      ["0", /at least 1s/],
      ["500ms", /at least 1s/],
      ["soon", /use a number with ms, s, m or h/],
      ["25h", /at most 24h/],
      ["-5s", /Invalid duration/],
    ] as const
  ) {
    const x = await runCli(
      ["enable", "web", `--stop-timeout=${bad}`, "--", "sh"],
      ctx,
    );
    assertEquals(x.code, 2, `${bad}: ${x.stderr}`);
    assertMatch(x.stderr, /Invalid duration .* for --stop-timeout/);
    assertMatch(x.stderr, why);
  }
  // Only the dry run's read-only version query (for the crash-loop backoff).
  assertEquals(ctx.runner.lines(), ["systemctl --version"]);
  assertEquals(ctx.fs.files.size, 0);
});

Deno.test("enable --stop-timeout with --driver runit exits 3 before anything is written", async () => {
  const ctx = fakeContext({
    self: ROOT_USER,
    env: { ...fakeContext().env, ...ENV, SVDIR: "/etc/service" },
  });
  const x = await runCli(
    [
      "enable",
      "web",
      "--condition=boot",
      "--user=root",
      "--driver=runit",
      "--stop-timeout=30s",
      "--dry-run",
      "--",
      "/bin/sh",
    ],
    ctx,
    builtinRegistry(),
  );
  assertEquals(x.code, 3, x.stderr);
  assertMatch(x.stderr, /--stop-timeout is not supported by runit/);
  assertEquals(ctx.fs.files.size, 0);
});
