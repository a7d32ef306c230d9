import { assertEquals, assertMatch, assertRejects } from "../tests/assert.ts";
import { fakeContext, ROOT_USER, webSpec } from "../tests/helpers.ts";
import { UsageError } from "./errors.ts";
import { denoFs } from "./fs.ts";
import { rootServiceProblems } from "./root_safety.ts";
import { type EnableRequest, resolveSpec } from "./spec.ts";

/** A machine where /home/alice/** is alice's and everything else is root's. */
const present = new Set([
  "/",
  "/usr",
  "/usr/bin",
  "/bin",
  "/srv",
  "/srv/app",
  "/srv/app/conf.yml",
  "/home",
  "/home/alice",
  "/home/alice/bin",
  "/home/alice/app.py",
  "/home/alice/app",
]);
const unsafe = (p: string) =>
  Promise.resolve(
    p.startsWith("/home/alice") ? `${p} is owned by uid 1000, not root` : null,
  );
const exists = (p: string) => Promise.resolve(present.has(p));

Deno.test("rootServiceProblems() accepts a service made only of root's files", async () => {
  const spec = webSpec({
    args: ["-c", "/srv/app/conf.yml", "--port=8080", "http.server", "8080"],
    env: [["PATH", "/usr/bin:/bin:/usr/local/sbin"]],
    cwd: "/srv/app",
  });
  assertEquals(await rootServiceProblems(spec, unsafe, exists), []);
});

Deno.test("rootServiceProblems() names each user-changeable thing: PATH entries, cwd, file arguments, loader variables", async () => {
  const spec = webSpec({
    args: [
      "/home/alice/app.py",
      "app.py",
      "--config=/home/alice/app",
      "-m",
      "https://x.test/home/alice",
    ],
    env: [["PATH", "/usr/bin:/home/alice/bin:/home/alice/new/bin:.:"]],
    cwd: "/home/alice",
    envFile: { source: "/x.env", vars: [["LD_PRELOAD", "/home/alice/x.so"]] },
  });
  const got = await rootServiceProblems(spec, unsafe, exists);
  assertEquals(got.length, 9, got.join("\n"));
  const text = got.join("\n");
  assertMatch(text, /^LD_PRELOAD would choose the code the dynamic loader/m);
  assertMatch(text, /^PATH entry \/home\/alice\/bin: .*uid 1000/m);
  assertMatch(
    text,
    /^PATH entry \/home\/alice\/new\/bin \(missing; its parent \/home\/alice\)/m,
  );
  assertMatch(text, /^PATH entry "\." is relative/m);
  assertMatch(text, /^PATH entry "" is relative/m);
  assertMatch(text, /^working directory \/home\/alice: /m);
  assertMatch(text, /^argument 1 \(\/home\/alice\/app\.py\)/m);
  assertMatch(text, /^argument 2 \(\/home\/alice\/app\.py\)/m);
  // the value of --config=/home/alice/app is checked too
  assertEquals(
    (await rootServiceProblems(
      webSpec({ args: ["--config=/home/alice/app"], env: [] }),
      unsafe,
      exists,
    )).length,
    1,
  );
});

Deno.test({
  name:
    "resolveSpec() refuses a root service with a user-owned --cwd, PATH entry or argument (real files)",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const safe = await Deno.makeTempDir({ dir: "/root" });
    try {
      const mine = `${safe}/alice`;
      await Deno.mkdir(mine);
      await Deno.writeTextFile(`${mine}/job.sh`, "echo hi\n");
      await Deno.chown(mine, 1000, 1000);
      await Deno.chown(`${mine}/job.sh`, 1000, 1000);
      // Resolution looks through ctx.fs: here the real one.
      const ctx = {
        ...fakeContext({ self: ROOT_USER, env: { PATH: "/usr/bin:/bin" } }),
        fs: denoFs,
      };
      const req = {
        name: "w",
        command: ["/bin/sh"],
        condition: "boot",
        user: "root",
      };
      assertEquals((await resolveSpec(req, ctx)).program, "/bin/sh");
      for (
        const [extra, words] of [
          [{ cwd: mine }, /working directory .*alice: .*uid 1000/],
          [{ command: ["/bin/sh", `${mine}/job.sh`] }, /argument 1/],
          [{ env: [`PATH=${mine}:/usr/bin`] }, /PATH entry .*alice: /],
          [{ env: ["LD_PRELOAD=/lib/x.so"] }, /LD_PRELOAD/],
        ] as [Partial<EnableRequest>, RegExp][]
      ) {
        await assertRejects(
          () => resolveSpec({ ...req, ...extra }, ctx),
          (e: unknown) =>
            e instanceof UsageError && words.test(e.message) &&
            /Refusing a root service/.test(e.message),
        );
        await resolveSpec({ ...req, ...extra, allowUnsafe: true }, ctx);
      }
      // the same as alice's own boot service is fine
      await resolveSpec({ ...req, user: undefined, cwd: mine }, {
        ...ctx,
        sudoUser: "alice",
      });
    } finally {
      await Deno.remove(safe, { recursive: true });
    }
  },
});
