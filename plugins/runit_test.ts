import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../tests/assert.ts";
import {
  ALICE,
  assertGolden,
  fakeContext,
  ROOT_USER,
  runCli,
  webSpec,
} from "../tests/helpers.ts";
import { apply } from "../core/apply.ts";
import type { Context } from "../core/context.ts";
import { UsageError } from "../core/errors.ts";
import { FakeRunner, MemoryFs } from "../core/fake.ts";
import { denoFs } from "../core/fs.ts";
import { describePlan, type Plan } from "../core/plan.ts";
import type { ServiceSpec } from "../core/spec.ts";
import { builtinRegistry } from "../drivers/mod.ts";
import {
  parseRunsvdirCmdline,
  parseSvStatus,
  readRunitFiles,
  renderRunitDown,
  renderRunitFinish,
  renderRunitLog,
  renderRunitRun,
  runitDriver,
  runitState,
  unsafeEnvDirs,
} from "./runit.ts";

const spec: ServiceSpec = webSpec({
  condition: "boot",
  env: [["PATH", "/usr/bin:/bin"]],
  runAs: ROOT_USER,
});

/** Specs with a golden file each: every keep-alive mode, a user switch, awkward text. */
const GOLDEN_SPECS: Record<string, ServiceSpec> = {
  "boot-on-failure": spec,
  "boot-always-alice": {
    ...spec,
    keepAlive: "always",
    runAs: ALICE,
    cwd: "/srv/web app",
    restartDelayMs: 5000,
  },
  "login-false": {
    ...spec,
    condition: "login",
    keepAlive: "false",
    runAs: undefined,
    env: [],
  } as ServiceSpec,
  "awkward": {
    ...spec,
    program: "/opt/my prog/it's $HOME",
    args: [
      "it's",
      'say "hi"',
      "$(touch /tmp/pwned)",
      "`id`",
      "a\nb",
      "",
      "-- --x",
      "*",
      "ünï ✓",
      "\\",
    ],
    env: [["A", "x'y"], ["B", "$PATH"], ["C", "line1\nline2"], ["D", ""]],
    cwd: "/srv/q'd",
  },
};

/** A machine with runit: sv on PATH and a runsvdir on /etc/service (root). */
function runitContext(over: Partial<Context> = {}) {
  const fs = new MemoryFs({
    "/usr/bin/sv": "",
    "/proc/1/cmdline": "runsvdir\0-P\0/etc/service\0log: ...\0",
    "/proc/1/status": "Name:\trunsvdir\nUid:\t0\t0\t0\t0\n",
    "/proc/2/cmdline": "bash\0",
  });
  fs.dirs.add("/etc/service");
  const ctx = fakeContext({
    self: ROOT_USER,
    env: { PATH: "/usr/bin:/bin", HOME: "/root" },
    fs,
    ...over,
  });
  // Parents of every directory exist too (as on a real disk).
  for (const d of [...fs.dirs]) {
    for (
      let p = d;
      p.lastIndexOf("/") > 0;
      p = p.slice(0, p.lastIndexOf("/"))
    ) {
      fs.dirs.add(p.slice(0, p.lastIndexOf("/")));
    }
  }
  return ctx;
}

for (const [name, s] of Object.entries(GOLDEN_SPECS)) {
  Deno.test(`runit scripts (${name}) match their golden files`, async () => {
    const logDir = `/var/log/autostart/${s.name}`;
    await assertGolden(`runit/${name}.run`, renderRunitRun(s));
    await assertGolden(`runit/${name}.finish`, renderRunitFinish(s));
    await assertGolden(`runit/${name}.log-run`, renderRunitLog(s, logDir));
  });
}

