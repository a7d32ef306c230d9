import { parse, parseBinary } from "plist";
import {
  assertEquals,
  assertMatch,
  assertNoMatch,
  assertOk,
  assertThrows,
} from "../tests/assert.ts";
import { ALICE, assertGolden } from "../tests/helpers.ts";
import { UsageError } from "../core/errors.ts";
import { KEEP_ALIVE_MODES, type ServiceSpec } from "../core/spec.ts";
import {
  buildLaunchdPlist,
  keepAliveValue,
  LAUNCHD_MARKER_KEY,
  LAUNCHD_MARKER_TEXT,
  launchdLabel,
  loadPlistCodec,
  readLaunchdPlist,
  renderLaunchdPlist,
  serviceNameOfPlist,
  throttleSeconds,
} from "./launchd_plist.ts";
import {
  logWrapperCommand,
  parseLogWrapperCommand,
} from "./launchd_log_wrapper.ts";

/** Arguments and values that break naive XML or shell quoting. */
const AWKWARD_ARGS = [
  `--msg=say "hi" & <b>bye</b>`,
  "]]>",
  "<![CDATA[x]]>",
  "line1\nline2",
  "tab\there and cr\rthere",
  "ünïcødé ✓ 日本 😀",
  "100% %s %n %% $HOME ${USER} `id` $(id)",
  "'single' \\back\\slash",
  "&amp; &lt; &#x41;",
  "",
];

const AWKWARD_ENV: [string, string][] = [
  ["PATH", "/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin"],
  ["GREETING", `a "quoted" <value> & ]]> %s $X\nnext line`],
  ["EMPTY", ""],
  ["UNICODE", "café ☕"],
];

function spec(
  over: Partial<ServiceSpec> & Pick<ServiceSpec, "condition" | "keepAlive">,
): ServiceSpec {
  return {
    name: "web.app_1",
    program: "/opt/my app/bin/serve & <co>",
    args: AWKWARD_ARGS,
    env: AWKWARD_ENV,
    cwd: `/Users/alice/my "dir" & <stuff> 100%`,
    restartDelayMs: 2500,
    start: true,
    ...over,
  };
}

const codec = await loadPlistCodec();

async function plistutilAvailable(): Promise<boolean> {
  try {
    const r = await new Deno.Command("plistutil", {
      args: ["-h"],
      stdout: "null",
      stderr: "null",
    }).output();
    return r.code === 0 || r.code === 1;
  } catch {
    return false;
  }
}

const HAVE_PLISTUTIL = await plistutilAvailable();
/** Apple's plutil (macOS only): the parser launchd itself agrees with. */
const HAVE_PLUTIL = Deno.build.os === "darwin";
if (!HAVE_PLISTUTIL) {
  console.log(
    "skipped: plistutil is not installed (scripts/ci_deps.sh installs libplist-utils); golden plists are checked with npm plist only",
  );
}

