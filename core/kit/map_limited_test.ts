import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { DEFAULT_CONCURRENCY, mapLimited } from "./map_limited.ts";

/** Runs `mapLimited` over `n` items whose calls wait until released; counts the peak. */
async function peakOf(n: number, limit?: number) {
  let running = 0;
  let peak = 0;
  const out = await mapLimited(
    Array.from({ length: n }, (_, i) => i),
    async (i) => {
      running++;
      peak = Math.max(peak, running);
      // Yield several times so that other workers get the chance to start.
      for (let k = 0; k < 5; k++) await Promise.resolve();
      running--;
      return i * 2;
    },
    limit,
  );
  return { out, peak };
}

Deno.test("mapLimited() keeps order and never more than the limit in flight", async () => {
  const { out, peak } = await peakOf(50);
  assertEquals(out, Array.from({ length: 50 }, (_, i) => i * 2));
  assertEquals(peak, DEFAULT_CONCURRENCY);
  assertEquals((await peakOf(10, 3)).peak, 3);
  assertEquals((await peakOf(2, 8)).peak, 2);
  assertEquals((await peakOf(5, 0)).peak, 1);
});

Deno.test("mapLimited() of nothing is an empty list", async () => {
  assertEquals(await mapLimited([], () => Promise.resolve(1)), []);
});

Deno.test("mapLimited() rejects with the first failure", async () => {
  await assertRejects(
    () =>
      mapLimited(
        [1, 2, 3],
        (i) =>
          i === 2 ? Promise.reject(new Error("boom 2")) : Promise.resolve(i),
      ),
    /boom 2/,
  );
});