Deno.test("renderRunitRun() quotes every word so sh gives the program exactly its argv and env", async () => {
  const sh = ["dash", "sh"].find((x) =>
    new Deno.Command("sh", { args: ["-c", `command -v ${x}`] }).outputSync()
      .success
  )!;
  const s = GOLDEN_SPECS.awkward!;
  // Run the script with `exec` of a printer in place of the program.
  const dir = await Deno.makeTempDir();
  try {
    const printer = `${dir}/print`;
    await Deno.writeTextFile(
      printer,
      `#!/usr/bin/env python3\nimport json, os, sys\nprint(json.dumps({"argv": sys.argv[1:], "env": {k: os.environ.get(k) for k in "ABCD"}, "cwd": os.getcwd()}))\n`,
      { mode: 0o755 },
    );
    const cwd = `${dir}/q'd`;
    await Deno.mkdir(cwd);
    const text = renderRunitRun({
      ...s,
      program: printer,
      cwd,
      env: [...s.env, ["PATH", "/usr/bin:/bin"]],
    });
    await Deno.writeTextFile(`${dir}/run`, text, { mode: 0o755 });
    const out = await new Deno.Command(sh, { args: [`${dir}/run`] }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const got = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(got.argv, s.args);
    assertEquals(got.env, { A: "x'y", B: "$PATH", C: "line1\nline2", D: "" });
    assertEquals(got.cwd, cwd);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderRunitRun() switches user with chpst only for boot services of another user", () => {
  assertMatch(
    renderRunitRun({ ...spec, env: [], runAs: ALICE }),
    /^exec "\$1" -u 'alice:alice' '\/usr\/bin\/python3'/m,
  );
  assertOk(!renderRunitRun(spec).includes("chpst"));
  assertMatch(
    renderRunitLog({ ...spec, runAs: ALICE }, "/l"),
    /^exec chpst -u 'alice:alice' svlogd -tt '\/l'$/m,
  );
});

Deno.test("renderRunitFinish() backs off a crash loop up to the cap (golden), reset by a requested stop", async () => {
  const s: ServiceSpec = { ...spec, restartMaxDelayMs: 60_000 };
  const text = renderRunitFinish(s);
  await assertGolden("runit/backoff.finish", text);
  assertMatch(
    text,
    /\*"want exit"\*\) rm -f \.\/supervise\/autostart-backoff; exit 0 ;; esac/,
  );
  assertMatch(text, /d=2000; i=0/);
  assertMatch(text, /w=\$\(\(d - 1000\)\)/);
  assertOk(!text.includes("exec sleep"));
  assertOk(!renderRunitFinish({ ...s, keepAlive: "false" }).includes("sleep"));
});

Deno.test("renderRunitFinish() encodes each keep-alive mode", () => {
  const f = (k: ServiceSpec["keepAlive"]) =>
    renderRunitFinish({ ...spec, keepAlive: k });
  assertMatch(f("on-failure"), /if \[ "\$1" = 0 \]; then\n {2}printf o/);
  assertMatch(f("on-failure"), /\*"want down"\*\) break/);
  assertOk(!f("always").includes("printf o"));
  assertMatch(f("always"), /exec sleep 2/);
  assertOk(!f("false").includes("sleep"));
  assertMatch(
    renderRunitRun({ ...spec, keepAlive: "false" }),
    /^printf o >supervise\/control$/m,
  );
  assertMatch(renderRunitDown(spec), /Managed by autostart/);
});

Deno.test("runitDriver.plan() writes the service directory and links it (fresh)", async () => {
  const ctx = runitContext();
  const plan = runitDriver.plan(spec, ctx);
  await apply(plan, { runner: ctx.runner, fs: ctx.fs });
  assertEquals(ctx.runner.lines(), [
    "ln -s /etc/sv/autostart-web /etc/service/autostart-web",
  ]);
  const f = ctx.fs.files.get("/etc/sv/autostart-web/run");
  assertOk(f);
  assertEquals(f.mode, 0o755);
  assertEquals(ctx.fs.files.get("/etc/sv/autostart-web/finish")?.mode, 0o755);
  assertEquals(
    ctx.fs.files.get("/etc/sv/autostart-web/log/run")?.mode,
    0o755,
  );
  assertEquals(ctx.fs.files.has("/etc/sv/autostart-web/down"), false);
  assertOk(ctx.fs.dirs.has("/var/log/autostart/web"));
});

Deno.test("runitDriver.plan() --no-start writes a down file and says so", () => {
  const ctx = runitContext();
  const plan = runitDriver.plan({ ...spec, start: false }, ctx);
  assertMatch(describePlan(plan), /write \/etc\/sv\/autostart-web\/down/);
  assertMatch(plan.notes!.join("\n"), /will not start "web"/);
});

