// Safety behaviour of the command line, in-process: enable of the same spec is a no-op
// that says so (and starts a stopped service), a hand-edited unit is replaced with a
// note and a backup, a run killed half-way is redone in full, a held lock ends in a
// clear "busy" error, and runner calls are argv arrays (never a shell). (Root-run
// programs that another user could replace: core/spec/resolve_test.ts.)
import {
  assertEquals,
  assertMatch,
  assertNoMatch,
  assertOk,
} from "../assert.ts";
import { BACKUP_SUFFIX } from "../../core/apply.ts";
import { FakeRunner } from "../../core/fake.ts";
import { memoryLocker, pendingPath } from "../../core/lock.ts";
import { fakeContext, ROOT, runCli } from "../helpers.ts";

const UNIT = "/home/alice/.config/systemd/user/autostart-web.service";
const CMD = ["enable", "web", "--", "/usr/bin/python3", "-m", "http.server"];

/** A runner whose `systemctl show` reports the unit in the given state. */
function systemd(state: { active: string; enabled: boolean }) {
  return new FakeRunner([{
    match: (a) => a.includes("show"),
    result: {
      stdout: [
        "Id=autostart-web.service",
        "LoadState=loaded",
        `ActiveState=${state.active}`,
        `SubState=${state.active === "active" ? "running" : "dead"}`,
        `UnitFileState=${state.enabled ? "enabled" : "disabled"}`,
        `MainPID=${state.active === "active" ? 42 : 0}`,
        "NRestarts=0",
        "",
      ].join("\n"),
    },
  }]);
}

async function installed(runner: FakeRunner) {
  const ctx = fakeContext({ runner, lock: memoryLocker() });
  assertEquals((await runCli(CMD, ctx)).code, 0);
  runner.calls.length = 0;
  return ctx;
}

Deno.test("enable of the same spec says up to date and runs no daemon-reload", async () => {
  const ctx = await installed(systemd({ active: "active", enabled: true }));
  const before = ctx.fs.snapshot();
  const r = await runCli(CMD, ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /"web" is already enabled and up to date/);
  assertEquals(
    ctx.runner.lines().filter((l) => !l.includes(" show ")),
    [],
    "only status was read",
  );
  assertEquals(ctx.fs.snapshot(), before);
  const j = JSON.parse(
    (await runCli([...CMD.slice(0, 2), "--json", ...CMD.slice(2)], ctx)).stdout,
  );
  assertEquals([j.upToDate, j.startedNow], [true, false]);
});

Deno.test("enable of the same spec starts a stopped service, without a reload", async () => {
  const ctx = await installed(systemd({ active: "inactive", enabled: true }));
  const r = await runCli(CMD, ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /already enabled and up to date.*started it now/);
  assertEquals(ctx.runner.lines().filter((l) => !l.includes(" show ")), [
    "systemctl --user reset-failed autostart-web.service",
    // Ends a crash-loop pause of systemd < 254 (none here): a start is not a crash.
    "systemctl --user kill --kill-who=control --signal=SIGTERM autostart-web.service",
    "systemctl --user --no-block start autostart-web.service",
  ]);
  ctx.runner.calls.length = 0;
  const n = await runCli(
    [
      "enable",
      "web",
      "--no-start",
      "--",
      "/usr/bin/python3",
      "-m",
      "http.server",
    ],
    ctx,
  );
  assertEquals(n.code, 0);
  // --no-start is another spec only in "start"; the file is the same
  assertMatch(n.stdout, /already enabled and up to date/);
  assertEquals(
    ctx.runner.lines().filter((l) =>
      !l.includes(" show ") && l !== "systemctl --version"
    ),
    [],
  );
});

Deno.test("enable redoes everything when the unit is not enabled or a run was interrupted", async () => {
  const ctx = await installed(systemd({ active: "active", enabled: false }));
  assertEquals((await runCli(CMD, ctx)).code, 0);
  assertOk(ctx.runner.lines().includes("systemctl --user daemon-reload"));

  const ctx2 = await installed(systemd({ active: "active", enabled: true }));
  const marker = pendingPath("login", ctx2, "systemd", "web");
  await ctx2.fs.mkdirp("/run/user/1000/autostart");
  await ctx2.fs.writeAtomic(marker, "1\n", { mode: 0o600 });
  const r = await runCli(CMD, ctx2);
  assertEquals(r.code, 0);
  assertNoMatch(r.stdout, /up to date/);
  assertOk(ctx2.runner.lines().includes("systemctl --user daemon-reload"));
  assertEquals(await ctx2.fs.exists(marker), false, "marker cleared");
});

