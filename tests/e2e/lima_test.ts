// The Lima preset in a real systemd, with a fake limactl on PATH that does what Lima does
// (lima-vm/lima v2.2.0): `start X --foreground` records how it was started (argv, uid,
// LIMA_HOME), says "already running" and exits 0 when X's host agent lives, otherwise
// becomes the host agent (ha.pid, the systemd unit it runs in as sd_pid_get_unit()
// reports it, a "running" event in ha.stdout.log; on SIGINT/SIGTERM an "exiting" event
// and exit 0), or exits 1 when the instance holds a file "fail". `stop X` is Lima's
// StopGracefully: when the host agent's unit is `lima-vm@X.service` it runs
// `systemctl --user stop lima-vm@X.service` (autostart.RequestStop), else it sends
// SIGINT, then waits for the host agent to exit.
// Login (user unit) and boot (system unit as the sudo user), restart after SIGKILL,
// `limactl stop` of a boot VM, the boot unit of earlier versions replaced, feedback when
// the VM does not boot, a VM already running outside autostart, a unit written by
// limactl left alone unless --adopt, unknown instances, logs of the host agent, disable.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { E2E, json, sharedBox } from "./_box.ts";
import { seal, SEAL_PLACEHOLDER } from "../../core/seal.ts";

const box = sharedBox(async (b) => {
  uid = await b.addUser("u1");
  const r = await b.sh(
    [
      `mkdir -p ${REAL_HOME}/default ${REAL_HOME}/dev-1 ${REAL_HOME}/old ${REAL_HOME}/loose ${REAL_HOME}/_config`,
      `touch ${REAL_HOME}/default/lima.yaml ${REAL_HOME}/dev-1/lima.yaml ${REAL_HOME}/old/lima.yaml ${REAL_HOME}/loose/lima.yaml`,
      `ln -s ${REAL_HOME} ${LIMA_HOME}`,
      `chown -R u1:u1 ${REAL_HOME} ${LIMA_HOME}`,
      "cat > /usr/local/bin/limactl && chmod 755 /usr/local/bin/limactl",
    ].join(" && "),
    { stdin: FAKE_LIMACTL },
  );
  assertEquals(r.code, 0, r.stderr);
});
const u1 = (env: Record<string, string> = {}) => ({
  user: "u1",
  env: { LIMA_HOME, ...env },
});
const asSudo = (env: Record<string, string> = {}) => ({
  env: { SUDO_USER: "u1", LIMA_HOME, ...env },
});
/** LIMA_HOME is a symlink to the real directory: the preset resolves it. */
const LIMA_HOME = "/home/u1/lima-link";
const REAL_HOME = "/home/u1/vms";
const userUnits = "/home/u1/.config/systemd/user";
let uid = 0;

