import { parse } from "plist";
import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../../tests/assert.ts";
import {
  applyMac,
  fixture,
  macCli as runCli,
  macContext,
  macRootContext,
  tunnelSpec,
} from "../../tests/launchd_helpers.ts";
import { UsageError } from "../../core/errors.ts";
import { launchdDaemonDriver } from "./daemon.ts";

const PLIST = "/Library/LaunchDaemons/dev.autostart.tunnel.plist";
const TARGET = "system/dev.autostart.tunnel";

await launchdDaemonDriver.prepare();

Deno.test("launchdDaemonDriver.plan() writes a root:wheel 0644 LaunchDaemon and loads it into system", async () => {
  const ctx = macRootContext();
  await applyMac(launchdDaemonDriver.plan(tunnelSpec(), ctx), ctx);
  assertEquals(ctx.runner.lines(), [
    `launchctl bootout ${TARGET}`,
    `launchctl print ${TARGET}`,
    `launchctl enable ${TARGET}`,
    `launchctl bootstrap system ${PLIST}`,
  ]);
  const f = ctx.fs.files.get(PLIST)!;
  assertEquals([f.mode, f.owner], [0o644, { uid: 0, gid: 0 }]);
  const obj = parse(f.content) as Record<string, unknown>;
  assertEquals([obj.UserName, obj.GroupName], ["alice", "staff"]);
  assertEquals(obj.KeepAlive, true);
  assertEquals(obj.ThrottleInterval, 5);
  assertEquals(obj.StandardOutPath, "/Library/Logs/autostart/tunnel.log");
});

const ROOT_MAC = {
  name: "root",
  uid: 0,
  gid: 0,
  group: "wheel",
  home: "/var/root",
};

Deno.test("launchdDaemonDriver.plan() keeps the log directory root's and makes the log file the user's in advance", async () => {
  // launchd opens StandardOutPath as root (systemd-like) or after switching to
  // UserName (launchd's open source): either way the directory stays root's, checked
  // by apply() (secure), and the file is created for the user, who cannot swap it.
  for (const runAs of [undefined, ROOT_MAC]) {
    const plan = launchdDaemonDriver.plan(
      tunnelSpec(runAs ? { runAs } : {}),
      macRootContext(),
    );
    const logDir = plan.steps.find((s) =>
      s.kind === "mkdir" && s.path === "/Library/Logs/autostart"
    );
    assertEquals(logDir, {
      kind: "mkdir",
      path: "/Library/Logs/autostart",
      secure: true,
    });
    const create = plan.steps.filter((s) => s.kind === "create");
    assertEquals(
      create,
      runAs ? [] : [{
        kind: "create",
        path: "/Library/Logs/autostart/tunnel.log",
        mode: 0o644,
        owner: { uid: 501, gid: 20 },
      }],
    );
  }
  const ctx = macRootContext();
  await launchdDaemonDriver.prepare(ctx);
  await applyMac(launchdDaemonDriver.plan(tunnelSpec(), ctx), ctx);
  assertEquals(ctx.fs.files.get("/Library/Logs/autostart/tunnel.log"), {
    content: "",
    mode: 0o644,
    owner: { uid: 501, gid: 20 },
  });
  assertEquals(
    (await ctx.fs.stat("/Library/Logs/autostart"))?.uid,
    0,
    "the directory stays root's",
  );
});

Deno.test("launchdDaemonDriver refuses every change without root, with a UsageError saying sudo", () => {
  const ctx = macContext();
  const ref = { name: "tunnel", condition: "boot" as const };
  for (
    const f of [
      () => launchdDaemonDriver.plan(tunnelSpec(), ctx),
      () => launchdDaemonDriver.planDisable(ref, ctx),
      () => launchdDaemonDriver.planControl(ref, "restart", ctx),
      () => launchdDaemonDriver.planControl(ref, "stop", ctx),
    ]
  ) {
    assertThrows(
      f,
      (e: unknown) =>
        e instanceof UsageError && e.exitCode === 2 &&
        /needs root/.test(e.message) && /sudo/.test(e.hint ?? ""),
    );
  }
});

Deno.test("launchdDaemonDriver.planDisable() and planControl() use the system domain", () => {
  const ctx = macRootContext();
  const ref = { name: "tunnel", condition: "boot" as const };
  const lines = (
    p: { steps: { kind: string; argv?: string[]; path?: string }[] },
  ) => p.steps.map((s) => s.argv ? s.argv.join(" ") : `${s.kind} ${s.path}`);
  assertEquals(lines(launchdDaemonDriver.planDisable(ref, ctx)), [
    `launchctl bootout ${TARGET}`,
    `launchctl print ${TARGET}`,
    `remove ${PLIST}`,
    "remove /etc/autostart/env/tunnel.env",
    "remove /etc/newsyslog.d/dev.autostart.tunnel.conf",
  ]);
  assertEquals(lines(launchdDaemonDriver.planControl(ref, "restart", ctx)), [
    `launchctl enable ${TARGET}`,
    `launchctl kickstart -k ${TARGET}`,
    `launchctl bootstrap system ${PLIST}`,
  ]);
});