Deno.test("runitDriver.plan() of a running service rewrites the files and restarts it", async () => {
  const ctx = runitContext();
  await apply(
    runitDriver.plan(spec, ctx, { enabled: true, running: true }),
    { runner: ctx.runner, fs: ctx.fs },
  );
  assertEquals(ctx.runner.lines(), [
    "sv -w 10 force-stop /etc/sv/autostart-web",
    "sv up /etc/sv/autostart-web",
  ]);
});

Deno.test("runitDriver.plan() for boot needs root; login uses the user's directories", () => {
  assertThrows(
    () => runitDriver.plan(spec, runitContext({ self: ALICE })),
    UsageError,
  );
  const ctx = fakeContext();
  const plan = runitDriver.plan(
    { ...spec, condition: "login", runAs: undefined } as ServiceSpec,
    ctx,
  );
  const text = describePlan(plan);
  assertMatch(
    text,
    /write \/home\/alice\/\.local\/share\/autostart\/runit\/autostart-web\/run/,
  );
  assertMatch(text, /\/home\/alice\/service\/autostart-web/);
  assertMatch(text, /\/home\/alice\/\.local\/state\/autostart\/log\/web/);
});

Deno.test("runitDriver honours SVDIR and AUTOSTART_RUNIT_SV_DIR", () => {
  const ctx = runitContext({
    env: {
      PATH: "/usr/bin",
      SVDIR: "/tmp/svc/",
      AUTOSTART_RUNIT_SV_DIR: "/tmp/stage",
    },
  });
  const run = runitDriver.plan(spec, ctx).steps.find((s) => s.kind === "run");
  assertEquals(
    run?.kind === "run" && run.argv,
    ["ln", "-s", "/tmp/stage/autostart-web", "/tmp/svc/autostart-web"],
  );
});

Deno.test("runitDriver.planDisable() unlinks, stops runsv, removes the files it wrote and the emptied directories", async () => {
  const ctx = runitContext();
  await apply(runitDriver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs });
  ctx.runner.calls.length = 0;
  await apply(
    runitDriver.planDisable({ name: "web", condition: "boot" }, ctx),
    { runner: ctx.runner, fs: ctx.fs },
  );
  assertEquals(ctx.runner.lines(), [
    "rm -f /etc/service/autostart-web",
    "sv -w 10 force-shutdown /etc/sv/autostart-web",
    "rm -rf -- /etc/sv/autostart-web/supervise /etc/sv/autostart-web/log/supervise",
    "rmdir -- /etc/sv/autostart-web/log",
    "rmdir -- /etc/sv/autostart-web",
  ]);
  assertEquals(
    Object.keys(ctx.fs.snapshot()).filter((p) => p.startsWith("/etc/sv")),
    [],
  );
});

Deno.test("runitDriver.planDisable() keeps a backup and the user's files in the service directory", async () => {
  const ctx = runitContext();
  await apply(runitDriver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs });
  ctx.fs.files.set("/etc/sv/autostart-web/notes.txt", {
    content: "mine",
    mode: 0o644,
  });
  // a hand edit of run: backed up before removal
  const run = ctx.fs.files.get("/etc/sv/autostart-web/run")!;
  run.content = run.content.replace("exec 2>&1", "exec 2>&1\necho edited");
  const r = await apply(
    runitDriver.planDisable({ name: "web", condition: "boot" }, ctx),
    { runner: ctx.runner, fs: ctx.fs },
  );
  assertEquals(r.backups, ["/etc/sv/autostart-web/run.autostart-backup"]);
  assertEquals(
    Object.keys(ctx.fs.snapshot()).filter((p) => p.startsWith("/etc/sv")),
    [
      "/etc/sv/autostart-web/notes.txt",
      "/etc/sv/autostart-web/run.autostart-backup",
    ],
  );
  assertEquals(
    ctx.runner.lines().some((l) => l === "rm -rf -- /etc/sv/autostart-web"),
    false,
  );
});

Deno.test("runitDriver.planControl() maps start/stop/restart to sv", () => {
  const ctx = runitContext();
  const ref = { name: "web", condition: "boot" as const };
  const lines = (a: "start" | "stop" | "restart") =>
    runitDriver.planControl(ref, a, ctx).steps.map((s) =>
      s.kind === "run" ? s.argv.join(" ") : `${s.kind} ${s.path}`
    );
  assertEquals(lines("stop"), ["sv -w 10 force-stop /etc/sv/autostart-web"]);
  assertEquals(lines("start"), [
    "remove /etc/sv/autostart-web/down",
    "sv up /etc/sv/autostart-web",
  ]);
  assertEquals(lines("restart"), [
    "remove /etc/sv/autostart-web/down",
    "sv -w 10 force-stop /etc/sv/autostart-web",
    "sv up /etc/sv/autostart-web",
  ]);
});

