// export → apply round trip, idempotence, --check and --prune, in-process against the
// systemd model (tests/faults/systemd_model.ts): files byte-identical, a second apply
// runs no systemctl command that changes anything, --check changes nothing.
import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { MemoryFs } from "../../core/fake.ts";
import { SystemdModel } from "../../tests/faults/systemd_model.ts";
import { limaMachine } from "../../tests/lima_machine.ts";
import {
  ALICE,
  assertGolden,
  fakeContext,
  ROOT_USER,
  runCli,
} from "../../tests/helpers.ts";

const DIR = "/home/alice/.config/systemd/user";

/** A fresh machine: an in-memory file system and a modelled user manager. */
function machine() {
  const fs = new MemoryFs();
  const model = new SystemdModel(fs, DIR);
  const ctx = fakeContext({ fs, runner: model.runner as never });
  return { fs, model, ctx };
}

/** The unit files of a machine, by path. */
function units(fs: MemoryFs): Record<string, string> {
  return Object.fromEntries(
    [...fs.files].filter(([p]) => p.startsWith(`${DIR}/autostart-`)).map((
      [p, f],
    ) => [p, f.content]),
  );
}

/** Where the tests put their manifest (in the machine's file system). */
const MANIFEST = "/home/alice/services.json";

/** Puts a manifest at `path` in `fs` (alice's, 0644). */
function writeManifest(fs: MemoryFs, content: string, path = MANIFEST): void {
  fs.files.set(path, {
    content,
    mode: 0o644,
    owner: { uid: ALICE.uid, gid: ALICE.gid },
  });
}

/** Commands that change the init system's state. */
const MUTATING =
  /^systemctl (--user )?(--no-block )?(daemon-reload|enable|disable|restart|start|stop|reset-failed)\b/;

async function seeded() {
  const m = machine();
  for (
    const argv of [
      [
        "enable",
        "web",
        "--no-wait",
        "--cwd",
        "/tmp",
        "--env",
        "API_TOKEN=s3cr3t-value",
        "--restart-delay",
        "1500ms",
        "--",
        "/bin/sh",
        "-c",
        'echo "100% $HOME"; sleep 1000',
      ],
      [
        "enable",
        "worker",
        "--no-wait",
        "--keep-alive=always",
        "--stop-timeout",
        "45s",
        "--restart-max-delay",
        "5m",
        "--path",
        "default",
        "--",
        "/bin/sleep",
        "1000",
      ],
    ]
  ) {
    const r = await runCli(argv, m.ctx);
    assertEquals(r.code, 0, r.stderr);
  }
  return m;
}

Deno.test("export → apply on a fresh machine writes byte-identical files; a second apply changes nothing", async () => {
  const a = await seeded();
  const exp = await runCli(["export"], a.ctx);
  assertEquals(exp.code, 0, exp.stderr);
  const manifest = JSON.parse(exp.stdout);
  assertEquals(manifest.version, 1);
  assertEquals(manifest.services.map((s: { name: string }) => s.name), [
    "web",
    "worker",
  ]);
  assertEquals(manifest.services[1].path, "default");
  assertEquals(manifest.services[1].stopTimeout, "45s");
  assertEquals(manifest.services[1].restartMaxDelay, "5m");
  assertEquals(manifest.services[0].restartMaxDelay, undefined, "the default");
  const file = MANIFEST;
  const b = machine();
  writeManifest(b.fs, exp.stdout);
  const first = await runCli(["apply", file, "--json"], b.ctx);
  assertEquals(first.code, 0, first.stderr);
  const r1 = JSON.parse(first.stdout);
  assertEquals(r1.changed, true);
  assertEquals(
    r1.services.map((s: { action: string }) => s.action),
    ["created", "created"],
  );
  assertEquals(units(b.fs), units(a.fs));
  assertOk(b.model.log.some((l) => MUTATING.test(l)), "the first apply ran");
  const before = b.model.log.length;
  const second = await runCli(["apply", file, "--json"], b.ctx);
  assertEquals(second.code, 0, second.stderr);
  const r2 = JSON.parse(second.stdout);
  assertEquals(r2.changed, false);
  assertEquals(
    r2.services.map((s: { action: string }) => s.action),
    ["unchanged", "unchanged"],
  );
  const ran = b.model.log.slice(before).filter((l) => MUTATING.test(l));
  assertEquals(ran, [], "an unchanged service is not reloaded or restarted");
});

