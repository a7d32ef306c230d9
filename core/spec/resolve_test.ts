// resolveSpec() through the context's file system, and as root: the account a boot
// service runs as, and a program root runs that another user could replace (real
// files, so only as root: it chowns).
import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { ALICE, fakeContext, ROOT_USER } from "../../tests/helpers.ts";
import { MemoryFs } from "../fake.ts";
import { denoFs } from "../fs.ts";
import { resolveSpec, statFollow } from "./resolve.ts";

Deno.test("resolveSpec() runs a boot service as the sudo user, as root only with --user root", async () => {
  const root = fakeContext({ self: ROOT_USER, sudoUser: "alice" });
  const req = { name: "w", command: ["/usr/bin/python3"], condition: "boot" };
  assertEquals((await resolveSpec(req, root)).runAs?.uid, ALICE.uid);
  assertEquals(
    (await resolveSpec({ ...req, user: "root" }, root)).runAs?.uid,
    0,
  );
  await assertRejects(
    () => resolveSpec(req, fakeContext({ self: ROOT_USER })),
    /Refusing to run a boot service as root without being asked/,
  );
});

const isRoot = Deno.uid() === 0;
if (!isRoot) {
  console.log("skipped: root-program ownership checks need root (chown)");
}

Deno.test({
  name: "resolveSpec() refuses a root-run program another user could replace",
  ignore: !isRoot,
  fn: async () => {
    const dir = await Deno.makeTempDir({ dir: "/var/tmp" });
    try {
      await Deno.chmod(dir, 0o755);
      const prog = `${dir}/prog`;
      await Deno.writeTextFile(prog, "#!/bin/sh\n", { mode: 0o755 });
      await Deno.chmod(prog, 0o755);
      // Real files: resolution looks through ctx.fs, here the real one.
      const root = {
        ...fakeContext({ self: ROOT_USER, sudoUser: "alice" }),
        fs: denoFs,
      };
      const req = {
        name: "w",
        command: [prog],
        condition: "boot",
        user: "root",
      };
      // /var/tmp is world-writable (sticky): not safe for root
      await assertRejects(
        () => resolveSpec(req, root),
        /Refusing to run ".*prog" as root: \/var\/tmp is writable by group or others/,
      );
      assertEquals(
        (await resolveSpec({ ...req, allowUnsafe: true }, root)).runAs?.uid,
        0,
      );
      // run as the sudo user it is fine
      assertEquals(
        (await resolveSpec({ ...req, user: undefined }, root)).runAs?.uid,
        1000,
      );
      // a login service of root is checked too
      await assertRejects(
        () =>
          resolveSpec(
            { name: "w", command: [prog] },
            { ...fakeContext({ self: ROOT_USER }), fs: denoFs },
          ),
        /as root/,
      );
      // owned by a user, or group-writable, in a safe place: refused
      const safe = await Deno.makeTempDir({ dir: "/root" });
      try {
        const p2 = `${safe}/prog`;
        await Deno.writeTextFile(p2, "#!/bin/sh\n", { mode: 0o755 });
        await Deno.chmod(p2, 0o755);
        assertEquals(
          (await resolveSpec({ ...req, command: [p2] }, root)).program,
          p2,
        );
        await Deno.chown(p2, 1000, 1000);
        await assertRejects(
          () => resolveSpec({ ...req, command: [p2] }, root),
          /is owned by uid 1000, not root/,
        );
        await Deno.chown(p2, 0, 0);
        await Deno.chmod(p2, 0o775);
        await assertRejects(
          () => resolveSpec({ ...req, command: [p2] }, root),
          /writable by group or others \(mode 0775\)/,
        );
      } finally {
        await Deno.remove(safe, { recursive: true });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("resolveSpec() looks only through ctx.fs: a program, --cwd and --env-file that exist only there", async () => {
  const fs = new MemoryFs({ "/srv/app/app.env": "MODE=prod\n" });
  fs.addProgram("/opt/app/bin/serve");
  const ctx = fakeContext({ fs, env: { PATH: "/opt/app/bin:/usr/bin" } });
  const spec = await resolveSpec({
    name: "app",
    command: ["serve", "--port", "8080"],
    cwd: "/srv/app",
    envFile: "app.env",
  }, { ...ctx, cwd: "/srv/app" });
  assertEquals(spec.program, "/opt/app/bin/serve");
  assertEquals(spec.cwd, "/srv/app");
  assertEquals(spec.envFile, {
    source: "/srv/app/app.env",
    vars: [["MODE", "prod"]],
  });
  // An empty file system has no /bin/sh, whatever the host's disk holds.
  const bare = { ...ctx, fs: new MemoryFs() };
  await assertRejects(
    () => resolveSpec({ name: "s", command: ["/bin/sh"] }, bare),
    /Program not found: "\/bin\/sh"/,
  );
  await assertRejects(
    () =>
      resolveSpec(
        { name: "s", command: ["/opt/app/bin/serve"], envFile: "/x" },
        {
          ...ctx,
        },
      ),
    /Cannot read --env-file "\/x": no such file/,
  );
});

Deno.test("statFollow() follows what realPath() resolves; a missing path is null", async () => {
  const fs = new MemoryFs({ "/a/b": "x" });
  assertEquals((await statFollow(fs, "/a/b"))?.type, "file");
  assertEquals((await statFollow(fs, "/a"))?.type, "dir");
  assertEquals(await statFollow(fs, "/a/missing"), null);
});
