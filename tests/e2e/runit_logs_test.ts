// `autostart logs` of a runit service against a real svlogd: the last lines of its
// `current`, and `-f` following the file across svlogd's own rotations (svlogd renames
// `current` to `@TIMESTAMP.s` and starts a new one), through core/log_tail.ts.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { BOX_ENV, ENTRY, list, OPTS, RunitBox } from "./_runit_box.ts";

/** Prints "line N" 50 times a second, flushed, forever. */
const TALK = [
  "/usr/bin/python3",
  "-c",
  "import itertools, time\nfor i in itertools.count(1):\n    print('line %d' % i, flush=True)\n    time.sleep(0.02)",
];

/** The numbers of the "line N" lines among `lines`. */
const numbers = (lines: string[]) =>
  lines.map((l) => /line (\d+)$/.exec(l)?.[1]).filter((n) => n !== undefined)
    .map(Number);

Deno.test({
  name:
    "runit e2e: logs shows svlogd's last lines, and -f follows them across svlogd's rotations",
  ...OPTS,
  async fn() {
    const box = await RunitBox.start();
    let follower: Deno.ChildProcess | undefined;
    try {
      // svlogd rotates `current` at 4096 bytes (its smallest size), keeping 3 files.
      const logDir = `${box.root}/logs`;
      await Deno.mkdir(`${logDir}/talk`, { recursive: true });
      await Deno.writeTextFile(`${logDir}/talk/config`, "s4096\nn3\n");
      const en = await box.cli([
        "enable",
        "talk",
        "--condition=boot",
        "--user=root",
        "--driver=runit",
        `--log-dir=${logDir}`,
        "--",
        ...TALK,
      ]);
      assertEquals(en.code, 0, en.stderr);
      await box.waitFor("svlogd to write 20 lines", async () => {
        const r = await box.cli(["logs", "talk", "-n", "20"]);
        return numbers(r.stdout.split("\n")).length === 20;
      });
      const last = await box.cli(["logs", "talk", "-n", "3"]);
      assertEquals(last.code, 0, last.stderr);
      const three = last.stdout.trimEnd().split("\n");
      assertEquals(three.length, 3, last.stdout);
      // svlogd -tt: a timestamp, then the program's line; consecutive lines.
      assertMatch(three[0]!, /^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.\d+ line \d+$/);
      const [a, b, c] = numbers(three);
      assertEquals([b! - a!, c! - b!], [1, 1], last.stdout);
      // --since reads svlogd's own timestamps (UTC): all of it is from the last hour.
      const hour = await box.cli(["logs", "talk", "-n", "3", "--since", "1h"]);
      assertEquals(hour.code, 0, hour.stderr);
      assertEquals(numbers(hour.stdout.split("\n")).length, 3, hour.stdout);
      const bad = await box.cli(["logs", "talk", "--since", "last tuesday"]);
      assertEquals(bad.code, 2, bad.stderr);
      assertMatch(bad.stderr, /Invalid --since "last tuesday"/);

      follower = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", ENTRY, "logs", "talk", "-f"],
        clearEnv: true,
        env: {
          ...BOX_ENV,
          SVDIR: box.svdir,
          AUTOSTART_RUNIT_SV_DIR: box.staging,
        },
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const seen: string[] = [];
      const reading = (async () => {
        let rest = "";
        for await (
          const chunk of follower.stdout.pipeThrough(new TextDecoderStream())
        ) {
          const parts = (rest + chunk).split("\n");
          rest = parts.pop()!;
          seen.push(...parts);
        }
      })();
      const rotated = async () =>
        (await list(`${logDir}/talk`)).filter((f) => f.startsWith("@"));
      const before = new Set(await rotated());
      // Two rotations after the follower started: the lines it prints keep coming.
      await box.waitFor(
        "two rotations by svlogd",
        async () => (await rotated()).filter((f) => !before.has(f)).length >= 2,
        30_000,
      );
      const atRotation = numbers(seen).at(-1) ?? 0;
      await box.waitFor(
        "lines written after the rotations",
        () => Promise.resolve((numbers(seen).at(-1) ?? 0) > atRotation + 100),
        20_000,
      ).catch(() => {});
      try {
        follower.kill("SIGINT");
      } catch {
        /* it ended by itself: the assertions below say what it printed */
      }
      await follower.status;
      await reading;
      const got = numbers(seen);
      assertOk(
        (got.at(-1) ?? 0) > atRotation + 100,
        `the follower went on after the rotations (last ${
          got.at(-1)
        }, at rotation ${atRotation}, files ${
          (await list(`${logDir}/talk`)).join(" ")
        })`,
      );
      // Never a line twice, never out of order (a rotation is read from its start).
      assertEquals(
        got.filter((n, i) => i > 0 && n <= got[i - 1]!),
        [],
        "lines in order, none repeated",
      );
      assertEquals((await box.cli(["disable", "talk"])).code, 0);
    } finally {
      try {
        follower?.kill("SIGKILL");
      } catch { /* already gone */ }
      await box.stop();
    }
  },
});
