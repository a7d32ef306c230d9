import { assertEquals } from "../tests/assert.ts";
import { backoffDelays, backoffScript, wantsBackoff } from "./backoff_sh.ts";

/** Runs the snippet with `sleep` replaced by a function that records its argument. */
async function runScript(
  dir: string,
  script: string,
): Promise<{ slept: string[]; state: string }> {
  const out = await new Deno.Command("sh", {
    args: ["-c", `sleep() { echo "$1" >> "${dir}/slept"; }; ${script}`],
    env: { PATH: "/usr/bin:/bin", LANG: "C" },
    clearEnv: true,
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const slept = await Deno.readTextFile(`${dir}/slept`).catch(() => "");
  await Deno.remove(`${dir}/slept`).catch(() => {});
  return {
    slept: slept.split("\n").filter(Boolean),
    state: await Deno.readTextFile(`${dir}/state`),
  };
}

Deno.test("backoffScript() doubles the pause from the delay up to the cap, less what the init system waits", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = backoffScript({
      stateFile: `"${dir}/state"`,
      delayMs: 100,
      maxMs: 1000,
      alreadyWaitedMs: 100,
      atStart: true,
    });
    const slept: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await runScript(dir, script);
      slept.push(r.slept.join(",") || "-");
      assertEquals(r.state.split(" ")[0], String(i + 1));
    }
    // The first start, then restarts pausing 100 (RestartSec alone), 200, 400, 800,
    // 1000 ms in all.
    assertEquals(slept, ["-", "-", "0.100", "0.300", "0.700", "0.900"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backoffScript() after each exit (runit): the first restart waits the delay", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = backoffScript({
      stateFile: `"${dir}/state"`,
      delayMs: 2000,
      maxMs: 10_000,
      alreadyWaitedMs: 1000,
    });
    const slept: string[] = [];
    for (let i = 0; i < 5; i++) {
      slept.push((await runScript(dir, script)).slept.join(",") || "-");
    }
    // 2, 4, 8, 10, 10 s in all, less runsv's own second.
    assertEquals(slept, ["1.000", "3.000", "7.000", "9.000", "9.000"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backoffScript() starts again after a long run, and from a broken state file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = backoffScript({
      stateFile: `"${dir}/state"`,
      delayMs: 2000,
      maxMs: 60_000,
      alreadyWaitedMs: 1000,
    });
    // The last start was an hour ago: the program stayed up longer than the cap.
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await Deno.writeTextFile(`${dir}/state`, `7 ${hourAgo}\n`);
    const r = await runScript(dir, script);
    assertEquals(r.slept, ["1.000"]); // the delay less runit's own second
    assertEquals(r.state.split(" ")[0], "1");
    for (const junk of ["", "x y", "3", "1.5 2", "; rm -rf /", "9 9 9"]) {
      await Deno.writeTextFile(`${dir}/state`, junk);
      const j = await runScript(dir, script);
      assertEquals(j.slept, ["1.000"], junk);
      assertEquals(j.state.split(" ")[0], "1", junk);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wantsBackoff() and backoffDelays()", () => {
  const s = { keepAlive: "on-failure", restartDelayMs: 2000 };
  assertEquals(wantsBackoff({ ...s, restartMaxDelayMs: 60_000 }), true);
  assertEquals(wantsBackoff({ ...s, restartMaxDelayMs: 2000 }), false);
  assertEquals(wantsBackoff(s), false);
  assertEquals(
    wantsBackoff({ ...s, keepAlive: "false", restartMaxDelayMs: 60_000 }),
    false,
  );
  assertEquals(backoffDelays(2000, 60_000, 7), [
    2000,
    4000,
    8000,
    16000,
    32000,
    60000,
    60000,
  ]);
});
