import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { fakeContext, runCli } from "../../tests/helpers.ts";
import { parseEnvFile } from "../../core/env_file.ts";
import type { Driver } from "../../core/driver.ts";
import type { MemoryFs } from "../../core/fake.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import { builtinRegistry } from "../builtin_registry.ts";

const UNIT = "/home/alice/.config/systemd/user/autostart-web.service";
const COPY = "/home/alice/.config/autostart/env/web.env";

/** The user's env file, put in the context's file system (where enable reads it). */
const ENV_FILE = "/home/alice/conf/app.env";

/** Puts an env file with `text` into `ctx`'s file system; returns its path. */
function envFile(ctx: { fs: MemoryFs }, text: string): string {
  ctx.fs.setInfo("/home/alice/conf", { uid: 1000, gid: 1000, mode: 0o700 });
  ctx.fs.files.set(ENV_FILE, {
    content: text,
    mode: 0o600,
    owner: { uid: 1000, gid: 1000 },
  });
  return ENV_FILE;
}

Deno.test("enable warns on stderr when a secret-looking name is given with --env, and still enables", async () => {
  const ctx = fakeContext();
  const r = await runCli(
    ["enable", "web", "--no-wait", "--env", "API_TOKEN=abc", "--", "/bin/sh"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stderr,
    /warning: API_TOKEN given with --env: .*every user can read.*--env-file/,
  );
  assertEquals(r.stdout.includes("warning"), false);
  const quiet = await runCli(
    ["enable", "w2", "--no-wait", "--env", "KEYBOARD=us", "--", "/bin/sh"],
    fakeContext(),
  );
  assertEquals(quiet.stderr, "");
});

Deno.test("enable --env-file with an ambiguous line exits 2 naming file and line, and writes nothing", async () => {
  const ctx = fakeContext();
  const path = envFile(ctx, 'A=1\n# fine\nB=say "hi"\n');
  const r = await runCli(
    ["enable", "web", "--env-file", path, "--", "/bin/sh"],
    ctx,
  );
  assertEquals(r.code, 2);
  assertMatch(r.stderr, /app\.env", line 3: the value of B has a quote/);
  assertEquals([...ctx.fs.files.keys()], [ENV_FILE]);
  assertEquals(ctx.runner.lines(), []);
});

Deno.test("enable --env-file keeps the values out of the unit: a 0600 copy, --env wins over the file", async () => {
  const ctx = fakeContext();
  const path = envFile(
    ctx,
    'export DB_PASSWORD="pa ss # word" # the db\nPORT=1\n',
  );
  const r = await runCli(
    [
      "enable",
      "web",
      "--no-wait",
      "--env-file",
      path,
      "--env",
      "PORT=2",
      "--",
      "/bin/sh",
    ],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stderr, "");
  const unit = ctx.fs.files.get(UNIT)!.content;
  assertMatch(unit, /^Environment="PORT=2"$/m);
  assertMatch(unit, new RegExp(`^EnvironmentFile=${COPY}$`, "m"));
  assertEquals(unit.includes("pa ss"), false);
  const copy = ctx.fs.files.get(COPY)!;
  assertEquals(copy.mode, 0o600);
  assertEquals(parseEnvFile(copy.content, "copy"), [
    ["DB_PASSWORD", "pa ss # word"],
  ]);
  assertMatch(r.stdout, /was read now: its 1 variable is kept in .*web\.env/);
});

Deno.test("enable --dry-run shows the env-file copy's names, never its values", async () => {
  for (const json of [false, true]) {
    const ctx = fakeContext();
    const path = envFile(ctx, "API_TOKEN='t0p-s3cret'\nMODE=prod\n");
    const r = await runCli(
      [
        "enable",
        "web",
        "--dry-run",
        ...(json ? ["--json"] : []),
        "--env-file",
        path,
        "--",
        "/bin/sh",
      ],
      ctx,
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.includes("t0p-s3cret"), false, r.stdout);
    assertMatch(r.stdout, /API_TOKEN=\(hidden\)|"API_TOKEN",\s*"\(hidden\)"/);
    assertEquals([...ctx.fs.files.keys()], [ENV_FILE]);
  }
});

Deno.test("enable --env-file with a driver without the env-file feature is refused (exit 3), nothing written", async () => {
  const seen: ServiceSpec[] = [];
  const plain: Driver = {
    id: "plain",
    description: "a plugin without the env-file feature",
    platforms: ["linux"],
    conditions: ["login"],
    keepAlive: ["on-failure"],
    available: () => Promise.resolve({ available: true }),
    plan: (spec) => {
      seen.push(spec);
      return { driver: "plain", service: spec.name, steps: [] };
    },
    planDisable: (r) => ({ driver: "plain", service: r.name, steps: [] }),
    planControl: (r) => ({ driver: "plain", service: r.name, steps: [] }),
    status: () => Promise.resolve([]),
  };
  const registry = builtinRegistry();
  registry.register(plain, "test");
  const ctx = fakeContext();
  const path = envFile(ctx, "API_TOKEN=x\n");
  const r = await runCli(
    [
      "enable",
      "web",
      "--driver=plain",
      "--no-start",
      "--env-file",
      path,
      "--",
      "/bin/sh",
    ],
    ctx,
    registry,
  );
  assertEquals(r.code, 3, r.stderr);
  assertMatch(r.stderr, /env-file/);
  assertEquals(seen, []);
  assertEquals([...ctx.fs.files.keys()], [ENV_FILE]);
  // every built-in driver declares it
  for (
    const d of ["systemd", "launchd-agent", "launchd-daemon", "runit", "openrc"]
  ) {
    assertEquals(
      registry.get(d)?.features?.includes("env-file"),
      true,
      d,
    );
  }
});
