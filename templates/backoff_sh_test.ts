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

Deno.test("backoffScript({ interruptible }) ends a pause on SIGTERM and forgets the count", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const state = `${dir}/state`;
    const script = backoffScript({
      stateFile: `"${state}"`,
      delayMs: 100,
      maxMs: 600_000,
      alreadyWaitedMs: 100,
      atStart: true,
      interruptible: true,
    });
    // Ten restarts in a row a second ago: this start pauses 100ms × 2^9 = 51.1s.
    const now = Math.floor(Date.now() / 1000);
    await Deno.writeTextFile(state, `10 ${now - 1}\n`);
    const child = new Deno.Command("sh", {
      args: ["-c", `echo $$ > "${dir}/pid"; ${script}`],
      env: { PATH: "/usr/bin:/bin", LANG: "C" },
      clearEnv: true,
    }).spawn();
    // Signal it once it is pausing: its `sleep` is a child of the script (not the
    // `date` it runs before).
    const sleeping = async () => {
      const pid = (await Deno.readTextFile(`${dir}/pid`).catch(() => ""))
        .trim();
      if (!pid) return false;
      const kids = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`)
        .catch(() => "");
      for (const k of kids.trim().split(/\s+/).filter(Boolean)) {
        const comm = await Deno.readTextFile(`/proc/${k}/comm`).catch(() => "");
        if (comm.trim() === "sleep") return true;
      }
      return false;
    };
    let pausing = false;
    for (let i = 0; i < 200 && !pausing; i++) {
      pausing = await sleeping();
      if (!pausing) await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(pausing, true, "the script never started its pause");
    child.kill("SIGTERM");
    const status = await child.status;
    // It ends by the signal, as it would without the trap (systemd ignores that for
    // an `ExecStartPre=-` step, and a restart's wait tells it from a crash).
    assertEquals(status.signal, "SIGTERM");
    assertEquals(
      await Deno.stat(state).then(() => "kept", () => "gone"),
      "gone",
      "the count of the crash loop is forgotten",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backoffScript() without interruptible is the plain sleep (runit's finish)", () => {
  const o = {
    stateFile: '"./s"',
    delayMs: 100,
    maxMs: 1000,
    alreadyWaitedMs: 0,
  };
  assertEquals(backoffScript(o).includes("trap"), false);
  assertEquals(
    backoffScript({ ...o, interruptible: true }).includes(
      `trap 'kill $! 2>/dev/null; rm -f "$f"; trap - TERM; kill -TERM $$' TERM`,
    ),
    true,
  );
});
