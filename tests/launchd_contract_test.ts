/**
 * Contract tests of the launchd-agent driver against a recording fake `launchctl`
 * executable on PATH, run through the real `denoRunner` (argv only, never a shell) and
 * the real filesystem under a temporary home. The fake keeps just enough state to act
 * like launchd (bootstrap loads, bootout unloads, print answers 113 for unknown
 * services) and takes failures from a scenario directory: `SCEN/<subcommand>.code`,
 * `.out` and `.err` override its answer.
 */

import { parse } from "plist";
import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { runCli } from "./helpers.ts";
import { launchctlRig as rig } from "./launchd_helpers.ts";

async function exists(p: string): Promise<boolean> {
  return await Deno.lstat(p).then(() => true, () => false);
}

Deno.test("launchd-agent through a fake launchctl on PATH: enable, status, stop, start, restart, disable", async () => {
  const r = await rig();
  try {
    const plist = `${r.home}/Library/LaunchAgents/dev.autostart.web.plist`;
    const target = "gui/501/dev.autostart.web";
    const en = await runCli(
      [
        "enable",
        "web",
        "--no-wait",
        "--keep-alive=always",
        "--",
        "/bin/sh",
        "-c",
        "sleep 1000",
      ],
      r.ctx,
    );
    assertEquals(en.code, 0, en.stderr);
    // (the wait after the start reads the state with print / print-disabled)
    assertEquals(r.calls().filter((c) => !c[0]!.startsWith("print")), [
      ["bootout", target],
      ["enable", target],
      ["bootstrap", "gui/501", plist],
    ]);
    const st = await Deno.stat(plist);
    assertEquals(st.mode! & 0o777, 0o644);
    const obj = parse(await Deno.readTextFile(plist)) as Record<
      string,
      unknown
    >;
    assertEquals(obj.ProgramArguments, ["/bin/sh", "-c", "sleep 1000"]);
    assertEquals(obj.KeepAlive, true);
    assertOk(await exists(`${r.home}/Library/Logs/autostart`));

    r.reset();
    const status = JSON.parse(
      (await runCli(["status", "--json"], r.ctx)).stdout,
    );
    assertEquals(status.services.length, 1);
    assertEquals(
      [
        status.services[0].state,
        status.services[0].pid,
        status.services[0].enabled,
      ],
      ["running", 9183, true],
    );
    assertEquals(
      r.calls().map((c) => c.join(" ")).sort(),
      ["print gui/501/dev.autostart.web", "print-disabled gui/501"],
    );

    r.reset();
    assertEquals((await runCli(["stop", "web"], r.ctx)).code, 0);
    assertEquals(
      r.calls().filter((c) => c[0] !== "print" && c[0] !== "print-disabled"),
      [
        ["bootout", target],
      ],
    );
    const stopped = JSON.parse(
      (await runCli(["status", "--json"], r.ctx)).stdout,
    );
    assertEquals([stopped.services[0].state, stopped.services[0].pid], [
      "not-loaded",
      null,
    ]);
    assertOk(await exists(plist), "stop keeps the plist");

    r.reset();
    assertEquals((await runCli(["start", "web", "--no-wait"], r.ctx)).code, 0);
    assertEquals(
      r.calls().filter((c) => c[0] !== "print" && c[0] !== "print-disabled"),
      [
        ["bootstrap", "gui/501", plist],
        ["kickstart", target],
      ],
    );

    r.reset();
    // Already loaded: bootstrap answers 5, which restart accepts, then kickstart -k.
    const rs = await runCli(["restart", "web", "--no-wait"], r.ctx);
    assertEquals(rs.code, 0, rs.stderr);
    assertEquals(
      r.calls().filter((c) => c[0] !== "print" && c[0] !== "print-disabled"),
      [
        ["bootstrap", "gui/501", plist],
        ["kickstart", "-k", target],
      ],
    );

    r.reset();
    const dis = await runCli(["disable", "web"], r.ctx);
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(
      r.calls().filter((c) => c[0] !== "print" && c[0] !== "print-disabled"),
      [
        ["bootout", target],
      ],
    );
    assertEquals(await exists(plist), false);
    const none = await runCli(["status", "--json"], r.ctx);
    assertEquals(JSON.parse(none.stdout).services, []);
  } finally {
    await r.cleanup();
  }
});

