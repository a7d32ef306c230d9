// export / apply in a real systemd (user units of lingering users, one user per test):
// export → apply on a fresh account writes byte-identical units that run the same
// command line; a second apply restarts nothing; one changed field updates one service;
// --prune removes only managed services; a service that fails is rolled back alone.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { E2E, json, sharedBox } from "./_box.ts";
import type { Sandbox } from "../sandbox.ts";

const box = sharedBox();
const dirOf = (u: string) => `/home/${u}/.config/systemd/user`;

interface ApplyDoc {
  changed: boolean;
  services: { name: string; action: string; reason: string | null }[];
}

/** Writes `text` to `path` inside the box as `user`. */
async function put(b: Sandbox, user: string, path: string, text: string) {
  const r = await b.sh(`cat > '${path}'`, { user, stdin: text });
  assertEquals(r.code, 0, r.stderr);
}

/** Applies a manifest as `user`; returns the JSON report and the exit code. */
async function apply(
  b: Sandbox,
  user: string,
  manifest: unknown,
  ...extra: string[]
): Promise<ApplyDoc & { code: number }> {
  const file = `/home/${user}/services.json`;
  await put(b, user, file, JSON.stringify(manifest));
  const r = await b.autostart(["apply", file, "--json", ...extra], { user });
  assertOk(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { ...json<ApplyDoc>(r), code: r.code };
}

const actions = (d: ApplyDoc) => d.services.map((s) => `${s.name}:${s.action}`);

Deno.test({
  name:
    "fleet: export → apply on a fresh account recreates byte-identical units; a second apply restarts nothing",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.addUser("fa");
    await b.addUser("fb");
    const enable = [
      [
        "enable",
        "web",
        "--no-wait",
        "--cwd",
        "/tmp",
        "--env",
        'GREETING=two words "quoted" 100% $HOME',
        "--env",
        "API_TOKEN=s3cr3t",
        "--restart-delay",
        "1500ms",
        "--",
        "/bin/sh",
        "-c",
        'echo "$GREETING"; exec sleep 1000',
        "arg with spaces",
      ],
      [
        "enable",
        "worker",
        "--no-wait",
        "--keep-alive=always",
        "--path",
        "default",
        "--",
        "/bin/sleep",
        "2000",
      ],
    ];
    for (const argv of enable) {
      const r = await b.autostart(argv, { user: "fa" });
      assertEquals(r.code, 0, r.stderr);
    }
    const exp = await b.autostart(["export"], { user: "fa" });
    assertEquals(exp.code, 0, exp.stderr);
    await put(b, "fb", "/home/fb/services.json", exp.stdout);
    const first = json<ApplyDoc>(
      await b.autostart(["apply", "/home/fb/services.json", "--json"], {
        user: "fb",
      }),
    );
    assertEquals(actions(first), ["web:created", "worker:created"]);
    for (const unit of ["autostart-web.service", "autostart-worker.service"]) {
      const a = await b.exec(["cat", `${dirOf("fa")}/${unit}`]);
      const c = await b.exec(["cat", `${dirOf("fb")}/${unit}`]);
      assertEquals(c.stdout, a.stdout, `${unit} is byte-identical`);
      assertEquals(await b.prop(unit, "ActiveState", "fb"), "active");
    }
    // The same command line runs.
    const cmdline = async (u: string) => {
      const pid = await b.prop("autostart-web.service", "MainPID", u);
      return (await b.exec(["cat", `/proc/${pid}/cmdline`])).stdout;
    };
    assertEquals(await cmdline("fb"), await cmdline("fa"));
    // A second apply: unchanged, nothing restarted.
    const inv = await b.prop("autostart-web.service", "InvocationID", "fb");
    const second = json<ApplyDoc>(
      await b.autostart(["apply", "/home/fb/services.json", "--json"], {
        user: "fb",
      }),
    );
    assertEquals(second.changed, false);
    assertEquals(actions(second), ["web:unchanged", "worker:unchanged"]);
    assertEquals(
      await b.prop("autostart-web.service", "InvocationID", "fb"),
      inv,
    );
    // show reads the same fields back, the secret masked.
    const show = await b.autostart(["show", "web"], { user: "fb" });
    assertEquals(show.code, 0, show.stderr);
    assertMatch(show.stdout, /API_TOKEN=\*{8}/);
    assertOk(!show.stdout.includes("s3cr3t"), show.stdout);
    assertMatch(show.stdout, /working dir:\s+\/tmp/);
  },
});

Deno.test({
  name:
    "fleet: apply updates the one service whose field changed, and --prune removes only managed services",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.addUser("fc");
    const m = {
      version: 1,
      services: [
        { name: "web", command: ["/bin/sleep", "1000"] },
        { name: "worker", command: ["/bin/sleep", "2000"], env: { MODE: "a" } },
      ],
    };
    assertEquals(actions(await apply(b, "fc", m)), [
      "web:created",
      "worker:created",
    ]);
    const webInv = await b.prop("autostart-web.service", "InvocationID", "fc");
    const workerInv = await b.prop(
      "autostart-worker.service",
      "InvocationID",
      "fc",
    );
    m.services[1]!.env = { MODE: "b" };
    const upd = await apply(b, "fc", m);
    assertEquals(actions(upd), ["web:unchanged", "worker:updated"]);
    assertEquals(
      await b.prop("autostart-web.service", "InvocationID", "fc"),
      webInv,
    );
    assertOk(
      await b.prop("autostart-worker.service", "InvocationID", "fc") !==
        workerInv,
      "the updated service was restarted",
    );
    assertMatch(
      await b.prop("autostart-worker.service", "Environment", "fc"),
      /MODE=b/,
    );
    // A unit autostart did not write, named like ours: never pruned.
    const foreign = `${dirOf("fc")}/autostart-foreign.service`;
    await put(b, "fc", foreign, "[Service]\nExecStart=/bin/sleep 1\n");
    const pruned = await apply(
      b,
      "fc",
      { version: 1, services: [m.services[0]] },
      "--prune",
    );
    assertEquals(actions(pruned), ["web:unchanged", "worker:removed"]);
    const ls = await b.exec(["ls", dirOf("fc")]);
    assertOk(!ls.stdout.includes("autostart-worker.service"), ls.stdout);
    assertOk(ls.stdout.includes("autostart-foreign.service"), ls.stdout);
    assertOk(
      ["inactive", ""].includes(
        await b.prop("autostart-worker.service", "ActiveState", "fc"),
      ),
    );
  },
});

