import {
  assertEquals,
  assertMatch,
  assertOk,
  assertRejects,
  assertThrows,
} from "../tests/assert.ts";
import {
  ALICE,
  assertGolden,
  fakeContext,
  ROOT_USER,
  runCli,
} from "../tests/helpers.ts";
import { apply } from "../core/apply.ts";
import { UsageError } from "../core/errors.ts";
import { MemoryFs } from "../core/fake.ts";
import type { ServiceSpec } from "../core/spec.ts";
import {
  openrcDriver,
  openrcState,
  openrcValue,
  parseRcStatus,
  readOpenrcScript,
  renderOpenrcScript,
} from "./openrc.ts";

const spec: ServiceSpec = {
  name: "web",
  program: "/usr/bin/python3",
  args: ["-m", "http.server", "8080"],
  condition: "boot",
  keepAlive: "always",
  env: [],
  restartDelayMs: 2000,
  start: true,
  runAs: ALICE,
};

const GOLDEN_SPECS: Record<string, ServiceSpec> = {
  "always-alice": spec,
  "always-root-env-cwd": {
    ...spec,
    runAs: ROOT_USER,
    env: [["PATH", "/usr/bin:/bin"], ["MODE", "prod"]],
    cwd: "/srv/web",
    logDir: "/var/log/web",
    restartDelayMs: 500,
  },
  "false": { ...spec, keepAlive: "false", args: [] },
  "awkward": {
    ...spec,
    program: "/opt/my prog/it's $HOME",
    args: [
      "it's",
      'say "hi"',
      "$(touch /tmp/pwned)",
      "`id`",
      "two  spaces",
      " lead",
      "trail ",
      "",
      "\\",
      "*",
      "ünï ✓",
      "cr\rx",
    ],
    env: [["A", "x'y"], ["B", "$PATH"]],
    cwd: "/srv/q'd $x",
  },
};

for (const [name, s] of Object.entries(GOLDEN_SPECS)) {
  Deno.test(`OpenRC init script (${name}) matches its golden file`, async () => {
    await assertGolden(`openrc/${name}`, renderOpenrcScript(s));
  });
}

/**
 * What openrc-run does with the script: source it, then `eval` the values into a
 * command line (as its supervise-daemon and start-stop-daemon helpers do). A printer
 * stands in for supervise-daemon and prints the words it would receive.
 */
