/**
 * scripts/release_files.ts on fake binaries: archive names, archive contents as the
 * system's tar/unzip see them, and SHA256SUMS as `sha256sum -c` checks it.
 *
 * @module
 */

import { assertEquals, assertMatch, assertThrows } from "../tests/assert.ts";
import {
  archiveName,
  binaryName,
  crc32,
  formatSha256Sums,
  packageRelease,
  parseSha256Sums,
  TARGETS,
} from "./release_files.ts";
import { which } from "../tests/helpers.ts";
import { renderMan } from "../cli/man.ts";
import { TABLE } from "../cli/table/mod.ts";

const TOOLS = ["tar", "unzip", "sha256sum"].every(which);
if (!TOOLS) console.log("skipped: tar, unzip or sha256sum is missing");

async function sh(argv: string[], cwd?: string) {
  const r = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    ...(cwd ? { cwd } : {}),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

Deno.test("binaryName() and archiveName() follow the release layout", () => {
  assertEquals(
    binaryName("0.1.0", "x86_64-unknown-linux-gnu"),
    "autostart-0.1.0-x86_64-unknown-linux-gnu",
  );
  assertEquals(
    binaryName("0.1.0", "x86_64-pc-windows-msvc"),
    "autostart-0.1.0-x86_64-pc-windows-msvc.exe",
  );
  assertEquals(
    archiveName("0.1.0", "aarch64-apple-darwin"),
    "autostart-0.1.0-aarch64-apple-darwin.tar.gz",
  );
  assertEquals(
    archiveName("0.1.0", "x86_64-pc-windows-msvc"),
    "autostart-0.1.0-x86_64-pc-windows-msvc.zip",
  );
});

Deno.test("crc32() matches the standard check value", () => {
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("parseSha256Sums() reads what formatSha256Sums() writes", () => {
  const sums = { "b.tar.gz": "b".repeat(64), "a.zip": "a".repeat(64) };
  const text = formatSha256Sums(sums);
  assertEquals(text, `${"a".repeat(64)}  a.zip\n${"b".repeat(64)}  b.tar.gz\n`);
  assertEquals(parseSha256Sums(text), sums);
  assertEquals(parseSha256Sums(`${"A".repeat(64)} *x\n`), {
    x: "a".repeat(64),
  });
  assertThrows(() => parseSha256Sums("oops\n"), Error, "line 1");
});

Deno.test({
  name:
    "packageRelease() packs each binary as autostart with autostart.1 and writes SHA256SUMS",
  ignore: !TOOLS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "autostart-pkg-" });
    try {
      await Deno.mkdir(`${dir}/bin`);
      const binaries = [];
      for (const t of TARGETS) {
        const path = `${dir}/bin/${binaryName("9.8.7", t)}`;
        // Bigger than one tar block and compressible, to exercise padding and deflate.
        await Deno.writeTextFile(path, `fake ${t}\n`.repeat(200));
        binaries.push({ target: t, path });
      }
      const out = `${dir}/out`;
      const r = await packageRelease(binaries, {
        outDir: out,
        version: "9.8.7",
        mtime: 1700000000,
      });
      assertEquals(
        r.archives,
        TARGETS.map((t) => `${out}/${archiveName("9.8.7", t)}`),
      );
      const check = await sh(
        ["sha256sum", "-c", "--strict", "SHA256SUMS"],
        out,
      );
      assertEquals(check.code, 0, check.out + check.err);
      assertEquals(check.out.trim().split("\n").length, TARGETS.length);
      for (const t of TARGETS) {
        const archive = `${out}/${archiveName("9.8.7", t)}`;
        const want = `fake ${t}\n`.repeat(200);
        if (t.includes("windows")) {
          const z = await sh(["unzip", "-Z", archive]);
          assertMatch(z.out, /-rwxr-xr-x .* autostart\.exe\n/);
          assertMatch(z.out, /number of entries: 1\n/);
          const test = await sh(["unzip", "-t", archive]);
          assertEquals(test.code, 0, test.out);
          assertEquals(
            (await sh(["unzip", "-p", archive, "autostart.exe"])).out,
            want,
          );
        } else {
          const list = await sh(["tar", "-tzvf", archive]);
          assertEquals(list.code, 0, list.err);
          // The executable, then its man page.
          assertMatch(
            list.out,
            /^-rwxr-xr-x root\/root +\d+ 2023-11-1\d \d\d:\d\d autostart\n-rw-r--r-- root\/root +\d+ 2023-11-1\d \d\d:\d\d autostart\.1\n$/,
          );
          const x = `${dir}/x-${t}`;
          await Deno.mkdir(x);
          assertEquals((await sh(["tar", "-xzf", archive, "-C", x])).code, 0);
          assertEquals(await Deno.readTextFile(`${x}/autostart`), want);
          assertEquals(
            (await Deno.stat(`${x}/autostart`)).mode! & 0o777,
            0o755,
          );
          // The man page of this version, as `autostart man` prints it.
          const man = await Deno.readTextFile(`${x}/autostart.1`);
          assertEquals(man, renderMan(TABLE, "9.8.7"));
          assertMatch(man, /\n\.TH AUTOSTART 1 "" "autostart 9\.8\.7"/);
        }
      }
      // Nothing but the archives and SHA256SUMS (no temporary files).
      const names = [];
      for await (const e of Deno.readDir(out)) names.push(e.name);
      assertEquals(
        names.sort(),
        [...Object.keys(r.digests), "SHA256SUMS"].sort(),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
