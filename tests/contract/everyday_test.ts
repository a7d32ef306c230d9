import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import {
  fakeContext,
  managedText,
  ROOT,
  ROOT_USER,
  runCli,
} from "../helpers.ts";
import { macContext } from "../launchd_helpers.ts";
import { validate } from "../schema.ts";
import { renderStatusTable } from "../../cli/commands/status.ts";
import { sinceArg } from "../../cli/commands/logs.ts";
import type { ServiceStatus } from "../../core/driver.ts";

const DIR = "/home/alice/.config/systemd/user";
const UNIT = `${DIR}/autostart-web.service`;
const schema = (name: string) =>
  JSON.parse(Deno.readTextFileSync(`${ROOT}docs/${name}`));

/** `systemctl show` output of one unit. */
function show(p: Record<string, string>): string {
  return Object.entries({
    Id: "autostart-web.service",
    LoadState: "loaded",
    UnitFileState: "enabled",
    ...p,
  }).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
}

Deno.test("enable waits, and a program that fails at start exits 1 with its last log lines; it stays installed", async () => {
  const ctx = fakeContext();
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: show({
      ActiveState: "activating",
      SubState: "auto-restart",
      NRestarts: "0",
      ExecMainCode: "1",
      ExecMainStatus: "3",
    }),
  });
  ctx.runner.on(["journalctl"], {
    stdout: "2024-05-01T10:00:00+0000 host sh[9]: cannot open /etc/x.conf\n",
  });
  const r = await runCli(
    ["enable", "web", "--", "/bin/sh", "-c", "exit 3"],
    ctx,
  );
  assertEquals(r.code, 1, r.stderr);
  assertMatch(
    r.stderr,
    /"web" did not start: it exited: its last run ended with exit 3/,
  );
  assertMatch(r.stderr, /cannot open \/etc\/x\.conf/);
  assertMatch(r.stderr, /it stays installed.*autostart disable web/);
  assertOk(ctx.fs.files.has(UNIT), "the unit stays");
  const lines = ctx.runner.lines();
  assertOk(!lines.some((l) => / (disable|stop) /.test(l)), lines.join("\n"));
  assertOk(
    lines.includes(
      // A failed start shows the manager's notes too (why it died).
      "journalctl --lines=10 --no-pager --quiet --output=short-iso --user-unit=autostart-web.service",
    ),
    lines.join("\n"),
  );
});

Deno.test("a failed start keeps reading the journal until the program's own last line is in", async () => {
  const ctx = fakeContext();
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: show({
      ActiveState: "failed",
      SubState: "failed",
      ExecMainCode: "1",
      ExecMainStatus: "3",
    }),
  });
  const manager =
    "2024-05-01T10:00:00+0000 host systemd[7]: autostart-web.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED\n";
  let reads = 0;
  ctx.runner.on(["journalctl"], () => ({
    stdout: ++reads < 8
      ? manager
      : `${manager}2024-05-01T10:00:00+0000 host sh[9]: cannot open /etc/x.conf\n`,
  }));
  const r = await runCli(
    ["enable", "web", "--keep-alive=false", "--", "/bin/sh", "-c", "exit 3"],
    ctx,
  );
  assertEquals(r.code, 1, r.stderr);
  assertMatch(r.stderr, /cannot open \/etc\/x\.conf/);
  assertOk(reads >= 8, `journal read ${reads} times`);
});

