import { assertEquals, assertMatch } from "../tests/assert.ts";
import { FakeRunner } from "./fake.ts";
import type { RunStep } from "./plan.ts";
import { runStep, UNTIL_TIMEOUT } from "./run_step.ts";
import type { Runner } from "./runner.ts";

/** A sleep that records its pauses instead of waiting. */
function recorder() {
  const slept: number[] = [];
  return { slept, sleep: (ms: number) => (slept.push(ms), Promise.resolve()) };
}

const step = (over: Partial<RunStep>): RunStep => ({
  kind: "run",
  argv: ["tool", "x"],
  title: "demo",
  ...over,
});

Deno.test("runStep() skips a step whose `when` probe answers another code", async () => {
  const r = new FakeRunner().on(["probe"], { code: 0 });
  const s = step({ when: { argv: ["probe"], codes: [113] } });
  assertEquals(await runStep(s, r, recorder().sleep), null);
  assertEquals(r.lines(), ["probe"]);
  r.on(["probe"], { code: 113 });
  assertEquals((await runStep(s, r, recorder().sleep))?.code, 0);
  assertEquals(r.lines(), ["probe", "probe", "tool x"]);
});

Deno.test("runStep() with `until` asks again until the wanted code, which counts as success", async () => {
  let n = 0;
  const r = new FakeRunner().on(["tool"], () => ({ code: ++n < 4 ? 0 : 113 }));
  const { slept, sleep } = recorder();
  const res = await runStep(
    step({ until: { codes: [113], timeoutMs: 10_000, intervalMs: 250 } }),
    r,
    sleep,
  );
  assertEquals(res?.code, 0);
  assertEquals(slept, [250, 250, 250]);
});

Deno.test("runStep() with `until` gives up after timeoutMs, saying how long it asked", async () => {
  const r = new FakeRunner().on(["tool"], { code: 0, stdout: "still here" });
  const { slept, sleep } = recorder();
  const res = await runStep(
    step({ until: { codes: [113], timeoutMs: 1000, intervalMs: 300 } }),
    r,
    sleep,
  );
  assertEquals(res?.code, 124, "a failure, not the last answer 0");
  assertEquals(slept, [300, 300, 300, 100]);
  assertMatch(res!.stderr, /timed out: it still exited with code 0 after 1s/);
});

Deno.test("runStep() with `until` stops at once on an answer that is not pending", async () => {
  const r = new FakeRunner().on(["tool"], { code: 125, stderr: "no domain" });
  const { slept, sleep } = recorder();
  const res = await runStep(
    step({
      until: { codes: [113], pending: [0], timeoutMs: 9000, intervalMs: 250 },
    }),
    r,
    sleep,
  );
  assertEquals([res?.code, res?.stderr, slept], [125, "no domain", []]);
});

Deno.test("runStep() with `retry` runs again after each delay while the code is transient", async () => {
  let n = 0;
  const r = new FakeRunner().on(["tool"], () => ({
    code: ++n < 3 ? 5 : 0,
  }));
  const { slept, sleep } = recorder();
  const ok = await runStep(
    step({ retry: { codes: [5, 37], delaysMs: [100, 200, 400] } }),
    r,
    sleep,
  );
  assertEquals([ok?.code, slept], [0, [100, 200]]);
  const always = new FakeRunner().on(["tool"], { code: 37, stderr: "busy" });
  const gave = await runStep(
    step({ retry: { codes: [5, 37], delaysMs: [100, 200] } }),
    always,
    recorder().sleep,
  );
  assertEquals(gave?.code, 37);
  assertMatch(gave!.stderr, /busy\n\(tried 3 times over 0\.3s\)/);
  // Another failure is not retried.
  const other = new FakeRunner().on(["tool"], { code: 2 });
  await runStep(step({ retry: { codes: [5], delaysMs: [1, 1] } }), other);
  assertEquals(other.lines().length, 1);
});

Deno.test("runStep() until: a longer bound read from the first answer (launchd's exit timeout of the job)", async () => {
  const answers = [
    ...Array.from({ length: 40 }, () => ({
      code: 0,
      stdout: "gui/501/x = {\n\texit timeout = 30\n}\n",
    })),
    { code: 113, stdout: "" },
  ];
  let i = 0;
  const runner = {
    run: () => Promise.resolve({ stderr: "", ...answers[i++]! }),
  } as unknown as Runner;
  let slept = 0;
  const step: RunStep = {
    kind: "run",
    argv: ["launchctl", "print", "gui/501/x"],
    title: "wait",
    until: {
      codes: [113],
      pending: [0],
      timeoutMs: 5_000,
      intervalMs: 1_000,
      longerFrom: {
        pattern: "^\\s*exit timeout = (\\d+)$",
        unitMs: 1000,
        marginMs: 15_000,
        what: "its exit timeout + 15s",
      },
    },
  };
  const r = await runStep(step, runner, (ms) => {
    slept += ms;
    return Promise.resolve();
  });
  assertEquals(r?.code, 0);
  assertEquals(slept, 40_000);
  // Without it, the 5 s bound runs out.
  i = 0;
  const { longerFrom: _, ...plain } = step.until!;
  const t = await runStep(
    { ...step, until: plain },
    runner,
    () => Promise.resolve(),
  );
  assertEquals(t?.code, UNTIL_TIMEOUT);
});
