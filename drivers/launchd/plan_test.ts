import { parse } from "plist";
import {
  assertEquals,
  assertMatch,
  assertOk,
  assertRejects,
  assertThrows,
} from "../../tests/assert.ts";
import {
  AGENT_DIR as DIR,
  agentWebSpec as webSpec,
  applyMac,
  macContext,
  WEB_PLIST as PLIST,
  WEB_TARGET as TARGET,
} from "../../tests/launchd_helpers.ts";
import { apply } from "../../core/apply.ts";
import {
  envShellCommand,
  parseEnvFile,
  parseEnvShellCommand,
  renderEnvFile,
} from "../../core/env_file.ts";
import { OperationError } from "../../core/errors.ts";
import { MemoryFs } from "../../core/fake.ts";
import { createLaunchdDriver } from "./driver.ts";
import { launchdAgentDriver } from "./agent.ts";
import {
  logWrapperCommand,
  parseLogWrapperCommand,
} from "../../templates/launchd_log_wrapper.ts";

await launchdAgentDriver.prepare();

Deno.test("launchdAgentDriver.plan() writes the plist, then bootout, enable, bootstrap", async () => {
  const ctx = macContext();
  const plan = launchdAgentDriver.plan(webSpec(), ctx);
  await applyMac(plan, ctx);
  assertEquals(ctx.runner.lines(), [
    `launchctl bootout ${TARGET}`,
    `launchctl print ${TARGET}`,
    `launchctl enable ${TARGET}`,
    `launchctl bootstrap gui/501 ${PLIST}`,
  ]);
  const file = ctx.fs.files.get(PLIST)!;
  assertEquals(file.mode, 0o644);
  assertEquals(file.owner, undefined);
  const obj = parse(file.content) as Record<string, unknown>;
  assertEquals(obj.Label, "dev.autostart.web");
  // The program runs through the wrapper that rotates its log at each start; read
  // back, the command is the user's.
  const log = "/Users/alice/Library/Logs/autostart/web.log";
  const command = ["/usr/bin/python3", "-m", "http.server", "8080"];
  assertEquals(obj.ProgramArguments, logWrapperCommand(log, command));
  const rb = await launchdAgentDriver.readBack!(
    { name: "web", condition: "login" },
    ctx,
  );
  assertEquals([rb?.fields.program, ...rb?.fields.args ?? []], command);
  assertEquals(rb?.fields.logDir, undefined);
  assertEquals(obj.KeepAlive, { SuccessfulExit: false });
  assertEquals(obj.ThrottleInterval, 2);
  assertEquals(
    obj.StandardOutPath,
    "/Users/alice/Library/Logs/autostart/web.log",
  );
  assertOk(ctx.fs.dirs.has("/Users/alice/Library/Logs/autostart"));
  assertOk(ctx.fs.dirs.has(DIR));
});

Deno.test("launchdAgentDriver.plan() accepts 'not loaded' answers of the first bootout", () => {
  const step = launchdAgentDriver.plan(webSpec(), macContext()).steps.find((
    s,
  ) => s.kind === "run" && s.argv[1] === "bootout");
  assertEquals(step?.kind === "run" && step.okCodes, [3, 36, 113]);
});

Deno.test("launchdAgentDriver.plan() with --no-start writes and enables but does not bootstrap", async () => {
  const ctx = macContext();
  const plan = launchdAgentDriver.plan(webSpec({ start: false }), ctx);
  await applyMac(plan, ctx);
  assertEquals(ctx.runner.lines(), [
    `launchctl bootout ${TARGET}`,
    `launchctl print ${TARGET}`,
    `launchctl enable ${TARGET}`,
  ]);
  assertOk(ctx.fs.files.has(PLIST));
  assertMatch(plan.notes?.join("\n") ?? "", /next login.*autostart start web/);
});

Deno.test("launchdAgentDriver.plan() uses --log-dir for both streams", () => {
  const plan = launchdAgentDriver.plan(
    webSpec({ logDir: "/var/tmp/my logs" }),
    macContext(),
  );
  const w = plan.steps.find((s) => s.kind === "write");
  const obj = parse(w?.kind === "write" ? w.content : "") as Record<
    string,
    unknown
  >;
  assertEquals(obj.StandardOutPath, "/var/tmp/my logs/web.log");
  assertEquals(obj.StandardErrorPath, "/var/tmp/my logs/web.log");
  assertOk(
    plan.steps.some((s) => s.kind === "mkdir" && s.path === "/var/tmp/my logs"),
  );
});

