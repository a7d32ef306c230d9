import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { fakeContext, runCli } from "../../tests/helpers.ts";
import { parseSystemdVersion } from "./version.ts";

const UNIT = "/home/alice/.config/systemd/user/autostart-web.service";

/** A context whose `systemctl --version` says `version`. */
function withVersion(version: string) {
  const ctx = fakeContext();
  ctx.runner.on(["systemctl", "--version"], {
    code: 0,
    stdout: `systemd ${version}\n+PAM +AUDIT +SELINUX\n`,
    stderr: "",
  });
  return ctx;
}

const versionCalls = (ctx: ReturnType<typeof fakeContext>) =>
  ctx.runner.lines().filter((l) => l === "systemctl --version").length;

Deno.test("parseSystemdVersion() reads the first line of systemctl --version", () => {
  assertEquals(
    parseSystemdVersion("systemd 252 (252.38-1~deb12u1)\n+PAM"),
    252,
  );
  assertEquals(parseSystemdVersion("systemd 256 (256.7-arch)"), 256);
  assertEquals(parseSystemdVersion(""), null);
  assertEquals(parseSystemdVersion("bash: systemctl: not found"), null);
});

Deno.test("enable on systemd 252 backs off in ExecStartPre= and says so", async () => {
  const ctx = withVersion("252 (252.38-1~deb12u1)");
  const r = await runCli(
    ["enable", "web", "--restart-delay", "1s", "--", "sh"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /note: systemd 252 has no RestartSteps= \(it came in 254\): a crash loop of "web" backs off in an ExecStartPre= step of its unit instead, pausing 1s, 2s, 4s, 8s, \.\.\. up to 60s/,
  );
  const unit = ctx.fs.files.get(UNIT)?.content ?? "";
  assertMatch(unit, /^ExecStartPre=-\/bin\/sh -c "/m);
  assertMatch(unit, /^RuntimeDirectory=autostart-web$/m);
  assertEquals(versionCalls(ctx), 1);
});

Deno.test("enable on systemd 255 uses RestartSteps= and has no note", async () => {
  const ctx = withVersion("255 (255.4-1ubuntu8)");
  const r = await runCli(
    ["enable", "web", "--restart-max-delay", "5m", "--", "sh"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertEquals(/RestartSteps/.test(r.stdout), false);
  const unit = ctx.fs.files.get(UNIT)?.content ?? "";
  assertMatch(unit, /^RestartSteps=8$/m);
  assertMatch(unit, /^RestartMaxDelaySec=300s$/m);
  assertEquals(/ExecStartPre/.test(unit), false);
});

Deno.test("status, logs and disable never ask systemctl --version", async () => {
  const ctx = withVersion("255");
  assertEquals((await runCli(["enable", "web", "--", "sh"], ctx)).code, 0);
  ctx.runner.calls.length = 0;
  await runCli(["status"], ctx);
  await runCli(["status", "--fast"], ctx);
  await runCli(["disable", "web"], ctx);
  assertEquals(versionCalls(ctx), 0);
});

Deno.test("restart delays under 100ms, or a cap under the delay, exit 2 with nothing written", async () => {
  for (
    const [args, msg] of [
      [["--restart-delay", "0"], /Invalid --restart-delay "0": at least 100ms/],
      [
        ["--restart-delay=50ms"],
        /Invalid --restart-delay "50ms": at least 100ms/,
      ],
      [
        ["--restart-delay", "soon"],
        /Invalid duration "soon" for --restart-delay/,
      ],
      [
        ["--restart-delay", "5s", "--restart-max-delay", "2s"],
        /Invalid --restart-max-delay "2s": shorter than the restart delay/,
      ],
      [
        ["--restart-max-delay", "25h"],
        /Invalid duration "25h" for --restart-max-delay: at most 24h/,
      ],
    ] as const
  ) {
    const ctx = fakeContext();
    const r = await runCli(["enable", "web", ...args, "--", "sh"], ctx);
    assertEquals(r.code, 2, args.join(" "));
    assertMatch(r.stderr, msg);
    assertEquals(ctx.fs.files.size, 0);
    assertEquals(ctx.runner.calls.length, 0);
  }
  // 100ms is the floor; a cap equal to the delay turns the backoff off.
  const ctx = withVersion("252");
  const ok = await runCli(
    [
      "enable",
      "web",
      "--restart-delay",
      "100ms",
      "--restart-max-delay",
      "100ms",
      "--",
      "sh",
    ],
    ctx,
  );
  assertEquals(ok.code, 0, ok.stderr);
  assertEquals(
    /ExecStartPre/.test(ctx.fs.files.get(UNIT)?.content ?? ""),
    false,
  );
});

Deno.test("doctor says how crash loops back off on this systemd", async () => {
  for (
    const [v, want] of [
      [
        "252 (252.38-1~deb12u1)",
        /ExecStartPre= step.*systemd 252 has no RestartSteps=/,
      ],
      [
        "256 (256.7)",
        /by systemd itself \(RestartSteps=, RestartMaxDelaySec=\)/,
      ],
    ] as const
  ) {
    const r = await runCli(["doctor", "--json"], withVersion(v));
    const doc = JSON.parse(r.stdout);
    const c = doc.checks.find((x: { id: string }) =>
      x.id === "systemd.backoff"
    );
    assertEquals(c?.level, "ok", r.stdout);
    assertMatch(c.detail, want);
  }
});
