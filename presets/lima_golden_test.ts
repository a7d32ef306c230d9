// Golden files of every file the Lima preset writes (launchd agent and daemon, systemd
// user and system unit, keep-alive on and off), each checked key by key against what
// limactl writes (pkg/autostart of Lima v2.2 with --keep-alive): label, program
// arguments, RunAtLoad, KeepAlive, log paths, working directory, ProcessType, UserName,
// ExecStart, Type, TimeoutSec, Restart, WantedBy.
import { parse } from "plist";
import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../tests/assert.ts";
import { UsageError } from "../core/errors.ts";
import { assertGolden } from "../tests/helpers.ts";
import { checkSeal } from "../core/seal.ts";
import type { UserInfo } from "../core/context.ts";
import type { KeepAliveMode } from "../core/spec.ts";
import { loadPlistCodec } from "../templates/launchd_plist.ts";
import {
  limaContent,
  type LimaFlavor,
  limaIdentity,
  limaKeepAlive,
  limaKnows,
  type LimaRequest,
  limaSpec,
} from "./lima.ts";
import { unitOfCgroup } from "./lima_running.ts";

const codec = await loadPlistCodec();

const MAC_USER: UserInfo = {
  name: "alice",
  uid: 501,
  gid: 20,
  group: "staff",
  home: "/Users/alice",
};
const LINUX_USER: UserInfo = {
  name: "alice",
  uid: 1000,
  gid: 1000,
  group: "alice",
  home: "/home/alice",
};

const MAC_LIMACTL = "/opt/homebrew/bin/limactl";
const LINUX_LIMACTL = "/usr/local/bin/limactl";

function request(
  mac: boolean,
  boot: boolean,
  keepAlive: KeepAliveMode,
): LimaRequest {
  const home = mac ? MAC_USER.home : LINUX_USER.home;
  return {
    instance: "default",
    limactl: mac ? MAC_LIMACTL : LINUX_LIMACTL,
    instanceDir: `${home}/.lima/default`,
    limaHome: `${home}/.lima`,
    path: mac
      ? "/opt/homebrew/bin:/usr/bin:/bin:/usr/sbin:/sbin"
      : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
    condition: boot ? "boot" : "login",
    keepAlive,
    runAs: mac ? MAC_USER : LINUX_USER,
    start: true,
  };
}

function render(flavor: LimaFlavor, req: LimaRequest): string {
  return limaContent(flavor, limaSpec(flavor, req), req.instanceDir, codec);
}

const CASES = [
  { flavor: "launchd-agent", file: "agent", boot: false },
  { flavor: "launchd-daemon", file: "daemon", boot: true },
  { flavor: "systemd", file: "user", boot: false },
  { flavor: "systemd", file: "system", boot: true },
] as const;

for (const c of CASES) {
  for (const keep of [true, false]) {
    const ext = c.flavor === "systemd" ? "service" : "plist";
    const name = `lima/${c.file}${keep ? "" : "_no_keep_alive"}.${ext}`;
    Deno.test(`Lima preset golden ${name}`, async () => {
      const text = render(
        c.flavor,
        request(c.flavor !== "systemd", c.boot, keep ? "on-failure" : "false"),
      );
      await assertGolden(name, text);
      assertEquals(checkSeal(text), "intact");
    });
  }
}

// ---------------------------------------------------------------------------
// launchd: parsed back, key by key

