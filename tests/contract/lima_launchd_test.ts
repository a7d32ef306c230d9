/**
 * The Lima preset on macOS, without a Mac: `autostart lima` run in-process in a darwin
 * context on the launchd model (tests/launchd_model.ts). LaunchAgents are real files
 * under a temporary home (the preset finds limactl and instances on disk); the model
 * plays the host agent when launchd starts it (a "running" event in ha.stdout.log) and
 * takes as long to stop as a VM does. LaunchDaemons live in a MemoryFs (/Library).
 */

import { parse } from "plist";
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { denoFs, type FileSystem } from "../../core/fs.ts";
import type { Context } from "../../core/context.ts";
import { macCli, macRootContext } from "../launchd_helpers.ts";
import { diskStat, LaunchdModel, MAC_ALICE } from "../launchd_model.ts";
import { limaMachine } from "../lima_machine.ts";

/** The LaunchAgent limactl writes (Lima v2.2 template, keep-alive on). */
const limaWrittenPlist = (limactl: string, dir: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>Label</key>
\t<string>io.lima-vm.autostart.default</string>
\t<key>ProgramArguments</key>
\t<array>
\t\t<string>${limactl}</string>
\t\t<string>start</string>
\t\t<string>default</string>
\t\t<string>--foreground</string>
\t</array>
\t<key>RunAtLoad</key>
\t<true/>
\t<key>KeepAlive</key>
\t<dict>
\t\t<key>SuccessfulExit</key>
\t\t<false/>
\t</dict>
\t<key>StandardErrorPath</key>
\t<string>launchd.stderr.log</string>
\t<key>StandardOutPath</key>
\t<string>launchd.stdout.log</string>
\t<key>WorkingDirectory</key>
\t<string>${dir}</string>
\t<key>ProcessType</key>
\t<string>Background</string>
</dict>
</plist>
`;

interface Rig {
  model: LaunchdModel;
  ctx: Context;
  home: string;
  bin: string;
  limaHome: string;
  instance: string;
  /** launchctl calls that change launchd. */
  changes(): string[];
  cli(argv: string[], ctx?: Context): ReturnType<LaunchdModel["cli"]>;
  cleanup(): Promise<void>;
}

/** The host agent of `label` on the model: reports the VM running when started. */
function hostAgent(
  model: LaunchdModel,
  label: string,
  dir: string,
  stopMs: number,
) {
  model.program(label, {
    stopMs,
    onSpawn: () =>
      Deno.writeTextFile(
        `${dir}/ha.stdout.log`,
        '{"time":"now","status":{"running":true}}\n',
        { append: true },
      ),
  });
}

/** A temporary home with limactl and instances "default" and "other", on a model. */
async function rig(stopMs = 0): Promise<Rig> {
  const root = await Deno.makeTempDir({ prefix: "autostart-lima-mac-" });
  const home = `${root}/home`, bin = `${root}/bin`;
  const limaHome = `${home}/.lima`, instance = `${limaHome}/default`;
  for (const d of [bin, instance, `${limaHome}/other`]) {
    await Deno.mkdir(d, { recursive: true });
  }
  for (const d of [instance, `${limaHome}/other`]) {
    await Deno.writeTextFile(`${d}/lima.yaml`, "");
  }
  await Deno.writeTextFile(`${bin}/limactl`, "#!/bin/sh\nexit 0\n", {
    mode: 0o755,
  });
  const fs: FileSystem = {
    ...denoFs,
    exists: (p) =>
      p === "/bin/launchctl" ? Promise.resolve(true) : denoFs.exists(p),
  };
  const user = { ...MAC_ALICE, home };
  const model = new LaunchdModel({ fs, stat: diskStat, users: [user] });
  hostAgent(model, "io.lima-vm.autostart.default", instance, stopMs);
  const ctx = model.context({
    self: user,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home },
    cwd: home,
  });
  return {
    model,
    ctx,
    home,
    bin,
    limaHome,
    instance,
    changes: () => model.changes(),
    cli: (argv, c = ctx) => model.cli(argv, c),
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

const exists = (p: string) => Deno.lstat(p).then(() => true, () => false);

Deno.test("lima enable (LaunchAgent) on the launchd model: Lima's label, file and command sequence, then waits for the VM", async () => {
  const r = await rig();
  try {
    const label = "io.lima-vm.autostart.default";
    const plist = `${r.home}/Library/LaunchAgents/${label}.plist`;
    const en = await r.cli(["lima", "enable", "default"]);
    assertEquals(en.code, 0, en.stderr);
    assertEquals(r.changes(), [
      `bootout gui/501/${label}`,
      `enable gui/501/${label}`,
      `bootstrap gui/501 ${plist}`,
    ]);
    assertMatch(en.stdout, /Enabled Lima instance "default" \(launchd-agent/);
    assertMatch(en.stdout, /Lima instance "default" is running/);
    const obj = parse(await Deno.readTextFile(plist)) as Record<
      string,
      unknown
    >;
    assertEquals(obj.ProgramArguments, [
      `${r.bin}/limactl`,
      "start",
      "default",
      "--foreground",
    ]);
    assertEquals(obj.WorkingDirectory, r.instance);
    const env = obj.EnvironmentVariables as Record<string, string>;
    assertOk(env.PATH!.startsWith(`${r.bin}:`), env.PATH);
    assertOk(!("LIMA_HOME" in env), "LIMA_HOME is carried only when set");
    assertEquals((await Deno.stat(plist)).mode! & 0o777, 0o644);

    r.model.calls.length = 0;
    const st = JSON.parse(
      (await r.cli(["lima", "status", "default", "--json"])).stdout,
    );
    const login = st.instances[0].services.find((s: { condition: string }) =>
      s.condition === "login"
    );
    assertEquals(
      [
        login.state,
        login.owner,
        login.limaRegistered,
        login.enabled,
        login.unit,
      ],
      ["running", "autostart", true, true, label],
    );

    r.model.calls.length = 0;
    const again = await r.cli(["lima", "enable", "default"]);
    assertEquals(again.code, 0, again.stderr);
    assertMatch(again.stdout, /already enabled and up to date/);
    assertEquals(r.changes(), []);

    r.model.calls.length = 0;
    const dis = await r.cli(["lima", "disable", "default"]);
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(r.changes(), [`bootout gui/501/${label}`]);
    assertEquals(await exists(plist), false);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable carries LIMA_HOME into the LaunchAgent when it is set", async () => {
  const r = await rig();
  try {
    r.ctx.env.LIMA_HOME = r.limaHome;
    const en = await r.cli(["lima", "enable", "default", "--no-wait"]);
    assertEquals(en.code, 0, en.stderr);
    const obj = parse(
      await Deno.readTextFile(
        `${r.home}/Library/LaunchAgents/io.lima-vm.autostart.default.plist`,
      ),
    ) as Record<string, Record<string, string>>;
    assertEquals(obj.EnvironmentVariables!.LIMA_HOME, r.limaHome);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable leaves a plist written by limactl alone without --adopt, and takes it over with it", async () => {
  const r = await rig();
  try {
    const label = "io.lima-vm.autostart.default";
    const dir = `${r.home}/Library/LaunchAgents`;
    const plist = `${dir}/${label}.plist`;
    await Deno.mkdir(dir, { recursive: true });
    const theirs = limaWrittenPlist(`${r.bin}/limactl`, r.instance);
    await Deno.writeTextFile(plist, theirs);

    const st = JSON.parse(
      (await r.cli(["lima", "status", "default", "--json"])).stdout,
    );
    const login = st.instances[0].services.find((s: { condition: string }) =>
      s.condition === "login"
    );
    assertEquals([login.owner, login.limaRegistered], ["limactl", true]);

    r.model.calls.length = 0;
    const refused = await r.cli(["lima", "enable", "default"]);
    assertEquals(refused.code, 1);
    assertMatch(
      refused.stderr,
      /written by limactl, not autostart: left alone/,
    );
    assertEquals(r.changes(), []);
    assertEquals(await Deno.readTextFile(plist), theirs);
    const noDisable = await r.cli(["lima", "disable", "default"]);
    assertEquals(noDisable.code, 1);
    assertEquals(await Deno.readTextFile(plist), theirs);

    r.model.calls.length = 0;
    const adopted = await r.cli(
      ["lima", "enable", "default", "--adopt", "--no-wait"],
    );
    assertEquals(adopted.code, 0, adopted.stderr);
    assertEquals(r.changes(), [
      `bootout gui/501/${label}`,
      `enable gui/501/${label}`,
      `bootstrap gui/501 ${plist}`,
    ]);
    assertMatch(await Deno.readTextFile(plist), /Managed by autostart/);
    // The backup is kept where launchd does not read it.
    const backup =
      `${r.home}/Library/Application Support/autostart/backups/${label}.plist.autostart-backup`;
    assertEquals(await Deno.readTextFile(backup), theirs);
    assertMatch(adopted.stdout, new RegExp(`kept as ${RegExp.escape(backup)}`));
    assertEquals(await exists(`${plist}.autostart-backup`), false);
    const obj = parse(await Deno.readTextFile(plist)) as Record<
      string,
      unknown
    >;
    assertEquals(obj.Label, label, "Lima's label is kept");
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable of an unknown instance exits 2 naming the existing ones", async () => {
  const r = await rig();
  try {
    const res = await r.cli(["lima", "enable", "nope"]);
    assertEquals(res.code, 2);
    assertMatch(res.stderr, /Unknown Lima instance "nope"/);
    assertMatch(res.stderr, /existing instances in .*: default, other/);
    assertEquals(r.model.calls, []);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable --condition=boot (LaunchDaemon): Lima's daemon label, root:wheel 0644, UserName, and Lima's command sequence", async () => {
  const r = await rig();
  try {
    const ctx = macRootContext({
      env: {
        PATH: `${r.bin}:/usr/bin:/bin`,
        HOME: "/var/root",
        SUDO_USER: "alice",
        LIMA_HOME: r.limaHome,
      },
    });
    limaMachine({
      bin: r.bin,
      home: r.limaHome,
      instances: ["default", "other"],
      owner: { uid: MAC_ALICE.uid, gid: MAC_ALICE.gid },
    }).machine(ctx.fs);
    const res = await macCli(
      ["lima", "enable", "default", "--condition=boot", "--no-wait"],
      ctx,
    );
    assertEquals(res.code, 0, res.stderr);
    const label = "io.lima-vm.daemon.default";
    const path = `/Library/LaunchDaemons/${label}.plist`;
    assertEquals(ctx.model.changes(), [
      `bootout system/${label}`,
      `enable system/${label}`,
      `bootstrap system ${path}`,
    ]);
    assertEquals(ctx.model.jobs.get(`system/${label}`)?.state, "running");
    const f = ctx.fs.files.get(path)!;
    assertEquals(f.mode, 0o644);
    assertEquals(f.owner, { uid: 0, gid: 0 });
    // launchd's log files: in root's directory, made alice's in advance (launchd may
    // open them as alice); never in the instance directory, which alice owns.
    for (const stream of ["stdout", "stderr"]) {
      assertEquals(
        ctx.fs.files.get(`/Library/Logs/autostart/lima-default.${stream}.log`),
        { content: "", mode: 0o644, owner: { uid: 501, gid: 20 } },
      );
    }
    assertEquals(
      ctx.fs.files.has("/Library/Logs/autostart/default.log"),
      false,
    );
    const obj = parse(f.content) as Record<string, unknown>;
    assertEquals(obj.Label, label);
    assertEquals(obj.UserName, "alice");
    assertEquals(obj.ProgramArguments, [
      `${r.bin}/limactl`,
      "start",
      "default",
      "--foreground",
    ]);
    assertEquals(obj.KeepAlive, { SuccessfulExit: false });
    assertEquals(
      (obj.EnvironmentVariables as Record<string, string>).LIMA_HOME,
      r.limaHome,
    );

    ctx.runner.calls.length = 0;
    const dis = await macCli(
      ["lima", "disable", "default", "--condition=boot"],
      ctx,
    );
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(ctx.model.changes(), [`bootout system/${label}`]);
    assertEquals(ctx.model.jobs.has(`system/${label}`), false);
    assertEquals(ctx.fs.files.has(path), false);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable --condition=boot without sudo needs root; a login service refuses sudo", async () => {
  const r = await rig();
  try {
    const boot = await r.cli(
      ["lima", "enable", "default", "--condition=boot", "--no-wait"],
    );
    assertEquals(boot.code, 2, boot.stderr);
    assertMatch(boot.stderr, /needs root/);
    const ctx = macRootContext({
      env: { PATH: `${r.bin}:/usr/bin:/bin`, SUDO_USER: "alice" },
    });
    const login = await macCli(["lima", "enable", "default"], ctx);
    assertEquals(login.code, 2, login.stderr);
    assertMatch(login.stderr, /run it without sudo/);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable --adopt of a VM running under limactl's LaunchAgent hands it over: running under autostart's plist", async () => {
  // The host agent takes 3 s to shut the VM down (vz; within launchd's 5 s).
  const r = await rig(3000);
  try {
    const label = "io.lima-vm.autostart.default";
    const target = `gui/501/${label}`;
    const dir = `${r.home}/Library/LaunchAgents`;
    const plist = `${dir}/${label}.plist`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      plist,
      limaWrittenPlist(`${r.bin}/limactl`, r.instance),
    );
    // `limactl start` loaded it (RequestStart: bootout, enable, bootstrap).
    const boot = await r.model.runner.run([
      "launchctl",
      "bootstrap",
      "gui/501",
      plist,
    ]);
    assertEquals(boot.code, 0, boot.stderr);
    const vm = r.model.jobs.get(target)!.pid;
    const adopted = await r.cli(["lima", "enable", "default", "--adopt"]);
    assertEquals(adopted.code, 0, adopted.stderr);
    assertMatch(adopted.stdout, /Lima instance "default" is running/);
    const job = r.model.jobs.get(target)!;
    assertEquals(job.state, "running");
    assertOk(job.pid !== vm, "a new host agent");
    assertMatch(await Deno.readTextFile(plist), /Managed by autostart/);
    // The old host agent was stopped cleanly.
    assertEquals(
      r.model.ended.filter((e) => e.pid === vm).map((e) => e.signal),
      [15],
    );
    const st = JSON.parse(
      (await r.cli(["lima", "status", "default", "--json"])).stdout,
    );
    const login = st.instances[0].services.find((s: { condition: string }) =>
      s.condition === "login"
    );
    assertEquals([login.owner, login.state, login.enabled], [
      "autostart",
      "running",
      true,
    ]);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima disable of a VM that needs 60 s to stop returns once launchd has let it go, and removes the plist", async () => {
  const r = await rig(60_000);
  try {
    const label = "io.lima-vm.autostart.default";
    const target = `gui/501/${label}`;
    const plist = `${r.home}/Library/LaunchAgents/${label}.plist`;
    assertEquals((await r.cli(["lima", "enable", "default"])).code, 0);
    const vm = r.model.jobs.get(target)!.pid;
    // launchd gives the host agent the plist's ExitTimeOut (5 s when it sets none),
    // then SIGKILLs it: only an ExitTimeOut of 60 s or more lets the VM shut down.
    const t = (parse(await Deno.readTextFile(plist)) as Record<string, unknown>)
      .ExitTimeOut;
    const timeoutMs = typeof t === "number" ? t * 1000 : 5000;
    const t0 = r.model.now;
    const dis = await r.cli(["lima", "disable", "default"]);
    assertEquals(dis.code, 0, dis.stderr);
    // disable returns once launchd has let the job go, not while the VM still runs.
    assertEquals(r.model.jobs.has(target), false);
    assertEquals(await exists(plist), false);
    assertEquals(
      r.model.ended.filter((e) => e.pid === vm).map((
        e,
      ) => [e.signal, e.at - t0]),
      [timeoutMs >= 60_000 ? [15, 60_000] : [9, timeoutMs]],
    );
  } finally {
    await r.cleanup();
  }
});
