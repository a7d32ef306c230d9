// The shape of the source tree, as docs/architecture.md states it: imports point one
// way (core imports nothing outside core; templates only core; drivers, plugins and
// presets only core and templates; the CLI anything), there is no import cycle, the
// driver contract imports nothing of the executor, and no source file is much over
// 400 lines. Reads the files as text: static `import ... from "./x.ts"`,
// `export ... from` and `import("./x.ts")` with a literal path.
import { assertEquals } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Folders of product code and what each may import besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  templates: ["core"],
  drivers: ["core", "templates"],
  plugins: ["core", "templates", "."],
  presets: ["core", "templates"],
  cli: ["core", "templates", "drivers", "plugins", "presets", "."],
};
/** Longest source file, in lines: "about 400". */
const MAX_LINES = 450;

async function sources(): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string) {
    for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory) {
        if (dir === "" && !(e.name in MAY_IMPORT)) continue;
        if (e.name === "examples") continue;
        await walk(rel);
      } else if (
        e.name.endsWith(".ts") && !e.name.endsWith("_test.ts") &&
        !e.name.startsWith("_testing")
      ) out.push(rel);
    }
  }
  await walk("");
  return out.filter((f) => f.includes("/")).sort();
}

function normalize(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const p of spec.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

/** Relative imports of each source file, as paths from the root. */
async function graph(): Promise<Map<string, string[]>> {
  const g = new Map<string, string[]>();
  for (const f of await sources()) {
    // Code only: JSDoc examples import the module they document.
    const text = (await Deno.readTextFile(`${ROOT}${f}`)).split("\n")
      .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join("\n");
    const deps: string[] = [];
    const re =
      /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"(\.{1,2}\/[^"]+\.ts)"/gm;
    for (const m of text.matchAll(re)) deps.push(normalize(f, m[1]!));
    g.set(f, deps);
  }
  return g;
}

const top = (path: string) => path.includes("/") ? path.split("/")[0]! : ".";

/** Imports from one folder into another that {@link MAY_IMPORT} does not allow. */
function wrongImports(g: Map<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const [f, deps] of g) {
    const from = top(f);
    for (const d of deps) {
      const to = top(d);
      if (to !== from && !MAY_IMPORT[from]?.includes(to)) {
        wrong.push(`${f} → ${d}`);
      }
    }
  }
  return wrong;
}

/** Every import cycle found by a depth-first walk, as `a → b → a`. */
function cyclesOf(g: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  function visit(f: string) {
    state.set(f, "open");
    stack.push(f);
    for (const d of g.get(f) ?? []) {
      if (state.get(d) === "open") {
        cycles.push([...stack.slice(stack.indexOf(d)), d].join(" → "));
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, "done");
  }
  for (const f of g.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

Deno.test("architecture: imports point one way between the folders", async () => {
  assertEquals(wrongImports(await graph()), []);
});

Deno.test("architecture: no import cycle", async () => {
  const g = await graph();
  assertEquals(g.size > 100, true, `read ${g.size} files`);
  assertEquals(cyclesOf(g), []);
});

Deno.test("architecture: the driver contract imports nothing of the executor", async () => {
  const deps = (await graph()).get("core/driver.ts") ?? [];
  const executor = deps.filter((d) =>
    ["core/apply.ts", "core/runner.ts", "core/run_step.ts", "core/fs.ts"]
      .includes(d)
  );
  assertEquals(executor, []);
});

Deno.test(`architecture: no source file over ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  for (const f of await sources()) {
    const n = (await Deno.readTextFile(`${ROOT}${f}`)).split("\n").length;
    if (n > MAX_LINES) long.push(`${f}: ${n}`);
  }
  assertEquals(long, []);
});

Deno.test("architecture: the checks catch a planted cycle and a wrong import", () => {
  const g = new Map([
    ["core/a.ts", ["core/b.ts"]],
    ["core/b.ts", ["core/a.ts", "drivers/x.ts"]],
    ["drivers/x.ts", ["core/a.ts"]],
  ]);
  assertEquals(wrongImports(g), ["core/b.ts → drivers/x.ts"]);
  assertEquals(cyclesOf(g), [
    "core/a.ts → core/b.ts → core/a.ts",
    "core/a.ts → core/b.ts → drivers/x.ts → core/a.ts",
  ]);
  assertEquals(normalize("core/a.ts", "../drivers/x.ts"), "drivers/x.ts");
});
