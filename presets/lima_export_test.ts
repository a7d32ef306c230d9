import { assertEquals } from "../tests/assert.ts";
import {
  ALICE,
  fakeContext,
  managedText,
  ROOT_USER,
  runCli,
} from "../tests/helpers.ts";
import { MemoryFs } from "../core/fake.ts";
import { limaContent, limaSpec } from "./lima.ts";
import { loadPlistCodec } from "../templates/launchd_plist.ts";

Deno.test("export (macOS) reads a Lima LaunchAgent autostart wrote back as a lima entry, only what differs from the preset's defaults", async () => {
  const root = await Deno.makeTempDir({ prefix: "autostart-lima-export-" });
  try {
    const bin = `${root}/bin`, home = `${root}/lima`, dir = `${home}/default`;
    for (const d of [bin, dir, `${home}/dev`]) {
      await Deno.mkdir(d, { recursive: true });
    }
    await Deno.writeTextFile(`${dir}/lima.yaml`, "");
    await Deno.writeTextFile(`${home}/dev/lima.yaml`, "");
    await Deno.writeTextFile(`${bin}/limactl`, "#!/bin/sh\n", { mode: 0o755 });
    const codec = await loadPlistCodec();
    const plist = (keepAlive: "false" | "on-failure", stopTimeoutMs?: number) =>
      limaContent(
        "launchd-agent",
        limaSpec("launchd-agent", {
          instance: "default",
          limactl: `${bin}/limactl`,
          instanceDir: dir,
          path: "/usr/bin:/bin",
          condition: "login",
          keepAlive,
          start: true,
          ...(stopTimeoutMs !== undefined ? { stopTimeoutMs } : {}),
        }),
        dir,
        codec,
      );
    const agents = "/Users/alice/Library/LaunchAgents";
    const fs = new MemoryFs({
      "/bin/launchctl": "",
      [`${agents}/io.lima-vm.autostart.default.plist`]: plist("false", 300_000),
      // limactl's own LaunchAgent (no marker): left out.
      [`${agents}/io.lima-vm.autostart.dev.plist`]:
        '<?xml version="1.0"?><plist><dict><key>Label</key><string>io.lima-vm.autostart.dev</string></dict></plist>\n',
    });
    const ctx = fakeContext({
      os: "darwin",
      fs,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        LIMA_HOME: home,
        HOME: "/Users/alice",
        NO_COLOR: "1",
        TERM: "dumb",
      },
      self: { ...ALICE, home: "/Users/alice", uid: 501 },
    });
    const e = await runCli(["export"], ctx);
    assertEquals([e.code, e.stderr], [0, ""]);
    assertEquals(JSON.parse(e.stdout).services, [
      {
        lima: "default",
        condition: "login",
        keepAlive: "false",
        stopTimeout: "5m",
      },
    ]);
    // The preset's defaults: nothing but the instance and its condition.
    fs.files.set(`${agents}/io.lima-vm.autostart.default.plist`, {
      content: plist("on-failure"),
      mode: 0o644,
    });
    const d = await runCli(["export", "default"], ctx);
    assertEquals([d.code, d.stderr], [0, ""]);
    assertEquals(JSON.parse(d.stdout).services, [
      { lima: "default", condition: "login" },
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("export finds a Lima boot unit autostart wrote from its file, also under the name earlier versions used", async () => {
  const unit = (user: string) =>
    managedText(`[Service]
ExecStart=/usr/local/bin/limactl start %i --foreground
User=${user}
Restart=on-failure
RestartSec=2s
TimeoutStopSec=190s

[Install]
WantedBy=multi-user.target
`);
  const fs = new MemoryFs({
    "/etc/systemd/system/lima-vm-boot@vm1.service": unit("alice"),
    "/etc/systemd/system/lima-vm@old.service": unit("bob"),
    // limactl's own (no marker) and an unrelated unit: left out.
    "/etc/systemd/system/lima-vm-boot@theirs.service":
      "[Service]\nExecStart=limactl start theirs\n",
    "/etc/systemd/system/autostart-web.service.bak": "x",
  });
  const ctx = fakeContext({
    self: ROOT_USER,
    fs,
    env: {
      PATH: "/usr/bin:/bin",
      HOME: "/root",
      LIMA_HOME: "/nonexistent/lima",
      NO_COLOR: "1",
      TERM: "dumb",
    },
  });
  const e = await runCli(["export", "--condition=boot"], ctx);
  assertEquals([e.code, e.stderr], [0, ""]);
  assertEquals(JSON.parse(e.stdout).services, [
    { lima: "old", condition: "boot", user: "bob" },
    { lima: "vm1", condition: "boot", user: "alice" },
  ]);
});
