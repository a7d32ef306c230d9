// Backups and ownership under a real systemd 252 (issue 15, items 5 and 10): a foreign
// unit taken over by two `enable --force` runs and a hand-edited unit removed by
// `disable` each leave a backup, none overwritten (`.autostart-backup`, `.1`, `.2`),
// readable by root only; a unit that merely mentions the marker somewhere is foreign.
import { assertEquals, assertMatch } from "../assert.ts";
import { E2E, sharedBox } from "../e2e/_box.ts";
import { addAttacker, type Attacker, q, statIn } from "./_attacker.ts";

let svc: Attacker;
const box = sharedBox(async (b) => {
  svc = await addAttacker(b, "svc");
});
const UNIT = "/etc/systemd/system/autostart-web.service";
const ENABLE = [
  "enable",
  "web",
  "--condition=boot",
  "--user",
  "svc",
  "--no-start",
  "--",
  "/bin/sleep",
  "1000",
];

Deno.test({
  name:
    "security/backups: a unit with the marker text below its first line is foreign (refused without --force)",
  ...E2E,
  async fn() {
    const b = await box.get();
    const foreign =
      "[Service]\n# Managed by autostart (autostart-hash:0123456789abcdef)\nExecStart=/bin/true\n";
    await b.sh(`printf '%s' ${q(foreign)} > ${UNIT}`);
    const r = await b.autostart(ENABLE);
    assertEquals(r.code, 1, r.stderr);
    assertMatch(r.stderr, /not written by autostart/);
    assertEquals((await b.exec(["cat", UNIT])).stdout, foreign);
    await b.exec(["rm", "-f", UNIT]);
  },
});

Deno.test({
  name:
    "security/backups: two --force takeovers and a disable of an edited unit keep three backups",
  ...E2E,
  async fn() {
    const b = await box.get();
    const mine = (n: number) => `[Service]\n# mine ${n}\nExecStart=/bin/true\n`;
    await b.sh(`printf '%s' ${q(mine(1))} > ${UNIT}`);
    let r = await b.autostart([
      ...ENABLE.slice(0, 2),
      "--force",
      ...ENABLE.slice(2),
    ]);
    assertEquals(r.code, 0, r.stderr);
    await b.sh(`printf '%s' ${q(mine(2))} > ${UNIT}`);
    r = await b.autostart([
      ...ENABLE.slice(0, 2),
      "--force",
      ...ENABLE.slice(2),
    ]);
    assertEquals(r.code, 0, r.stderr);
    await b.sh(`echo '# tuned by hand' >> ${UNIT}`);
    r = await b.autostart(["disable", "web", "--condition=boot"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals((await statIn(b, UNIT)).exists, false);
    const read = async (p: string) => (await b.exec(["cat", p])).stdout;
    assertEquals(await read(`${UNIT}.autostart-backup`), mine(1));
    assertEquals(await read(`${UNIT}.autostart-backup.1`), mine(2));
    assertMatch(
      await read(`${UNIT}.autostart-backup.2`),
      /^# Managed by autostart[^\n]*\n[\s\S]*# tuned by hand\n$/,
    );
    for (const s of ["", ".1", ".2"]) {
      const st = await statIn(b, `${UNIT}.autostart-backup${s}`);
      assertEquals([st.uid, st.mode], [0, 0o600]);
    }
    // svc cannot read them
    const peek = await svc.exec(["cat", `${UNIT}.autostart-backup`]);
    assertEquals(peek.code !== 0, true);
  },
});

Deno.test({
  name: "security/backups: stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