Deno.test("apply --check reports what would change and changes nothing (golden)", async () => {
  const m = await seeded();
  const manifest = JSON.parse((await runCli(["export"], m.ctx)).stdout);
  manifest.services[0].command = ["/bin/sh", "-c", "sleep 2000"];
  manifest.services[0].env.API_TOKEN = "n3w-s3cr3t";
  manifest.services.splice(1, 1);
  manifest.services.push({ name: "new", command: ["/bin/sleep", "5"] });
  const file = MANIFEST;
  writeManifest(m.fs, JSON.stringify(manifest));
  const files = JSON.stringify(units(m.fs));
  const state = JSON.stringify(m.model.state());
  const r = await runCli(["apply", file, "--check", "--prune"], m.ctx);
  assertEquals(r.code, 0, r.stderr);
  await assertGolden("apply/check.txt", r.stdout);
  assertOk(!r.stdout.includes("n3w-s3cr3t"), "secret values are masked");
  assertEquals(JSON.stringify(units(m.fs)), files);
  assertEquals(JSON.stringify(m.model.state()), state);
  const j = JSON.parse(
    (await runCli(["apply", file, "--check", "--prune", "--json"], m.ctx))
      .stdout,
  );
  assertEquals(j.changed, true);
  assertEquals(j.check, true);
  assertEquals(
    j.services.map((s: { name: string; action: string }) =>
      `${s.name}:${s.action}`
    ),
    ["web:updated", "new:created", "worker:removed"],
  );
});

Deno.test("apply --prune removes only managed services absent from the manifest", async () => {
  const m = await seeded();
  m.fs.files.set(`${DIR}/autostart-foreign.service`, {
    content: "[Service]\nExecStart=/bin/true\n",
    mode: 0o644,
  });
  const file = MANIFEST;
  const manifest = JSON.parse(
    (await runCli(["export", "web"], m.ctx)).stdout,
  );
  writeManifest(m.fs, JSON.stringify(manifest));
  const r = await runCli(["apply", file, "--prune"], m.ctx);
  assertEquals(r.code, 0, r.stderr);
  assertOk(/removed\s+worker/.test(r.stdout), r.stdout);
  assertOk(/unchanged\s+web/.test(r.stdout), r.stdout);
  assertEquals(Object.keys(units(m.fs)).sort(), [
    `${DIR}/autostart-foreign.service`,
    `${DIR}/autostart-web.service`,
  ]);
});

