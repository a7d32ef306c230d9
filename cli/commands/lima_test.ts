import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { ALICE, fakeContext, ROOT_USER, runCli } from "../../tests/helpers.ts";
import { MemoryFs } from "../../core/fake.ts";

/** A real LIMA_HOME with instances "default" and "dev", and a limactl in `bin`. */
async function limaTree() {
  const root = await Deno.makeTempDir({ prefix: "autostart-lima-cli-" });
  const bin = `${root}/bin`, home = `${root}/lima`;
  for (const d of [bin, `${home}/default`, `${home}/dev`]) {
    await Deno.mkdir(d, { recursive: true });
  }
  await Deno.writeTextFile(`${home}/default/lima.yaml`, "");
  await Deno.writeTextFile(`${home}/dev/lima.yaml`, "");
  await Deno.writeTextFile(`${bin}/limactl`, "#!/bin/sh\n", { mode: 0o755 });
  return {
    bin,
    home,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: ALICE.home,
      XDG_RUNTIME_DIR: "/run/user/1000",
      LIMA_HOME: home,
    },
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

Deno.test("lima: misuse exits 2 and runs nothing", async () => {
  const t = await limaTree();
  try {
    const ctx = fakeContext({ env: t.env });
    for (
      const argv of [
        ["lima"],
        ["lima", "frob"],
        ["lima", "enable"],
        ["lima", "enable", "a", "b"],
        ["lima", "enable", "../x"],
        ["lima", "enable", "default", "--condition=sometimes"],
        ["lima", "enable", "default", "--keep-alive=maybe"],
        ["lima", "enable", "default", "--timeout=soon"],
        ["lima", "enable", "default", "--user=bob"],
        ["lima", "disable"],
        ["lima", "status", "a", "b"],
      ]
    ) {
      const r = await runCli(argv, ctx);
      assertEquals(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
      assertMatch(r.stderr, /^error: /);
    }
    assertEquals(ctx.runner.calls, []);
    assertEquals(ctx.fs.snapshot(), {});
  } finally {
    await t.cleanup();
  }
});

Deno.test("lima enable (systemd, login): Lima's user unit, then reload, enable, restart", async () => {
  const t = await limaTree();
  try {
    const ctx = fakeContext({ env: t.env });
    ctx.runner.on(["systemctl", "--user", "show"], { stdout: "" });
    const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
    assertEquals(r.code, 0, r.stderr);
    const unit = "lima-vm@default.service";
    assertEquals(ctx.runner.lines().filter((l) => !l.includes(" show ")), [
      "systemctl --user daemon-reload",
      `systemctl --user enable --no-reload ${unit}`,
      `systemctl --user reset-failed ${unit}`,
      `systemctl --user --no-block restart ${unit}`,
    ]);
    const text = ctx.fs.files.get(`/home/alice/.config/systemd/user/${unit}`)!
      .content;
    assertMatch(
      text,
      new RegExp(`^ExecStart=${t.bin}/limactl start %i --foreground$`, "m"),
    );
    assertMatch(text, new RegExp(`^Environment="LIMA_HOME=${t.home}"$`, "m"));
    assertMatch(
      r.stdout,
      /Enabled Lima instance "default" \(systemd, lima-vm@default\.service/,
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("lima enable (systemd, boot) under sudo: a system unit with User= of the sudo user", async () => {
  const t = await limaTree();
  try {
    const ctx = fakeContext({
      self: ROOT_USER,
      sudoUser: "alice",
      env: { ...t.env, HOME: "/root", SUDO_USER: "alice" },
    });
    const r = await runCli(
      ["lima", "enable", "dev", "--condition=boot", "--no-wait", "--json"],
      ctx,
    );
    assertEquals(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assertEquals(
      [doc.unit, doc.file, doc.condition, doc.instanceDir],
      [
        "lima-vm@dev.service",
        "/etc/systemd/system/lima-vm@dev.service",
        "boot",
        `${await Deno.realPath(t.home)}/dev`,
      ],
    );
    const text = ctx.fs.files.get(doc.file)!.content;
    assertMatch(text, /^User=alice$/m);
    assertMatch(text, /^WantedBy=multi-user\.target$/m);
    assertOk(
      ctx.runner.lines().includes(
        "systemctl --no-block restart lima-vm@dev.service",
      ),
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("lima enable --dry-run prints the plan and changes nothing", async () => {
  const t = await limaTree();
  try {
    const ctx = fakeContext({ env: t.env });
    const r = await runCli(["lima", "enable", "default", "--dry-run"], ctx);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(
      r.stdout,
      /^# dry run: systemd would do this for Lima instance "default"/,
    );
    assertMatch(
      r.stdout,
      /write \/home\/alice\/\.config\/systemd\/user\/lima-vm@default\.service/,
    );
    assertEquals(ctx.runner.calls, []);
    assertEquals(ctx.fs.snapshot(), {});
  } finally {
    await t.cleanup();
  }
});

Deno.test("lima enable rolls back when starting fails", async () => {
  const t = await limaTree();
  try {
    const ctx = fakeContext({ env: t.env });
    ctx.runner.on(["systemctl", "--user", "--no-block", "restart"], {
      code: 1,
      stderr: "Job failed",
    });
    const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
    assertEquals(r.code, 1);
    assertMatch(
      r.stderr,
      /Cannot start the service: systemctl --user --no-block restart lima-vm@default\.service exited with code 1: Job failed/,
    );
    assertEquals(ctx.fs.snapshot(), {});
    assertOk(
      ctx.runner.lines().includes(
        "systemctl --user disable lima-vm@default.service",
      ),
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("lima disable of an instance without a service exits 1 and says so", async () => {
  const ctx = fakeContext({ fs: new MemoryFs() });
  const r = await runCli(["lima", "disable", "default"], ctx);
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /Lima instance "default" has no service to disable/);
});

Deno.test("lima on a platform without a driver exits 3", async () => {
  const t = await limaTree();
  try {
    const ctx = fakeContext({ os: "windows", env: t.env });
    const r = await runCli(["lima", "enable", "default", "--no-wait"], ctx);
    assertEquals(r.code, 3, r.stderr);
    assertMatch(
      r.stderr,
      /Lima preset cannot use the unsupported driver|does not support windows|no driver/,
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("lima status lists every instance with both conditions", async () => {
  const t = await limaTree();
  try {
    const ctx = fakeContext({ env: t.env });
    const r = await runCli(["lima", "status", "--json"], ctx);
    assertEquals(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assertEquals(doc.instances.map((i: { instance: string }) => i.instance), [
      "default",
      "dev",
    ]);
    assertEquals(
      doc.instances[0].services.map((s: { condition: string; owner: null }) => [
        s.condition,
        s.owner,
      ]),
      [["login", null], ["boot", null]],
    );
    const unknown = await runCli(["lima", "status", "nope"], ctx);
    assertEquals(unknown.code, 2);
    assertMatch(unknown.stderr, /existing instances: default, dev/);
  } finally {
    await t.cleanup();
  }
});

Deno.test("lima disable without sudo refuses before touching anything when a boot service exists", async () => {
  const login = "/home/alice/.config/systemd/user/lima-vm@default.service";
  const boot = "/etc/systemd/system/lima-vm@default.service";
  const fs = new MemoryFs({
    [login]: "# Managed by autostart\n",
    [boot]: "# Managed by autostart\n",
  });
  const ctx = fakeContext({ fs });
  const r = await runCli(["lima", "disable", "default"], ctx);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /needs root/);
  assertEquals(Object.keys(fs.snapshot()).sort(), [boot, login]);
  assertEquals(
    ctx.runner.lines().filter((l) => !l.includes(" show ")),
    [],
  );
  const one = await runCli(
    ["lima", "disable", "default", "--condition=login"],
    ctx,
  );
  assertEquals(one.code, 0, one.stderr);
  assertEquals(Object.keys(fs.snapshot()), [boot]);
});
