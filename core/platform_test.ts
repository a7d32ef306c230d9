import { assertEquals } from "../tests/assert.ts";
import { MemoryFs } from "./fake.ts";
import { systemRuntimeDir, trustedGroups, userRuntimeDir } from "./platform.ts";

Deno.test("platform: runtime directories of Linux and macOS", () => {
  assertEquals(systemRuntimeDir("linux"), "/run");
  assertEquals(systemRuntimeDir("darwin"), "/var/run");
  assertEquals(userRuntimeDir("linux", 1000), "/run/user/1000");
  assertEquals(userRuntimeDir("darwin", 501), null);
});

Deno.test("platform: trusted groups are root's, admin on macOS, root-owned /var/log's group on Linux", async () => {
  assertEquals(await trustedGroups(new MemoryFs(), "darwin"), [0, 80]);
  const fs = new MemoryFs();
  assertEquals(await trustedGroups(fs, "linux"), [0]);
  await fs.mkdirp("/var/log");
  fs.setInfo("/var/log", { uid: 0, gid: 104 });
  assertEquals(await trustedGroups(fs, "linux"), [0, 104]);
  fs.setInfo("/var/log", { uid: 1000, gid: 104 });
  assertEquals(await trustedGroups(fs, "linux"), [0]);
});
