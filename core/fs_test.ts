import { assertEquals, assertOk } from "../tests/assert.ts";
import { denoFs, rootOnlyProblem, tempPrefix } from "./fs.ts";

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

const asRoot = { ignore: Deno.uid() !== 0 };

Deno.test("denoFs.writeAtomic() sets mode and owner on the file, replaces a symlink instead of writing through it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "autostart-fs-" });
  try {
    await Deno.writeTextFile(`${dir}/target`, "keep");
    await Deno.symlink(`${dir}/target`, `${dir}/unit`);
    await denoFs.writeAtomic(`${dir}/unit`, "new\n", { mode: 0o640 });
    assertEquals(Deno.readTextFileSync(`${dir}/target`), "keep");
    const st = Deno.lstatSync(`${dir}/unit`);
    assertEquals([st.isFile, st.mode! & 0o7777], [true, 0o640]);
    assertEquals(Deno.readTextFileSync(`${dir}/unit`), "new\n");
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["target", "unit"],
      "no temporary file left",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "denoFs.writeAtomic() never follows a symlink planted at the old predictable temporary name",
  ...asRoot,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "autostart-fs-" });
    try {
      await Deno.writeTextFile(`${dir}/victim`, "root's file");
      // What an attacker could plant before: `.NAME.autostart-tmp-PID`.
      await Deno.symlink(
        `${dir}/victim`,
        `${dir}/${tempPrefix(`${dir}/unit`)}${Deno.pid}`,
      );
      await denoFs.writeAtomic(`${dir}/unit`, "unit\n", {
        mode: 0o644,
        owner: { uid: 4242, gid: 4243 },
      });
      assertEquals(Deno.readTextFileSync(`${dir}/victim`), "root's file");
      assertEquals(Deno.statSync(`${dir}/victim`).uid, 0, "not chowned");
      const st = Deno.lstatSync(`${dir}/unit`);
      assertEquals([st.uid, st.gid, st.mode! & 0o7777], [4242, 4243, 0o644]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "denoFs.mkdirp() gives only the last directory to its owner; the parents it creates stay root's",
  ...asRoot,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "autostart-fs-" });
    try {
      const created = await denoFs.mkdirp(`${dir}/a/b/c`, {
        mode: 0o750,
        owner: { uid: 4242, gid: 4243 },
      });
      assertEquals(created, [`${dir}/a`, `${dir}/a/b`, `${dir}/a/b/c`]);
      const own = (p: string) => {
        const s = Deno.statSync(p);
        return [s.uid, s.gid];
      };
      assertEquals(own(`${dir}/a`), [0, 0]);
      assertEquals(own(`${dir}/a/b`), [0, 0]);
      assertEquals(own(`${dir}/a/b/c`), [4242, 4243]);
      assertEquals(Deno.statSync(`${dir}/a/b/c`).mode! & 0o7777, 0o750);
      // an existing last directory is not chowned
      await denoFs.mkdirp(`${dir}/a/b`, { owner: { uid: 4242, gid: 4243 } });
      assertEquals(own(`${dir}/a/b`), [0, 0]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("rootOnlyProblem() on the real filesystem: /tmp is world-writable, /etc is root's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "autostart-fs-" });
  try {
    const why = await rootOnlyProblem(denoFs, `${dir}/logs`);
    assertOk(
      why !== null && /writable by every user|not root/.test(why),
      why ?? "",
    );
    if (Deno.build.os === "linux") {
      assertEquals(
        await rootOnlyProblem(denoFs, "/etc/autostart-nothing"),
        null,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