Deno.test("launchdAgentDriver re-enable overwrites its own plist and bootouts the old job first", async () => {
  const ctx = macContext();
  await applyMac(launchdAgentDriver.plan(webSpec(), ctx), ctx);
  ctx.runner.calls.length = 0;
  await applyMac(
    launchdAgentDriver.plan(webSpec({ keepAlive: "always" }), ctx),
    ctx,
  );
  // The old job lingers after bootout: launchd is asked until it has let it go.
  const lines = ctx.runner.lines();
  assertEquals(lines[0], `launchctl bootout ${TARGET}`);
  assertOk(lines.filter((l) => l === `launchctl print ${TARGET}`).length > 1);
  assertEquals(lines.slice(-2), [
    `launchctl enable ${TARGET}`,
    `launchctl bootstrap gui/501 ${PLIST}`,
  ]);
  assertEquals(ctx.model.jobs.get(TARGET)?.state, "running");
  const obj = parse(ctx.fs.files.get(PLIST)!.content) as Record<
    string,
    unknown
  >;
  assertEquals(obj.KeepAlive, true);
});

Deno.test("launchdAgentDriver refuses to overwrite a plist autostart did not write", async () => {
  const fs = new MemoryFs({
    "/bin/launchctl": "",
    [PLIST]: "<plist><dict/></plist>",
  });
  const ctx = macContext({ fs });
  await assertRejects(
    () =>
      apply(launchdAgentDriver.plan(webSpec(), ctx), {
        runner: ctx.runner,
        fs: ctx.fs,
      }),
    /not written by autostart/,
  );
  assertEquals(ctx.runner.lines(), []);
});

Deno.test("launchdAgentDriver: a failed bootstrap leaves no plist behind", async () => {
  const ctx = macContext();
  ctx.runner.on(["launchctl", "bootstrap"], {
    code: 5,
    stderr:
      "Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n",
  });
  const err = await applyMac(launchdAgentDriver.plan(webSpec(), ctx), ctx)
    .catch((e) => e);
  assertOk(err instanceof OperationError);
  assertEquals(err.exitCode, 1);
  assertMatch(err.message, /Cannot load and start the service/);
  assertMatch(err.message, /tried 6 times over 7\.8s/);
  assertMatch(err.message, /the plist may be invalid/);
  assertMatch(err.hint ?? "", /plutil -lint/);
  assertEquals(ctx.fs.files.has(PLIST), false);
  assertEquals(err.rollbackProblems, []);
});

Deno.test("launchdAgentDriver: a failed bootstrap restores the previous plist", async () => {
  const ctx = macContext();
  await applyMac(launchdAgentDriver.plan(webSpec(), ctx), ctx);
  const before = ctx.fs.files.get(PLIST)!.content;
  // launchd stays busy through every retry (6 tries), then lets the rollback in.
  let busy = 6;
  ctx.runner.on(
    (a) => a[1] === "bootstrap" && busy-- > 0,
    { code: 37, stderr: "Bootstrap failed: 37: Operation already in progress" },
  );
  const running = { enabled: true, running: true };
  await assertRejects(
    () =>
      applyMac(
        launchdAgentDriver.plan(webSpec({ args: ["other"] }), ctx, running),
        ctx,
      ),
    (e: unknown) => e instanceof OperationError && /still busy/.test(e.message),
  );
  assertEquals(ctx.fs.files.get(PLIST)!.content, before);
  // The rollback loaded the previous version again.
  assertEquals(ctx.model.jobs.get(TARGET)?.path, PLIST);
});

Deno.test("launchdAgentDriver.planDisable() bootouts (not loaded is fine) and removes the plist", async () => {
  const ctx = macContext();
  await applyMac(launchdAgentDriver.plan(webSpec(), ctx), ctx);
  // Not loaded any more (stopped earlier): bootout answers 3.
  await ctx.runner.run(["launchctl", "bootout", TARGET]);
  await ctx.model.advance(5000);
  ctx.runner.calls.length = 0;
  const r = await applyMac(
    launchdAgentDriver.planDisable({ name: "web", condition: "login" }, ctx),
    ctx,
  );
  assertEquals(r.warnings, []);
  assertEquals(ctx.runner.lines(), [
    `launchctl bootout ${TARGET}`,
    `launchctl print ${TARGET}`,
  ]);
  assertEquals(ctx.fs.files.has(PLIST), false);
});

Deno.test("launchdAgentDriver.planDisable() with keepFiles disables the label instead of removing", () => {
  const plan = launchdAgentDriver.planDisable(
    { name: "web", condition: "login" },
    macContext(),
    { keepFiles: true },
  );
  assertEquals(
    plan.steps.map((s) => s.kind === "run" ? s.argv.join(" ") : s.kind),
    [
      `launchctl bootout ${TARGET}`,
      `launchctl print ${TARGET}`,
      `launchctl disable ${TARGET}`,
    ],
  );
});