/**
 * A model of the link and runsv state behind the runner, so a rollback can be checked:
 * `ln -s` / `ln -sfn` create the link, `rm -f` removes it, `rm -rf` removes files.
 */
function modelRunner(fs: MemoryFs, failAt: string | null) {
  const links = new Set<string>();
  const runner = new FakeRunner([{
    match: () => true,
    result: (argv) => {
      const line = argv.join(" ");
      if (line === failAt) return { code: 1, stderr: "injected failure" };
      if (argv[0] === "ln") links.add(argv[argv.length - 1]!);
      if (argv[0] === "rm" && argv[1] === "-f") links.delete(argv[2]!);
      if (argv[0] === "rm" && argv[1] === "-rf") {
        const dir = argv[3]!;
        for (const p of [...fs.files.keys()]) {
          if (p.startsWith(dir + "/")) fs.files.delete(p);
        }
        for (const d of [...fs.dirs]) {
          if (d === dir || d.startsWith(dir + "/")) fs.dirs.delete(d);
        }
      }
      return { code: 0 };
    },
  }]);
  return { runner, links };
}

function stepKey(s: Plan["steps"][number]): string {
  return s.kind === "run" ? s.argv.join(" ") : `${s.kind} ${s.path}`;
}

Deno.test("runit enable and disable roll back completely when any step fails", async () => {
  const cases: {
    what: string;
    plan: (ctx: Context) => Plan;
    prior: boolean;
  }[] = [
    { what: "enable", plan: (c) => runitDriver.plan(spec, c), prior: false },
    {
      what: "re-enable",
      plan: (c) =>
        runitDriver.plan({ ...spec, args: ["x"] }, c, {
          enabled: true,
          running: true,
        }),
      prior: true,
    },
    {
      what: "disable",
      plan: (c) =>
        runitDriver.planDisable({ name: "web", condition: "boot" }, c),
      prior: true,
    },
  ];
  let checked = 0;
  for (const k of cases) {
    const steps = k.plan(runitContext()).steps;
    for (const step of steps) {
      const ctx = runitContext();
      const { runner, links } = modelRunner(ctx.fs, null);
      if (k.prior) {
        await apply(runitDriver.plan(spec, ctx), { runner, fs: ctx.fs });
      }
      const before = JSON.stringify([
        ctx.fs.snapshot(),
        [...ctx.fs.dirs].sort(),
        [...links].sort(),
      ]);
      const key = stepKey(step);
      const failing = modelRunner(ctx.fs, step.kind === "run" ? key : null);
      for (const l of links) failing.links.add(l);
      ctx.fs.failOn = step.kind === "run"
        ? undefined
        : (op, path) => path === step.path && op !== "read";
      let failed = false;
      try {
        await apply(k.plan(ctx), { runner: failing.runner, fs: ctx.fs });
      } catch {
        failed = true;
      }
      ctx.fs.failOn = undefined;
      if (!failed) continue; // a step that cannot fail (e.g. removing a missing file)
      const after = JSON.stringify([
        ctx.fs.snapshot(),
        [...ctx.fs.dirs].sort(),
        [...failing.links].sort(),
      ]);
      assertEquals(after, before, `${k.what}: failure at "${key}"`);
      checked++;
    }
  }
  assertOk(checked >= 10, `${checked} failure points checked`);
});

