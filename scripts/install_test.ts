/**
 * scripts/install.sh against a local release server (Deno.serve on 127.0.0.1), run
 * under dash and under busybox ash (with busybox's own tools only: wget, tar,
 * sha256sum...). The "binaries" are tiny shell scripts named autostart that print a
 * version.
 *
 * @module
 */

import {
  assertEquals,
  assertMatch,
  assertOk as assert,
} from "../tests/assert.ts";
import { ROOT, which } from "../tests/helpers.ts";
import { formatSha256Sums, sha256Hex, tarGz } from "./release_files.ts";

const SCRIPT = `${ROOT}scripts/install.sh`;

const DASH = which("dash");
const BUSYBOX = which("busybox");
const SHELLCHECK = which("shellcheck");
if (!DASH) console.log("skipped: dash is not installed (scripts/ci_deps.sh)");
if (!BUSYBOX) {
  console.log("skipped: busybox is not installed (scripts/ci_deps.sh)");
}
if (!SHELLCHECK) {
  console.log("skipped: shellcheck is not installed (scripts/ci_deps.sh)");
}

const TARGET = `${Deno.build.arch}-unknown-linux-gnu`;
const onLinux = Deno.build.os === "linux";

/** A fake executable that answers --version. */
function fakeBinary(version: string): Uint8Array {
  return new TextEncoder().encode(
    `#!/bin/sh\nif [ "$1" = --version ]; then echo "autostart ${version}"; else echo "fake autostart ${version}: $*"; fi\n`,
  );
}

/**
 * Writes a release tree: releases/download/vV/ for each version and
 * releases/latest/download/ for the last one.
 */
async function makeReleases(dir: string, versions: string[]): Promise<void> {
  const targets = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
  ];
  for (const [i, v] of versions.entries()) {
    const dirs = [`${dir}/releases/download/v${v}`];
    if (i === versions.length - 1) dirs.push(`${dir}/releases/latest/download`);
    const sums: Record<string, string> = {};
    const files: Record<string, Uint8Array> = {};
    for (const t of targets) {
      const name = `autostart-${v}-${t}.tar.gz`;
      files[name] = await tarGz("autostart", fakeBinary(v), 0o755, 1700000000);
      sums[name] = await sha256Hex(files[name]!);
    }
    for (const d of dirs) {
      await Deno.mkdir(d, { recursive: true });
      for (const [n, b] of Object.entries(files)) {
        await Deno.writeFile(`${d}/${n}`, b);
      }
      await Deno.writeTextFile(`${d}/SHA256SUMS`, formatSha256Sums(sums));
    }
  }
}