for (const daemon of [false, true]) {
  for (const keep of [true, false]) {
    Deno.test(`Lima ${daemon ? "LaunchDaemon" : "LaunchAgent"} plist with keep-alive ${keep ? "on" : "off"} has Lima's keys`, () => {
      const req = request(true, daemon, keep ? "on-failure" : "false");
      const text = render(daemon ? "launchd-daemon" : "launchd-agent", req);
      const obj = parse(text) as Record<string, unknown>;
      const label = `io.lima-vm.${daemon ? "daemon" : "autostart"}.default`;
      assertEquals(obj.Label, label);
      assertEquals(obj.ProgramArguments, [
        MAC_LIMACTL,
        "start",
        "default",
        "--foreground",
      ]);
      assertEquals(obj.RunAtLoad, true);
      if (keep) assertEquals(obj.KeepAlive, { SuccessfulExit: false });
      else assertOk(!("KeepAlive" in obj), "no KeepAlive without keep-alive");
      // A daemon's log files are opened by launchd as root: in root's log directory,
      // never in the instance directory, which the user owns.
      assertEquals(
        obj.StandardOutPath,
        daemon
          ? "/Library/Logs/autostart/lima-default.stdout.log"
          : "launchd.stdout.log",
      );
      assertEquals(
        obj.StandardErrorPath,
        daemon
          ? "/Library/Logs/autostart/lima-default.stderr.log"
          : "launchd.stderr.log",
      );
      assertEquals(obj.WorkingDirectory, "/Users/alice/.lima/default");
      assertEquals(obj.ProcessType, "Background");
      // launchd SIGKILLs after ExitTimeOut: 3m10s, what `limactl stop` waits for.
      assertEquals(obj.ExitTimeOut, 190);
      if (daemon) assertEquals(obj.UserName, "alice");
      else assertOk(!("UserName" in obj));
      assertEquals(obj.EnvironmentVariables, {
        PATH: "/opt/homebrew/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        LIMA_HOME: "/Users/alice/.lima",
      });
      assertMatch(String(obj.AutostartManaged), /^Managed by autostart \(/);
      // Nothing else: Lima's keys, the marker and the environment.
      assertEquals(
        Object.keys(obj).sort(),
        [
          "Label",
          "AutostartManaged",
          ...(daemon ? ["UserName"] : []),
          "ProgramArguments",
          "RunAtLoad",
          ...(keep ? ["KeepAlive"] : []),
          "StandardErrorPath",
          "StandardOutPath",
          "WorkingDirectory",
          "ProcessType",
          "ExitTimeOut",
          "EnvironmentVariables",
        ].sort(),
      );
    });
  }
}

Deno.test("Lima plist without LIMA_HOME set carries only PATH", () => {
  const req = request(true, false, "on-failure");
  delete req.limaHome;
  const obj = parse(render("launchd-agent", req)) as Record<string, unknown>;
  assertEquals(Object.keys(obj.EnvironmentVariables as object), ["PATH"]);
});

// ---------------------------------------------------------------------------
// systemd: parsed into sections, key by key

/** `[Section]` → key → values (in order). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  let cur: Map<string, string[]> | undefined;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^\[(\w+)\]$/.exec(line);
    if (m) {
      cur = new Map();
      out.set(m[1]!, cur);
      continue;
    }
    const i = line.indexOf("=");
    const k = line.slice(0, i);
    cur!.set(k, [...(cur!.get(k) ?? []), line.slice(i + 1)]);
  }
  return out;
}

/** The unit limactl writes for LIMACTL with keep-alive on (Lima v2.2). */
const LIMA_OWN_UNIT = `[Unit]
Description=Lima - Linux virtual machines, with a focus on running containers.
Documentation=man:lima(1)

[Service]
ExecStart=${LINUX_LIMACTL} start %i --foreground
WorkingDirectory=%h
Type=simple
TimeoutSec=10
Restart=on-failure

[Install]
WantedBy=default.target
`;

for (const boot of [false, true]) {
  for (const keep of [true, false]) {
    Deno.test(`Lima ${boot ? "system" : "user"} unit with keep-alive ${keep ? "on" : "off"} has Lima's keys`, () => {
      const text = render(
        "systemd",
        request(false, boot, keep ? "on-failure" : "false"),
      );
      assertMatch(
        text,
        /^# Managed by autostart \(autostart-hash:[0-9a-f]{16}\)/,
      );
      const u = parseUnit(text);
      const s = u.get("Service")!;
      assertEquals(s.get("ExecStart"), [
        `${LINUX_LIMACTL} start %i --foreground`,
      ]);
      assertEquals(s.get("Type"), ["simple"]);
      assertEquals(s.get("TimeoutSec"), ["10"]);
      // The stop timeout comes after Lima's TimeoutSec=, so it wins for stops only.
      assertEquals(s.get("TimeoutStopSec"), ["190s"]);
      assertOk(text.indexOf("TimeoutStopSec=") > text.indexOf("TimeoutSec="));
      assertEquals(s.get("Restart"), [keep ? "on-failure" : "no"]);
      assertEquals(s.get("WorkingDirectory"), [boot ? "~" : "%h"]);
      assertEquals(s.get("Environment"), [
        `"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"`,
        `"LIMA_HOME=/home/alice/.lima"`,
      ]);
      assertEquals(s.get("User"), boot ? ["alice"] : undefined);
      assertEquals(s.get("Group"), boot ? ["alice"] : undefined);
      assertEquals(u.get("Install")!.get("WantedBy"), [
        boot ? "multi-user.target" : "default.target",
      ]);
      assertEquals(u.get("Unit")!.get("StartLimitIntervalSec"), ["0"]);
      // Every key limactl writes is there with limactl's value (boot differs where a
      // system unit must: the working directory and the target).
      const lima = parseUnit(LIMA_OWN_UNIT);
      for (const [section, keys] of lima) {
        for (const [k, v] of keys) {
          const differs = boot &&
              (k === "WorkingDirectory" || k === "WantedBy") ||
            !keep && k === "Restart";
          if (differs) continue;
          assertEquals(u.get(section)?.get(k), v, `[${section}] ${k}`);
        }
      }
    });
  }
}

// ---------------------------------------------------------------------------
// Names, stop timeout, keep-alive

Deno.test("limaIdentity() gives the systemd boot unit a name of its own, not Lima's lima-vm@", () => {
  assertEquals(
    limaIdentity("systemd", "login", "dev-1"),
    "lima-vm@dev-1.service",
  );
  assertEquals(
    limaIdentity("systemd", "boot", "dev-1"),
    "lima-vm-boot@dev-1.service",
  );
  assertEquals(
    limaIdentity("launchd-agent", "login", "dev-1"),
    "io.lima-vm.autostart.dev-1",
  );
  assertEquals(
    limaIdentity("launchd-daemon", "boot", "dev-1"),
    "io.lima-vm.daemon.dev-1",
  );
  const spec = limaSpec("systemd", request(false, true, "on-failure"));
  assertEquals(spec.identity, "lima-vm-boot@default.service");
});

Deno.test("limaKnows() counts only the login service as registered, as limactl does", () => {
  assertEquals(limaKnows("login"), true);
  assertEquals(limaKnows("boot"), false);
});

Deno.test("Lima preset: a given stop timeout replaces the default on launchd and systemd", () => {
  const req = { ...request(true, false, "on-failure"), stopTimeoutMs: 45_500 };
  const obj = parse(render("launchd-agent", req)) as Record<string, unknown>;
  assertEquals(obj.ExitTimeOut, 46, "whole seconds, rounded up");
  const unit = render("systemd", { ...req, limactl: LINUX_LIMACTL });
  assertMatch(unit, /^TimeoutStopSec=45500ms$/m);
});

Deno.test("limaKeepAlive() refuses always with exit 2 and says why", () => {
  assertThrows(
    () => limaKeepAlive("always"),
    (e) =>
      e instanceof UsageError && e.exitCode === 2 &&
      /"limactl stop" ends the VM's host agent with exit code 0/.test(
        e.message,
      ),
  );
  assertEquals(limaKeepAlive("on-failure"), "on-failure");
  assertEquals(limaKeepAlive("false"), "false");
});

Deno.test("unitOfCgroup() finds the innermost unit on cgroup v2 and v1", () => {
  assertEquals(
    unitOfCgroup(
      "0::/user.slice/user-1000.slice/user@1000.service/app.slice/lima-vm@default.service\n",
    ),
    "lima-vm@default.service",
  );
  assertEquals(
    unitOfCgroup(
      "4:memory:/x\n1:name=systemd:/system.slice/system-lima\\x2dvm\\x2dboot.slice/lima-vm-boot@dev.service\n0::/\n",
    ),
    "lima-vm-boot@dev.service",
  );
  assertEquals(
    unitOfCgroup("0::/user.slice/user-1000.slice/session-3.scope\n"),
    "session-3.scope",
  );
  assertEquals(unitOfCgroup("0::/\n"), null);
});
