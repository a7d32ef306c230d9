/**
 * The forgiving command line: spaced values of options with an optional value, "did you
 * mean", `help` of an unknown command, FORCE_COLOR, and what a filtered empty status says.
 */
import { assertEquals, assertMatch } from "../tests/assert.ts";
import { fakeContext, runCli } from "../tests/helpers.ts";
import { UsageError } from "../core/errors.ts";
import { parseArgs, unexpectedArgument } from "./args.ts";
import { colorWanted } from "./output.ts";
import { WAIT as WAIT_OPTION } from "./table/options.ts";
import { optionsOf } from "./table/mod.ts";

Deno.test("parseArgs() takes a spaced value of an optional option when it is valid", () => {
  const a = parseArgs(
    ["web", "--wait", "30s", "--keep-alive", "always", "--", "x"],
    optionsOf("enable"),
    "enable",
  );
  assertEquals(a.values.wait, "30s");
  assertEquals(a.values["keep-alive"], "always");
  assertEquals(a.positionals, ["web"]);
  assertEquals(a.follows, {});
  // Not a duration: --wait is bare and the word stays a positional, remembered.
  const b = parseArgs(["--wait", "web"], [WAIT_OPTION], "start");
  assertEquals(b.values.wait, true);
  assertEquals(b.positionals, ["web"]);
  assertEquals(Object.keys(b.follows), ["0"]);
  // The next option is never taken as a value.
  const c = parseArgs(["web", "--wait", "--json"], [
    WAIT_OPTION,
    { name: "json", kind: "boolean" },
  ], "start");
  assertEquals(c.values.wait, true);
  assertEquals(c.values.json, true);
});

Deno.test("unexpectedArgument() names the optional option and its valid values", () => {
  const a = parseArgs(["web", "--wait", "soon"], [WAIT_OPTION], "start");
  const e = unexpectedArgument(a, 1, "start", "give exactly one NAME");
  assertEquals(e instanceof UsageError, true);
  assertMatch(
    e.message,
    /Invalid value "soon" for --wait: it takes a duration such as 30s/,
  );
  const plain = parseArgs(["web", "other"], [WAIT_OPTION], "start");
  assertMatch(
    unexpectedArgument(plain, 1, "start", "h").message,
    /Unexpected argument "other"/,
  );
});

Deno.test("spaced --keep-alive always and --wait 1s work; --wait soon and --keep-alive sometimes name the option", async () => {
  const ctx = fakeContext();
  const bad = await runCli(["start", "web", "--wait", "soon"], ctx);
  assertEquals(bad.code, 2);
  assertMatch(
    bad.stderr,
    /Invalid value "soon" for --wait: it takes a duration/,
  );
  const ka = await runCli(
    ["enable", "web", "--keep-alive", "sometimes", "--", "sh"],
    ctx,
  );
  assertEquals(ka.code, 2);
  assertMatch(
    ka.stderr,
    /Invalid value "sometimes" for --keep-alive: it takes true, false, always, on-failure/,
  );
  const ok = await runCli(
    [
      "enable",
      "web",
      "--keep-alive",
      "always",
      "--wait",
      "1s",
      "--dry-run",
      "--",
      "sh",
    ],
    ctx,
  );
  assertEquals(ok.code, 0, ok.stderr);
  assertMatch(ok.stdout, /Restart=always/);
  assertEquals(ctx.fs.files.size, 0);
});

Deno.test("misspelled commands and options get a suggestion, exit 2", async () => {
  const ctx = fakeContext();
  const cmd = await runCli(["stauts"], ctx);
  assertEquals(cmd.code, 2);
  assertMatch(cmd.stderr, /Unknown command "stauts"/);
  assertMatch(cmd.stderr, /did you mean "status"\?/);
  const opt = await runCli(
    ["enable", "web", "--keep-alvie", "--", "sh"],
    ctx,
  );
  assertEquals(opt.code, 2);
  assertMatch(opt.stderr, /Unknown option "--keep-alvie" for enable/);
  assertMatch(opt.stderr, /did you mean --keep-alive\?/);
  const lima = await runCli(["lima", "enabel", "default"], ctx);
  assertEquals(lima.code, 2);
  assertMatch(lima.stderr, /did you mean "lima enable"\?/);
  const none = await runCli(["status", "--frobnicate"], ctx);
  assertEquals(none.code, 2);
  assertEquals(/did you mean/.test(none.stderr), false);
  assertEquals(ctx.fs.files.size, 0);
});

Deno.test("help of an unknown command exits 2; help of a known one exits 0", async () => {
  const ctx = fakeContext();
  const bad = await runCli(["help", "bogus"], ctx);
  assertEquals(bad.code, 2);
  assertEquals(bad.stdout, "");
  assertMatch(bad.stderr, /Unknown command "bogus"/);
  const typo = await runCli(["help", "enabel"], ctx);
  assertEquals(typo.code, 2);
  assertMatch(typo.stderr, /did you mean "enable"\?/);
  const good = await runCli(["help", "logs"], ctx);
  assertEquals(good.code, 0);
  assertMatch(good.stdout, /Usage: autostart logs/);
  assertEquals((await runCli(["help"], ctx)).code, 0);
});

Deno.test("colorWanted() honours FORCE_COLOR, and NO_COLOR over it", () => {
  assertEquals(colorWanted({}, true), true);
  assertEquals(colorWanted({}, false), false);
  assertEquals(colorWanted({ TERM: "dumb" }, true), false);
  assertEquals(colorWanted({ FORCE_COLOR: "1" }, false), true);
  assertEquals(colorWanted({ FORCE_COLOR: "3", TERM: "dumb" }, false), true);
  assertEquals(colorWanted({ FORCE_COLOR: "0" }, true), false);
  assertEquals(colorWanted({ FORCE_COLOR: "false" }, true), false);
  assertEquals(colorWanted({ FORCE_COLOR: "" }, false), false);
  assertEquals(colorWanted({ FORCE_COLOR: "1", NO_COLOR: "1" }, true), false);
});

Deno.test("FORCE_COLOR colours the output of a real run through a pipe", async () => {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", main, "stauts"],
    env: { FORCE_COLOR: "1", TERM: "xterm", HOME: "/nonexistent" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 2);
  // deno-lint-ignore no-control-regex
  assertMatch(err, /\x1b\[31merror\x1b\[39m: Unknown command/);
});

Deno.test("status --condition boot with only login services says so", async () => {
  const ctx = fakeContext();
  const en = await runCli(
    ["enable", "web", "--no-start", "--", "sh"],
    ctx,
  );
  assertEquals(en.code, 0, en.stderr);
  const r = await runCli(["status", "--condition", "boot"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /^No boot services are managed by autostart \(1 under the other condition: autostart status\)\. Add one with: sudo autostart enable NAME --condition=boot -- COMMAND\n$/,
  );
  assertEquals(/No services are managed/.test(r.stdout), false);
  const named = await runCli(["status", "web", "--condition=boot"], ctx);
  assertEquals(named.code, 1);
  assertEquals(
    named.stderr,
    '"web" is not managed by autostart as a boot service\n',
  );
  const all = await runCli(["status"], ctx);
  assertMatch(all.stdout, /^NAME +STATE/);
});