Deno.test("launchdDaemonDriver.status() reads /Library/LaunchDaemons and the system domain (no root needed)", async () => {
  const root = macRootContext();
  await applyMac(launchdDaemonDriver.plan(tunnelSpec(), root), root);
  const ctx = macContext({ fs: root.fs });
  ctx.runner.on(["launchctl", "print", TARGET], {
    stdout: fixture("print_daemon_running.txt"),
  });
  const [s] = await launchdDaemonDriver.status("boot", ctx);
  assertEquals(
    [s?.name, s?.state, s?.pid, s?.driver, s?.condition, s?.file],
    ["tunnel", "running", 54109, "launchd-daemon", "boot", PLIST],
  );
  assertOk(ctx.runner.lines().includes("launchctl print-disabled system"));
});

Deno.test("sudo autostart enable --condition=boot on macOS installs a LaunchDaemon for SUDO_USER", async () => {
  const ctx = macRootContext();
  const r = await runCli(
    [
      "enable",
      "tunnel",
      "--condition=boot",
      "--",
      "/bin/sh",
      "-c",
      "exec sleep 1000",
    ],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /Enabled "tunnel" \(launchd-daemon, \/Library\/LaunchDaemons\/dev\.autostart\.tunnel\.plist\): starts at boot/,
  );
  const obj = parse(ctx.fs.files.get(PLIST)!.content) as Record<
    string,
    unknown
  >;
  assertEquals(obj.UserName, "alice");
});

Deno.test("autostart enable --condition=boot on macOS without sudo exits 2 before touching anything", async () => {
  const ctx = macContext();
  const r = await runCli([
    "enable",
    "tunnel",
    "--condition=boot",
    "--",
    "/bin/sh",
  ], ctx);
  assertEquals(r.code, 2);
  assertMatch(r.stderr, /needs root/);
  assertMatch(r.stderr, /hint: run the same command with sudo/);
  assertEquals(ctx.model.changes(), []);
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("autostart enable --condition=boot reports bad ownership (error 122) with the fix", async () => {
  const ctx = macRootContext();
  ctx.runner.on(["launchctl", "bootstrap"], {
    code: 122,
    stderr: "Bootstrap failed: 122: Path had bad ownership/permissions",
  });
  const r = await runCli([
    "enable",
    "tunnel",
    "--condition=boot",
    "--",
    "/bin/sh",
  ], ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /ownership or permissions/);
  assertMatch(
    r.stderr,
    /sudo chown root:wheel \/Library\/LaunchDaemons\/dev\.autostart\.tunnel\.plist/,
  );
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("autostart start of a LaunchDaemon whose plist is not root:wheel: launchd refuses (122), the hint says how to fix it", async () => {
  const ctx = macRootContext();
  const en = await runCli(
    ["enable", "tunnel", "--condition=boot", "--no-start", "--", "/bin/sh"],
    ctx,
  );
  assertEquals(en.code, 0, en.stderr);
  ctx.fs.files.get(PLIST)!.owner = { uid: 501, gid: 20 };
  const r = await runCli(["start", "tunnel", "--condition=boot"], ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /exited with code 122/);
  assertMatch(r.stderr, /sudo chown root:wheel/);
  assertEquals(ctx.model.jobs.has(TARGET), false);
});

Deno.test("launchdDaemonDriver: a --log-dir the service's user owns is refused before anything is done", async () => {
  // launchd would open /Users/alice/logs/tunnel.log as root: alice could make it a
  // symlink to any file and have root create or append to it.
  const ctx = macRootContext();
  await launchdDaemonDriver.prepare(ctx);
  ctx.fs.setInfo("/Users/alice", { uid: 501, gid: 20 });
  ctx.fs.setInfo("/Users/alice/logs", { uid: 501, gid: 20 });
  const plan = launchdDaemonDriver.plan(
    tunnelSpec({ logDir: "/Users/alice/logs" }),
    ctx,
  );
  const before = ctx.fs.snapshot();
  const e = await applyMac(plan, ctx).catch((e: unknown) => e);
  assertEquals(e instanceof UsageError, true, String(e));
  assertEquals(ctx.runner.calls.length, 0, "no launchctl call");
  assertEquals(ctx.fs.snapshot(), before, "nothing written");
});