Deno.test("enable whose service another enable replaced during the wait is not a failure", async () => {
  const ctx = fakeContext();
  ctx.runner.on(["systemctl", "--user", "show"], () => {
    // another run of enable wrote its own version and restarted it meanwhile
    const f = ctx.fs.files.get(UNIT);
    if (f) f.content = f.content.replace("8080", "9090");
    return {
      stdout: show({
        ActiveState: "activating",
        SubState: "auto-restart",
        NRestarts: "1",
        ExecMainCode: "2",
        ExecMainStatus: "15",
      }),
    };
  });
  const r = await runCli(
    ["enable", "web", "--", "/usr/bin/python3", "-m", "http.server", "8080"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /replaced meanwhile by another enable/);
});

Deno.test("enable reports running after the wait; --no-wait does not read the state", async () => {
  const ctx = fakeContext();
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: show({ ActiveState: "active", SubState: "running", MainPID: "42" }),
  });
  const r = await runCli(["enable", "web", "--", "/bin/sleep", "100"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /running now/);
  const ctx2 = fakeContext();
  const r2 = await runCli(
    ["enable", "web", "--no-wait", "--", "/bin/sleep", "100"],
    ctx2,
  );
  assertEquals(r2.code, 0, r2.stderr);
  assertMatch(r2.stdout, /started now/);
  // (a new service: nothing to read before, no wait after)
  assertEquals(ctx2.runner.lines().filter((l) => l.includes(" show ")), []);
  const bad = await runCli(
    ["enable", "web", "--wait=soon", "--", "/bin/sleep", "100"],
    fakeContext(),
  );
  assertEquals(bad.code, 2);
});

Deno.test("restart waits and says when it crash-loops", async () => {
  const ctx = fakeContext({
    fs: undefined,
  });
  ctx.fs.files.set(UNIT, { content: managedText(), mode: 0o644 });
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: show({
      ActiveState: "activating",
      SubState: "auto-restart",
      NRestarts: "5",
      ExecMainCode: "2",
      ExecMainStatus: "9",
    }),
  });
  const r = await runCli(["restart", "web"], ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /crash-looping \(5 restarts\).*signal KILL/);
  const stop = await runCli(["stop", "web"], ctx);
  assertEquals(stop.code, 0, stop.stderr);
});

Deno.test("logs runs journalctl for login and boot services, and explains its failures", async () => {
  const ctx = fakeContext();
  ctx.fs.files.set(UNIT, { content: managedText(), mode: 0o644 });
  ctx.runner.on(["journalctl"], { stdout: "a\nb\n" });
  const r = await runCli(["logs", "web", "-n", "2", "--since", "10m"], ctx);
  assertEquals([r.code, r.stdout], [0, "a\nb\n"], r.stderr);
  assertEquals(
    ctx.runner.lines().find((l) => l.startsWith("journalctl")),
    // The program's own lines only: matched on the writer's unit and uid.
    "journalctl --lines=2 --since=-10min --no-pager --quiet --output=short-iso _SYSTEMD_USER_UNIT=autostart-web.service _UID=1000",
  );
  const all = await runCli(["logs", "web", "-n", "2", "--all"], ctx);
  assertEquals(all.code, 0, all.stderr);
  assertEquals(
    ctx.runner.lines().filter((l) => l.startsWith("journalctl")).at(-1),
    "journalctl --lines=2 --no-pager --quiet --output=short-iso --user-unit=autostart-web.service",
  );
  const root = fakeContext({ self: ROOT_USER });
  root.fs.files.set("/etc/systemd/system/autostart-web.service", {
    content: managedText(),
    mode: 0o644,
  });
  root.runner.on(["journalctl"], { stdout: "" });
  assertEquals(
    (await runCli(["logs", "web", "--condition=boot"], root)).code,
    0,
  );
  assertOk(
    root.runner.lines().includes(
      "journalctl --lines=100 --no-pager --quiet --output=short-iso _SYSTEMD_UNIT=autostart-web.service",
    ),
  );
  ctx.runner.on(["journalctl"], {
    code: 1,
    stderr: "No journal files were opened due to insufficient permissions.\n",
  });
  const denied = await runCli(["logs", "web"], ctx);
  assertEquals(denied.code, 1);
  assertMatch(denied.stderr, /Cannot read the log of "web"/);
  assertMatch(denied.stderr, /hint: .*\/var\/log\/journal/);
  assertEquals((await runCli(["logs", "web", "-n", "many"], ctx)).code, 2);
  assertEquals((await runCli(["logs"], ctx)).code, 2);
  const none = await runCli(["logs", "nosuch"], ctx);
  assertEquals(none.code, 1);
  assertMatch(none.stderr, /autostart status/);
});

