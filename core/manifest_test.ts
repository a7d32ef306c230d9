// The manifest: shape and values checked with the command line's parsers, every problem
// with its path; the schema in docs/ names exactly the fields the parser takes; and on
// the hostile corpus, a manifest is refused exactly when the same `enable` is.
import { assertEquals, assertOk, assertThrows } from "../tests/assert.ts";
import {
  entryOfFields,
  formatDuration,
  MANIFEST_FIELDS,
  ManifestError,
  parseManifest,
  requestOf,
} from "./manifest.ts";
import type { ServiceFields } from "./read_back.ts";
import { parseDuration, parseRestartDelays } from "./spec.ts";
import { type Schema, validate } from "../tests/schema.ts";
import { fakeContext, ROOT, runCli } from "../tests/helpers.ts";
import {
  commandOf,
  enableArgv,
  loadCorpus,
  makeHostFixture,
  nameOf,
  seedHostFixture,
  substitute,
} from "../tests/hostile/corpus.ts";

const schema = (name: string): Schema =>
  JSON.parse(Deno.readTextFileSync(`${ROOT}docs/${name}`));

const doc = (services: unknown[]) => JSON.stringify({ version: 1, services });

function problems(text: string): string[] {
  try {
    parseManifest(text, "m.json");
    return [];
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    return e.problems.map((p) => p.path);
  }
}

Deno.test("parseManifest() accepts a full entry and a minimal one", () => {
  const m = parseManifest(
    doc([
      {
        name: "web",
        command: ["/bin/sh", "-c", "x"],
        condition: "boot",
        keepAlive: "always",
        restartDelay: "500ms",
        restartMaxDelay: "5m",
        env: { A: "1", B: "two words" },
        envFile: "app.env",
        cwd: "/srv",
        path: "default",
        user: "alice",
        logDir: "logs",
        driver: "systemd",
        start: false,
      },
      { name: "b", command: ["sleep", "1"], keepAlive: false },
    ]),
    "m.json",
  );
  assertEquals(m.map((e) => [e.index, e.entry.name]), [[0, "web"], [1, "b"]]);
});

Deno.test("parseManifest() names every problem by its path", () => {
  assertEquals(problems("{"), ["(file)"]);
  assertEquals(problems("[]"), ["(file)"]);
  assertEquals(problems('{"version": 2, "services": []}'), ["version"]);
  assertEquals(problems('{"version": 1}'), ["services"]);
  assertEquals(
    problems(doc([
      { name: "a", command: ["/bin/true"] },
      { name: "-bad", command: "/bin/true" },
      {
        command: ["/bin/true"],
        keepAlive: "sometimes",
        restartDelay: "2 days",
      },
      {
        name: "c",
        command: ["/bin/true", "x\u0000"],
        env: { "A-B": "1", OK: "\uD800" },
      },
      { name: "d", command: ["/bin/true"], colour: "red", constructor: 1 },
      { name: "a", command: ["/bin/true"] },
      { name: "e", command: ["/bin/true"], cwd: "/srv/\n", path: "mine" },
      7,
    ])),
    [
      "services[1].name",
      "services[1].command",
      "services[2].keepAlive",
      "services[2].restartDelay",
      "services[2].name",
      "services[3].command[1]",
      "services[3].env.A-B",
      "services[3].env.OK",
      "services[4].colour",
      "services[4].constructor",
      "services[5]",
      "services[6].path",
      "services[6].cwd",
      "services[7]",
    ],
  );
  assertThrows(() =>
    parseManifest(doc([{ lima: "x", command: ["/bin/true"] }]), "m")
  );
});

Deno.test("docs/manifest.schema.json has exactly the fields of the parser, and export output matches it", () => {
  const s = schema("manifest.schema.json");
  const props = Object.keys(
    ((s.$defs as Record<string, Record<string, unknown>>).service!
      .properties) as Record<string, unknown>,
  );
  assertEquals(props.sort(), Object.keys(MANIFEST_FIELDS).sort());
  const entry = entryOfFields({
    name: "web",
    program: "/bin/sh",
    args: ["-c", "x"],
    condition: "boot",
    keepAlive: "on-failure",
    env: [["PATH", "/usr/bin"], ["A", "1"]],
    cwd: "/srv",
    user: "alice",
    logDir: "/var/log/web",
    restartDelayMs: 1500,
    restartMaxDelayMs: 300_000,
    start: false,
  }, "runit");
  assertEquals(entry.restartMaxDelay, "5m");
  assertEquals(validate(s, { version: 1, services: [entry] }), []);
  assertOk(validate(s, { version: 1, services: [{ nme: "x" }] }).length > 0);
});