Deno.test("enable over a hand-edited unit replaces the edits, says so, keeps a backup", async () => {
  const ctx = await installed(systemd({ active: "active", enabled: true }));
  const edited = ctx.fs.files.get(UNIT)!.content.replace(
    "[Service]",
    "[Service]\nNice=5",
  );
  ctx.fs.files.get(UNIT)!.content = edited;
  const r = await runCli(CMD, ctx);
  assertEquals(r.code, 0, r.stderr);
  assertNoMatch(r.stdout, /up to date/);
  assertMatch(
    r.stdout,
    /had been edited by hand; the edits were replaced \(the edited file was kept as .*autostart-web\.service\.autostart-backup\)/,
  );
  assertEquals(ctx.fs.files.get(UNIT + BACKUP_SUFFIX)?.content, edited);
  assertNoMatch(ctx.fs.files.get(UNIT)!.content, /Nice=5/);
  assertOk(ctx.runner.lines().includes("systemctl --user daemon-reload"));
});

Deno.test("enable and disable end in a clear busy error when the lock stays taken", async () => {
  const lock = memoryLocker();
  const ctx = fakeContext({
    lock,
    env: { ...fakeContext().env, AUTOSTART_LOCK_TIMEOUT: "50ms" },
  });
  const held = await lock("/run/user/1000/autostart/lock", { timeoutMs: 10 });
  const r = await runCli(CMD, ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /^error: Another autostart is changing services/);
  assertEquals(ctx.fs.snapshot(), {}, "nothing written");
  assertEquals(
    ctx.runner.lines().filter((l) =>
      !l.includes(" show ") && l !== "systemctl --version"
    ),
    [],
  );
  await held.release();
  assertEquals((await runCli(CMD, ctx)).code, 0);
});

Deno.test("runner calls are argv arrays of systemctl, never a shell", async () => {
  const ctx = await installed(systemd({ active: "active", enabled: true }));
  const evil = "$(touch /tmp/pwned); `id` && rm -rf / | sh -c x";
  for (
    const argv of [
      ["enable", "web", "--env", `E=${evil}`, "--", "/usr/bin/python3", evil],
      ["stop", "web"],
      ["start", "web"],
      ["restart", "web"],
      ["status"],
      ["disable", "web"],
    ]
  ) {
    assertEquals((await runCli(argv, ctx)).code, 0, argv.join(" "));
  }
  assertOk(ctx.runner.calls.length > 5);
  for (const { argv } of ctx.runner.calls) {
    assertOk(Array.isArray(argv));
    assertOk(["systemctl", "getent"].includes(argv[0]!), argv.join(" "));
    assertOk(!argv.includes("-c"), argv.join(" "));
    assertOk(
      !argv.some((a) => a.includes(evil)),
      "user strings never reach argv",
    );
  }
});

/**
 * Files that write a shell command line into a service file (run by the init system as
 * the service's user, never by autostart): launchd's env-file wrapper, the wrapper
 * that rotates a LaunchAgent's log (a fixed script; user strings only as arguments),
 * and the runit and OpenRC scripts, which set a service user's environment in a shell
 * of that user.
 */
const SERVICE_COMMAND_BUILDERS = new Set([
  "core/env_file.ts",
  "templates/launchd_log_wrapper.ts",
  "templates/runit_scripts.ts",
  "templates/openrc_script.ts",
]);

/**
 * The `.ts` files in `dir` (relative to ROOT); with `deep`, in its subfolders too (a
 * driver is a folder: drivers/systemd/, drivers/launchd/).
 */
async function* sourceFiles(
  dir: string,
  deep: boolean,
): AsyncGenerator<string> {
  for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
    if (e.isDirectory && deep) yield* sourceFiles(`${dir}/${e.name}`, deep);
    else if (e.isFile && e.name.endsWith(".ts")) yield `${dir}/${e.name}`;
  }
}

Deno.test("runtime code never starts a shell", async () => {
  // Files that render a shell for the init system to run, with a fixed script and no
  // user string (the crash-loop backoff of systemd < 254): autostart itself runs none.
  const renders = new Set(["templates/systemd_unit.ts"]);
  const found: string[] = [];
  for (const dir of ["core", "cli", "drivers", "templates"]) {
    for await (const file of sourceFiles(dir, dir === "drivers")) {
      if (file.endsWith("_test.ts")) continue;
      if (file.endsWith("/_testing.ts")) continue; // helpers of the tests beside it
      if (SERVICE_COMMAND_BUILDERS.has(file)) continue;
      const text = await Deno.readTextFile(`${ROOT}${file}`);
      for (
        const re of [/["'`](ba|z|da)?sh["'`]/, /["'`]-c["'`]/, /\bsh -c\b/]
      ) {
        if (renders.has(file) && re.source === "\\bsh -c\\b") continue;
        if (re.test(text)) found.push(`${file}: ${re}`);
      }
    }
  }
  assertEquals(found, []);
});
