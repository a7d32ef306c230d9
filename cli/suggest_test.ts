import { assertEquals } from "../tests/assert.ts";
import { didYouMean, editDistance } from "./suggest.ts";

Deno.test("editDistance() counts edits, a swap of neighbours as one", () => {
  assertEquals(editDistance("status", "status"), 0);
  assertEquals(editDistance("stauts", "status"), 1);
  assertEquals(editDistance("enabel", "enable"), 1);
  assertEquals(editDistance("", "abc"), 3);
  assertEquals(editDistance("kitten", "sitting"), 3);
});

Deno.test("didYouMean() finds typos and unique starts, not unrelated words", () => {
  const commands = ["enable", "disable", "status", "start", "stop", "logs"];
  assertEquals(didYouMean("stauts", commands), "status");
  assertEquals(didYouMean("enabel", commands), "enable");
  assertEquals(didYouMean("Disable", commands), "disable");
  assertEquals(didYouMean("log", commands), "logs");
  assertEquals(didYouMean("frobnicate", commands), undefined);
  assertEquals(didYouMean("x", commands), undefined);
  assertEquals(
    didYouMean("--keep-alvie", ["--keep-alive", "--env"]),
    "--keep-alive",
  );
  assertEquals(
    didYouMean("--restart-dealy", ["--restart-delay"]),
    "--restart-delay",
  );
});
