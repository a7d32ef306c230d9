// Crash loops and logs in a real systemd: a crash loop backs off (systemd 252 here:
// the ExecStartPre= step) and never gives up; `logs` shows the program's own lines,
// n of them, with the init system's notes only with --all; a --log-dir file is
// rotated at start, as the service's user, and doctor warns about a big log.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { backoffDelays } from "../../templates/backoff_sh.ts";
import { SYSTEMD_BACKOFF_VERSION } from "../../templates/systemd_unit.ts";
import { parseSystemdVersion } from "../../drivers/systemd/version.ts";
import type { Sandbox } from "../sandbox.ts";
import { E2E, sharedBox } from "./_box.ts";

const box = sharedBox(async (b) => {
  await b.addUser("u1");
});
const u1 = { user: "u1" };

/**
 * Whether the box's systemd is older than `RestartSteps=`, so a unit's own
 * `ExecStartPre=` script pauses and counts its crash loop; says so when it is not.
 */
async function pausesByScript(b: Sandbox, test: string): Promise<boolean> {
  const text = (await b.exec(["systemctl", "--version"])).stdout;
  const version = parseSystemdVersion(text);
  const old = version !== null && version < SYSTEMD_BACKOFF_VERSION;
  if (!old) console.log(`${test}: systemd ${version} counts by itself`);
  return old;
}