Deno.test("logs of a unit with --log-dir tails its file", async () => {
  const dir = "/home/alice/logs";
  const ctx = fakeContext();
  ctx.fs.files.set(UNIT, {
    content: managedText(`[Service]\nStandardOutput=append:${dir}/web.log\n`),
    mode: 0o644,
  });
  ctx.fs.files.set(`${dir}/web.log`, { content: "1\n2\n3\n", mode: 0o644 });
  const r = await runCli(["logs", "web", "-n", "2"], ctx);
  assertEquals([r.code, r.stdout], [0, "2\n3\n"], r.stderr);
  assertEquals(
    ctx.runner.lines().filter((l) => l.startsWith("journalctl")),
    [],
  );
  assertEquals((await runCli(["logs", "web", "--since", "1h"], ctx)).code, 2);
});

Deno.test("logs of a LaunchAgent reads the plist's log file from its end", async () => {
  const dir = "/Users/alice/logs";
  const ctx = macContext();
  ctx.fs.dirs.add(dir);
  const en = await runCli(
    ["enable", "web", "--no-start", `--log-dir=${dir}`, "--", "/bin/sh"],
    ctx,
  );
  assertEquals(en.code, 0, en.stderr);
  // What the job wrote (launchd opens the plist's StandardOutPath for it).
  ctx.fs.files.set(`${dir}/web.log`, {
    content: "first\nsecond\nthird\n",
    mode: 0o644,
  });
  const r = await runCli(["logs", "web", "-n", "2"], ctx);
  assertEquals([r.code, r.stdout], [0, "second\nthird\n"], r.stderr);
  const s = await runCli(["logs", "web", "--since", "1h"], ctx);
  assertEquals(s.code, 2);
  assertMatch(s.stderr, /no timestamps/);
});

Deno.test("sinceArg() turns short durations into journalctl's relative times", () => {
  assertEquals(
    ["10m", "2h", "1d", "30s", "today", "2024-05-01 10:00"].map(sinceArg),
    ["-10min", "-2h", "-1d", "-30s", "today", "2024-05-01 10:00"],
  );
});

const base: ServiceStatus = {
  name: "web",
  driver: "systemd",
  condition: "login",
  unit: "autostart-web.service",
  file: UNIT,
  state: "running",
  enabled: true,
  pid: 42,
  restarts: 0,
  lastExit: null,
  since: "2024-05-01T10:00:00.000Z",
  detail: "active (running)",
  drifted: false,
};

Deno.test("renderStatusTable() colours states only when asked, and marks drift", () => {
  const now = Date.parse("2024-05-01T10:03:12Z");
  const list = [base, {
    ...base,
    name: "loop",
    state: "crash-looping" as const,
    restarts: 7,
    lastExit: "exit 1",
    drifted: true,
  }];
  const plain = renderStatusTable(list, false, now);
  // deno-lint-ignore no-control-regex
  assertOk(!/\x1b/.test(plain));
  assertMatch(plain, /^web\s+running\s+42\s+3m12s\s+0\s+-\s+login\s+systemd$/m);
  assertMatch(
    plain,
    /^loop\s+crash-looping \(drifted\)\s+42\s+3m12s\s+7\s+exit 1/m,
  );
  const colour = renderStatusTable(list, true, now);
  assertOk(colour.includes("\x1b[32mrunning\x1b[39m"), colour);
  assertOk(colour.includes("\x1b[31mcrash-looping\x1b[39m"), colour);
});

Deno.test("status --json matches docs/status.schema.json", async () => {
  const ctx = fakeContext();
  ctx.fs.files.set(UNIT, { content: managedText(), mode: 0o644 });
  ctx.fs.files.set("/proc/uptime", { content: "1000.00 5.00\n", mode: 0o444 });
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: show({
      ActiveState: "active",
      SubState: "running",
      MainPID: "42",
      NRestarts: "2",
      ExecMainCode: "2",
      ExecMainStatus: "9",
      StateChangeTimestampMonotonic: "900000000",
    }),
  });
  const r = await runCli(["status", "web", "nosuch", "--json"], ctx);
  const doc = JSON.parse(r.stdout);
  assertEquals(validate(schema("status.schema.json"), doc), []);
  assertEquals(doc.missing, ["nosuch"]);
  assertEquals(doc.services[0].restarts, 2);
  // What it runs, read back from the unit (none in this stub file).
  assertEquals([doc.services[0].command, doc.services[0].cwd], [null, null]);
  ctx.fs.files.set(UNIT, {
    content: managedText(
      '[Service]\nExecStart="/bin/sh" "-c" "echo $$HOME"\nWorkingDirectory=/srv/100%%\n',
    ),
    mode: 0o644,
  });
  const r2 = JSON.parse((await runCli(["status", "--json"], ctx)).stdout);
  assertEquals(validate(schema("status.schema.json"), r2), []);
  assertEquals(r2.services[0].command, ["/bin/sh", "-c", "echo $HOME"]);
  assertEquals(r2.services[0].cwd, "/srv/100%");
  // The validator does reject what the schema does not allow.
  assertOk(
    validate(schema("status.schema.json"), {
      ...doc,
      services: [{ ...doc.services[0], state: "drifted" }],
    }).length > 0,
  );
});

