import { assertEquals, assertOk } from "../tests/assert.ts";
import { ROOT } from "../tests/helpers.ts";
import { benchOptions } from "./run.ts";

Deno.test("bench/run.ts and bench/probe.ts type-check", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["check", "bench/run.ts", "bench/probe.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
});

Deno.test("benchOptions(): --quick runs fewer repetitions and keeps 500 services", () => {
  const full = benchOptions([]);
  const quick = benchOptions(["--quick"]);
  assertEquals(full.sizes, [1, 50, 200, 500]);
  assertOk(quick.reps < full.reps);
  assertOk(quick.sizes.includes(500) && quick.sizes.includes(1));
});
