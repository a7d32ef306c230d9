import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { fakeContext, ROOT_USER } from "../../tests/helpers.ts";
import { apply } from "../../core/apply.ts";
import { MemoryFs } from "../../core/fake.ts";
import { openrcDriver } from "./mod.ts";
import { openrcState, parseRcStatus } from "./status.ts";
import { OPENRC_SPEC as spec } from "../../templates/_testing.ts";

Deno.test("openrcDriver.status() reads rc-status --all once", async () => {
  const ctx = fakeContext({ self: ROOT_USER });
  for (const n of ["a", "b", "c"]) {
    await apply(openrcDriver.plan({ ...spec, name: n }, ctx), {
      runner: ctx.runner,
      fs: ctx.fs,
    });
  }
  ctx.runner.calls.length = 0;
  ctx.runner.on(["rc-status"], {
    stdout: [
      "Runlevel: default",
      " sshd                                                      [  started  ]",
      " autostart-a                                               [  started  ]",
      " autostart-b                                               [  crashed  ]",
      "Dynamic Runlevel: hotplugged",
      "Dynamic Runlevel: manual",
      " autostart-c                                               [  stopped  ]",
      "",
    ].join("\n"),
  });
  const list = await openrcDriver.status("boot", ctx);
  assertEquals(ctx.runner.lines(), ["rc-status --all"]);
  assertEquals(list.map((s) => [s.name, s.state, s.enabled]), [
    ["a", "running", true],
    ["b", "failed", true],
    ["c", "stopped", false],
  ]);
  assertEquals(list.map((s) => s.drifted), [false, false, false]);
  // A script edited by hand is still ours, and drifted; one without the marker is not.
  const a = ctx.fs.files.get("/etc/init.d/autostart-a")!;
  a.content = a.content.replace("/usr/bin/python3", "/usr/bin/python4");
  ctx.fs.files.set("/etc/init.d/autostart-b", {
    content: "#!/sbin/openrc-run\ncommand=/bin/true\n",
    mode: 0o755,
  });
  const edited = await openrcDriver.status("boot", ctx);
  assertEquals(edited.map((s) => [s.name, s.drifted]), [
    ["a", true],
    ["c", false],
  ]);
  assertMatch(edited[0]!.detail, /init script edited by hand/);
  assertEquals(parseRcStatus("").size, 0);
  assertEquals(openrcState("weird"), "unknown");
  assertEquals(await openrcDriver.status("login", ctx), []);
});

Deno.test("openrcDriver.available() looks for a running OpenRC", async () => {
  assertMatch(
    (await openrcDriver.available(fakeContext())).reason!,
    /OpenRC is not running/,
  );
  const fs = new MemoryFs({ "/run/openrc/softlevel": "default\n" });
  assertEquals(await openrcDriver.available(fakeContext({ fs })), {
    available: true,
  });
});

Deno.test("openrcDriver.readBack() reads the script it wrote; none for login or a foreign script", async () => {
  const ctx = fakeContext({ self: ROOT_USER });
  await apply(openrcDriver.plan({ ...spec, cwd: "/srv/web" }, ctx), {
    runner: ctx.runner,
    fs: ctx.fs,
  });
  const ref = { name: "web", condition: "boot" as const };
  const r = await openrcDriver.readBack!(ref, ctx);
  assertEquals(r?.file, "/etc/init.d/autostart-web");
  assertEquals(r?.fields.program, spec.program);
  assertEquals(r?.fields.args, spec.args);
  assertEquals(r?.fields.cwd, "/srv/web");
  assertEquals(r?.fields.user, "alice");
  assertEquals(
    await openrcDriver.readBack!({ ...ref, condition: "login" }, ctx),
    null,
  );
  ctx.fs.files.set("/etc/init.d/autostart-web", {
    content: "#!/sbin/openrc-run\ncommand=/bin/true\n",
    mode: 0o755,
  });
  assertEquals(await openrcDriver.readBack!(ref, ctx), null);
});
