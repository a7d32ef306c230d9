// The hostile-input corpus through the launchd drivers (in-process; no macOS here).
// Every case ends in exactly one of: exit 2 with a one-line reason and nothing written
// and no launchctl command that changes anything, or exit 0 with a plist that parses
// back to exactly the input (ProgramArguments and EnvironmentVariables).
import { parse } from "plist";
import { assertEquals, assertOk } from "../assert.ts";
import {
  MAC_ROOT,
  macCli as runCli,
  macContext,
  macRootContext,
} from "../launchd_helpers.ts";
import {
  commandOf,
  enableArgv,
  expectedEnv,
  type HostileCase,
  loadCorpus,
  makeHostFixture,
  nameOf,
  seedHostFixture,
  substitute,
} from "./corpus.ts";
import { parseLogWrapperCommand } from "../../templates/launchd_log_wrapper.ts";

const MUTATING =
  /\b(bootstrap|bootout|enable|disable|kickstart|kill|load|unload)\b/;

function contextFor(c: HostileCase) {
  if (c.asPlainRoot) {
    return macContext({
      self: MAC_ROOT,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/var/root" },
    });
  }
  return c.condition === "boot" ? macRootContext() : macContext();
}

Deno.test("hostile corpus (launchd): every case is rejected cleanly or round-trips exactly in the plist", async () => {
  const fix = await makeHostFixture();
  let rejected = 0, roundTripped = 0;
  const problems: string[] = [];
  try {
    for (const raw of loadCorpus()) {
      const c = substitute(raw, fix);
      const ctx = contextFor(c);
      seedHostFixture(ctx.fs, fix);
      const before = JSON.stringify([
        ctx.fs.snapshot(),
        [...ctx.fs.dirs].sort(),
      ]);
      const r = await runCli(enableArgv(c), ctx);
      const mutating = ctx.runner.lines().filter((l) => MUTATING.test(l));
      if (r.code === 2) {
        const lines = r.stderr.trim().split("\n");
        if (!/^error: \S/.test(lines[0] ?? "") || lines.length > 2) {
          problems.push(`${c.id}: reason is not one line: ${r.stderr}`);
        }
        if (
          JSON.stringify([ctx.fs.snapshot(), [...ctx.fs.dirs].sort()]) !==
            before
        ) {
          problems.push(`${c.id}: rejected but wrote files`);
        }
        if (mutating.length) {
          problems.push(`${c.id}: rejected but ran ${mutating.join("; ")}`);
        }
        rejected++;
        continue;
      }
      if (r.code !== 0) {
        problems.push(`${c.id}: exit ${r.code}: ${r.stderr}`);
        continue;
      }
      const label = `dev.autostart.${nameOf(c)}`;
      const file = [...ctx.fs.files.keys()].find((p) =>
        p.endsWith(`/${label}.plist`)
      );
      if (!file) {
        problems.push(`${c.id}: accepted but no plist written`);
        continue;
      }
      const obj = parse(ctx.fs.files.get(file)!.content) as Record<
        string,
        unknown
      >;
      const written = obj.ProgramArguments as string[];
      // An agent runs the program behind the wrapper that rotates its log (the
      // plist's own log file); a daemon runs it directly.
      const wrapper = parseLogWrapperCommand(written);
      if (
        file.includes("/LaunchAgents/") &&
        wrapper?.logFile !== obj.StandardOutPath
      ) {
        problems.push(
          `${c.id}: agent not behind the log wrapper of ${obj.StandardOutPath}: ${
            JSON.stringify(written)
          }`,
        );
      }
      const argv = file.includes("/LaunchAgents/") && wrapper
        ? wrapper.command
        : written;
      const want = commandOf(c);
      if (
        !argv[0]?.startsWith("/") ||
        JSON.stringify(argv.slice(1)) !== JSON.stringify(want.slice(1))
      ) {
        problems.push(
          `${c.id}: ProgramArguments ${JSON.stringify(argv)} != ${
            JSON.stringify(want)
          }`,
        );
      }
      const env = (obj.EnvironmentVariables ?? {}) as Record<string, string>;
      // The last of repeated --env KEY=... wins, as on every driver.
      for (const [k, v] of new Map(expectedEnv(c))) {
        if (env[k] !== v) {
          problems.push(
            `${c.id}: ${k}=${JSON.stringify(env[k])} != ${JSON.stringify(v)}`,
          );
        }
      }
      roundTripped++;
    }
  } finally {
    await Deno.remove(fix, { recursive: true });
  }
  console.log(
    `launchd: ${rejected} rejected, ${roundTripped} round-tripped through the plist`,
  );
  assertEquals(problems, []);
  assertOk(rejected > 0 && roundTripped > 0);
});