/** A static file server over `dir`, recording the paths asked for. */
function serve(dir: string) {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      requests.push(path);
      if (path.includes("..")) return new Response("no", { status: 400 });
      try {
        return new Response(await Deno.readFile(dir + path));
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/releases/download`,
    requests,
    close: () => server.shutdown(),
  };
}

/** A PATH directory holding busybox applets only (no curl, no GNU tools). */
async function busyboxPath(dir: string): Promise<string> {
  const bin = `${dir}/bb`;
  await Deno.mkdir(bin, { recursive: true });
  for (
    const a of [
      "sh",
      "tar",
      "gzip",
      "sed",
      "sha256sum",
      "wget",
      "mktemp",
      "cut",
      "head",
      "tr",
      "mkdir",
      "cp",
      "mv",
      "chmod",
      "rm",
      "uname",
      "id",
      "cat",
      "printf",
      "sysctl",
    ]
  ) {
    await Deno.symlink(BUSYBOX!, `${bin}/${a}`);
  }
  return bin;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runInstall(
  shell: string[],
  env: Record<string, string>,
  script = SCRIPT,
): Promise<Run> {
  const r = await new Deno.Command(shell[0]!, {
    args: [...shell.slice(1), script],
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return {
    code: r.code,
    stdout: d.decode(r.stdout),
    stderr: d.decode(r.stderr),
  };
}

async function list(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/** A temp world: release tree served, a home, a TMPDIR that must end up empty. */
async function world(versions = ["0.1.0", "0.2.0"]) {
  const dir = await Deno.makeTempDir({ prefix: "autostart-install-test-" });
  await makeReleases(`${dir}/www`, versions);
  await Deno.mkdir(`${dir}/home`);
  await Deno.mkdir(`${dir}/tmp`);
  const server = serve(`${dir}/www`);
  return {
    dir,
    server,
    bin: `${dir}/home/bin`,
    env: {
      HOME: `${dir}/home`,
      TMPDIR: `${dir}/tmp`,
      AUTOSTART_DOWNLOAD_URL: server.url,
      AUTOSTART_INSTALL_DIR: `${dir}/home/bin`,
      AUTOSTART_TARGET: TARGET,
    },
    async close() {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function version(bin: string): Promise<string> {
  const r = await new Deno.Command(`${bin}/autostart`, {
    args: ["--version"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(r.stdout).trim();
}

Deno.test({
  name: "install.sh installs a pinned version under dash, and it runs",
  ignore: !DASH || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      const r = await runInstall([DASH!], {
        ...w.env,
        AUTOSTART_VERSION: "0.1.0",
      });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(await list(w.bin), ["autostart"]);
      assertEquals(await version(w.bin), "autostart 0.1.0");
      assertMatch(
        r.stderr,
        /installed autostart 0\.1\.0 at .*home\/bin\/autostart/,
      );
      assertMatch(r.stderr, /home\/bin is not on your PATH/);
      assertEquals(await list(`${w.dir}/tmp`), [], "temp dir left behind");
      assert(
        w.server.requests.includes(
          `/releases/download/v0.1.0/autostart-0.1.0-${TARGET}.tar.gz`,
        ),
        w.server.requests.join(", "),
      );
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name:
    "install.sh installs the latest release under busybox ash with busybox tools only",
  ignore: !BUSYBOX || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      const path = await busyboxPath(w.dir);
      const r = await runInstall([BUSYBOX!, "ash"], { ...w.env, PATH: path });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(await version(w.bin), "autostart 0.2.0");
      assert(
        w.server.requests.includes("/releases/latest/download/SHA256SUMS"),
        w.server.requests.join(", "),
      );
      assert(
        w.server.requests.includes(
          `/releases/latest/download/autostart-0.2.0-${TARGET}.tar.gz`,
        ),
        w.server.requests.join(", "),
      );
      assertEquals(await list(`${w.dir}/tmp`), []);
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name: "install.sh run twice says already installed, and reinstalls cleanly",
  ignore: !DASH || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      const env = { ...w.env, PATH: `${w.bin}:/usr/bin:/bin` };
      assertEquals((await runInstall([DASH!], env)).code, 0);
      const before = await Deno.readFile(`${w.bin}/autostart`);
      const again = await runInstall([DASH!], env);
      assertEquals(again.code, 0, again.stderr);
      assertMatch(again.stderr, /autostart 0\.2\.0 is already installed at /);
      assert(!again.stderr.includes("not on your PATH"));
      // Only SHA256SUMS was fetched the second time.
      assertEquals(
        w.server.requests.filter((p) => p.endsWith(".tar.gz")).length,
        1,
      );
      const forced = await runInstall([DASH!], {
        ...env,
        AUTOSTART_FORCE: "1",
      });
      assertEquals(forced.code, 0, forced.stderr);
      assertEquals(await list(w.bin), ["autostart"]);
      assertEquals(await Deno.readFile(`${w.bin}/autostart`), before);
      // An older pinned version replaces the newer one.
      const older = await runInstall([DASH!], {
        ...env,
        AUTOSTART_VERSION: "v0.1.0",
      });
      assertEquals(older.code, 0, older.stderr);
      assertEquals(await version(w.bin), "autostart 0.1.0");
      assertEquals(await list(w.bin), ["autostart"]);
      assertEquals(await list(`${w.dir}/tmp`), []);
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name: "install.sh refuses a tampered archive and installs nothing",
  ignore: !DASH || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      // Replace the archive by a valid one of other content: tar is fine, sum is not.
      const evil = await tarGz(
        "autostart",
        new TextEncoder().encode("#!/bin/sh\necho evil\n"),
      );
      await Deno.writeFile(
        `${w.dir}/www/releases/download/v0.1.0/autostart-0.1.0-${TARGET}.tar.gz`,
        evil,
      );
      for (const shell of [[DASH!], ...(BUSYBOX ? [[BUSYBOX, "ash"]] : [])]) {
        const r = await runInstall(shell, {
          ...w.env,
          AUTOSTART_VERSION: "0.1.0",
        });
        assert(r.code !== 0, `${shell.join(" ")} installed a tampered archive`);
        assertMatch(r.stderr, /checksum mismatch for autostart-0\.1\.0-/);
        assertMatch(r.stderr, /nothing was installed/);
        assertEquals(await list(w.bin), []);
        assertEquals(await list(`${w.dir}/tmp`), []);
      }
      // With a good binary already there, it stays as it was.
      assertEquals((await runInstall([DASH!], w.env)).code, 0);
      const good = await Deno.readFile(`${w.bin}/autostart`);
      const r = await runInstall([DASH!], {
        ...w.env,
        AUTOSTART_VERSION: "0.1.0",
      });
      assert(r.code !== 0);
      assertEquals(await list(w.bin), ["autostart"]);
      assertEquals(await Deno.readFile(`${w.bin}/autostart`), good);
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name: "install.sh fails clearly for a missing version or target",
  ignore: !DASH || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      const missing = await runInstall([DASH!], {
        ...w.env,
        AUTOSTART_VERSION: "9.9.9",
      });
      assertEquals(missing.code, 1);
      assertMatch(missing.stderr, /could not download .*v9\.9\.9\/SHA256SUMS/);
      const target = await runInstall([DASH!], {
        ...w.env,
        AUTOSTART_TARGET: "riscv64-unknown-linux-gnu",
      });
      assertEquals(target.code, 1);
      assertMatch(
        target.stderr,
        /has no archive for riscv64-unknown-linux-gnu/,
      );
      assertEquals(await list(w.bin), []);
      assertEquals(await list(`${w.dir}/tmp`), []);
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name: "install.sh cut short anywhere installs nothing",
  ignore: !DASH || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      const text = await Deno.readTextFile(SCRIPT);
      const last = text.trimEnd().lastIndexOf("\n") + 1; // start of `main "$@"`
      const cuts = [
        Math.floor(text.length * 0.25),
        Math.floor(text.length * 0.5),
        Math.floor(text.length * 0.9),
        last - 3, // inside the closing "}" of main
        last, // everything but the call
        last + 2, // "ma": half the name of the call
      ];
      for (const cut of cuts) {
        const part = `${w.dir}/cut-${cut}.sh`;
        await Deno.writeTextFile(part, text.slice(0, cut));
        for (const shell of [[DASH!], ...(BUSYBOX ? [[BUSYBOX, "ash"]] : [])]) {
          await runInstall(shell, w.env, part);
          assertEquals(
            await list(w.bin),
            [],
            `cut at ${cut} of ${text.length} (${shell.join(" ")})`,
          );
        }
      }
      assertEquals(
        w.server.requests.filter((p) => p.endsWith(".tar.gz")),
        [],
      );
      assertEquals(await list(`${w.dir}/tmp`), []);
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name: "install.sh is shellcheck clean (POSIX sh)",
  ignore: !SHELLCHECK,
  fn: async () => {
    const r = await new Deno.Command(SHELLCHECK!, {
      args: ["--shell=sh", SCRIPT, `${ROOT}scripts/ci_deps.sh`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stdout));
  },
});

const MINISIGN = which("minisign");
if (!MINISIGN) {
  console.log("skipped: minisign is not installed (scripts/ci_deps.sh)");
}

/** Runs a command, failing the test when it fails. */
async function must(
  cmd: string,
  args: string[],
  cwd?: string,
): Promise<string> {
  const o = await new Deno.Command(cmd, {
    args,
    ...(cwd ? { cwd } : {}),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  assertEquals(o.code, 0, `${cmd} ${args.join(" ")}: ${d.decode(o.stderr)}`);
  return d.decode(o.stdout);
}

Deno.test({
  name:
    "install.sh checks the minisign signature of SHA256SUMS: a release re-hashed on the server is refused",
  ignore: !DASH || !MINISIGN || !onLinux,
  fn: async () => {
    const w = await world(["0.1.0"]);
    try {
      const rel = `${w.dir}/www/releases/download/v0.1.0`;
      await must(MINISIGN!, [
        "-G",
        "-W",
        "-p",
        `${w.dir}/pub`,
        "-s",
        `${w.dir}/sec`,
      ]);
      await must(MINISIGN!, [
        "-S",
        "-s",
        `${w.dir}/sec`,
        "-m",
        `${rel}/SHA256SUMS`,
      ]);
      const key = (await Deno.readTextFile(`${w.dir}/pub`)).trim().split(
        "\n",
      )[1]!;
      const env = {
        ...w.env,
        AUTOSTART_VERSION: "0.1.0",
        AUTOSTART_RELEASE_KEY: key,
      };
      const ok = await runInstall([DASH!], env);
      assertEquals(ok.code, 0, ok.stderr);
      assertMatch(ok.stderr, /signature of SHA256SUMS verified \(minisign\)/);
      await Deno.remove(`${w.bin}/autostart`);
      // Whoever controls the server replaces the archive AND its line in SHA256SUMS:
      // the checksum agrees, the signature does not.
      const name = `autostart-0.1.0-${TARGET}.tar.gz`;
      const evil = await tarGz(
        "autostart",
        new TextEncoder().encode("#!/bin/sh\necho evil\n"),
      );
      await Deno.writeFile(`${rel}/${name}`, evil);
      const sums = (await Deno.readTextFile(`${rel}/SHA256SUMS`)).replace(
        new RegExp(`^[0-9a-f]{64}(  ${name.replaceAll(".", "\\.")})$`, "m"),
        `${await sha256Hex(evil)}$1`,
      );
      await Deno.writeTextFile(`${rel}/SHA256SUMS`, sums);
      const bad = await runInstall([DASH!], env);
      assertEquals(bad.code, 1);
      assertMatch(
        bad.stderr,
        /signature of .*SHA256SUMS does not verify with the release key/,
      );
      assertEquals(await list(w.bin), []);
      assertEquals(await list(`${w.dir}/tmp`), []);
      // Without a signature file at all: refused too.
      await Deno.remove(`${rel}/SHA256SUMS.minisig`);
      const unsigned = await runInstall([DASH!], env);
      assertEquals(unsigned.code, 1);
      assertMatch(unsigned.stderr, /could not download .*SHA256SUMS\.minisig/);
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name:
    "install.sh says honestly what it checked: without minisign, corruption only",
  ignore: !BUSYBOX || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      const r = await runInstall([BUSYBOX!, "ash"], {
        ...w.env,
        PATH: await busyboxPath(w.dir),
      });
      assertEquals(r.code, 0, r.stderr);
      assertMatch(
        r.stderr,
        /minisign is not installed: the download is checked against SHA256SUMS only, which detects corruption, not tampering/,
      );
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name:
    "install.sh downloads over https only: curl gets --proto =https for redirects too; plain http from elsewhere is refused",
  ignore: !DASH || !onLinux,
  fn: async () => {
    const w = await world();
    try {
      const log = `${w.dir}/curl.args`;
      const fake = `${w.dir}/fakebin`;
      await Deno.mkdir(fake);
      await Deno.writeTextFile(
        `${fake}/curl`,
        `#!/bin/sh\nprintf '%s\\n' "$@" >> '${log}'\nexit 22\n`,
        { mode: 0o755 },
      );
      const r = await runInstall([DASH!], {
        ...w.env,
        PATH: `${fake}:/usr/bin:/bin`,
        AUTOSTART_DOWNLOAD_URL: "https://example.invalid/releases/download",
      });
      assertEquals(r.code, 1);
      const args = (await Deno.readTextFile(log)).split("\n");
      const at = (flag: string) => args[args.indexOf(flag) + 1];
      assertEquals(at("--proto"), "=https");
      assertEquals(at("--proto-redir"), "=https");
      const http = await runInstall([DASH!], {
        ...w.env,
        AUTOSTART_DOWNLOAD_URL: "http://example.invalid/releases/download",
      });
      assertEquals(http.code, 1);
      assertMatch(http.stderr, /only https is accepted/);
      assertEquals(await list(w.bin), []);
    } finally {
      await w.close();
    }
  },
});
