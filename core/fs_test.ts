import { assertEquals } from "../tests/assert.ts";
import { denoFs } from "./fs.ts";

Deno.test("denoFs.exists(): a dangling symlink exists; a missing or unreachable path does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "autostart-fs-" });
  try {
    await Deno.writeTextFile(`${dir}/file`, "x");
    await Deno.symlink(`${dir}/nowhere`, `${dir}/dangling`);
    assertEquals(await denoFs.exists(`${dir}/file`), true);
    assertEquals(await denoFs.exists(`${dir}/dangling`), true);
    assertEquals(await denoFs.exists(`${dir}/missing`), false);
    // a file where a directory should be
    assertEquals(await denoFs.exists(`${dir}/file/sv`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
