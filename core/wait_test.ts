import { assertEquals } from "../tests/assert.ts";
import type { ServiceStatus } from "./driver.ts";
import { failedExit, waitForService } from "./wait.ts";

function st(over: Partial<ServiceStatus>): ServiceStatus {
  return {
    name: "web",
    driver: "systemd",
    condition: "login",
    unit: "autostart-web.service",
    file: "/f",
    state: "running",
    enabled: true,
    pid: 42,
    restarts: 0,
    lastExit: null,
    since: null,
    detail: "",
    drifted: false,
    ...over,
  };
}

/** Replays `seq` (the last one repeats) with a clock that sleeps instantly. */
function replay(seq: (ServiceStatus | null)[]) {
  let t = 0, i = 0;
  return {
    read: () => Promise.resolve(seq[Math.min(i++, seq.length - 1)]!),
    opts: {
      now: () => t,
      sleep: (ms: number) => {
        t += ms;
        return Promise.resolve();
      },
      pollMs: 250,
      settleMs: 1000,
      timeoutMs: 5000,
    },
    reads: () => i,
  };
}

Deno.test("waitForService() is done when the same process stayed up for the settle time", async () => {
  const r = replay([st({ state: "starting", pid: null }), st({ pid: 7 })]);
  const w = await waitForService(r.read, r.opts);
  assertEquals([w.outcome, w.status?.pid], ["running", 7]);
  assertEquals(w.waitedMs, 1250);
});

Deno.test("waitForService() catches a program that dies at start and is restarted", async () => {
  // systemd between a crash and the restart: activating (auto-restart), last exit 1.
  const r = replay([
    st({ pid: 7 }),
    st({ state: "starting", pid: null, lastExit: "exit 3" }),
  ]);
  const w = await waitForService(r.read, r.opts);
  assertEquals([w.outcome, w.status?.lastExit], ["failed", "exit 3"]);
});

Deno.test("waitForService() takes a clean exit restarted by keep-alive=always as exited", async () => {
  const r = replay([
    st({ pid: 7 }),
    st({ state: "starting", pid: null, lastExit: "exit 0" }),
  ]);
  assertEquals((await waitForService(r.read, r.opts)).outcome, "exited");
});

Deno.test("waitForService() catches a restart that happened between two reads", async () => {
  const r = replay([st({ pid: 7 }), st({ pid: 8, restarts: 1 })]);
  assertEquals((await waitForService(r.read, r.opts)).outcome, "failed");
});

Deno.test("waitForService() counts a new process as a new start (settle again)", async () => {
  // Same restart count (e.g. a driver that does not count): the pid changes.
  const r = replay([st({ pid: 7 }), st({ pid: 7 }), st({ pid: 9 })]);
  const w = await waitForService(r.read, r.opts);
  assertEquals([w.outcome, w.status?.pid, w.waitedMs], ["running", 9, 1500]);
});

Deno.test("waitForService() ends on failed and crash-looping at once", async () => {
  for (const state of ["failed", "crash-looping"] as const) {
    const r = replay([st({ state, pid: null, lastExit: "exit 1" })]);
    const w = await waitForService(r.read, r.opts);
    assertEquals([w.outcome, r.reads()], ["failed", 1]);
  }
});

Deno.test("waitForService() tells a clean exit from a failed one", async () => {
  const ok = replay([st({ state: "stopped", pid: null, lastExit: "exit 0" })]);
  assertEquals((await waitForService(ok.read, ok.opts)).outcome, "exited");
  const bad = replay([
    st({ state: "stopped", pid: null, lastExit: "signal SEGV" }),
  ]);
  assertEquals((await waitForService(bad.read, bad.opts)).outcome, "failed");
});

Deno.test("waitForService() gives up after the timeout while still starting", async () => {
  const r = replay([st({ state: "starting", pid: null })]);
  const w = await waitForService(r.read, { ...r.opts, timeoutMs: 2000 });
  assertEquals([w.outcome, w.waitedMs], ["timeout", 2000]);
  const nf = replay([null]);
  assertEquals(
    (await waitForService(nf.read, { ...nf.opts, timeoutMs: 500 })).outcome,
    "timeout",
  );
});

Deno.test("failedExit() treats only a clean exit as success", () => {
  assertEquals(
    [null, "exit 0", "exit 1", "signal KILL"].map(failedExit),
    [false, false, true, true],
  );
});

Deno.test("waitForService() does not take the end of the process a restart replaced as a failure", async () => {
  // A re-enable restarts pid 7: systemd shows it stopping, then its end (SIGTERM,
  // ExecMainPID 7) while the new run is forked, then the new run.
  const r = replay([
    st({ pid: 7 }),
    st({ state: "stopped", pid: null }),
    st({ state: "stopped", pid: null, lastExit: "signal TERM", exitedPid: 7 }),
    st({ state: "starting", pid: null, lastExit: "signal TERM", exitedPid: 7 }),
    st({ pid: 9 }),
  ]);
  const w = await waitForService(r.read, { ...r.opts, priorPid: 7 });
  assertEquals([w.outcome, w.status?.pid], ["running", 9]);
  // Without knowing the replaced process, the same reads look like a failure.
  const again = replay([
    st({ state: "starting", pid: null, lastExit: "signal TERM", exitedPid: 7 }),
    st({ pid: 9 }),
  ]);
  assertEquals(
    (await waitForService(again.read, again.opts)).outcome,
    "failed",
  );
});

Deno.test("waitForService() still catches the new run's own failure after a restart", async () => {
  const r = replay([
    st({ state: "stopped", pid: null, lastExit: "signal TERM", exitedPid: 7 }),
    st({ state: "starting", pid: null, lastExit: "exit 3", exitedPid: 9 }),
  ]);
  const w = await waitForService(r.read, { ...r.opts, priorPid: 7 });
  assertEquals([w.outcome, w.status?.lastExit], ["failed", "exit 3"]);
});

Deno.test("waitForService() does not call the old process still running a success", async () => {
  // A slow stop (a VM): the replaced process outlives the wait.
  const r = replay([st({ pid: 7 })]);
  const w = await waitForService(r.read, { ...r.opts, priorPid: 7 });
  assertEquals(w.outcome, "timeout");
});

Deno.test("waitForService() does not take the stop of a run caught starting (pid unknown) as a failure", async () => {
  // A concurrent restart left the service starting when this run read it: no PID to
  // compare, but this start stopped that run with SIGTERM.
  const r = replay([
    st({ state: "starting", pid: null, lastExit: "signal TERM", exitedPid: 5 }),
    st({ pid: 9 }),
  ]);
  const w = await waitForService(r.read, { ...r.opts, replacesRun: true });
  assertEquals([w.outcome, w.status?.pid], ["running", 9]);
  // Once its own run was seen, a later end by SIGTERM counts.
  const later = replay([
    st({ pid: 9 }),
    st({ state: "starting", pid: null, lastExit: "signal TERM", exitedPid: 9 }),
  ]);
  const w2 = await waitForService(later.read, {
    ...later.opts,
    replacesRun: true,
  });
  assertEquals(w2.outcome, "failed");
  // A failure of its own (exit 3) is caught at once.
  const own = replay([
    st({ state: "starting", pid: null, lastExit: "exit 3", exitedPid: 9 }),
  ]);
  assertEquals(
    (await waitForService(own.read, { ...own.opts, replacesRun: true }))
      .outcome,
    "failed",
  );
});