const FAKE_LIMACTL = `#!/bin/sh
# Fake limactl: "start X --foreground" plays the host agent, "stop X" Lima's stop.
[ "$(id -u)" = 0 ] && { echo "limactl: must not run as the root user" >&2; exit 1; }
cmd="$1" inst="$2"
dir="\${LIMA_HOME:-$HOME/.lima}/$inst"
alive() { [ -e "$dir/ha.pid" ] && kill -0 "$(cat "$dir/ha.pid")" 2>/dev/null; }
case $cmd in
stop)
  alive || { echo "expected status Running" >&2; exit 1; }
  pid=$(cat "$dir/ha.pid") unit=$(cat "$dir/ha.unit")
  if [ "$unit" = "lima-vm@$inst.service" ]; then
    systemctl --user stop "$unit" ||
      { echo "failed to request stop via autostart manager" >&2; exit 1; }
  else
    kill -INT "$pid"
  fi
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -lt 300 ] || { echo "host agent did not exit" >&2; exit 1; }
    sleep 0.1
  done
  exit 0 ;;
esac
printf '%s\\t%s\\t%s\\n' "$(id -u)" "\${LIMA_HOME-unset}" "$*" >> "$dir/fake.record"
if alive; then echo "The instance \\"$inst\\" is already running." >&2; exit 0; fi
if [ -e "$dir/fail" ]; then echo "fake limactl: failing on demand" >&2; exit 1; fi
# Like limactl start: the host agent's logs are removed and created afresh.
rm -f "$dir/ha.stdout.log" "$dir/ha.stderr.log"
# The handler and ha.unit are ready before ha.pid tells limactl stop whom to signal.
trap 'printf "{\\"status\\":{\\"exiting\\":true}}\\n" >> "$dir/ha.stdout.log"; rm -f "$dir/ha.pid"; exit 0' INT TERM
# The systemd unit this process runs in, as sd_pid_get_unit() sees it: below the
# cgroup systemd runs in (PID 1's, without init.scope: the sandbox starts it in a
# subtree of its own), the first path element that is not a slice (a user unit's is
# user@UID.service).
cg() { grep -E '^[0-9]+:(name=systemd)?:' "$1" | head -n 1 | cut -d: -f3-; }
root=$(cg /proc/1/cgroup) root="\${root%/init.scope}" own=$(cg /proc/self/cgroup)
printf '%s\\n' "\${own#"$root"}" | tr / '\\n' |
  grep -v -e '^$' -e '[.]slice$' | head -n 1 > "$dir/ha.unit"
echo $$ > "$dir/ha.pid"
printf '{"time":"%s","status":{"running":true,"sshLocalPort":60022}}\\n' "$(date +%s.%N)" >> "$dir/ha.stdout.log"
# What the host agent logs (to stderr, as Lima's logrus does): the service's journal.
for i in 1 2 3 4 5 6; do
  echo "level=info msg=\\"[hostagent] $inst: host agent line $i\\"" >&2
done
# No child that outlives it: a user manager without cgroups cannot clean one up.
while :; do sleep 1; done
`;

/** The unit limactl itself writes (Lima v2.2, keep-alive on). */
const LIMA_WRITTEN_UNIT = `[Unit]
Description=Lima - Linux virtual machines, with a focus on running containers.
Documentation=man:lima(1)

[Service]
ExecStart=/usr/local/bin/limactl start %i --foreground
WorkingDirectory=%h
Type=simple
TimeoutSec=10
Restart=on-failure

[Install]
WantedBy=default.target
`;

interface Record_ {
  uid: number;
  limaHome: string;
  argv: string;
}

async function records(instance: string): Promise<Record_[]> {
  const b = await box.get();
  const r = await b.exec(["cat", `${REAL_HOME}/${instance}/fake.record`]);
  return r.stdout.split("\n").filter(Boolean).map((l) => {
    const [u, h, a] = l.split("\t");
    return { uid: Number(u), limaHome: h!, argv: a! };
  });
}

/**
 * `autostart lima enable INSTANCE` as u1 (for login), or through sudo for boot, and
 * checks it succeeded: each test enables what it needs itself (enabling a VM that is
 * enabled and running changes nothing), so it passes alone and after any other test.
 */
async function enable(instance: string, condition: "login" | "boot" = "login") {
  const b = await box.get();
  const r = condition === "login"
    ? await b.autostart(["lima", "enable", instance], u1())
    : await b.autostart(
      ["lima", "enable", instance, "--condition=boot"],
      asSudo(),
    );
  assertEquals(r.code, 0, `enable ${instance} for ${condition}: ${r.stderr}`);
  return r;
}

interface LimaStatusDoc {
  instances: {
    instance: string;
    services: {
      condition: string;
      state: string;
      owner: string | null;
      limaRegistered: boolean;
      enabled: boolean | null;
      unit: string;
      pid: number | null;
    }[];
  }[];
}

