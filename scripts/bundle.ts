/**
 * `deno task bundle`: builds `dist/autostart.js`, the single-file stand-in for the
 * compiled binary (it runs with `deno run -A dist/autostart.js`). Works offline.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname;
const out = `${root}dist/autostart.js`;
await Deno.mkdir(`${root}dist`, { recursive: true });
const r = await new Deno.Command(Deno.execPath(), {
  args: [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "-o",
    out,
    `${root}main.ts`,
  ],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!r.success) {
  console.error("bundle: deno bundle failed (see above)");
  Deno.exit(1);
}
console.log(out);