Deno.test("launchd-agent through a fake launchctl: re-enable unloads the running job before loading the new plist", async () => {
  const r = await rig();
  try {
    const target = "gui/501/dev.autostart.web";
    assertEquals(
      (await runCli(["enable", "web", "--", "/bin/sh"], r.ctx)).code,
      0,
    );
    r.reset();
    const again = await runCli([
      "enable",
      "web",
      "--no-wait",
      "--keep-alive=false",
      "--",
      "/bin/sh",
      "-x",
    ], r.ctx);
    assertEquals(again.code, 0, again.stderr);
    // enable first reads the current state (is it already up to date?), then replaces it.
    // (the two reads run concurrently: their order varies)
    const calls = r.calls().map((c) => c[0]);
    assertEquals([...calls.slice(0, 2).sort(), ...calls.slice(2)], [
      "print",
      "print-disabled",
      "bootout",
      "enable",
      "bootstrap",
    ]);
    assertEquals(r.calls()[2], ["bootout", target]);
  } finally {
    await r.cleanup();
  }
});

for (
  const [code, stderr, message, hint] of [
    [
      5,
      "Bootstrap failed: 5: Input/output error",
      /already loaded, or the plist is invalid/,
      /plutil -lint/,
    ],
    [
      37,
      "Bootstrap failed: 37: Operation already in progress",
      /still busy/,
      /wait a few seconds/,
    ],
    [
      119,
      "Bootstrap failed: 119: Service is disabled",
      /Service is disabled/,
      /launchctl enable gui\/501\/dev\.autostart\.web/,
    ],
    [
      122,
      "Bootstrap failed: 122: Path had bad ownership/permissions",
      /ownership or permissions/,
      /chmod 644/,
    ],
    [
      125,
      "Bootstrap failed: 125: Domain does not support specified action",
      /no GUI login session/,
      /--condition=boot/,
    ],
  ] as const
) {
  Deno.test(`launchd-agent through a fake launchctl: bootstrap error ${code} exits 1 with advice and leaves no plist`, async () => {
    const r = await rig();
    try {
      r.fail("bootstrap", code, stderr);
      const out = await runCli(["enable", "web", "--", "/bin/sh"], r.ctx);
      assertEquals(out.code, 1);
      assertMatch(out.stderr, new RegExp(`exited with code ${code}`));
      assertMatch(out.stderr, message);
      assertMatch(out.stderr, hint);
      assertEquals(
        await exists(`${r.home}/Library/LaunchAgents/dev.autostart.web.plist`),
        false,
      );
      assertEquals(r.calls().map((c) => c[0]), [
        "bootout",
        "enable",
        "bootstrap",
      ]);
    } finally {
      await r.cleanup();
    }
  });
}

Deno.test("launchd-agent through a fake launchctl: a home with shell metacharacters reaches launchctl verbatim", async () => {
  const r = await rig(
    "home $(touch PWNED) `touch PWNED2` ; & | 'q' \"dq\" ünï",
  );
  try {
    const out = await runCli(["enable", "web", "--", "/bin/sh"], r.ctx);
    assertEquals(out.code, 0, out.stderr);
    const plist = `${r.home}/Library/LaunchAgents/dev.autostart.web.plist`;
    assertEquals(r.calls()[2], ["bootstrap", "gui/501", plist]);
    assertOk(await exists(plist));
    for (const f of ["PWNED", "PWNED2"]) {
      assertEquals(await exists(`${r.root}/${f}`), false);
      assertEquals(await exists(f), false);
    }
  } finally {
    await r.cleanup();
  }
});

Deno.test("launchd-agent through a fake launchctl: disable of a service that is not loaded still removes the plist", async () => {
  const r = await rig();
  try {
    assertEquals(
      (await runCli(["enable", "web", "--no-start", "--", "/bin/sh"], r.ctx))
        .code,
      0,
    );
    r.reset();
    const st = JSON.parse((await runCli(["status", "--json"], r.ctx)).stdout);
    assertEquals(st.services[0].state, "not-loaded");
    const dis = await runCli(["disable", "web"], r.ctx);
    assertEquals(dis.code, 0, dis.stderr);
    assertEquals(dis.stderr, "");
    assertEquals(
      await exists(`${r.home}/Library/LaunchAgents/dev.autostart.web.plist`),
      false,
    );
  } finally {
    await r.cleanup();
  }
});
