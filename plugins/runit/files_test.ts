import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { apply } from "../../core/apply.ts";
import { UsageError } from "../../core/errors.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import { runitDriver } from "./mod.ts";
import { runitContext, spec } from "./_testing.ts";

/** Installs `s` in a fake runit machine; svlogd's files are on the real disk (`logDir`). */
async function installed(s: ServiceSpec) {
  const ctx = runitContext();
  await apply(runitDriver.plan(s, ctx), { runner: ctx.runner, fs: ctx.fs });
  return ctx;
}

/** Waits (bounded) until `got` has `n` lines, and says what it saw when it gives up. */
async function until(got: string[], n: number) {
  for (let i = 0; i < 500 && got.length < n; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(got.length, n, `saw: ${JSON.stringify(got)}`);
}

Deno.test("runitDriver.logs() tails the svlogd current file", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    const ctx = await installed({ ...spec, logDir });
    await Deno.mkdir(`${logDir}/web`);
    await Deno.writeTextFile(`${logDir}/web/current`, "one\ntwo\nthree\n");
    const got: string[] = [];
    for await (
      const l of runitDriver.logs!(
        { name: "web", condition: "boot" },
        { lines: 2, follow: false },
        ctx,
      )
    ) got.push(l);
    assertEquals(got, ["two", "three"]);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("runitDriver.logs() follows svlogd across a rotation and ends when aborted", async () => {
  const logDir = await Deno.makeTempDir();
  const current = `${logDir}/web/current`;
  const abort = new AbortController();
  try {
    const ctx = await installed({ ...spec, logDir });
    await Deno.mkdir(`${logDir}/web`);
    await Deno.writeTextFile(current, "old\n");
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
    await Deno.writeTextFile(current, "appended\n", { append: true });
    await until(got, 2);
    // svlogd rotates: current is renamed to @TIMESTAMP.s and a new current begins.
    await Deno.rename(current, `${logDir}/web/@400000000000000000000000.s`);
    await Deno.writeTextFile(current, "after rotation\n");
    await until(got, 3);
    abort.abort();
    await done;
    assertEquals(got, ["old", "appended", "after rotation"]);
  } finally {
    abort.abort();
    await Deno.remove(logDir, { recursive: true });
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

Deno.test("runitDriver.readBack() reads the fields enable took; a foreign run script is not read", async () => {
  const ctx = await installed({ ...spec, logDir: "/srv/logs", start: false });
  const r = await runitDriver.readBack!(
    { name: "web", condition: "boot" },
    ctx,
  );
  assertEquals(r?.file, "/etc/sv/autostart-web/run");
  assertEquals(r?.fields.program, spec.program);
  assertEquals(r?.fields.args, spec.args);
  assertEquals(r?.fields.logDir, "/srv/logs");
  assertEquals(r?.fields.start, false);
  ctx.fs.files.set("/etc/sv/autostart-web/run", {
    content: "#!/bin/sh\nexec true\n",
    mode: 0o755,
  });
  assertEquals(
    await runitDriver.readBack!({ name: "web", condition: "boot" }, ctx),
    null,
  );
});
