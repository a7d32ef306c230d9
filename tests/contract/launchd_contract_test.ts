/**
 * The launchd drivers through the CLI, against the launchd model (tests/launchd_model.ts):
 * launchd's own behaviour decides each answer (asynchronous bootout, exit timeout,
 * overrides, ownership checks, Open Directory users), not a script of what autostart
 * expects. Each finding of issue 14 has a test here that fails on the code before the
 * fix.
 */

import { parse } from "plist";
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { createContext } from "../../core/context.ts";
import { MemoryFs } from "../../core/fake.ts";
import {
  agentArgv,
  fixture,
  MAC_ALICE,
  macCli,
  type MacContext,
  macContext,
  macRootContext,
} from "../launchd_helpers.ts";
import { LaunchdModel } from "../launchd_model.ts";

const AGENTS = "/Users/alice/Library/LaunchAgents";
const PLIST = `${AGENTS}/dev.autostart.web.plist`;
const TARGET = "gui/501/dev.autostart.web";
const DAEMON = "/Library/LaunchDaemons/dev.autostart.web.plist";
const SYSTEM = "system/dev.autostart.web";

const enableWeb = (ctx: MacContext, ...extra: string[]) =>
  macCli(["enable", "web", ...extra, "--", "/bin/sh", "-c", "sleep 1000"], ctx);

async function statusOf(ctx: MacContext, ...extra: string[]) {
  const r = await macCli(["status", "--json", ...extra], ctx);
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).services[0];
}

Deno.test("launchd-agent on the model: enable, status, stop, start, restart, disable", async () => {
  const ctx = macContext();
  const en = await enableWeb(ctx, "--keep-alive=always");
  assertEquals(en.code, 0, en.stderr);
  assertMatch(en.stdout, /running now/);
  assertEquals(ctx.model.changes(), [
    `bootout ${TARGET}`,
    `enable ${TARGET}`,
    `bootstrap gui/501 ${PLIST}`,
  ]);
  const obj = parse(ctx.fs.files.get(PLIST)!.content) as Record<
    string,
    unknown
  >;
  // The model loads and runs the agent's plist, its log-rotating wrapper included.
  assertEquals(
    obj.ProgramArguments,
    agentArgv(["/bin/sh", "-c", "sleep 1000"]),
  );
  const pid = ctx.model.jobs.get(TARGET)!.pid;
  const st = await statusOf(ctx);
  assertEquals([st.state, st.pid, st.enabled], ["running", pid, true]);

  ctx.runner.calls.length = 0;
  assertEquals((await macCli(["stop", "web"], ctx)).code, 0);
  assertEquals(ctx.model.changes(), [`bootout ${TARGET}`]);
  // stop returns once launchd has let the job go.
  assertEquals(ctx.model.jobs.has(TARGET), false);
  assertEquals((await statusOf(ctx)).state, "not-loaded");
  assertOk(ctx.fs.files.has(PLIST), "stop keeps the plist");

  ctx.runner.calls.length = 0;
  assertEquals((await macCli(["start", "web"], ctx)).code, 0);
  assertEquals(ctx.model.changes(), [
    `enable ${TARGET}`,
    `bootstrap gui/501 ${PLIST}`,
    `kickstart ${TARGET}`,
  ]);
  assertEquals((await statusOf(ctx)).state, "running");

  ctx.runner.calls.length = 0;
  const before = ctx.model.jobs.get(TARGET)!.pid;
  const rs = await macCli(["restart", "web"], ctx);
  assertEquals(rs.code, 0, rs.stderr);
  assertEquals(ctx.model.changes(), [
    `enable ${TARGET}`,
    `kickstart -k ${TARGET}`,
  ]);
  assertOk(ctx.model.jobs.get(TARGET)!.pid !== before, "a new process");

  ctx.runner.calls.length = 0;
  const dis = await macCli(["disable", "web"], ctx);
  assertEquals(dis.code, 0, dis.stderr);
  assertEquals(ctx.model.changes(), [`bootout ${TARGET}`]);
  assertEquals(ctx.fs.files.has(PLIST), false);
  assertEquals(ctx.model.jobs.has(TARGET), false);
  assertEquals(
    JSON.parse((await macCli(["status", "--json"], ctx)).stdout).services,
    [],
  );
});

