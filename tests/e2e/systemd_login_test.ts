// Login services in a real systemd: a lingering user's manager, `systemctl --user`,
// enable, status with PID, crash and restart, exact argument and environment round
// trip, bad input writing nothing, disable leaving nothing behind.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { E2E, json, sharedBox } from "./_box.ts";

const box = sharedBox(async (b) => {
  await b.addUser("u1");
});
const u1 = { user: "u1" };
const unitDir = "/home/u1/.config/systemd/user";

/** The user's service "ticker", enabled and running (enabling it again changes nothing). */
const TICKER = [
  "enable",
  "ticker",
  "--restart-delay=500ms",
  "--",
  "sleep",
  "1000",
];
/** Enables "ticker": each test that uses it sets it up itself, so it passes alone. */
async function enableTicker() {
  const b = await box.get();
  const r = await b.autostart(TICKER, u1);
  assertEquals(r.code, 0, r.stderr);
  return r;
}

interface StatusDoc {
  services: {
    name: string;
    state: string;
    pid: number | null;
    restarts: number | null;
    condition: string;
  }[];
}

Deno.test({
  name: "login: enable as a lingering user starts a user unit",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableTicker();
    assertEquals(
      await b.prop("autostart-ticker.service", "ActiveState", "u1"),
      "active",
    );
    assertEquals(
      await b.prop("autostart-ticker.service", "UnitFileState", "u1"),
      "enabled",
    );
    const unit = await b.exec(["cat", `${unitDir}/autostart-ticker.service`]);
    assertMatch(unit.stdout, /^# Managed by autostart/);
    assertMatch(unit.stdout, /WantedBy=default\.target/);
    const owner = await b.exec([
      "stat",
      "-c",
      "%U",
      `${unitDir}/autostart-ticker.service`,
    ]);
    assertEquals(owner.stdout.trim(), "u1");
  },
});

Deno.test({
  name: "login: status shows running with PID; a crash is restarted",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableTicker();
    const s1 = json<StatusDoc>(await b.autostart(["status", "--json"], u1));
    assertEquals(s1.services.length, 1);
    const svc = s1.services[0]!;
    assertEquals([svc.name, svc.state, svc.condition], [
      "ticker",
      "running",
      "login",
    ]);
    assertOk(svc.pid && svc.pid > 1);
    await b.kill(String(svc.pid));
    const s2 = await b.waitFor("the restart", async () => {
      const s = json<StatusDoc>(
        await b.autostart(["status", "ticker", "--json"], u1),
      );
      const x = s.services[0]!;
      return x.state === "running" && x.pid !== svc.pid ? x : undefined;
    });
    assertEquals(s2.restarts, 1);
    const table = await b.autostart(["status"], u1);
    assertMatch(
      table.stdout,
      /^NAME\s+STATE\s+PID\s+UPTIME\s+RESTARTS\s+LAST EXIT\s+CONDITION\s+DRIVER/,
    );
    assertMatch(
      table.stdout,
      /ticker\s+running\s+\d+\s+\d+s\s+1\s+-\s+login\s+systemd/,
    );
  },
});

Deno.test({
  name: "login: works without XDG_RUNTIME_DIR in the environment",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableTicker();
    const r = await b.exec(
      [
        "runuser",
        "-u",
        "u1",
        "--",
        "env",
        "-u",
        "XDG_RUNTIME_DIR",
        "HOME=/home/u1",
        "USER=u1",
        "/usr/local/bin/autostart",
        "status",
        "--json",
      ],
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(json<StatusDoc>(r).services[0]!.state, "running");
  },
});

Deno.test({
  name: "login: start, stop and restart act on the unit",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableTicker();
    assertEquals((await b.autostart(["stop", "ticker"], u1)).code, 0);
    assertEquals(
      await b.prop("autostart-ticker.service", "ActiveState", "u1"),
      "inactive",
    );
    assertEquals(
      json<StatusDoc>(await b.autostart(["status", "ticker", "--json"], u1))
        .services[0]!.state,
      "stopped",
    );
    assertEquals((await b.autostart(["start", "ticker"], u1)).code, 0);
    assertEquals(
      await b.prop("autostart-ticker.service", "ActiveState", "u1"),
      "active",
    );
    const pid = await b.prop("autostart-ticker.service", "MainPID", "u1");
    assertEquals((await b.autostart(["restart", "ticker"], u1)).code, 0);
    assertOk(await b.prop("autostart-ticker.service", "MainPID", "u1") !== pid);
  },
});

