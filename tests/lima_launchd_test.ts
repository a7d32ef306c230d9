/**
 * The Lima preset on macOS, without a Mac: `autostart lima` run in-process in a darwin
 * context. LaunchAgents go through a recording fake `launchctl` on PATH (real runner,
 * real files under a temporary home; on `bootstrap` it plays the host agent and writes
 * a "running" event to ha.stdout.log). LaunchDaemons go through {@link FakeRunner} and
 * a MemoryFs (they live in /Library). Both show Lima's command sequence: `bootout`
 * (not loaded is fine), write the plist, `enable`, `bootstrap`.
 */

import { parse } from "plist";
import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { runCli } from "./helpers.ts";
import {
  type LaunchctlRig,
  launchctlRig,
  macRootContext,
} from "./launchd_helpers.ts";
import { FakeRunner } from "../core/fake.ts";

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

interface Rig extends LaunchctlRig {
  limaHome: string;
  instance: string;
  /** Calls that change launchd (no print/print-disabled). */
  changes(): string[][];
}

/** The launchctl rig, plus a Lima home with instances "default" and "other". */
async function rig(): Promise<Rig> {
  const r = await launchctlRig();
  const limaHome = `${r.home}/.lima`, instance = `${limaHome}/default`;
  for (const d of [instance, `${limaHome}/other`]) {
    await Deno.mkdir(d, { recursive: true });
    await Deno.writeTextFile(`${d}/lima.yaml`, "");
  }
  await Deno.writeTextFile(`${r.bin}/limactl`, "#!/bin/sh\nexit 0\n", {
    mode: 0o755,
  });
  // The host agent reports the VM running as soon as launchd starts it.
  await Deno.writeTextFile(
    `${r.scen}/on-bootstrap`,
    `printf '{"time":"now","status":{"running":true}}\\n' >> '${instance}/ha.stdout.log'\n`,
  );
  r.ctx.env.PATH = `${r.bin}:/usr/bin:/bin`;
  return {
    ...r,
    limaHome,
    instance,
    changes: () =>
      r.calls().filter((c) => c[0] !== "print" && c[0] !== "print-disabled"),
  };
}

const exists = (p: string) => Deno.lstat(p).then(() => true, () => false);

