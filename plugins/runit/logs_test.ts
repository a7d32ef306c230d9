import { assertEquals, assertOk, assertRejects } from "../../tests/assert.ts";
import { apply } from "../../core/apply.ts";
import { UsageError } from "../../core/errors.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import { runitDriver } from "./mod.ts";
import { sinceTime, svlogdTime } from "./logs.ts";
import { runitContext, spec } from "./_testing.ts";

/** Where svlogd writes in these tests (in the fake machine's file system). */
const logDir = "/var/log/autostart-runit";

/** Installs `s` in a fake runit machine; svlogd's files go in its MemoryFs. */
async function installed(s: ServiceSpec) {
  const ctx = runitContext();
  await apply(runitDriver.plan(s, ctx), { runner: ctx.runner, fs: ctx.fs });
  return ctx;
}

/** Writes `content` as svlogd's file `name` of service "web", a new file. */
async function svlogd(
  ctx: Awaited<ReturnType<typeof installed>>,
  name: string,
  content: string,
) {
  await ctx.fs.mkdirp(`${logDir}/web`);
  await ctx.fs.writeAtomic(`${logDir}/web/${name}`, content, { mode: 0o644 });
}

/** Waits (bounded) until `got` has `n` lines, and says what it saw when it gives up. */
async function until(got: string[], n: number) {
  for (let i = 0; i < 500 && got.length < n; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(got.length, n, `saw: ${JSON.stringify(got)}`);
}

Deno.test("runitDriver.logs() tails the svlogd current file", async () => {
  const ctx = await installed({ ...spec, logDir });
  await svlogd(ctx, "current", "one\ntwo\nthree\n");
  const got: string[] = [];
  for await (
    const l of runitDriver.logs!(
      { name: "web", condition: "boot" },
      { lines: 2, follow: false },
      ctx,
    )
  ) got.push(l);
  assertEquals(got, ["two", "three"]);
});

Deno.test("runitDriver.logs() follows svlogd across a rotation and ends when aborted", async () => {
  const current = `${logDir}/web/current`;
  const abort = new AbortController();
  try {
    const ctx = await installed({ ...spec, logDir });
    await svlogd(ctx, "current", "old\n");
    const got: string[] = [];
    const done = (async () => {
      for await (
        const l of runitDriver.logs!(
          { name: "web", condition: "boot" },
          { lines: 5, follow: true, signal: abort.signal },
          ctx,
        )
      ) got.push(l);
    })();
    await until(got, 1);
    ctx.fs.files.get(current)!.content += "appended\n"; // the same file, longer
    await until(got, 2);
    // svlogd rotates: current is renamed to @TIMESTAMP.s and a new current begins.
    await svlogd(ctx, "@400000000000000000000000.s", "old\nappended\n");
    await ctx.fs.remove(current);
    await svlogd(ctx, "current", "after rotation\n");
    await until(got, 3);
    abort.abort();
    await done;
    assertEquals(got, ["old", "appended", "after rotation"]);
  } finally {
    abort.abort();
  }
});

Deno.test("runitDriver.logs() of a service without a log/run script says so", async () => {
  const ctx = runitContext();
  await assertRejects(
    async () => {
      for await (
        const _ of runitDriver.logs!(
          { name: "web", condition: "boot" },
          { lines: 5, follow: false },
          ctx,
        )
      ) { /* nothing */ }
    },
    (e) =>
      e instanceof UsageError && /has no runit log service/.test(e.message),
  );
});

Deno.test("sinceTime() reads the CLI's relative times, days and local dates; svlogdTime() reads svlogd -tt stamps", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  const at = (v: string) => sinceTime(v, now)?.getTime();
  assertEquals(at("-10min"), now.getTime() - 600_000);
  assertEquals(at("-2h"), now.getTime() - 7_200_000);
  assertEquals(at("-1d"), now.getTime() - 86_400_000);
  assertEquals(at("-30s"), now.getTime() - 30_000);
  assertEquals(at("5 min ago"), now.getTime() - 300_000);
  assertEquals(at("now"), now.getTime());
  assertEquals(at("2026-11-30 08:15"), new Date(2026, 10, 30, 8, 15).getTime());
  assertEquals(at("2026-11-30"), new Date(2026, 10, 30).getTime());
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  assertEquals(at("today"), today.getTime());
  // a day that changes the clock (DST) is 23 or 25 hours long
  const day = today.getTime() - at("yesterday")!;
  assertOk(day >= 23 * 3_600_000 && day <= 25 * 3_600_000, `${day}`);
  assertEquals(at("last tuesday"), undefined);
  assertEquals(at("2026-13-45"), undefined);
  assertEquals(at("2026-02-30 10:00"), undefined);
  assertEquals(
    svlogdTime("2026-12-01_10:00:00.12345 hello"),
    Date.UTC(2026, 11, 1, 10, 0, 0, 123),
  );
  assertEquals(svlogdTime("hello"), null);
});

Deno.test("runitDriver.logs() --since keeps the lines svlogd stamped from that time on; a time it cannot read is exit 2", async () => {
  const ctx = await installed({ ...spec, logDir });
  const stamp = (msAgo: number) =>
    new Date(Date.now() - msAgo).toISOString().replace("T", "_")
      .replace("Z", "00");
  await svlogd(
    ctx,
    "current",
    [
      `${stamp(3 * 3_600_000)} three hours ago`,
      `${stamp(2 * 3_600_000)} two hours ago`,
      `${stamp(30 * 60_000)} half an hour ago`,
      `${stamp(60_000)} a minute ago`,
      "",
    ].join("\n"),
  );
  const logs = async (since: string, lines = 100) => {
    const got: string[] = [];
    for await (
      const l of runitDriver.logs!(
        { name: "web", condition: "boot" },
        { lines, follow: false, since },
        ctx,
      )
    ) got.push(l.replace(/^\S+ /, ""));
    return got;
  };
  assertEquals(await logs("-1h"), ["half an hour ago", "a minute ago"]);
  assertEquals(await logs("-1d", 3), [
    "two hours ago",
    "half an hour ago",
    "a minute ago",
  ]);
  assertEquals(await logs("-10s"), []);
  await assertRejects(
    () => logs("last tuesday"),
    (e) =>
      e instanceof UsageError &&
      /Invalid --since "last tuesday"/.test(e.message),
  );
});
