import { assertEquals, assertRejects, assertThrows } from "../tests/assert.ts";
import { fakeContext } from "../tests/helpers.ts";
import { UsageError } from "./errors.ts";
import {
  absolutePath,
  parseDuration,
  parseEnvPair,
  parseKeepAlive,
  parseName,
  resolveSpec,
} from "./spec.ts";

Deno.test("parseName() accepts plain names", () => {
  for (const n of ["web", "web-1", "a.b_c", "X9", "a".repeat(64)]) {
    assertEquals(parseName(n), n);
  }
});

Deno.test("parseName() rejects hostile names with a UsageError", () => {
  const bad = [
    "",
    ".",
    "..",
    "../x",
    "a/b",
    "a b",
    "-x",
    "x\n",
    "a\0b",
    "a".repeat(65),
    "a".repeat(201),
    "x.socket",
    "x.service",
    "t@x",
    "é",
    "a..b",
    "$x",
    "%h",
  ];
  for (const n of bad) {
    assertThrows(() => parseName(n), UsageError, JSON.stringify(n));
  }
});

Deno.test("parseKeepAlive() maps true to on-failure and rejects unknown values", () => {
  assertEquals(parseKeepAlive(true), "on-failure");
  assertEquals(parseKeepAlive("true"), "on-failure");
  assertEquals(parseKeepAlive("on-failure"), "on-failure");
  assertEquals(parseKeepAlive("always"), "always");
  assertEquals(parseKeepAlive("false"), "false");
  assertEquals(parseKeepAlive(false), "false");
  assertThrows(() => parseKeepAlive("sometimes"), UsageError);
});

Deno.test("parseDuration() reads ms, s, m, h and bare seconds", () => {
  assertEquals(parseDuration("2s"), 2000);
  assertEquals(parseDuration("500ms"), 500);
  assertEquals(parseDuration("1.5s"), 1500);
  assertEquals(parseDuration("3"), 3000);
  assertEquals(parseDuration("1m"), 60000);
  assertThrows(() => parseDuration("soon"), UsageError);
  assertThrows(() => parseDuration("-1s"), UsageError);
  assertThrows(() => parseDuration("25h"), UsageError);
});

Deno.test("parseEnvPair() checks names and keeps values exactly", () => {
  assertEquals(parseEnvPair("A=b=c $x %h"), ["A", "b=c $x %h"]);
  assertEquals(parseEnvPair("_X="), ["_X", ""]);
  assertThrows(() => parseEnvPair("1A=x"), UsageError);
  assertThrows(() => parseEnvPair("A-B=x"), UsageError);
  assertThrows(() => parseEnvPair("NOEQUALS"), UsageError);
  assertThrows(() => parseEnvPair("A=\0"), UsageError);
  assertThrows(() => parseEnvPair("A=\ud800"), UsageError);
});

Deno.test("absolutePath() normalises against a base", () => {
  assertEquals(absolutePath("/home/a", "x/../y/./z"), "/home/a/y/z");
  assertEquals(absolutePath("/home/a", "/etc//x"), "/etc/x");
});

Deno.test("resolveSpec() resolves the program in PATH and captures PATH", async () => {
  const ctx = fakeContext();
  const spec = await resolveSpec({
    name: "s",
    command: ["sh", "-c", "echo hi"],
  }, ctx);
  assertEquals(spec.program.endsWith("/sh"), true);
  assertEquals(spec.args, ["-c", "echo hi"]);
  assertEquals(spec.condition, "login");
  assertEquals(spec.keepAlive, "on-failure");
  assertEquals(spec.restartDelayMs, 2000);
  assertEquals(spec.env, [["PATH", ctx.env.PATH]]);
});

Deno.test("resolveSpec() with --path default stores no PATH", async () => {
  const spec = await resolveSpec({
    name: "s",
    command: ["sh"],
    path: "default",
  }, fakeContext());
  assertEquals(spec.env, []);
});

Deno.test("resolveSpec() rejects a missing command, program, cwd and bad user", async () => {
  const ctx = fakeContext();
  await assertRejects(
    () => resolveSpec({ name: "s", command: [] }, ctx),
    /Missing command/,
  );
  await assertRejects(
    () => resolveSpec({ name: "s", command: ["no-such-program-xyz"] }, ctx),
    /not in PATH/,
  );
  await assertRejects(
    () => resolveSpec({ name: "s", command: ["./relative-missing"] }, ctx),
    /Program not found/,
  );
  const plain = "/home/alice/plain";
  ctx.fs.files.set(plain, { content: "", mode: 0o644 });
  await assertRejects(
    () => resolveSpec({ name: "s", command: [plain] }, ctx),
    /not executable/,
  );
  await assertRejects(
    () => resolveSpec({ name: "s", command: ["sh"], cwd: "/no/such/dir" }, ctx),
    /no such directory/,
  );
  await assertRejects(
    () => resolveSpec({ name: "s", command: ["sh", "a\0b"] }, ctx),
    /NUL/,
  );
  await assertRejects(
    () =>
      resolveSpec({
        name: "s",
        command: ["sh"],
        condition: "boot",
        user: "nobody-here",
      }, ctx),
    /Unknown user/,
  );
});

Deno.test("resolveSpec() boot runs as SUDO_USER and refuses implicit root", async () => {
  const root = fakeContext({
    self: { name: "root", uid: 0, gid: 0, group: "root", home: "/root" },
  });
  await assertRejects(
    () => resolveSpec({ name: "s", command: ["sh"], condition: "boot" }, root),
    /as root without being asked/,
  );
  const sudo = fakeContext({
    self: { name: "root", uid: 0, gid: 0, group: "root", home: "/root" },
    sudoUser: "alice",
  });
  const spec = await resolveSpec({
    name: "s",
    command: ["sh"],
    condition: "boot",
  }, sudo);
  assertEquals(spec.runAs?.name, "alice");
  const asRoot = await resolveSpec({
    name: "s",
    command: ["sh"],
    condition: "boot",
    user: "root",
  }, root);
  assertEquals(asRoot.runAs?.uid, 0);
});

Deno.test("resolveSpec() refuses a login service under sudo", async () => {
  const sudo = fakeContext({
    self: { name: "root", uid: 0, gid: 0, group: "root", home: "/root" },
    sudoUser: "alice",
  });
  await assertRejects(
    () => resolveSpec({ name: "s", command: ["sh"] }, sudo),
    /without sudo/,
  );
});
