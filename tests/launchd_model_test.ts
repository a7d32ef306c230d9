/**
 * The launchd model's own behaviour, each as its source documents it (see
 * tests/fixtures/launchctl/README.md): the model is only worth what it copies.
 */

import { assertEquals, assertMatch } from "./assert.ts";
import { MemoryFs } from "../core/fake.ts";
import { userLookup } from "../core/context.ts";
import { parsePrint, toLaunchdStatus } from "../drivers/launchd/mod.ts";
import { LaunchdModel, MAC_ALICE } from "./launchd_model.ts";

const AGENT = "/Users/alice/Library/LaunchAgents/x.plist";
const DAEMON = "/Library/LaunchDaemons/x.plist";

function plist(extra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>Label</key><string>x</string>
<key>ProgramArguments</key><array><string>/bin/sleep</string><string>1000</string></array>
<key>RunAtLoad</key><true/>${extra}
</dict></plist>
`;
}

function model(uid = 501, extra = ""): LaunchdModel {
  const fs = new MemoryFs({ "/bin/launchctl": "" });
  fs.files.set(AGENT, { content: plist(extra), mode: 0o644 });
  fs.files.set(DAEMON, {
    content: plist(extra),
    mode: 0o644,
    owner: { uid: 0, gid: 0 },
  });
  return new LaunchdModel({ uid, fs });
}

const lc = (m: LaunchdModel, ...args: string[]) =>
  m.runner.run(["launchctl", ...args]);

Deno.test("launchd model: bootstrap starts a RunAtLoad job; print is built from its state", async () => {
  const m = model();
  assertEquals((await lc(m, "bootstrap", "gui/501", AGENT)).code, 0);
  const p = await lc(m, "print", "gui/501/x");
  assertEquals(p.code, 0);
  const f = parsePrint(p.stdout);
  assertEquals([f.get("state"), f.get("runs"), f.get("exit timeout")], [
    "running",
    "1",
    "5",
  ]);
  const st = toLaunchdStatus(
    p,
    {
      name: "x",
      condition: "login",
      unit: "x",
      file: AGENT,
      drifted: false,
    },
    "launchd-agent",
    true,
  );
  assertEquals([st.state, st.pid], ["running", Number(f.get("pid"))]);
  // Already loaded: 5.
  assertMatch(
    (await lc(m, "bootstrap", "gui/501", AGENT)).stderr,
    /Bootstrap failed: 5: Input\/output error/,
  );
});

Deno.test("launchd model: a daemon just loaded prints as the real one does (print_daemon_running.txt)", async () => {
  const m = model(0);
  await lc(m, "bootstrap", "system", DAEMON);
  const ours = parsePrint((await lc(m, "print", "system/x")).stdout);
  const real = parsePrint(
    Deno.readTextFileSync(
      new URL(
        "./fixtures/launchctl/print_daemon_running.txt",
        import.meta.url,
      ),
    ),
  );
  for (
    const key of [
      "active count",
      "type",
      "state",
      "domain",
      "exit timeout",
      "runs",
      "last exit code",
    ]
  ) {
    assertEquals(ours.get(key), real.get(key), key);
  }
  assertMatch(ours.get("pid") ?? "", /^\d+$/);
});

Deno.test("launchd model: bootout is asynchronous; bootstrap answers 5 (root: 5 or 37) until launchd let the job go", async () => {
  for (
    const [uid, busyCode, busy] of [
      [501, 5, 5],
      [501, 37, 5],
      [0, 5, 5],
      [0, 37, 37],
    ] as const
  ) {
    const fs = new MemoryFs({ [AGENT]: plist() });
    const m = new LaunchdModel({ fs, uid, busyCode, settleMs: 1000 })
      .program("x", { stopMs: 3000 });
    await lc(m, "bootstrap", "gui/501", AGENT);
    assertEquals((await lc(m, "bootout", "gui/501/x")).code, 0);
    // Still there: print answers, a second bootout is "in progress", bootstrap fails.
    assertEquals((await lc(m, "print", "gui/501/x")).code, 0);
    assertEquals((await lc(m, "bootout", "gui/501/x")).code, 36);
    assertEquals((await lc(m, "bootstrap", "gui/501", AGENT)).code, busy);
    await m.advance(3000);
    assertEquals(m.ended.map((e) => e.signal), [15]);
    assertEquals((await lc(m, "bootstrap", "gui/501", AGENT)).code, busy);
    await m.advance(1000);
    assertEquals((await lc(m, "print", "gui/501/x")).code, 113);
    assertEquals((await lc(m, "bootstrap", "gui/501", AGENT)).code, 0);
  }
});

Deno.test("launchd model: a job that ignores SIGTERM is killed after ExitTimeOut (default 5 s)", async () => {
  for (
    const [extra, killAt] of [["", 5000], [
      "<key>ExitTimeOut</key><integer>20</integer>",
      20000,
    ]] as const
  ) {
    const m = model(501, extra).program("x", { stopMs: Infinity });
    await lc(m, "bootstrap", "gui/501", AGENT);
    const t0 = m.now;
    await lc(m, "bootout", "gui/501/x");
    await m.advance(60_000);
    assertEquals(m.ended.map((e) => [e.signal, e.at - t0]), [[9, killAt]]);
  }
  // ExitTimeOut 0 is "infinity" (launchd.plist(5)): never SIGKILLed.
  const never = model(501, "<key>ExitTimeOut</key><integer>0</integer>")
    .program("x", { stopMs: Infinity });
  await lc(never, "bootstrap", "gui/501", AGENT);
  await lc(never, "bootout", "gui/501/x");
  await never.advance(3_600_000);
  assertEquals(never.ended, []);
  assertEquals((await lc(never, "print", "gui/501/x")).code, 0);
  // One that needs 8 s, with ExitTimeOut 20: ends on SIGTERM.
  const m = model(501, "<key>ExitTimeOut</key><integer>20</integer>")
    .program("x", { stopMs: 8000 });
  await lc(m, "bootstrap", "gui/501", AGENT);
  await lc(m, "bootout", "gui/501/x");
  await m.advance(60_000);
  assertEquals(m.ended.map((e) => e.signal), [15]);
});

Deno.test("launchd model: the override database persists across bootstrap; a disabled label cannot be loaded", async () => {
  const m = model();
  assertEquals((await lc(m, "disable", "gui/501/x")).code, 0);
  const r = await lc(m, "bootstrap", "gui/501", AGENT);
  assertEquals(r.code, 5);
  assertMatch(
    (await lc(m, "print-disabled", "gui/501")).stdout,
    /"x" => disabled/,
  );
  await lc(m, "enable", "gui/501/x");
  assertEquals((await lc(m, "bootstrap", "gui/501", AGENT)).code, 0);
  await lc(m, "bootout", "gui/501/x");
  await m.advance(5000);
  assertMatch(
    (await lc(m, "print-disabled", "gui/501")).stdout,
    /"x" => enabled/,
  );
});

Deno.test("launchd model: LaunchDaemons must be owned by root and not writable by others; system needs root", async () => {
  const m = model(0);
  const fs = m.fs as MemoryFs;
  assertEquals((await lc(m, "bootstrap", "system", DAEMON)).code, 0);
  await lc(m, "bootout", "system/x");
  await m.advance(5000);
  for (
    const f of [
      { mode: 0o644, owner: { uid: 501, gid: 20 } },
      { mode: 0o664, owner: { uid: 0, gid: 0 } },
      { mode: 0o646, owner: { uid: 0, gid: 0 } },
    ]
  ) {
    fs.files.set(DAEMON, { content: plist(), ...f });
    const r = await lc(m, "bootstrap", "system", DAEMON);
    assertEquals(r.code, 122, JSON.stringify(f));
    assertMatch(r.stderr, /bad ownership\/permissions/);
  }
  const user = model(501);
  assertEquals((await lc(user, "bootstrap", "system", DAEMON)).code, 1);
  assertEquals((await lc(user, "enable", "system/x")).code, 1);
  // print needs no root.
  assertEquals((await lc(user, "print", "system/x")).code, 113);
});

Deno.test("launchd model: gui/UID without a desktop session takes no jobs: bootstrap 125 to root, 5 to the user; bootout/enable/kickstart 125", async () => {
  const m = model();
  m.guiSession = false;
  const r = await lc(m, "bootstrap", "gui/501", AGENT);
  assertEquals(r.code, 5);
  assertMatch(r.stderr, /as root for richer errors/);
  const root = model(0);
  root.guiSession = false;
  const rr = await lc(root, "bootstrap", "gui/501", AGENT);
  assertEquals(rr.code, 125);
  assertMatch(rr.stderr, /Domain does not support specified action/);
  // root has no desktop session of its own.
  assertEquals((await lc(model(0), "bootstrap", "gui/0", AGENT)).code, 125);
  // bootout, enable, kickstart there: 125 (Homebrew's stop expects it from bootout).
  for (const sub of ["bootout", "enable", "kickstart"]) {
    const x = await lc(m, sub, "gui/501/x");
    assertEquals(x.code, 125, sub);
    assertMatch(x.stderr, /125: Domain does not support specified action/);
  }
  // print still answers (113: nothing loaded there).
  assertEquals((await lc(m, "print", "gui/501/x")).code, 113);
});

Deno.test("launchd model: only root is told why bootstrap failed; a user gets 5", async () => {
  const user = model();
  const fs = user.fs as MemoryFs;
  fs.files.set(AGENT, { content: plist(), mode: 0o666 });
  const r = await lc(user, "bootstrap", "gui/501", AGENT);
  assertEquals(r.code, 5);
  assertMatch(r.stderr, /Bootstrap failed: 5: Input\/output error/);
  const root = model(0);
  (root.fs as MemoryFs).files.set(AGENT, { content: plist(), mode: 0o666 });
  assertEquals((await lc(root, "bootstrap", "gui/501", AGENT)).code, 122);
});

Deno.test("launchd model: a killed KeepAlive job is respawned after ThrottleInterval; kickstart -k restarts", async () => {
  const m = model(501, "<key>KeepAlive</key><true/>");
  await lc(m, "bootstrap", "gui/501", AGENT);
  await m.kill("gui/501/x");
  assertEquals(
    parsePrint((await lc(m, "print", "gui/501/x")).stdout).get("state"),
    "spawn scheduled",
  );
  await m.advance(10_000);
  const f = parsePrint((await lc(m, "print", "gui/501/x")).stdout);
  assertEquals([f.get("state"), f.get("runs")], ["running", "2"]);
  assertEquals((await lc(m, "kickstart", "-k", "gui/501/x")).code, 0);
  assertEquals(
    parsePrint((await lc(m, "print", "gui/501/x")).stdout).get("runs"),
    "3",
  );
  assertEquals((await lc(m, "kickstart", "gui/501/nope")).code, 113);
});

Deno.test("launchd model: dscl and id answer for Open Directory users as on macOS", async () => {
  const m = new LaunchdModel({
    users: [{ ...MAC_ALICE, home: "/Users/Alice Smith" }],
  });
  const r = await m.runner.run([
    "dscl",
    ".",
    "-read",
    "/Users/alice",
    "UniqueID",
    "NFSHomeDirectory",
  ]);
  assertEquals(
    r.stdout,
    "NFSHomeDirectory:\n /Users/Alice Smith\nUniqueID: 501\n",
  );
  assertEquals(
    await userLookup("darwin", m.runner, m.fs)("alice"),
    { ...MAC_ALICE, home: "/Users/Alice Smith" },
  );
  const none = await m.runner.run(["dscl", ".", "-read", "/Users/bob"]);
  assertEquals(none.code, 56);
  assertEquals(
    (await m.runner.run(["id"])).stdout.startsWith(
      "uid=501(alice) gid=20(staff)",
    ),
    true,
  );
});

Deno.test("launchd model: an agent plist that runs its program through the log wrapper (golden) loads and runs; print reads the same", async () => {
  const golden = await Deno.readTextFile(
    new URL("./golden/launchd/agent-always.plist", import.meta.url),
  );
  const path =
    "/Users/alice/Library/LaunchAgents/dev.autostart.web.app_1.plist";
  const fs = new MemoryFs({ "/bin/launchctl": "" });
  fs.files.set(path, { content: golden, mode: 0o644 });
  const m = new LaunchdModel({ uid: 501, fs });
  assertEquals((await lc(m, "bootstrap", "gui/501", path)).code, 0);
  const p = await lc(m, "print", "gui/501/dev.autostart.web.app_1");
  const f = parsePrint(p.stdout);
  assertEquals([f.get("state"), f.get("program")], ["running", "/bin/sh"]);
  assertEquals(
    f.get("stdout path"),
    "/Users/alice/Library/Logs/autostart/web.app_1.log",
  );
  const st = toLaunchdStatus(
    p,
    {
      name: "web.app_1",
      condition: "login",
      unit: "dev.autostart.web.app_1",
      file: path,
      drifted: false,
    },
    "launchd-agent",
    true,
  );
  assertEquals([st.state, st.pid], ["running", Number(f.get("pid"))]);
});
