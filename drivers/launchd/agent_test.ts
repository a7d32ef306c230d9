import { parse } from "plist";
import { assertEquals, assertMatch } from "../../tests/assert.ts";
import {
  AGENT_DIR as DIR,
  agentArgv,
  agentWebSpec as webSpec,
  applyMac,
  fixture,
  MAC_ALICE,
  macCli,
  macContext,
  WEB_PLIST as PLIST,
  WEB_TARGET as TARGET,
} from "../../tests/launchd_helpers.ts";
import { launchdAgentDriver } from "./agent.ts";

await launchdAgentDriver.prepare();

Deno.test("launchdAgentDriver.status() reads each plist's state with launchctl print", async () => {
  const ctx = macContext();
  for (const n of ["web", "api", "idle", "old"]) {
    await applyMac(launchdAgentDriver.plan(webSpec({ name: n }), ctx), ctx);
  }
  ctx.runner.calls.length = 0;
  ctx.fs.files.set(`${DIR}/com.other.plist`, { content: "x", mode: 0o644 });
  ctx.fs.files.set(`${DIR}/dev.autostart.fake.plist`, {
    content: "<plist/>",
    mode: 0o644,
  });
  ctx.runner
    .on(["launchctl", "print-disabled"], {
      stdout:
        '\tdisabled services = {\n\t\t"dev.autostart.old" => disabled\n\t}\n',
    })
    .on(["launchctl", "print", "gui/501/dev.autostart.web"], {
      stdout: fixture("print_agent_running.txt"),
    })
    .on(["launchctl", "print", "gui/501/dev.autostart.api"], {
      stdout: fixture("print_daemon_spawn_scheduled.txt"),
    })
    .on(["launchctl", "print", "gui/501/dev.autostart.idle"], {
      stdout: fixture("print_agent_not_running_exit0.txt"),
    })
    .on(["launchctl", "print", "gui/501/dev.autostart.old"], {
      code: 113,
      stderr: fixture("print_not_found.stderr"),
    });
  const list = await launchdAgentDriver.status("login", ctx);
  assertEquals(
    list.map((s) => [s.name, s.state, s.pid, s.enabled, s.unit]),
    [
      ["api", "crash-looping", null, true, "dev.autostart.api"],
      ["idle", "stopped", null, true, "dev.autostart.idle"],
      ["old", "not-loaded", null, false, "dev.autostart.old"],
      ["web", "running", 9183, true, "dev.autostart.web"],
    ],
  );
  assertEquals(list[3]!.file, PLIST);
  assertEquals(
    ctx.runner.lines().sort(),
    [
      "launchctl print gui/501/dev.autostart.api",
      "launchctl print gui/501/dev.autostart.idle",
      "launchctl print gui/501/dev.autostart.old",
      "launchctl print gui/501/dev.autostart.web",
      "launchctl print-disabled gui/501",
    ],
  );
  ctx.runner.calls.length = 0;
  const one = await launchdAgentDriver.status("login", ctx, ["web"]);
  assertEquals(one.map((s) => s.name), ["web"]);
  assertEquals(await launchdAgentDriver.status("boot", ctx), []);
});

Deno.test("launchdAgentDriver.status() flags a plist edited by hand as drifted", async () => {
  const ctx = macContext();
  await applyMac(launchdAgentDriver.plan(webSpec(), ctx), ctx);
  ctx.runner.on(["launchctl", "print", TARGET], {
    stdout: fixture("print_agent_running.txt"),
  });
  assertEquals(
    (await launchdAgentDriver.status("login", ctx))[0]!.drifted,
    false,
  );
  const f = ctx.fs.files.get(PLIST)!;
  f.content = f.content.replace(
    "<string>8080</string>",
    "<string>9090</string>",
  );
  const [s] = await launchdAgentDriver.status("login", ctx);
  assertEquals(s!.drifted, true);
  assertMatch(s!.detail, /edited by hand/);
});

Deno.test("launchdAgentDriver.status() runs nothing when there are no plists", async () => {
  const ctx = macContext();
  assertEquals(await launchdAgentDriver.status("login", ctx), []);
  assertEquals(ctx.runner.lines(), []);
});

