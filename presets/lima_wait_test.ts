import { assertEquals } from "../tests/assert.ts";
import { parseHaEvents, waitForBoot, type WaitOptions } from "./lima_wait.ts";

/** A fake clock: sleeping advances it. */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

function opts(
  reads: (string | null)[],
  over: Partial<WaitOptions> = {},
): WaitOptions {
  let i = 0;
  return {
    read: () => Promise.resolve(reads[Math.min(i++, reads.length - 1)] ?? null),
    check: () => Promise.resolve(null),
    offset: 0,
    timeoutMs: 10_000,
    ...clock(),
    ...over,
  };
}

const RUNNING = '{"time":"t","status":{"running":true,"sshLocalPort":60022}}\n';
const BOOTING = '{"time":"t","status":{"sshLocalPort":60022}}\n';

Deno.test("parseHaEvents() reads host-agent status lines and skips the rest", () => {
  assertEquals(
    parseHaEvents(
      `not json\n${BOOTING}{"status":{"exiting":true,"errors":["boom"]}}\n{"status":{"running":tr`,
    ),
    [
      { running: false, exiting: false, errors: [] },
      { running: false, exiting: true, errors: ["boom"] },
    ],
  );
});

Deno.test("waitForBoot() ends when an event after the offset says running", async () => {
  const r = await waitForBoot(opts([null, BOOTING, BOOTING + RUNNING]));
  assertEquals(r.outcome, "running");
  assertEquals(r.waitedMs, 1000);
});

Deno.test("waitForBoot() ignores events written before the service was started", async () => {
  const old = RUNNING;
  const r = await waitForBoot(
    opts([old, old + BOOTING, old + BOOTING + RUNNING], {
      offset: old.length,
    }),
  );
  assertEquals([r.outcome, r.waitedMs], ["running", 1000]);
});

Deno.test("waitForBoot() reads a truncated log from its start", async () => {
  const old = BOOTING.repeat(5);
  const r = await waitForBoot(opts([old, RUNNING], { offset: old.length }));
  assertEquals(r.outcome, "running");
});

Deno.test("waitForBoot() reports a host agent that exits", async () => {
  const r = await waitForBoot(
    opts([`{"status":{"exiting":true,"errors":["disk locked"]}}\n`]),
  );
  assertEquals([r.outcome, r.detail], ["failed", "disk locked"]);
});

Deno.test("waitForBoot() stops when the init system says the service failed", async () => {
  let checks = 0;
  const r = await waitForBoot(opts([null], {
    check: () =>
      Promise.resolve(++checks === 2 ? "the service is failed" : null),
  }));
  assertEquals([r.outcome, r.detail, checks], [
    "failed",
    "the service is failed",
    2,
  ]);
});

Deno.test("waitForBoot() gives up after the timeout", async () => {
  const r = await waitForBoot(opts([BOOTING], { timeoutMs: 3000 }));
  assertEquals([r.outcome, r.waitedMs], ["timeout", 3000]);
});

Deno.test("waitForBoot() reads a recreated log from its start even when it is not shorter", async () => {
  // The old log held one line; the new one holds one line of the same length.
  const old = RUNNING.replace('"time":"t"', '"time":"1"');
  const now = RUNNING.replace('"time":"t"', '"time":"2"');
  const r = await waitForBoot(
    opts([old, now], { offset: old.length, before: old }),
  );
  assertEquals(r.outcome, "running");
});

Deno.test("waitForBoot() of a restart ignores the old host agent's exiting event", async () => {
  const old = RUNNING;
  const EXITING = '{"status":{"exiting":true}}\n';
  const r = await waitForBoot(
    opts([old, old + EXITING, BOOTING, BOOTING + RUNNING], {
      offset: old.length,
      before: old,
      restarting: true,
    }),
  );
  assertEquals(r.outcome, "running");
  // Without the flag the same log ends the wait as a failure.
  const f = await waitForBoot(
    opts([old, old + EXITING], { offset: old.length, before: old }),
  );
  assertEquals(f.outcome, "failed");
});
