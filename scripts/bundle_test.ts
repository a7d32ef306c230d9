/**
 * The single-file bundle dist/autostart.js (the offline stand-in for the compiled
 * binary) runs on its own: from an empty directory, with no deno.json around.
 *
 * @module
 */

import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { ROOT } from "../tests/helpers.ts";
import config from "../deno.json" with { type: "json" };
import { PLIST_LOADER_END } from "./bundle.ts";

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

Deno.test("dist/autostart.js prints the man page (its renderer is loaded on demand)", async () => {
  const man = await runBundle(["man"]);
  assertEquals(man.code, 0, man.stderr);
  assertMatch(man.stdout, /\n\.TH AUTOSTART 1 /);
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

Deno.test("dist/autostart.js keeps the plist serializer out of its code, and loads it on demand", async () => {
  await ensureBundle();
  const text = await Deno.readTextFile(BUNDLE);
  // The serializer's code is not in the file as code (Deno scans all of it at start).
  assertOk(!text.includes("xmlbuilder"), "plist code is inlined in the bundle");
  assertOk(!text.includes('import("plist")'), "bare import of plist left");
  const end = text.indexOf(PLIST_LOADER_END);
  assertOk(end > 0, "the plist loader is missing");
  const dir = await Deno.makeTempDir({ prefix: "autostart-plist-" });
  try {
    const file = `${dir}/load.js`;
    await Deno.writeTextFile(
      file,
      text.slice(0, end) + "\nexport const m = await AUTOSTART_LOAD_PLIST();\n",
    );
    const { m } = await import(`file://${file}`);
    const xml = m.build({ Label: "dev.autostart.web", KeepAlive: true });
    assertMatch(
      xml,
      /<key>Label<\/key>\s*<string>dev\.autostart\.web<\/string>/,
    );
    assertEquals(m.parse(xml), { Label: "dev.autostart.web", KeepAlive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
