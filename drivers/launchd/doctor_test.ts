import { parse } from "plist";
import { assertEquals, assertMatch } from "../../tests/assert.ts";
import {
  macCli,
  macContext,
  WEB_PLIST as PLIST,
} from "../../tests/launchd_helpers.ts";
import {
  loadPlistCodec,
  type PlistDict,
  renderLaunchdPlist,
} from "../../templates/launchd_plist.ts";
import { parseLogWrapperCommand } from "../../templates/launchd_log_wrapper.ts";
import { launchdAgentDriver } from "./agent.ts";

const LOG = "/Users/alice/Library/Logs/autostart/web.log";

async function bigLogFix(
  edit?: (plist: Record<string, unknown>) => void,
): Promise<string | undefined> {
  const ctx = macContext({
    env: { PATH: "/usr/bin:/bin", HOME: "/Users/alice" },
  });
  const en = await macCli([
    "enable",
    "web",
    "--no-start",
    "--",
    "/bin/sleep",
    "9",
  ], ctx);
  assertEquals(en.code, 0, en.stderr);
  if (edit) {
    const file = ctx.fs.files.get(PLIST)!;
    const plist = parse(file.content) as Record<string, unknown>;
    edit(plist);
    const codec = await loadPlistCodec();
    ctx.fs.files.set(PLIST, {
      ...file,
      content: renderLaunchdPlist(plist as PlistDict, codec),
    });
  }
  ctx.fs.size = (p: string) =>
    Promise.resolve(p === LOG ? 60 * 1024 * 1024 : null);
  const checks = await launchdAgentDriver.diagnose(ctx);
  const c = checks.find((c) => c.id === "launchd-agent.log-size");
  assertEquals(c?.level, "warn");
  assertMatch(c?.detail ?? "", /web\.log is 60\.0 MiB \(over 50\.0 MiB\)/);
  return c?.fix;
}

Deno.test("launchdAgentDriver.diagnose(): a big agent log is rotated at each start, the fix says so", async () => {
  assertMatch(
    (await bigLogFix()) ?? "",
    /rotated when over 10\.0 MiB at each start: autostart restart web \(older parts are kept as .*web\.log\.1 to \.3\)/,
  );
});

Deno.test("launchdAgentDriver.diagnose(): an agent plist from before log rotation is told to enable again", async () => {
  const fix = await bigLogFix((plist) => {
    const argv = plist.ProgramArguments as string[];
    plist.ProgramArguments = parseLogWrapperCommand(argv)!.command;
  });
  assertMatch(fix ?? "", /predates log rotation: enable "web" again/);
});