/** Lints XML text with Apple's plutil and reads it back as JSON. */
async function viaPlutil(xml: string): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "autostart-plist-" });
  try {
    await Deno.writeTextFile(`${dir}/in.plist`, xml);
    const lint = await new Deno.Command("plutil", {
      args: ["-lint", `${dir}/in.plist`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(lint.code, 0, new TextDecoder().decode(lint.stdout));
    const r = await new Deno.Command("plutil", {
      args: ["-convert", "json", "-o", "-", `${dir}/in.plist`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
    return JSON.parse(new TextDecoder().decode(r.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Converts XML text to a binary plist with libplist's plistutil and parses that with
 * npm plist's binary parser: an independent reading of our XML.
 */
async function viaPlistutil(xml: string): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "autostart-plist-" });
  try {
    await Deno.writeTextFile(`${dir}/in.plist`, xml);
    const r = await new Deno.Command("plistutil", {
      args: ["-i", `${dir}/in.plist`, "-o", `${dir}/out.bin`, "-f", "bin"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(r.stderr) +
      new TextDecoder().decode(r.stdout);
    // plistutil 2.2 prints "ERROR: ..." but exits 0 on malformed input.
    assertNoMatch(said, /error/i, `plistutil rejected the plist: ${said}`);
    assertEquals(r.code, 0, said);
    const bin = await Deno.readFile(`${dir}/out.bin`);
    assertOk(bin.length > 8, "plistutil wrote no binary plist");
    return parseBinary(bin);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const kind of ["agent", "daemon"] as const) {
  for (const mode of KEEP_ALIVE_MODES) {
    const s = spec({
      condition: kind === "daemon" ? "boot" : "login",
      keepAlive: mode,
      ...(kind === "daemon" ? { runAs: ALICE } : {}),
    });
    const logFile = kind === "daemon"
      ? `/Library/Logs/autostart/${s.name}.log`
      : `/Users/alice/Library/Logs/autostart/${s.name}.log`;
    const obj = buildLaunchdPlist(s, {
      label: launchdLabel(s.name),
      logFile,
      daemon: kind === "daemon",
    });
    const xml = renderLaunchdPlist(obj, codec);
    const golden = `launchd/${kind}-${mode}.plist`;
    // A daemon runs the program itself (newsyslog rotates its log); an agent runs it
    // through the wrapper that rotates its log at each start.
    const argv = kind === "daemon"
      ? [s.program, ...s.args]
      : logWrapperCommand(logFile, [s.program, ...s.args]);

    Deno.test(`renderLaunchdPlist() ${kind} keep-alive ${mode} matches ${golden}`, async () => {
      await assertGolden(golden, xml);
    });

    Deno.test(`renderLaunchdPlist() ${kind} keep-alive ${mode} parses back exactly with npm plist`, () => {
      const back = parse(xml) as Record<string, unknown>;
      assertEquals(back.ProgramArguments, argv);
      // Read back, the command is the user's, not the wrapper.
      const fields = readLaunchdPlist(back, {
        daemon: kind === "daemon",
        defaultLogFile: logFile,
      });
      assertEquals([fields.program, ...fields.args], [s.program, ...s.args]);
      assertEquals(back.EnvironmentVariables, Object.fromEntries(s.env));
      assertEquals(
        Object.keys(back.EnvironmentVariables as object),
        s.env.map(([k]) => k),
      );
      assertEquals(back.WorkingDirectory, s.cwd);
      assertEquals(back.Label, "dev.autostart.web.app_1");
      assertEquals(back.KeepAlive, keepAliveValue(mode));
      assertEquals(back.ThrottleInterval, 3);
      assertEquals(back.RunAtLoad, true);
      assertEquals(back.StandardOutPath, logFile);
      assertEquals(back.StandardErrorPath, logFile);
      assertEquals(back.ProcessType, "Background");
      assertMatch(String(back[LAUNCHD_MARKER_KEY]), /Managed by autostart/);
      if (kind === "daemon") {
        assertEquals([back.UserName, back.GroupName], ["alice", "alice"]);
      } else {
        assertEquals("UserName" in back, false);
      }
      assertOk(xml.includes(LAUNCHD_MARKER_TEXT));
    });

    Deno.test({
      name:
        `renderLaunchdPlist() ${kind} keep-alive ${mode} is read back exactly by libplist (plistutil)`,
      ignore: !HAVE_PLISTUTIL,
      fn: async () => {
        const back = await viaPlistutil(xml) as Record<string, unknown>;
        assertEquals(back, parse(xml));
        assertEquals(back.ProgramArguments, argv);
        assertEquals(back.EnvironmentVariables, Object.fromEntries(s.env));
      },
    });
  }
}

Deno.test("renderLaunchdPlist() golden files parse back exactly (npm plist and plistutil)", async () => {
  for (const kind of ["agent", "daemon"]) {
    for (const mode of KEEP_ALIVE_MODES) {
      const text = await Deno.readTextFile(
        new URL(
          `../tests/golden/launchd/${kind}-${mode}.plist`,
          import.meta.url,
        ),
      );
      const back = parse(text) as Record<string, unknown>;
      const argv = back.ProgramArguments as string[];
      const command = kind === "daemon"
        ? argv
        : parseLogWrapperCommand(argv)?.command;
      assertEquals(command, ["/opt/my app/bin/serve & <co>", ...AWKWARD_ARGS]);
      if (kind === "agent") {
        assertEquals(
          parseLogWrapperCommand(argv)?.logFile,
          back.StandardOutPath,
        );
      }
      assertEquals(back.EnvironmentVariables, Object.fromEntries(AWKWARD_ENV));
      if (HAVE_PLISTUTIL) assertEquals(await viaPlistutil(text), back);
      if (HAVE_PLUTIL) assertEquals(await viaPlutil(text), back);
    }
  }
});

Deno.test("buildLaunchdPlist() maps keep-alive modes to launchd KeepAlive", () => {
  assertEquals(keepAliveValue("false"), false);
  assertEquals(keepAliveValue("on-failure"), { SuccessfulExit: false });
  assertEquals(keepAliveValue("always"), true);
});

Deno.test("throttleSeconds() rounds up to whole seconds, at least 1", () => {
  assertEquals(throttleSeconds(0), 1);
  assertEquals(throttleSeconds(500), 1);
  assertEquals(throttleSeconds(2000), 2);
  assertEquals(throttleSeconds(2001), 3);
  assertEquals(throttleSeconds(90_000), 90);
});

Deno.test("buildLaunchdPlist() leaves out optional keys and UserName for agents", () => {
  const obj = buildLaunchdPlist({
    name: "x",
    program: "/bin/sh",
    args: [],
    condition: "login",
    keepAlive: "always",
    env: [],
    restartDelayMs: 2000,
    start: true,
    runAs: ALICE,
  }, { label: "dev.autostart.x", logFile: "/l/x.log", daemon: false });
  assertEquals(Object.keys(obj), [
    "Label",
    LAUNCHD_MARKER_KEY,
    "ProgramArguments",
    "RunAtLoad",
    "KeepAlive",
    "ThrottleInterval",
    "StandardOutPath",
    "StandardErrorPath",
    "ProcessType",
  ]);
});

Deno.test("buildLaunchdPlist() refuses characters XML cannot hold with a UsageError", () => {
  for (
    const bad of [
      { args: ["a\u0001b"] },
      { env: [["K", "v\u001b[0m"]] as [string, string][] },
      { args: ["\uFFFE"] },
    ]
  ) {
    assertThrows(
      () =>
        buildLaunchdPlist(
          spec({ condition: "login", keepAlive: "always", ...bad }),
          {
            label: "dev.autostart.x",
            logFile: "/l/x.log",
            daemon: false,
          },
        ),
      (e: unknown) =>
        e instanceof UsageError && /cannot hold/.test(e.message) &&
        /U\+(0001|001B|FFFE)/.test(e.message),
    );
  }
});

Deno.test("serviceNameOfPlist() recognises only our plist names", () => {
  assertEquals(serviceNameOfPlist("dev.autostart.web.plist"), "web");
  assertEquals(serviceNameOfPlist("dev.autostart.a.b-c_1.plist"), "a.b-c_1");
  assertEquals(serviceNameOfPlist("com.apple.Dock.plist"), null);
  assertEquals(serviceNameOfPlist("dev.autostart.web.plist.bak"), null);
  assertEquals(serviceNameOfPlist("dev.autostart..plist"), null);
  assertEquals(
    serviceNameOfPlist(".dev.autostart.web.plist.autostart-tmp-1"),
    null,
  );
});

Deno.test({
  name: "viaPlistutil() (the libplist check) fails on a malformed plist",
  ignore: !HAVE_PLISTUTIL,
  fn: async () => {
    let failed = false;
    try {
      await viaPlistutil(
        "<plist><dict><key>A</key><string>x</dict></plist>",
      );
    } catch {
      failed = true;
    }
    assertOk(failed, "a malformed plist passed the plistutil check");
  },
});
