import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { fakeContext, runCli } from "../tests/helpers.ts";

Deno.test("run() prints the version and help", async () => {
  const ctx = fakeContext();
  assertEquals(
    (await runCli(["--version"], ctx)).stdout,
    "autostart 0.0.0-test\n",
  );
  const help = await runCli(["--help"], ctx);
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /autostart enable NAME/);
  for (
    const cmd of [
      "enable",
      "disable",
      "status",
      "list",
      "start",
      "stop",
      "restart",
      "drivers",
    ]
  ) {
    const r = await runCli([cmd, "--help"], ctx);
    assertEquals(r.code, 0, cmd);
    assertMatch(r.stdout, /Usage: autostart/, cmd);
    assertMatch(r.stdout, /Example/, cmd);
  }
  assertEquals((await runCli([], ctx)).code, 2);
});

Deno.test("run() rejects an unknown command with exit 2", async () => {
  const r = await runCli(["frobnicate"], fakeContext());
  assertEquals(r.code, 2);
  assertMatch(r.stderr, /Unknown command "frobnicate"/);
});

Deno.test("run() rejects the names of an object's built-in properties as commands (exit 2)", async () => {
  for (
    const word of ["constructor", "toString", "hasOwnProperty", "__proto__"]
  ) {
    const r = await runCli([word, "x"], fakeContext());
    assertEquals(r.code, 2, `${word}: ${r.stdout}${r.stderr}`);
    assertMatch(r.stderr, new RegExp(`Unknown command "${word}"`));
  }
});

Deno.test("enable --dry-run prints the unit and the commands and changes nothing", async () => {
  const ctx = fakeContext();
  const r = await runCli([
    "enable",
    "web",
    "--dry-run",
    "--",
    "sh",
    "-c",
    "echo 'hi'",
  ], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /write \/home\/alice\/\.config\/systemd\/user\/autostart-web\.service/,
  );
  assertMatch(r.stdout, /ExecStart="\/.*\/sh" "-c" "echo 'hi'"/);
  assertMatch(r.stdout, /run systemctl --user daemon-reload/);
  // Only the read-only version query (for the crash-loop backoff) was run.
  assertEquals(ctx.runner.lines(), ["systemctl --version"]);
  assertEquals(ctx.fs.files.size, 0);
});

Deno.test("enable then status then disable, through a recording runner", async () => {
  const ctx = fakeContext();
  const r = await runCli(["enable", "web", "--json", "--", "sh"], ctx);
  assertEquals(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assertEquals([doc.ok, doc.driver, doc.condition, doc.keepAlive], [
    true,
    "systemd",
    "login",
    "on-failure",
  ]);
  assertEquals(
    doc.file,
    "/home/alice/.config/systemd/user/autostart-web.service",
  );
  assertOk(ctx.fs.files.has(doc.file));
  const d = await runCli(["disable", "web"], ctx);
  assertEquals(d.code, 0, d.stderr);
  assertEquals(ctx.fs.files.has(doc.file), false);
});

Deno.test("bad input exits 2 with a one-line reason and writes nothing", async () => {
  const cases = [
    ["enable", "", "--", "sh"],
    ["enable", "../x", "--", "sh"],
    ["enable", "a/b", "--", "sh"],
    ["enable", "a b", "--", "sh"],
    ["enable", "x".repeat(201), "--", "sh"],
    ["enable", "ok", "--condition=sometimes", "--", "sh"],
    ["enable", "ok", "--keep-alive=maybe", "--", "sh"],
    ["enable", "ok"],
    ["enable", "ok", "--"],
    ["enable", "ok", "extra", "--", "sh"],
    ["enable", "ok", "--restart-delay=soon", "--", "sh"],
    ["enable", "ok", "--path=sometimes", "--", "sh"],
    ["enable", "ok", "--bogus", "--", "sh"],
    ["enable", "ok", "--env", "A", "--", "sh"],
    ["enable", "ok", "--", "no-such-program-xyz"],
    ["disable"],
    ["status", "../x"],
  ];
  for (const c of cases) {
    const ctx = fakeContext();
    const r = await runCli(c, ctx);
    assertEquals(r.code, 2, `${JSON.stringify(c).slice(0, 80)}: ${r.stderr}`);
    assertMatch(r.stderr.split("\n")[0]!, /^error: .+/);
    assertEquals(ctx.fs.files.size, 0);
    assertEquals(ctx.runner.calls.length, 0);
  }
});

Deno.test("an init-system failure exits 1 with the command and what it said", async () => {
  const ctx = fakeContext();
  ctx.runner.on(["systemctl", "--user", "--no-block", "restart"], {
    code: 1,
    stderr:
      "Job for autostart-web.service failed because the control process exited with error code.",
  });
  const r = await runCli(["enable", "web", "--", "sh"], ctx);
  assertEquals(r.code, 1);
  assertMatch(
    r.stderr,
    /Cannot start the service: systemctl --user --no-block restart autostart-web\.service exited with code 1: Job for/,
  );
  assertEquals(ctx.fs.files.size, 0, "rolled back");
});

Deno.test("unsupported platform exits 3 and names what is supported", async () => {
  const r = await runCli(
    ["enable", "web", "--", "sh"],
    fakeContext({ os: "windows" }),
  );
  assertEquals(r.code, 3);
  assertMatch(r.stderr, /supported: Linux with systemd/);
});

Deno.test("drivers --json lists every driver with availability", async () => {
  const r = await runCli(["drivers", "--json"], fakeContext());
  const doc = JSON.parse(r.stdout);
  const sd = doc.drivers.find((d: { id: string }) => d.id === "systemd");
  assertEquals(sd.conditions, ["login", "boot"]);
  assertEquals(sd.keepAlive, ["false", "on-failure", "always"]);
  assertEquals(sd.available, true);
  const un = doc.drivers.find((d: { id: string }) => d.id === "unsupported");
  assertEquals(un.available, false);
});

Deno.test("status with nothing managed says how to add a service", async () => {
  const r = await runCli(["status"], fakeContext());
  assertEquals(r.code, 0);
  assertMatch(r.stdout, /No services are managed by autostart/);
  const j = JSON.parse(
    (await runCli(["status", "--json"], fakeContext())).stdout,
  );
  assertEquals(j, { schemaVersion: 1, services: [], missing: [] });
});
