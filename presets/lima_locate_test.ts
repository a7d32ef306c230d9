import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { UsageError } from "../core/errors.ts";
import { MemoryFs } from "../core/fake.ts";
import { denoFs } from "../core/fs.ts";
import {
  findLimactl,
  instanceDir,
  limaHome,
  listInstances,
  servicePath,
} from "./lima_locate.ts";

/** The UsageError `fn` rejects with. */
async function usageError(fn: () => Promise<unknown>): Promise<UsageError> {
  try {
    await fn();
  } catch (e) {
    assertOk(e instanceof UsageError, String(e));
    return e;
  }
  throw new Error("expected a UsageError");
}

async function tree() {
  const root = await Deno.makeTempDir({ prefix: "autostart-lima-locate-" });
  const bin = `${root}/bin`, qemu = `${root}/qemu/bin`, home = `${root}/vms`;
  for (
    const d of [
      bin,
      qemu,
      `${home}/a`,
      `${home}/b`,
      `${home}/_config`,
      `${home}/nolima`,
    ]
  ) {
    await Deno.mkdir(d, { recursive: true });
  }
  for (
    const f of [
      `${home}/a/lima.yaml`,
      `${home}/b/lima.yaml`,
      `${home}/_config/lima.yaml`,
    ]
  ) {
    await Deno.writeTextFile(f, "");
  }
  await Deno.writeTextFile(`${bin}/limactl`, "#!/bin/sh\n", { mode: 0o755 });
  await Deno.writeTextFile(`${qemu}/qemu-img`, "#!/bin/sh\n", { mode: 0o755 });
  await Deno.writeTextFile(`${root}/notexec`, "", { mode: 0o644 });
  await Deno.symlink(home, `${root}/link`);
  return { root, bin, qemu, home };
}

Deno.test("findLimactl() takes the first executable limactl in PATH", async () => {
  const t = await tree();
  try {
    assertEquals(
      await findLimactl(`relative:${t.root}:${t.bin}`, denoFs),
      `${t.bin}/limactl`,
    );
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("findLimactl() names where it looked when limactl is missing", async () => {
  const err = await usageError(() => findLimactl("/nonexistent", denoFs));
  assertMatch(
    err.message,
    /PATH or in \/opt\/homebrew\/bin, \/usr\/local\/bin/,
  );
});

Deno.test("servicePath() puts limactl's and qemu's directories first, each directory once", async () => {
  const t = await tree();
  try {
    const p = await servicePath(
      `${t.bin}/limactl`,
      `/usr/bin:${t.qemu}/:${t.bin}:/usr/bin`,
      denoFs,
    );
    const dirs = p.split(":");
    assertEquals(dirs.slice(0, 3), [t.bin, t.qemu, "/usr/bin"]);
    assertEquals(new Set(dirs).size, dirs.length);
    for (const d of ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
      assertEquals(dirs.includes(d), true, d);
    }
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("limaHome() resolves symlinks, keeps the given value, defaults to ~/.lima", async () => {
  const t = await tree();
  try {
    const real = await Deno.realPath(t.home);
    assertEquals(
      await limaHome({ LIMA_HOME: "link" }, "/nohome", t.root, denoFs),
      {
        given: `${t.root}/link`,
        dir: real,
      },
    );
    assertEquals(await limaHome({}, "/home/x", "/", denoFs), {
      given: undefined,
      dir: "/home/x/.lima",
    });
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("listInstances() and instanceDir(): directories with lima.yaml, not _config; unknown names the others", async () => {
  const t = await tree();
  try {
    assertEquals(await listInstances(t.home, denoFs), ["a", "b"]);
    const home = await limaHome(
      { LIMA_HOME: `${t.root}/link` },
      "/",
      "/",
      denoFs,
    );
    assertEquals(
      await instanceDir(home, "a", denoFs),
      `${await Deno.realPath(t.home)}/a`,
    );
    const err = await usageError(() => instanceDir(home, "nolima", denoFs));
    assertMatch(err.message, /Unknown Lima instance "nolima"/);
    assertMatch(err.hint!, /existing instances in .*: a, b$/);
    const none = await usageError(() =>
      instanceDir({ given: undefined, dir: `${t.root}/empty` }, "x", denoFs)
    );
    assertMatch(none.hint!, /limactl create --name=x/);
  } finally {
    await Deno.remove(t.root, { recursive: true });
  }
});

Deno.test("the instance lookup reads through the given file system (an in-memory one here)", async () => {
  const fs = new MemoryFs({
    "/Users/alice/.lima/default/lima.yaml": "",
    "/Users/alice/.lima/other/lima.yaml": "",
    "/Users/alice/.lima/_config/lima.yaml": "",
  });
  fs.setInfo("/Users/alice/.lima/empty", {});
  fs.addProgram("/opt/homebrew/bin/limactl").addProgram(
    "/opt/homebrew/bin/qemu-img",
  );
  const limactl = await findLimactl("/usr/bin:/bin", fs);
  assertEquals(limactl, "/opt/homebrew/bin/limactl");
  assertEquals(
    await servicePath(limactl, "/usr/bin", fs),
    "/opt/homebrew/bin:/usr/bin:/usr/local/bin:/bin:/usr/sbin:/sbin",
  );
  const home = await limaHome({}, "/Users/alice", "/", fs);
  assertEquals(home, { given: undefined, dir: "/Users/alice/.lima" });
  assertEquals(await listInstances(home.dir, fs), ["default", "other"]);
  assertEquals(
    await instanceDir(home, "default", fs),
    "/Users/alice/.lima/default",
  );
  const err = await usageError(() => instanceDir(home, "empty", fs));
  assertMatch(err.hint ?? "", /default, other/);
  // Not there in this file system: not found, whatever the host's disk holds.
  await usageError(() => findLimactl("/usr/bin:/bin", new MemoryFs()));
});