Deno.test("parseSvStatus() and runitState() read sv status lines", () => {
  const out = [
    "run: /etc/sv/autostart-a: (pid 42) 7s; run: log: (pid 41) 7s",
    "down: /etc/sv/autostart-b: 3s, normally up; run: log: (pid 5) 10s",
    "down: /etc/sv/autostart-c: 1s, normally up, want up",
    "finish: /etc/sv/autostart-d: (pid 9) 0s",
    "fail: /etc/sv/autostart-e: runsv not running",
    "warning: /etc/sv/autostart-f: unable to open supervise/ok: file does not exist",
  ].join("\n");
  const s = (n: string) => parseSvStatus(out, `/etc/sv/autostart-${n}`);
  assertEquals(s("a")?.pid, 42);
  assertEquals(s("a")?.seconds, 7);
  assertEquals(
    ["a", "b", "c", "d", "e", "f", "g"].map((n) => runitState(s(n))),
    [
      "running",
      "stopped",
      "starting",
      "starting",
      "not-loaded",
      "not-loaded",
      "unknown",
    ],
  );
  assertEquals(s("b")?.flags, ["normally up"]);
});

Deno.test("runitDriver.status() reads every service in one sv status call", async () => {
  const ctx = runitContext();
  for (const n of ["a", "b"]) {
    await apply(runitDriver.plan({ ...spec, name: n }, ctx), {
      runner: ctx.runner,
      fs: ctx.fs,
    });
  }
  ctx.fs.files.set("/etc/service/autostart-a", { content: "", mode: 0o777 });
  ctx.runner.calls.length = 0;
  ctx.runner.on(["sv", "status"], {
    stdout: "run: /etc/sv/autostart-a: (pid 42) 7s; run: log: (pid 41) 7s\n" +
      "down: /etc/sv/autostart-b: 3s, normally up\n",
  });
  const list = await runitDriver.status("boot", ctx);
  assertEquals(ctx.runner.lines(), [
    "sv status /etc/sv/autostart-a /etc/sv/autostart-b",
  ]);
  assertEquals(list.map((s) => [s.name, s.state, s.pid, s.enabled]), [
    ["a", "running", 42, true],
    ["b", "stopped", null, false],
  ]);
  assertEquals(await runitDriver.status("login", ctx), []);
  const run = ctx.fs.files.get("/etc/sv/autostart-a/run")!;
  run.content = run.content.replace("8080", "9090");
  assertEquals(
    (await runitDriver.status("boot", ctx, ["a"]))[0]!.drifted,
    true,
  );
});

Deno.test("runitDriver.available() needs sv and a runsvdir on the service directory", async () => {
  assertEquals(await runitDriver.available(runitContext(), "boot"), {
    available: true,
  });
  const none = runitContext();
  none.fs.files.delete("/proc/1/cmdline");
  const a = await runitDriver.available(none, "boot");
  assertEquals(a.available, false);
  assertMatch(a.reason!, /no runsvdir watches \/etc\/service/);
  const nosv = runitContext();
  nosv.fs.files.delete("/usr/bin/sv");
  assertMatch(
    (await runitDriver.available(nosv, "boot")).reason!,
    /apt-get install runit/,
  );
  const login = await runitDriver.available(
    runitContext({
      self: ALICE,
      env: { PATH: "/usr/bin", HOME: "/home/alice" },
    }),
    "login",
  );
  assertMatch(login.reason!, /per-user runsvdir/);
  assertEquals(
    parseRunsvdirCmdline("/usr/bin/runsvdir\0-P\0/etc/service\0log: x\0"),
    "/etc/service",
  );
  assertEquals(parseRunsvdirCmdline("bash\0"), null);
});

Deno.test("runitDriver.logs() tails the svlogd current file", async () => {
  const ctx = runitContext();
  await apply(runitDriver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs });
  ctx.fs.files.set("/var/log/autostart/web/current", {
    content: "one\ntwo\nthree\n",
    mode: 0o644,
  });
  const got: string[] = [];
  for await (
    const l of runitDriver.logs!(
      { name: "web", condition: "boot" },
      { lines: 2, follow: false },
      ctx,
    )
  ) got.push(l);
  assertEquals(got, ["two", "three"]);
});

