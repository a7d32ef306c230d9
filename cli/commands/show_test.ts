// show: what a service runs, read back from its file; secret-looking values masked
// unless --reveal (in the listing, the JSON and --file); a re-enable lists what changed.
import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { MemoryFs } from "../../core/fake.ts";
import { SystemdModel } from "../../tests/faults/systemd_model.ts";
import { fakeContext, runCli } from "../../tests/helpers.ts";

function machine() {
  const fs = new MemoryFs();
  const model = new SystemdModel(fs, "/home/alice/.config/systemd/user");
  return fakeContext({ fs, runner: model.runner as never });
}

const W2 = [
  "enable",
  "w2",
  "--no-wait",
  "--cwd",
  "/tmp",
  "--env",
  "API_TOKEN=tok-123456",
  "--env",
  "DB_PASSWORD=pw 'quoted'",
  "--env",
  "MODE=fast",
  "--",
  "/bin/sh",
  "-c",
  "exec sleep 100",
];

Deno.test("show lists command, directory, environment (secrets masked), policy and file", async () => {
  const ctx = machine();
  assertEquals((await runCli(W2, ctx)).code, 0);
  const r = await runCli(["show", "w2"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /^w2 \(systemd, login\)\n/);
  assertMatch(r.stdout, /command:\s+\/bin\/sh -c 'exec sleep 100'\n/);
  assertMatch(r.stdout, /working dir:\s+\/tmp\n/);
  assertMatch(
    r.stdout,
    /environment:\s+API_TOKEN=\*{8}\n\s+DB_PASSWORD=\*{8}\n\s+MODE=fast\n/,
  );
  assertMatch(r.stdout, /keep-alive:\s+on-failure/);
  assertMatch(r.stdout, /restart delay:\s+2s/);
  assertMatch(
    r.stdout,
    /file:\s+\/home\/alice\/\.config\/systemd\/user\/autostart-w2\.service/,
  );
  assertOk(
    !r.stdout.includes("tok-123456") && !r.stdout.includes("pw "),
    r.stdout,
  );
  const rev = await runCli(["show", "w2", "--reveal"], ctx);
  assertMatch(rev.stdout, /API_TOKEN=tok-123456\n/);
  assertMatch(rev.stdout, /DB_PASSWORD='pw '\\''quoted'\\'''\n/);
});

Deno.test("show --json gives the fields, masked unless --reveal; --file prints the unit", async () => {
  const ctx = machine();
  await runCli(W2, ctx);
  const j = JSON.parse((await runCli(["show", "w2", "--json"], ctx)).stdout);
  assertEquals(j.command, ["/bin/sh", "-c", "exec sleep 100"]);
  assertEquals(j.cwd, "/tmp");
  assertEquals(j.env.API_TOKEN, "********");
  assertEquals(j.env.MODE, "fast");
  assertEquals(j.masked, ["API_TOKEN", "DB_PASSWORD"]);
  const jr = JSON.parse(
    (await runCli(["show", "w2", "--json", "--reveal"], ctx)).stdout,
  );
  assertEquals(jr.env.DB_PASSWORD, "pw 'quoted'");
  const unit = ctx.fs.files.get(
    "/home/alice/.config/systemd/user/autostart-w2.service",
  )!.content;
  const f = await runCli(["show", "w2", "--file", "--reveal"], ctx);
  assertEquals(f.stdout, unit);
  const masked = await runCli(["show", "w2", "--file"], ctx);
  assertEquals(masked.code, 0);
  assertOk(!masked.stdout.includes("tok-123456"), masked.stdout);
  assertOk(!masked.stdout.includes("pw 'quoted'"), masked.stdout);
  assertMatch(masked.stderr, /API_TOKEN, DB_PASSWORD are masked/);
  const missing = await runCli(["show", "nosuch"], ctx);
  assertEquals(missing.code, 1);
});

Deno.test("re-enable prints what changed, field by field, secrets masked", async () => {
  const ctx = machine();
  await runCli(W2, ctx);
  const r = await runCli(
    ["enable", "w2", "--no-wait", "--", "/bin/sh", "-c", "exec sleep 100", "x"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /^Changes to the installed service:\n/);
  assertMatch(
    r.stdout,
    /command: \["\/bin\/sh","-c","exec sleep 100"\] -> \["\/bin\/sh","-c","exec sleep 100","x"\]/,
  );
  assertMatch(r.stdout, /cwd: \/tmp -> \(not set\)/);
  assertMatch(r.stdout, /env\.API_TOKEN: \*{8} -> \(not set\)/);
  assertMatch(r.stdout, /env\.MODE: fast -> \(not set\)/);
  assertOk(!r.stdout.includes("tok-123456"));
  const j = JSON.parse(
    (await runCli([
      "enable",
      "w2",
      "--no-wait",
      "--json",
      "--",
      "/bin/sh",
      "-c",
      "exec sleep 100",
    ], ctx)).stdout,
  );
  assertEquals(j.action, "updated");
  assertEquals(j.changes, [{
    field: "command",
    before: '["/bin/sh","-c","exec sleep 100","x"]',
    after: '["/bin/sh","-c","exec sleep 100"]',
  }]);
  const same = await runCli(
    ["enable", "w2", "--no-wait", "--", "/bin/sh", "-c", "exec sleep 100"],
    ctx,
  );
  assertMatch(same.stdout, /already enabled and up to date/);
  assertOk(!same.stdout.includes("Changes"));
});

Deno.test("a re-enable says what it replaces before replacing it, even when the replacement fails", async () => {
  const fs = new MemoryFs();
  const model = new SystemdModel(fs, "/home/alice/.config/systemd/user");
  const ctx = fakeContext({ fs, runner: model.runner as never });
  assertEquals((await runCli(W2, ctx)).code, 0);
  const unit = "/home/alice/.config/systemd/user/autostart-w2.service";
  const before = fs.files.get(unit)!.content;
  // The write of the new unit fails.
  fs.failOn = (op, path) => op === "write" && path === unit;
  const r = await runCli(
    ["enable", "w2", "--no-wait", "--", "/bin/sh", "-c", "exec sleep 200"],
    ctx,
  );
  assertEquals(r.code, 1, r.stderr);
  assertMatch(r.stdout, /^Changes to the installed service:\n\s+command: /);
  assertEquals(fs.files.get(unit)!.content, before, "rolled back");
});

Deno.test("show gives the backoff cap read from the unit; a re-enable that changes only the cap lists it", async () => {
  const ctx = machine();
  const argv = (max: string) => [
    "enable",
    "w3",
    "--no-wait",
    "--restart-max-delay",
    max,
    "--",
    "/bin/sleep",
    "100",
  ];
  assertEquals((await runCli(argv("5m"), ctx)).code, 0);
  const r = await runCli(["show", "w3"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /max delay:\s+5m \(crash loops back off\)\n/);
  const j = JSON.parse((await runCli(["show", "w3", "--json"], ctx)).stdout);
  assertEquals(j.restartMaxDelayMs, 300_000);
  // A cap equal to the delay turns the backoff off, and show says so.
  const off = await runCli(["enable", "--json", ...argv("2s").slice(1)], ctx);
  assertEquals(off.code, 0, off.stderr);
  assertEquals(JSON.parse(off.stdout).changes, [{
    field: "restartMaxDelay",
    before: "300000ms",
    after: "2000ms",
  }]);
  const s = await runCli(["show", "w3"], ctx);
  assertMatch(s.stdout, /max delay:\s+2s \(no backoff\)\n/);
});

Deno.test("show lists the variables of the env-file copy (masked unless --reveal), and its path; --json too", async () => {
  const ctx = machine();
  const src = "/home/alice/wf.env"; // read through the context's file system
  const copy = "/home/alice/.config/autostart/env/wf.env";
  ctx.fs.files.set(src, {
    content: "API_TOKEN=tok-999999\nMODE=fast\n",
    mode: 0o600,
  });
  const en = await runCli(
    ["enable", "wf", "--no-wait", "--env-file", src, "--", "/bin/sleep", "9"],
    ctx,
  );
  assertEquals(en.code, 0, en.stderr);
  const r = await runCli(["show", "wf"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    new RegExp(
      `env file:\\s+${copy}\\n\\s+API_TOKEN=\\*{8}\\n\\s+MODE=fast\\n`,
    ),
  );
  assertEquals(r.stdout.includes("tok-999999"), false, r.stdout);
  assertMatch(r.stdout, /masked; add --reveal/);
  const rev = await runCli(["show", "wf", "--reveal"], ctx);
  assertMatch(rev.stdout, /API_TOKEN=tok-999999\n/);
  const j = JSON.parse((await runCli(["show", "wf", "--json"], ctx)).stdout);
  assertEquals(j.envFile, {
    path: copy,
    readable: true,
    env: { API_TOKEN: "********", MODE: "fast" },
  });
  assertEquals(j.masked, ["API_TOKEN"]);
  const jr = JSON.parse(
    (await runCli(["show", "wf", "--json", "--reveal"], ctx)).stdout,
  );
  assertEquals(jr.envFile.env.API_TOKEN, "tok-999999");
  // A copy this user cannot read (a boot service's, shown without root).
  ctx.fs.files.delete(copy);
  const gone = await runCli(["show", "wf"], ctx);
  assertMatch(
    gone.stdout,
    new RegExp(`env file:\\s+${copy} \\(not readable by you\\)`),
  );
  const gj = JSON.parse((await runCli(["show", "wf", "--json"], ctx)).stdout);
  assertEquals(gj.envFile, { path: copy, readable: false, env: null });
});