Deno.test({
  name:
    "lima: enable for login starts `limactl start INSTANCE --foreground` as the user with LIMA_HOME, and waits for the VM",
  ...E2E,
  async fn() {
    const b = await box.get();
    const r = await b.autostart(["lima", "enable", "default"], u1());
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /Enabled Lima instance "default"/);
    assertMatch(r.stdout, /Lima instance "default" is running/);
    assertMatch(r.stderr, /Waiting for "default" to boot/);
    const unit = "lima-vm@default.service";
    assertEquals(await b.prop(unit, "ActiveState", "u1"), "active");
    assertEquals(await b.prop(unit, "UnitFileState", "u1"), "enabled");
    const text = (await b.exec(["cat", `${userUnits}/${unit}`])).stdout;
    assertMatch(text, /^# Managed by autostart/);
    assertMatch(
      text,
      /^ExecStart=\/usr\/local\/bin\/limactl start %i --foreground$/m,
    );
    const [rec] = await records("default");
    assertEquals(rec, {
      uid,
      limaHome: LIMA_HOME,
      argv: "start default --foreground",
    });
    const pid = await b.prop(unit, "MainPID", "u1");
    const environ = (await b.exec(["cat", `/proc/${pid}/environ`])).stdout
      .split("\0");
    assertOk(environ.includes(`LIMA_HOME=${LIMA_HOME}`));
    const path = environ.find((e) => e.startsWith("PATH="))!;
    assertMatch(path, /^PATH=\/usr\/local\/bin:/, "limactl's directory first");
    // Stops wait 3m10s for the VM (what limactl stop waits); Lima's 10s stays for start.
    assertEquals(await b.prop(unit, "TimeoutStopUSec", "u1"), "3min 10s");
    assertEquals(await b.prop(unit, "TimeoutStartUSec", "u1"), "10s");
  },
});

Deno.test({
  name: "lima: SIGKILL of the VM process is restarted",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("default");
    const unit = "lima-vm@default.service";
    const starts = (await records("default")).length;
    const restarts = Number(await b.prop(unit, "NRestarts", "u1"));
    const pid = await b.prop(unit, "MainPID", "u1");
    await b.kill(pid);
    await b.waitFor("the restart", async () => {
      const p = await b.prop(unit, "MainPID", "u1");
      const a = await b.prop(unit, "ActiveState", "u1");
      return a === "active" && p !== "0" && p !== pid;
    });
    assertEquals(await b.prop(unit, "NRestarts", "u1"), String(restarts + 1));
    const recs = await records("default");
    assertEquals(recs.length, starts + 1);
    assertEquals(recs.at(-1)!.argv, "start default --foreground");
    const s = json<LimaStatusDoc>(
      await b.autostart(["lima", "status", "default", "--json"], u1()),
    );
    const login = s.instances[0]!.services.find((x) =>
      x.condition === "login"
    )!;
    assertEquals(
      [login.state, login.owner, login.limaRegistered, login.enabled],
      ["running", "autostart", true, true],
    );
  },
});

Deno.test({
  name:
    "lima: status asks systemd, not only the file: a unit disabled by hand is reported and enable repairs it",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("default");
    const unit = "lima-vm@default.service";
    await b.exec(["systemctl", "--user", "disable", unit], { user: "u1" });
    const login = async () =>
      json<LimaStatusDoc>(
        await b.autostart(["lima", "status", "default", "--json"], u1()),
      ).instances[0]!.services.find((x) => x.condition === "login")!;
    const s = await login();
    assertEquals(
      [s.owner, s.limaRegistered, s.enabled, s.state],
      ["autostart", true, false, "running"],
    );
    const r = await b.autostart(["lima", "enable", "default"], u1());
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await b.prop(unit, "UnitFileState", "u1"), "enabled");
    assertEquals((await login()).enabled, true);
  },
});

/**
 * The boot unit earlier versions of autostart wrote: Lima's user-unit name, as a system
 * unit, sealed as every file autostart writes.
 */