Deno.test("the backoff cap survives export → apply: written when enable would not pick it", () => {
  const fields = (delay: number, max?: number): ServiceFields => ({
    name: "web",
    program: "/bin/sleep",
    args: ["9"],
    condition: "login",
    keepAlive: "always",
    env: [],
    restartDelayMs: delay,
    ...(max === undefined ? {} : { restartMaxDelayMs: max }),
  });
  for (
    const [delay, max, want] of [
      [2000, 300_000, "5m"], // a longer cap
      [2000, 2000, "2s"], // no backoff: the cap equals the delay
      [500, 1500, "1500ms"],
      [2000, 60_000, undefined], // enable's default
      [90_000, 90_000, undefined], // the default when the delay is longer
      [2000, undefined, undefined], // a format that cannot back off
    ] as const
  ) {
    const e = entryOfFields(fields(delay, max), "systemd");
    assertEquals(e.restartMaxDelay, want, `${delay} ${max}`);
    const req = requestOf(e);
    assertEquals(
      parseRestartDelays(req.restartDelay, req.restartMaxDelay)
        .restartMaxDelayMs,
      max ?? 60_000,
      `${delay} ${max}`,
    );
  }
  const off = entryOfFields({ ...fields(2000, 2000), keepAlive: "false" }, "x");
  assertEquals(off.restartMaxDelay, undefined, "no restarts: no cap to keep");
  assertEquals(
    problems(doc([{ name: "a", command: ["x"], restartMaxDelay: "soon" }])),
    ["services[0].restartMaxDelay"],
  );
});

Deno.test("formatDuration() is read back exactly by parseDuration()", () => {
  for (
    const ms of [
      0,
      1,
      100,
      999,
      1000,
      1500,
      60_000,
      90_000,
      3_600_000,
      86_400_000,
    ]
  ) {
    assertEquals(parseDuration(formatDuration(ms)), ms, String(ms));
  }
});

Deno.test("hostile corpus: a manifest is refused (exit 2) exactly when the same enable is", async () => {
  // Both run in-process on the same machine: the fixture in the context's file
  // system (specs resolve through it), the manifest in alice's home there.
  const fix = await makeHostFixture();
  const file = "/home/alice/services.json";
  const machine = () => {
    const ctx = fakeContext();
    seedHostFixture(ctx.fs, fix);
    return ctx;
  };
  try {
    let n = 0;
    for (const raw of loadCorpus()) {
      const c = substitute(raw, fix);
      if (c.options || c.noCommand || c.asPlainRoot || c.condition === "boot") {
        continue;
      }
      const pairs = (c.env ?? []).map((
        e,
      ) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]);
      if ((c.env ?? []).some((e) => !e.includes("="))) continue;
      if (new Set(pairs.map(([k]) => k)).size !== pairs.length) continue;
      const argv = enableArgv(c, "systemd");
      argv.splice(2, 0, "--dry-run");
      const cli = await runCli(argv, machine());
      const ctx = machine();
      ctx.fs.files.set(file, {
        mode: 0o644,
        owner: { uid: ctx.self.uid, gid: ctx.self.gid },
        content: JSON.stringify({
          version: 1,
          services: [{
            name: nameOf(c),
            command: commandOf(c),
            driver: "systemd",
            ...(pairs.length ? { env: Object.fromEntries(pairs) } : {}),
          }],
        }),
      });
      const m = await runCli(["apply", file, "--check"], ctx);
      assertEquals(
        m.code === 2,
        cli.code === 2,
        `${c.id} (${c.why}): enable exit ${cli.code} ${cli.stderr}; apply exit ${m.code} ${m.stderr}`,
      );
      n++;
    }
    assertOk(n >= 150, `${n} cases compared`);
    console.log(`manifest vs enable: ${n} hostile cases compared`);
  } finally {
    await Deno.remove(fix, { recursive: true });
  }
});
