// Crash loops and logs in a real systemd: a crash loop backs off (systemd 252 here:
// the ExecStartPre= step) and never gives up; `logs` shows the program's own lines,
// n of them, with the init system's notes only with --all; a --log-dir file is
// rotated at start, as the service's user, and doctor warns about a big log.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { backoffDelays } from "../../templates/backoff_sh.ts";
import { E2E, sharedBox } from "./_box.ts";

const box = sharedBox();
const u1 = { user: "u1" };

Deno.test({
  name:
    "crash loop: restarts back off exponentially up to the cap, and never give up",
  ...E2E,
  async fn() {
    const b = await box.get();
    const uid = await b.addUser("u1");
    const en = await b.autostart([
      "enable",
      "crasher",
      "--restart-delay",
      "100ms",
      "--restart-max-delay",
      "1s",
      "--no-wait",
      "--",
      "sh",
      "-c",
      // Each start stamps its time (ns) before failing at once.
      "date +%s%N >> /home/u1/starts; exit 3",
    ], u1);
    assertEquals(en.code, 0, en.stderr);
    const version = (await b.exec(["systemctl", "--version"])).stdout;
    if (/^systemd 25[0-3]\b/.test(version)) {
      assertMatch(en.stdout, /has no RestartSteps=.*ExecStartPre=/);
    }
    const starts = await b.waitFor("7 starts of the crash loop", async () => {
      const r = await b.exec(["cat", "/home/u1/starts"]);
      const ns = r.stdout.trim().split("\n").filter(Boolean).map(BigInt);
      return ns.length >= 7 ? ns : false;
    }, 60_000);
    // Each pause is at least its step of the backoff (load only makes it longer):
    // 100, 200, 400, 800, 1000, 1000 ms. Without backoff they would all be 100 ms.
    const gaps = starts.slice(1, 7).map((t, i) =>
      Number((t - starts[i]!) / 1_000_000n)
    );
    const want = backoffDelays(100, 1000, 6);
    gaps.forEach((g, i) => {
      assertOk(
        g >= want[i]! * 0.9,
        `pause ${i + 1} was ${g}ms, want at least ${want[i]}ms (all: ${gaps})`,
      );
    });
    const total = gaps.reduce((x, y) => x + y, 0);
    assertOk(total >= 3200, `6 restarts took ${total}ms: not backing off`);
    // Still being restarted: never failed for good.
    const st = await b.autostart(["status", "crasher", "--json"], u1);
    const svc = JSON.parse(st.stdout).services[0];
    assertOk(
      ["crash-looping", "starting", "running"].includes(svc.state),
      st.stdout,
    );
    assertOk(svc.restarts >= 6, st.stdout);
    const dis = await b.autostart(["disable", "crasher"], u1);
    assertEquals(dis.code, 0, dis.stderr);
    // The state of the backoff went with the service (runtime directory removed).
    const left = await b.exec(["ls", `/run/user/${uid}/`], u1);
    assertEquals(/autostart-crasher/.test(left.stdout), false, left.stdout);
  },
});

Deno.test({
  name: "zz: stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