Deno.test({
  name:
    "fleet: a service that fails is rolled back alone; the others are applied (exit 1)",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.addUser("fd");
    // A mask in a directory systemd reads before ~/.config/systemd/user: enable fails
    // after the unit file is written, so apply must roll that one service back.
    const r = await b.sh(
      "mkdir -p ~/.config/systemd/user.control && ln -s /dev/null ~/.config/systemd/user.control/autostart-bad.service && systemctl --user daemon-reload",
      { user: "fd" },
    );
    assertEquals(r.code, 0, r.stderr);
    const d = await apply(b, "fd", {
      version: 1,
      services: [
        { name: "bad", command: ["/bin/sleep", "1000"] },
        { name: "good", command: ["/bin/sleep", "1000"] },
      ],
    });
    assertEquals(d.code, 1);
    assertEquals(actions(d), ["bad:failed", "good:created"]);
    assertMatch(d.services[0]!.reason ?? "", /masked/i);
    assertEquals(
      await b.prop("autostart-good.service", "ActiveState", "fd"),
      "active",
    );
    const ls = await b.exec(["ls", dirOf("fd")]);
    assertOk(!ls.stdout.includes("autostart-bad.service"), ls.stdout);
  },
});

Deno.test({
  name:
    "fleet: boot services round-trip too: export, disable, apply as root writes the same unit",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.addUser("ff", { linger: false });
    const sudo = { env: { SUDO_USER: "ff" } };
    const en = await b.autostart([
      "enable",
      "bootweb",
      "--condition=boot",
      "--no-wait",
      "--keep-alive=always",
      "--env",
      "A=1 2",
      "--",
      "/bin/sleep",
      "3000",
    ], sudo);
    assertEquals(en.code, 0, en.stderr);
    const unit = "/etc/systemd/system/autostart-bootweb.service";
    const before = (await b.exec(["cat", unit])).stdout;
    const exp = await b.autostart(["export", "bootweb", "--condition=boot"]);
    assertEquals(exp.code, 0, exp.stderr);
    assertEquals(
      json<{ services: { user: string }[] }>(exp).services[0]!.user,
      "ff",
    );
    const dis = await b.autostart(["disable", "bootweb", "--condition=boot"]);
    assertEquals(dis.code, 0, dis.stderr);
    const w = await b.sh(
      "mkdir -p /etc/autostart && cat > /etc/autostart/boot.json",
      { stdin: exp.stdout },
    );
    assertEquals(w.code, 0, w.stderr);
    // As plain root (no SUDO_USER): the manifest names the account.
    const r = await b.autostart([
      "apply",
      "/etc/autostart/boot.json",
      "--condition=boot",
      "--json",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(actions(json<ApplyDoc>(r)), ["bootweb:created"]);
    assertEquals((await b.exec(["cat", unit])).stdout, before);
    assertEquals(await b.prop("autostart-bootweb.service", "User"), "ff");
    assertEquals(
      await b.prop("autostart-bootweb.service", "ActiveState"),
      "active",
    );
  },
});

Deno.test({
  name:
    "fleet: root refuses a manifest another user can change, directly or through a symlink",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.addUser("fe", { linger: false });
    const evil = JSON.stringify({
      version: 1,
      services: [{
        name: "evil",
        condition: "boot",
        user: "root",
        command: ["/bin/sh", "-c", "id > /root/owned"],
      }],
    });
    await put(b, "fe", "/home/fe/evil.json", evil);
    const link = await b.sh(
      "mkdir -p /etc/autostart && ln -sf /home/fe/evil.json /etc/autostart/linked.json",
    );
    assertEquals(link.code, 0, link.stderr);
    for (const f of ["/home/fe/evil.json", "/etc/autostart/linked.json"]) {
      const r = await b.autostart(["apply", f, "--condition=boot"]);
      assertEquals(r.code, 2, `${f}: ${r.stdout}${r.stderr}`);
      assertMatch(r.stderr, /Refusing to apply .* as root/);
    }
    const ls = await b.exec(["ls", "/etc/systemd/system"]);
    assertOk(!ls.stdout.includes("autostart-evil"), ls.stdout);
    // The same manifest, copied where only root can write, is applied.
    const cp = await b.sh(
      "cp /home/fe/evil.json /etc/autostart/ok.json && chmod 644 /etc/autostart/ok.json",
    );
    assertEquals(cp.code, 0, cp.stderr);
    const ok = await b.autostart([
      "apply",
      "/etc/autostart/ok.json",
      "--condition=boot",
      "--json",
    ]);
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(actions(json<ApplyDoc>(ok)), ["evil:created"]);
  },
});

Deno.test({
  name: "fleet: stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
