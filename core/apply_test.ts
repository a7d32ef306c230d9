import { assertEquals, assertMatch, assertRejects } from "../tests/assert.ts";
import { apply, BACKUP_SUFFIX } from "./apply.ts";
import { OperationError } from "./errors.ts";
import { FakeRunner, MemoryFs } from "./fake.ts";
import { denoFs } from "./fs.ts";
import type { Plan } from "./plan.ts";

const MARK = "managed-by-test";
const plan = (): Plan => ({
  driver: "t",
  service: "s",
  steps: [
    { kind: "mkdir", path: "/d/sub" },
    {
      kind: "write",
      path: "/d/sub/a",
      content: `${MARK} new`,
      mode: 0o644,
      marker: MARK,
    },
    { kind: "run", argv: ["one"], title: "run one", undo: ["undo-one"] },
    { kind: "run", argv: ["two"], title: "run two", undo: ["undo-two"] },
    { kind: "remove", path: "/d/old", marker: MARK },
    { kind: "run", argv: ["three"], title: "run three" },
  ],
  afterRollback: [{ argv: ["reload"] }],
});

Deno.test("apply() performs every step in order", async () => {
  const fs = new MemoryFs({ "/d/old": `${MARK} old` });
  const runner = new FakeRunner();
  await apply(plan(), { runner, fs });
  assertEquals(runner.lines(), ["one", "two", "three"]);
  assertEquals(fs.snapshot(), { "/d/sub/a": `${MARK} new` });
});

Deno.test("apply() rolls back everything before a failing step, for each step", async () => {
  const steps = plan().steps.length;
  for (let k = 0; k < steps; k++) {
    const fs = new MemoryFs({
      "/d/old": `${MARK} old`,
      "/d/sub/a": `${MARK} previous`,
    });
    fs.dirs.delete("/d/sub");
    fs.dirs.add("/d/sub");
    const before = fs.snapshot();
    const runner = new FakeRunner();
    await assertRejects(
      () =>
        apply(plan(), {
          runner,
          fs,
          onStep: (_s, i) => {
            if (i === k) throw new OperationError(`injected at ${k}`);
          },
        }),
      new RegExp(`injected at ${k}`),
    );
    assertEquals(
      fs.snapshot(),
      before,
      `files restored after failure at step ${k}`,
    );
    const undone = runner.lines().filter((l) =>
      l.startsWith("undo") || l === "reload"
    );
    const ran = runner.lines().filter((l) => ["one", "two"].includes(l));
    assertEquals(
      undone,
      [...ran.reverse().map((l) => `undo-${l}`), ...(k > 1 ? ["reload"] : [])],
      `undo after failure at step ${k}`,
    );
  }
});

Deno.test("apply() names the failed command and what it said", async () => {
  const fs = new MemoryFs();
  const runner = new FakeRunner([{
    match: ["two"],
    result: { code: 3, stderr: "boom\n" },
  }]);
  const e = await apply(plan(), { runner, fs }).catch((e) => e);
  assertEquals(e instanceof OperationError, true);
  assertMatch(e.message, /^Cannot run two: two exited with code 3: boom$/);
  assertEquals(e.command.argv, ["two"]);
  assertEquals(fs.snapshot(), {});
  assertEquals(runner.lines(), ["one", "two", "undo-one", "reload"]);
});

Deno.test("apply() refuses to overwrite or remove a file without the marker", async () => {
  const cases: Record<string, string>[] = [{ "/d/sub/a": "hand written" }, {
    "/d/old": "hand written",
  }];
  for (const files of cases) {
    const fs = new MemoryFs(files);
    const runner = new FakeRunner();
    await assertRejects(
      () => apply(plan(), { runner, fs }),
      /not written by autostart/,
    );
    assertEquals(runner.calls.length, 0, "nothing ran");
    assertEquals(fs.snapshot(), files, "nothing changed");
  }
});