// A normal user is told 5 whatever launchd's reason (only root hears 37).
for (const busy of [5, 37] as const) {
  Deno.test(`re-enable of a running agent waits until launchd let the old job go (bootstrap answers 5 meanwhile; 37 to root), and ends running the new plist`, async () => {
    const ctx = macContext({}, { busyCode: busy });
    // The program needs 3 s to exit after SIGTERM (within the 5 s exit timeout).
    ctx.model.program("dev.autostart.web", { stopMs: 3000 });
    assertEquals((await enableWeb(ctx)).code, 0);
    const old = ctx.model.jobs.get(TARGET)!.pid;
    const again = await macCli(
      ["enable", "web", "--keep-alive=always", "--", "/bin/sh", "-x"],
      ctx,
    );
    assertEquals(again.code, 0, again.stderr);
    assertMatch(again.stdout, /Enabled "web".*running now/);
    const job = ctx.model.jobs.get(TARGET)!;
    assertEquals(job.state, "running");
    assertEquals(job.plist.KeepAlive, true);
    assertEquals(job.plist.ProgramArguments, agentArgv(["/bin/sh", "-x"]));
    // The old process ended on SIGTERM, not SIGKILL.
    assertEquals(
      ctx.model.ended.filter((e) => e.pid === old).map((e) => e.signal),
      [15],
    );
  });
}

Deno.test("re-enable waits as long as the job being replaced needs: its plist's ExitTimeOut (60 s) is longer than the new one's", async () => {
  const ctx = macContext();
  assertEquals((await enableWeb(ctx, "--stop-timeout", "60s")).code, 0);
  assertEquals(ctx.model.jobs.get(TARGET)!.plist.ExitTimeOut, 60);
  // It needs 40 s to exit after SIGTERM; the new version has the default timeout.
  ctx.model.program("dev.autostart.web", { stopMs: 40_000 });
  const old = ctx.model.jobs.get(TARGET)!.pid;
  const again = await macCli(["enable", "web", "--", "/bin/sh", "-x"], ctx);
  assertEquals(again.code, 0, again.stderr);
  const job = ctx.model.jobs.get(TARGET)!;
  assertEquals([job.state, job.plist.ProgramArguments], [
    "running",
    agentArgv(["/bin/sh", "-x"]),
  ]);
  assertEquals(
    ctx.model.ended.filter((e) => e.pid === old).map((e) => e.signal),
    [15],
  );
});

for (const busy of [5, 37] as const) {
  Deno.test(`re-enable of a running daemon (sudo) waits for the old job (bootstrap answers root ${busy} meanwhile) and ends running, root:wheel`, async () => {
    const ctx = macRootContext({}, { busyCode: busy });
    ctx.model.program("dev.autostart.web", { stopMs: 4000 });
    assertEquals((await enableWeb(ctx, "--condition=boot")).code, 0);
    const again = await macCli(
      ["enable", "web", "--condition=boot", "--", "/bin/sh", "-x"],
      ctx,
    );
    assertEquals(again.code, 0, again.stderr);
    const job = ctx.model.jobs.get(SYSTEM)!;
    assertEquals([job.state, job.plist.UserName, job.plist.GroupName], [
      "running",
      "alice",
      "staff",
    ]);
    assertEquals(ctx.fs.files.get(DAEMON)!.owner, { uid: 0, gid: 0 });
    const st = await statusOf(ctx, "web");
    assertEquals([st.state, st.enabled], ["running", true]);
  });
}

