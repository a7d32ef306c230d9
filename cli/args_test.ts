import { assertEquals, assertThrows } from "../tests/assert.ts";
import { UsageError } from "../core/errors.ts";
import { type OptionSpec, parseArgs } from "./args.ts";

const OPTS: OptionSpec[] = [
  { name: "condition", kind: "string" },
  {
    name: "keep-alive",
    kind: "optional",
    choices: ["true", "false", "always", "on-failure"],
  },
  { name: "env", kind: "list", short: "e" },
  { name: "start", kind: "boolean" },
  { name: "lines", kind: "string", short: "n" },
];

Deno.test("parseArgs() reads =value, spaced value, lists and the command after --", () => {
  const p = parseArgs(
    [
      "web",
      "--condition=boot",
      "-e",
      "A=1",
      "--env",
      "B=2",
      "--",
      "prog",
      "--condition",
      "x",
    ],
    OPTS,
    "t",
  );
  assertEquals(p.positionals, ["web"]);
  assertEquals(p.values.condition, "boot");
  assertEquals(p.values.env, ["A=1", "B=2"]);
  assertEquals(p.rest, ["prog", "--condition", "x"]);
});

Deno.test("parseArgs() handles --keep-alive with and without a value", () => {
  assertEquals(
    parseArgs(["--keep-alive"], OPTS, "t").values["keep-alive"],
    true,
  );
  assertEquals(
    parseArgs(["--keep-alive=always"], OPTS, "t").values["keep-alive"],
    "always",
  );
  assertEquals(
    parseArgs(["--keep-alive", "false"], OPTS, "t").values["keep-alive"],
    "false",
  );
  assertEquals(
    parseArgs(["--no-keep-alive"], OPTS, "t").values["keep-alive"],
    false,
  );
  const p = parseArgs(["--keep-alive", "web"], OPTS, "t");
  assertEquals([p.values["keep-alive"], p.positionals], [true, ["web"]]);
});

Deno.test("parseArgs() handles --no-start and short options with attached values", () => {
  assertEquals(parseArgs(["--no-start"], OPTS, "t").values.start, false);
  assertEquals(parseArgs(["-n50"], OPTS, "t").values.lines, "50");
});

Deno.test("parseArgs() rejects unknown options and missing values", () => {
  assertThrows(() => parseArgs(["--bogus"], OPTS, "t"), UsageError);
  assertThrows(() => parseArgs(["-x"], OPTS, "t"), UsageError);
  assertThrows(() => parseArgs(["--condition"], OPTS, "t"), UsageError);
  assertThrows(() => parseArgs(["--condition", "--"], OPTS, "t"), UsageError);
  assertThrows(() => parseArgs(["--start=maybe"], OPTS, "t"), UsageError);
});