Deno.test("enable --driver=runit through the CLI, and exit 3 where runit is not running", async () => {
  const ctx = runitContext({ sudoUser: "alice" });
  const r = await runCli(
    ["enable", "web", "--driver=runit", "--condition=boot", "--", "/bin/sh"],
    ctx,
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /Enabled "web" \(runit/);
  const off = runitContext({ sudoUser: "alice" });
  off.fs.files.delete("/proc/1/cmdline");
  const r3 = await runCli(
    ["enable", "web", "--driver=runit", "--condition=boot", "--", "/bin/sh"],
    off,
  );
  assertEquals(r3.code, 3);
  assertMatch(r3.stderr, /Driver runit is not available here: no runsvdir/);
  assertOk(builtinRegistry().get("runit"));
});

Deno.test("renderRunitRun() sets the environment only after chpst switched user: nothing reaches root's chpst", () => {
  const text = renderRunitRun(
    {
      ...spec,
      condition: "boot",
      runAs: ALICE,
      env: [["LD_PRELOAD", "/home/alice/x.so"]],
    },
    { envFile: "/etc/autostart/env/web.env" },
  );
  const root = text.slice(0, text.indexOf('exec "$1"'));
  assertOk(!/export|set -a|\. /.test(root), root);
  assertMatch(
    text,
    /^exec "\$1" -u 'alice:alice' \/bin\/sh -c 'set -a\n\. '\\''\/etc\/autostart\/env\/web\.env'\\''\nset \+a\nexport LD_PRELOAD=/m,
  );
});

Deno.test("runitDriver.plan() writes the env-file copy 0600, owned by the user the run script switches to", () => {
  const ctx = fakeContext({ self: ROOT_USER });
  const plan = runitDriver.plan({
    ...spec,
    condition: "boot",
    runAs: ALICE,
    envFile: { source: "/root/app.env", vars: [["API_TOKEN", "x"]] },
  }, ctx);
  const copy = plan.steps.find((s) =>
    s.kind === "write" && s.path === "/etc/autostart/env/web.env"
  );
  assertOk(copy?.kind === "write");
  assertEquals(copy.mode, 0o600);
  assertEquals(copy.owner, { uid: ALICE.uid, gid: ALICE.gid });
  // The service's own file comes first: enable names the first file it writes.
  const run = plan.steps.find((s) => s.kind === "write");
  assertEquals(run?.path, "/etc/sv/autostart-web/run");
  assertOk(run?.kind === "write" && !run.content.includes("API_TOKEN"));
  const off = runitDriver.planDisable({ name: "web", condition: "boot" }, ctx);
  assertOk(
    off.steps.some((s) =>
      s.kind === "remove" && s.path === "/etc/autostart/env/web.env"
    ),
  );
});

Deno.test("runitDriver is not available for boot services when SVDIR or AUTOSTART_RUNIT_SV_DIR is a directory others can write", async () => {
  const ctx = (env: Record<string, string>) => ({
    ...fakeContext({ self: ROOT_USER, env: { PATH: "/usr/bin", ...env } }),
    fs: denoFs,
  });
  const stage = await unsafeEnvDirs(
    "boot",
    ctx({ AUTOSTART_RUNIT_SV_DIR: "/tmp/autostart-no-such/sv" }),
  );
  assertMatch(
    stage ?? "",
    /^AUTOSTART_RUNIT_SV_DIR=\/tmp\/autostart-no-such\/sv cannot hold boot services: \/tmp is writable by group or others/,
  );
  assertMatch(
    (await unsafeEnvDirs("boot", ctx({ SVDIR: "/var/tmp" }))) ?? "",
    /^SVDIR=\/var\/tmp cannot hold boot services/,
  );
  assertEquals(
    await unsafeEnvDirs("boot", ctx({ SVDIR: "/etc/service" })),
    null,
  );
  // login services live in the user's own directories
  assertEquals(
    await unsafeEnvDirs("login", ctx({ AUTOSTART_RUNIT_SV_DIR: "/tmp/x" })),
    null,
  );
  const a = await runitDriver.available(
    ctx({ AUTOSTART_RUNIT_SV_DIR: "/tmp/x" }),
    "boot",
  );
  assertEquals(a.available, false);
});

Deno.test("readRunitFiles() records the env-file copy, for root and for another user", () => {
  const copy = "/etc/autostart/env/it's.env";
  for (const runAs of [undefined, ALICE]) {
    const s: ServiceSpec = { ...spec, condition: "boot", env: [["A", "1"]] };
    if (runAs) s.runAs = runAs;
    const run = renderRunitRun(s, { envFile: copy });
    const f = readRunitFiles({ run, finish: null, logRun: null }, "/x", false);
    assertEquals(f.envFile, copy, run);
    assertEquals(f.env, [["A", "1"]]);
    assertEquals(f.program, spec.program);
  }
});