Deno.test("apply of an invalid manifest exits 2, names every problem by its path, and writes nothing", async () => {
  const m = machine();
  const file = MANIFEST;
  writeManifest(
    m.fs,
    JSON.stringify({
      version: 1,
      services: [
        { name: "ok", command: ["/bin/sleep", "1"] },
        { name: "bad/name", command: ["/bin/sleep"] },
        { name: "x", command: [] },
        {
          name: "y",
          command: ["/bin/sleep", "a\u0000b"],
          keepAlive: "often",
        },
        { name: "z", command: ["/no/such/program"] },
        { name: "ok", command: ["/bin/sleep", "2"] },
        { name: "e", command: ["/bin/true"], env: { "1BAD": "v" }, extra: 1 },
        { name: "c", command: ["/bin/true"], cwd: "/no/such/dir" },
      ],
    }),
  );
  const r = await runCli(["apply", file, "--json"], m.ctx);
  assertEquals(r.code, 2, r.stderr);
  const paths = JSON.parse(r.stdout).error.problems.map((
    p: { path: string },
  ) => p.path);
  for (
    const want of [
      "services[1].name",
      "services[2].command",
      "services[3].command[1]",
      "services[3].keepAlive",
      "services[5]",
      "services[6].env.1BAD",
      "services[6].extra",
      // Resolution problems of the valid entries come in the same report.
      "services[4].command",
      "services[7].cwd",
    ]
  ) assertOk(paths.includes(want), `${want} in ${paths.join(", ")}`);
  assertEquals(units(m.fs), {});
  assertEquals(m.model.log, []);
  // Resolution problems (program, directory) are found before anything is applied.
  writeManifest(
    m.fs,
    JSON.stringify({
      version: 1,
      services: [
        { name: "ok", command: ["/bin/sleep", "1"] },
        { name: "z", command: ["/no/such/program"] },
        { name: "c", command: ["/bin/true"], cwd: "/no/such/dir" },
      ],
    }),
  );
  const r2 = await runCli(["apply", file], m.ctx);
  assertEquals(r2.code, 2);
  assertOk(
    /services\[1\]\.command: Program not found/.test(r2.stderr),
    r2.stderr,
  );
  assertOk(/services\[2\]\.cwd/.test(r2.stderr), r2.stderr);
  assertEquals(units(m.fs), {});
});

Deno.test("apply of a lima entry writes what `lima enable` writes, then leaves it unchanged; a limactl file fails alone", async () => {
  const t = limaMachine();
  const { bin, home } = t;
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: "/home/alice",
    XDG_RUNTIME_DIR: "/run/user/1000",
    LIMA_HOME: home,
  };
  const at = (m: ReturnType<typeof machine>) => {
    m.ctx.env = env;
    t.machine(m.fs);
    return m;
  };
  const unit = `${DIR}/lima-vm@default.service`;
  const byCli = at(machine());
  const r0 = await runCli(
    ["lima", "enable", "default", "--no-wait"],
    byCli.ctx,
  );
  assertEquals(r0.code, 0, r0.stderr);
  const m = at(machine());
  const file = MANIFEST;
  writeManifest(
    m.fs,
    JSON.stringify({ version: 1, services: [{ lima: "default" }] }),
  );
  const r1 = JSON.parse(
    (await runCli(["apply", file, "--json"], m.ctx)).stdout,
  );
  assertEquals(r1.services[0].action, "created");
  assertEquals(
    m.fs.files.get(unit)?.content,
    byCli.fs.files.get(unit)?.content,
  );
  const r2 = JSON.parse(
    (await runCli(["apply", file, "--json"], m.ctx)).stdout,
  );
  assertEquals(r2.services[0].action, "unchanged");
  // limactl's own file for "dev": refused, the other entry still applied.
  m.fs.files.set(`${DIR}/lima-vm@dev.service`, {
    content: "[Service]\nExecStart=limactl start dev\n",
    mode: 0o644,
  });
  writeManifest(
    m.fs,
    JSON.stringify({
      version: 1,
      services: [{ lima: "dev" }, { lima: "default" }],
    }),
  );
  const r3 = await runCli(["apply", file, "--json"], m.ctx);
  assertEquals(r3.code, 1, r3.stderr);
  const j3 = JSON.parse(r3.stdout);
  assertEquals(
    j3.services.map((s: { action: string }) => s.action),
    ["failed", "unchanged"],
  );
  assertMatch(j3.services[0].reason, /written by limactl.*--adopt/);
  assertEquals(
    m.fs.files.get(`${DIR}/lima-vm@dev.service`)?.content,
    "[Service]\nExecStart=limactl start dev\n",
  );
  // An unknown instance is an invalid manifest, with its path.
  writeManifest(
    m.fs,
    JSON.stringify({ version: 1, services: [{ lima: "nosuch" }] }),
  );
  const r4 = await runCli(["apply", file], m.ctx);
  assertEquals(r4.code, 2);
  assertMatch(r4.stderr, /services\[0\]\.lima: Unknown Lima instance/);
});