const LEGACY_BOOT_UNIT = seal(
  `# Managed by autostart (${SEAL_PLACEHOLDER}): do not edit; run "autostart lima enable dev-1" again to change it.
[Unit]
Description=Lima - Linux virtual machines, with a focus on running containers.
Documentation=man:lima(1)
StartLimitIntervalSec=0

[Service]
ExecStart=/usr/local/bin/limactl start %i --foreground
WorkingDirectory=~
Type=simple
TimeoutSec=10
User=u1
Group=u1
Environment="PATH=/usr/local/bin:/usr/bin:/bin"
Environment="LIMA_HOME=${LIMA_HOME}"
Restart=on-failure
RestartSec=2s

[Install]
WantedBy=multi-user.target
`,
);

/**
 * Plants the boot unit of earlier versions for dev-1 and starts it, as an upgrade from
 * such a version finds it; returns once its host agent runs. Planting it again while it
 * runs changes nothing.
 */
async function plantLegacyBootUnit(): Promise<string> {
  const b = await box.get();
  const legacy = "lima-vm@dev-1.service";
  const w = await b.sh(`cat > /etc/systemd/system/${legacy}`, {
    stdin: LEGACY_BOOT_UNIT,
  });
  assertEquals(w.code, 0, w.stderr);
  await b.exec(["systemctl", "daemon-reload"]);
  const on = await b.exec(["systemctl", "enable", "--now", legacy]);
  assertEquals(on.code, 0, on.stderr);
  await b.waitFor(
    "the host agent of dev-1",
    async () => (await haUnit("dev-1")) === legacy,
  );
  return legacy;
}

/** `limactl stop INSTANCE` as u1, as a user types it: once the VM runs (ha.pid). */
async function limactlStop(instance: string) {
  const b = await box.get();
  await b.waitFor(
    `${instance}'s host agent to write ha.pid`,
    async () =>
      (await b.exec(["test", "-s", `${REAL_HOME}/${instance}/ha.pid`])).code ===
        0,
  );
  return await b.exec(["limactl", "stop", instance], u1());
}

async function haUnit(instance: string): Promise<string> {
  const b = await box.get();
  return (await b.exec(["cat", `${REAL_HOME}/${instance}/ha.unit`])).stdout
    .trim();
}

Deno.test({
  name:
    "lima: a boot VM under Lima's own unit name (earlier versions) cannot be stopped with limactl stop",
  ...E2E,
  async fn() {
    const b = await box.get();
    const legacy = await plantLegacyBootUnit();
    // What Lima's RequestStop does with it: systemctl --user stop of a system unit.
    const r = await limactlStop("dev-1");
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertMatch(r.stderr, /failed to request stop via autostart manager/);
    assertEquals(await b.prop(legacy, "ActiveState"), "active");
  },
});

Deno.test({
  name:
    "lima: enable for boot replaces that unit with lima-vm-boot@INSTANCE.service, run as the sudo user with LIMA_HOME",
  ...E2E,
  async fn() {
    const b = await box.get();
    await plantLegacyBootUnit();
    const r = await enable("dev-1", "boot");
    assertMatch(
      r.stdout,
      /replaced \/etc\/systemd\/system\/lima-vm@dev-1\.service .* with \/etc\/systemd\/system\/lima-vm-boot@dev-1\.service/,
    );
    const unit = "lima-vm-boot@dev-1.service";
    assertEquals(await b.prop(unit, "ActiveState"), "active");
    assertEquals(await b.prop(unit, "UnitFileState"), "enabled");
    assertEquals(
      await b.prop("lima-vm@dev-1.service", "LoadState"),
      "not-found",
      "one unit per instance",
    );
    const text = (await b.exec(["cat", `/etc/systemd/system/${unit}`])).stdout;
    assertMatch(text, /^User=u1$/m);
    assertMatch(text, /^WantedBy=multi-user\.target$/m);
    assertEquals(await b.prop(unit, "TimeoutStopUSec"), "3min 10s");
    const pid = await b.prop(unit, "MainPID");
    const st = await b.exec(["stat", "-c", "%u", `/proc/${pid}`]);
    assertEquals(Number(st.stdout.trim()), uid, "runs as u1");
    const recs = await records("dev-1");
    assertEquals(recs.at(-1), {
      uid,
      limaHome: LIMA_HOME,
      argv: "start dev-1 --foreground",
    });
    assertEquals(await haUnit("dev-1"), unit);
    await b.kill(pid);
    await b.waitFor("the restart", async () => {
      const p = await b.prop(unit, "MainPID");
      return (await b.prop(unit, "ActiveState")) === "active" && p !== "0" &&
        p !== pid;
    });
    const s = json<LimaStatusDoc>(
      await b.autostart(["lima", "status", "dev-1", "--json"], u1()),
    );
    const boot = s.instances[0]!.services.find((x) => x.condition === "boot")!;
    assertEquals(
      [boot.unit, boot.state, boot.owner, boot.limaRegistered],
      [unit, "running", "autostart", false],
    );
  },
});

