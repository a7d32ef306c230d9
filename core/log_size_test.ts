import { assertEquals, assertMatch } from "../tests/assert.ts";
import { fakeContext, runCli } from "../tests/helpers.ts";
import { LOG_WARN_BYTES, logSizeChecks, mebibytes } from "./log_size.ts";

Deno.test("logSizeChecks() warns only about files over the limit", async () => {
  const ctx = fakeContext();
  ctx.fs.files.set("/l/big.log", { content: "x".repeat(2048), mode: 0o644 });
  ctx.fs.files.set("/l/small.log", { content: "x", mode: 0o644 });
  const checks = await logSizeChecks(
    "systemd",
    [
      { name: "big", file: "/l/big.log", fix: "trim it" },
      { name: "small", file: "/l/small.log", fix: "-" },
      { name: "gone", file: "/l/none.log", fix: "-" },
    ],
    ctx,
    1024,
  );
  assertEquals(checks, [{
    id: "systemd.log-size",
    title: '"big" log',
    level: "warn",
    detail: "/l/big.log is 0.0 MiB (over 0.0 MiB)",
    fix: "trim it",
  }]);
  assertEquals(mebibytes(LOG_WARN_BYTES), "50.0 MiB");
});

Deno.test("doctor warns about a --log-dir log over 50 MiB, saying how it is rotated", async () => {
  const ctx = fakeContext();
  ctx.fs.dirs.add("/home/alice/logs");
  const en = await runCli(
    [
      "enable",
      "web",
      "--log-dir",
      "/home/alice/logs",
      "--no-start",
      "--",
      "sh",
    ],
    ctx,
  );
  assertEquals(en.code, 0, en.stderr);
  const sizes: Record<string, number> = {
    "/home/alice/logs/web.log": 60 * 1024 * 1024,
  };
  ctx.fs.size = (p: string) => Promise.resolve(sizes[p] ?? null);
  const r = await runCli(["doctor", "--json"], ctx);
  const doc = JSON.parse(r.stdout);
  const c = doc.checks.find((x: { id: string }) => x.id === "systemd.log-size");
  assertEquals(c?.level, "warn", r.stdout);
  assertMatch(
    c.detail,
    /\/home\/alice\/logs\/web\.log is 60\.0 MiB \(over 50\.0 MiB\)/,
  );
  assertMatch(
    c.fix,
    /rotated when over 10\.0 MiB at each start: autostart restart web/,
  );
  sizes["/home/alice/logs/web.log"] = 1024;
  const ok = JSON.parse((await runCli(["doctor", "--json"], ctx)).stdout);
  assertEquals(
    ok.checks.some((x: { id: string }) => x.id === "systemd.log-size"),
    false,
  );
});
