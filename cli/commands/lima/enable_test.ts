// `lima enable --dry-run` plans from the service's real state, like a real run: it
// shows nothing to do for an up-to-date service and refuses what a real run refuses.
import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { fakeContext, runCli } from "../../../tests/helpers.ts";
import { limaMachine } from "../../../tests/lima_machine.ts";

/** Lima's instance "default" and a limactl, in the context's MemoryFs. */
function limaTree() {
  const t = limaMachine({ instances: ["default"] });
  return { ...t, env: { ...t.env, TERM: "dumb", NO_COLOR: "1" } };
}

const UNIT = "/home/alice/.config/systemd/user/lima-vm@default.service";

const running = [
  "Id=lima-vm@default.service",
  "LoadState=loaded",
  "ActiveState=active",
  "SubState=running",
  "UnitFileState=enabled",
  "MainPID=77",
  "",
].join("\n");

Deno.test("lima enable --dry-run of an enabled, running, up-to-date service: nothing to do, as a real run does nothing", async () => {
  const t = limaTree();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  ctx.runner.on(["systemctl", "--user", "show"], { stdout: "" });
  const first = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
  assertEquals(first.code, 0, first.stderr);
  ctx.runner.on(["systemctl", "--user", "show"], { stdout: running });
  const dry = await runCli(["lima", "enable", "default", "--dry-run"], ctx);
  assertEquals(dry.code, 0, dry.stderr);
  assertEquals(
    dry.stdout,
    '# dry run: Lima instance "default" is already enabled and up to date (systemd); nothing to do\n',
  );
  const before = ctx.runner.lines().length;
  const again = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
  assertEquals(again.code, 0, again.stderr);
  assertMatch(
    again.stdout,
    new RegExp(
      `^Lima instance "default" is already enabled and up to date \\(systemd, ${UNIT}\\)\\.$`,
      "m",
    ),
  );
  assertEquals(
    ctx.runner.lines().slice(before).filter((l) => !/ show /.test(l)),
    [],
    "nothing run but the questions",
  );
  const json = await runCli(
    ["lima", "enable", "default", "--dry-run", "--json"],
    ctx,
  );
  const doc = JSON.parse(json.stdout);
  assertEquals([doc.action, doc.plan.steps], ["unchanged", []]);
});

Deno.test("lima enable --dry-run of a unit limactl wrote refuses like a real run (exit 1); with --adopt it shows the takeover", async () => {
  const t = limaTree();
  const ctx = fakeContext({ env: t.env, fs: t.machine() });
  ctx.fs.files.set(UNIT, {
    content: "[Service]\nExecStart=limactl start %i --foreground\n",
    mode: 0o644,
  });
  const r = await runCli(["lima", "enable", "default", "--dry-run"], ctx);
  assertEquals(r.code, 1, r.stderr);
  assertMatch(
    r.stderr,
    /lima-vm@default\.service was written by limactl, not autostart: left alone \(nothing changed\)/,
  );
  const adopt = await runCli(
    ["lima", "enable", "default", "--dry-run", "--adopt"],
    ctx,
  );
  assertEquals(adopt.code, 0, adopt.stderr);
  assertMatch(adopt.stdout, new RegExp(`write ${UNIT}`));
  assertEquals(
    ctx.fs.files.get(UNIT)?.content,
    "[Service]\nExecStart=limactl start %i --foreground\n",
  );
});
