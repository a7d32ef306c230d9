// Property: every renderer's reader is its inverse. For each round-trip case of the
// hostile corpus, the spec `enable` resolves is rendered by each driver's renderer and
// read back; the fields equal the spec's (the restart delay as precisely as the format
// keeps it), and rendering the read-back fields again gives the same bytes.
import type { MemoryFs } from "../../core/fake.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { UsageError } from "../../core/errors.ts";
import { fieldsOfSpec, type ServiceFields } from "../../core/read_back.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import {
  readSystemdUnit,
  renderSystemdUnit,
} from "../../templates/systemd_unit.ts";
import {
  buildLaunchdPlist,
  launchdLabel,
  loadPlistCodec,
  readLaunchdPlist,
  renderLaunchdPlist,
} from "../../templates/launchd_plist.ts";
import {
  readRunitFiles,
  renderRunitFinish,
  renderRunitLog,
  renderRunitRun,
} from "../../templates/runit_scripts.ts";
import {
  readOpenrcScript,
  renderOpenrcScript,
} from "../../templates/openrc_script.ts";
import { ALICE, runCli } from "../helpers.ts";
import {
  enableArgv,
  IN_PROCESS_TARGETS,
  loadCorpus,
  makeHostFixture,
  seedHostFixture,
  substitute,
} from "./corpus.ts";

/** The specs `enable` resolves for every round-trip case (from `--dry-run --json`). */
async function corpusSpecs(): Promise<ServiceSpec[]> {
  const fix = await makeHostFixture();
  try {
    const target = IN_PROCESS_TARGETS.find((t) => t.driver === "systemd")!;
    const specs: ServiceSpec[] = [];
    for (const raw of loadCorpus().filter((c) => c.expect === "roundtrip")) {
      const c = substitute(raw, fix);
      const ctx = target.context(c.condition === "boot" ? "root-sudo" : "user");
      seedHostFixture(ctx.fs as MemoryFs, fix);
      const argv = enableArgv(c, "systemd");
      argv.splice(2, 0, "--dry-run", "--json"); // options go before `--`
      const r = await runCli(argv, ctx);
      assertEquals(r.code, 0, `${c.id}: ${r.stderr}`);
      specs.push(JSON.parse(r.stdout).spec);
    }
    return specs;
  } finally {
    await Deno.remove(fix, { recursive: true });
  }
}

const specs = await corpusSpecs();

/**
 * `f` with the restart delay rounded the way a format keeps it; without a backoff the
 * cap is that delay, and a format that cannot back off (`cap: false`) keeps no cap.
 */
function withDelay(
  f: ServiceFields,
  ms: number,
  cap = true,
): ServiceFields {
  const out = { ...f, restartDelayMs: ms };
  if (!cap) delete out.restartMaxDelayMs;
  else if (f.restartMaxDelayMs === f.restartDelayMs) out.restartMaxDelayMs = ms;
  return out;
}

/** Caps to try on every spec: none, equal to the delay (no backoff), and a long one. */
const CAPS = [undefined, 0, 600_000];

/** `spec` with the cap `cap` (0: equal to its delay). */
function capped(spec: ServiceSpec, cap: number | undefined): ServiceSpec {
  return {
    ...spec,
    restartMaxDelayMs: cap === 0 ? spec.restartDelayMs : cap ?? 60_000,
  };
}

/** Runs `check` on every spec the renderer accepts; returns how many it accepted. */
function each(check: (spec: ServiceSpec) => void): number {
  let n = 0;
  for (const spec of specs) {
    try {
      check(spec);
      n++;
    } catch (e) {
      if (e instanceof UsageError) continue; // refused by this format: not rendered
      throw new Error(`${spec.name}: ${(e as Error).message}`, { cause: e });
    }
  }
  return n;
}

Deno.test("readSystemdUnit() reads back every field of the hostile corpus exactly", () => {
  assertOk(specs.length >= 80, `${specs.length} specs`);
  const n = each((spec) => {
    const text = renderSystemdUnit(spec);
    const read = readSystemdUnit(text);
    assertEquals(read, fieldsOfSpec(spec), spec.name);
    const timed = { ...spec, stopTimeoutMs: 12_345 };
    assertEquals(
      readSystemdUnit(renderSystemdUnit(timed)),
      fieldsOfSpec(timed),
    );
    // The backoff cap, from RestartMaxDelaySec= (>= 254) or the older form's comment.
    for (const cap of CAPS) {
      const c = capped(spec, cap);
      for (const systemdVersion of [null, 253, 254]) {
        const r = readSystemdUnit(renderSystemdUnit(c, { systemdVersion }));
        assertEquals(
          r,
          fieldsOfSpec(c),
          `${spec.name} ${cap} ${systemdVersion}`,
        );
        if (spec.keepAlive !== "false" && cap === 600_000) {
          assertEquals(r.restartMaxDelayMs, 600_000);
        }
      }
    }
  });
  assertEquals(n, specs.length);
});