Deno.test("lima enable (LaunchAgent) through a fake launchctl: Lima's label, file and command sequence, then waits for the VM", async () => {
  const r = await rig();
  try {
    const label = "io.lima-vm.autostart.default";
    const plist = `${r.home}/Library/LaunchAgents/${label}.plist`;
    const en = await runCli(["lima", "enable", "default"], r.ctx);
    assertEquals(en.code, 0, en.stderr);
    assertEquals(r.changes(), [
      ["bootout", `gui/501/${label}`],
      ["enable", `gui/501/${label}`],
      ["bootstrap", "gui/501", plist],
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

    r.reset();
    const st = JSON.parse(
      (await runCli(["lima", "status", "default", "--json"], r.ctx)).stdout,
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

    r.reset();
    const again = await runCli(["lima", "enable", "default"], r.ctx);
    assertEquals(again.code, 0, again.stderr);
    assertMatch(again.stdout, /already enabled and up to date/);
    assertEquals(r.changes(), []);

    r.reset();
    const dis = await runCli(["lima", "disable", "default"], r.ctx);
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(r.changes(), [["bootout", `gui/501/${label}`]]);
    assertEquals(await exists(plist), false);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable carries LIMA_HOME into the LaunchAgent when it is set", async () => {
  const r = await rig();
  try {
    r.ctx.env.LIMA_HOME = r.limaHome;
    const en = await runCli(["lima", "enable", "default", "--no-wait"], r.ctx);
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
      (await runCli(["lima", "status", "default", "--json"], r.ctx)).stdout,
    );
    const login = st.instances[0].services.find((s: { condition: string }) =>
      s.condition === "login"
    );
    assertEquals([login.owner, login.limaRegistered], ["limactl", true]);

    r.reset();
    const refused = await runCli(["lima", "enable", "default"], r.ctx);
    assertEquals(refused.code, 1);
    assertMatch(
      refused.stderr,
      /written by limactl, not autostart: left alone/,
    );
    assertEquals(r.changes(), []);
    assertEquals(await Deno.readTextFile(plist), theirs);
    const noDisable = await runCli(["lima", "disable", "default"], r.ctx);
    assertEquals(noDisable.code, 1);
    assertEquals(await Deno.readTextFile(plist), theirs);

    r.reset();
    const adopted = await runCli(
      ["lima", "enable", "default", "--adopt", "--no-wait"],
      r.ctx,
    );
    assertEquals(adopted.code, 0, adopted.stderr);
    assertEquals(r.changes(), [
      ["bootout", `gui/501/${label}`],
      ["enable", `gui/501/${label}`],
      ["bootstrap", "gui/501", plist],
    ]);
    assertMatch(await Deno.readTextFile(plist), /Managed by autostart/);
    assertEquals(
      await Deno.readTextFile(`${plist}.autostart-backup`),
      theirs,
    );
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
    const res = await runCli(["lima", "enable", "nope"], r.ctx);
    assertEquals(res.code, 2);
    assertMatch(res.stderr, /Unknown Lima instance "nope"/);
    assertMatch(res.stderr, /existing instances in .*: default, other/);
    assertEquals(r.calls(), []);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable --condition=boot (LaunchDaemon): Lima's daemon label, root:wheel 0644, UserName, and Lima's command sequence", async () => {
  const r = await rig();
  try {
    const runner = new FakeRunner()
      .on(["launchctl", "print"], {
        code: 113,
        stderr: "Could not find service",
      })
      .on(["launchctl", "bootout"], {
        code: 3,
        stderr: "Boot-out failed: 3: No such process",
      });
    const ctx = macRootContext({
      runner,
      env: {
        PATH: `${r.bin}:/usr/bin:/bin`,
        HOME: "/var/root",
        SUDO_USER: "alice",
        LIMA_HOME: r.limaHome,
      },
    });
    const res = await runCli(
      ["lima", "enable", "default", "--condition=boot", "--no-wait"],
      ctx,
    );
    assertEquals(res.code, 0, res.stderr);
    const label = "io.lima-vm.daemon.default";
    const path = `/Library/LaunchDaemons/${label}.plist`;
    assertEquals(
      runner.lines().filter((l) => !/ print(-disabled)? /.test(l)),
      [
        `launchctl bootout system/${label}`,
        `launchctl enable system/${label}`,
        `launchctl bootstrap system ${path}`,
      ],
    );
    const f = ctx.fs.files.get(path)!;
    assertEquals(f.mode, 0o644);
    assertEquals(f.owner, { uid: 0, gid: 0 });
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

    runner.calls.length = 0;
    const dis = await runCli(
      ["lima", "disable", "default", "--condition=boot"],
      ctx,
    );
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(
      runner.lines().filter((l) => !/ print(-disabled)? /.test(l)),
      [`launchctl bootout system/${label}`],
    );
    assertEquals(ctx.fs.files.has(path), false);
  } finally {
    await r.cleanup();
  }
});

Deno.test("lima enable --condition=boot without sudo needs root; a login service refuses sudo", async () => {
  const r = await rig();
  try {
    const boot = await runCli(
      ["lima", "enable", "default", "--condition=boot", "--no-wait"],
      r.ctx,
    );
    assertEquals(boot.code, 2, boot.stderr);
    assertMatch(boot.stderr, /needs root/);
    const ctx = macRootContext({
      env: { PATH: `${r.bin}:/usr/bin:/bin`, SUDO_USER: "alice" },
    });
    const login = await runCli(["lima", "enable", "default"], ctx);
    assertEquals(login.code, 2, login.stderr);
    assertMatch(login.stderr, /run it without sudo/);
  } finally {
    await r.cleanup();
  }
});