Deno.test("stop of a job with --stop-timeout 10m that needs 400 s: autostart waits as long as launchd gives it (exit timeout in print), and succeeds", async () => {
  const ctx = macContext();
  assertEquals((await enableWeb(ctx, "--stop-timeout", "10m")).code, 0);
  ctx.model.program("dev.autostart.web", { stopMs: 400_000 });
  const t0 = ctx.model.now;
  const r = await macCli(["stop", "web"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(ctx.model.jobs.has(TARGET), false);
  assertEquals(ctx.model.ended.map((e) => [e.signal, e.at - t0]), [[
    15,
    400_000,
  ]]);
  // The re-enable of such a job waits for it the same way.
  assertEquals((await macCli(["start", "web"], ctx)).code, 0);
  const again = await macCli(["enable", "web", "--", "/bin/sh", "-x"], ctx);
  assertEquals(again.code, 0, again.stderr);
  assertEquals(ctx.model.jobs.get(TARGET)!.state, "running");
});

Deno.test("a job that does not exit within its exit timeout is SIGKILLed by launchd; disable waits for that and removes the plist", async () => {
  const ctx = macContext();
  ctx.model.program("dev.autostart.web", { stopMs: Infinity });
  assertEquals((await enableWeb(ctx)).code, 0);
  const t0 = ctx.model.now;
  const dis = await macCli(["disable", "web"], ctx);
  assertEquals(dis.code, 0, dis.stderr);
  assertEquals(ctx.model.ended.map((e) => [e.signal, e.at - t0]), [[9, 5000]]);
  assertEquals(ctx.model.jobs.has(TARGET), false);
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("restart of a stopped service starts it once: bootstrap (RunAtLoad) without a kickstart -k that kills the new process", async () => {
  // launchctl(1): `kickstart -k` kills the running instance before starting it again;
  // right after bootstrap that is the process launchd has just started.
  const ctx = macContext();
  assertEquals((await enableWeb(ctx)).code, 0);
  assertEquals((await macCli(["stop", "web"], ctx)).code, 0);
  const ended = ctx.model.ended.length;
  ctx.runner.calls.length = 0;
  const r = await macCli(["restart", "web"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(ctx.model.changes(), [
    `enable ${TARGET}`,
    `bootstrap gui/501 ${PLIST}`,
  ]);
  const job = ctx.model.jobs.get(TARGET)!;
  assertEquals([job.state, job.runs], ["running", 1]);
  assertEquals(ctx.model.ended.length, ended, "no process was killed");
  // A loaded service is still restarted with kickstart -k, and not bootstrapped.
  ctx.runner.calls.length = 0;
  assertEquals((await macCli(["restart", "web"], ctx)).code, 0);
  assertEquals(ctx.model.changes(), [
    `enable ${TARGET}`,
    `kickstart -k ${TARGET}`,
  ]);
  assertEquals(ctx.model.jobs.get(TARGET)!.runs, 2);
});

Deno.test("start after disable --keep-files: enabled again, loaded and running", async () => {
  const ctx = macContext();
  assertEquals((await enableWeb(ctx)).code, 0);
  assertEquals((await macCli(["disable", "web", "--keep-files"], ctx)).code, 0);
  const off = await statusOf(ctx);
  assertEquals([off.state, off.enabled], ["not-loaded", false]);
  const r = await macCli(["start", "web"], ctx);
  assertEquals(r.code, 0, r.stderr);
  const on = await statusOf(ctx);
  assertEquals([on.state, on.enabled], ["running", true]);
});

Deno.test("sudo autostart enable --condition=boot finds the user in Open Directory (macOS's /etc/passwd lists no normal users)", async () => {
  // A Mac's /etc/passwd: system accounts only; alice lives in Open Directory.
  const fs = new MemoryFs({
    "/bin/launchctl": "",
    "/etc/passwd":
      "nobody:*:-2:-2:Unprivileged User:/var/empty:/usr/bin/false\nroot:*:0:0:System Administrator:/var/root:/bin/sh\n_www:*:70:70:World Wide Web Server:/Library/WebServer:/usr/bin/false\n",
    "/etc/group": "wheel:*:0:root\nstaff:*:20:root\n",
  });
  const model = new LaunchdModel({ uid: 0, fs });
  const ctx = await createContext({ runner: model.runner, fs, os: "darwin" });
  assertEquals([ctx.self.name, ctx.self.group], ["root", "wheel"]);
  assertEquals(await ctx.lookupUser("alice"), MAC_ALICE);
  const r = await model.cli(
    ["enable", "web", "--condition=boot", "--user", "alice", "--", "/bin/sh"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  const obj = parse(fs.files.get(DAEMON)!.content) as Record<string, unknown>;
  assertEquals([obj.UserName, obj.GroupName], ["alice", "staff"]);
  assertEquals(model.jobs.get(SYSTEM)?.state, "running");
  assertOk(
    !model.calls.some((c) => c.argv[0] === "getent"),
    "macOS has no getent",
  );
});

Deno.test("--force over a foreign plist keeps the backup outside the directories launchd reads", async () => {
  for (const ctx of [macContext(), macRootContext()]) {
    const daemon = ctx.self.uid === 0;
    const path = daemon ? DAEMON : PLIST;
    const dir = daemon
      ? "/Library/Application Support/autostart/backups"
      : "/Users/alice/Library/Application Support/autostart/backups";
    ctx.fs.dirs.add(path.slice(0, path.lastIndexOf("/")));
    ctx.fs.files.set(path, {
      content: "<plist><dict/></plist>",
      mode: 0o644,
      ...(daemon ? { owner: { uid: 0, gid: 0 } } : {}),
    });
    const r = await enableWeb(
      ctx,
      "--force",
      ...(daemon ? ["--condition=boot"] : []),
    );
    assertEquals(r.code, 0, r.stderr);
    const backup = `${dir}/dev.autostart.web.plist.autostart-backup`;
    assertEquals(ctx.fs.files.get(backup)?.content, "<plist><dict/></plist>");
    assertOk(r.stdout.includes(`kept as ${backup}`), r.stdout);
    assertEquals(
      await ctx.fs.list(path.slice(0, path.lastIndexOf("/"))),
      ["dev.autostart.web.plist"],
    );
  }
});

Deno.test("status reads a job whose arguments and environment end in { or start with }", async () => {
  const ctx = macContext();
  const r = await macCli(
    [
      "enable",
      "web",
      "-e",
      "A={",
      "-e",
      "B=}",
      "--",
      "/bin/sh",
      "-c",
      "{",
      "}",
    ],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  const st = await statusOf(ctx);
  assertEquals([st.state, st.pid], [
    "running",
    ctx.model.jobs.get(TARGET)!.pid,
  ]);
});

Deno.test("enable over ssh (no desktop session): launchd answers bootout with 125, the advice names the missing session and --condition=boot, no plist is left", async () => {
  const ctx = macContext({}, { guiSession: false });
  const r = await enableWeb(ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /launchctl bootout gui\/501\/\S+ exited with code 125/);
  assertMatch(r.stderr, /no GUI login session for gui\/501/);
  assertMatch(r.stderr, /--condition=boot/);
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("a bootstrap the user's launchd refuses with a bare 5: the advice names the desktop session, the plist and what launchd holds", async () => {
  const ctx = macContext();
  // The bootout went through (nothing loaded), then launchd says only 5, as it does
  // to anyone but root.
  ctx.model.on(["launchctl", "bootstrap"], {
    code: 5,
    stderr:
      "Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n",
  });
  const r = await enableWeb(ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /no desktop login session for gui\/501/);
  assertMatch(r.stderr, /`launchctl print gui\/501` fails/);
  assertMatch(r.stderr, /plutil -lint/);
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("sudo autostart enable of a login service: refused with exit 2 before anything is written (root has no desktop session, gui/0)", async () => {
  const ctx = macRootContext();
  const r = await enableWeb(ctx);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /without sudo/);
  assertMatch(r.stderr, /--condition=boot/);
  assertEquals(ctx.model.changes(), []);
  assertEquals(
    [...ctx.fs.files.keys()].filter((f) => f.includes("LaunchAgents")),
    [],
  );
});

for (
  const [code, stderr, message, hint] of [
    [
      119,
      "Bootstrap failed: 119: Service is disabled",
      /Service is disabled/,
      /launchctl enable gui\/501\/dev\.autostart\.web/,
    ],
    [
      122,
      "Bootstrap failed: 122: Path had bad ownership/permissions",
      /ownership or permissions/,
      /chmod 644/,
    ],
  ] as const
) {
  Deno.test(`bootstrap error ${code} exits 1 with advice and leaves no plist`, async () => {
    const ctx = macContext();
    ctx.runner.on(["launchctl", "bootstrap"], { code, stderr });
    const out = await enableWeb(ctx);
    assertEquals(out.code, 1);
    assertMatch(out.stderr, new RegExp(`exited with code ${code}`));
    assertMatch(out.stderr, message);
    assertMatch(out.stderr, hint);
    assertEquals(ctx.fs.files.has(PLIST), false);
  });
}

Deno.test("a home with shell metacharacters reaches launchctl verbatim", async () => {
  const home = "/Users/home $(touch PWNED) `x` ; & | 'q' \"dq\" ünï";
  const ctx = macContext({
    self: { ...MAC_ALICE, home },
    env: { PATH: "/usr/bin:/bin", HOME: home },
  });
  const out = await enableWeb(ctx);
  assertEquals(out.code, 0, out.stderr);
  const plist = `${home}/Library/LaunchAgents/dev.autostart.web.plist`;
  assertOk(
    ctx.runner.calls.some((c) =>
      JSON.stringify(c.argv) ===
        JSON.stringify(["launchctl", "bootstrap", "gui/501", plist])
    ),
  );
  assertEquals(ctx.model.jobs.get(TARGET)?.path, plist);
});

Deno.test("disable of a service that is not loaded still removes the plist, without warnings", async () => {
  const ctx = macContext();
  assertEquals((await enableWeb(ctx, "--no-start")).code, 0);
  assertEquals((await statusOf(ctx)).state, "not-loaded");
  const dis = await macCli(["disable", "web"], ctx);
  assertEquals(dis.code, 0, dis.stderr);
  assertEquals(dis.stderr, "");
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("the real print fixtures and the model's print read the same way", async () => {
  const ctx = macContext();
  assertEquals((await enableWeb(ctx)).code, 0);
  ctx.runner.on(["launchctl", "print", TARGET], {
    stdout: fixture("print_agent_running.txt"),
  });
  const st = await statusOf(ctx);
  assertEquals([st.state, st.pid], ["running", 9183]);
});

Deno.test("disable when launchd never lets the job go: a bounded wait, a warning saying so, the plist removed", async () => {
  const ctx = macContext();
  assertEquals((await enableWeb(ctx)).code, 0);
  // launchd keeps answering print with the job, whatever happens.
  ctx.runner.on(["launchctl", "print", TARGET], {
    stdout: fixture("print_agent_running.txt"),
  });
  const t0 = ctx.model.now;
  const dis = await macCli(["disable", "web"], ctx);
  assertEquals(dis.code, 0, dis.stderr);
  assertMatch(
    dis.stderr,
    /warning: launchctl print gui\/501\/dev\.autostart\.web exited with code 124: timed out/,
  );
  assertOk(ctx.model.now - t0 <= 190_000 + 15_000 + 1000, "bounded");
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("enable --dry-run shows the wait after bootout and the retried bootstrap", async () => {
  const r = await macCli(
    ["enable", "web", "--dry-run", "--", "/bin/sh"],
    macContext(),
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /run launchctl print gui\/501\/dev\.autostart\.web {2}\(until it exits 113, up to 205s or the job's exit timeout \(launchctl print\) \+ 15s\)/,
  );
  assertMatch(
    r.stdout,
    /run launchctl bootstrap gui\/501 .* {2}\(retried 5 times while it exits 5 or 37\)/,
  );
});
