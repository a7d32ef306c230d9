import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { fakeContext, webSpec } from "../../tests/helpers.ts";
import { systemdDriver } from "./mod.ts";

const spec = webSpec({ args: ["-m", "http.server"], env: [] });

Deno.test("systemdDriver.advise() shows the linger command when lingering is off", async () => {
  const ctx = fakeContext();
  const notes = await systemdDriver.advise!(spec, ctx);
  assertMatch(notes.join("\n"), /sudo loginctl enable-linger alice/);
  ctx.fs.files.set("/var/lib/systemd/linger/alice", {
    content: "",
    mode: 0o644,
  });
  assertEquals(await systemdDriver.advise!(spec, ctx), []);
});
