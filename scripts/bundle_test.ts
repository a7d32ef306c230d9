/**
 * The single-file bundle dist/autostart.js (the offline stand-in for the compiled
 * binary) runs on its own: from an empty directory, with no deno.json around.
 *
 * @module
 */

import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { ROOT } from "../tests/helpers.ts";
import config from "../deno.json" with { type: "json" };

const BUNDLE = `${ROOT}dist/autostart.js`;

async function ensureBundle(): Promise<void> {
  try {
    await Deno.stat(BUNDLE);
  } catch {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}scripts/bundle.ts`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  }
}

async function runBundle(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  await ensureBundle();
  const cwd = await Deno.makeTempDir({ prefix: "autostart-bundle-" });
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", BUNDLE, ...args],
      cwd,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const d = new TextDecoder();
    return {
      code: r.code,
      stdout: d.decode(r.stdout),
      stderr: d.decode(r.stderr),
    };
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

Deno.test("dist/autostart.js answers --version with deno.json's version", async () => {
  const r = await runBundle(["--version"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, `autostart ${config.version}\n`);
});

Deno.test("dist/autostart.js prints the help", async () => {
  const r = await runBundle(["--help"]);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /^autostart: start any program at login or at boot/);
  assertMatch(r.stdout, /autostart completions bash\|zsh\|fish/);
});

Deno.test("dist/autostart.js lists the drivers as JSON", async () => {
  const r = await runBundle(["drivers", "--json"]);
  assertEquals(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    platform: string;
    drivers: { id: string; available: boolean }[];
  };
  assertEquals(doc.platform, Deno.build.os);
  assertOk(doc.drivers.some((d) => d.id === "systemd"));
});

Deno.test("dist/autostart.js prints a completion script", async () => {
  const r = await runBundle(["completions", "bash"]);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /complete .*-F _autostart autostart/);
});
