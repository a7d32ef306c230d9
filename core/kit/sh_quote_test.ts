import { assertEquals } from "../../tests/assert.ts";
import { shellQuote, shQuote } from "./sh_quote.ts";

const HARD = [
  "",
  "plain",
  "it's",
  "''",
  "a b\tc\nd",
  '$HOME `id` $(id) \\ " ; & | < > * ? [ ] ~ # !',
  "-n",
  "\u00e9\u4e2d",
];

Deno.test("shQuote() always quotes and escapes single quotes", () => {
  assertEquals(shQuote("it's"), `'it'\\''s'`);
  assertEquals(shQuote(""), "''");
  assertEquals(shQuote("a b"), "'a b'");
});

Deno.test("shQuote() words come back exact through a real sh", async () => {
  const script = `for w in ${
    HARD.map(shQuote).join(" ")
  }; do printf '%s\\0' "$w"; done`;
  const out = await new Deno.Command("sh", {
    args: ["-c", script],
    env: { LANG: "C.UTF-8" },
    clearEnv: true,
  }).output();
  assertEquals(out.code, 0);
  const got = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
  assertEquals(got, HARD);
});

Deno.test("shellQuote() leaves safe words bare and quotes the rest like shQuote()", async () => {
  assertEquals(shellQuote("/usr/bin/env"), "/usr/bin/env");
  assertEquals(shellQuote("KEY=v@l%1,2:3+4"), "KEY=v@l%1,2:3+4");
  assertEquals(shellQuote(""), "''");
  assertEquals(shellQuote("a b"), "'a b'");
  assertEquals(shellQuote("it's"), shQuote("it's"));
  const script = `printf '%s\\0' ${HARD.map(shellQuote).join(" ")}`;
  const out = await new Deno.Command("sh", { args: ["-c", script] }).output();
  const got = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
  assertEquals(got, HARD);
});