Deno.test({
  name:
    "lima: limactl stop of a boot VM works: the host agent exits 0 and the unit stays stopped",
  ...E2E,
  async fn() {
    const b = await box.get();
    await enable("dev-1", "boot");
    const unit = "lima-vm-boot@dev-1.service";
    const starts = (await records("dev-1")).length;
    const r = await limactlStop("dev-1");
    assertEquals(r.code, 0, r.stdout + r.stderr);
    await b.waitFor(
      "the unit to stop",
      async () => (await b.prop(unit, "ActiveState")) === "inactive",
    );
    assertEquals(await b.prop(unit, "SubState"), "dead");
    assertEquals(await b.prop(unit, "Result"), "success");
    // Not restarted: the unit's RestartSec= is systemd's 100 ms; after ten times that
    // no new host agent has been started. (NRestarts cannot tell: systemd may unload
    // an inactive unit, and a unit loaded afresh counts from 0.)
    await new Promise((ok) => setTimeout(ok, 1000));
    assertEquals(await b.prop(unit, "ActiveState"), "inactive");
    assertEquals((await records("dev-1")).length, starts, "not restarted");
    const log = (await b.exec(["cat", `${REAL_HOME}/dev-1/ha.stdout.log`]))
      .stdout;
    assertMatch(log, /"exiting":true/);
  },
});

Deno.test({
  name: "lima: a VM that does not boot is reported (exit 1), not waited for",
  ...E2E,
  async fn() {
    const b = await box.get();
    await b.exec(["touch", `${REAL_HOME}/default/fail`], { user: "u1" });
    const r = await b.autostart(
      ["lima", "enable", "default", "--keep-alive=false"],
      u1(),
    );
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertMatch(r.stderr, /"default" did not boot: the service is failed/);
    assertMatch(r.stderr, /the service stays enabled/);
    await b.exec(["rm", `${REAL_HOME}/default/fail`]);
    const again = await b.autostart(["lima", "enable", "default"], u1());
    assertEquals(again.code, 0, again.stderr);
    assertEquals(
      await b.prop("lima-vm@default.service", "ActiveState", "u1"),
      "active",
    );
  },
});

Deno.test({
  name:
    "lima: a unit written by limactl is left alone without --adopt and replaced with it",
  ...E2E,
  async fn() {
    const b = await box.get();
    const file = `${userUnits}/lima-vm@old.service`;
    // As limactl writes it: as the user, making the directory if need be.
    const w = await b.sh(`mkdir -p ${userUnits} && cat > ${file}`, {
      user: "u1",
      stdin: LIMA_WRITTEN_UNIT,
    });
    assertEquals(w.code, 0, w.stderr);
    await b.exec(["systemctl", "--user", "daemon-reload"], { user: "u1" });
    const s = json<LimaStatusDoc>(
      await b.autostart(["lima", "status", "old", "--json"], u1()),
    );
    const login = s.instances[0]!.services.find((x) =>
      x.condition === "login"
    )!;
    assertEquals([login.owner, login.limaRegistered], ["limactl", true]);

    const refused = await b.autostart(["lima", "enable", "old"], u1());
    assertEquals(refused.code, 1, refused.stderr);
    assertMatch(
      refused.stderr,
      /written by limactl, not autostart: left alone/,
    );
    assertMatch(refused.stderr, /--adopt/);
    const noDisable = await b.autostart(["lima", "disable", "old"], u1());
    assertEquals(noDisable.code, 1, noDisable.stderr);
    assertEquals((await b.exec(["cat", file])).stdout, LIMA_WRITTEN_UNIT);

    const adopted = await b.autostart(
      ["lima", "enable", "old", "--adopt"],
      u1(),
    );
    assertEquals(adopted.code, 0, adopted.stderr);
    assertMatch(adopted.stdout, /Took over the file limactl had written/);
    assertMatch(
      (await b.exec(["cat", file])).stdout,
      /^# Managed by autostart/,
    );
    assertEquals(
      (await b.exec(["cat", `${file}.autostart-backup`])).stdout,
      LIMA_WRITTEN_UNIT,
    );
    assertEquals(
      await b.prop("lima-vm@old.service", "ActiveState", "u1"),
      "active",
    );
    assertEquals((await records("old"))[0]!.argv, "start old --foreground");
  },
});

