import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { looksSecret, parseEnvFile, renderEnvFile } from "./env_file.ts";
import { UsageError } from "./errors.ts";

/** [file text, expected assignments] */
const ACCEPTED: [string, [string, string][]][] = [
  ["A=1\n", [["A", "1"]]],
  ["A=1", [["A", "1"]]],
  ["A=\n", [["A", ""]]],
  ["A=two words\n", [["A", "two words"]]],
  ["A=x # comment\n", [["A", "x"]]],
  ["A=x\t# comment\n", [["A", "x"]]],
  ["A= # only a comment\n", [["A", ""]]],
  ["A=x   \n", [["A", "x"]]],
  ["# c\n\n   # indented comment\n\nA=1\n", [["A", "1"]]],
  ["export A=1\n", [["A", "1"]]],
  ["export\tA=1\n", [["A", "1"]]],
  ["  A=1\n", [["A", "1"]]],
  ["A=1\r\nB=2\r\n", [["A", "1"], ["B", "2"]]],
  ["\uFEFFA=1\n", [["A", "1"]]],
  ['B="two words"\n', [["B", "two words"]]],
  ['B="two words" # c\n', [["B", "two words"]]],
  ['B=""\n', [["B", ""]]],
  ['B="a\\nb"\n', [["B", "a\nb"]]],
  ['B="q\\"q \\\\ \\$HOME \\`x\\`"\n', [["B", 'q"q \\ $HOME `x`']]],
  ['B="line1\nline2"\nC=3\n', [["B", "line1\nline2"], ["C", "3"]]],
  ['B="# not a comment"\n', [["B", "# not a comment"]]],
  ['B="it\'s"\n', [["B", "it's"]]],
  ["C='$HOME \\n \"x\" # y'\n", [["C", '$HOME \\n "x" # y']]],
  ["C='multi\nline'\n", [["C", "multi\nline"]]],
  ["C=''\n", [["C", ""]]],
  ["A=$\n", [["A", "$"]]],
  ["A=cost: 5$ \n", [["A", "cost: 5$"]]],
  ["A=a=b=c\n", [["A", "a=b=c"]]],
  ["A=1\nA=2\n", [["A", "2"]]],
  ["lower_case9=x\n", [["lower_case9", "x"]]],
  ["URL=https://x.test/?a=1&b=2\n", [["URL", "https://x.test/?a=1&b=2"]]],
];

/** [file text, line in the message, words of the message] */
const REFUSED: [string, number, RegExp][] = [
  ["A=1\nbad line\n", 2, /no "="/],
  ["A\n", 1, /no "="/],
  ["1A=x\n", 1, /not a valid variable name/],
  ["A-B=x\n", 1, /not a valid variable name/],
  ["A B=x\n", 1, /not a valid variable name/],
  ["A =x\n", 1, /blank before "="/],
  ["A= x\n", 1, /blank after "="/],
  ['A="open\n\nB=2\n', 1, /double quote of A is never closed/],
  ["A='open\n", 1, /single quote of A is never closed/],
  ['A="x"y\n', 1, /after the closing quote/],
  ['A="x" "y"\n', 1, /after the closing quote/],
  ["A='x'\"y\"\n", 1, /after the closing quote/],
  ['A="l1\nl2" z\n', 2, /after the closing quote/],
  ['A="\\t"\n', 1, /unknown escape "\\\\t"/],
  ["A=it's\n", 1, /quote or backslash/],
  ['A=say "hi"\n', 1, /quote or backslash/],
  ["A=C:\\dir\n", 1, /quote or backslash/],
  ["A=abc#def\n", 1, /"#" inside it/],
  ["A=$HOME/bin\n", 1, /variable reference/],
  ["A=${HOME}\n", 1, /variable reference/],
  ['A="x\n$HOME"\n', 2, /variable reference/],
  ["export\n", 1, /no "="/],
  [";A=1\n", 1, /not a valid variable name/],
];

Deno.test("parseEnvFile() reads .env files as dotenv and systemd agree", () => {
  for (const [text, want] of ACCEPTED) {
    assertEquals(parseEnvFile(text, "app.env"), want, JSON.stringify(text));
  }
});

Deno.test("parseEnvFile() refuses what dotenv, systemd or sh read differently, with the line", () => {
  for (const [text, line, words] of REFUSED) {
    let message = "";
    try {
      parseEnvFile(text, "app.env");
    } catch (e) {
      assertOk(e instanceof UsageError, JSON.stringify(text));
      message = e.message;
    }
    assertOk(
      message.startsWith(`Invalid --env-file "app.env", line ${line}:`),
      `${JSON.stringify(text)}: ${message || "accepted"}`,
    );
    assertMatch(message, words, JSON.stringify(text));
  }
});

Deno.test("renderEnvFile() round-trips every value through parseEnvFile()", () => {
  const vars: [string, string][] = [
    ["A", ""],
    ["B", 'say "hi" \\ $HOME `x` # not a comment'],
    ["C", "line1\nline2\n"],
    ["D", "it's 100% ünïcödé \t tab"],
    ["E", "\\n stays backslash-n"],
  ];
  const text = renderEnvFile(vars, "Managed by autostart\nsecond line");
  assertEquals(text.split("\n").slice(0, 2), [
    "# Managed by autostart",
    "# second line",
  ]);
  assertEquals(parseEnvFile(text, "copy"), vars);
});

Deno.test("looksSecret() spots secret-looking names, not words that merely contain one", () => {
  for (
    const n of [
      "API_TOKEN",
      "DB_PASSWORD",
      "AWS_SECRET_ACCESS_KEY",
      "apiKey",
      "GITHUB_TOKEN",
      "SESSION_SECRET",
      "SENTRY_DSN",
      "PRIVATE_KEY",
    ]
  ) assertEquals(looksSecret(n), true, n);
  for (const n of ["PATH", "HOME", "KEYBOARD", "PASSTHROUGH", "PORT", "LANG"]) {
    assertEquals(looksSecret(n), false, n);
  }
});

Deno.test("parseEnvFile() reads the README's example as documented", async () => {
  const readme = await Deno.readTextFile(
    new URL("../README.md", import.meta.url),
  );
  const block = /```sh\n(# app\.env\n[\s\S]*?)```/.exec(readme)?.[1];
  assertOk(block, "README has the app.env example");
  assertEquals(parseEnvFile(block, "app.env"), [
    ["DATABASE_URL", "postgres://app@db/app"],
    ["API_TOKEN", "s3cr3t$with$dollars"],
    ["GREETING", "two words\nand a newline"],
    ["MODE", "prod"],
  ]);
});
