// The sandbox itself: two boxes at once (two test runs on one machine) keep apart.
// Each box's systemd has a cgroup subtree of its own (boot.sh), so the same unit in two
// boxes never shares a cgroup: shared, one systemd's clean-up of empty cgroups raced
// the other's start of a unit (a user manager answered 219/CGROUP), and one box's
// processes counted in the other's unit. A stopped box leaves no cgroup on the host.
import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { E2E } from "./e2e/_box.ts";
import { bootSandbox, cgroupHierarchies, type Sandbox } from "./sandbox.ts";

/** The path in the systemd hierarchy (named v1, or v2) of a /proc/PID/cgroup text. */
function systemdCgroup(text: string): string {
  const lines = text.trim().split("\n");
  const line = lines.find((l) => l.includes(":name=systemd:")) ??
    lines.find((l) => l.startsWith("0::"))!;
  return line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1);
}

/** The hierarchies in which a cgroup of this name is left at the top. */
function leftBehind(name: string): string[] {
  return cgroupHierarchies().map((h) => `${h}/${name}`).filter((p) => {
    try {
      return Deno.statSync(p).isDirectory;
    } catch {
      return false;
    }
  });
}

Deno.test({
  name:
    "sandbox: two boxes at once each have a cgroup subtree, removed when the box stops",
  ...E2E,
  async fn() {
    const boxes: Sandbox[] = [];
    const names: string[] = [];
    try {
      boxes.push(await bootSandbox(), await bootSandbox());
      for (const box of boxes) {
        const root = systemdCgroup(
          Deno.readTextFileSync(`/proc/${box.pid}/cgroup`),
        );
        assertMatch(root, /^\/autostart-box-[^/]+\/init\.scope$/);
        names.push(root.split("/")[1]!);
      }
      assertOk(names[0] !== names[1], `one cgroup for both boxes: ${names}`);
      // The same unit in both boxes: each in its own box's subtree.
      for (const [i, box] of boxes.entries()) {
        const r = await box.exec([
          "systemd-run",
          "--unit=same",
          "sleep",
          "1000",
        ]);
        assertEquals(r.code, 0, r.stderr);
        const pid = await box.prop("same.service", "MainPID");
        const text = await box.exec(["cat", `/proc/${pid}/cgroup`]);
        assertEquals(
          systemdCgroup(text.stdout),
          `/${names[i]}/system.slice/same.service`,
        );
      }
    } finally {
      for (const box of boxes) await box.stop();
    }
    for (const name of names) assertEquals(leftBehind(name), [], name);
  },
});