async function evalAsOpenrc(script: string): Promise<{
  command: string[];
  args: string[];
  user: string[];
  directory: string[];
  env: Record<string, string | null>;
}> {
  const sh = ["dash", "sh"].find((x) =>
    new Deno.Command("sh", { args: ["-c", `command -v ${x}`] }).outputSync()
      .success
  )!;
  const harness = [
    'words() { printf "%s\\0" "$@"; printf "\\1"; }',
    '. "$1"',
    "eval words $command",
    "eval words -- $command_args",
    "eval words $command_user",
    "eval words $directory",
    'printf "%s\\0" "${A-unset}" "${B-unset}"',
  ].join("\n");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/script`, script);
    const o = await new Deno.Command(sh, {
      args: ["-c", harness, "sh", `${dir}/script`],
    }).output();
    assertEquals(o.code, 0, new TextDecoder().decode(o.stderr));
    const parts = new TextDecoder().decode(o.stdout).split("\x01");
    const split = (s: string) => s.split("\0").slice(0, -1);
    const env = split(parts[4]!);
    return {
      command: split(parts[0]!),
      args: split(parts[1]!).slice(1),
      user: split(parts[2]!),
      directory: split(parts[3]!),
      env: {
        A: env[0] === "unset" ? null : env[0]!,
        B: env[1] === "unset" ? null : env[1]!,
      },
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("OpenRC values survive openrc-run's eval exactly (sh)", async () => {
  const s = GOLDEN_SPECS.awkward!;
  const got = await evalAsOpenrc(renderOpenrcScript(s));
  // A service of another user: the program runs through a shell that sets the
  // environment as that user; openrc-run (root) and supervise-daemon see none of it.
  assertEquals(got.command, ["/bin/sh"]);
  assertEquals(got.args[0], "-c");
  assertEquals(got.args.slice(2), [s.program, ...s.args]);
  assertEquals(got.user, ["alice:alice"]);
  assertEquals(got.directory, [s.cwd!]);
  assertEquals(got.env, { A: null, B: null });
  const o = await new Deno.Command("/bin/sh", {
    args: ["-c", got.args[1]!, "/usr/bin/env"],
    clearEnv: true,
  }).output();
  const env = new TextDecoder().decode(o.stdout).split("\n");
  assertOk(env.includes("A=x'y") && env.includes("B=$PATH"), env.join("\n"));
  const root = await evalAsOpenrc(
    renderOpenrcScript({ ...s, runAs: ROOT_USER }),
  );
  assertEquals(root.command, [s.program]);
  assertEquals(root.args, s.args);
  assertEquals(root.env, { A: "x'y", B: "$PATH" });
  assertEquals(openrcValue(["a b"]), `"a' 'b"`);
  assertThrows(
    () => renderOpenrcScript({ ...s, env: [["M", "two\nlines"]] }),
    /Invalid value of M for OpenRC: it contains a tab or a newline/,
  );
  // through the env file (sourced by the user's shell) any value goes
  assertOk(
    renderOpenrcScript({ ...s, env: [] }, {
      envFile: "/etc/autostart/env/web.env",
    })
      .includes("/etc/autostart/env/web.env"),
  );
  for (const bad of ["a\nb", "a\tb"]) {
    assertThrows(
      () => renderOpenrcScript({ ...spec, args: [bad] }),
      UsageError,
      "openrc-run's eval cannot pass exactly",
    );
  }
});

Deno.test("renderOpenrcScript() maps keep-alive to supervise-daemon or a one-shot background start", () => {
  const always = renderOpenrcScript(spec);
  assertMatch(always, /^supervisor=supervise-daemon$/m);
  assertMatch(always, /^respawn_delay=2$/m);
  assertMatch(always, /^respawn_max=0$/m);
  const once = renderOpenrcScript({ ...spec, keepAlive: "false" });
  assertOk(!once.includes("supervise-daemon"));
  assertMatch(once, /^command_background=yes$/m);
  assertMatch(
    renderOpenrcScript({ ...spec, restartDelayMs: 0 }),
    /^respawn_delay=1$/m,
  );
});

Deno.test("openrcDriver declines on-failure and login, naming the drivers that can", async () => {
  assertEquals(openrcDriver.keepAlive.includes("on-failure"), false);
  const fs = new MemoryFs({ "/run/openrc/softlevel": "default\n" });
  const ctx = fakeContext({ self: ROOT_USER, sudoUser: "alice", fs });
  const r = await runCli(
    ["enable", "web", "--driver=openrc", "--condition=boot", "--", "/bin/sh"],
    ctx,
  );
  assertEquals(r.code, 3);
  assertMatch(r.stderr, /Keep-alive "on-failure" is not supported by openrc/);
  assertMatch(r.stderr, /drivers that can: systemd, runit/);
  const l = await runCli(
    [
      "enable",
      "web",
      "--driver=openrc",
      "--keep-alive=always",
      "--",
      "/bin/sh",
    ],
    fakeContext({ fs }),
  );
  assertEquals(l.code, 3);
  assertMatch(l.stderr, /Condition "login" is not supported by openrc/);
  const ok = await runCli(
    [
      "enable",
      "web",
      "--driver=openrc",
      "--condition=boot",
      "--keep-alive=always",
      "--",
      "/bin/sh",
    ],
    ctx,
  );
  assertEquals(ok.code, 0, ok.stderr);
  // (then the wait reads the state with rc-status)
  assertEquals(
    ctx.runner.lines().filter((l) => !l.startsWith("rc-status")).slice(-2),
    [
      "rc-update add autostart-web default",
      "rc-service autostart-web restart",
    ],
  );
});

Deno.test("openrcDriver plans: enable rolls back, disable removes, control uses rc-service", async () => {
  const ctx = fakeContext({ self: ROOT_USER });
  ctx.runner.on(["rc-service", "autostart-web", "restart"], {
    code: 1,
    stderr: "ERROR: autostart-web failed to start",
  });
  let error = "";
  await apply(openrcDriver.plan(spec, ctx), { runner: ctx.runner, fs: ctx.fs })
    .catch((e) => error = String(e));
  assertMatch(
    error,
    /Cannot start the service: rc-service autostart-web restart/,
  );
  assertEquals(ctx.fs.files.has("/etc/init.d/autostart-web"), false);
  assertEquals(ctx.runner.lines().slice(-1), [
    "rc-update del autostart-web default",
  ]);

  const ok = fakeContext({ self: ROOT_USER });
  await apply(openrcDriver.plan(spec, ok), { runner: ok.runner, fs: ok.fs });
  assertEquals(ok.fs.files.get("/etc/init.d/autostart-web")?.mode, 0o755);
  assertOk(ok.fs.dirs.has("/var/log/autostart"));
  ok.runner.calls.length = 0;
  await apply(
    openrcDriver.planDisable({ name: "web", condition: "boot" }, ok),
    { runner: ok.runner, fs: ok.fs },
  );
  assertEquals(ok.runner.lines(), [
    "rc-update del autostart-web default",
    "rc-service autostart-web stop",
  ]);
  assertEquals(ok.fs.files.has("/etc/init.d/autostart-web"), false);
  assertEquals(
    openrcDriver.planControl({ name: "web", condition: "boot" }, "restart", ok)
      .steps.map((s) => s.kind === "run" ? s.argv.join(" ") : s.kind),
    ["rc-service autostart-web restart"],
  );
  assertThrows(() => openrcDriver.plan(spec, fakeContext()), UsageError);
});

Deno.test("openrcDriver.status() reads rc-status --all once", async () => {
  const ctx = fakeContext({ self: ROOT_USER });
  for (const n of ["a", "b", "c"]) {
    await apply(openrcDriver.plan({ ...spec, name: n }, ctx), {
      runner: ctx.runner,
      fs: ctx.fs,
    });
  }
  ctx.runner.calls.length = 0;
  ctx.runner.on(["rc-status"], {
    stdout: [
      "Runlevel: default",
      " sshd                                                      [  started  ]",
      " autostart-a                                               [  started  ]",
      " autostart-b                                               [  crashed  ]",
      "Dynamic Runlevel: hotplugged",
      "Dynamic Runlevel: manual",
      " autostart-c                                               [  stopped  ]",
      "",
    ].join("\n"),
  });
  const list = await openrcDriver.status("boot", ctx);
  assertEquals(ctx.runner.lines(), ["rc-status --all"]);
  assertEquals(list.map((s) => [s.name, s.state, s.enabled]), [
    ["a", "running", true],
    ["b", "failed", true],
    ["c", "stopped", false],
  ]);
  assertEquals(parseRcStatus("").size, 0);
  assertEquals(openrcState("weird"), "unknown");
  assertEquals(await openrcDriver.status("login", ctx), []);
});

Deno.test("openrcDriver.available() looks for a running OpenRC", async () => {
  assertMatch(
    (await openrcDriver.available(fakeContext())).reason!,
    /OpenRC is not running/,
  );
  const fs = new MemoryFs({ "/run/openrc/softlevel": "default\n" });
  assertEquals(await openrcDriver.available(fakeContext({ fs })), {
    available: true,
  });
});

Deno.test("openrcDriver.plan(): the service user gets its own log directory; /var/log/autostart stays root's", async () => {
  // start-stop-daemon and supervise-daemon open output_log after switching to
  // command_user (OpenRC src/start-stop-daemon: setuid, then open).
  const ctx = fakeContext({ self: ROOT_USER });
  const alice = { ...spec, runAs: ALICE };
  const mkdir = openrcDriver.plan(alice, ctx).steps.find((s) =>
    s.kind === "mkdir" && s.path.startsWith("/var/log")
  );
  assertEquals(mkdir, {
    kind: "mkdir",
    path: "/var/log/autostart/web",
    owner: { uid: ALICE.uid, gid: ALICE.gid },
    secure: true,
  });
  await apply(openrcDriver.plan(alice, ctx), {
    runner: ctx.runner,
    fs: ctx.fs,
  });
  assertEquals((await ctx.fs.stat("/var/log/autostart"))?.uid, 0);
  assertEquals((await ctx.fs.stat("/var/log/autostart/web"))?.uid, ALICE.uid);
  // a shared log root a user took over (an older autostart gave it away) is refused
  const old = fakeContext({ self: ROOT_USER });
  old.fs.setInfo("/var/log/autostart", { uid: ALICE.uid, gid: ALICE.gid });
  await assertRejects(
    () =>
      apply(openrcDriver.plan({ ...alice, name: "api" }, old), {
        runner: old.runner,
        fs: old.fs,
      }),
    /\/var\/log\/autostart .*owned by uid 1000, not root/,
  );
});

Deno.test("openrcDriver.plan() says supervise-daemon cannot back off, instead of dropping the cap", () => {
  const ctx = fakeContext({ self: ROOT_USER });
  const withCap = openrcDriver.plan(
    { ...spec, restartMaxDelayMs: 60_000 },
    ctx,
  );
  assertMatch(
    withCap.notes?.join("\n") ?? "",
    /supervise-daemon has no backoff: "web" is restarted every \d+s/,
  );
  assertEquals(openrcDriver.plan(spec, ctx).notes, undefined);
});

Deno.test("readOpenrcScript() records the env-file copy, for root and for another user", () => {
  const copy = "/etc/autostart/env/it's.env";
  const asRoot = readOpenrcScript(
    renderOpenrcScript({ ...spec, env: [["A", "1"]] }, { envFile: copy }),
  );
  assertEquals(asRoot.envFile, copy);
  assertEquals(asRoot.env, [["A", "1"]]);
  const other = readOpenrcScript(
    renderOpenrcScript({ ...spec, runAs: ALICE, env: [] }, { envFile: copy }),
  );
  assertEquals(other.envFile, copy);
  assertEquals(other.program, spec.program);
  assertEquals(readOpenrcScript(renderOpenrcScript(spec)).envFile, undefined);
});
