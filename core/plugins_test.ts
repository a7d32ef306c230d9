import {
  assertEquals,
  assertMatch,
  assertOk,
  assertRejects,
} from "../tests/assert.ts";
import { fakeContext, ROOT, ROOT_USER, runCli } from "../tests/helpers.ts";
import { builtinRegistry } from "../cli/builtin_registry.ts";
import {
  isCompiledBinary,
  loadPlugins,
  parsePin,
  pluginApi,
  pluginUrl,
  requestedPlugins,
  sha256Base64,
  shQuote,
} from "./plugins.ts";
import { Registry } from "./registry.ts";

const EXAMPLE = `${ROOT}plugins/examples/echo_driver.ts`;

/** A temporary directory with plugin files outside the project, as users have them. */
async function pluginDir(): Promise<{
  dir: string;
  echo: string;
  file(name: string, text: string): Promise<string>;
}> {
  // As root (CI), somewhere only root can write: root loads no plugin file that
  // another user could change (/tmp is writable by everyone).
  const dir = await Deno.makeTempDir({
    prefix: "autostart-plugin-",
    ...(Deno.uid() === 0 ? { dir: "/root" } : {}),
  });
  const echo = `${dir}/echo_driver.ts`;
  await Deno.copyFile(EXAMPLE, echo);
  return {
    dir,
    echo,
    async file(name, text) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
      return `${dir}/${name}`;
    },
  };
}

const OBJECT_PLUGIN = `export default {
  id: "plain",
  description: "a driver object",
  platforms: ["linux"],
  conditions: ["boot"],
  keepAlive: ["always"],
  available: () => Promise.resolve({ available: true }),
  plan: (s) => ({ driver: "plain", service: s.name, steps: [] }),
  planDisable: (r) => ({ driver: "plain", service: r.name, steps: [] }),
  planControl: (r) => ({ driver: "plain", service: r.name, steps: [] }),
  status: () => Promise.resolve([]),
};
`;

