import { assertEquals } from "../../tests/assert.ts";
import {
  CRASH_LOOP_RESTARTS,
  CRASH_LOOP_UP_SEC,
  isCrashLooping,
} from "./crash_loop.ts";

Deno.test("isCrashLooping() needs CRASH_LOOP_RESTARTS restarts", () => {
  assertEquals(CRASH_LOOP_RESTARTS, 3);
  assertEquals(isCrashLooping({ restarts: null }), false);
  assertEquals(isCrashLooping({ restarts: 2 }), false);
  assertEquals(isCrashLooping({ restarts: 3 }), true);
});

Deno.test("isCrashLooping() of a running service depends on how long it is up", () => {
  assertEquals(isCrashLooping({ restarts: 7, upSec: 0.5 }), true);
  assertEquals(
    isCrashLooping({ restarts: 7, upSec: CRASH_LOOP_UP_SEC - 1 }),
    true,
  );
  assertEquals(
    isCrashLooping({ restarts: 7, upSec: CRASH_LOOP_UP_SEC }),
    false,
  );
  assertEquals(isCrashLooping({ restarts: 7, upSec: Infinity }), false);
});

Deno.test("isCrashLooping() is false after a clean exit", () => {
  assertEquals(isCrashLooping({ restarts: 9, lastRunFailed: false }), false);
  assertEquals(isCrashLooping({ restarts: 9, lastRunFailed: true }), true);
});
