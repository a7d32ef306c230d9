import { assertEquals, assertMatch } from "../tests/assert.ts";
import { fakeContext, runCli } from "../tests/helpers.ts";

Deno.test("a command on a service that does not exist exits 1 and points at status, and at lima status for a VM", async () => {
  for (
    const argv of [["logs", "default"], ["stop", "default"], [
      "show",
      "default",
    ]]
  ) {
    const ctx = fakeContext();
    const r = await runCli(argv, ctx);
    assertEquals(r.code, 1, `${argv}: ${r.stdout}${r.stderr}`);
    assertMatch(r.stderr, /No service named "default" is managed by autostart/);
    assertMatch(r.stderr, /see `autostart status` for the services that exist/);
    assertMatch(r.stderr, /`autostart lima status` for Lima's VMs/);
    assertEquals(ctx.fs.snapshot(), {}, "nothing written");
  }
});