Deno.test("loadPlugins() registers a factory plugin and a driver object from files", async () => {
  const p = await pluginDir();
  try {
    const plain = await p.file("plain.js", OBJECT_PLUGIN);
    const r = builtinRegistry();
    const problems = await loadPlugins([p.echo, plain], r, { cwd: "/" });
    assertEquals(problems, []);
    assertEquals(r.get("echo")?.conditions, ["login"]);
    assertEquals(r.sourceOf("echo"), p.echo);
    assertEquals(r.get("plain")?.keepAlive, ["always"]);
    assertOk(r.get("systemd"), "built-ins stay");
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("loadPlugins() reports each broken plugin with its path and what is wrong", async () => {
  const p = await pluginDir();
  try {
    const files = {
      noDefault: await p.file("a.ts", "export const x = 1;\n"),
      missing: await p.file(
        "b.ts",
        'export default { id: "half", description: "x", platforms: ["linux"], conditions: ["boot"], keepAlive: ["always"] };\n',
      ),
      badValues: await p.file(
        "c.ts",
        OBJECT_PLUGIN.replace('"plain"', '"Bad Id"').replace(
          '["boot"]',
          '["sometimes"]',
        ),
      ),
      syntax: await p.file("d.ts", "export default {{{\n"),
      throws: await p.file(
        "e.ts",
        'export default () => { throw new Error("no init system"); };\n',
      ),
      duplicate: await p.file(
        "f.js",
        OBJECT_PLUGIN.replace('id: "plain"', 'id: "systemd"'),
      ),
    };
    const r = builtinRegistry();
    const problems = await loadPlugins(
      [...Object.values(files), `${p.dir}/missing.ts`],
      r,
      { cwd: "/" },
    );
    const by = new Map(problems.map((x) => [x.source, x.message]));
    assertMatch(by.get(files.noDefault)!, /no default export/);
    assertMatch(by.get(files.missing)!, /method plan\(\) is missing/);
    assertMatch(by.get(files.missing)!, /method status\(\) is missing/);
    assertMatch(by.get(files.badValues)!, /id "Bad Id"/);
    assertMatch(by.get(files.badValues)!, /conditions has unknown values/);
    assertMatch(by.get(files.syntax)!, /cannot be imported/);
    assertMatch(by.get(files.throws)!, /threw: no init system/);
    assertMatch(by.get(files.duplicate)!, /"systemd" is already registered/);
    assertMatch(by.get(`${p.dir}/missing.ts`)!, /cannot be imported/);
    assertEquals(r.problems().length, 7);
    assertEquals(
      r.get("systemd")?.description,
      builtinRegistry().get("systemd")?.description,
    );
    await assertRejects(
      () => r.select({ condition: "boot", driverId: "half" }, fakeContext()),
      Error,
      "Unknown driver",
    );
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("loadPlugins() in a compiled executable says runtime plugins cannot be imported", async () => {
  const r = new Registry();
  let imported = false;
  const problems = await loadPlugins(["/x/p.ts"], r, {
    cwd: "/",
    compiled: true,
    importer: () => {
      imported = true;
      return Promise.resolve({});
    },
  });
  assertEquals(imported, false);
  assertMatch(
    problems[0]!.message,
    /compiled autostart executable cannot import plugins/,
  );
});

Deno.test("isCompiledBinary(), requestedPlugins(), pluginUrl() and shQuote()", () => {
  assertEquals(
    isCompiledBinary("file:///tmp/deno-compile-autostart/main.ts"),
    true,
  );
  assertEquals(isCompiledBinary("file:///$deno$/bundle.js"), true);
  assertEquals(isCompiledBinary("file:///work/autostart/main.ts"), false);
  assertEquals(isCompiledBinary(), false, "this test runs under deno test");
  assertEquals(
    requestedPlugins(["c.ts"], { AUTOSTART_PLUGINS: "/a.ts::b.ts" }),
    ["/a.ts", "b.ts", "c.ts"],
  );
  assertEquals(requestedPlugins([], {}), []);
  assertEquals(pluginUrl("p/x.ts", "/home/a"), "file:///home/a/p/x.ts");
  assertEquals(pluginUrl("/d i r/x.ts", "/"), "file:///d%20i%20r/x.ts");
  assertEquals(pluginUrl("https://e.x/p.ts", "/"), "https://e.x/p.ts");
  assertEquals(shQuote("it's"), `'it'\\''s'`);
});

Deno.test("--plugin: a runtime plugin shows in drivers --json and enables and disables through the runner", async () => {
  const p = await pluginDir();
  try {
    const ctx = fakeContext();
    const d = await runCli(["--plugin", p.echo, "drivers", "--json"], ctx);
    assertEquals(d.code, 0, d.stderr);
    const doc = JSON.parse(d.stdout);
    const echo = doc.drivers.find((x: { id: string }) => x.id === "echo");
    assertEquals(echo.source, p.echo);
    assertEquals(echo.conditions, ["login"]);
    assertEquals(echo.available, true);
    assertEquals(doc.problems, []);

    const args = (...a: string[]) => ["--plugin", p.echo, ...a];
    const en = await runCli(
      args("enable", "web", "--driver=echo", "--", "/bin/sh", "it's"),
      ctx,
    );
    assertEquals(en.code, 0, en.stderr);
    const file = "/home/alice/.local/share/autostart-echo/web.txt";
    assertMatch(
      ctx.fs.files.get(file)!.content,
      /command='\/bin\/sh' 'it'\\''s'/,
    );
    const st = await runCli(args("status", "--json"), ctx);
    assertEquals(
      JSON.parse(st.stdout).services.map((
        s: { name: string; driver: string },
      ) => `${s.name} ${s.driver}`),
      ["web echo"],
    );
    const dis = await runCli(args("disable", "web"), ctx);
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(ctx.fs.files.has(file), false);
    assertEquals(
      ctx.runner.lines().filter((l) => l.startsWith("echo")),
      ["echo start web", "echo stop web"],
    );
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("--plugin: a malformed plugin is named on stderr and the built-ins still work", async () => {
  const p = await pluginDir();
  try {
    const bad = await p.file("bad.ts", 'export default { id: "bad" };\n');
    const ctx = fakeContext();
    const d = await runCli(["drivers", "--json", `--plugin=${bad}`], ctx);
    assertEquals(d.code, 0);
    assertMatch(
      d.stderr,
      new RegExp(`warning: plugin ${bad}: .*method plan\\(\\) is missing`),
    );
    const doc = JSON.parse(d.stdout);
    assertEquals(doc.problems[0].source, bad);
    assertOk(doc.drivers.some((x: { id: string }) => x.id === "systemd"));
    const en = await runCli(
      ["--plugin", bad, "enable", "web", "--", "/bin/sh"],
      ctx,
    );
    assertEquals(en.code, 0, en.stderr);
    assertMatch(en.stdout, /Enabled "web" \(systemd/);
    const un = await runCli(
      ["--plugin", bad, "enable", "x", "--driver=bad", "--", "/bin/sh"],
      fakeContext(),
    );
    assertEquals(un.code, 2);
    assertMatch(un.stderr, new RegExp(`plugins that failed to load: ${bad}`));
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("AUTOSTART_PLUGINS loads plugins; --version and --help load none", async () => {
  const p = await pluginDir();
  try {
    const ctx = fakeContext();
    ctx.env.AUTOSTART_PLUGINS = `${p.echo}:${p.dir}/missing.ts`;
    const d = await runCli(["drivers", "--json"], ctx);
    assertOk(
      JSON.parse(d.stdout).drivers.some((x: { id: string }) => x.id === "echo"),
    );
    assertMatch(d.stderr, /missing\.ts: cannot be imported/);
    for (const a of [["--version"], ["--help"], ["enable", "--help"]]) {
      const r = await runCli([...a, "--plugin", `${p.dir}/missing.ts`], ctx);
      assertEquals(r.code, 0);
      assertEquals(r.stderr, "", `${a.join(" ")} loads no plugin`);
    }
    assertEquals((await runCli(["--plugin"], ctx)).code, 2);
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

const BUNDLE = `${ROOT}dist/autostart.js`;
const haveBundle = await Deno.stat(BUNDLE).then(() => true, () => false);
if (!haveBundle) {
  console.log(
    "skipped: the bundle test needs dist/autostart.js (deno task bundle)",
  );
}

Deno.test({
  name:
    "--plugin with the bundled file: the example plugin loads, enables and disables",
  ignore: !haveBundle,
  async fn() {
    const p = await pluginDir();
    try {
      const env = { AUTOSTART_ECHO_DIR: `${p.dir}/state`, NO_COLOR: "1" };
      const cli = async (...a: string[]) => {
        const o = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--quiet", BUNDLE, "--plugin", p.echo, ...a],
          env,
        }).output();
        const dec = new TextDecoder();
        return {
          code: o.code,
          out: dec.decode(o.stdout),
          err: dec.decode(o.stderr),
        };
      };
      const d = await cli("drivers", "--json");
      assertEquals(d.code, 0, d.err);
      assertOk(
        JSON.parse(d.out).drivers.some((x: { id: string }) => x.id === "echo"),
      );
      const en = await cli(
        "enable",
        "demo",
        "--driver=echo",
        "--",
        "/bin/true",
      );
      assertEquals(en.code, 0, en.err);
      assertOk(await Deno.stat(`${p.dir}/state/demo.txt`));
      const dis = await cli("disable", "demo");
      assertEquals(dis.code, 0, dis.err);
      await assertRejects(() => Deno.stat(`${p.dir}/state/demo.txt`));
      const bad = await p.file("bad.ts", "export default 42;\n");
      const o = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", BUNDLE, "--plugin", bad, "drivers"],
        env,
      }).output();
      assertEquals(o.code, 0);
      assertMatch(
        new TextDecoder().decode(o.stderr),
        new RegExp(`plugin ${bad}: it is not an object`),
      );
    } finally {
      await Deno.remove(p.dir, { recursive: true });
    }
  },
});

Deno.test("plugins/README.md shows the example plugin exactly as committed", async () => {
  const readme = await Deno.readTextFile(`${ROOT}plugins/README.md`);
  const example = await Deno.readTextFile(EXAMPLE);
  const blocks = [...readme.matchAll(/(`{3,})ts\n([\s\S]*?)\1\n/g)].map((m) =>
    m[2]
  );
  assertOk(blocks.includes(example), "the README's example is the file");
});

Deno.test("takePluginOptions() takes --plugin before -- only", async () => {
  const { takePluginOptions } = await import("../cli/main.ts");
  assertEquals(
    takePluginOptions([
      "--plugin",
      "a.ts",
      "enable",
      "x",
      "--plugin=b.ts",
      "--",
      "prog",
      "--plugin",
      "c.ts",
    ]),
    {
      plugins: ["a.ts", "b.ts"],
      argv: ["enable", "x", "--", "prog", "--plugin", "c.ts"],
    },
  );
});

Deno.test("as root, AUTOSTART_PLUGINS is ignored with a note on stderr; nothing is imported", async () => {
  const p = await pluginDir();
  try {
    const marker = `${p.dir}/imported`;
    const planted = await p.file(
      "planted.js",
      `Deno.writeTextFileSync(${JSON.stringify(marker)}, "ran");\n` +
        OBJECT_PLUGIN,
    );
    const ctx = fakeContext({ self: ROOT_USER });
    ctx.env.AUTOSTART_PLUGINS = planted;
    const r = await runCli(["drivers", "--json"], ctx);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(
      r.stderr,
      /note: AUTOSTART_PLUGINS is ignored when autostart runs as root/,
    );
    assertEquals(
      JSON.parse(r.stdout).drivers.some((x: { id: string }) =>
        x.id === "plain"
      ),
      false,
    );
    assertEquals(await Deno.stat(marker).then(() => true, () => false), false);
    assertEquals(
      requestedPlugins(["/a.ts"], { AUTOSTART_PLUGINS: "/b.ts" }, true),
      [
        "/a.ts",
      ],
    );
  } finally {
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("as root, a --plugin file that another user could change is refused before import", async () => {
  const imported: string[] = [];
  const importer = (url: string) => {
    imported.push(url);
    return Promise.resolve({ default: undefined });
  };
  const problems = await loadPlugins(
    ["/home/mallory/p.ts"],
    builtinRegistry(),
    {
      cwd: "/",
      asRoot: true,
      importer,
      rootCheck: (path) =>
        Promise.resolve(
          path.startsWith("/home/mallory")
            ? `${path} is owned by uid 1001, not root`
            : null,
        ),
    },
  );
  assertEquals(imported, []);
  assertMatch(
    problems[0]!.message,
    /^refused: as root, a plugin file must be one only root can change: \/home\/mallory\/p\.ts is owned by uid 1001/,
  );
  // a root-owned file is imported
  await loadPlugins(["/usr/lib/p.ts"], builtinRegistry(), {
    cwd: "/",
    asRoot: true,
    importer,
    rootCheck: () => Promise.resolve(null),
  });
  assertEquals(imported, ["file:///usr/lib/p.ts"]);
});

Deno.test("plugin URLs: http refused; as root https needs a #sha256- pin, checked on the bytes before import", async () => {
  const body = new TextEncoder().encode(OBJECT_PLUGIN);
  const pin = await sha256Base64(body);
  const fetched: string[] = [];
  const fetcher = (url: string) => {
    fetched.push(url);
    return Promise.resolve({ url, bytes: body });
  };
  const load = (spec: string, asRoot: boolean) => {
    const r = builtinRegistry();
    return loadPlugins([spec], r, { cwd: "/", asRoot, fetcher }).then((
      problems,
    ) => ({ problems, plain: r.get("plain") }));
  };
  const http = await load("http://e.test/p.js", false);
  assertMatch(http.problems[0]!.message, /plain http is refused/);
  const unpinned = await load("https://e.test/p.js", true);
  assertMatch(unpinned.problems[0]!.message, /needs an integrity pin/);
  const wrong = await load(
    `https://e.test/p.js#sha256-${"A".repeat(43)}=`,
    true,
  );
  assertMatch(wrong.problems[0]!.message, /does not match the pin: sha256-/);
  assertEquals(wrong.plain, undefined);
  const good = await load(`https://e.test/p.js#sha256-${pin}`, true);
  assertEquals(good.problems, []);
  assertEquals(good.plain?.id, "plain");
  assertEquals(fetched, ["https://e.test/p.js", "https://e.test/p.js"]);
  // a redirect away from https is refused
  const r = await loadPlugins(
    [`https://e.test/p.js#sha256-${pin}`],
    builtinRegistry(),
    {
      cwd: "/",
      asRoot: true,
      fetcher: () =>
        Promise.resolve({ url: "http://e.test/p.js", bytes: body }),
    },
  );
  assertMatch(
    r[0]!.message,
    /redirected to http:\/\/e\.test\/p\.js, which is not https/,
  );
  assertEquals(parsePin("https://x/p.ts"), null);
});

Deno.test("pluginApi() hands runtime plugins the driver kit the built-in drivers use", () => {
  const api = pluginApi("9.9.9");
  assertEquals(api.markerText, "Managed by autostart");
  assertOk(api.markerNote("autostart enable x").startsWith(api.markerText));
  assertOk(api.markerNote("autostart enable x").includes(api.sealPlaceholder));
  assertEquals(api.shQuote("a'b"), `'a'\\''b'`);
  assertEquals(api.signalName(10, "linux"), "USR1");
  assertEquals(api.isCrashLooping({ restarts: 4 }), true);
  let refused = "";
  try {
    api.requireRoot("boot", { self: { uid: 501 } }, "Installing");
  } catch (e) {
    if (e instanceof api.errors.UsageError) refused = e.message;
  }
  assertEquals(refused, "Installing a boot service needs root");
});
