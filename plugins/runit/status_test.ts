import { assertEquals } from "../../tests/assert.ts";
import { apply } from "../../core/apply.ts";
import { runitDriver } from "./mod.ts";
import { parseSvStatus, runitState } from "./status.ts";
import { runitContext, spec } from "./_testing.ts";

Deno.test("parseSvStatus() and runitState() read sv status lines", () => {
  const out = [
    "run: /etc/sv/autostart-a: (pid 42) 7s; run: log: (pid 41) 7s",
    "down: /etc/sv/autostart-b: 3s, normally up; run: log: (pid 5) 10s",
    "down: /etc/sv/autostart-c: 1s, normally up, want up",
    "finish: /etc/sv/autostart-d: (pid 9) 0s",
    "fail: /etc/sv/autostart-e: runsv not running",
    "warning: /etc/sv/autostart-f: unable to open supervise/ok: file does not exist",
  ].join("\n");
  const s = (n: string) => parseSvStatus(out, `/etc/sv/autostart-${n}`);
  assertEquals(s("a")?.pid, 42);
  assertEquals(s("a")?.seconds, 7);
  assertEquals(
    ["a", "b", "c", "d", "e", "f", "g"].map((n) => runitState(s(n))),
    [
      "running",
      "stopped",
      "starting",
      "starting",
      "not-loaded",
      "not-loaded",
      "unknown",
    ],
  );
  assertEquals(s("b")?.flags, ["normally up"]);
});

Deno.test("runitDriver.status() reads every service in one sv status call", async () => {
  const ctx = runitContext();
  for (const n of ["a", "b"]) {
    await apply(runitDriver.plan({ ...spec, name: n }, ctx), {
      runner: ctx.runner,
      fs: ctx.fs,
    });
  }
  ctx.fs.files.set("/etc/service/autostart-a", { content: "", mode: 0o777 });
  ctx.runner.calls.length = 0;
  ctx.runner.on(["sv", "status"], {
    stdout: "run: /etc/sv/autostart-a: (pid 42) 7s; run: log: (pid 41) 7s\n" +
      "down: /etc/sv/autostart-b: 3s, normally up\n",
  });
  const list = await runitDriver.status("boot", ctx);
  assertEquals(ctx.runner.lines(), [
    "sv status /etc/sv/autostart-a /etc/sv/autostart-b",
  ]);
  assertEquals(list.map((s) => [s.name, s.state, s.pid, s.enabled]), [
    ["a", "running", 42, true],
    ["b", "stopped", null, false],
  ]);
  assertEquals(await runitDriver.status("login", ctx), []);
  const run = ctx.fs.files.get("/etc/sv/autostart-a/run")!;
  run.content = run.content.replace("8080", "9090");
  assertEquals(
    (await runitDriver.status("boot", ctx, ["a"]))[0]!.drifted,
    true,
  );
});

Deno.test("runitDriver.readBack() reads the fields enable took; a foreign run script is not read", async () => {
  const ctx = runitContext();
  await apply(
    runitDriver.plan({ ...spec, logDir: "/srv/logs", start: false }, ctx),
    { runner: ctx.runner, fs: ctx.fs },
  );
  const r = await runitDriver.readBack!(
    { name: "web", condition: "boot" },
    ctx,
  );
  assertEquals(r?.file, "/etc/sv/autostart-web/run");
  assertEquals(r?.fields.program, spec.program);
  assertEquals(r?.fields.args, spec.args);
  assertEquals(r?.fields.logDir, "/srv/logs");
  assertEquals(r?.fields.start, false);
  ctx.fs.files.set("/etc/sv/autostart-web/run", {
    content: "#!/bin/sh\nexec true\n",
    mode: 0o755,
  });
  assertEquals(
    await runitDriver.readBack!({ name: "web", condition: "boot" }, ctx),
    null,
  );
});