Deno.test("readLaunchdPlist() reads back every field of the hostile corpus", async () => {
  const codec = await loadPlistCodec();
  const n = each((spec) => {
    const daemon = spec.condition === "boot";
    const defaultLogFile =
      `/Users/alice/Library/Logs/autostart/${spec.name}.log`;
    const paths = {
      label: launchdLabel(spec.name),
      logFile: `${
        spec.logDir ?? "/Users/alice/Library/Logs/autostart"
      }/${spec.name}.log`,
      daemon,
    };
    const text = renderLaunchdPlist(buildLaunchdPlist(spec, paths), codec);
    const read = readLaunchdPlist(codec.parse(text), {
      daemon,
      defaultLogFile,
    });
    const want = fieldsOfSpec(spec);
    assertEquals(
      read,
      withDelay(
        want,
        Math.max(1, Math.ceil(spec.restartDelayMs / 1000)) * 1000,
        false,
      ),
      spec.name,
    );
    const timed = { ...spec, stopTimeoutMs: 12_345 };
    const t = readLaunchdPlist(
      codec.parse(renderLaunchdPlist(buildLaunchdPlist(timed, paths), codec)),
      { daemon, defaultLogFile },
    );
    assertEquals(t.stopTimeoutMs, 13_000, "ExitTimeOut keeps whole seconds");
  });
  assertOk(n >= specs.length - 20, `${n} of ${specs.length} rendered`);
});

Deno.test("readRunitFiles() reads back every field of the hostile corpus", () => {
  const n = each((spec) => {
    const defaultLog = `/var/log/autostart/${spec.name}`;
    const logDir = spec.logDir ? `${spec.logDir}/${spec.name}` : defaultLog;
    const files = {
      run: renderRunitRun(spec),
      finish: renderRunitFinish(spec),
      logRun: renderRunitLog(spec, logDir),
    };
    const read = readRunitFiles(files, defaultLog, !spec.start);
    const want = fieldsOfSpec(spec);
    if (spec.condition === "boot") want.user = spec.runAs?.name ?? "root";
    if (!spec.start) want.start = false;
    const s = Math.ceil(spec.restartDelayMs / 1000);
    const delay = spec.keepAlive !== "false" && s > 1 ? s * 1000 : 1000;
    assertEquals(read, withDelay(want, delay), spec.name);
    // Rendering what was read gives the same bytes.
    const again = { ...spec, restartDelayMs: read.restartDelayMs };
    assertEquals(renderRunitFinish(again), files.finish);
    // The backoff cap, from the finish script's loop bound.
    for (const cap of CAPS) {
      const c = capped(spec, cap);
      const r = readRunitFiles(
        { ...files, finish: renderRunitFinish(c) },
        defaultLog,
        !spec.start,
      );
      const backs = c.keepAlive !== "false" &&
        c.restartMaxDelayMs! > c.restartDelayMs;
      assertEquals(
        r.restartMaxDelayMs,
        backs ? c.restartMaxDelayMs : r.restartDelayMs,
        `${spec.name} ${cap}`,
      );
      if (backs) assertEquals(r.restartDelayMs, c.restartDelayMs);
    }
  });
  assertEquals(n, specs.length);
});

Deno.test("readOpenrcScript() reads back every field the OpenRC format accepts", () => {
  const n = each((spec) => {
    const boot = {
      ...spec,
      condition: "boot" as const,
      runAs: spec.runAs ?? ALICE,
    };
    const text = renderOpenrcScript(boot);
    const read = readOpenrcScript(text);
    const want = fieldsOfSpec(boot);
    const delay = boot.keepAlive === "always"
      ? Math.max(1, Math.ceil(boot.restartDelayMs / 1000)) * 1000
      : 2000;
    // OpenRC knows "always" and "false"; on-failure is refused before rendering.
    assertEquals(
      read,
      withDelay({ ...want, keepAlive: read.keepAlive }, delay, false),
      spec.name,
    );
    assertEquals(
      read.keepAlive,
      boot.keepAlive === "always" ? "always" : "false",
    );
    const timed = renderOpenrcScript({ ...boot, stopTimeoutMs: 12_345 });
    assertEquals(
      readOpenrcScript(timed).stopTimeoutMs,
      13_000,
      "retry schedule",
    );
  });
  assertOk(n >= specs.length - 20, `${n} of ${specs.length} rendered`);
});
