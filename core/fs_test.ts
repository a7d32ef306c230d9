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

function hasStrace(): boolean {
  try {
    return new Deno.Command("strace", { args: ["-V"], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "denoFs.writeAtomic() system calls: O_EXCL|O_NOFOLLOW temporary file, fchown/fchmod on its handle, fsync before the rename, fsync of the directory after",
  ignore: Deno.build.os !== "linux" || !hasStrace(),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "autostart-fs-" });
    try {
      const script = `${dir}/write.ts`;
      await Deno.writeTextFile(
        script,
        `import { denoFs } from ${
          JSON.stringify(new URL("./fs.ts", import.meta.url).href)
        };\n` +
          `await denoFs.writeAtomic(${
            JSON.stringify(`${dir}/unit`)
          }, "x\\n", { mode: 0o644, owner: { uid: ${Deno.uid()}, gid: ${Deno.gid()} } });\n`,
      );
      const out = await new Deno.Command("strace", {
        args: [
          "-f",
          "-qq",
          "-e",
          "trace=openat,fsync,fchmod,fchown,rename,renameat,renameat2",
          Deno.execPath(),
          "run",
          "-A",
          "--no-config",
          script,
        ],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const trace = new TextDecoder().decode(out.stderr).split("\n");
      assertEquals(out.code, 0, trace.join("\n"));
      const tmpOpen = trace.findIndex((l) =>
        /openat\(.*\.unit\.autostart-tmp-/.test(l)
      );
      assertOk(tmpOpen >= 0, "temporary file opened");
      const open = trace[tmpOpen]!;
      assertOk(/O_EXCL/.test(open) && /O_NOFOLLOW/.test(open), open);
      const fd = /= (\d+)$/.exec(open)?.[1];
      const after = trace.slice(tmpOpen);
      const at = (re: RegExp) => after.findIndex((l) => re.test(l));
      const fchown = at(new RegExp(`fchown\\(${fd},`));
      const fchmod = at(new RegExp(`fchmod\\(${fd}, 0644`));
      const fsyncFile = at(new RegExp(`fsync\\(${fd}\\)`));
      const rename = at(/rename(at2?)?\(.*autostart-tmp-.*unit"/);
      const fsyncDir = after.findIndex((l, i) =>
        i > rename && /fsync\(/.test(l)
      );
      assertOk(fchown > 0 && fchmod > 0, after.join("\n"));
      assertOk(fsyncFile > fchmod && rename > fsyncFile, after.join("\n"));
      assertOk(fsyncDir > rename, "the directory is synced after the rename");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "denoFs.createFile() creates once with owner and mode, and never through a symlink",
  ...asRoot,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "autostart-fs-" });
    try {
      const opts = { mode: 0o644, owner: { uid: 4242, gid: 4243 } };
      assertEquals(await denoFs.createFile(`${dir}/web.log`, opts), true);
      const st = Deno.lstatSync(`${dir}/web.log`);
      assertEquals([st.uid, st.gid, st.mode! & 0o7777], [4242, 4243, 0o644]);
      await Deno.writeTextFile(`${dir}/web.log`, "kept");
      assertEquals(await denoFs.createFile(`${dir}/web.log`, opts), false);
      assertEquals(Deno.readTextFileSync(`${dir}/web.log`), "kept");
      await Deno.writeTextFile(`${dir}/victim`, "root's");
      await Deno.symlink(`${dir}/victim`, `${dir}/link.log`);
      assertEquals(await denoFs.createFile(`${dir}/link.log`, opts), false);
      assertEquals(Deno.statSync(`${dir}/victim`).uid, 0, "not chowned");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
