import { assertEquals, assertMatch, assertRejects } from "../tests/assert.ts";
import {
  apply,
  BACKUP_SUFFIX,
  nextBackupPath,
  writeIsCurrent,
} from "./apply.ts";
import { OperationError, UsageError } from "./errors.ts";
import { FakeRunner, MemoryFs } from "./fake.ts";
import { denoFs, rootOnlyProblem } from "./fs.ts";
import type { Plan } from "./plan.ts";
import { seal, SEAL_PLACEHOLDER } from "./seal.ts";

const MARK = "managed-by-test";
/** A file of ours: marker and seal on its first line. */
const ours = (body: string) =>
  seal(`# ${MARK} (${SEAL_PLACEHOLDER})\n${body}\n`);
const plan = (): Plan => ({
  driver: "t",
  service: "s",
  steps: [
    { kind: "mkdir", path: "/d/sub" },
    {
      kind: "write",
      path: "/d/sub/a",
      content: ours("new"),
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
  const fs = new MemoryFs({ "/d/old": ours("old") });
  const runner = new FakeRunner();
  await apply(plan(), { runner, fs });
  assertEquals(runner.lines(), ["one", "two", "three"]);
  assertEquals(fs.snapshot(), { "/d/sub/a": ours("new") });
});

Deno.test("apply() rolls back everything before a failing step, for each step", async () => {
  const steps = plan().steps.length;
  for (let k = 0; k < steps; k++) {
    const fs = new MemoryFs({
      "/d/old": ours("old"),
      "/d/sub/a": ours("previous"),
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

Deno.test("apply() never overwrites a backup: two --force takeovers keep both foreign files", async () => {
  const fs = new MemoryFs({ "/d/sub/a": "hand written 1" });
  const r1 = await apply(plan(), {
    runner: new FakeRunner(),
    fs,
    force: true,
  });
  fs.files.set("/d/sub/a", { content: "hand written 2", mode: 0o644 });
  fs.files.set("/d/old", { content: ours("old"), mode: 0o644 });
  const r2 = await apply(plan(), {
    runner: new FakeRunner(),
    fs,
    force: true,
  });
  assertEquals(r1.backups, [`/d/sub/a${BACKUP_SUFFIX}`]);
  assertEquals(r2.backups, [`/d/sub/a${BACKUP_SUFFIX}.1`]);
  assertEquals(
    fs.files.get(`/d/sub/a${BACKUP_SUFFIX}`)?.content,
    "hand written 1",
  );
  assertEquals(
    fs.files.get(`/d/sub/a${BACKUP_SUFFIX}.1`)?.content,
    "hand written 2",
  );
});

Deno.test("nextBackupPath() takes the first free name, in the given directory", async () => {
  const fs = new MemoryFs({
    "/b/x.autostart-backup": "1",
    "/b/x.autostart-backup.1": "2",
  });
  assertEquals(
    await nextBackupPath(fs, "/d/x", "/b"),
    "/b/x.autostart-backup.2",
  );
  assertEquals(await nextBackupPath(fs, "/d/x"), "/d/x.autostart-backup");
});

Deno.test("apply() backs up a hand-edited file of ours before removing it, and a foreign one removed with --force", async () => {
  const edited = ours("old").replace("old", "old, edited by hand");
  const fs = new MemoryFs({ "/d/old": edited });
  const r = await apply(plan(), { runner: new FakeRunner(), fs });
  assertEquals(r.backups, [`/d/old${BACKUP_SUFFIX}`]);
  assertEquals(fs.files.get(`/d/old${BACKUP_SUFFIX}`)?.content, edited);
  assertEquals(fs.files.has("/d/old"), false);

  const fs2 = new MemoryFs({ "/d/old": "someone else's" });
  const r2 = await apply(plan(), {
    runner: new FakeRunner(),
    fs: fs2,
    force: true,
  });
  assertEquals(r2.backups, [`/d/old${BACKUP_SUFFIX}`]);
  assertEquals(fs2.files.has("/d/old"), false);

  // an intact file of ours is removed without a backup
  const fs3 = new MemoryFs({ "/d/old": ours("old") });
  assertEquals(
    (await apply(plan(), { runner: new FakeRunner(), fs: fs3 })).backups,
    [],
  );
});

Deno.test("apply() rollback restores mode and owner, not only content", async () => {
  const fs = new MemoryFs({ "/d/old": ours("old"), "/d/sub/a": ours("prev") });
  fs.files.get("/d/old")!.mode = 0o755;
  fs.files.get("/d/old")!.owner = { uid: 7, gid: 8 };
  fs.files.get("/d/sub/a")!.mode = 0o750;
  fs.files.get("/d/sub/a")!.owner = { uid: 5, gid: 6 };
  await assertRejects(() =>
    apply(plan(), {
      runner: new FakeRunner(),
      fs,
      onStep: (s) => {
        if (s.kind === "run" && s.argv[0] === "three") {
          throw new OperationError("injected");
        }
      },
    })
  );
  assertEquals(fs.files.get("/d/old"), {
    content: ours("old"),
    mode: 0o755,
    owner: { uid: 7, gid: 8 },
  });
  assertEquals(fs.files.get("/d/sub/a"), {
    content: ours("prev"),
    mode: 0o750,
    owner: { uid: 5, gid: 6 },
  });
});

Deno.test("writeIsCurrent() compares content, mode and owner", async () => {
  const step = {
    kind: "write" as const,
    path: "/d/run",
    content: ours("run"),
    mode: 0o755,
    marker: MARK,
  };
  const fs = new MemoryFs({ "/d/run": ours("run") });
  fs.files.get("/d/run")!.mode = 0o755;
  assertEquals(await writeIsCurrent(fs, step, 0), true);
  fs.files.get("/d/run")!.mode = 0o644;
  assertEquals(await writeIsCurrent(fs, step, 0), false, "a 0644 run script");
  fs.files.get("/d/run")!.mode = 0o755;
  fs.files.get("/d/run")!.owner = { uid: 1001, gid: 1001 };
  assertEquals(await writeIsCurrent(fs, step, 0), false, "owned by a user");
  assertEquals(
    await writeIsCurrent(fs, { ...step, owner: { uid: 1001, gid: 1001 } }, 0),
    true,
  );
});

Deno.test("apply() refuses a secure directory another user could change, before any step", async () => {
  const fs = new MemoryFs();
  fs.setInfo("/srv/apps", { uid: 1001, gid: 1001 });
  fs.setInfo("/srv/apps/logs", { uid: 1001, gid: 1001 });
  const runner = new FakeRunner();
  const p: Plan = {
    driver: "t",
    service: "web",
    steps: [
      { kind: "run", argv: ["one"], title: "one" },
      { kind: "mkdir", path: "/srv/apps/logs", secure: true },
    ],
  };
  const e = await apply(p, { runner, fs }).catch((e) => e);
  assertEquals(e instanceof UsageError, true, String(e));
  assertMatch(e.message, /\/srv\/apps .*is owned by uid 1001, not root/);
  assertEquals(runner.calls.length, 0, "nothing ran");

  // a world-writable directory on the way, e.g. /tmp
  const fs2 = new MemoryFs();
  fs2.setInfo("/tmp", { mode: 0o1777 });
  const e2 = await apply({
    ...p,
    steps: [{ kind: "mkdir", path: "/tmp/logs", secure: true }],
  }, { runner, fs: fs2 }).catch((e) => e);
  assertMatch(e2.message, /\/tmp is writable by every user/);

  // the last directory may be the owner's (its writer runs as that user)
  const fs3 = new MemoryFs();
  fs3.setInfo("/var/log/autostart/web", { uid: 1001, gid: 1001 });
  await apply({
    ...p,
    steps: [{
      kind: "mkdir",
      path: "/var/log/autostart/web",
      secure: true,
      owner: { uid: 1001, gid: 1001 },
    }],
  }, { runner, fs: fs3 });
  // ...but not the shared root above it
  fs3.setInfo("/var/log/autostart", { uid: 1001, gid: 1001 });
  await assertRejects(
    () =>
      apply({
        ...p,
        steps: [{
          kind: "mkdir",
          path: "/var/log/autostart/web",
          secure: true,
          owner: { uid: 1001, gid: 1001 },
        }],
      }, { runner, fs: fs3 }),
    /\/var\/log\/autostart .*owned by uid 1001/,
  );
});

Deno.test("rootOnlyProblem() trusts the group of a root /var/log (Ubuntu's syslog), not other groups", async () => {
  const fs = new MemoryFs();
  fs.setInfo("/var/log", { uid: 0, gid: 102, mode: 0o775 });
  assertEquals(
    await rootOnlyProblem(fs, "/var/log/web", { trusted: undefined }),
    null,
  );
  fs.setInfo("/srv", { uid: 0, gid: 100, mode: 0o775 });
  assertMatch(
    (await rootOnlyProblem(fs, "/srv/logs")) ?? "",
    /\/srv is writable by group 100 \(mode 0775\)/,
  );
  assertEquals(
    await rootOnlyProblem(fs, "/srv/logs", { trusted: [0, 100] }),
    null,
  );
});

Deno.test("apply() keeps a hand-edited file removed by a step with backupDir in that directory, under a free name", async () => {
  const edited = ours("old").replace("old", "old, edited");
  const fs = new MemoryFs({
    "/d/a": edited,
    [`/keep/a${BACKUP_SUFFIX}`]: "an older backup",
  });
  const r = await apply({
    driver: "t",
    service: "s",
    steps: [{ kind: "remove", path: "/d/a", marker: MARK, backupDir: "/keep" }],
  }, { runner: new FakeRunner(), fs });
  assertEquals(r.backups, [`/keep/a${BACKUP_SUFFIX}.1`]);
  assertEquals(fs.files.get(`/keep/a${BACKUP_SUFFIX}.1`)?.content, edited);
  assertEquals(
    fs.files.get(`/keep/a${BACKUP_SUFFIX}`)?.content,
    "an older backup",
  );
  assertEquals(fs.files.has("/d/a"), false);
});