Deno.test("autostart enable on macOS installs a LaunchAgent end to end (launchd model)", async () => {
  const ctx = macContext();
  const r = await macCli(
    ["enable", "web", "--", "/bin/sh", "-c", "sleep 100"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /Enabled "web" \(launchd-agent, .*dev\.autostart\.web\.plist\)/,
  );
  assertMatch(r.stdout, /logged in to the Mac's desktop/);
  // (the wait after the start reads the state with launchctl print)
  assertEquals(ctx.model.changes(), [
    `bootout ${TARGET}`,
    `enable ${TARGET}`,
    `bootstrap gui/501 ${PLIST}`,
  ]);
  const obj = parse(ctx.fs.files.get(PLIST)!.content) as Record<
    string,
    unknown
  >;
  assertEquals(
    obj.ProgramArguments,
    agentArgv(["/bin/sh", "-c", "sleep 100"]),
  );
  assertEquals(obj.EnvironmentVariables, {
    PATH: "/usr/local/bin:/usr/bin:/bin",
  });
});

Deno.test("autostart enable --dry-run on macOS prints the plist and the launchctl commands", async () => {
  const ctx = macContext();
  const r = await macCli(["enable", "web", "--dry-run", "--", "/bin/sh"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /write \/Users\/alice\/Library\/LaunchAgents\/dev\.autostart\.web\.plist \(mode 0644\)/,
  );
  assertMatch(r.stdout, /run launchctl bootstrap gui\/501/);
  assertEquals(ctx.runner.lines(), []);
});

Deno.test("autostart enable reports a failed bootstrap with exit 1, what launchctl said and a hint", async () => {
  const ctx = macContext();
  ctx.runner.on(["launchctl", "bootstrap"], {
    code: 5,
    stderr: "Bootstrap failed: 5: Input/output error",
  });
  const r = await macCli(["enable", "web", "--", "/bin/sh"], ctx);
  assertEquals(r.code, 1);
  assertMatch(
    r.stderr,
    /launchctl bootstrap gui\/501 .* exited with code 5: Bootstrap failed: 5/,
  );
  assertMatch(r.stderr, /hint: .*check the plist with: plutil -lint/);
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("autostart status, stop, start, restart and disable drive launchctl on macOS", async () => {
  const ctx = macContext();
  assertEquals((await macCli(["enable", "web", "--", "/bin/sh"], ctx)).code, 0);
  ctx.runner.on(["launchctl", "print", TARGET], {
    stdout: fixture("print_agent_running.txt"),
  });
  const st = await macCli(["status", "--json"], ctx);
  const doc = JSON.parse(st.stdout);
  assertEquals(doc.services[0].state, "running");
  assertEquals(doc.services[0].pid, 9183);
  assertEquals(doc.services[0].driver, "launchd-agent");
  ctx.model.rules.length = 0; // launchd's own answers from here on
  for (
    const [cmd, expect] of [
      ["stop", [`bootout ${TARGET}`]],
      ["start", [
        `enable ${TARGET}`,
        `bootstrap gui/501 ${PLIST}`,
        `kickstart ${TARGET}`,
      ]],
      // Loaded and running: no bootstrap, no misleading "already loaded".
      ["restart", [`enable ${TARGET}`, `kickstart -k ${TARGET}`]],
    ] as const
  ) {
    ctx.runner.calls.length = 0;
    const r = await macCli([cmd, "web"], ctx);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(ctx.model.changes(), expect);
  }
  ctx.runner.calls.length = 0;
  const d = await macCli(["disable", "web"], ctx);
  assertEquals(d.code, 0, d.stderr);
  assertMatch(d.stdout, /Disabled "web" \(launchd-agent\)/);
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("autostart start of a service disabled in launchd explains error 119", async () => {
  const ctx = macContext();
  assertEquals(
    (await macCli(["enable", "web", "--no-start", "--", "/bin/sh"], ctx)).code,
    0,
  );
  ctx.runner
    .on(["launchctl", "print", TARGET], {
      code: 113,
      stderr: "Could not find service",
    })
    .on(["launchctl", "bootstrap"], {
      code: 119,
      stderr: "Bootstrap failed: 119: Service is disabled",
    });
  const r = await macCli(["start", "web"], ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /Service is disabled/);
  assertMatch(
    r.stderr,
    /hint: enable it again with: launchctl enable gui\/501\/dev\.autostart\.web/,
  );
});

Deno.test("autostart start after disable --keep-files enables the label, loads and starts it", async () => {
  const ctx = macContext();
  assertEquals((await macCli(["enable", "web", "--", "/bin/sh"], ctx)).code, 0);
  const d = await macCli(["disable", "web", "--keep-files"], ctx);
  assertEquals(d.code, 0, d.stderr);
  assertEquals(ctx.model.overrides.get(TARGET), true);
  assertEquals(ctx.model.jobs.has(TARGET), false);
  // launchd answers bootstrap of a disabled label with 5, the code that used to be
  // taken for "already loaded" (then kickstart failed with 113).
  const r = await macCli(["start", "web"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(ctx.model.overrides.get(TARGET), false);
  assertEquals(ctx.model.jobs.get(TARGET)?.state, "running");
  const st = JSON.parse((await macCli(["status", "--json"], ctx)).stdout);
  assertEquals([st.services[0].state, st.services[0].enabled], [
    "running",
    true,
  ]);
});

Deno.test("autostart start explains error 113 from kickstart", async () => {
  const ctx = macContext();
  assertEquals(
    (await macCli(["enable", "web", "--no-start", "--", "/bin/sh"], ctx)).code,
    0,
  );
  ctx.runner.on(["launchctl", "kickstart"], {
    code: 113,
    stderr: 'Could not find service "dev.autostart.web" in domain for port',
  });
  const r = await macCli(["start", "web"], ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /Cannot start the service: launchctl kickstart/);
  assertMatch(r.stderr, /no service dev\.autostart\.web loaded in gui\/501/);
});

Deno.test("a login service cannot be installed through sudo on macOS either", async () => {
  const ctx = macContext({ sudoUser: "alice", self: { ...MAC_ALICE, uid: 0 } });
  const r = await macCli(["enable", "web", "--", "/bin/sh"], ctx);
  assertEquals(r.code, 2);
  assertMatch(r.stderr, /run it without sudo/);
});

Deno.test("launchdAgentDriver.diagnose() points at a backup left in ~/Library/LaunchAgents", async () => {
  const ctx = macContext();
  ctx.fs.files.set(`${PLIST}.autostart-backup`, { content: "x", mode: 0o600 });
  const checks = await launchdAgentDriver.diagnose(ctx);
  const c = checks.find((c) => c.id === "launchd-agent.backup-in-plist-dir");
  assertEquals(c?.level, "warn");
  assertMatch(
    c?.fix ?? "",
    /mv ".*LaunchAgents\/dev\.autostart\.web\.plist\.autostart-backup" "\/Users\/alice\/Library\/Application Support\/autostart\/backups\/"/,
  );
});

Deno.test("show, status --json and export of an agent give the command as typed, with --env-file and --log-dir, not the log wrapper", async () => {
  const ctx = macContext();
  // (the env file is read at enable, through the context's file system)
  const envFile = "/Users/alice/app.env";
  ctx.fs.files.set(envFile, { content: "K=v\n", mode: 0o600 });
  ctx.fs.dirs.add("/Users/alice/my logs");
  const command = ["/bin/sh", "-c", 'echo "$0 $1" 100% $HOME', "a b", "\n"];
  const en = await macCli(
    [
      "enable",
      "web",
      "--env-file",
      envFile,
      "--log-dir",
      "/Users/alice/my logs",
      "--",
      ...command,
    ],
    ctx,
  );
  assertEquals(en.code, 0, en.stderr);
  const argv = parse(ctx.fs.files.get(PLIST)!.content) as {
    ProgramArguments: string[];
  };
  assertEquals(argv.ProgramArguments[4], "/Users/alice/my logs/web.log");
  const show = JSON.parse(
    (await macCli(["show", "web", "--json"], ctx)).stdout,
  );
  assertEquals(show.command, command);
  assertEquals(show.logDir, "/Users/alice/my logs");
  assertEquals(
    show.envFile?.path,
    "/Users/alice/.config/autostart/env/web.env",
  );
  const st = JSON.parse((await macCli(["status", "--json"], ctx)).stdout);
  assertEquals(st.services[0].command, command);
  const ex = JSON.parse((await macCli(["export", "web"], ctx)).stdout);
  assertEquals(ex.services[0].command, command);
  assertEquals(ex.services[0].logDir, "/Users/alice/my logs");
});

Deno.test("launchdAgentDriver.statusOf() answers one status per ref under its label, whoever wrote the plist; boot refs have none", async () => {
  const ctx = macContext();
  const label = "io.lima-vm.autostart.dev";
  // limactl's own plist: no marker, still answered (status() would skip it).
  ctx.fs.files.set(`${DIR}/${label}.plist`, {
    content: "<plist/>",
    mode: 0o644,
  });
  ctx.runner
    .on(["launchctl", "print-disabled"], { stdout: "" })
    .on(["launchctl", "print", `gui/501/${label}`], {
      stdout: fixture("print_agent_running.txt"),
    })
    .on(["launchctl", "print", "gui/501/io.lima-vm.autostart.gone"], {
      code: 113,
      stderr: fixture("print_not_found.stderr"),
    });
  const list = await launchdAgentDriver.statusOf([
    { name: "gone", condition: "login", identity: "io.lima-vm.autostart.gone" },
    { name: "vm", condition: "boot", identity: "io.lima-vm.autostart.vm" },
    { name: "dev", condition: "login", identity: label },
  ], ctx);
  assertEquals(
    list.map((s) => [s.name, s.unit, s.file, s.state, s.enabled]),
    [
      ["gone", "io.lima-vm.autostart.gone", null, "not-loaded", false],
      ["dev", label, `${DIR}/${label}.plist`, "running", true],
    ],
  );
  assertEquals(await launchdAgentDriver.status("login", ctx), []);
});