Deno.test({
  name:
    "lima: a VM already running outside autostart is refused (exit 1, nothing written) with the way to hand it over",
  ...E2E,
  async fn() {
    const b = await box.get();
    const file = `${userUnits}/lima-vm@loose.service`;
    // The user started the VM by hand, as `limactl start loose` does.
    const by = await b.exec([
      "setsid",
      "-f",
      "sh",
      "-c",
      "exec limactl start loose --foreground </dev/null >/dev/null 2>&1",
    ], u1());
    assertEquals(by.code, 0, by.stderr);
    const pid = await b.waitFor("the hand-started host agent", async () => {
      const r = await b.exec(["cat", `${REAL_HOME}/loose/ha.pid`]);
      return r.code === 0 && r.stdout.trim() !== "" && r.stdout.trim();
    });
    const r = await b.autostart(["lima", "enable", "loose"], u1());
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertMatch(
      r.stderr,
      new RegExp(
        `Lima instance "loose" is already running outside autostart(?: \\(in [^)]*\\))? \\(host agent pid ${pid}, limactl\\): nothing changed`,
      ),
    );
    assertMatch(
      r.stderr,
      /hint: hand it over: limactl stop loose && autostart lima enable loose; or .*autostart lima enable loose --no-start/,
    );
    assertOk((await b.exec(["test", "-e", file])).code !== 0, "no unit");
    // --no-start enables it for the next login and leaves the running VM alone.
    const later = await b.autostart(
      ["lima", "enable", "loose", "--no-start"],
      u1(),
    );
    assertEquals(later.code, 0, later.stderr);
    assertMatch(later.stdout, /"loose" is running outside autostart now/);
    assertEquals(
      await b.prop("lima-vm@loose.service", "UnitFileState", "u1"),
      "enabled",
    );
    assertEquals((await b.exec(["kill", "-0", pid])).code, 0, "VM untouched");
    // The hint, followed: limactl stops it, enable starts it under the service.
    const stop = await limactlStop("loose");
    assertEquals(stop.code, 0, stop.stderr);
    const again = await b.autostart(["lima", "enable", "loose"], u1());
    assertEquals(again.code, 0, again.stderr);
    const main = await b.prop("lima-vm@loose.service", "MainPID", "u1");
    assertEquals(
      (await b.exec(["cat", `${REAL_HOME}/loose/ha.pid`])).stdout.trim(),
      main,
      "the host agent is the service's own process",
    );
    // Re-enabling a VM the service runs is not "outside".
    const same = await b.autostart(["lima", "enable", "loose"], u1());
    assertEquals(same.code, 0, same.stderr);
    assertMatch(same.stdout, /already enabled and up to date/);
  },
});

