// Root never opens a log file inside a directory another user can write (issue 15,
// item 1), played in a real systemd 252 by the service's own user: it owns the
// `--log-dir`, swaps the log file for a symlink to /etc/cron.d/x and lets the service
// restart, so systemd (as root) would create that file. autostart now refuses such a
// directory (exit 2, nothing written); a root-owned one works, and the shared log root
// is root's, not the first service user's.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { E2E, sharedBox } from "../e2e/_box.ts";
import { addAttacker, type Attacker, statIn } from "./_attacker.ts";

let svc: Attacker;
const box = sharedBox(async (b) => {
  svc = await addAttacker(b, "svc");
  const r = await b.sh(
    "mkdir -p /srv/apps/logs /etc/cron.d && chown svc:svc /srv/apps /srv/apps/logs",
  );
  if (r.code !== 0) throw new Error(`set-up: ${r.stderr}`);
});
const CRASHER = [
  "--no-wait",
  "--keep-alive=on-failure",
  "--restart-delay",
  "1s",
  "--",
  "/bin/sh",
  "-c",
  "echo '* * * * * root touch /pwned'; sleep 1; exit 1",
];

Deno.test({
  name:
    "security/log paths: systemd boot --log-dir owned by the service user is refused, nothing written",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart([
      "enable",
      "web",
      "--condition=boot",
      "--user",
      "svc",
      "--log-dir",
      "/srv/apps/logs",
      ...CRASHER,
    ]);
    // The attack, had the unit been written: the log file becomes a symlink to a file
    // root creates on the next restart.
    await svc.sh("ln -sfn /etc/cron.d/x /srv/apps/logs/web.log");
    const unit = "/etc/systemd/system/autostart-web.service";
    if ((await statIn(b, unit)).exists) {
      const n0 = Number(await b.prop("autostart-web.service", "NRestarts"));
      await b.waitFor(
        "two restarts of autostart-web",
        async () =>
          Number(await b.prop("autostart-web.service", "NRestarts")) >= n0 + 2,
        20_000,
      ).catch(() => undefined);
    }
    const target = await statIn(b, "/etc/cron.d/x");
    assertEquals(target.exists, false, "root created the attacker's target");
    assertEquals(r.code, 2, r.stderr);
    assertMatch(r.stderr, /\/srv\/apps\/logs/);
    assertMatch(r.stderr, new RegExp(`owned by uid ${svc.uid}, not root`));
    assertEquals(
      (await statIn(b, "/etc/systemd/system/autostart-web.service")).exists,
      false,
      "nothing written",
    );
    await svc.sh("rm -f /srv/apps/logs/web.log");
  },
});

Deno.test({
  name:
    "security/log paths: a user-writable parent of --log-dir is refused too (svc could swap the directory)",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart([
      "enable",
      "web",
      "--condition=boot",
      "--user",
      "svc",
      "--log-dir",
      "/srv/apps/logs/new/deeper",
      ...CRASHER,
    ]);
    assertEquals(r.code, 2, r.stderr);
    assertEquals((await statIn(b, "/srv/apps/logs/new")).exists, false);
  },
});

Deno.test({
  name:
    "security/log paths: a root-owned --log-dir is created root:root 0755 and logs land there",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart([
      "enable",
      "web",
      "--condition=boot",
      "--user",
      "svc",
      "--log-dir",
      "/var/log/web",
      "--no-wait",
      "--",
      "/bin/sh",
      "-c",
      "echo hello-from-web; id -un; exec sleep 1000",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const dir = await statIn(b, "/var/log/web");
    assertEquals([dir.uid, dir.mode], [0, 0o755]);
    const log = await b.waitFor("the log file", async () => {
      const c = await b.exec(["cat", "/var/log/web/web.log"]);
      return /hello-from-web\nsvc/.test(c.stdout) ? c.stdout : undefined;
    }, 20_000);
    assertMatch(log, /hello-from-web/);
    // svc cannot plant anything there
    const plant = await svc.sh("ln -s /etc/cron.d/y /var/log/web/web2.log");
    assertOk(plant.code !== 0, "svc could write in the log directory");
    const d = await b.autostart(["disable", "web", "--condition=boot"]);
    assertEquals(d.code, 0, d.stderr);
  },
});

Deno.test({
  name: "security/log paths: stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