Deno.test("apply() with force takes over a foreign file and keeps a backup", async () => {
  const fs = new MemoryFs({ "/d/sub/a": "hand written" });
  const r = await apply(plan(), { runner: new FakeRunner(), fs, force: true });
  assertEquals(r.backups, [`/d/sub/a${BACKUP_SUFFIX}`]);
  assertEquals(
    fs.files.get(`/d/sub/a${BACKUP_SUFFIX}`)?.content,
    "hand written",
  );
});

Deno.test("apply() reports a failing ignoreFailure step as a warning and goes on", async () => {
  const runner = new FakeRunner([{
    match: ["x"],
    result: { code: 5, stderr: "meh" },
  }]);
  const r = await apply({
    driver: "t",
    service: "s",
    steps: [
      { kind: "run", argv: ["x"], title: "x", ignoreFailure: true },
      { kind: "run", argv: ["y"], title: "y" },
    ],
  }, { runner, fs: new MemoryFs() });
  assertEquals(r.warnings, ["x exited with code 5: meh"]);
  assertEquals(runner.lines(), ["x", "y"]);
});

Deno.test("apply() treats okCodes as success", async () => {
  const runner = new FakeRunner([{ match: ["x"], result: { code: 5 } }]);
  const r = await apply({
    driver: "t",
    service: "s",
    steps: [{ kind: "run", argv: ["x"], title: "x", okCodes: [5] }],
  }, { runner, fs: new MemoryFs() });
  assertEquals(r.warnings, []);
});

Deno.test("apply() keeps the backup of a replaced file in the step's backupDir, not beside it", async () => {
  const fs = new MemoryFs({ "/d/a": "foreign" });
  const r = await apply({
    driver: "t",
    service: "s",
    steps: [{
      kind: "write",
      path: "/d/a",
      content: `${MARK} new`,
      mode: 0o644,
      marker: MARK,
      backupDir: "/keep/backups",
    }],
  }, { runner: new FakeRunner(), fs, force: true });
  assertEquals(r.backups, [`/keep/backups/a${BACKUP_SUFFIX}`]);
  assertEquals(
    fs.files.get(`/keep/backups/a${BACKUP_SUFFIX}`)?.content,
    "foreign",
  );
  assertEquals(fs.files.has(`/d/a${BACKUP_SUFFIX}`), false);
});

Deno.test("apply() runs a step's until/retry on the given sleep and fails when until runs out", async () => {
  const slept: number[] = [];
  const err = await apply({
    driver: "t",
    service: "s",
    steps: [{
      kind: "run",
      argv: ["probe"],
      title: "wait for it",
      until: { codes: [113], pending: [0], timeoutMs: 1000, intervalMs: 500 },
    }],
  }, {
    runner: new FakeRunner(),
    fs: new MemoryFs(),
    sleep: (ms) => (slept.push(ms), Promise.resolve()),
  }).catch((e) => e);
  assertEquals(slept, [500, 500]);
  assertMatch(
    err.message,
    /Cannot wait for it: probe exited with code 124: timed out/,
  );
});

Deno.test("apply() creates the backup directory on disk readable by its owner only (0700)", async () => {
  const root = await Deno.makeTempDir({ prefix: "autostart-backupdir-" });
  try {
    await Deno.writeTextFile(`${root}/a.plist`, "foreign");
    const dir = `${root}/Application Support/autostart/backups`;
    await apply({
      driver: "t",
      service: "s",
      steps: [{
        kind: "write",
        path: `${root}/a.plist`,
        content: `${MARK} new`,
        mode: 0o644,
        marker: MARK,
        backupDir: dir,
      }],
    }, { runner: new FakeRunner(), fs: denoFs, force: true });
    assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assertEquals(
      (await Deno.stat(`${dir}/a.plist${BACKUP_SUFFIX}`)).mode! & 0o777,
      0o600,
    );
    assertEquals(
      await Deno.readTextFile(`${dir}/a.plist${BACKUP_SUFFIX}`),
      "foreign",
    );
    assertEquals([...Deno.readDirSync(root)].map((e) => e.name).sort(), [
      "Application Support",
      "a.plist",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
