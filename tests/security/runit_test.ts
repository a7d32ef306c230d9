// runit under a real systemd 252, played by the service's user (issue 15, items 1, 5
// and 6): the shared log root /var/log/autostart stays root's when svc's service is
// the first to log there, svlogd runs as svc in a directory of svc's own, and svc
// cannot plant anything root would write; `disable` keeps a backup and svc's files in
// the service directory; a failed `disable` puts `run` back executable (0755), and a
// `run` made 0644 is not "up to date".
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { E2E, sharedBox } from "../e2e/_box.ts";
import { addAttacker, type Attacker, statIn } from "./_attacker.ts";

let svc: Attacker;
const box = sharedBox(async (b) => {
  svc = await addAttacker(b, "svc");
  const r = await b.sh(
    "mkdir -p /etc/service /etc/sv && rm -rf /var/log/autostart && " +
      "systemd-run --unit=runsvdir-box --property=KillMode=process /usr/bin/runsvdir -P /etc/service",
  );
  if (r.code !== 0) throw new Error(`set-up: ${r.stderr}`);
});
const sv = (name: string) => `/etc/sv/autostart-${name}`;
const SLEEP = ["--", "/bin/sh", "-c", "echo started; exec sleep 100000"];
const runit = ["--driver=runit", "--condition=boot", "--no-wait"];

/** Enables runit boot service `name` for svc and waits until runsv runs it. */
async function enableFor(name: string): Promise<void> {
  const b = await box.get();
  const r = await b.autostart([
    "enable",
    name,
    ...runit,
    "--user",
    "svc",
    ...SLEEP,
  ]);
  assertEquals(r.code, 0, r.stderr);
  await b.waitFor(`${name} running`, async () => {
    const s = await b.autostart(["status", name, "--json"]);
    return /"state": "running"/.test(s.stdout);
  }, 20_000);
}

/**
 * The user svlogd of `name` runs as. By command name: until it execs svlogd, log/run's
 * `chpst -u USER svlogd -tt DIR` has the same arguments and runs as root.
 */
async function svlogdUser(name: string): Promise<string> {
  const b = await box.get();
  return await b.waitFor(`svlogd of ${name}`, async () => {
    const r = await b.sh(
      `ps -C svlogd -o user:20=,args= | awk '$NF == "/var/log/autostart/${name}" {print $1}'`,
    );
    return r.stdout.trim() || undefined;
  }, 20_000);
}

Deno.test({
  name:
    "security/runit: the first service's user does not get the shared log root; svlogd runs as that user",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart([
      "enable",
      "web",
      ...runit,
      "--user",
      "svc",
      ...SLEEP,
    ]);
    assertEquals(r.code, 0, r.stderr);
    const root = await statIn(b, "/var/log/autostart");
    assertEquals([root.uid, root.mode], [0, 0o755], "shared log root");
    const own = await statIn(b, "/var/log/autostart/web");
    assertEquals(own.uid, svc.uid, "the service's own log directory");
    assertEquals(await svlogdUser("web"), "svc");
    // svc can neither plant a file in the shared root nor swap its own directory.
    const plant = await svc.sh(
      "ln -s /etc/cron.d/x /var/log/autostart/other || mv /var/log/autostart/web /var/log/autostart/web.old",
    );
    assertOk(plant.code !== 0, "svc changed the shared log root");
    // A root service enabled later logs in a root directory under a root parent.
    const r2 = await b.autostart([
      "enable",
      "rootsvc",
      ...runit,
      "--user",
      "root",
      ...SLEEP,
    ]);
    assertEquals(r2.code, 0, r2.stderr);
    assertEquals((await statIn(b, "/var/log/autostart/rootsvc")).uid, 0);
    assertEquals(await svlogdUser("rootsvc"), "root");
    const d = await b.autostart(["disable", "rootsvc", "--condition=boot"]);
    assertEquals(d.code, 0, d.stderr);
  },
});

Deno.test({
  name:
    "security/runit: a shared log root owned by a user (left by an older version) is refused, nothing written",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.sh(
      "mkdir -p /var/log/autostart && chown svc:svc /var/log/autostart",
    );
    try {
      const r = await b.autostart([
        "enable",
        "second",
        ...runit,
        "--user",
        "svc",
        ...SLEEP,
      ]);
      assertEquals(r.code, 2, r.stderr);
      assertMatch(r.stderr, /\/var\/log\/autostart .*owned by uid/);
      assertEquals((await statIn(b, "/etc/sv/autostart-second")).exists, false);
    } finally {
      await b.sh("chown root:root /var/log/autostart");
    }
  },
});

Deno.test({
  name:
    "security/runit: a run script made 0644 is not up to date; enable makes it 0755 again",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableFor("modes");
    await b.exec(["chmod", "0644", `${sv("modes")}/run`]);
    const r = await b.autostart([
      "enable",
      "modes",
      ...runit,
      "--user",
      "svc",
      ...SLEEP,
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertOk(!/up to date/.test(r.stdout), r.stdout);
    assertEquals((await statIn(b, `${sv("modes")}/run`)).mode, 0o755);
    const again = await b.autostart([
      "enable",
      "modes",
      ...runit,
      "--user",
      "svc",
      ...SLEEP,
    ]);
    assertMatch(again.stdout, /up to date/);
  },
});

Deno.test({
  name:
    "security/runit: a failed disable restores run, finish and log/run with their modes (0755)",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableFor("rollback");
    // A rmdir that fails (as on a read-only or busy directory) after the files went.
    await b.sh(
      "mkdir -p /opt/failing && printf '#!/bin/sh\\necho rmdir: refused >&2\\nexit 3\\n' > /opt/failing/rmdir && chmod 755 /opt/failing/rmdir",
    );
    const r = await b.autostart(
      ["disable", "rollback", "--condition=boot"],
      { env: { PATH: "/opt/failing:/usr/local/bin:/usr/bin:/bin" } },
    );
    assertEquals(r.code, 1, r.stderr);
    for (const f of ["run", "finish", "log/run"]) {
      const st = await statIn(b, `${sv("rollback")}/${f}`);
      assertEquals([f, st.type, st.mode, st.uid], [f, "file", 0o755, 0]);
    }
    const s = await b.autostart(["status", "rollback", "--json"]);
    assertMatch(s.stdout, /"drifted": false/);
  },
});

Deno.test({
  name:
    "security/runit: disable keeps the user's files and a backup of a hand-edited script",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enableFor("keep");
    const dir = sv("keep");
    await b.sh(
      `echo 'notes of the admin' > ${dir}/NOTES && ` +
        `sed -i 's/^exec 2>&1$/exec 2>\\&1\\n# tuned by hand/' ${dir}/run`,
    );
    const r = await b.autostart(["disable", "keep", "--condition=boot"]);
    assertEquals(r.code, 0, r.stderr);
    const left = (await b.exec(["ls", "-A", dir])).stdout.trim().split("\n");
    assertEquals(left.sort(), ["NOTES", "run.autostart-backup"]);
    assertMatch(
      (await b.exec(["cat", `${dir}/run.autostart-backup`])).stdout,
      /# tuned by hand/,
    );
    assertEquals(
      (await statIn(b, "/etc/service/autostart-keep")).exists,
      false,
    );
  },
});

Deno.test({
  name: "security/runit: stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