Deno.test("apply as root refuses a manifest another user could change (exit 2, nothing applied)", async () => {
  const m = machine();
  const ctx = { ...m.ctx, self: ROOT_USER, sudoUser: "alice" };
  // /tmp is writable by everyone: whoever wrote there could choose what root runs.
  m.fs.setInfo("/tmp", { mode: 0o1777 });
  const file = "/tmp/services.json";
  writeManifest(
    m.fs,
    JSON.stringify({
      version: 1,
      services: [{
        name: "x",
        condition: "boot",
        user: "root",
        command: ["/bin/sh", "-c", "id"],
      }],
    }),
    file,
  );
  // Root's own file, yet in a directory where anyone can replace it.
  m.fs.setInfo(file, { uid: 0, gid: 0 });
  const r = await runCli(["apply", file], ctx);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(
    r.stderr,
    /Refusing to apply .* as root: .*writable by group or others/,
  );
  assertEquals(m.model.log, []);
  assertEquals(
    [...m.fs.files.keys()].filter((p) => p.includes("autostart-x")),
    [],
  );
});

Deno.test("apply of a boot service as a user exits 2 and says to apply each scope as its owner", async () => {
  const m = machine();
  const file = MANIFEST;
  writeManifest(
    m.fs,
    JSON.stringify({
      version: 1,
      services: [
        { name: "a", command: ["/bin/sleep", "1"] },
        { name: "b", condition: "boot", command: ["/bin/sleep", "1"] },
      ],
    }),
  );
  const r = await runCli(["apply", file], m.ctx);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(
    r.stderr,
    /services\[1\]: Installing a boot service needs root/,
  );
  assertMatch(
    r.stderr,
    /--condition=login, and sudo autostart apply FILE --condition=boot/,
  );
  assertEquals(units(m.fs), {});
  const login = await runCli(
    ["apply", file, "--condition=login", "--json"],
    m.ctx,
  );
  assertEquals(login.code, 0, login.stderr);
  assertEquals(actions(JSON.parse(login.stdout)), ["a:created"]);
});

/** `name:action` of each service of an apply report. */
function actions(d: { services: { name: string; action: string }[] }) {
  return d.services.map((s) => `${s.name}:${s.action}`);
}

Deno.test("export lists a Lima service of `lima enable` as a lima entry; apply on a fresh machine writes the same file; limactl's file is left out", async () => {
  const t = limaMachine();
  const { bin, home } = t;
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: "/home/alice",
    XDG_RUNTIME_DIR: "/run/user/1000",
    LIMA_HOME: home,
    NO_COLOR: "1",
    TERM: "dumb",
  };
  const at = (m: ReturnType<typeof machine>) => {
    m.ctx.env = env;
    t.machine(m.fs);
    return m;
  };
  const unit = `${DIR}/lima-vm@default.service`;
  const limactlFile = `${DIR}/lima-vm@dev.service`;
  const a = at(machine());
  const r0 = await runCli(
    [
      "lima",
      "enable",
      "default",
      "--no-wait",
      "--keep-alive=false",
      "--stop-timeout",
      "5m",
    ],
    a.ctx,
  );
  assertEquals(r0.code, 0, r0.stderr);
  const r1 = await runCli(
    ["enable", "web", "--no-wait", "--", "/bin/sh"],
    a.ctx,
  );
  assertEquals(r1.code, 0, r1.stderr);
  // limactl's own unit for "dev" (no marker): not autostart's, not exported.
  a.fs.files.set(limactlFile, {
    content: "[Service]\nExecStart=limactl start dev\n",
    mode: 0o644,
  });
  const exp = await runCli(["export"], a.ctx);
  assertEquals(exp.code, 0, exp.stderr);
  const manifest = JSON.parse(exp.stdout);
  assertEquals(exp.stderr, "");
  assertEquals(manifest.services.slice(1), [
    {
      lima: "default",
      condition: "login",
      keepAlive: "false",
      stopTimeout: "5m",
    },
  ]);
  assertEquals(manifest.services[0].name, "web");
  // A NAME matches the instance; the other condition has nothing.
  const only = await runCli(["export", "default"], a.ctx);
  assertEquals(only.code, 0, only.stderr);
  assertEquals(
    JSON.parse(only.stdout).services.map((s: { lima?: string }) => s.lima),
    ["default"],
  );
  const boot = await runCli(["export", "--condition=boot"], a.ctx);
  assertEquals(JSON.parse(boot.stdout).services, []);
  const dev = await runCli(["export", "dev"], a.ctx);
  assertEquals(dev.code, 1);
  assertMatch(dev.stderr, /"dev" is not managed by autostart/);

  const file = MANIFEST;
  const b = at(machine());
  writeManifest(b.fs, exp.stdout);
  const ap = await runCli(["apply", file, "--json"], b.ctx);
  assertEquals(ap.code, 0, ap.stderr);
  assertEquals(
    JSON.parse(ap.stdout).services.map((s: { action: string }) => s.action),
    ["created", "created"],
  );
  assertOk(a.fs.files.get(unit)?.content);
  assertEquals(b.fs.files.get(unit)?.content, a.fs.files.get(unit)?.content);
  assertEquals(units(b.fs), units(a.fs));
  assertEquals(b.fs.files.get(limactlFile), undefined);
  const again = await runCli(["apply", file, "--json"], b.ctx);
  assertEquals(
    JSON.parse(again.stdout).services.map((s: { action: string }) => s.action),
    ["unchanged", "unchanged"],
  );
});

