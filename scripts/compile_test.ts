/**
 * scripts/compile.ts: where `deno compile` can fetch its runtime, one target is built,
 * packed and checked; where it cannot (no internet, as on the build machines), the
 * script must say so in one clear message and exit 1.
 *
 * @module
 */

import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { ROOT } from "../tests/helpers.ts";
import config from "../deno.json" with { type: "json" };
import { explainRuntimeFailure, hostTarget } from "./compile.ts";
import { archiveName, binaryName } from "./release_files.ts";

/** What deno 2.9.6 printed here, offline (colours removed). */
const OFFLINE_STDERR = `Check main.ts
Compile main.ts to ../../tmp/ct/autostart
Download https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
error: Writing deno compile executable to temporary file '/tmp/ct/autostart.tmp-63877609549ad8e8'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;

const TARGET = hostTarget();
const OUT = await Deno.makeTempDir({ prefix: "autostart-compile-" });
const run = await new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    `${ROOT}scripts/compile.ts`,
    "--only",
    TARGET,
    "--out-dir",
    OUT,
  ],
  cwd: ROOT,
  stdout: "piped",
  stderr: "piped",
}).output();
const STDOUT = new TextDecoder().decode(run.stdout);
const STDERR = new TextDecoder().decode(run.stderr);
const NO_RUNTIME = !run.success &&
  STDERR.includes("deno compile could not download the runtime");
if (NO_RUNTIME) {
  const reason = /could not download the runtime for \S+ \([^)]*\): (.*)/.exec(
    STDERR,
  )?.[1];
  console.log(
    `skipped: deno compile cannot download its runtime here (${
      reason ?? "no internet"
    })`,
  );
}

Deno.test("explainRuntimeFailure() turns deno's offline error into one message", () => {
  const m = explainRuntimeFailure("x86_64-unknown-linux-gnu", OFFLINE_STDERR);
  assertEquals(
    m?.split("\n")[0],
    "compile: deno compile could not download the runtime for x86_64-unknown-linux-gnu (denort from https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known",
  );
  assertMatch(
    m!,
    /\nhint: no internet access to dl\.deno\.land here; build on a machine with internet, or push a tag/,
  );
  assertEquals(m!.split("\n").length, 2);
  assertEquals(
    explainRuntimeFailure("x", 'error: Module not found "file:///x.ts".'),
    null,
  );
});

Deno.test("compile.ts either builds the host target or explains why not", () => {
  assertOk(run.success || NO_RUNTIME, `exit ${run.code}:\n${STDERR}`);
});

Deno.test({
  name: "compile.ts without the runtime fails with one clear message, exit 1",
  ignore: !NO_RUNTIME,
  fn: () => {
    assertEquals(run.code, 1);
    const lines = STDERR.trimEnd().split("\n");
    assertEquals(lines.length, 3, STDERR);
    assertEquals(lines[0], `compile: ${TARGET}`);
    assertMatch(
      STDERR,
      /^compile: deno compile could not download the runtime for /m,
    );
    assertMatch(STDERR, /\nhint: no internet access to /);
    assertOk(!/Stack backtrace|at file:|\n {4}at /.test(STDERR), STDERR);
    assertEquals(STDOUT, "");
  },
});

Deno.test({
  name: "compile.ts builds, packs and checksums the host target",
  ignore: !run.success,
  fn: async () => {
    const bin = `${OUT}/${binaryName(config.version, TARGET)}`;
    const archive = `${OUT}/${archiveName(config.version, TARGET)}`;
    assertEquals(STDOUT.trim().split("\n"), [
      bin,
      archive,
      `${OUT}/SHA256SUMS`,
    ]);
    const v = await new Deno.Command(bin, {
      args: ["--version"],
      stdout: "piped",
    })
      .output();
    assertEquals(
      new TextDecoder().decode(v.stdout),
      `autostart ${config.version}\n`,
    );
    assertMatch(
      await Deno.readTextFile(`${OUT}/SHA256SUMS`),
      new RegExp(
        `^[0-9a-f]{64}  ${
          archiveName(config.version, TARGET).replaceAll(".", "\\.")
        }\n$`,
      ),
    );
  },
});

Deno.test("compile.ts test cleanup", async () => {
  await Deno.remove(OUT, { recursive: true });
});