/** Arguments no shell or unit file could mangle without us noticing. */
const AWKWARD = [
  "plain",
  "two words",
  "",
  "'single'",
  '"double"',
  "back\\slash",
  "trailing\\",
  "100%",
  "%h %n %%",
  "$HOME",
  "${HOME}",
  "$$",
  "new\nline",
  "tab\there",
  ";",
  "\\;",
  "&&",
  "`id`",
  "$(id)",
  "<xml> & ]]>",
  "ünïcödé ✓ 🚀",
  "-",
  "--flag=x",
  "\x01\x7f",
];

Deno.test({
  name:
    "login: awkward arguments and environment values reach the program exactly",
  ...E2E,
  async fn() {
    const b = await box.get();
    const envValues: [string, string][] = [
      ["A_SPACE", "one two"],
      ["A_QUOTES", `it's "quoted"`],
      ["A_DOLLAR", "$HOME ${X} $$"],
      ["A_PERCENT", "%h %% 100%"],
      ["A_NEWLINE", "line1\nline2"],
      ["A_BACKSLASH", "C:\\path\\"],
      ["A_EMPTY", ""],
    ];
    const args = [
      "enable",
      "echoer",
      ...envValues.flatMap(([k, v]) => ["--env", `${k}=${v}`]),
      "--",
      "/usr/bin/python3",
      "-c",
      "import time; time.sleep(100000)",
      ...AWKWARD,
    ];
    const r = await b.autostart(args, u1);
    assertEquals(r.code, 0, r.stderr);
    const pid = await b.prop("autostart-echoer.service", "MainPID", "u1");
    const cmdline = (await b.exec(["cat", `/proc/${pid}/cmdline`])).stdout
      .split("\0");
    cmdline.pop();
    assertEquals(cmdline, [
      "/usr/bin/python3",
      "-c",
      "import time; time.sleep(100000)",
      ...AWKWARD,
    ]);
    const environ = (await b.exec(["cat", `/proc/${pid}/environ`])).stdout
      .split("\0");
    for (const [k, v] of envValues) {
      assertOk(
        environ.includes(`${k}=${v}`),
        `${k} reaches the program as ${JSON.stringify(v)}`,
      );
    }
    const show = await b.exec(
      [
        "systemctl",
        "--user",
        "show",
        "-p",
        "ExecStart",
        "autostart-echoer.service",
      ],
      u1,
    );
    assertMatch(show.stdout, /argv\[\]=\/usr\/bin\/python3 -c/);
    assertEquals((await b.autostart(["disable", "echoer"], u1)).code, 0);
  },
});

Deno.test({
  name: "login: bad input exits 2 with a one-line reason and writes nothing",
  ...E2E,
  async fn() {
    const b = await box.get();
    const before =
      (await b.exec(["find", "/home/u1/.config", "-printf", "%p %s\\n"]))
        .stdout;
    const cases: string[][] = [
      ["enable", "", "--", "sleep", "1"],
      ["enable", "../x", "--", "sleep", "1"],
      ["enable", "a/b", "--", "sleep", "1"],
      ["enable", "has space", "--", "sleep", "1"],
      ["enable", "x".repeat(201), "--", "sleep", "1"],
      ["enable", "ok", "--condition=sometimes", "--", "sleep", "1"],
      ["enable", "ok", "--keep-alive=maybe", "--", "sleep", "1"],
      ["enable", "ok"],
      ["enable", "ok", "--", "no-such-program-anywhere"],
      ["enable", "ok", "--env", "1BAD=x", "--", "sleep", "1"],
      ["enable", "ok", "--cwd", "/no/such/dir", "--", "sleep", "1"],
    ];
    for (const c of cases) {
      const r = await b.autostart(c, u1);
      assertEquals(r.code, 2, `${JSON.stringify(c)}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assertMatch(lines[0]!, /^error: \S/);
      assertOk(lines.length <= 2, `one-line reason (plus a hint): ${r.stderr}`);
    }
    const after =
      (await b.exec(["find", "/home/u1/.config", "-printf", "%p %s\\n"]))
        .stdout;
    assertEquals(after, before);
  },
});

Deno.test({
  name: "login: disable leaves nothing behind",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableTicker();
    const r = await b.autostart(["disable", "ticker"], u1);
    assertEquals(r.code, 0, r.stderr);
    const left = await b.exec(["find", unitDir]);
    assertEquals(
      left.stdout.trim(),
      unitDir,
      "only the (empty) unit directory remains",
    );
    assertOk(
      (await b.exec(
        ["systemctl", "--user", "cat", "autostart-ticker.service"],
        u1,
      )).code !== 0,
    );
    assertEquals(
      json<StatusDoc>(await b.autostart(["status", "--json"], u1)).services,
      [],
    );
  },
});

Deno.test({ name: "login: stop the sandbox", ...E2E, fn: () => box.stop() });
