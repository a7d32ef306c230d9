/**
 * `deno task bundle`: builds `dist/autostart.js`, the single-file stand-in for the
 * compiled binary (it runs with `deno run -A dist/autostart.js`). Works offline.
 *
 * The npm `plist` serializer (three quarters of the code, needed only by the launchd
 * drivers) is bundled apart, minified, gzipped and embedded as a base64 string that the
 * dynamic `import("plist")` decompresses and imports. Deno reads and scans the whole
 * main file at every start, so keeping that code out of it (and small) saves
 * `--version`, `--help` and the systemd commands about 15 ms.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname;
const out = `${root}dist/autostart.js`;

async function bundle(entry: string, output: string, extra: string[] = []) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      ...extra,
      "-o",
      output,
      `${root}${entry}`,
    ],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!r.success) {
    console.error(`bundle: deno bundle ${entry} failed (see above)`);
    Deno.exit(1);
  }
}

/** Last line of the plist loader at the top of the bundle (tests cut it out there). */
export const PLIST_LOADER_END = "// end of the plist loader";

/** Encodes bytes as base64. */
function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Source of the loader put at the top of the bundle: decompresses the embedded module
 * and imports it. The specifier is computed at run time, so Deno does not preload it.
 */
function loader(gz: Uint8Array): string {
  return [
    `const AUTOSTART_PLIST_GZ = "${base64(gz)}";`,
    "async function AUTOSTART_LOAD_PLIST() {",
    "  const bytes = Uint8Array.from(atob(AUTOSTART_PLIST_GZ), (c) => c.charCodeAt(0));",
    '  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();',
    '  return await import("data:text/javascript," + encodeURIComponent(text));',
    "}",
    PLIST_LOADER_END,
    "",
  ].join("\n");
}

async function main() {
  await Deno.mkdir(`${root}dist`, { recursive: true });
  const plistOut = `${root}dist/plist.js`;
  await bundle("scripts/plist_entry.ts", plistOut, ["--minify"]);
  await bundle("main.ts", out, ["--external", "plist"]);
  const plist = await Deno.readFile(plistOut);
  await Deno.remove(plistOut);
  const main = await Deno.readTextFile(out);
  const hook = 'import("plist")';
  const n = main.split(hook).length - 1;
  if (n !== 1) {
    console.error(`bundle: expected one ${hook} in the bundle, found ${n}`);
    Deno.exit(1);
  }
  await Deno.writeTextFile(
    out,
    loader(await gzip(plist)) + main.replace(hook, "AUTOSTART_LOAD_PLIST()"),
  );
  console.log(out);
}

if (import.meta.main) await main();
