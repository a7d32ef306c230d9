import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { assertGolden } from "../../tests/helpers.ts";
import {
  applyMac,
  macContext,
  macRootContext,
  tunnelSpec,
} from "../../tests/launchd_helpers.ts";
import { launchdAgentDriver } from "./agent.ts";
import { launchdDaemonDriver } from "./daemon.ts";
import { renderNewsyslogConf } from "../../templates/newsyslog_conf.ts";
import { logPathsOfPlist } from "./logs.ts";

const CONF = "/etc/newsyslog.d/dev.autostart.tunnel.conf";

await launchdDaemonDriver.prepare();
await launchdAgentDriver.prepare();

Deno.test("renderNewsyslogConf() names the log, its owner, 3 files of 10 MiB, no signal (golden)", async () => {
  const text = renderNewsyslogConf(
    "tunnel",
    "/Library/Logs/autostart/tunnel.log",
    "alice:staff",
  )!;
  await assertGolden("launchd/daemon-newsyslog.conf", text);
  assertEquals(
    renderNewsyslogConf("x", "/Library/Logs/my#logs/x.log", "root:wheel")!
      .includes("/Library/Logs/my\\#logs/x.log root:wheel"),
    true,
  );
  assertEquals(renderNewsyslogConf("x", "/my logs/x.log", "root:wheel"), null);
});

Deno.test("launchd daemon: newsyslog file written root:wheel 0644 with the plist, removed with it", async () => {
  const ctx = macRootContext();
  await applyMac(launchdDaemonDriver.plan(tunnelSpec(), ctx), ctx);
  const f = ctx.fs.files.get(CONF)!;
  assertEquals([f.mode, f.owner], [0o644, { uid: 0, gid: 0 }]);
  assertMatch(
    f.content,
    /^\/Library\/Logs\/autostart\/tunnel\.log alice:staff 644 3 10240 \* N$/m,
  );
  await applyMac(
    launchdDaemonDriver.planDisable({ name: "tunnel", condition: "boot" }, ctx),
    ctx,
  );
  assertEquals(ctx.fs.files.has(CONF), false);
});

Deno.test("launchd: no newsyslog file for agents, Lima's daemons, or a log path with a space (a note)", () => {
  const agent = launchdAgentDriver.plan(
    tunnelSpec({ condition: "login", runAs: undefined }),
    macContext(),
  );
  assertEquals(
    agent.steps.some((s) => "path" in s && s.path.includes("newsyslog")),
    false,
  );
  const lima = launchdDaemonDriver.plan(
    tunnelSpec({ identity: "io.lima-vm.daemon.default" }),
    macRootContext(),
  );
  assertEquals(
    lima.steps.some((s) => "path" in s && s.path.includes("newsyslog")),
    false,
  );
  const spaced = launchdDaemonDriver.plan(
    tunnelSpec({ logDir: "/Library/Logs/my logs" }),
    macRootContext(),
  );
  assertEquals(
    spaced.steps.some((s) => "path" in s && s.path.includes("newsyslog")),
    false,
  );
  assertMatch(spaced.notes?.join("\n") ?? "", /newsyslog cannot rotate/);
});

Deno.test("launchd says it cannot back off a crash loop, instead of dropping the cap", () => {
  const plan = launchdDaemonDriver.plan(
    tunnelSpec({ restartMaxDelayMs: 60_000 }),
    macRootContext(),
  );
  assertMatch(
    plan.notes?.join("\n") ?? "",
    /launchd has no backoff: "tunnel" is restarted at most every 5s \(ThrottleInterval\)/,
  );
  const none = launchdDaemonDriver.plan(tunnelSpec(), macRootContext());
  assertEquals(none.notes, undefined);
});

Deno.test("logPathsOfPlist() puts a relative path in the WorkingDirectory, as launchd opens it (Lima's LaunchAgent)", () => {
  assertEquals(
    logPathsOfPlist({
      StandardOutPath: "launchd.stdout.log",
      StandardErrorPath: "/var/log/x.err",
      WorkingDirectory: "/Users/a/.lima/default/",
    }),
    ["/Users/a/.lima/default/launchd.stdout.log", "/var/log/x.err"],
  );
  assertEquals(logPathsOfPlist({ StandardOutPath: "out.log" }), [
    "/out.log",
  ]);
});