Deno.test("launchdAgentDriver.planControl() start, stop and restart", () => {
  const ctx = macContext();
  const lines = (a: "start" | "stop" | "restart") =>
    launchdAgentDriver.planControl({ name: "web", condition: "login" }, a, ctx)
      .steps.map((s) => s.kind === "run" ? s.argv.join(" ") : s.kind);
  assertEquals(lines("start"), [
    `launchctl enable ${TARGET}`,
    `launchctl bootstrap gui/501 ${PLIST}`,
    `launchctl kickstart ${TARGET}`,
  ]);
  assertEquals(lines("restart"), [
    `launchctl enable ${TARGET}`,
    `launchctl kickstart -k ${TARGET}`,
    `launchctl bootstrap gui/501 ${PLIST}`,
  ]);
  // restart kills and starts only a loaded job; one it loads is started by RunAtLoad.
  const kick = launchdAgentDriver.planControl(
    { name: "web", condition: "login" },
    "restart",
    ctx,
  ).steps[1]!;
  assertEquals(kick.kind === "run" && kick.when, {
    argv: ["launchctl", "print", TARGET],
    codes: [0],
  });
  assertEquals(lines("stop"), [
    `launchctl bootout ${TARGET}`,
    `launchctl print ${TARGET}`,
  ]);
  const load = launchdAgentDriver.planControl(
    { name: "web", condition: "login" },
    "start",
    ctx,
  ).steps[1]!;
  // Loaded only when launchd does not have it; 5 is never read as "already loaded".
  assertEquals(load.kind === "run" && load.when, {
    argv: ["launchctl", "print", TARGET],
    codes: [113],
  });
  assertEquals(load.kind === "run" && load.okCodes, undefined);
});

Deno.test("launchdAgentDriver.plan() without prepare() says what to do", () => {
  const fresh = createLaunchdDriver("agent");
  assertThrows(() => fresh.plan(webSpec(), macContext()), /prepare/);
});

Deno.test("launchdAgentDriver.plan() keeps --env-file values out of the plist: a 0600 copy read by /bin/sh before the program", async () => {
  const ctx = macContext();
  const plan = launchdAgentDriver.plan(
    webSpec({
      envFile: { source: "/Users/alice/app.env", vars: [["API_TOKEN", "t0k"]] },
    }),
    ctx,
  );
  await applyMac(plan, ctx);
  const file = ctx.fs.files.get(PLIST)!;
  assertEquals(file.mode, 0o644);
  assertEquals(file.content.includes("t0k"), false);
  const obj = parse(file.content) as Record<string, unknown>;
  const copy = "/Users/alice/.config/autostart/env/web.env";
  assertEquals(
    parseEnvShellCommand(
      parseLogWrapperCommand(obj.ProgramArguments as string[])!.command,
    ),
    { copy, command: ["/usr/bin/python3", "-m", "http.server", "8080"] },
  );
  assertEquals(
    (obj.EnvironmentVariables as Record<string, string>).PATH,
    "/opt/homebrew/bin:/usr/bin:/bin",
  );
  assertEquals(ctx.fs.files.get(copy)?.mode, 0o600);
  assertEquals(parseEnvFile(ctx.fs.files.get(copy)!.content, "copy"), [[
    "API_TOKEN",
    "t0k",
  ]]);
  assertOk(plan.notes?.some((n) => n.includes(copy)));
  // read back: the real program and the copy, not the /bin/sh wrapper
  const rb = await launchdAgentDriver.readBack!(
    { name: "web", condition: "login" },
    ctx,
  );
  assertEquals(rb?.fields.program, "/usr/bin/python3");
  assertEquals(rb?.fields.args, ["-m", "http.server", "8080"]);
  assertEquals(rb?.fields.envFile, copy);
  assertEquals(rb?.fields.env.some(([k]) => k === "API_TOKEN"), false);
  // a re-enable without --env-file removes the copy
  const again = launchdAgentDriver.plan(webSpec(), ctx, {
    enabled: true,
    running: true,
  });
  assertOk(
    again.steps.some((s) => s.kind === "remove" && s.path === copy),
  );
  await applyMac(
    launchdAgentDriver.planDisable({ name: "web", condition: "login" }, ctx),
    ctx,
  );
  assertEquals(ctx.fs.files.has(copy), false);
});

Deno.test("envShellCommand() runs the program with the copy's values, exactly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const copy = `${dir}/it's.env`;
    await Deno.writeTextFile(
      copy,
      renderEnvFile([["A", 'x "y" $z \\ `q`'], ["B", "multi\nline"]], "h"),
    );
    const argv = envShellCommand(copy, ["/usr/bin/env"]);
    assertEquals(parseEnvShellCommand(argv)?.copy, copy);
    const o = await new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      clearEnv: true,
    }).output();
    const out = new TextDecoder().decode(o.stdout);
    assertOk(out.includes('A=x "y" $z \\ `q`\n'), out);
    assertOk(out.includes("B=multi\nline\n"), out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