Deno.test("export names the env-file copy, never its values; apply of it on the same machine changes nothing", async () => {
  const m = machine();
  // The user's env file, read by enable through the context's file system.
  const src = "/home/alice/app.env";
  m.fs.files.set(src, {
    content: "API_TOKEN=tok-secret-1\nMODE=fast\n",
    mode: 0o600,
  });
  const file = MANIFEST;
  const en = await runCli(
    [
      "enable",
      "web",
      "--no-wait",
      "--env-file",
      src,
      "--",
      "/bin/sleep",
      "9",
    ],
    m.ctx,
  );
  assertEquals(en.code, 0, en.stderr);
  const exp = await runCli(["export", "web"], m.ctx);
  assertEquals(exp.code, 0, exp.stderr);
  assertEquals(exp.stdout.includes("tok-secret-1"), false, exp.stdout);
  const entry = JSON.parse(exp.stdout).services[0];
  const copy = "/home/alice/.config/autostart/env/web.env";
  assertEquals(entry.envFile, copy);
  assertEquals(entry.env?.API_TOKEN, undefined);
  writeManifest(m.fs, exp.stdout);
  // The same machine: apply reads the copy through the same file system.
  const before = units(m.fs);
  const r = await runCli(["apply", file, "--json"], m.ctx);
  assertEquals(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assertEquals(out.changed, false, r.stdout);
  assertEquals(out.services[0].action, "unchanged");
  assertEquals(units(m.fs), before);
});

Deno.test("apply reads the manifest through the context's file system; one that is not there exits 2 and says so, as root too", async () => {
  const m = machine();
  writeManifest(
    m.fs,
    JSON.stringify({
      version: 1,
      services: [{ name: "a", command: ["/bin/sleep", "1"] }],
    }),
  );
  const ok = await runCli(["apply", "services.json", "--json"], m.ctx);
  assertEquals(ok.code, 0, ok.stderr);
  assertEquals(actions(JSON.parse(ok.stdout)), ["a:created"]);
  const root = { ...m.ctx, self: ROOT_USER, sudoUser: "alice" };
  for (const ctx of [m.ctx, root]) {
    const r = await runCli(["apply", "/home/alice/nosuch.json"], ctx);
    assertEquals(r.code, 2, r.stderr);
    assertMatch(
      r.stderr,
      /Cannot read the manifest "\/home\/alice\/nosuch\.json": \/home\/alice\/nosuch\.json does not exist/,
    );
  }
});
