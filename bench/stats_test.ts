import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../tests/assert.ts";
import {
  columns,
  growthExponent,
  met,
  renderTable,
  type Row,
  summarize,
} from "./stats.ts";

Deno.test("summarize() gives the median (odd and even counts) and the minimum", () => {
  assertEquals(summarize([9, 1, 5]), { median: 5, min: 1, n: 3 });
  assertEquals(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, n: 4 });
  assertEquals(summarize([7]), { median: 7, min: 7, n: 1 });
  assertThrows(() => summarize([]), RangeError);
});

Deno.test("summarize() does not reorder the caller's samples", () => {
  const v = [3, 1, 2];
  summarize(v);
  assertEquals(v, [3, 1, 2]);
});

Deno.test("met() compares the median with the budget", () => {
  const row = (median: number, budget?: number): Row => ({
    what: "x",
    value: { median, min: median, n: 1 },
    unit: "ms",
    ...(budget === undefined ? {} : { budget }),
  });
  assertEquals(met(row(10, 10)), true);
  assertEquals(met(row(10.1, 10)), false);
  assertEquals(met(row(10)), null);
});

Deno.test("renderTable() shows ratio, budget and MISSED for a missed target", () => {
  const t = renderTable([
    {
      what: "status NAME",
      value: summarize([30, 20, 25]),
      unit: "ms",
      against: "deno + show",
      base: 20,
      baseMin: 16,
      budget: 24,
      target: "<= 1.2x",
    },
    { what: "peak memory", value: summarize([40.25]), unit: "MiB" },
  ]);
  const lines = t.trimEnd().split("\n");
  assertEquals(lines.length, 3);
  assertMatch(lines[0]!, /^MEASUREMENT\s+MEDIAN\s+MIN\s+AGAINST\s+RATIO/);
  assertMatch(
    lines[1]!,
    /^status NAME\s+25 ms\s+20 ms\s+deno \+ show\s+1\.25x\s+1\.25x\s+24 ms\s+MISSED \(<= 1\.2x\)$/,
  );
  assertMatch(lines[2]!, /^peak memory\s+40\.3 MiB\s+-\s+-\s+-\s+-\s+-\s+-$/);
});

Deno.test("columns() aligns cells and trims trailing space", () => {
  assertEquals(
    columns([["a", "bb", "c"], ["ccc", "d", ""]]),
    "a    bb  c\nccc  d\n",
  );
});

Deno.test("growthExponent() is 1 for linear, 2 for quadratic growth", () => {
  assertOk(Math.abs(growthExponent(10, 5, 100, 50) - 1) < 1e-9);
  assertOk(Math.abs(growthExponent(10, 1, 100, 100) - 2) < 1e-9);
});