Deno.test({
  name:
    "crash loop: restarts back off exponentially up to the cap, and never give up",
  ...E2E,
  async fn() {
    const b = await box.get();
    const uid = (await b.exec(["id", "-u", "u1"])).stdout.trim();
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
    if (await pausesByScript(b, "crash loop")) {
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
  name:
    "crash loop of a boot service: the backoff runs as the service's user, its count in a directory of that user, gone at disable",
  ...E2E,
  async fn() {
    const b = await box.get();
    const en = await b.autostart([
      "enable",
      "bootcrash",
      "--condition=boot",
      "--restart-delay",
      "100ms",
      "--restart-max-delay",
      "400ms",
      "--no-wait",
      "--",
      "/bin/false",
    ], { env: { SUDO_USER: "u1" } });
    assertEquals(en.code, 0, en.stderr);
    const unit = "autostart-bootcrash.service";
    const user = await b.prop(unit, "User");
    assertEquals(user, "u1");
    await b.waitFor("3 restarts", async () => {
      const n = Number(await b.prop(unit, "NRestarts"));
      return n >= 3 ? n : false;
    }, 20_000);
    // systemd made the runtime directory for u1; the count in it is u1's too,
    // written by the ExecStartPre= step (run as User=, never as root).
    const st = await b.exec([
      "sh",
      "-c",
      "stat -c '%U %a %n' /run/autostart-bootcrash /run/autostart-bootcrash/restarts-*",
    ]);
    assertEquals(st.code, 0, st.stderr);
    const rows = st.stdout.trim().split("\n").map((l) => l.split(" "));
    assertEquals(rows.length, 2, st.stdout);
    for (const [owner] of rows) assertEquals(owner, "u1", st.stdout);
    const dis = await b.autostart(["disable", "bootcrash"]);
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(
      (await b.exec(["test", "-e", "/run/autostart-bootcrash"])).code,
      1,
    );
  },
});

Deno.test({
  name:
    "crash count: a restart you ask for starts a fresh count, a crash adds to it",
  ...E2E,
  async fn() {
    const b = await box.get();
    const uid = (await b.exec(["id", "-u", "u1"])).stdout.trim();
    const en = await b.autostart([
      "enable",
      "steady",
      "--restart-delay",
      "200ms",
      "--",
      "sleep",
      "1000",
    ], u1);
    assertEquals(en.code, 0, en.stderr);
    if (!await pausesByScript(b, "crash count")) return;
    const count = async () => {
      const r = await b.exec([
        "sh",
        "-c",
        `cat /run/user/${uid}/autostart-steady/restarts-*`,
      ]);
      return r.stdout.trim().split(" ")[0];
    };
    assertEquals(await count(), "1");
    for (let i = 0; i < 3; i++) {
      const r = await b.autostart(["restart", "steady"], u1);
      assertEquals(r.code, 0, r.stderr);
      assertMatch(r.stdout + r.stderr, /running/);
      assertEquals(await count(), "1", `after restart ${i + 1}`);
    }
    // A crash (SIGKILL) is restarted and counted.
    const pid = await b.prop("autostart-steady.service", "MainPID", "u1");
    await b.kill(pid);
    await b.waitFor("the restart after the crash", async () => {
      const p = await b.prop("autostart-steady.service", "MainPID", "u1");
      return p !== "0" && p !== pid ? p : false;
    }, 20_000);
    assertEquals(await count(), "2");
    assertEquals((await b.autostart(["disable", "steady"], u1)).code, 0);
  },
});

/**
 * Puts a service into a crash loop until its next pause is long (count 7: the 8th
 * start waits 6.4s, the one after 12.8s), then lets it run and asks for `actions` by
 * hand, one after each loop: each must start it now, with a fresh count.
 */
async function pauseThenAsk(
  b: Sandbox,
  o: { name: string; boot: boolean; actions: string[] },
) {
  if (!await pausesByScript(b, `pause of ${o.name}`)) return;
  const uid = (await b.exec(["id", "-u", "u1"])).stdout.trim();
  const flag = `/home/u1/${o.name}-crash`;
  const as = o.boot ? { env: { SUDO_USER: "u1" } } : u1;
  const unit = `autostart-${o.name}.service`;
  const en = await b.autostart([
    "enable",
    o.name,
    ...(o.boot ? ["--condition=boot"] : []),
    "--restart-delay",
    "100ms",
    "--restart-max-delay",
    "5m",
    "--no-wait",
    "--",
    "sh",
    "-c",
    // Crashes at once while the flag exists; else stays up.
    `if [ -e ${flag} ]; then exit 3; fi; exec sleep 1000`,
  ], as);
  assertEquals(en.code, 0, en.stderr);
  const dir = o.boot ? "/run" : `/run/user/${uid}`;
  const count = async () => {
    const r = await b.exec([
      "sh",
      "-c",
      `cat ${dir}/autostart-${o.name}/restarts-* 2>/dev/null`,
    ]);
    return Number(r.stdout.trim().split(" ")[0] || 0);
  };
  for (const action of o.actions) {
    await b.exec(["touch", flag], u1);
    const pid = await b.prop(unit, "MainPID", o.boot ? undefined : "u1");
    if (pid !== "0") await b.kill(pid);
    const before = await b.waitFor("7 starts in a row", async () => {
      const n = await count();
      return n >= 7 ? n : false;
    }, 60_000);
    // The 8th start pausing in its ExecStartPre= (6.4 s): the count is written before
    // the 7th run, which still crashes, and RestartSec= passes before that pause.
    await b.waitFor(
      "the pause before the 8th start",
      async () =>
        (await b.prop(unit, "SubState", o.boot ? undefined : "u1")) ===
          "start-pre",
      20_000,
    );
    // The program would stay up from here on.
    await b.exec(["rm", "-f", flag], u1);
    // A wait with room for a loaded machine: that the pause was ended, not waited
    // out, is shown by the fresh count below (a waited-out pause keeps it).
    const r = await b.autostart([action, o.name, "--wait", "60s"], as);
    assertEquals(r.code, 0, `${action}: ${r.stdout}${r.stderr}`);
    assertMatch(r.stdout, /running now/, `${action}: ${r.stdout}${r.stderr}`);
    assertEquals(r.stderr, "", action);
    // A fresh count (the paused start forgot it): the next crash pauses only the
    // restart delay. A restart's own start counts 1; a start went on from the pause.
    const after = await count();
    assertOk(after <= 1, `after ${action}: count ${after} (was ${before})`);
    const st = await b.autostart(["status", o.name, "--json"], as);
    assertEquals(JSON.parse(st.stdout).services[0].state, "running", st.stdout);
  }
  assertEquals((await b.autostart(["disable", o.name], as)).code, 0);
}

Deno.test({
  name:
    "crash count: a restart or start asked for during a backoff pause starts now, with a fresh count",
  ...E2E,
  async fn() {
    const b = await box.get();
    await pauseThenAsk(b, {
      name: "pauser",
      boot: false,
      actions: ["restart", "start"],
    });
  },
});

Deno.test({
  name:
    "crash count of a boot service: root's start ends the pause of the service's user, with a fresh count",
  ...E2E,
  async fn() {
    const b = await box.get();
    await pauseThenAsk(b, {
      name: "bootpause",
      boot: true,
      actions: ["start"],
    });
  },
});

Deno.test({
  name: "logs: -n counts the program's own lines; --all adds systemd's notes",
  ...E2E,
  async fn() {
    const b = await box.get();
    const en = await b.autostart([
      "enable",
      "chatty",
      "--",
      "sh",
      "-c",
      "for i in 1 2 3 4 5; do echo chatty-line-$i; done; exec sleep 1000",
    ], u1);
    assertEquals(en.code, 0, en.stderr);
    await b.waitFor("the program's lines in the journal", async () => {
      const r = await b.autostart(["logs", "chatty", "-n", "50"], u1);
      return r.stdout.includes("chatty-line-5") ? r : false;
    }, 20_000);
    // Restarted: systemd's "Stopping/Stopped/Starting/Started" notes come after the
    // program's lines, and must not take the place of any of the 3 asked for.
    const re = await b.autostart(["restart", "chatty"], u1);
    assertEquals(re.code, 0, re.stderr);
    const all = await b.waitFor("systemd's notes of the restart", async () => {
      const r = await b.autostart(["logs", "chatty", "-n", "50", "--all"], u1);
      const started = r.stdout.split("\n").filter((l) =>
        /systemd\[\d+\]: Started /.test(l)
      );
      return started.length >= 2 &&
          /chatty-line-5[\s\S]*chatty-line-5/.test(r.stdout)
        ? r
        : false;
    }, 20_000);
    assertMatch(all.stdout, /systemd\[\d+\]: Stopp(ing|ed) /);
    const three = await b.autostart(["logs", "chatty", "-n", "3"], u1);
    assertEquals(three.code, 0, three.stderr);
    const lines = three.stdout.trimEnd().split("\n");
    assertEquals(lines.length, 3, three.stdout);
    assertEquals(
      lines.map((l) => /chatty-line-\d/.exec(l)?.[0]),
      ["chatty-line-3", "chatty-line-4", "chatty-line-5"],
      three.stdout,
    );
    assertEquals(/systemd\[/.test(three.stdout), false, three.stdout);
    assertEquals((await b.autostart(["disable", "chatty"], u1)).code, 0);
  },
});

/**
 * Waits for the run after the 11 MB one ("fresh-start" in `log`), then checks that
 * `log` is small and `log.1` holds the big run; returns the owner of `log.1`.
 */
async function assertRotated(log: string): Promise<string> {
  const b = await box.get();
  await b.waitFor("the restart after the big run", async () => {
    const r = await b.exec(["cat", log]);
    return r.stdout.includes("fresh-start") ? r : false;
  }, 30_000);
  const sizes = await b.exec(["stat", "-c", "%s %U %n", log, `${log}.1`]);
  assertEquals(sizes.code, 0, sizes.stderr);
  const [cur, old] = sizes.stdout.trim().split("\n").map((l) => l.split(" "));
  assertOk(Number(cur![0]) < 1000, `the new log is small: ${sizes.stdout}`);
  assertOk(
    Number(old![0]) >= 11_000_000,
    `FILE.1 is the big one: ${sizes.stdout}`,
  );
  return old![1]!;
}

Deno.test({
  name:
    "--log-dir: a log over 10 MiB is rotated at the next start, as the service's user",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.exec(["mkdir", "-p", "/home/u1/logs"], u1);
    const log = "/home/u1/logs/big.log";
    const en = await b.autostart([
      "enable",
      "big",
      "--log-dir",
      "/home/u1/logs",
      "--restart-delay",
      "500ms",
      "--no-wait",
      "--",
      "sh",
      "-c",
      // First run: 11 MB of output, then a crash. Next run: a marker line, then up.
      "if [ -e /home/u1/big-done ]; then echo fresh-start; exec sleep 1000; fi; " +
      "touch /home/u1/big-done; head -c 11000000 /dev/zero | tr '\\0' x; exit 1",
    ], u1);
    assertEquals(en.code, 0, en.stderr);
    // Renamed by the service's user, in its own directory.
    assertEquals(await assertRotated(log), "u1");
    const tail = await b.autostart(["logs", "big", "-n", "1"], u1);
    assertEquals(tail.stdout.trim(), "fresh-start");
    assertEquals((await b.autostart(["disable", "big"], u1)).code, 0);
  },
});

Deno.test({
  name:
    "--log-dir of a boot service: root's directory, rotated by root at the next start",
  ...E2E,
  async fn() {
    const b = await box.get();
    const log = "/var/log/bigboot/bigboot.log";
    const en = await b.autostart([
      "enable",
      "bigboot",
      "--condition=boot",
      "--log-dir",
      "/var/log/bigboot",
      "--restart-delay",
      "500ms",
      "--no-wait",
      "--",
      "sh",
      "-c",
      "if [ -e /home/u1/bigboot-done ]; then echo fresh-start; exec sleep 1000; fi; " +
      "touch /home/u1/bigboot-done; head -c 11000000 /dev/zero | tr '\\0' x; exit 1",
    ], { env: { SUDO_USER: "u1" } });
    assertEquals(en.code, 0, en.stderr);
    await assertRotated(log);
    const dir = await b.exec(["stat", "-c", "%U %a", "/var/log/bigboot"]);
    assertEquals(dir.stdout.trim(), "root 755");
    assertEquals((await b.autostart(["disable", "bigboot"])).code, 0);
  },
});

Deno.test({
  name: "zz: stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
