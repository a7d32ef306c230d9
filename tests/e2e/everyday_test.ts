// Everyday use in a real systemd: logs (last lines, follow, Ctrl-C), the wait after a
// start (a program that fails at start makes enable exit 1 with its last log line),
// crash-looping in status, doctor (healthy, missing linger, drifted unit, no user
// manager), the status table's colour on a pseudo-terminal, and the JSON documents
// validated against their published schemas.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { ROOT } from "../helpers.ts";
import { validate } from "../schema.ts";
import { E2E, json, sharedBox } from "./_box.ts";

const u1 = { user: "u1" };
// Every test of this file may read "talker", a service that printed three lines.
const box = sharedBox(async (b) => {
  await b.addUser("u1");
  const en = await b.autostart([
    "enable",
    "talker",
    "--",
    "sh",
    "-c",
    "for i in 1 2 3; do echo talker-line-$i; done; exec sleep 1000",
  ], u1);
  assertEquals(en.code, 0, en.stderr);
  assertMatch(en.stdout, /running now/);
});
const unitDir = "/home/u1/.config/systemd/user";
// deno-lint-ignore no-control-regex
const ESC = /\x1b\[/;

interface Svc {
  name: string;
  state: string;
  restarts: number | null;
  lastExit: string | null;
  drifted: boolean;
}
interface CheckDoc {
  ok: boolean;
  checks: { id: string; level: string; detail: string; fix?: string }[];
}

const schema = (name: string) =>
  JSON.parse(Deno.readTextFileSync(`${ROOT}docs/${name}`));

Deno.test({
  name: "everyday: logs -n shows the program's recent output",
  ...E2E,
  async fn() {
    const b = await box.get();
    const all = await b.waitFor("the lines in the journal", async () => {
      const r = await b.autostart(["logs", "talker", "-n", "50"], u1);
      return r.code === 0 && r.stdout.includes("talker-line-3") ? r : false;
    });
    assertMatch(all.stdout, /talker-line-1[\s\S]*talker-line-2[\s\S]*-3/);
    const two = await b.autostart(["logs", "talker", "-n", "2"], u1);
    assertEquals(two.code, 0, two.stderr);
    assertEquals(two.stdout.trimEnd().split("\n").length, 2);
  },
});

Deno.test({
  name: "everyday: logs -f streams a new line, and Ctrl-C ends it with exit 0",
  ...E2E,
  async fn() {
    const b = await box.get();
    const en = await b.autostart([
      "enable",
      "poker",
      "--",
      "sh",
      "-c",
      // The line is printed by the shell itself (builtins), not by a short-lived
      // child: journald attributes a line to the unit through the writer's PID, and a
      // child that has already exited leaves its line without a unit.
      'echo poker-ready; while sleep 0.1; do if [ -f /home/u1/poke ]; then read -r l < /home/u1/poke; rm -f /home/u1/poke; echo "$l"; fi; done',
    ], u1);
    assertEquals(en.code, 0, en.stderr);
    await b.exec(["rm", "-f", "/home/u1/follower.pid"]);
    // Job control (set -m) so the background follower gets SIGINT like a terminal's.
    const child = b.spawn([
      "bash",
      "-c",
      "set -m; autostart logs poker -f -n 5 & echo $! > /home/u1/follower.pid; wait $!",
    ], u1);
    const seen: string[] = [];
    const reader = (async () => {
      const text = child.stdout.pipeThrough(new TextDecoderStream());
      for await (const chunk of text) seen.push(chunk);
    })();
    const stderr = new Response(child.stderr).text();
    const has = (s: string) => seen.join("").includes(s);
    await b.waitFor(
      "the follower to print the last lines",
      () => Promise.resolve(has("poker-ready")),
      15_000,
    );
    // Written aside, then renamed: the service must never read it half-written.
    const poke = await b.exec([
      "sh",
      "-c",
      "echo poked-4711 > /home/u1/poke.tmp && mv /home/u1/poke.tmp /home/u1/poke",
    ], u1);
    assertEquals(poke.code, 0, poke.stderr);
    await b.waitFor(
      "the new line to arrive",
      () => Promise.resolve(has("poked-4711")),
      30_000,
    ).catch(async (e) => {
      const now = await b.autostart(["logs", "poker", "-n", "5"], u1);
      throw new Error(
        `${e.message}; the follower printed ${
          JSON.stringify(seen.join(""))
        }; logs -n 5 now: ${JSON.stringify(now.stdout + now.stderr)}`,
      );
    });
    const pid = (await b.exec(["cat", "/home/u1/follower.pid"])).stdout.trim();
    assertMatch(pid, /^\d+$/);
    await b.kill(pid, "INT");
    const status = await child.status;
    await reader;
    // Nothing on stderr but bash's own job notice ("[1]+ Done ...").
    const err = (await stderr).split("\n").filter((l) =>
      l.trim() !== "" && !/^\[\d+\]\+?\s+Done/.test(l)
    );
    assertEquals(status.code, 0, err.join("\n"));
    assertEquals(err, []);
  },
});

Deno.test({
  name:
    "everyday: a program that fails at start makes enable exit 1 with its last log line; it stays installed",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart([
      "enable",
      "broken",
      "--",
      "sh",
      "-c",
      "echo 'cannot open /etc/broken.conf' >&2; exit 3",
    ], u1);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertMatch(r.stderr, /"broken" did not start/);
    assertMatch(r.stderr, /exit 3/);
    assertMatch(r.stderr, /cannot open \/etc\/broken\.conf/);
    assertMatch(r.stderr, /autostart disable broken/);
    // Kept installed (and enabled): status and logs explain it.
    const f = await b.exec([
      "test",
      "-f",
      `${unitDir}/autostart-broken.service`,
    ]);
    assertEquals(f.code, 0);
    assertEquals(
      await b.prop("autostart-broken.service", "UnitFileState", "u1"),
      "enabled",
    );
    const d = await b.autostart(["disable", "broken"], u1);
    assertEquals(d.code, 0, d.stderr);
  },
});

