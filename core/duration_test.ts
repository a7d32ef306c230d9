import { assertEquals, assertThrows } from "../tests/assert.ts";
import { UsageError } from "./errors.ts";
import {
  ceilSeconds,
  formatDuration,
  isDuration,
  MAX_DURATION_MS,
  parseDuration,
} from "./duration.ts";

Deno.test("parseDuration() reads ms, s, m, h and bare seconds", () => {
  const cases: [string, number][] = [
    ["500ms", 500],
    ["2s", 2000],
    ["1.5s", 1500],
    ["3", 3000],
    ["0.25", 250],
    ["1m", 60_000],
    ["2h", 7_200_000],
    ["0", 0],
    ["0s", 0],
    [" 10s ", 10_000],
    ["1.5ms", 2],
  ];
  for (const [text, ms] of cases) assertEquals(parseDuration(text), ms, text);
});

Deno.test("parseDuration() adds compound terms, largest unit first", () => {
  assertEquals(parseDuration("3m10s"), 190_000);
  assertEquals(parseDuration("1h5m"), 3_900_000);
  assertEquals(parseDuration("1m30s500ms"), 90_500);
  assertEquals(parseDuration("1h0m0s"), 3_600_000);
});

Deno.test("parseDuration() tells minutes from milliseconds", () => {
  // "ms" is milliseconds, "m" followed by "s" in its own term is not.
  assertEquals(parseDuration("5ms"), 5);
  assertEquals(parseDuration("5m"), 300_000);
  assertEquals(parseDuration("5m5s"), 305_000);
});

Deno.test("parseDuration() refuses what is not a duration", () => {
  for (
    const bad of [
      "",
      " ",
      "soon",
      "-1s",
      "+1s",
      "1d",
      "1 s",
      "1m 30s",
      "s",
      "1.s",
      ".5s",
      "1e3",
      "10s1m",
      "1s1s",
      "1m1m",
      "1min",
      "1sec",
      "0x10",
      "1s;id",
    ]
  ) {
    assertThrows(
      () => parseDuration(bad),
      (e) => e instanceof UsageError && /^Invalid duration /.test(e.message),
      JSON.stringify(bad),
    );
  }
});

/** The message of the UsageError `fn` throws. */
function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error("no error thrown");
}

Deno.test("parseDuration() names the option and the bounds", () => {
  assertEquals(
    usageMessage(() => parseDuration("soon", { what: "--stop-timeout" })),
    'Invalid duration "soon" for --stop-timeout: use a number with ms, s, m or h, e.g. 2s, 500ms, 3m10s',
  );
  assertEquals(
    usageMessage(() => parseDuration("25h")),
    'Invalid duration "25h": at most 24h',
  );
  assertEquals(parseDuration("24h"), MAX_DURATION_MS);
  assertEquals(
    usageMessage(() =>
      parseDuration("500ms", { what: "--stop-timeout", minMs: 1000 })
    ),
    'Invalid duration "500ms" for --stop-timeout: at least 1s',
  );
  assertEquals(
    usageMessage(() => parseDuration("2m", { maxMs: 60_000 })),
    'Invalid duration "2m": at most 1m',
  );
  assertEquals(parseDuration("1s", { minMs: 1000 }), 1000);
});

Deno.test("parseDuration() takes the option's name alone; isDuration() answers without throwing", () => {
  assertEquals(parseDuration("1.5s", "--wait"), 1500);
  assertEquals(
    usageMessage(() => parseDuration("1d", "--restart-max-delay")),
    'Invalid duration "1d" for --restart-max-delay: use a number with ms, s, m or h, e.g. 2s, 500ms, 3m10s',
  );
  assertEquals(isDuration("3m10s"), true);
  assertEquals(isDuration("soon"), false);
  assertEquals(isDuration("25h"), false);
});

Deno.test("formatDuration() prints the largest units first", () => {
  assertEquals(formatDuration(0), "0s");
  assertEquals(formatDuration(500), "500ms");
  assertEquals(formatDuration(2000), "2s");
  assertEquals(formatDuration(190_000), "3m10s");
  assertEquals(formatDuration(86_400_000), "24h");
  assertEquals(formatDuration(90_500), "1m30s500ms");
  for (const ms of [1, 999, 61_001, 3_723_004]) {
    assertEquals(parseDuration(formatDuration(ms)), ms, String(ms));
  }
});

Deno.test("ceilSeconds() rounds up to whole seconds", () => {
  assertEquals(ceilSeconds(1000), 1);
  assertEquals(ceilSeconds(1001), 2);
  assertEquals(ceilSeconds(190_000), 190);
});
