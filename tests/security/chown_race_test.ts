// The chown race of mkdirp (issue 15, item 2), played in a real systemd 252 by the
// service's user. Before: root created every missing directory of `--log-dir` and then
// chowned it by path, so svc, who owns /srv/apps, swapped /srv/apps/logs for a symlink
// to a root directory between the two and got that directory chowned to svc. Now root
// refuses a path whose directories another user can change, and hands only the last
// directory it created to its owner, through an O_NOFOLLOW handle. The race loop runs a
// bounded number of tries and must never win.
import { assertEquals } from "../assert.ts";
import { E2E, sharedBox } from "../e2e/_box.ts";
import { addAttacker, type Attacker, race, statIn } from "./_attacker.ts";

let svc: Attacker;
const box = sharedBox(async (b) => {
  svc = await addAttacker(b, "svc");
  const r = await b.sh(
    "mkdir -p /srv/apps /opt/target /etc/service /etc/sv && chown svc:svc /srv/apps && chmod 755 /opt/target && " +
      "systemd-run --unit=runsvdir-box --property=KillMode=process /usr/bin/runsvdir -P /etc/service",
  );
  if (r.code !== 0) throw new Error(`set-up: ${r.stderr}`);
});
const TRIES = 12;

for (const driver of ["systemd", "runit"] as const) {
  Deno.test({
    name:
      `security/chown race (${driver}): svc swapping --log-dir for a symlink never gets a root directory in ${TRIES} tries`,
    ...E2E,
    async fn() {
      const b = await box.get();
      const codes: number[] = [];
      const result = await race({
        tries: TRIES,
        attackerLoop: {
          attacker: svc,
          // Alternate between a real directory and a symlink to root's /opt/target.
          body:
            "rm -rf /srv/apps/logs 2>/dev/null; mkdir /srv/apps/logs 2>/dev/null; " +
            "rm -rf /srv/apps/logs 2>/dev/null; ln -s /opt/target /srv/apps/logs 2>/dev/null; " +
            "sleep 0.00$((RANDOM % 5))",
        },
        reset: async () => {
          await b.sh("rm -rf /opt/target/* && chown root:root /opt/target");
        },
        victim: async () => {
          const r = await b.autostart([
            "enable",
            "web",
            "--condition=boot",
            `--driver=${driver}`,
            "--user",
            "svc",
            "--log-dir",
            "/srv/apps/logs/web",
            "--no-start",
            "--no-wait",
            "--",
            "/bin/sleep",
            "1000",
          ]);
          codes.push(r.code);
          if (r.code === 0) {
            await b.autostart(["disable", "web", "--condition=boot"]);
          }
        },
        won: async () => {
          const t = await statIn(b, "/opt/target");
          const inside = await b.sh(
            `find /opt/target -mindepth 1 -user svc | head -1`,
          );
          return t.uid !== 0 || inside.stdout.trim() !== "";
        },
      });
      console.log(
        `${driver}: ${result.tries} tries, ${result.rounds} attacker rounds, exit codes ${
          [...new Set(codes)].join(",")
        }`,
      );
      assertEquals(result.won, false, `won at try ${result.wonAt}`);
      assertEquals(result.tries, TRIES);
      // Refused as input (exit 2) before anything is written.
      assertEquals(codes.every((c) => c === 2), true, `exit codes ${codes}`);
      assertEquals((await statIn(b, "/etc/sv/autostart-web")).exists, false);
      assertEquals(
        (await statIn(b, "/etc/systemd/system/autostart-web.service")).exists,
        false,
      );
    },
  });
}

Deno.test({
  name: "security/chown race: stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