Deno.test({
  name: "everyday: a crash-looping program shows as crash-looping",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart([
      "enable",
      "looper",
      "--keep-alive=always",
      "--restart-delay=200ms",
      // No backoff: on systemd < 254 the pause is part of the next start, when
      // systemd has already forgotten the last exit this test looks for.
      "--restart-max-delay=200ms",
      "--no-wait",
      "--",
      "sh",
      "-c",
      "echo dying; exit 1",
    ], u1);
    assertEquals(r.code, 0, r.stderr);
    const s = await b.waitFor("crash-looping", async () => {
      const doc = json<{ services: Svc[] }>(
        await b.autostart(["status", "looper", "--json"], u1),
      );
      const x = doc.services[0]!;
      // (between two runs: while a new run starts, systemd forgets the last exit)
      return x.state === "crash-looping" && x.lastExit !== null ? x : false;
    }, 20_000);
    assertOk((s.restarts ?? 0) >= 3, `restarts: ${s.restarts}`);
    assertEquals(s.lastExit, "exit 1");
    // Every later look, whatever the phase of the loop, says crash-looping.
    for (let i = 0; i < 5; i++) {
      const table = await b.autostart(["status", "looper"], u1);
      assertMatch(table.stdout, /looper\s+crash-looping/);
    }
    const d = await b.autostart(["disable", "looper"], u1);
    assertEquals(d.code, 0, d.stderr);
  },
});

Deno.test({
  name:
    "everyday: status has colour on a pseudo-terminal, none with NO_COLOR or piped; JSON matches its schema",
  ...E2E,
  async fn() {
    const b = await box.get();
    const cmd = "/usr/local/bin/autostart status";
    const tty = await b.exec(["script", "-qc", cmd, "/dev/null"], {
      ...u1,
      env: { TERM: "xterm-256color" },
    });
    assertEquals(tty.code, 0, tty.stderr);
    assertMatch(tty.stdout, /talker/);
    assertMatch(tty.stdout, ESC);
    const noColor = await b.exec(["script", "-qc", cmd, "/dev/null"], {
      ...u1,
      env: { TERM: "xterm-256color", NO_COLOR: "1" },
    });
    assertMatch(noColor.stdout, /talker/);
    assertOk(!ESC.test(noColor.stdout), noColor.stdout);
    const piped = await b.autostart(["status"], u1);
    assertMatch(piped.stdout, /talker\s+running/);
    assertOk(!ESC.test(piped.stdout), piped.stdout);
    const doc = json(await b.autostart(["status", "--json"], u1));
    assertEquals(validate(schema("status.schema.json"), doc), []);
  },
});

Deno.test({
  name:
    "everyday: doctor passes on a healthy set-up, and reports a missing linger and a drifted unit",
  ...E2E,
  async fn() {
    const b = await box.get();
    const healthy = await b.autostart(["doctor", "--json"], u1);
    assertEquals(healthy.code, 0, healthy.stdout + healthy.stderr);
    const h = json<CheckDoc>(healthy);
    assertEquals(validate(schema("doctor.schema.json"), h), []);
    assertEquals(h.ok, true);
    assertEquals(h.checks.filter((c) => c.level === "fail"), []);
    const level = (d: CheckDoc, id: string) =>
      d.checks.filter((c) => c.id === id).map((c) => c.level);
    assertEquals(level(h, "systemd.user-manager"), ["ok"]);
    assertEquals(level(h, "systemd.linger"), ["ok"]);
    assertEquals(level(h, "systemd.drifted"), []);
    const text = await b.autostart(["doctor"], u1);
    assertEquals(text.code, 0, text.stderr);
    assertMatch(text.stdout, /^ok {2}/m);

    // Lingering off (the manager keeps running until logout) and a hand-edited unit.
    await b.exec(["rm", "-f", "/var/lib/systemd/linger/u1"]);
    await b.exec([
      "sh",
      "-c",
      `echo '# edited by hand' >> ${unitDir}/autostart-talker.service`,
    ], u1);
    const sick = await b.autostart(["doctor", "--json"], u1);
    const s = json<CheckDoc>(sick);
    assertEquals(validate(schema("doctor.schema.json"), s), []);
    const linger = s.checks.find((c) => c.id === "systemd.linger")!;
    assertEquals(linger.level, "warn");
    assertMatch(linger.fix ?? "", /loginctl enable-linger u1/);
    const drift = s.checks.find((c) => c.id === "systemd.drifted")!;
    assertEquals(drift.level, "warn");
    assertMatch(drift.detail, /autostart-talker\.service/);
    const st = await b.autostart(["status", "talker"], u1);
    assertMatch(st.stdout, /running \(drifted\)/);
    await b.exec(["loginctl", "enable-linger", "u1"]);
  },
});

Deno.test({
  name:
    "everyday: doctor fails, saying how to fix it, when the user manager is not running",
  ...E2E,
  async fn() {
    const b = await box.get();
    try {
      await b.addUser("u3", { linger: false });
      const r = await b.autostart(["doctor"], { user: "u3" });
      assertEquals(r.code, 1, r.stdout + r.stderr);
      assertMatch(r.stdout, /FAIL\s+systemd user manager/);
      assertMatch(r.stdout, /loginctl enable-linger u3/);
    } finally {
      await box.stop();
    }
  },
});