Deno.test("doctor reports missing linger and drifted units as warnings (exit 0), a missing systemd as a failure (exit 1)", async () => {
  const ctx = fakeContext();
  const en = await runCli(["enable", "web", "--no-wait", "--", "/bin/sh"], ctx);
  assertEquals(en.code, 0, en.stderr);
  ctx.fs.files.get(UNIT)!.content += "# edited by hand\n";
  ctx.fs.dirs.add("/run/user/1000/bus");
  ctx.runner.on(["systemctl", "--user", "show-environment"], {
    stdout: "PATH=/usr/bin:/bin\n",
  });
  ctx.runner.on(["systemctl", "--user", "show"], {
    stdout: show({ ActiveState: "active", SubState: "running", MainPID: "4" }),
  });
  ctx.runner.on(["systemctl", "--user", "list-units"], {
    stdout: "autostart-web.service loaded active running autostart: web\n" +
      "autostart-gone.service loaded active running autostart: gone\n",
  });
  const r = await runCli(["doctor", "--json"], ctx);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  assertEquals(validate(schema("doctor.schema.json"), doc), []);
  const by = (id: string) =>
    doc.checks.filter((c: { id: string }) => c.id === id);
  assertEquals(by("systemd.linger")[0].level, "warn");
  assertMatch(by("systemd.linger")[0].fix, /sudo loginctl enable-linger alice/);
  assertEquals(by("systemd.drifted")[0].level, "warn");
  assertEquals(by("systemd.path")[0].level, "warn");
  assertMatch(by("systemd.path")[0].detail, /lacks \/usr\/local\/bin/);
  assertEquals(by("systemd.orphaned").length, 1);
  assertMatch(by("systemd.orphaned")[0].detail, /autostart-gone\.service/);
  const text = await runCli(["doctor"], ctx);
  assertMatch(text.stdout, /^warn {2}lingering: /m);
  assertMatch(text.stdout, /No problems; \d+ warning/);

  ctx.fs.files.set("/var/lib/systemd/linger/alice", {
    content: "",
    mode: 0o644,
  });
  const lingering = JSON.parse(
    (await runCli(["doctor", "--json"], ctx)).stdout,
  );
  assertEquals(
    lingering.checks.find((c: { id: string }) => c.id === "systemd.linger")
      .level,
    "ok",
  );

  ctx.fs.dirs.delete("/run/user/1000/systemd/private");
  const noManager = await runCli(["doctor"], ctx);
  assertEquals(noManager.code, 1);
  assertMatch(
    noManager.stdout,
    /FAIL {2}systemd user manager: .*\n {6}fix: .*enable-linger alice/,
  );

  ctx.fs.dirs.delete("/run/systemd/system");
  const none = await runCli(["doctor", "--json"], ctx);
  assertEquals(none.code, 1);
  assertEquals(JSON.parse(none.stdout).ok, false);
});

Deno.test("every command has help with usage and examples", async () => {
  const { COMMANDS } = await import("../../cli/main.ts");
  const ctx = fakeContext();
  for (const cmd of Object.keys(COMMANDS)) {
    const r = await runCli([cmd, "--help"], ctx);
    assertEquals(r.code, 0, cmd);
    assertMatch(r.stdout, /Usage: autostart/, cmd);
    assertMatch(r.stdout, /Example|Setup/, cmd);
  }
});