Deno.test({
  name:
    "lima: an unknown instance exits 2 naming the existing ones and writes nothing",
  ...E2E,
  async fn() {
    const b = await box.get();
    const before = (await b.exec(["find", userUnits, "/etc/systemd/system"]))
      .stdout;
    const r = await b.autostart(["lima", "enable", "nope"], u1());
    assertEquals(r.code, 2, r.stderr);
    assertMatch(r.stderr, /Unknown Lima instance "nope"/);
    assertMatch(
      r.stderr,
      /existing instances in \/home\/u1\/vms: default, dev-1, loose, old/,
    );
    const b2 = await b.autostart(
      ["lima", "enable", "nope", "--condition=boot"],
      asSudo(),
    );
    assertEquals(b2.code, 2, b2.stderr);
    assertEquals(
      (await b.exec(["find", userUnits, "/etc/systemd/system"])).stdout,
      before,
    );
  },
});

Deno.test({
  name:
    "lima: logs INSTANCE -n 5 shows the host agent's last 5 lines from the journal of Lima's unit",
  ...E2E,
  async fn() {
    const b = await box.get();
    const dir = `${REAL_HOME}/talk`;
    const made = await b.sh(
      `mkdir -p ${dir} && touch ${dir}/lima.yaml && chown -R u1:u1 ${dir}`,
    );
    assertEquals(made.code, 0, made.stderr);
    try {
      const en = await b.autostart(["lima", "enable", "talk"], u1());
      assertEquals(en.code, 0, en.stderr);
      const r = await b.waitFor(
        "the host agent's lines in the journal",
        async () => {
          const r = await b.autostart(
            ["lima", "logs", "talk", "-n", "5"],
            u1(),
          );
          return r.stdout.includes("host agent line 6") ? r : false;
        },
        20_000,
      );
      const lines = r.stdout.trimEnd().split("\n");
      assertEquals(
        lines.map((l) => /host agent line \d/.exec(l)?.[0]),
        [2, 3, 4, 5, 6].map((i) => `host agent line ${i}`),
        r.stdout,
      );
      assertMatch(lines[0]!, /\[hostagent\] talk: host agent line 2/);
      // The service is Lima's, not autostart-talk.service: plain `logs` does not know it.
      const plain = await b.autostart(["logs", "talk"], u1());
      assertEquals(plain.code, 1, plain.stderr);
    } finally {
      const off = await b.autostart(["lima", "disable", "talk"], u1());
      assertEquals(off.code, 0, off.stderr);
      await b.exec(["rm", "-rf", dir]);
    }
  },
});

Deno.test({
  name: "lima: disable stops and removes the services",
  ...E2E,
  async fn() {
    const b = await box.get();
    for (const inst of ["default", "old", "loose"]) await enable(inst);
    await enable("dev-1", "boot");
    for (const inst of ["default", "old", "loose"]) {
      const r = await b.autostart(["lima", "disable", inst], u1());
      assertEquals(r.code, 0, r.stderr);
      assertOk(
        (await b.exec(["test", "-e", `${userUnits}/lima-vm@${inst}.service`]))
          .code !== 0,
      );
    }
    const r = await b.autostart(["lima", "disable", "dev-1"], asSudo());
    assertEquals(r.code, 0, r.stderr);
    assertOk(
      (await b.exec([
        "test",
        "-e",
        "/etc/systemd/system/lima-vm-boot@dev-1.service",
      ]))
        .code !== 0,
    );
    assertEquals(
      await b.prop("lima-vm-boot@dev-1.service", "LoadState"),
      "not-found",
    );
    const pids = await b.exec(["pgrep", "-f", "limactl start"]);
    const ps = await b.exec(["ps", "-eo", "pid,ppid,user,args"]);
    assertEquals(
      pids.stdout.trim(),
      "",
      `no host agent is left:\n${ps.stdout}`,
    );
    const s = json<LimaStatusDoc>(
      await b.autostart(["lima", "status", "--json"], u1()),
    );
    for (const i of s.instances) {
      for (const x of i.services) {
        assertOk(
          x.owner === null,
          `${i.instance} ${x.condition}: ${x.owner}`,
        );
      }
    }
  },
});

Deno.test({ name: "lima: stop the sandbox", ...E2E, fn: () => box.stop() });
